"""The fact-check of the Met packages against the research file, as a program: every figure's
value, range, words, unit and derived flag, and every source credit (which source printed
what, by report kind), compared with the research entry the figure was transcribed from.

The research file is read with pyyaml, never restated: `ENTRIES` only says which entry each
figure comes from. What cannot be compared by a program (a paraphrase, a note's reasoning)
is listed in docs/fact-check.md with how it was checked by reading.

Usage: python -m scripts.fact_check [RESEARCH_FILE]   (exit 1 and one line per discrepancy)
"""

import os
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]

from service.config import PROJECT_ROOT
from service.seed import read_package
from service.seed.rows import Package
from service.tables import Figure, FigureReport

#: Beside the repository, as CI lays it out; RESEARCH_FILE names it from anywhere else.
RESEARCH_FILE = Path(
    os.environ.get(
        "RESEARCH_FILE",
        PROJECT_ROOT.parent / "shared" / "data" / "met-social-media-disclosures.research.yaml",
    )
)
SEED_DIR = PROJECT_ROOT / "seed"

M13 = "met-2013-parliament-street-social-media-discipline"
G22 = "met-2022-guardian-412-officers"
LW = "met-2022-londonworld-2018-2021"
R14 = "met-2014-parliament-street-71-officers"
R10 = "met-2009-lewis-pr"
INKL = "met-2023-inkl-507-complaints"
DM = "met-2021-daily-mail-277"
OD = "met-2022-opendemocracy-ico-redacted-cases"

#: The research disclosure each package was transcribed from.
PACKAGES = {
    "met-2010": R10,
    "met-2013": M13,
    "met-2014": R14,
    "met-2015-cases": "met-2015-pa-case-list",
    "met-2021-daily-mail-277": DM,
    "met-2022-guardian": G22,
    "met-2022-londonworld": LW,
    "met-2022-opendemocracy-ico-redacted-cases": OD,
    "met-2023-inkl-507-complaints": INKL,
}


@dataclass(frozen=True)
class Entry:
    """Where a figure comes from: the research entries of `measure` whose dimensions include
    `dims` (None: the dimension is absent; a list in the research matches any of its
    items). Several entries (officers' written warnings: 18 and 17) make a range. `text`
    names a field of the research disclosure that prints the number instead of an entry
    (met-2010's 27 and 28 are in its reconciliation), or a list that names the category."""

    measure: str
    dims: dict[str, Any] = field(default_factory=dict)
    text: str = ""


def _e(measure: str, **dims: Any) -> Entry:
    return Entry(measure, dims)


def _each(prefix: str, measure: str, dimension: str, *codes: str) -> dict[str, Entry]:
    """One entry per code of a dimension; the figure's slug is the code with dashes."""
    return {f"{prefix}.{c.replace('_', '-')}": _e(measure, **{dimension: c}) for c in codes}


