"""A seed package's rules: its descriptor, its tables' rows as models, and the rules
across rows (ids, sources, a figure and its reports, checks and their terms).

Every package is checked in full before anything is written; a package with any error
yields nothing, and the messages name the file, the row and the column. How a count is
read (its interval, its words, whether sources disagree) is service.reading's.
"""

import functools
import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from service import urls
from service.forces import BY_ID, BY_NAME, REGIONS, in_region
from service.models import Case, Check, CheckTerm, Disclosure, Figure, FigureReport, Note, Source
from service.reading import PRINTED_KINDS, Interval, disputed, has_number, kind_of, words
from service.seed.reader import (
    INVALID,
    PackageInvalid,
    Reader,
    Row,
    decode,
    excerpt,
    file_problem,
    id_problem,
)
from service.seed.schema import (
    DESCRIPTOR_BYTES,
    DISCLOSURE_KEYS_OPTIONAL,
    DISCLOSURE_KEYS_REQUIRED,
    FILE_NAME_PATTERN,
    JSON_DEPTH_LIMIT,
    NAME_PATTERN,
    NAMES_PEOPLE,
    PACKAGE_KEYS,
    PACKAGE_PROFILE,
    RESOURCE_KEYS,
    RESOURCE_READING,
    SOURCE_KEYS,
    SOURCE_KINDS,
    TABLES,
    URL_SCHEMES,
    is_survey,
    tables_for,
)
from service.taxonomy import CODES, DIMENSIONS

Rows = list[tuple[int, Row]]
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
#: A JSON string (skipped whole) or a bracket that opens or closes an array or object.
JSON_NESTING = re.compile(r'"(?:[^"\\]++|\\.)*+"|[\[\]{}]')


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


def read_package(root: Path) -> Package:
    """Read and validate one package; raise PackageInvalid listing every problem."""
    package = open_package(root)
    package.case_rows = list(package.case_rows)
    if package.errors:
        raise PackageInvalid(package.errors)
    return package


def open_package(root: Path, revision: str | None = None) -> Package:
    """Read and check a package's descriptor and every table but its cases, whose rows are
    checked as case_rows is read (so that they can be written while they are read). Raise
    PackageInvalid when the descriptor is wrong; any other problem is in package.errors.
    `revision`, when known, is the package revision (package_revision of its files)."""
    reader = Reader(root)
    where = f"{root.name}/datapackage.json"
    descriptor = _read_descriptor(root, where)
    disclosure = _read_disclosure(reader, where, descriptor)
    sources = _read_sources(reader, where, descriptor, disclosure.id)
    source_ids = {s.id for s in sources}
    specs = tables_for(is_survey(descriptor))
    paths = _resource_paths(reader, where, descriptor, specs)
    if reader.errors:
        raise PackageInvalid(reader.errors)

    tables = {
        name: reader.read_table(name, paths[name], specs[name])
        for name in TABLES
        if name != "cases"
    }
    package = Package(
        path=root,
        disclosure=disclosure,
        sources=sources,
        errors=reader.errors,
        survey=is_survey(descriptor),
    )
    _build_figures(reader, package, tables, source_ids)
    package.names_people = _sources_naming_people(reader, where, descriptor)
    _build_checks(reader, package, tables, paths)
    _build_notes(reader, package, tables["notes"], paths["notes"], source_ids)
    _check_aggregate_defaults(reader, where, package)
    package.files = package_files(paths.values())
    disclosure.revision = revision or package_revision(root, package.files)
    disclosure.figure_count = len(package.figure_rows)
    disclosure.check_count = len(package.checks)
    disclosure.source_count = len(package.sources)
    package.case_rows = _case_rows(
        reader, package, reader.iter_table("cases", paths["cases"]), paths["cases"], source_ids
    )
    return package


@dataclass(frozen=True)
class Scan:
    """What a package's descriptor says it is, read without its tables: enough to see
    whether the stored version of it is the same, by its files' hash."""

    path: Path
    disclosure_id: str
    files: list[str]
    revision: str


