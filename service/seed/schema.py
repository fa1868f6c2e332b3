"""The Table Schemas a seed package's CSV files must follow, and the descriptor's keys.

TABLES is the one statement of every column: the reader validates cells against it and
`met-foi seed --write-schemas` copies it into each package's datapackage.json.
"""

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from service.forces import IDS
from service.taxonomy import CODES, DIMENSIONS, FILTER_DESCRIPTIONS

IN_FOI_ANSWER = ("yes", "probable", "uncertain", "no")
SOURCE_KINDS = ("news", "reproduction", "blog", "disclosure_log", "background")
NOTE_KINDS = ("conflict", "statement", "caveat")
CHECK_ROLES = ("total", "part")
#: What a source printed about a figure; see service/reading.py REPORT_KINDS.
REPORT_KINDS = ("number", "range", "words", "parts", "named_without_count")


def _field(
    name: str,
    type_: str = "string",
    description: str = "",
    *,
    required: bool = False,
    enum: Sequence[str] | None = None,
    minimum: int | None = None,
) -> dict[str, Any]:
    spec: dict[str, Any] = {"name": name, "type": type_, "description": description}
    constraints: dict[str, Any] = {}
    if required:
        constraints["required"] = True
    if enum is not None:
        constraints["enum"] = list(enum)
    if minimum is not None:
        constraints["minimum"] = minimum
    if constraints:
        spec["constraints"] = constraints
    return spec


#: What a coded dimension's empty cell means, where that is not "any".
EMPTY_MEANS = {"staff_type": "all staff types", "rank": "all ranks"}


def _dimension_fields() -> list[dict[str, Any]]:
    """A column per dimension (taxonomy.DIMENSIONS): its codes, or the year."""
    return [
        _field(
            name,
            description=f"{FILTER_DESCRIPTIONS[name].removesuffix('.')}; empty means "
            f"{EMPTY_MEANS.get(name, 'any')}.",
            enum=CODES[name],
        )
        if name in CODES
        else _field(
            name,
            "integer",
            "Calendar year the count refers to; empty means the whole period.",
            minimum=1990,
        )
        for name in DIMENSIONS
    ]


def _reading_fields(whose: str) -> list[dict[str, Any]]:
    """value, min, max and qualifier, described for `whose` reading ("the published", "this
    source's")."""
    return [
        _field(
            "value",
            "integer",
            f"Exact count, {whose} reading; empty when only a range or words.",
            minimum=0,
        ),
        _field("min", "integer", f"Lowest count {whose} reading allows.", minimum=0),
        _field(
            "max",
            "integer",
            f"Highest count {whose} reading allows; empty means no ceiling.",
            minimum=0,
        ),
        _field(
            "qualifier", description=f"The words of {whose} reading, when vague or not a number."
        ),
    ]