#: Each figure's research entry, by the figure's id without its disclosure prefix.
ENTRIES: dict[str, dict[str, Entry]] = {
    "met-2010": {
        "officers.proceedings-brought": Entry("", text="reconciliation"),
        "officers.disciplined": Entry("", text="reconciliation"),
        "officers.written-warning": _e("officers_written_warning"),
        "officers.words-of-advice": _e("officers_words_of_advice"),
        "officers.formal-misconduct": _e("officers_formal_misconduct"),
        "officers.no-disciplinary-action": _e("officers_no_discipline"),
        "staff.disciplined": _e("staff_disciplined"),
        "staff.dismissed": _e("staff_dismissed"),
    },
    "met-2013": {
        "officers.investigated": _e("officers_investigated"),
        "officers.complaint-proven": _e("officers_complaint_proven"),
        "officers.dismissed": _e("officers_dismissed"),
        "officers.written-warning": _e("officers_written_warning"),
        "officers.management-action": _e("officers_management_action"),
        "officers.resigned-or-retired": _e("officers_retired_or_resigned"),
        "officers.management-advice": _e("officers_management_advice"),
        "officers.cleared": _e("officers_cleared"),
        "officers.under-investigation": _e("officers_still_under_investigation"),
        "officers.outcome-not-stated": _e("officers_outcome_not_accounted"),
        "officers.formal-disciplinary-action": _e("officers_formal_disciplinary_action"),
        "officers.dismissed-2011": _e("officers_dismissed_by_year", year=2011),
        "staff.investigated": _e("staff_investigated"),
        "staff.dismissed": _e("staff_dismissed", platform=None),
        "staff.dismissed-facebook": _e("staff_dismissed", platform="facebook"),
        "staff.dismissed-2013": _e(
            "staff_dismissed_by_year",
            year=2013,
            platform="facebook",
            allegation="inappropriate_comments",
        ),
        "staff.resigned-or-retired": _e("staff_resigned_or_retired"),
        "staff.written-warning": _e("staff_written_warning"),
        "staff.reprimand": _e("staff_reprimand"),
        "staff.reprimand-or-written-warning": _e("staff_reprimand_or_written_warning"),
        "all.dismissed": _e("total_dismissed"),
        "all.resigned-or-retired": _e("total_left_after_complaints"),
        "all.investigated": _e("total_investigated"),
        "all.adverse-finding-or-departure": _e("total_adverse_finding_or_departure"),
        **_each(
            "platform",
            "cases_by_platform",
            "platform",
            "facebook",
            "twitter",
            "linkedin",
            "youtube",
            "friends_reunited",
            "unspecified",
            "dating_site",
        ),
        **{
            f"allegation.{slug}": _e("allegation_type_present", allegation=code)
            for slug, code in (
                ("computer-misuse", "computer_misuse"),
                ("inappropriate-comments", "inappropriate_comments"),
                ("inappropriate-behaviour", "inappropriate_behaviour"),
                ("wrongful-disclosure", "wrongful_disclosure_of_information"),
            )
        },
        **_each(
            "outcome-named",
            "outcome_type_present",
            "outcome",
            "reprimand",
            "management_advice",
            "formal_warning",
            "first_written_warning",
            "final_written_warning",
        ),
    },
    "met-2014": {
        "officers.facing-allegations": _e("officers_facing_allegations"),
        "substantiated": _e("substantiated"),
        "complaints-dismissed": _e("complaints_dismissed"),
        "officers.dismissed": _e("officers_dismissed"),
        "officers.written-warning": _e("officers_written_warning"),
        "officers.resigned-or-retired": _e("officers_resigned_or_retired"),
        "ongoing-or-other": _e("ongoing_or_other"),
        **{
            f"allegation.{slug}": Entry(words, text="allegation_types_named")
            for slug, words in (
                ("oppressive-behaviour", "oppressive behaviour"),
                ("discrimination", "discrimination"),
                ("failures-in-duty", "failures in duty"),
                ("incivility", "incivility"),
            )
        },
    },
    "met-2015-cases": {},
    "met-2021-daily-mail-277": {"alleged-misuse": _e("allegations_social_media_misuse")},
    "met-2022-guardian": {
        "officers.investigated": _e("officers_investigated"),
        "action-taken": _e("cases_with_formal_or_informal_action"),
        "officers.dismissed": _e("officers_dismissed"),
        "officers.would-have-been-dismissed": _e("officers_would_have_been_dismissed"),
        "officers.final-written-warning": _e("officers_final_written_warning"),
        "officers.written-warning": _e("officers_written_warning"),
        "officers.reflective-practice": _e("officers_reflective_practice"),
        "officers.management-advice": _e("officers_management_advice"),
        "action-not-broken-down": _e("actions_not_broken_down_in_excerpt"),
        "officers.without-recorded-action": _e("investigated_without_recorded_action"),
        **_each(
            "platform",
            "platforms_named",
            "platform",
            "text_messages",
            "whatsapp",
            "facebook",
            "twitter",
            "snapchat",
            "dating_apps",
            "linkedin",
            "other",
        ),
    },
    "met-2022-londonworld": {
        **{
            f"investigated-{year}": _e("officers_investigated", year=year)
            for year in (2018, 2019, 2020, 2021)
        },
        "investigated": _e("officers_investigated", period="2018-2021"),
        "rank.constable": _e("officers_investigated", rank="constable"),
        "rank.sergeant": _e("officers_investigated", rank="sergeant"),
        "rank.inspector-and-above": _e("officers_investigated", rank="inspector_and_above"),
        "rank.not-retrieved": _e("officers_investigated", rank="unknown_fourth_category"),
        "rank.sergeant-or-above": _e("officers_investigated", rank="sergeant_or_above"),
        "sanctioned": _e("officers_sanctioned", year=2021),
    },
    "met-2022-opendemocracy-ico-redacted-cases": {
        "officers.final-written-warning": _e("officers_final_written_warning"),
    },
    "met-2023-inkl-507-complaints": {
        "complaints": _e("complaints"),
        **_each(
            "platform",
            "complaints",
            "platform",
            "whatsapp",
            "facebook",
            "twitter",
            "instagram",
            "text_messages",
        ),
        "rank.constable": _e("officers_reported", rank="constable"),
        "rank.sergeant": _e("officers_reported", rank="sergeant"),
        "rank.inspector": _e("officers_reported", rank="inspector"),
        "officers": _e("officers_reported", rank="all_listed"),
        **{
            f"{slug}-{year}": _e("complaints_by_nature", nature=nature, year=year)
            for slug, nature in (
                ("sexual-conduct", "inappropriate_sexual_conduct"),
                ("discriminatory-behaviour", "discriminatory_behaviour"),
            )
            for year in (2018, 2022)
        },
    },
}

