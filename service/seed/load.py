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
import itertools
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import JSON, Integer, Table, func, insert, text, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, SQLModel, select

from service import history, revisions, search
from service.schemas import FigureChange
from service.seed.package import Scan, open_package, read_package, scan_package
from service.seed.reader import PackageInvalid
from service.seed.rows import Package
from service.tables import (
    Case,
    Check,
    CheckTerm,
    Disclosure,
    Figure,
    FigureReport,
    Note,
    PackageFile,
    PackageManifest,
    Revision,
    Source,
    Versioned,
)


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
    with _gc_paused(), Session(engine, expire_on_commit=False) as session:
        session.begin()
        try:
            _allow_long_statements(session)
            publication = _publish(session, roots, now or datetime.now(UTC), describe=dry_run)
            if not dry_run:
                _refresh_statistics(session)
        except BaseException:
            session.rollback()
            raise
        if dry_run:
            session.rollback()
        else:
            session.commit()
    if not dry_run and publication.revision is not None:
        _mark_visible(engine)
    return publication


def _mark_visible(engine: Engine) -> None:
    """On PostgreSQL, VACUUM the lists' tables once the load is committed (it cannot run in
    a transaction), so that their visibility maps let a capped count read only an index:
    after a fresh load it checked each of its 10,001 entries against the table (at 10^5
    cases, the count of platform and year took 37 ms as a bitmap scan, 0.6 ms index-only).
    A VACUUM blocks no reader or writer, and skips the pages already all-visible."""
    if engine.dialect.name != "postgresql":
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        _execute_long(connection, f"SET statement_timeout = '{LOAD_STATEMENT_TIMEOUT_S}s'")
        try:
            for model in (Case, Figure):
                _execute_long(connection, f'VACUUM "{_table(model).name}"')
        finally:
            _execute_long(connection, "RESET statement_timeout")


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


@dataclass
class _Opened:
    """The packages of one load: those whose stored revision is theirs (left unread), those
    opened (their cases still to read), and every problem in the order of the roots."""

    kept: dict[Path, Scan] = field(default_factory=dict)
    opened: dict[Path, Package] = field(default_factory=dict)
    problems: dict[Path, list[str]] = field(default_factory=dict)

    def ids(self) -> list[str]:
        return [s.disclosure_id for s in self.kept.values()] + [
            p.disclosure.id for p in self.opened.values()
        ]

    def errors(self) -> list[str]:
        return [line for lines in self.problems.values() for line in lines]


def _open_packages(roots: Sequence[Path], stored: dict[str, Disclosure]) -> _Opened:
    """Skip each package whose files hash to its stored revision, before reading a table;
    open the others (descriptor and small tables checked, cases not yet read)."""
    found = _Opened()
    for root in roots:
        scan = scan_package(root)
        known = stored.get(scan.disclosure_id) if scan is not None else None
        if scan is not None and known is not None and known.revision == scan.revision:
            found.kept[root] = scan
            continue
        try:
            package = open_package(root, None if scan is None else scan.revision)
        except PackageInvalid as exc:
            found.problems[root] = exc.errors
            continue
        found.opened[root] = package
        found.problems[root] = package.errors  # the same list: it grows as cases are read
    return found


def _publish(
    session: Session, roots: Sequence[Path], now: datetime, *, describe: bool
) -> Publication:
    """Check every package, write the changed ones as versions and record their revision,
    all in the caller's transaction; raise PackageInvalid when any package has an error
    (the caller rolls back what was written before it was known)."""
    stored = {d.id: d for d in session.exec(select(Disclosure)).all()}
    found = _open_packages(roots, stored)
    duplicates = _duplicates(found.ids())
    packages = list(found.opened.values())
    _refuse_clashes(session, found, packages, duplicates)
    changed = [p for p in packages if p.disclosure.id not in stored or _differs(p, stored)]
    latest = revisions.latest(session)
    previous = "" if latest is None else latest.id
    seq = 1 if latest is None else latest.seq + 1
    live_cases = sum(d.case_count for d in stored.values())
    case_indexes = _CaseIndexes(session, live_cases)
    with _large_page_cache(session), _Compressor(session) as compressor:
        published = _write_changed(
            session, found, changed, stored, seq, case_indexes, compressor, write=not duplicates
        )
        case_indexes.rebuild()
        _refuse_errors(found)
        _keep_unchanged_files(compressor, found, changed)
    results = _results(session, roots, found, stored, changed)
    if not changed:
        return Publication(results, previous=previous)
    revision = _record_revision(session, seq, latest, stored, changed, published, now)
    # Listing every change builds each figure twice: done for a dry run, which prints them.
    changes = history.changes_in(session, seq) if describe else []
    return Publication(results, revision, changes, previous)


