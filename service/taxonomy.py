"""Controlled vocabularies for figure and case dimensions.

The loader rejects any code not listed here, so a typo in a data package can never
become a new category. Order is the display order; for outcomes it is severity, most
severe first, with the non-outcomes (still open, none stated) last.
"""

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, TypeAlias


@dataclass(frozen=True, slots=True)
class Term:
    code: str
    label: str
    meaning: str


OUTCOMES: tuple[Term, ...] = (
    Term("dismissed", "Dismissed", "Employment ended by the force after a misconduct finding."),
    Term(
        "resigned_or_retired_before_dismissal",
        "Would have been dismissed",
        "Left the force before the outcome, which was found to be dismissal had they stayed.",
    ),
    Term(
        "resigned_or_retired",
        "Resigned or retired",
        "Left the force while a complaint was open or after it was upheld; no sanction applied.",
    ),
    Term(
        "final_written_warning",
        "Final written warning",
        "The most serious warning short of dismissal.",
    ),
    Term(
        "written_warning",
        "Written warning",
        "A written warning; the sources do not say whether it was a first or a final one.",
    ),
    Term("first_written_warning", "First written warning", "A first written warning."),
    Term(
        "formal_warning",
        "Formal warning",
        "Named as an outcome type by a source but never counted separately.",
    ),
    Term(
        "formal_misconduct",
        "Formal misconduct outcome",
        "A formal misconduct outcome whose type the source does not give.",
    ),
    Term("reprimand", "Reprimand", "A formal reprimand, recorded on file."),
    Term(
        "management_action",
        "Management action",
        "Action taken by a line manager rather than through a misconduct hearing.",
    ),
    Term(
        "management_advice",
        "Management advice",
        "Advice from a manager on future conduct; the lowest formal disciplinary outcome.",
    ),
    Term(
        "words_of_advice",
        "Words of advice",
        "An informal word from a manager, recorded but not a sanction.",
    ),
    Term(
        "reflective_practice",
        "Reflective practice",
        "Referred to a learning process for conduct below the level of misconduct.",
    ),
    Term(
        "no_disciplinary_action",
        "No disciplinary action",
        "Proceedings were brought but ended without any disciplinary outcome.",
    ),
    Term("cleared", "Cleared", "The allegation was not proven."),
    Term("under_investigation", "Still under investigation", "No outcome yet when answered."),
    Term(
        "not_stated",
        "No stated outcome",
        "Counted in a total, but no source gives what happened to them.",
    ),
)

PLATFORMS: tuple[Term, ...] = (
    Term("facebook", "Facebook", "The Facebook social network."),
    Term("twitter", "Twitter / X", "Twitter, renamed X in 2023."),
    Term("linkedin", "LinkedIn", "The LinkedIn professional network."),
    Term("youtube", "YouTube", "The YouTube video site."),
    Term("friends_reunited", "Friends Reunited", "A UK school-friends network, closed in 2016."),
    Term("instagram", "Instagram", "The Instagram photo-sharing app."),
    Term("snapchat", "Snapchat", "The Snapchat messaging app."),
    Term("tiktok", "TikTok", "The TikTok video app."),
    Term("whatsapp", "WhatsApp", "The WhatsApp messaging app."),
    Term("text_messages", "Text messages", "SMS or similar phone messages."),
    Term("dating_site", "Dating website", "A dating website, named as such by a source."),
    Term("dating_apps", "Dating apps", "Dating apps, named as a group by a source."),
    Term("website", "Other website", "A website the source does not name."),
    Term("other", "Other named platforms", "Platforms a source groups as 'other'."),
    Term("unspecified", "Unspecified", "The source does not say which platform."),
)

STAFF_TYPES: tuple[Term, ...] = (
    Term("police_officer", "Police officers", "Sworn officers of any rank."),
    Term(
        "civilian_staff",
        "Civilian staff",
        "Police staff who are not sworn officers, including PCSOs.",
    ),
)

ALLEGATIONS: tuple[Term, ...] = (
    Term(
        "inappropriate_comments",
        "Inappropriate comments",
        "Posts or messages whose content breached standards.",
    ),
    Term(
        "inappropriate_behaviour",
        "Inappropriate behaviour",
        "Conduct online, other than what was written, that breached standards.",
    ),
    Term(
        "inappropriate_sexual_conduct",
        "Inappropriate sexual conduct",
        "A complaint category: conduct or comments of a sexual kind, such as remarks about rape.",
    ),
    Term(
        "wrongful_disclosure_of_information",
        "Wrongful disclosure of information",
        "Police information or images shared without authority.",
    ),
    Term("computer_misuse", "Computer misuse", "Misuse of force computer systems."),
    Term(
        "excessive_personal_use",
        "Excessive personal use on duty",
        "Time spent on social media while on duty.",
    ),
    Term(
        "oppressive_behaviour",
        "Oppressive behaviour",
        "A complaint category: conduct felt as bullying, threatening or heavy-handed.",
    ),
    Term(
        "discrimination",
        "Discrimination",
        "A complaint category: treating someone worse because of who they are.",
    ),
    Term(
        "failures_in_duty",
        "Failures in duty",
        "A complaint category: not doing what the job required.",
    ),
    Term("incivility", "Incivility", "A complaint category: rudeness or lack of respect."),
)

