"""Publish validated packages as one new revision, in one transaction.

Every package is read and checked in full first; any error anywhere loads nothing. A
package whose revision (a hash of its files) is the stored one is left as it is. The
changed ones are written as versions: a row that differs from the stored one, or is new,
is inserted as live from the new revision; a stored row that changed or is gone is closed
at it; an unchanged row is left alone, so it is stored once however many revisions it
lives through. Then the revision is recorded, with what changed and the notes the
packages give, and the packages' files are kept (once per content) for downloads.
"""

import contextlib
import gc
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import JSON, Integer, Table, func, insert, text, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, SQLModel, select

from service import history, revisions
from service.models import (
    Case,
    Check,
    CheckTerm,
    Disclosure,
    Figure,
    FigureChange,
    FigureReport,
    Note,
    PackageFile,
    PackageManifest,
    Revision,
    Source,
    Versioned,
)
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


@dataclass(frozen=True)
class Publication:
    """What a load did: each package's result and, when any changed, the revision it
    published (or, for a dry run, would have published, with every figure's change)."""

    results: list[LoadResult]
    revision: Revision | None = None
    changes: list[FigureChange] = field(default_factory=list)
    #: The revision current before the load ("" when nothing was published yet).
    previous: str = ""

    def change_lines(self) -> list[str]:
        """One line per figure added, changed (old -> new reading) or removed."""
        return [change_line(c) for c in self.changes]

    def summary(self, *, dry_run: bool = False) -> list[str]:
        """What the load published (or, dry, would publish): the revision, its note and,
        for a dry run, every figure's change."""
        if self.revision is None:
            kept = f"revision {self.previous} stays the newest" if self.previous else "none yet"
            return [f"nothing changed: {kept}"]
        r = self.revision
        verb = "dry run, nothing written: would publish" if dry_run else "published"
        counts = (
            f"figures: {r.figures_added} added, {r.figures_changed} changed, "
            f"{r.figures_removed} removed"
        )
        lines = [f"{verb} revision {r.id} (number {r.seq}); {counts}", f"  note: {r.note}"]
        return lines + [f"  {line}" for line in self.change_lines()] if dry_run else lines


def change_line(change: FigureChange) -> str:
    before = change.before.reading if change.before else ""
    after = change.after.reading if change.after else ""
    what = f"{change.figure} ({change.label})"
    if change.change == "added":
        return f"added {what}: {after}"
    if change.change == "removed":
        return f"removed {what}: was {before}"
    return f"changed {what}: {before} -> {after} ({', '.join(change.fields)})"


def data_date(roots: Sequence[Path]) -> datetime:
    """The packages' newest `last_updated` as a UTC instant: a publication time that gives
    the same revision listing on every run (the OpenAPI and docs examples)."""
    newest = max(read_package(root).disclosure.last_updated for root in roots)
    return datetime.fromisoformat(newest).replace(tzinfo=UTC)


def load_packages(engine: Engine, roots: Sequence[Path]) -> list[LoadResult]:
    """Validate every package, then publish the changed ones as one revision."""
    return publish_packages(engine, roots).results


def publish_packages(
    engine: Engine, roots: Sequence[Path], *, dry_run: bool = False, now: datetime | None = None
) -> Publication:
    """Validate every package, then publish the changed ones as one revision; a dry run
    does everything inside a transaction it rolls back, so nothing is written."""
    with _gc_paused():
        packages = _read_packages(roots)
        with Session(engine, expire_on_commit=False) as session:
            session.begin()
            try:
                publication = _publish(
                    session, packages, now or datetime.now(UTC), describe=dry_run
                )
            except BaseException:
                session.rollback()
                raise
            if dry_run:
                session.rollback()
            else:
                session.commit()
            return publication


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


