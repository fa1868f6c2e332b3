"""A seed package's tables as rows (Package), and the rules across them: ids, sources, a
figure and its reports, cases, checks and their terms, notes, and the aggregates the
descriptor declares over the figures' measures.

How a count is read (its interval, its words, whether sources disagree) is
service.reading's.
"""

import functools
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from service.reading import PRINTED_KINDS, Interval, disputed, has_number, kind_of, words
from service.seed.reader import INVALID, Reader, Row
from service.seed.schema import NAMES_PEOPLE
from service.tables import Case, Check, CheckTerm, Disclosure, Figure, FigureReport, Note, Source
from service.taxonomy import CODES, DIMENSIONS

Rows = list[tuple[int, Row]]


@dataclass(eq=False)  # a package is itself: `in` never compares millions of rows
class Package:
    path: Path
    disclosure: Disclosure
    sources: list[Source] = field(default_factory=list)
    #: Figures and reports as insert parameters: building ten thousand ORM objects of each
    #: cost two seconds of a load; `figures` and `reports` build them when asked.
    figure_rows: list[dict[str, Any]] = field(default_factory=list)
    report_rows: list[dict[str, Any]] = field(default_factory=list)
    #: Cases can number millions, so they stay plain column dicts (no per-row ORM object):
    #: a list once read in full (read_package), or for an opened package (open_package) a
    #: one-pass iterator that checks each case as it is read and yields the valid ones.
    case_rows: Iterable[dict[str, Any]] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    terms: list[CheckTerm] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    #: The files the package revision is a hash of, datapackage.json first.
    files: list[str] = field(default_factory=list)
    #: Ids of the sources marked `names_people`, which no case may link to.
    names_people: set[str] = field(default_factory=set)
    #: Every problem found so far; complete once case_rows is exhausted.
    errors: list[str] = field(default_factory=list)
    #: Whether it is a survey of several forces (its figures.csv has a force column).
    survey: bool = False

    @functools.cached_property
    def figures(self) -> list[Figure]:
        return [Figure(**row) for row in self.figure_rows]

    @functools.cached_property
    def reports(self) -> list[FigureReport]:
        return [FigureReport(**row) for row in self.report_rows]

    @property
    def cases(self) -> list[Case]:
        return [Case(**row) for row in self.case_rows]

    def counts(self) -> dict[str, int]:
        """The package's rows per table (its cases once case_rows is exhausted)."""
        return {
            "figures": len(self.figure_rows),
            "reports": len(self.report_rows),
            "cases": self.disclosure.case_count,
            "checks": len(self.checks),
            "notes": len(self.notes),
            "sources": len(self.sources),
        }


def check_aggregate_defaults(reader: Reader, where: str, package: Package) -> None:
    measures = {f["measure"] for f in package.figure_rows}
    seen: set[str] = set()
    for index, item in enumerate(package.disclosure.aggregate_defaults):
        at = f"{where} aggregates[{index}]"
        if not isinstance(item, dict):
            reader.error(at, "must be an object")
            continue
        dims = _grouping(item.get("by"))
        if dims is None:
            reader.error(at, f"'by' must be one or two of: {', '.join(DIMENSIONS)}")
            continue
        if item["by"] in seen:
            reader.error(at, f"grouping {item['by']!r} declared twice")
        seen.add(item["by"])
        _check_aggregate(reader, at, item, dims, measures)


def _grouping(by: Any) -> list[str] | None:
    """The dimensions an aggregate's 'by' names, or None when it is not one or two of them."""
    dims = by.split(",") if isinstance(by, str) else []
    if not dims or any(d not in DIMENSIONS for d in dims) or len(dims) > 2:
        return None
    return dims


def _check_aggregate(
    reader: Reader, at: str, item: dict[str, Any], dims: list[str], measures: set[str]
) -> None:
    for key in ("measure", "total_measure"):
        if key in item and item[key] not in measures:
            reader.error(at, f"{key} {item[key]!r} is not a measure of this package")
    if "measure" not in item:
        reader.error(at, "'measure' is required")
    for dim, value in item.get("filters", {}).items():
        if dim not in DIMENSIONS or dim in dims:
            reader.error(at, f"filter {dim!r} is not an ungrouped dimension")
        elif dim in CODES and value not in CODES[dim]:
            reader.error(at, f"filter {dim}={value!r} is not a known code")
    unknown = set(item) - {"by", "measure", "total_measure", "filters"}
    if unknown:
        reader.error(at, f"unknown keys: {', '.join(sorted(unknown))}")


def _prefixed(reader: Reader, at: str, value: str, disclosure_id: str) -> None:
    if not value.startswith(disclosure_id + "."):
        reader.error(at, f"id {value!r} must start with '{disclosure_id}.'")