def _refuse_clashes(
    session: Session, found: _Opened, packages: list[Package], duplicates: list[str]
) -> None:
    """Raise PackageInvalid when a package's source id belongs to another disclosure; looked
    for only while no package has an error and no disclosure id is used twice."""
    clashes = [] if found.errors() or duplicates else _source_id_clashes(session, packages)
    if clashes:
        raise PackageInvalid(clashes)


def _write_changed(
    session: Session,
    found: _Opened,
    changed: list[Package],
    stored: dict[str, Disclosure],
    seq: int,
    case_indexes: "_CaseIndexes",
    compressor: "_Compressor",
    *,
    write: bool,
) -> list[dict[str, Any]]:
    """Read every opened package's cases, and write each changed package as versions live
    from revision `seq` (its files handed to the compressor first) while no error is known
    and `write` (no duplicate ids); return the revision's entry of each package written.
    A package not written is still read in full, so that its every error is reported."""
    published = []
    for package in found.opened.values():
        if found.errors() or not write or package not in changed:
            for _ in package.case_rows:  # read only to check them
                pass
            continue
        compressor.start(
            package.disclosure.id, package.disclosure.revision, package.path, package.files
        )
        before = stored.get(package.disclosure.id)
        rows = _write_versions(
            session, package, seq, existed=before is not None, case_indexes=case_indexes
        )
        published.append(_package_entry(package, before, rows))
    return published


def _refuse_errors(found: _Opened) -> None:
    """Raise PackageInvalid with every package's errors, now that all cases are read, and
    with the ids used twice among the packages without errors."""
    # As before the streaming: an id is a duplicate among the packages without errors.
    clean = [s.disclosure_id for s in found.kept.values()]
    clean += [p.disclosure.id for p in found.opened.values() if not p.errors]
    errors = found.errors() + _duplicates(clean)
    if errors:
        raise PackageInvalid(errors)


def _keep_unchanged_files(
    compressor: "_Compressor", found: _Opened, changed: list[Package]
) -> None:
    """Hand the compressor the files of the packages not written (the kept, then the opened
    but unchanged), so that every package's files are stored for downloads."""
    for scan in found.kept.values():
        compressor.start(scan.disclosure_id, scan.revision, scan.path, scan.files)
    for package in found.opened.values():
        if package not in changed:
            compressor.start(
                package.disclosure.id, package.disclosure.revision, package.path, package.files
            )


def _results(
    session: Session,
    roots: Sequence[Path],
    found: _Opened,
    stored: dict[str, Disclosure],
    changed: list[Package],
) -> list[LoadResult]:
    """Each package's line, in the order of the roots: a kept one's from what is stored."""
    return [
        _kept_result(session, stored[found.kept[root].disclosure_id])
        if root in found.kept
        else LoadResult(
            found.opened[root].disclosure.id,
            found.opened[root].disclosure.revision,
            found.opened[root] in changed,
            found.opened[root].counts(),
        )
        for root in roots
    ]


def _record_revision(
    session: Session,
    seq: int,
    latest: Revision | None,
    stored: dict[str, Disclosure],
    changed: list[Package],
    published: list[dict[str, Any]],
    now: datetime,
) -> Revision:
    """Add and flush revision `seq`: its id hashes the previous revision's and every
    disclosure's revision after the load; its note joins the written packages' notes."""
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
    return revision


def _duplicates(ids: list[str]) -> list[str]:
    return [
        f"disclosure id {dup!r} is used by more than one package"
        for dup in sorted({i for i in ids if ids.count(i) > 1})
    ]