def _publish(
    session: Session, packages: list[Package], now: datetime, *, describe: bool
) -> Publication:
    stored = {d.id: d for d in session.exec(select(Disclosure)).all()}
    errors = _source_id_clashes(session, packages)
    if errors:
        raise PackageInvalid(errors)
    changed = [p for p in packages if p.disclosure.id not in stored or _differs(p, stored)]
    results = [
        LoadResult(p.disclosure.id, p.disclosure.revision, p in changed, p.counts())
        for p in packages
    ]
    for package in packages:
        _keep_files(session, package)
    latest = revisions.latest(session)
    previous = "" if latest is None else latest.id
    if not changed:
        return Publication(results, previous=previous)
    seq = 1 if latest is None else latest.seq + 1
    published = []
    with _large_page_cache(session):
        for package in changed:
            before = stored.get(package.disclosure.id)
            rows = _write_versions(session, package, seq, existed=before is not None)
            published.append(_package_entry(package, before, rows))
    state = {d.id: d.revision for d in stored.values()}
    state.update({p.disclosure.id: p.disclosure.revision for p in changed})
    figures_added, figures_changed, figures_removed = history.change_counts(session, seq)
    revision = Revision(
        seq=seq,
        id=revisions.revision_id(None if latest is None else latest.id, state),
        published=now.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        note=" ".join(_sentence(f"{p['disclosure']}: {' '.join(p['notes'])}") for p in published),
        packages=published,
        figures_added=figures_added,
        figures_changed=figures_changed,
        figures_removed=figures_removed,
    )
    session.add(revision)
    session.flush()
    # Listing every change builds each figure twice: done for a dry run, which prints them.
    changes = history.changes_in(session, seq) if describe else []
    return Publication(results, revision, changes, previous)


def _sentence(text: str) -> str:
    return text if text.endswith((".", "!", "?")) else f"{text}."


def _differs(package: Package, stored: dict[str, Disclosure]) -> bool:
    return stored[package.disclosure.id].revision != package.disclosure.revision


def _package_entry(
    package: Package, previous: Disclosure | None, rows: dict[str, dict[str, int]]
) -> dict[str, Any]:
    """A package's line in its revision: what it is now, whether it is new, the notes of
    its `changes` entries that the stored version did not have, and the rows that changed."""
    known = [] if previous is None else previous.changes
    notes = [c["note"] for c in package.disclosure.changes if c not in known]
    return {
        "disclosure": package.disclosure.id,
        "revision": package.disclosure.revision,
        "change": "added" if previous is None else "changed",
        "notes": notes or [revisions.NO_NOTE],
        "rows": rows,
    }


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


# ---------------------------------------------------------------- versions

#: What names one row of a table across versions (its id, unless it has only a surrogate).
NATURAL_KEYS: dict[type[Versioned], tuple[str, ...]] = {
    FigureReport: ("figure_id", "source_id"),
    CheckTerm: ("check_id", "position"),
}


def _write_versions(
    session: Session, package: Package, seq: int, *, existed: bool
) -> dict[str, dict[str, int]]:
    """Write the package as versions live from revision `seq`; return per table how many
    rows were added, changed and removed."""
    counts: dict[str, dict[str, int]] = {}
    for model, rows in _rows(package).items():
        table = _table(model)
        for row in rows:
            row["rev_from"], row["rev_to"] = seq, None
        if existed:
            rows, close, counts[table.name] = _changed_rows(
                session, model, package.disclosure.id, rows
            )
            _close(session, model, package.disclosure.id, close, seq)
        else:
            counts[table.name] = {"added": len(rows), "changed": 0, "removed": 0}
        for start in range(0, len(rows), INSERT_CHUNK):
            _insert(session.connection(), table, rows[start : start + INSERT_CHUNK])
    return {name: n for name, n in counts.items() if any(n.values())}


def _rows(package: Package) -> dict[type[Versioned], list[dict[str, Any]]]:
    """The package's rows as insert parameters, parents before children."""
    disclosure_id = {"disclosure_id": package.disclosure.id}
    return {
        Disclosure: _column_dicts(Disclosure, [package.disclosure]),
        Source: _column_dicts(Source, package.sources),
        Figure: _column_dicts(Figure, package.figures),
        Case: package.case_rows,
        Note: _column_dicts(Note, package.notes),
        Check: _column_dicts(Check, package.checks),
        FigureReport: _column_dicts(FigureReport, package.reports, disclosure_id),
        CheckTerm: _column_dicts(CheckTerm, package.terms, disclosure_id),
    }


def _content_columns(table: Table) -> list[str]:
    """The columns that make a row what it is: all but the revision range and a surrogate key."""
    return [
        c.name
        for c in table.columns
        if c.name not in ("rev_from", "rev_to") and not _surrogate(c.name, table)
    ]


def _surrogate(name: str, table: Table) -> bool:
    column = table.c[name]
    return bool(column.primary_key and isinstance(column.type, Integer))