#: A figure whose package names a category the research entry lists (a platform in a list
#: of platforms) carries no count of the entry's own: only its words are compared.
NAMED_FROM_LIST = {"met-2023-inkl-507-complaints.platform."}

#: Units the package words differently from the research, each for a reason it gives.
UNITS_AS_PUBLISHED = {
    # The research records allegations and says in its note that the unit is uncertain.
    "met-2021-daily-mail-277.alleged-misuse": ("allegations", "allegations or officers"),
}

#: The research's source ids that are one package source (the same article at two addresses).
SOURCE_ALIASES = {"pt2021_alt": "pt2021", "londonworld": "londonworld2022"}

#: Report kinds that credit a source with a count of the figure's own.
COUNTING = {"number", "range"}


#: Research entries of these disclosures that are no figure, and what the package does
#: instead: each is a note, since it is no count of the Met's.
NOT_FIGURES = {
    (DM, "case_details"): "note S1: the Met gave no case details",
    (INKL, "complaints_growth_headline"): "note I2: a ratio in a headline, not a count",
}

#: A research case's role, as the staff type it is.
STAFF_WORDS = {"civilian staff": "civilian_staff", "PCSO": "civilian_staff"}


@dataclass
class Result:
    """What was compared, and every discrepancy found."""

    figures: int = 0
    reports: Counter[str] = field(default_factory=Counter)
    sources: int = 0
    cases: int = 0
    discrepancies: list[str] = field(default_factory=list)

    def wrong(self, figure: str, what: str) -> None:
        self.discrepancies.append(f"{figure}: {what}")


