"""Write validated packages in one transaction, skipping those already loaded.

Every package is read and checked in full first; any error anywhere loads nothing. A
package whose revision (a hash of its files) is already stored is left as it is; a changed
one replaces its old rows, and its rows go in as bulk inserts.
"""

import contextlib
import gc
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Integer, Table, delete, insert, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, col, select

from service.models import Case, Check, CheckTerm, Disclosure, Figure, FigureReport, Note, Source
from service.seed.package import Package, read_package
from service.seed.reader import PackageInvalid


def find_packages(seed_dir: Path) -> list[Path]:
    return sorted(p.parent for p in seed_dir.glob("*/datapackage.json"))


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


def load_packages(
    engine: Engine, roots: Sequence[Path], *, dry_run: bool = False
) -> list[LoadResult]:
    """Validate every package, then write the changed ones in one transaction (or, for a
    dry run, roll it back: nothing is written)."""
    with _gc_paused():
        return _load_packages(engine, roots, dry_run=dry_run)


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


def _load_packages(engine: Engine, roots: Sequence[Path], *, dry_run: bool) -> list[LoadResult]:
    packages = _read_packages(roots)
    results: list[LoadResult] = []
    with Session(engine) as session, session.begin():
        stored = {d.id: d.revision for d in session.exec(select(Disclosure)).all()}
        errors = _source_id_clashes(session, packages)
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
        if dry_run:
            session.rollback()
    return results


def _read_packages(roots: Sequence[Path]) -> list[Package]:
    """Every package, read and checked; raise PackageInvalid listing every package's errors."""
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
    return packages


def _source_id_clashes(session: Session, packages: list[Package]) -> list[str]:
    """A source id names one source: another disclosure's stored or loading sources keep theirs."""
    errors: list[str] = []
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
    return errors


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