RANKS: tuple[Term, ...] = (
    Term("constable", "Constable", "Police constable."),
    Term("sergeant", "Sergeant", "Police sergeant."),
    Term("inspector", "Inspector", "Police inspector."),
    Term("chief_inspector", "Chief inspector", "Chief inspector."),
    Term("inspector_and_above", "Inspector and above", "Inspectors and every higher rank."),
    Term("sergeant_or_above", "Sergeant or above", "Sergeants and every higher rank."),
    Term("pcso", "PCSO", "Police community support officer (civilian staff)."),
    Term("not_retrieved", "Not retrieved", "A category whose name could not be read."),
)

TAXONOMIES: dict[str, tuple[Term, ...]] = {
    "staff_type": STAFF_TYPES,
    "outcome": OUTCOMES,
    "platform": PLATFORMS,
    "allegation": ALLEGATIONS,
    "rank": RANKS,
}

CODES: dict[str, tuple[str, ...]] = {
    name: tuple(term.code for term in terms) for name, terms in TAXONOMIES.items()
}

ORDER: dict[str, dict[str, int]] = {
    name: {term.code: index for index, term in enumerate(terms)}
    for name, terms in TAXONOMIES.items()
}

LABELS: dict[str, dict[str, str]] = {
    name: {term.code: term.label for term in terms} for name, terms in TAXONOMIES.items()
}

#: Dimensions a figure can be broken down by, in the order they are shown.
DIMENSIONS: tuple[str, ...] = ("staff_type", "outcome", "platform", "allegation", "year", "rank")
#: Each dimension's name as a heading ("Staff type"); lower-cased in a sentence.
DIMENSION_LABELS: dict[str, str] = {d: d.replace("_", " ").capitalize() for d in DIMENSIONS}

#: Each dimension as a filter, in words: an API query parameter's description.
FILTER_DESCRIPTIONS: dict[str, str] = {
    "staff_type": "Staff type code.",
    "outcome": "Outcome code (see /v1/outcomes).",
    "platform": "Platform code (see /v1/platforms).",
    "allegation": "Allegation category code.",
    "year": "Calendar year.",
    "rank": "Rank code.",
}
#: The years a `year` filter takes (the one dimension without codes).
FIRST_YEAR, LAST_YEAR = 1900, 2100
#: The dimensions /v1/cases filters by, each served by a live-row index of its own
#: (migration 0005_live_indexes).
CASE_FILTERS: tuple[str, ...] = ("staff_type", "outcome", "platform", "year")
#: The dimensions that break a count down into kinds, apart from staff scope and year.
KINDS: tuple[str, ...] = ("outcome", "platform", "allegation", "rank")

#: Every value `by` takes: one dimension, or two distinct ones joined by a comma (either
#: order; the first is the outer grouping).
GROUPINGS: tuple[str, ...] = (
    *DIMENSIONS,
    *(f"{a},{b}" for a in DIMENSIONS for b in DIMENSIONS if a != b),
)


def codes_enum(name: str, codes: tuple[str, ...]) -> type[StrEnum]:
    """A StrEnum of codes: the OpenAPI schema shows it as a named enum component."""
    return StrEnum(name, {code: code for code in codes})  # type: ignore[return-value]


#: Each coded dimension's codes as a StrEnum named after it (staff_type: StaffType).
CODE_ENUMS: dict[str, type[StrEnum]] = {
    name: codes_enum(name.title().replace("_", ""), codes) for name, codes in CODES.items()
}


if TYPE_CHECKING:
    StaffType: TypeAlias = str
    Outcome: TypeAlias = str
    Platform: TypeAlias = str
    Allegation: TypeAlias = str
    Rank: TypeAlias = str
    Dimension: TypeAlias = str
else:
    StaffType = CODE_ENUMS["staff_type"]
    Outcome = CODE_ENUMS["outcome"]
    Platform = CODE_ENUMS["platform"]
    Allegation = CODE_ENUMS["allegation"]
    Rank = CODE_ENUMS["rank"]
    Dimension = codes_enum("Dimension", DIMENSIONS)