TABLES: dict[str, dict[str, Any]] = {
    "figures": {
        "fields": [
            _field("id", description="Stable figure id: <disclosure>.<slug>.", required=True),
            _field(
                "measure",
                description="What is counted, shared by figures that can be grouped together.",
                required=True,
            ),
            _field("label", description="Plain-English label.", required=True),
            *_dimension_fields(),
            _field(
                "period",
                description="Period the count covers, when narrower or clearer "
                "than the disclosure's.",
            ),
            *_reading_fields("the published"),
            _field(
                "unit",
                description="What one unit is: officers, staff, people or cases.",
                required=True,
            ),
            _field(
                "derived",
                "boolean",
                "true when the number is our arithmetic, printed by no source.",
                required=True,
            ),
            _field("note", description="Context, in our own words."),
        ],
        "primaryKey": ["id"],
    },
    "figure_reports": {
        "fields": [
            _field("figure", description="Figure id.", required=True),
            _field("source", description="Source id from datapackage.json sources.", required=True),
            _field(
                "kind",
                description="What the source printed: number (value), range (min and/or max), "
                "words (qualifier only), parts (only the part figures listed in parts, not "
                "this number) or named_without_count (named the category, gave no count).",
                required=True,
                enum=REPORT_KINDS,
            ),
            *_reading_fields("this source's"),
            _field(
                "parts",
                description="For kind parts: the ids of the part figures the source printed, "
                "separated by semicolons.",
            ),
            _field("note", description="How this source put it, in our own words."),
        ],
        "primaryKey": ["figure", "source"],
        "foreignKeys": [
            {"fields": ["figure"], "reference": {"resource": "figures", "fields": ["id"]}}
        ],
    },
    "cases": {
        "fields": [
            _field("id", description="Stable case id: <disclosure>.<slug>.", required=True),
            _field("staff_type", description="Staff type code.", enum=CODES["staff_type"]),
            _field("rank", description="Rank code, for officers and PCSOs.", enum=CODES["rank"]),
            _field("year", "integer", "Year of the outcome.", minimum=1990),
            _field("platform", description="Platform code.", enum=CODES["platform"]),
            _field(
                "allegation",
                description="Allegation category code (our classification).",
                enum=CODES["allegation"],
            ),
            _field("outcome", description="Outcome code.", enum=CODES["outcome"]),
            _field(
                "summary",
                description="Neutral summary in our own words; no names, ages or home areas.",
                required=True,
            ),
            _field(
                "in_foi_answer",
                description="Whether the case is known to be counted in the disclosure.",
                required=True,
                enum=IN_FOI_ANSWER,
            ),
            _field(
                "sources",
                description="Source ids separated by semicolons; empty when every report of "
                "the case names, ages or locates the person (the case then cites its "
                "disclosure).",
            ),
            _field("note", description="Context, in our own words."),
        ],
        "primaryKey": ["id"],
    },
    "checks": {
        "fields": [
            _field("id", description="Stable check id: <disclosure>.<slug>.", required=True),
            _field("title", description="What the check compares.", required=True),
            _field("note", description="Context, in our own words."),
        ],
        "primaryKey": ["id"],
    },
    "check_terms": {
        "fields": [
            _field("check", description="Check id.", required=True),
            _field(
                "role",
                description="total (one per check) or part.",
                required=True,
                enum=CHECK_ROLES,
            ),
            _field("figure", description="Figure id.", required=True),
            _field(
                "source",
                description="Use this source's report instead of the figure's published reading.",
            ),
        ],
        "foreignKeys": [
            {"fields": ["check"], "reference": {"resource": "checks", "fields": ["id"]}},
            {"fields": ["figure"], "reference": {"resource": "figures", "fields": ["id"]}},
        ],
    },
    "notes": {
        "fields": [
            _field("id", description="Stable note id: <disclosure>.<slug>.", required=True),
            _field(
                "kind", description="conflict, statement or caveat.", required=True, enum=NOTE_KINDS
            ),
            _field("topic", description="What the note is about.", required=True),
            _field("text", description="The note, in our own words.", required=True),
            _field("sources", description="Source ids separated by semicolons."),
        ],
        "primaryKey": ["id"],
    },
}

#: A survey's figures table: the figures table with a `force` column after `label`. A
#: package about one force has no such column: its figures are all about that force.
SURVEY_FIGURES: dict[str, Any] = {
    **TABLES["figures"],
    "fields": [
        *TABLES["figures"]["fields"][:3],
        _field(
            "force",
            description="Force id (see /v1/forces) for a figure about one force; empty for a "
            "figure about every force the survey asked.",
            enum=IDS,
        ),
        *TABLES["figures"]["fields"][3:],
    ],
}


def tables_for(survey: bool) -> dict[str, dict[str, Any]]:
    """The table schemas of a package: a survey's figures have a `force` column."""
    return {**TABLES, "figures": SURVEY_FIGURES} if survey else TABLES


def is_survey(descriptor: dict[str, Any]) -> bool:
    """Whether a package is a survey of several forces: its disclosure names `forces`."""
    disclosure = descriptor.get("disclosure")
    return isinstance(disclosure, dict) and "forces" in disclosure