def research_disclosures(research: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every research disclosure by id: the main list, the related ones and the additions;
    a later entry of the same id (the Daily Mail's, related then added in full) wins."""
    found = research["disclosures"] + research["related_disclosures"]
    found += research["additions_2026_11_24"]["disclosures"]
    return {d["id"]: d for d in found}


def _dims_match(entry: dict[str, Any], dims: dict[str, Any]) -> bool:
    have = entry.get("dimensions") or {}
    for key, wanted in dims.items():
        value = have.get(key)
        if wanted is None:
            if value is not None:
                return False
        elif isinstance(value, list):
            if wanted not in value:
                return False
        elif value != wanted:
            return False
    return True


def _entries(disclosure: dict[str, Any], where: Entry) -> list[dict[str, Any]]:
    return [
        e
        for e in disclosure.get("figures", [])
        if e.get("measure") == where.measure and _dims_match(e, where.dims)
    ]


def _numbers(text: str) -> set[int]:
    return {int(n) for n in re.findall(r"\b\d+\b", text)}


def _source_ids(
    package: Package, disclosure: dict[str, Any], entry: dict[str, Any]
) -> tuple[set[str], bool]:
    """The package ids of the sources the research gives for an entry, and whether they are
    the entry's own: its own list, else (an entry of our arithmetic with no list, or a
    research disclosure that lists its sources only as addresses) the disclosure's."""
    if entry.get("sources"):
        return {SOURCE_ALIASES.get(s, s) for s in entry["sources"]}, True
    urls = disclosure.get("sources") or [disclosure.get("source")]
    urls = [u if isinstance(u, str) else u.get("url", "") for u in urls if u]
    return {s.id for s in package.sources if s.url in urls}, False


def _check_value(figure: Figure, entries: list[dict[str, Any]], result: Result) -> None:
    """The figure's number, range or words against its research entries."""
    fid = figure.id
    stated = (figure.value, figure.min, figure.max)
    if len(entries) > 1:
        values = sorted(e["value"] for e in entries)
        if stated != (None, values[0], values[-1]):
            result.wrong(fid, f"{stated} where the sources give {values}: expected a range")
        return
    (entry,) = entries
    bounds = entry.get("bounds") or {}
    if entry.get("value") is not None:
        expected = (entry["value"], None, None)
    elif bounds:
        expected = (None, bounds.get("min"), bounds.get("max"))
    else:
        expected = (None, None, None)
        if not figure.qualifier:
            result.wrong(fid, "no number and no words, where the research has words")
    if stated != expected:
        result.wrong(fid, f"value, min, max {stated}; research {expected}")
    if bool(entry.get("derived")) != figure.derived:
        result.wrong(fid, f"derived {figure.derived}; research {bool(entry.get('derived'))}")
    unit = entry.get("unit")
    published = UNITS_AS_PUBLISHED.get(fid) == (unit, figure.unit)
    if unit is not None and unit != figure.unit and not published:
        result.wrong(fid, f"unit {figure.unit!r}; research {unit!r}")


def _check_reports(
    figure: Figure,
    reports: list[FigureReport],
    credited: dict[str, set[int]],
    by_figure: dict[str, list[FigureReport]],
    result: Result,
    own: bool,
) -> None:
    """Each report against what its source printed: `credited` is, per research source of
    the figure, the numbers it printed (empty for words); with `own`, the entry names its
    sources, and each must have a report."""
    for report in reports:
        result.reports[report.kind] += 1
        _check_report(figure, report, credited, by_figure, result)
    missing = set(credited) - {r.source_id for r in reports} if own else set()
    for source in sorted(missing):
        result.wrong(figure.id, f"the research lists {source}, which has no report")


def _check_report(
    figure: Figure,
    report: FigureReport,
    credited: dict[str, set[int]],
    by_figure: dict[str, list[FigureReport]],
    result: Result,
) -> None:
    where = f"{figure.id} by {report.source_id}"
    # A source credited with the parts is checked against the parts' own reports; one that
    # named the category without a count is credited with nothing.
    listed = report.kind in ("parts", "named_without_count") or report.source_id in credited
    if not listed:
        result.wrong(where, f"credited ({report.kind}); the research lists {sorted(credited)}")
    elif report.kind == "number":
        printed = credited[report.source_id]
        if figure.derived:
            result.wrong(where, f"credited with our arithmetic ({report.value})")
        elif printed and report.value not in printed:
            result.wrong(where, f"printed {report.value}; research {printed}")
    elif report.kind == "range":
        if report.min is not None and figure.min is not None and report.min < figure.min:
            result.wrong(where, f"range from {report.min} below the figure's {figure.min}")
        if report.max is not None and figure.max is not None and report.max > figure.max:
            result.wrong(where, f"range to {report.max} above the figure's {figure.max}")
    elif report.kind == "parts":
        for part in report.parts:
            counted = [
                r
                for r in by_figure.get(part, [])
                if r.source_id == report.source_id and r.kind in COUNTING
            ]
            if not counted:
                result.wrong(where, f"credited with the part {part}, which it never printed")
    elif report.value is not None or report.min is not None or report.max is not None:
        result.wrong(where, f"{report.kind} report carries a number")


def check_package(name: str, research: dict[str, Any], result: Result, seed: Path) -> None:
    package = read_package(seed / name)
    disclosure = research_disclosures(research)[PACKAGES[name]]
    entries = ENTRIES[name]
    prefix = f"{package.disclosure.id}."
    result.sources += len(package.sources)
    by_figure: dict[str, list[FigureReport]] = {}
    for report in package.reports:
        by_figure.setdefault(report.figure_id, []).append(report)
    unmapped = {f.id.removeprefix(prefix) for f in package.figures} - set(entries)
    for slug in sorted(unmapped):
        result.wrong(prefix + slug, "no research entry is named for it (scripts/fact_check.py)")
    used: set[int] = set()
    for figure in package.figures:
        where = entries.get(figure.id.removeprefix(prefix))
        if where is None:
            continue
        result.figures += 1
        if where.text:
            _check_text(package, disclosure, figure, where, by_figure.get(figure.id, []), result)
        else:
            used |= {id(e) for e in _entries(disclosure, where)}
            _check_figure(package, disclosure, figure, where, by_figure, result)
    for entry in disclosure.get("figures", []):
        known = (disclosure["id"], entry.get("measure")) in NOT_FIGURES
        if id(entry) not in used and not known and entry.get("status") != "not_retrieved":
            result.wrong(prefix + "*", f"research entry {entry.get('measure')} is not published")
    _check_cases(package, disclosure, result)


def _check_figure(
    package: Package,
    disclosure: dict[str, Any],
    figure: Figure,
    where: Entry,
    by_figure: dict[str, list[FigureReport]],
    result: Result,
) -> None:
    found = _entries(disclosure, where)
    if not found:
        result.wrong(figure.id, f"no research entry {where}")
        return
    if not any(figure.id.startswith(p) for p in NAMED_FROM_LIST):
        _check_value(figure, found, result)
    elif figure.value is not None or figure.min is not None or figure.max is not None:
        result.wrong(figure.id, "a category named in a list is given a count")
    credited: dict[str, set[int]] = {}
    own = True
    for entry in found:
        sources, listed = _source_ids(package, disclosure, entry)
        own = own and listed
        for source in sources:
            printed = credited.setdefault(source, set())
            if entry.get("value") is not None and not entry.get("derived"):
                printed.add(entry["value"])
    _check_reports(figure, by_figure.get(figure.id, []), credited, by_figure, result, own)


def _staff_type(case: dict[str, Any]) -> str:
    if case.get("staff_type"):
        return str(case["staff_type"])
    role = str(case.get("rank_or_role", ""))
    return next((t for w, t in STAFF_WORDS.items() if role.startswith(w)), "police_officer")


def _check_cases(package: Package, disclosure: dict[str, Any], result: Result) -> None:
    """Each case's year, staff type, platform and outcome against the research's case, in
    the order both list them."""
    ours = list(package.case_rows)
    theirs = disclosure.get("cases", [])
    if len(ours) != len(theirs):
        result.wrong(package.disclosure.id, f"{len(ours)} cases; research {len(theirs)}")
        return
    for case, entry in zip(ours, theirs, strict=True):
        result.cases += 1
        year = entry.get("year")
        platform = str(entry.get("platform", ""))
        outcome = str(entry.get("outcome", ""))
        expected = {
            "year": year,
            "staff_type": _staff_type(entry),
            "platform": None if platform == "not_retrieved" else platform.split(" ")[0],
        }
        stated = {k: case[k] for k in expected}
        if stated != expected:
            result.wrong(case["id"], f"{stated}; research {expected}")
        code = case["outcome"]
        if (code is None) != (outcome == "not_retrieved") or (
            code is not None and code.replace("_", " ") not in outcome
        ):
            result.wrong(case["id"], f"outcome {code}; research {outcome!r}")


def _check_text(
    package: Package,
    disclosure: dict[str, Any],
    figure: Figure,
    where: Entry,
    reports: list[FigureReport],
    result: Result,
) -> None:
    """A figure read from a research disclosure's prose (a number in its reconciliation) or
    from a list of named categories (no number)."""
    text = disclosure.get(where.text)
    if isinstance(text, list):
        if where.measure not in text:
            result.wrong(figure.id, f"{where.measure!r} is not in the research's {where.text}")
        elif figure.value is not None or figure.min is not None or figure.max is not None:
            result.wrong(figure.id, "a category named without a count is given one")
        printed: set[int] = set()
    else:
        printed = _numbers(str(text))
        if figure.value not in printed or figure.derived:
            result.wrong(figure.id, f"{figure.value} is not printed in the research's {where.text}")
    sources, _ = _source_ids(package, disclosure, {})
    # Prose names no source per number: every report's source is among the disclosure's.
    credited = dict.fromkeys(sources, printed)
    _check_reports(figure, reports, credited, {figure.id: reports}, result, own=False)


def fact_check(research_file: Path = RESEARCH_FILE, seed: Path = SEED_DIR) -> Result:
    research: dict[str, Any] = yaml.safe_load(research_file.read_text(encoding="utf-8"))
    result = Result()
    for name in PACKAGES:
        check_package(name, research, result, seed)
    return result


def main(argv: list[str]) -> int:
    result = fact_check(Path(argv[0]) if argv else RESEARCH_FILE)
    kinds = ", ".join(f"{n} {k}" for k, n in sorted(result.reports.items()))
    print(
        f"{result.figures} figures, {sum(result.reports.values())} reports ({kinds}) and "
        f"{result.cases} cases of {len(PACKAGES)} packages checked against the research file"
    )
    for line in result.discrepancies:
        print(line)
    return 1 if result.discrepancies else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
