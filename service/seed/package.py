"""Validate Frictionless data packages under seed/ and load them, idempotently.

Every package is checked in full before anything is written; a package with any error
loads nothing, and the messages name the file, the row and the column. Loading writes
all packages in one transaction and skips a package whose revision (a hash of its files)
is already in the database.
"""

import contextlib
import csv
import gc
import hashlib
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Integer, Table, delete, insert, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, col, select

from service.models import (
    Case,
    Check,
    CheckTerm,
    Disclosure,
    Figure,
    FigureReport,
    Note,
    Source,
)
from service.reading import Interval, words
from service.taxonomy import CODES, DIMENSIONS

# ---------------------------------------------------------------- table schemas

IN_FOI_ANSWER = ("yes", "probable", "uncertain", "no")
SOURCE_KINDS = ("news", "reproduction", "blog", "disclosure_log", "background")
NOTE_KINDS = ("conflict", "statement", "caveat")
CHECK_ROLES = ("total", "part")


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


def _dimension_fields() -> list[dict[str, Any]]:
    return [
        _field(
            "staff_type",
            description="Staff type code; empty means all staff types.",
            enum=CODES["staff_type"],
        ),
        _field(
            "outcome",
            description="Outcome code (see /v1/outcomes); empty means any.",
            enum=CODES["outcome"],
        ),
        _field(
            "platform",
            description="Platform code (see /v1/platforms); empty means any.",
            enum=CODES["platform"],
        ),
        _field(
            "allegation",
            description="Allegation category code; empty means any.",
            enum=CODES["allegation"],
        ),
        _field(
            "year",
            "integer",
            "Calendar year the count refers to; empty means the whole period.",
            minimum=1990,
        ),
        _field("rank", description="Rank code; empty means all ranks.", enum=CODES["rank"]),
    ]


def _reading_fields(what: str) -> list[dict[str, Any]]:
    return [
        _field(
            "value", "integer", f"Exact count {what}; empty when only a range or words.", minimum=0
        ),
        _field("min", "integer", f"Lowest count consistent with {what}.", minimum=0),
        _field(
            "max",
            "integer",
            f"Highest count consistent with {what}; empty means no ceiling.",
            minimum=0,
        ),
        _field("qualifier", description=f"Wording, when {what} is vague or not a number."),
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
            *_reading_fields("as published here"),
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
            *_reading_fields("this source gave"),
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
            _field("sources", description="Source ids separated by semicolons.", required=True),
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
)
SOURCE_KEYS = ("id", "title", "path", "publisher", "date", "kind")


# ---------------------------------------------------------------- validation


class PackageInvalid(Exception):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class Package:
    path: Path
    disclosure: Disclosure
    sources: list[Source] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    reports: list[FigureReport] = field(default_factory=list)
    # Cases can number millions, so they stay plain column dicts (no per-row ORM object).
    case_rows: list[dict[str, Any]] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    terms: list[CheckTerm] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)

    @property
    def cases(self) -> list[Case]:
        return [Case(**row) for row in self.case_rows]

    def counts(self) -> dict[str, int]:
        return {
            "figures": len(self.figures),
            "reports": len(self.reports),
            "cases": len(self.case_rows),
            "checks": len(self.checks),
            "notes": len(self.notes),
            "sources": len(self.sources),
        }


Row = dict[str, Any]
INVALID = "__invalid__"