def _kept_result(session: Session, disclosure: Disclosure) -> LoadResult:
    """An unchanged package's line, from what is stored: its tables were not read."""
    live = {
        model: session.exec(
            select(func.count())
            .select_from(_table(model))
            .where(*_live_rows_of(model, disclosure.id))
        ).one()
        for model in (FigureReport, Note)
    }
    counts = {
        "figures": disclosure.figure_count,
        "reports": live[FigureReport],
        "cases": disclosure.case_count,
        "checks": disclosure.check_count,
        "notes": live[Note],
        "sources": disclosure.source_count,
    }
    return LoadResult(disclosure.id, disclosure.revision, False, counts)


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
    session: Session,
    package: Package,
    seq: int,
    *,
    existed: bool,
    case_indexes: "_CaseIndexes | None" = None,
) -> dict[str, dict[str, int]]:
    """Write the package as versions live from revision `seq`; return per table how many
    rows were added, changed and removed. The cases go first, written as they are read and
    checked, so that the disclosure row, written after them, has their count."""
    counts: dict[str, dict[str, int]] = {}
    for model, rows in _rows(package):
        table = _table(model)
        close: list[Any] = []
        tally = {"added": 0, "changed": 0, "removed": 0}
        inserts = _changed_rows(
            session, model, package.disclosure.id, rows, seq, existed, close, tally
        )
        before_chunk = case_indexes.before_chunk if model is Case and case_indexes else None
        _insert_all(session.connection(), table, inserts, before_chunk)
        _close(session, model, package.disclosure.id, close, seq)
        counts[table.name] = tally
    return {name: n for name, n in counts.items() if any(n.values())}


def _rows(package: Package) -> Iterator[tuple[type[Versioned], Iterable[dict[str, Any]]]]:
    """The package's rows as insert parameters, table by table, its cases first: the other
    tables' are made only once the cases are written, when the disclosure row has their
    count (see _write_versions)."""
    disclosure_id = {"disclosure_id": package.disclosure.id}
    yield Case, package.case_rows
    yield Disclosure, _column_dicts(Disclosure, [package.disclosure])
    yield Source, _column_dicts(Source, package.sources)
    yield Figure, package.figure_rows
    yield Note, _column_dicts(Note, package.notes)
    yield Check, _column_dicts(Check, package.checks)
    yield FigureReport, package.report_rows
    yield CheckTerm, _column_dicts(CheckTerm, package.terms, disclosure_id)


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
    session: Session,
    model: type[Versioned],
    disclosure_id: str,
    rows: Iterable[dict[str, Any]],
    seq: int,
    existed: bool,
    close: list[Any],
    tally: dict[str, int],
) -> Iterator[dict[str, Any]]:
    """Of the package's rows, those to insert (new, or different from the stored version),
    as versions live from `seq`, one at a time as `rows` gives them. Once they are all
    given, `close` holds the stored versions to close (changed or gone) and `tally` how many
    rows were added, changed and removed."""
    stored = _stored_versions(session, model, disclosure_id) if existed else {}
    columns = _content_columns(_table(model))
    key_columns = NATURAL_KEYS.get(model, ("id",))
    for row in rows:
        row["rev_from"], row["rev_to"] = seq, None
        if existed:
            old = stored.pop(tuple(row[k] for k in key_columns), None)
            if old is None:
                tally["added"] += 1
            elif old[1] != tuple(row[c] for c in columns):
                tally["changed"] += 1
                close.append(old[0])
            else:
                continue
        else:
            tally["added"] += 1
        yield row
    close.extend(identity for identity, _ in stored.values())
    tally["removed"] = len(stored)


def _stored_versions(
    session: Session, model: type[Versioned], disclosure_id: str
) -> dict[tuple[Any, ...], tuple[Any, tuple[Any, ...]]]:
    """A disclosure's live rows of one table: by natural key, their id (or surrogate key)
    and content."""
    table = _table(model)
    columns = _content_columns(table)
    at = [columns.index(k) for k in NATURAL_KEYS.get(model, ("id",))]
    stored: dict[tuple[Any, ...], tuple[Any, tuple[Any, ...]]] = {}
    for found in session.connection().execute(
        select(table.c.id, *(table.c[c] for c in columns)).where(
            *_live_rows_of(model, disclosure_id)
        )
    ):
        content = tuple(found[1:])
        stored[tuple(content[i] for i in at)] = (found[0], content)
    return stored