def scan_package(root: Path) -> Scan | None:
    """The package's id, files and revision; None when the descriptor cannot say them (the
    package is then read in full, which names the problem)."""
    try:
        descriptor = _read_descriptor(root, f"{root.name}/datapackage.json")
    except PackageInvalid:
        return None
    resources = descriptor.get("resources")
    if not isinstance(resources, list) or not all(isinstance(r, dict) for r in resources):
        return None
    paths = [r.get("path") for r in resources]
    if not all(
        isinstance(p, str) and re.fullmatch(FILE_NAME_PATTERN, p) and file_problem(root, p) is None
        for p in paths
    ):
        return None
    files = package_files(paths)
    return Scan(root, descriptor["name"], files, package_revision(root, files))


def package_files(resource_paths: Iterable[str]) -> list[str]:
    return ["datapackage.json", *sorted(resource_paths)]


def package_revision(root: Path, files: Iterable[str]) -> str:
    """A hash of the package's files: the loader skips a package whose revision is stored."""
    digest = hashlib.sha256()
    for relpath in files:
        digest.update(relpath.encode())
        digest.update(b"\0")
        digest.update((root / relpath).read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


# ---------------------------------------------------------------- the descriptor


def _read_descriptor(root: Path, where: str) -> dict[str, Any]:
    """The parsed datapackage.json; without it, or its name, nothing else can be checked."""
    problem = file_problem(root, "datapackage.json", DESCRIPTOR_BYTES)
    if problem is not None:
        raise PackageInvalid([f"{where}: {problem}"])
    text, problem = decode(where, (root / "datapackage.json").read_bytes(), "line")
    if text is None:
        raise PackageInvalid([str(problem)])
    line = nested_too_deep(text)
    if line is not None:
        raise PackageInvalid(
            [
                f"{where} line {line}: arrays and objects nest more than {JSON_DEPTH_LIMIT} "
                "deep, over the limit"
            ]
        )
    try:
        descriptor = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PackageInvalid([f"{where}: not valid JSON ({exc})"]) from None
    if not isinstance(descriptor, dict):
        raise PackageInvalid([f"{where}: must be a JSON object"])
    disclosure_id = descriptor.get("name")
    if not isinstance(disclosure_id, str) or not disclosure_id:
        raise PackageInvalid([f"{where}: 'name' (the disclosure id) is required"])
    if not re.fullmatch(NAME_PATTERN, disclosure_id):
        # Every id in the package starts with it, so nothing else is worth checking.
        raise PackageInvalid(
            [
                f"{where}: 'name' {disclosure_id!r} must be lower-case letters, digits, '.', "
                "'-' and '_', starting with a letter or digit"
            ]
        )
    return descriptor


def nested_too_deep(text: str) -> int | None:
    """The line where the JSON text's arrays and objects first nest deeper than the limit
    (json.loads would recurse once per level, and fail with a traceback at about 1,000)."""
    depth = 0
    for token in JSON_NESTING.finditer(text):
        bracket = token.group()
        if bracket in ("[", "{"):
            depth += 1
            if depth > JSON_DEPTH_LIMIT:
                return text.count("\n", 0, token.start()) + 1
        elif bracket in ("]", "}"):
            depth -= 1
    return None


def _link_problem(root: Path, path: str) -> str | None:
    """Why a source's or the licence's `path` may not be printed as a link: it must be an
    http or https URL, or a file in the package folder."""
    if re.fullmatch(FILE_NAME_PATTERN, path):
        problem = file_problem(root, path)
        return None if problem is None else f"path {path!r}: {problem}"
    try:
        parts = urlsplit(path)
    except ValueError:  # e.g. an unclosed IPv6 bracket
        parts = urlsplit("")
    if parts.scheme in URL_SCHEMES and parts.hostname and path.isprintable() and " " not in path:
        return None
    return f"path {excerpt(path)} must be an http or https URL, or a file in the package folder"


def _text_problem(value: Any) -> str | None:
    if not value:
        return "is required"
    if not isinstance(value, str):
        return "must be a string"
    return None


def _check_package_keys(reader: Reader, where: str, descriptor: dict[str, Any]) -> None:
    for key in descriptor:
        if key not in PACKAGE_KEYS:
            reader.error(where, f"unknown key '{key}'; expected keys: {', '.join(PACKAGE_KEYS)}")
    if descriptor.get("profile", PACKAGE_PROFILE) != PACKAGE_PROFILE:
        reader.error(where, f"'profile' must be '{PACKAGE_PROFILE}'")
    for key in ("version", "title", "last_updated"):
        problem = _text_problem(descriptor.get(key))
        if problem:
            reader.error(where, f"'{key}' {problem}")


def _licence(reader: Reader, where: str, descriptor: dict[str, Any]) -> dict[str, Any]:
    """The first licence, its keys checked; {} when there is none to read."""
    licences = descriptor.get("licenses") or [{}]
    if not isinstance(licences, list) or not all(isinstance(item, dict) for item in licences):
        reader.error(where, "'licenses' must be a list of objects")
        return {}
    licence: dict[str, Any] = licences[0]
    for key in ("name", "title", "path"):
        problem = _text_problem(licence.get(key))
        if problem:
            reader.error(where, f"licenses[0].{key} {problem}")
    link = licence.get("path")
    problem = _link_problem(reader.root, link) if isinstance(link, str) and link else None
    if problem is not None:
        reader.error(where, f"licenses[0] {problem}")
    return licence


def _read_disclosure(reader: Reader, where: str, descriptor: dict[str, Any]) -> Disclosure:
    _check_package_keys(reader, where, descriptor)
    info = _disclosure_info(reader, where, descriptor)
    licence = _licence(reader, where, descriptor)
    comparability = info.get("comparability") or []
    if not isinstance(comparability, list) or not all(isinstance(c, str) for c in comparability):
        reader.error(where, "disclosure.comparability must be a list of sentences")
        comparability = []
    defaults = descriptor.get("aggregates") or []
    if not isinstance(defaults, list):
        reader.error(where, "'aggregates' must be a list")
        defaults = []
    return Disclosure(
        changes=_read_changes(reader, where, descriptor.get("changes")),
        id=descriptor["name"],
        title=descriptor.get("title", ""),
        force=info.get("force", ""),
        forces=_read_forces(reader, where, info),
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


def _read_forces(reader: Reader, where: str, info: dict[str, Any]) -> list[str]:
    """The ids of the forces a disclosure is about: a survey's `forces` (a region of
    service/forces.py, or a list of ids), else the one force its `force` names."""
    if "forces" not in info:
        force = BY_NAME.get(info.get("force", ""))
        if force is None:
            reader.error(
                where,
                f"disclosure.force {info.get('force', '')!r} is not the name of a force of "
                f"{urls.api('forces')} (e.g. 'Kent Police'); a survey of several forces lists "
                "them in disclosure.forces",
            )
            return []
        return [force.id]
    given = info["forces"]
    if isinstance(given, str) and given in REGIONS:
        return list(in_region(given))
    if (
        isinstance(given, list)
        and given
        and all(isinstance(g, str) and g in BY_ID for g in given)
        and len(set(given)) == len(given)
    ):
        return list(given)
    reader.error(
        where,
        f"disclosure.forces must be a region ({', '.join(REGIONS)}) or a list of distinct "
        f"force ids (see {urls.api('forces')})",
    )
    return []


def _read_changes(reader: Reader, where: str, changes: Any) -> list[dict[str, str]]:
    """The package's own record of its corrections, oldest first: [{"date", "note"}]. The
    entries a load finds new become the note of the revision it publishes."""
    if changes is None:
        return []
    if not isinstance(changes, list):
        reader.error(where, '\'changes\' must be a list of {"date", "note"} objects')
        return []
    found: list[dict[str, str]] = []
    for index, item in enumerate(changes):
        at = f"{where} changes[{index}]"
        note = item.get("note") if isinstance(item, dict) else None
        date = item.get("date", "") if isinstance(item, dict) else None
        if not isinstance(note, str) or not note.strip():
            reader.error(at, "'note' must be a sentence saying what changed")
        elif not isinstance(date, str) or (date and not ISO_DATE.match(date)):
            reader.error(at, "'date' must be a date as YYYY-MM-DD")
        elif set(item) - {"date", "note"}:
            reader.error(at, f"unknown keys: {', '.join(sorted(set(item) - {'date', 'note'}))}")
        else:
            found.append({"date": date, "note": note.strip()})
    return found


def _disclosure_info(reader: Reader, where: str, descriptor: dict[str, Any]) -> dict[str, Any]:
    """The descriptor's 'disclosure' object, its keys checked; {} when it is not an object."""
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
    return info


def _read_sources(
    reader: Reader, where: str, descriptor: dict[str, Any], disclosure_id: str
) -> list[Source]:
    sources: list[Source] = []
    seen: set[str] = set()
    for index, item in enumerate(_objects(reader, where, descriptor, "sources")):
        at = f"{where} sources[{index}]"
        missing = [key for key in SOURCE_KEYS if not item.get(key)]
        if missing:
            reader.error(at, f"missing {', '.join(missing)}")
            continue
        not_text = [key for key in SOURCE_KEYS if not isinstance(item[key], str)]
        if not_text:
            reader.error(at, f"must be strings: {', '.join(not_text)}")
            continue
        for problem in (id_problem(item["id"]), _link_problem(reader.root, item["path"])):
            if problem is not None:
                reader.error(at, problem)
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


def _sources_naming_people(reader: Reader, where: str, descriptor: dict[str, Any]) -> set[str]:
    sources = descriptor.get("sources")
    found: set[str] = set()
    for index, item in enumerate(sources if isinstance(sources, list) else []):
        if not isinstance(item, dict) or NAMES_PEOPLE not in item:
            continue
        if not isinstance(item[NAMES_PEOPLE], bool):
            reader.error(f"{where} sources[{index}]", f"{NAMES_PEOPLE} must be true or false")
        elif item[NAMES_PEOPLE]:
            found.add(str(item.get("id")))
    return found


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


def _objects(reader: Reader, where: str, descriptor: dict[str, Any], key: str) -> list[Any]:
    """The descriptor's list under `key` ([] when absent), or [] after saying it is not a
    list of objects."""
    items = descriptor.get(key) or []
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        reader.error(where, f"'{key}' must be a list of objects")
        return []
    return items


def _resource_paths(
    reader: Reader, where: str, descriptor: dict[str, Any], specs: dict[str, dict[str, Any]]
) -> dict[str, str]:
    """Each table's file, from resources that declare exactly the service's schema and the
    way the loader reads them."""
    paths: dict[str, str] = {}
    for resource in _objects(reader, where, descriptor, "resources"):
        name = resource.get("name")
        if name not in TABLES:
            reader.error(where, f"unknown resource {name!r}; expected: {', '.join(TABLES)}")
            continue
        if name in paths:
            reader.error(where, f"resource '{name}' is declared twice")
            continue
        paths[name] = resource.get("path", "")
        for problem in _resource_problems(resource, specs[name]):
            reader.error(where, f"resource '{name}' {problem}")
    for name in TABLES:
        if name not in paths:
            reader.error(where, f"resource '{name}' is missing")
    return paths


def _resource_problems(resource: dict[str, Any], spec: dict[str, Any]) -> list[str]:
    path = resource.get("path")
    problems = [
        f"has unknown key '{key}'; expected keys: {', '.join(RESOURCE_KEYS)}"
        for key in resource
        if key not in RESOURCE_KEYS
    ]
    if not isinstance(path, str) or not re.fullmatch(FILE_NAME_PATTERN, path):
        problems.append(f"has path {path!r}; it must be a file name in the package folder")
    problems += [
        f"has {key} {resource[key]!r}; expected '{value}'"
        for key, value in RESOURCE_READING.items()
        if key in resource and resource[key] != value
    ]
    if resource.get("schema") != spec:
        problems.append(
            "declares a schema that differs from the service's; run `met-foi seed --write-schemas`"
        )
    return problems


def _check_aggregate_defaults(reader: Reader, where: str, package: Package) -> None:
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


# ---------------------------------------------------------------- rows and the rules across them


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


def _build_figures(
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


def _case_rows(
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


def _build_checks(
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


def _build_notes(
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