DISCLOSURE_KEYS_REQUIRED = (
    "force",
    "requester",
    "period_description",
    "request_subject",
    "counts",
    "comparability",
)
DISCLOSURE_KEYS_OPTIONAL = (
    "requester_note",
    "foi_reference",
    "answer_date",
    "first_coverage",
    "date_precision",
    "period_start",
    "period_end",
    # A survey's forces: a region of service/forces.py (england_and_wales) or a list of ids.
    "forces",
)
SOURCE_KEYS = ("id", "title", "path", "publisher", "date", "kind")
#: An optional source key: true when the page names, ages or locates an officer or member
#: of staff over their conduct. No case may link to such a source.
NAMES_PEOPLE = "names_people"
#: The descriptor's top-level keys. Any other is refused rather than ignored, so that no
#: property the Data Package standard gives a meaning (and checks) passes unread.
#: `changes` is the package's list of corrections ({"date", "note"}).
PACKAGE_KEYS = (
    "profile",
    "name",
    "title",
    "version",
    "last_updated",
    "licenses",
    "disclosure",
    "aggregates",
    "sources",
    "resources",
    "changes",
)
PACKAGE_PROFILE = "data-package"
#: A disclosure id, the package's name: lower case, as the standard's names are, and
#: without the '/' the standard allows, as it is one segment of a URL path.
NAME_PATTERN = r"[a-z0-9][a-z0-9._-]*"
#: How every resource is read: a UTF-8 CSV file with a header row, commas and double
#: quotes (the standard's default dialect). A resource may say so, and say nothing else
#: about reading it: a dialect, a hash or a size would be checked by the standard, not us.
RESOURCE_READING = {
    "profile": "tabular-data-resource",
    "format": "csv",
    "mediatype": "text/csv",
    "encoding": "utf-8",
}
RESOURCE_KEYS = ("name", "path", *RESOURCE_READING, "schema")
#: A resource's path: a file in the package folder, never outside it.
FILE_NAME_PATTERN = r"[A-Za-z0-9_][A-Za-z0-9_.-]*"
#: The schemes a source's or the licence's `path` may use when it is a URL; anything else
#: (javascript:, data:...) would be printed as a link on every page that cites it.
URL_SCHEMES = ("http", "https")

# Limits: what a package may hold at most, so that a hostile or mistaken package is refused
# before it fills memory or makes every page that lists a table slow (200,000 notes made a
# disclosure's page take 12 s to build). Cases are paged, so they may number millions.
#: Rows per table, the header not counted.
ROW_LIMITS = {
    "figures": 20_000,
    "figure_reports": 100_000,
    "cases": 2_000_000,
    "checks": 2_000,
    "check_terms": 20_000,
    "notes": 2_000,
}
#: Bytes per file: datapackage.json, cases.csv, and every other table.
DESCRIPTOR_BYTES = 1 << 20
CASES_BYTES = 1 << 30
TABLE_BYTES = 64 << 20
#: How deep datapackage.json may nest arrays and objects (the seed packages nest 8 deep).
JSON_DEPTH_LIMIT = 32
#: The characters a spreadsheet reads as the start of a formula (OWASP's list; a leading
#: tab or carriage return is refused as white space before this rule applies).
FORMULA_START = frozenset("=+-@")


def write_schemas(roots: Sequence[Path]) -> list[Path]:
    """Rewrite each package's resource schemas from TABLES; return the files changed."""
    changed: list[Path] = []
    for root in roots:
        path = root / "datapackage.json"
        descriptor = json.loads(path.read_text(encoding="utf-8"))
        tables = tables_for(is_survey(descriptor))
        for resource in descriptor.get("resources", []):
            if resource.get("name") in tables:
                resource["schema"] = tables[resource["name"]]
        text = json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n"
        if text != path.read_text(encoding="utf-8"):
            path.write_text(text, encoding="utf-8")
            changed.append(path)
    return changed