def _changed_rows(
    session: Session, model: type[Versioned], disclosure_id: str, rows: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[Any], dict[str, int]]:
    """Of the package's rows, those to insert (new, or different from the stored version);
    the stored versions to close (changed or gone); and how many rows were added, changed
    and removed."""
    table = _table(model)
    columns = _content_columns(table)
    key_columns = NATURAL_KEYS.get(model, ("id",))
    stored: dict[tuple[Any, ...], tuple[Any, tuple[Any, ...]]] = {}
    at = [columns.index(k) for k in key_columns]
    for found in session.connection().execute(
        select(table.c.id, *(table.c[c] for c in columns)).where(
            *_live_rows_of(model, disclosure_id)
        )
    ):
        content = tuple(found[1:])
        stored[tuple(content[i] for i in at)] = (found[0], content)
    inserts, close = [], []
    added = changed = 0
    for row in rows:
        key = tuple(row[k] for k in key_columns)
        old = stored.pop(key, None)
        if old is None:
            added += 1
        elif old[1] != tuple(row[c] for c in columns):
            changed += 1
            close.append(old[0])
        else:
            continue
        inserts.append(row)
    close.extend(identity for identity, _ in stored.values())
    return inserts, close, {"added": added, "changed": changed, "removed": len(stored)}


def _close(
    session: Session, model: type[Versioned], disclosure_id: str, ids: list[Any], seq: int
) -> None:
    """End the live versions with these ids (their id, or surrogate key) at revision `seq`."""
    table = _table(model)
    for start in range(0, len(ids), INSERT_CHUNK):
        session.connection().execute(
            update(table)
            .where(
                *_live_rows_of(model, disclosure_id),
                table.c.id.in_(ids[start : start + INSERT_CHUNK]),
            )
            .values(rev_to=seq)
        )


def _live_rows_of(model: type[Versioned], disclosure_id: str) -> tuple[Any, ...]:
    """Where a disclosure's live rows of one table are: its own row, or those it owns."""
    table = _table(model)
    owner = table.c.id if model is Disclosure else table.c.disclosure_id
    return owner == disclosure_id, table.c.rev_to.is_(None)


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


INSERT_CHUNK = 20_000


def _insert(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    if connection.dialect.name == "postgresql":
        _copy(connection, table, rows)
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


def _copy(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """PostgreSQL's COPY, through psycopg, on the transaction's own connection: several
    times faster than multi-row INSERTs. One COPY per chunk keeps each statement well
    inside the statement timeout. A driver error is raised as SQLAlchemy's, as an INSERT's
    would be, so the caller reports it the same way."""
    names = list(rows[0])
    json_columns = {i for i, n in enumerate(names) if isinstance(table.c[n].type, JSON)}
    columns = ", ".join(f'"{n}"' for n in names)
    statement = f'COPY "{table.name}" ({columns}) FROM STDIN'
    driver = connection.connection.driver_connection
    assert driver is not None  # the open transaction's connection
    dbapi = connection.dialect.loaded_dbapi
    try:
        with driver.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                values = list(row.values())
                for i in json_columns:
                    values[i] = orjson.dumps(values[i]).decode()
                copy.write_row(values)
    except dbapi.Error as exc:
        raise DBAPIError.instance(
            statement, None, exc, dbapi.Error, hide_parameters=True, dialect=connection.dialect
        ) from None


def _table(model: type[SQLModel]) -> Table:
    table: Table = model.__table__  # type: ignore[attr-defined]
    return table


def _column_dicts(
    model: type[SQLModel], items: Sequence[SQLModel], extra: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """Insert parameters for ORM objects, leaving integer surrogate keys to the database."""
    table = _table(model)
    columns = [c.name for c in table.columns if not _surrogate(c.name, table)]
    return [{name: getattr(item, name) for name in columns} | (extra or {}) for item in items]


# ---------------------------------------------------------------- the package's files


def _keep_files(session: Session, package: Package) -> None:
    """Store the package's files, once per content, unless this package revision's are
    stored already (a database migrated from before downloads gets them on its next seed)."""
    disclosure_id, revision = package.disclosure.id, package.disclosure.revision
    manifest = _table(PackageManifest)
    connection = session.connection()
    stored = connection.execute(
        select(func.count()).where(
            manifest.c.disclosure_id == disclosure_id, manifest.c.package_revision == revision
        )
    ).scalar_one()
    if stored:
        return
    files = _table(PackageFile)
    for position, relpath in enumerate(package.files):
        data = (package.path / relpath).read_bytes()
        digest = revisions.file_digest(data)
        known = connection.execute(select(files.c.digest).where(files.c.digest == digest)).first()
        if known is None:
            connection.execute(
                insert(files).values(digest=digest, size=len(data), data=zlib.compress(data, 6))
            )
        connection.execute(
            insert(manifest).values(
                disclosure_id=disclosure_id,
                package_revision=revision,
                path=relpath,
                digest=digest,
                position=position,
            )
        )