class _Reader:
    """Collects every error in a package instead of stopping at the first."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.errors: list[str] = []

    def error(self, where: str, message: str) -> None:
        self.errors.append(f"{where}: {message}")

    def read_table(self, name: str, relpath: str) -> list[tuple[int, Row]]:
        spec = TABLES[name]
        where = f"{self.root.name}/{relpath}"
        path = self.root / relpath
        if not path.is_file():
            self.error(where, "file not found")
            return []
        text = path.read_text(encoding="utf-8-sig")
        reader = csv.reader(io.StringIO(text, newline=""))
        header: list[str] = next(reader, [])
        expected = [f["name"] for f in spec["fields"]]
        missing = [c for c in expected if c not in header]
        extra = [c for c in header if c not in expected]
        for column in missing:
            self.error(where, f"missing column '{column}'; expected columns: {', '.join(expected)}")
        for column in extra:
            self.error(where, f"unknown column '{column}'; expected columns: {', '.join(expected)}")
        if missing or extra:
            return []
        rows: list[tuple[int, Row]] = []
        seen: dict[tuple[Any, ...], int] = {}
        # Per column: where it is in the file, and what a valid cell looks like, so that
        # valid cells skip _cell; anything else goes through _cell and its messages.
        columns = [
            (
                f["name"],
                len(header) - 1 - header[::-1].index(f["name"]),  # the last of a repeated name
                f,
                f["type"],
                bool(f.get("constraints", {}).get("required")),
                frozenset(f["constraints"]["enum"]) if "enum" in f.get("constraints", {}) else None,
                f.get("constraints", {}).get("minimum"),
            )
            for f in spec["fields"]
        ]
        key_names = spec.get("primaryKey", [])
        line = 1
        for values in reader:
            if not values:
                continue  # blank lines are skipped and not counted, as csv.DictReader does
            line += 1
            errors_before = len(self.errors)
            row: Row = {}
            for name, index, field_spec, kind, required, enum, minimum in columns:
                raw = values[index] if index < len(values) else None
                text = raw.strip() if raw else ""
                if not text:
                    if not required:
                        row[name] = None
                        continue
                elif kind == "string" and (enum is None or text in enum):
                    row[name] = text
                    continue
                elif kind == "integer" and enum is None and text.isascii() and text.isdigit():
                    number = int(text)
                    if minimum is None or number >= minimum:
                        row[name] = number
                        continue
                row[name] = self._cell(where, line, field_spec, raw)
            # A row with a bad cell is reported once; later cross-checks skip it.
            row[INVALID] = len(self.errors) > errors_before
            key = tuple(row[k] for k in key_names)
            if key and key in seen:
                self.error(
                    f"{where} row {line}",
                    f"duplicate {'/'.join(spec['primaryKey'])} {'/'.join(map(str, key))!r}; "
                    f"first used on row {seen[key]}",
                )
            elif key:
                seen[key] = line
            rows.append((line, row))
        return rows

    def _cell(self, where: str, line: int, spec: dict[str, Any], raw: str | None) -> Any:
        def at() -> str:  # built only for an error: this runs for every cell
            return f"{where} row {line}, column '{spec['name']}'"

        text = (raw or "").strip()
        constraints = spec.get("constraints", {})
        if not text:
            if constraints.get("required"):
                self.error(at(), "is empty; a value is required")
            return None
        value: Any = text
        if spec["type"] == "integer":
            try:
                value = int(text)
            except ValueError:
                self.error(at(), f"{text!r} is not a whole number")
                return None
        elif spec["type"] == "boolean":
            if text not in ("true", "false"):
                self.error(at(), f"{text!r} is not a boolean; expected true or false")
                return None
            value = text == "true"
        if "enum" in constraints and value not in constraints["enum"]:
            self.error(
                at(), f"unknown value {text!r}; expected one of: {', '.join(constraints['enum'])}"
            )
            return None
        if "minimum" in constraints and value < constraints["minimum"]:
            self.error(at(), f"{value} is below the minimum of {constraints['minimum']}")
            return None
        return value


def _interval(row: Row) -> Interval | None:
    """The numeric reading of a row, or None when it gives words only."""
    return Interval.stated(row.get("value"), row.get("min"), row.get("max"))


def _check_reading(reader: _Reader, at: str, row: Row, *, figure: bool) -> None:
    if row["value"] is not None and (row["min"] is not None or row["max"] is not None):
        reader.error(at, "give either value or min/max, not both")
    if row["min"] is not None and row["max"] is not None and row["min"] > row["max"]:
        reader.error(at, f"min {row['min']} is greater than max {row['max']}")
    if figure and _interval(row) is None and not row["qualifier"]:
        reader.error(at, "no value, min, max or qualifier; a figure must say something")


def _split_ids(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").split(";") if part.strip()]


def read_package(root: Path) -> Package:
    """Read and validate one package; raise PackageInvalid listing every problem."""
    reader = _Reader(root)
    descriptor_path = root / "datapackage.json"
    try:
        descriptor = json.loads(descriptor_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PackageInvalid([f"{root.name}/datapackage.json: file not found"]) from None
    except json.JSONDecodeError as exc:
        raise PackageInvalid([f"{root.name}/datapackage.json: not valid JSON ({exc})"]) from None

    where = f"{root.name}/datapackage.json"
    disclosure_id = descriptor.get("name")
    if not isinstance(disclosure_id, str) or not disclosure_id:
        raise PackageInvalid([f"{where}: 'name' (the disclosure id) is required"])
    disclosure = _read_disclosure(reader, where, descriptor)
    sources = _read_sources(reader, where, descriptor, disclosure_id)
    source_ids = {s.id for s in sources}

    paths: dict[str, str] = {}
    for resource in descriptor.get("resources", []):
        name = resource.get("name")
        if name not in TABLES:
            reader.error(where, f"unknown resource {name!r}; expected: {', '.join(TABLES)}")
            continue
        paths[name] = resource.get("path", "")
        if resource.get("schema") != TABLES[name]:
            reader.error(
                where,
                f"resource '{name}' declares a schema that differs from the service's; "
                "run `met-foi seed --write-schemas`",
            )
    for name in TABLES:
        if name not in paths:
            reader.error(where, f"resource '{name}' is missing")
    if reader.errors:
        raise PackageInvalid(reader.errors)

    tables = {name: reader.read_table(name, paths[name]) for name in TABLES}
    package = Package(path=root, disclosure=disclosure, sources=sources)
    _build_figures(reader, package, tables, source_ids)
    _build_cases(reader, package, tables["cases"], paths["cases"], source_ids)
    _build_checks(reader, package, tables, paths)
    _build_notes(reader, package, tables["notes"], paths["notes"], source_ids)
    _check_aggregate_defaults(reader, where, package)
    if reader.errors:
        raise PackageInvalid(reader.errors)
    disclosure.revision = package_revision(root, paths.values())
    return package


def _read_disclosure(reader: _Reader, where: str, descriptor: dict[str, Any]) -> Disclosure:
    info = descriptor.get("disclosure")
    if not isinstance(info, dict):
        reader.error(where, "'disclosure' object is required")
        info = {}
    for key in DISCLOSURE_KEYS_REQUIRED:
        if not info.get(key):
            reader.error(where, f"disclosure.{key} is required")
    unknown = set(info) - set(DISCLOSURE_KEYS_REQUIRED) - set(DISCLOSURE_KEYS_OPTIONAL)
    for key in sorted(unknown):
        reader.error(where, f"unknown key disclosure.{key}")
    licences = descriptor.get("licenses") or [{}]
    licence = licences[0]
    for key in ("name", "title", "path"):
        if not licence.get(key):
            reader.error(where, f"licenses[0].{key} is required")
    for key in ("version", "title", "last_updated"):
        if not descriptor.get(key):
            reader.error(where, f"'{key}' is required")
    comparability = info.get("comparability") or []
    if not isinstance(comparability, list) or not all(isinstance(c, str) for c in comparability):
        reader.error(where, "disclosure.comparability must be a list of sentences")
        comparability = []
    defaults = descriptor.get("aggregates") or []
    if not isinstance(defaults, list):
        reader.error(where, "'aggregates' must be a list")
        defaults = []
    return Disclosure(
        id=descriptor["name"],
        title=descriptor.get("title", ""),
        force=info.get("force", ""),
        requester=info.get("requester", ""),
        requester_note=info.get("requester_note"),
        foi_reference=info.get("foi_reference"),
        answer_date=info.get("answer_date"),
        first_coverage=info.get("first_coverage"),
        date_precision=info.get("date_precision"),
        period_start=info.get("period_start"),
        period_end=info.get("period_end"),
        period_description=info.get("period_description", ""),
        request_subject=info.get("request_subject", ""),
        counts=info.get("counts", ""),
        comparability=comparability,
        aggregate_defaults=defaults,
        licence_id=licence.get("name", ""),
        licence_title=licence.get("title", ""),
        licence_url=licence.get("path", ""),
        version=str(descriptor.get("version", "")),
        revision="",
        last_updated=str(descriptor.get("last_updated", "")),
    )


def _read_sources(
    reader: _Reader, where: str, descriptor: dict[str, Any], disclosure_id: str
) -> list[Source]:
    sources: list[Source] = []
    seen: set[str] = set()
    for index, item in enumerate(descriptor.get("sources") or []):
        at = f"{where} sources[{index}]"
        missing = [key for key in SOURCE_KEYS if not item.get(key)]
        if missing:
            reader.error(at, f"missing {', '.join(missing)}")
            continue
        if item["kind"] not in SOURCE_KINDS:
            reader.error(
                at, f"unknown kind {item['kind']!r}; expected one of: {', '.join(SOURCE_KINDS)}"
            )
        if item["id"] in seen:
            reader.error(at, f"duplicate source id {item['id']!r}")
        seen.add(item["id"])
        sources.append(
            Source(
                id=item["id"],
                disclosure_id=disclosure_id,
                publisher=item["publisher"],
                title=item["title"],
                url=item["path"],
                date=str(item["date"]),
                kind=item["kind"],
                note=item.get("note"),
                position=index,
            )
        )
    if not sources:
        reader.error(where, "at least one source is required")
    return sources


def _prefixed(reader: _Reader, at: str, value: str, disclosure_id: str) -> None:
    if not value.startswith(disclosure_id + "."):
        reader.error(at, f"id {value!r} must start with '{disclosure_id}.'")


def _build_figures(
    reader: _Reader,
    package: Package,
    tables: dict[str, list[tuple[int, Row]]],
    source_ids: set[str],
) -> None:
    disclosure_id = package.disclosure.id
    where = f"{package.path.name}/figures.csv"
    figures: dict[str, tuple[Row, Figure]] = {}
    for position, (line, row) in enumerate(tables["figures"]):
        at = f"{where} row {line}"
        if row["id"] is None:
            continue
        _prefixed(reader, f"{at}, column 'id'", row["id"], disclosure_id)
        if not row[INVALID]:
            _check_reading(reader, at, row, figure=True)
        figure = Figure(
            disclosure_id=disclosure_id,
            position=position,
            **{k: v for k, v in row.items() if k in Figure.model_fields},
        )
        figures[row["id"]] = (row, figure)
        package.figures.append(figure)

    where = f"{package.path.name}/figure_reports.csv"
    for position, (line, row) in enumerate(tables["figure_reports"]):
        at = f"{where} row {line}"
        if row["source"] is not None and row["source"] not in source_ids:
            reader.error(
                f"{at}, column 'source'",
                f"unknown source {row['source']!r}; "
                f"expected one of: {', '.join(sorted(source_ids))}",
            )
        if row["figure"] not in figures:
            if row["figure"] is not None:
                reader.error(f"{at}, column 'figure'", f"unknown figure {row['figure']!r}")
            continue
        figure_row, _ = figures[row["figure"]]
        if not row[INVALID]:
            _check_reading(reader, at, row, figure=False)
        reading, published = _interval(row), _interval(figure_row)
        excluded = reading is not None and (published is None or not reading.overlaps(published))
        if excluded and not figure_row[INVALID] and not row[INVALID]:
            reader.error(
                at,
                f"{row['source']} reports {_describe(row)}, which the "
                f"figure's published reading ({_describe(figure_row)}) excludes",
            )
        package.reports.append(
            FigureReport(
                figure_id=row["figure"],
                source_id=row["source"],
                value=row["value"],
                min=row["min"],
                max=row["max"],
                qualifier=row["qualifier"],
                note=row["note"],
                position=position,
            )
        )
    by_figure: dict[str, list[FigureReport]] = {}
    for report in package.reports:
        by_figure.setdefault(report.figure_id, []).append(report)
    for figure_id, (row, _) in figures.items():
        if row[INVALID]:
            continue
        reports = by_figure.get(figure_id, [])
        readings = {(r.value, r.min, r.max) for r in reports if _interval(r.model_dump())}
        if row["derived"] and readings:
            reader.error(
                f"{where}",
                f"figure {figure_id!r} is derived but a source reports a "
                "number for it; derived means no source printed it",
            )
        if not row["derived"] and not reports:
            reader.error(
                f"{package.path.name}/figures.csv",
                f"figure {figure_id!r} has no source report; add one in "
                "figure_reports.csv or mark it derived",
            )
        if row["value"] is not None and len(readings) > 1:
            reader.error(
                f"{package.path.name}/figures.csv",
                f"figure {figure_id!r}: sources disagree, so give min/max, not a value",
            )


def _describe(row: Row) -> str:
    return words(row.get("value"), row.get("min"), row.get("max"), row.get("qualifier"))


def _build_cases(
    reader: _Reader,
    package: Package,
    rows: list[tuple[int, Row]],
    relpath: str,
    source_ids: set[str],
) -> None:
    where = f"{package.path.name}/{relpath}"
    disclosure_id = package.disclosure.id
    prefix = disclosure_id + "."
    for position, (line, row) in enumerate(rows):
        if row["id"] is None:
            continue
        if not row["id"].startswith(prefix):
            _prefixed(reader, f"{where} row {line}, column 'id'", row["id"], disclosure_id)
        ids = _split_ids(row["sources"])
        if not source_ids.issuperset(ids):
            _known_sources(reader, f"{where} row {line}, column 'sources'", ids, source_ids)
        # Every cases.csv column is a Case column; the row becomes the insert's parameters.
        row["sources"] = ids
        row["disclosure_id"] = disclosure_id
        row["position"] = position
        del row[INVALID]
        package.case_rows.append(row)


def _known_sources(reader: _Reader, at: str, ids: Iterable[str], known: set[str]) -> None:
    for source_id in ids:
        if source_id not in known:
            reader.error(
                at, f"unknown source {source_id!r}; expected one of: {', '.join(sorted(known))}"
            )


def _build_checks(
    reader: _Reader,
    package: Package,
    tables: dict[str, list[tuple[int, Row]]],
    paths: dict[str, str],
) -> None:
    name = package.path.name
    figure_ids = {f.id for f in package.figures}
    reported = {(r.figure_id, r.source_id) for r in package.reports}
    check_ids: set[str] = set()
    for position, (line, row) in enumerate(tables["checks"]):
        if row["id"] is None:
            continue
        _prefixed(
            reader,
            f"{name}/{paths['checks']} row {line}, column 'id'",
            row["id"],
            package.disclosure.id,
        )
        check_ids.add(row["id"])
        package.checks.append(
            Check(
                disclosure_id=package.disclosure.id,
                position=position,
                id=row["id"],
                title=row["title"],
                note=row["note"],
            )
        )
    where = f"{name}/{paths['check_terms']}"
    totals: dict[str, int] = {}
    parts: dict[str, int] = {}
    for position, (line, row) in enumerate(tables["check_terms"]):
        at = f"{where} row {line}"
        if row["check"] not in check_ids:
            reader.error(f"{at}, column 'check'", f"unknown check {row['check']!r}")
            continue
        if row["figure"] not in figure_ids:
            reader.error(f"{at}, column 'figure'", f"unknown figure {row['figure']!r}")
            continue
        if row["source"] is not None and (row["figure"], row["source"]) not in reported:
            reader.error(
                f"{at}, column 'source'",
                f"{row['source']!r} has no report on figure {row['figure']!r}",
            )
            continue
        counter = totals if row["role"] == "total" else parts
        counter[row["check"]] = counter.get(row["check"], 0) + 1
        package.terms.append(
            CheckTerm(
                check_id=row["check"],
                role=row["role"],
                figure_id=row["figure"],
                source_id=row["source"],
                position=position,
            )
        )
    for check_id in sorted(check_ids):
        if totals.get(check_id) != 1:
            reader.error(where, f"check {check_id!r} needs exactly one total term")
        if not parts.get(check_id):
            reader.error(where, f"check {check_id!r} needs at least one part term")


def _build_notes(
    reader: _Reader,
    package: Package,
    rows: list[tuple[int, Row]],
    relpath: str,
    source_ids: set[str],
) -> None:
    where = f"{package.path.name}/{relpath}"
    for position, (line, row) in enumerate(rows):
        if row["id"] is None:
            continue
        at = f"{where} row {line}"
        _prefixed(reader, f"{at}, column 'id'", row["id"], package.disclosure.id)
        ids = _split_ids(row["sources"])
        _known_sources(reader, f"{at}, column 'sources'", ids, source_ids)
        package.notes.append(
            Note(
                disclosure_id=package.disclosure.id,
                position=position,
                id=row["id"],
                kind=row["kind"],
                topic=row["topic"],
                text=row["text"],
                sources=ids,
            )
        )


def _check_aggregate_defaults(reader: _Reader, where: str, package: Package) -> None:
    measures = {f.measure for f in package.figures}
    seen: set[str] = set()
    for index, item in enumerate(package.disclosure.aggregate_defaults):
        at = f"{where} aggregates[{index}]"
        by = item.get("by")
        dims = by.split(",") if isinstance(by, str) else []
        if not dims or any(d not in DIMENSIONS for d in dims) or len(dims) > 2:
            reader.error(at, f"'by' must be one or two of: {', '.join(DIMENSIONS)}")
            continue
        if by in seen:
            reader.error(at, f"grouping {by!r} declared twice")
        seen.add(str(by))
        for key in ("measure", "total_measure"):
            if key in item and item[key] not in measures:
                reader.error(at, f"{key} {item[key]!r} is not a measure of this package")
        if "measure" not in item:
            reader.error(at, "'measure' is required")
        filters = item.get("filters", {})
        for dim, value in filters.items():
            if dim not in DIMENSIONS or dim in dims:
                reader.error(at, f"filter {dim!r} is not an ungrouped dimension")
            elif dim in CODES and value not in CODES[dim]:
                reader.error(at, f"filter {dim}={value!r} is not a known code")
        unknown = set(item) - {"by", "measure", "total_measure", "filters"}
        if unknown:
            reader.error(at, f"unknown keys: {', '.join(sorted(unknown))}")


def package_revision(root: Path, relpaths: Iterable[str]) -> str:
    digest = hashlib.sha256()
    for relpath in ["datapackage.json", *sorted(relpaths)]:
        digest.update(relpath.encode())
        digest.update(b"\0")
        digest.update((root / relpath).read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def find_packages(seed_dir: Path) -> list[Path]:
    return sorted(p.parent for p in seed_dir.glob("*/datapackage.json"))


# ---------------------------------------------------------------- loading


@dataclass(frozen=True)
class LoadResult:
    disclosure_id: str
    revision: str
    changed: bool
    counts: dict[str, int]

    def summary(self) -> str:
        counts = ", ".join(f"{n} {k}" for k, n in self.counts.items())
        state = "loaded" if self.changed else "unchanged"
        return f"{self.disclosure_id}: {state}; {counts}; revision {self.revision}"


def load_packages(engine: Engine, roots: Sequence[Path]) -> list[LoadResult]:
    """Validate every package, then write the changed ones in one transaction."""
    with _gc_paused():
        return _load_packages(engine, roots)


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Reading a large package allocates millions of dicts and tuples, none of them in a
    reference cycle; the cycle collector's passes over them cost about a third of the
    load time of a million cases."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _load_packages(engine: Engine, roots: Sequence[Path]) -> list[LoadResult]:
    packages: list[Package] = []
    errors: list[str] = []
    for root in roots:
        try:
            packages.append(read_package(root))
        except PackageInvalid as exc:
            errors.extend(exc.errors)
    ids = [p.disclosure.id for p in packages]
    for dup in sorted({i for i in ids if ids.count(i) > 1}):
        errors.append(f"disclosure id {dup!r} is used by more than one package")
    if errors:
        raise PackageInvalid(errors)

    results: list[LoadResult] = []
    with Session(engine) as session, session.begin():
        stored = {d.id: d.revision for d in session.exec(select(Disclosure)).all()}
        _check_source_ids_free(session, packages, errors)
        if errors:
            raise PackageInvalid(errors)
        for package in packages:
            disclosure = package.disclosure
            changed = stored.get(disclosure.id) != disclosure.revision
            if changed:
                _replace(session, package, existed=disclosure.id in stored)
            results.append(
                LoadResult(disclosure.id, disclosure.revision, changed, package.counts())
            )
    return results


def _check_source_ids_free(session: Session, packages: list[Package], errors: list[str]) -> None:
    owners: dict[str, str] = {s.id: s.disclosure_id for s in session.exec(select(Source)).all()}
    for package in packages:
        for source in package.sources:
            owner = owners.get(source.id)
            if owner is not None and owner != package.disclosure.id:
                errors.append(
                    f"{package.path.name}/datapackage.json: source id {source.id!r} "
                    f"already belongs to disclosure {owner!r}"
                )
            owners[source.id] = package.disclosure.id


def _replace(session: Session, package: Package, *, existed: bool) -> None:
    if existed:
        # Every child table references disclosures (directly or through figures and checks)
        # with ON DELETE CASCADE, so one delete clears the old version.
        session.execute(delete(Disclosure).where(col(Disclosure.id) == package.disclosure.id))
        session.flush()
    session.add(package.disclosure)
    session.add_all(package.sources)
    session.flush()
    with _large_page_cache(session):
        _bulk_insert(session, package)


@contextlib.contextmanager
def _large_page_cache(session: Session) -> Iterator[None]:
    """On SQLite, let the indexes of a large insert stay in memory (SQLite's default page
    cache is 2 MB; a million cases' primary-key index is tens of MB), then restore it."""
    if session.get_bind().dialect.name != "sqlite":
        yield
        return
    previous = session.execute(text("PRAGMA cache_size")).scalar_one()
    session.execute(text("PRAGMA cache_size = -262144"))  # KiB: 256 MiB at most
    try:
        yield
    finally:
        session.execute(text(f"PRAGMA cache_size = {int(previous)}"))


def _bulk_insert(session: Session, package: Package) -> None:
    # Bulk INSERTs (executemany, in chunks) rather than the ORM unit of work: a package
    # can hold a million cases. Parents before children, for the foreign keys.
    for model, rows in (
        (Figure, _column_dicts(Figure, package.figures)),
        (Case, package.case_rows),
        (Note, _column_dicts(Note, package.notes)),
        (Check, _column_dicts(Check, package.checks)),
        (FigureReport, _column_dicts(FigureReport, package.reports)),
        (CheckTerm, _column_dicts(CheckTerm, package.terms)),
    ):
        for start in range(0, len(rows), INSERT_CHUNK):
            _insert(session, _table(model), rows[start : start + INSERT_CHUNK])


INSERT_CHUNK = 20_000


def _insert(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        connection.execute(insert(table), rows)
        return
    # On SQLite, sqlite3's executemany straight from tuples, each value passed through its
    # column type's own bind processor (JSON to text), as SQLAlchemy does: SQLAlchemy's
    # per-row parameter handling is most of the time of a million-row insert.
    names = list(rows[0])
    processors = [table.c[n].type.bind_processor(connection.dialect) for n in names]
    columns = ", ".join(f'"{n}"' for n in names)
    marks = ", ".join("?" * len(names))
    connection.exec_driver_sql(
        f'INSERT INTO "{table.name}" ({columns}) VALUES ({marks})',
        [
            tuple(
                value if process is None else process(value)
                for value, process in zip(row.values(), processors, strict=True)
            )
            for row in rows
        ],
    )


def _table(model: type[SQLModel]) -> Table:
    table: Table = model.__table__  # type: ignore[attr-defined]
    return table


def _column_dicts(model: type[SQLModel], items: Sequence[SQLModel]) -> list[dict[str, Any]]:
    """Insert parameters for ORM objects, leaving integer surrogate keys to the database."""
    columns = [
        c.name for c in _table(model).columns if not (c.primary_key and isinstance(c.type, Integer))
    ]
    return [{name: getattr(item, name) for name in columns} for item in items]


def write_schemas(roots: Sequence[Path]) -> list[Path]:
    """Rewrite each package's resource schemas from TABLES; return the files changed."""
    changed: list[Path] = []
    for root in roots:
        path = root / "datapackage.json"
        descriptor = json.loads(path.read_text(encoding="utf-8"))
        for resource in descriptor.get("resources", []):
            if resource.get("name") in TABLES:
                resource["schema"] = TABLES[resource["name"]]
        text = json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n"
        if text != path.read_text(encoding="utf-8"):
            path.write_text(text, encoding="utf-8")
            changed.append(path)
    return changed