def _split_ids(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").split(";") if part.strip()]


def _known_sources(reader: Reader, at: str, ids: Iterable[str], known: set[str]) -> None:
    for source_id in ids:
        if source_id not in known:
            reader.error(
                at, f"unknown source {source_id!r}; expected one of: {', '.join(sorted(known))}"
            )


def _stated(row: Row) -> Interval | None:
    return Interval.stated(row["value"], row["min"], row["max"])


def _describe(row: Row) -> str:
    return words(row["value"], row["min"], row["max"], row["qualifier"])


def _check_reading(reader: Reader, at: str, row: Row, *, figure: bool) -> None:
    if row["value"] is not None and (row["min"] is not None or row["max"] is not None):
        reader.error(at, "give either value or min/max, not both")
    if row["min"] is not None and row["max"] is not None and row["min"] > row["max"]:
        reader.error(at, f"min {row['min']} is greater than max {row['max']}")
    if figure and _stated(row) is None and not row["qualifier"]:
        reader.error(at, "no value, min, max or qualifier; a figure must say something")


def build_figures(
    reader: Reader, package: Package, tables: dict[str, Rows], source_ids: set[str]
) -> None:
    figures = _read_figures(reader, package, tables["figures"])
    _read_reports(reader, package, tables["figure_reports"], figures, source_ids)
    by_figure: dict[str, list[Row]] = {}
    for report in package.report_rows:
        by_figure.setdefault(report["figure_id"], []).append(report)
    for figure_id, row in figures.items():
        if not row[INVALID]:
            _check_figure_sources(reader, package, figure_id, row, by_figure.get(figure_id, []))


def _read_figures(reader: Reader, package: Package, rows: Rows) -> dict[str, Row]:
    """Each figure's row by id; the figures are added to the package."""
    disclosure_id = package.disclosure.id
    forces = package.disclosure.forces
    survey = package.survey
    where = f"{package.path.name}/figures.csv"
    figures: dict[str, Row] = {}
    for position, (line, row) in enumerate(rows):
        at = f"{where} row {line}"
        if row["id"] is None:
            continue
        _prefixed(reader, f"{at}, column 'id'", row["id"], disclosure_id)
        if not row[INVALID]:
            _check_reading(reader, at, row, figure=True)
        if not survey:  # every figure of a package about one force is about that force
            row["force"] = forces[0] if forces else None
        elif row["force"] is not None and row["force"] not in forces:
            reader.error(f"{at}, column 'force'", f"{row['force']!r} is not a force it asked")
        figures[row["id"]] = row
        figure = {k: v for k, v in row.items() if k != INVALID}
        package.figure_rows.append(figure | {"disclosure_id": disclosure_id, "position": position})
    return figures


def _read_reports(
    reader: Reader, package: Package, rows: Rows, figures: dict[str, Row], source_ids: set[str]
) -> None:
    where = f"{package.path.name}/figure_reports.csv"
    for position, (line, row) in enumerate(rows):
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
        figure_row = figures[row["figure"]]
        parts = _split_ids(row["parts"])
        if not row[INVALID]:
            _check_reading(reader, at, row, figure=False)
            _check_report_kind(reader, at, row, parts, figures)
        if not figure_row[INVALID] and not row[INVALID]:
            _check_report_fits(reader, at, row, figure_row)
        package.report_rows.append(
            {
                "disclosure_id": package.disclosure.id,
                "figure_id": row["figure"],
                "source_id": row["source"],
                "kind": row["kind"],
                "value": row["value"],
                "min": row["min"],
                "max": row["max"],
                "qualifier": row["qualifier"],
                "parts": parts,
                "note": row["note"],
                "position": position,
            }
        )


def _check_report_kind(
    reader: Reader, at: str, row: Row, parts: list[str], figures: dict[str, Row]
) -> None:
    """A report's kind must say what its columns hold: a source is credited only with what
    it printed."""
    kind, columns = row["kind"], kind_of(row["value"], row["min"], row["max"])
    if kind in PRINTED_KINDS and kind != columns:
        reader.error(f"{at}, column 'kind'", f"kind {kind} but the row gives {columns}")
    elif kind not in PRINTED_KINDS and columns != "words":
        reader.error(f"{at}, column 'kind'", f"kind {kind} gives no value, min or max")
    if kind == "words" and not row["qualifier"]:
        reader.error(f"{at}, column 'qualifier'", "kind words needs the source's words")
    if (kind == "parts") != bool(parts):
        reader.error(f"{at}, column 'parts'", "parts are given for, and only for, kind parts")
    for part in parts:
        if part not in figures or part == row["figure"]:
            reader.error(f"{at}, column 'parts'", f"{part!r} is not another figure here")


def _check_report_fits(reader: Reader, at: str, row: Row, figure_row: Row) -> None:
    """A source's number must lie within the figure's published reading."""
    reading, published = _stated(row), _stated(figure_row)
    if reading is not None and (published is None or not reading.overlaps(published)):
        reader.error(
            at,
            f"{row['source']} reports {_describe(row)}, which the "
            f"figure's published reading ({_describe(figure_row)}) excludes",
        )


def _check_figure_sources(
    reader: Reader, package: Package, figure_id: str, row: Row, reports: list[Row]
) -> None:
    where = f"{package.path.name}/figures.csv"
    readings = [(r["value"], r["min"], r["max"]) for r in reports]
    printed = [r for r in reports if r["kind"] in PRINTED_KINDS]
    if row["derived"] and any(has_number(*reading) for reading in readings):
        reader.error(
            f"{package.path.name}/figure_reports.csv",
            f"figure {figure_id!r} is derived but a source reports a "
            "number for it; derived means no source printed it",
        )
    if not row["derived"] and not printed:
        reader.error(
            where,
            f"figure {figure_id!r} has no source that printed it; add a number, range or "
            "words report in figure_reports.csv or mark it derived",
        )
    if row["value"] is not None and disputed(readings):
        reader.error(where, f"figure {figure_id!r}: sources disagree, so give min/max, not a value")


def case_rows(
    reader: Reader,
    package: Package,
    rows: Iterator[tuple[int, Row]],
    relpath: str,
    source_ids: set[str],
) -> Iterator[dict[str, Any]]:
    """The package's valid cases as insert parameters, each checked as it is read; the
    problems of the others go to the reader. Sets the disclosure's case count at the end."""
    where = f"{package.path.name}/{relpath}"
    disclosure_id = package.disclosure.id
    prefix = disclosure_id + "."
    errors = reader.errors
    before = len(errors)
    count = 0
    for position, (line, row) in enumerate(rows):
        if row["id"] is not None and not row["id"].startswith(prefix):
            _prefixed(reader, f"{where} row {line}, column 'id'", row["id"], disclosure_id)
        ids = (row["sources"] or "").split(";")
        if not source_ids.issuperset(ids):  # else already as _split_ids gives them
            ids = _split_ids(row["sources"])
            _known_sources(reader, f"{where} row {line}, column 'sources'", ids, source_ids)
        if package.names_people:
            at = f"{where} case {row['id']}, column 'sources'"
            _refuse_links_naming_people(reader, at, ids, package.names_people)
        count += 1
        if len(errors) == before:  # nothing was wrong with this row (or any before it)
            # Every cases.csv column is a Case column; the row becomes the insert's parameters.
            row["sources"] = ids
            row["disclosure_id"] = disclosure_id
            row["position"] = position
            del row[INVALID]
            yield row
        before = len(errors)
    package.disclosure.case_count = count


def build_checks(
    reader: Reader, package: Package, tables: dict[str, Rows], paths: dict[str, str]
) -> None:
    check_ids = _read_checks(reader, package, tables["checks"], paths["checks"])
    where = f"{package.path.name}/{paths['check_terms']}"
    _read_terms(reader, package, tables["check_terms"], where, check_ids)
    totals = Counter(t.check_id for t in package.terms if t.role == "total")
    parts = Counter(t.check_id for t in package.terms if t.role != "total")
    for check_id in sorted(check_ids):
        if totals[check_id] != 1:
            reader.error(where, f"check {check_id!r} needs exactly one total term")
        if not parts[check_id]:
            reader.error(where, f"check {check_id!r} needs at least one part term")


def _read_checks(reader: Reader, package: Package, rows: Rows, relpath: str) -> set[str]:
    """The checks' ids; the checks are added to the package."""
    check_ids: set[str] = set()
    for position, (line, row) in enumerate(rows):
        if row["id"] is None:
            continue
        at = f"{package.path.name}/{relpath} row {line}, column 'id'"
        _prefixed(reader, at, row["id"], package.disclosure.id)
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
    return check_ids


def _read_terms(
    reader: Reader, package: Package, rows: Rows, where: str, check_ids: set[str]
) -> None:
    figure_ids = {f["id"] for f in package.figure_rows}
    reported = {(r["figure_id"], r["source_id"]) for r in package.report_rows}
    for position, (line, row) in enumerate(rows):
        at = f"{where} row {line}"
        if row["check"] not in check_ids:
            reader.error(f"{at}, column 'check'", f"unknown check {row['check']!r}")
        elif row["figure"] not in figure_ids:
            reader.error(f"{at}, column 'figure'", f"unknown figure {row['figure']!r}")
        elif row["source"] is not None and (row["figure"], row["source"]) not in reported:
            reader.error(
                f"{at}, column 'source'",
                f"{row['source']!r} has no report on figure {row['figure']!r}",
            )
        else:
            package.terms.append(
                CheckTerm(
                    disclosure_id=package.disclosure.id,
                    check_id=row["check"],
                    role=row["role"],
                    figure_id=row["figure"],
                    source_id=row["source"],
                    position=position,
                )
            )


def build_notes(
    reader: Reader, package: Package, rows: Rows, relpath: str, source_ids: set[str]
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


def _refuse_links_naming_people(
    reader: Reader, where: str, ids: list[str], names_people: set[str]
) -> None:
    """A case never links to a page that names, ages or locates the person."""
    for source_id in (s for s in ids if s in names_people):
        reader.error(
            where,
            f"links to {source_id}, a source marked {NAMES_PEOPLE}; a case never links "
            "to a page that names, ages or locates a person (leave its sources empty)",
        )