def _close(
    session: Session, model: type[Versioned], disclosure_id: str, ids: list[Any], seq: int
) -> None:
    """End the live versions with these ids (their id, or surrogate key) at revision `seq`,
    leaving the versions `seq` itself has just written."""
    table = _table(model)
    for start in range(0, len(ids), INSERT_CHUNK):
        session.connection().execute(
            update(table)
            .where(
                *_live_rows_of(model, disclosure_id),
                table.c.rev_from < seq,
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


def _insert_all(
    connection: Connection,
    table: Table,
    rows: Iterable[dict[str, Any]],
    before_chunk: Callable[[int], None] | None = None,
) -> None:
    """Insert rows, INSERT_CHUNK at a time. On PostgreSQL each chunk is one COPY that pulls
    its rows from `rows` as it sends them, so that the server stores each row while the
    next ones are read and checked; the statement of a chunk stays well inside the
    statement timeout. `before_chunk` is told, before each chunk, how many rows are in."""
    pending = iter(rows)
    inserted = 0
    while (first := next(pending, None)) is not None:
        if before_chunk is not None:
            before_chunk(inserted)
        chunk = itertools.chain([first], itertools.islice(pending, INSERT_CHUNK - 1))
        inserted += INSERT_CHUNK
        if connection.dialect.name == "postgresql":
            _copy(connection, table, list(first), chunk)
        else:
            _insert(connection, table, list(first), list(chunk))


def _insert(
    connection: Connection, table: Table, names: list[str], rows: list[dict[str, Any]]
) -> None:
    """On SQLite, sqlite3's executemany straight from tuples, each value passed through its
    column type's own bind processor (JSON to text), as SQLAlchemy does: SQLAlchemy's
    per-row parameter handling is most of the time of a million-row insert."""
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


def _copy(
    connection: Connection, table: Table, names: list[str], rows: Iterable[dict[str, Any]]
) -> None:
    """PostgreSQL's COPY, through psycopg, on the transaction's own connection: several
    times faster than multi-row INSERTs."""
    json_columns = [i for i, n in enumerate(names) if isinstance(table.c[n].type, JSON)]
    columns = ", ".join(f'"{n}"' for n in names)
    statement = f'COPY "{table.name}" ({columns}) FROM STDIN'
    with _driver_cursor(connection, statement) as cursor, cursor.copy(statement) as copy:
        for row in rows:
            values = list(row.values())
            for i in json_columns:
                values[i] = orjson.dumps(values[i]).decode()
            copy.write_row(values)


@contextlib.contextmanager
def _driver_cursor(connection: Connection, statement: str) -> Iterator[Any]:
    """A psycopg cursor on the transaction's own connection, past the engine's query
    watchdog (service/db.py), which cuts a query a second after the requests' statement
    timeout: a load's COPY, index build or ANALYZE may take longer, bounded by the load's
    own statement timeout (LOAD_STATEMENT_TIMEOUT_S). A driver error is raised as
    SQLAlchemy's, as an INSERT's would be, so the caller reports it the same way."""
    driver = connection.connection.driver_connection
    assert driver is not None  # the open transaction's connection
    dbapi = connection.dialect.loaded_dbapi
    try:
        with driver.cursor() as cursor:
            yield cursor
    except dbapi.Error as exc:
        raise DBAPIError.instance(
            statement, None, exc, dbapi.Error, hide_parameters=True, dialect=connection.dialect
        ) from None


def _execute_long(connection: Connection, statement: str) -> None:
    """One statement of a load that grows with the tables (PostgreSQL), past the watchdog."""
    with _driver_cursor(connection, statement) as cursor:
        cursor.execute(statement)


#: A load that has inserted this many cases writes the rest without the text search
#: indexes (and, on PostgreSQL, without any other index of cases but its primary key) and
#: builds those once at its end (_CaseIndexes): writing a case into a trigram index as it
#: is inserted costs more than building the index over it afterwards (measured at 10^5
#: cases: 3.8 s against 2.3 to 2.7 s of PostgreSQL CPU), and so does writing it into the
#: live-row B-trees (10^6 cases into PostgreSQL: 48.7 and 50.9 s in all written into
#: them, 40.1 and 41.1 s built afterwards; the COPY itself went from about 30 s to 9).
#: A smaller load, such as a correction, writes its few cases into the indexes as they go.
BULK_CASES = 20_000

#: PostgreSQL: the indexes of cases a bulk load drops and builds again, as (name,
#: definition): every one but those that enforce a constraint (the primary key).
CASE_INDEXES = text(
    "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
    "JOIN pg_class c ON c.oid = i.indexrelid "
    "WHERE i.indrelid = 'cases'::regclass AND NOT i.indisprimary AND NOT i.indisunique "
    "ORDER BY c.relname"
)


class _CaseIndexes:
    """The text search indexes of migration 0006 during one load, and on PostgreSQL every
    other index of cases but the primary key. Once the load has inserted BULK_CASES
    cases (counted at chunk boundaries), it drops those indexes (PostgreSQL: CASE_INDEXES)
    or the FTS5 insert trigger (SQLite) for the rest of its inserts;
    rebuild() then creates them again from their own stored definitions. Both happen in the
    load's transaction: a reader sees the indexes as they were until the load commits (on
    SQLite, its snapshot; on PostgreSQL, DROP INDEX locks the cases table until the commit,
    so a case read waits for the load rather than miss an index).

    PostgreSQL rebuilds an index over every live case, so it suspends the indexes only
    when the load has inserted at least as many cases as were live before it; SQLite adds
    only the rows inserted since it suspended the trigger to the FTS5 table."""

    def __init__(self, session: Session, live_cases: int) -> None:
        self.session = session
        self.live_cases = live_cases
        self.postgres = session.get_bind().dialect.name == "postgresql"
        #: What was dropped, as the statements that create it again.
        self.definitions: list[str] = []
        #: SQLite: the largest rowid of cases when the trigger was dropped.
        self.last_indexed = 0

    @property
    def suspended(self) -> bool:
        return bool(self.definitions)

    def before_chunk(self, inserted: int) -> None:
        if self.suspended or inserted < BULK_CASES:
            return
        if self.postgres and inserted < self.live_cases:
            return
        connection = self.session.connection()
        if self.postgres:
            indexes = connection.execute(CASE_INDEXES).all()
            self.definitions = [definition for _, definition in indexes]
            for name, _ in indexes:
                _execute_long(connection, f'DROP INDEX "{name}"')  # may wait for readers
            return
        self.definitions = [
            connection.execute(
                text("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = :name"),
                {"name": search.SQLITE_INSERT_TRIGGER},
            ).scalar_one()
        ]
        self.last_indexed = connection.exec_driver_sql(
            "SELECT coalesce(max(rowid), 0) FROM cases"
        ).scalar_one()
        connection.exec_driver_sql(f'DROP TRIGGER "{search.SQLITE_INSERT_TRIGGER}"')

    def rebuild(self) -> None:
        """Build what was dropped, over the cases as the load leaves them."""
        if not self.suspended:
            return
        connection = self.session.connection()
        if self.postgres:
            # A GIN build sorts its entries in this much memory, then in runs on disk.
            connection.exec_driver_sql("SET LOCAL maintenance_work_mem = '256MB'")
        else:
            connection.execute(
                text(
                    f"INSERT INTO {search.SQLITE_TEXT_TABLE}(rowid, summary, note) "
                    "SELECT rowid, summary, note FROM cases WHERE rowid > :last"
                ),
                {"last": self.last_indexed},
            )
        for definition in self.definitions:
            if self.postgres:
                _execute_long(connection, definition)
            else:
                connection.exec_driver_sql(definition)
        self.definitions = []


#: The longest one statement of a load may take on PostgreSQL, seconds. The service's
#: statement timeout (APP_DB_STATEMENT_TIMEOUT, 5 s) bounds a request; a load's COPY of
#: INSERT_CHUNK cases, each written into the trigram indexes, took longer than that on a
#: busy machine and failed the load.
LOAD_STATEMENT_TIMEOUT_S = 120


def _allow_long_statements(session: Session) -> None:
    """Give this load's transaction (and only it) LOAD_STATEMENT_TIMEOUT_S per statement."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"SET LOCAL statement_timeout = '{LOAD_STATEMENT_TIMEOUT_S}s'"))


#: The tables a load writes, whose planner statistics it refreshes.
DATA_TABLES = (Disclosure, Source, Figure, FigureReport, Case, Check, CheckTerm, Note, Revision)


def _refresh_statistics(session: Session) -> None:
    """Give the query planner statistics of the tables as loaded, in the load's own
    transaction, so that no read plans on the empty tables' (issue 28: the first page of
    a million cases took 1.3 s without them). On SQLite this is what `PRAGMA optimize`
    does from 3.46 on; the 3.40 of Debian 12 only analyzes tables this connection queried,
    which would leave a fresh load without any, so each table is analyzed, sampling at
    most 1,000 rows per index."""
    if session.get_bind().dialect.name == "postgresql":
        # The cases just written sit in the trigram indexes' pending lists, which every
        # search reads in full and which make the planner shun those indexes: merge them now.
        connection = session.connection()
        for index in search.POSTGRES_INDEXES:
            _execute_long(connection, f"SELECT gin_clean_pending_list('{index}'::regclass)")
        for model in DATA_TABLES:
            _execute_long(connection, f'ANALYZE "{_table(model).name}"')
        return
    session.execute(text("PRAGMA analysis_limit = 1000"))
    for model in DATA_TABLES:
        session.execute(text(f'ANALYZE "{_table(model).name}"'))
    session.execute(text("PRAGMA optimize"))


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


class _Compressor:
    """Stores packages' files for downloads, once per content, unless a package revision's
    are stored already (a database migrated from before downloads gets them on its next
    seed). Each file is hashed and compressed on a worker thread (hashlib and zlib release
    the GIL), while the main thread reads and writes cases; the rows are written when the
    block ends without an error."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="seed-files")
        self.pending: list[tuple[str, str, list[str], list[Future[tuple[str, int, bytes]]]]] = []

    def __enter__(self) -> "_Compressor":
        return self

    def start(self, disclosure_id: str, revision: str, root: Path, files: list[str]) -> None:
        manifest = _table(PackageManifest)
        stored = (
            self.session.connection()
            .execute(
                select(func.count()).where(
                    manifest.c.disclosure_id == disclosure_id,
                    manifest.c.package_revision == revision,
                )
            )
            .scalar_one()
        )
        if not stored:
            packed = [self.pool.submit(_packed, root / relpath) for relpath in files]
            self.pending.append((disclosure_id, revision, files, packed))

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        try:
            if kind is None:
                for disclosure_id, revision, files, packed in self.pending:
                    self._write(disclosure_id, revision, files, [f.result() for f in packed])
        finally:
            self.pool.shutdown(cancel_futures=True)

    def _write(
        self,
        disclosure_id: str,
        revision: str,
        files: list[str],
        packed: list[tuple[str, int, bytes]],
    ) -> None:
        connection = self.session.connection()
        table = _table(PackageFile)
        manifest = _table(PackageManifest)
        for position, (relpath, (digest, size, data)) in enumerate(zip(files, packed, strict=True)):
            known = connection.execute(
                select(table.c.digest).where(table.c.digest == digest)
            ).first()
            if known is None:
                connection.execute(insert(table).values(digest=digest, size=size, data=data))
            connection.execute(
                insert(manifest).values(
                    disclosure_id=disclosure_id,
                    package_revision=revision,
                    path=relpath,
                    digest=digest,
                    position=position,
                )
            )


def _packed(path: Path) -> tuple[str, int, bytes]:
    """A file's digest, size and compressed bytes."""
    data = path.read_bytes()
    return revisions.file_digest(data), len(data), zlib.compress(data, 6)
