"""A seed package read and checked whole: its descriptor (service.seed.descriptor), then its
tables as rows and the rules across them (service.seed.rows); and its revision, a hash of
its files, read without its tables (scan_package).

Every package is checked in full before anything is written; a package with any error
yields nothing, and the messages name the file, the row and the column.
"""

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from service.seed.descriptor import (
    read_descriptor,
    read_disclosure,
    read_sources,
    resource_paths,
    sources_naming_people,
)
from service.seed.reader import PackageInvalid, Reader, file_problem
from service.seed.rows import (
    Package,
    build_checks,
    build_figures,
    build_notes,
    case_rows,
    check_aggregate_defaults,
)
from service.seed.schema import FILE_NAME_PATTERN, TABLES, is_survey, tables_for


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
    descriptor = read_descriptor(root, where)
    disclosure = read_disclosure(reader, where, descriptor)
    sources = read_sources(reader, where, descriptor, disclosure.id)
    source_ids = {s.id for s in sources}
    specs = tables_for(is_survey(descriptor))
    paths = resource_paths(reader, where, descriptor, specs)
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
    build_figures(reader, package, tables, source_ids)
    package.names_people = sources_naming_people(reader, where, descriptor)
    build_checks(reader, package, tables, paths)
    build_notes(reader, package, tables["notes"], paths["notes"], source_ids)
    check_aggregate_defaults(reader, where, package)
    package.files = package_files(paths.values())
    disclosure.revision = revision or package_revision(root, package.files)
    disclosure.figure_count = len(package.figure_rows)
    disclosure.check_count = len(package.checks)
    disclosure.source_count = len(package.sources)
    package.case_rows = case_rows(
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
        descriptor = read_descriptor(root, f"{root.name}/datapackage.json")
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
