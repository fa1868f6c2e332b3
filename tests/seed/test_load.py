"""The loader: validation with precise messages, all-or-nothing writes, idempotence."""

import gc
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, col, select

from service import search
from service.config import Settings
from service.db import build_engine, migrate
from service.reads.common import by_id
from service.revisions import every_version
from service.seed import PackageInvalid, find_packages, load, load_packages, read_package
from service.seed import package as package_module
from service.seed.rows import Package
from service.tables import Case, Check, CheckTerm, Disclosure, Figure, FigureReport, Note, Source
from tests.conftest import MET_2013, MET_2013_COUNTS, SEED_DIR, edit_csv
from tests.test_list_plans import plan_of, sent


def row_counts(engine: Engine) -> dict[str, int]:
    """Rows of the newest revision, per table."""
    with Session(engine) as session:
        return {
            table.__tablename__: session.exec(select(func.count()).select_from(table)).one()
            for table in (Disclosure, Source, Figure, FigureReport, Case, Check, CheckTerm, Note)
        }


def every_row_count(engine: Engine) -> dict[str, int]:
    """Rows stored, every version of them, per table."""
    with Session(engine) as session, every_version(session):
        return {
            table.__tablename__: session.exec(select(func.count()).select_from(table)).one()
            for table in (Disclosure, Source, Figure, FigureReport, Case, Check, CheckTerm, Note)
        }


def test_loading_met_2013_reports_exact_counts(blank_engine: Engine) -> None:
    [result] = load_packages(blank_engine, [MET_2013])
    assert result.disclosure_id == "met-2013"
    assert result.changed is True
    assert result.counts == MET_2013_COUNTS
    assert row_counts(blank_engine) == {
        "disclosures": 1,
        "sources": 5,
        "figures": 40,
        "figure_reports": 80,
        "cases": 4,
        "checks": 10,
        "check_terms": 39,
        "notes": 10,
    }
    assert result.summary() == (
        "met-2013: loaded; 40 figures, 80 reports, 4 cases, 10 checks, 10 notes, "
        f"5 sources; revision {result.revision}"
    )


def test_loading_twice_changes_nothing(blank_engine: Engine) -> None:
    [first] = load_packages(blank_engine, [MET_2013])
    before = row_counts(blank_engine)
    [second] = load_packages(blank_engine, [MET_2013])
    assert second.changed is False
    assert second.revision == first.revision
    assert row_counts(blank_engine) == before


def test_a_corrected_package_publishes_a_new_version_and_keeps_the_old_one(
    blank_engine: Engine, package_copy: Callable[..., Path]
) -> None:
    [first] = load_packages(blank_engine, [MET_2013])
    corrected = package_copy()
    edit_csv(corrected / "figures.csv", 4, "value", "4")  # officers dismissed: 3 -> 4
    for source_row in range(11, 16):
        edit_csv(corrected / "figure_reports.csv", source_row, "value", "4")
    [second] = load_packages(blank_engine, [corrected])
    assert second.changed is True
    assert second.revision != first.revision
    with Session(blank_engine) as session:
        figure = by_id(session, Figure, "met-2013.officers.dismissed")
        assert figure is not None
        assert (figure.value, figure.rev_from, figure.rev_to) == (4, 2, None)
        with every_version(session):
            versions = session.exec(
                select(Figure.value, Figure.rev_from, Figure.rev_to)
                .where(Figure.id == "met-2013.officers.dismissed")
                .order_by(col(Figure.rev_from))
            ).all()
    assert versions == [(3, 1, 2), (4, 2, None)]
    assert row_counts(blank_engine)["figures"] == 40
    # Only what changed is stored again: one figure, its five reports, the disclosure row.
    assert every_row_count(blank_engine) == {
        **row_counts(blank_engine),
        "disclosures": 2,
        "figures": 41,
        "figure_reports": 85,
    }


def test_a_broken_package_loads_nothing(
    blank_engine: Engine, package_copy: Callable[..., Path]
) -> None:
    broken = package_copy()
    edit_csv(broken / "figure_reports.csv", 2, "value", "76")
    with pytest.raises(PackageInvalid) as raised:
        load_packages(blank_engine, [broken])
    assert raised.value.errors == [
        "met-2013/figure_reports.csv row 2: guardian2013 reports 76, which the figure's "
        "published reading (75) excludes",
        "met-2013/figures.csv: figure 'met-2013.officers.investigated': sources disagree, so "
        "give min/max, not a value",
    ]
    assert set(row_counts(blank_engine).values()) == {0}


def test_one_bad_package_stops_every_package_from_loading(
    blank_engine: Engine, package_copy: Callable[..., Path]
) -> None:
    broken = package_copy(name="broken")
    edit_csv(broken / "cases.csv", 3, "in_foi_answer", "maybe")
    with pytest.raises(PackageInvalid) as raised:
        load_packages(blank_engine, [MET_2013, broken])
    assert raised.value.errors == [
        "broken/cases.csv row 3, column 'in_foi_answer': unknown value 'maybe'; expected one "
        "of: yes, probable, uncertain, no",
    ]
    assert set(row_counts(blank_engine).values()) == {0}


def test_two_packages_cannot_claim_one_disclosure_id(
    blank_engine: Engine, package_copy: Callable[..., Path]
) -> None:
    with pytest.raises(PackageInvalid) as raised:
        load_packages(blank_engine, [MET_2013, package_copy(name="second")])
    assert raised.value.errors == ["disclosure id 'met-2013' is used by more than one package"]
    assert set(row_counts(blank_engine).values()) == {0}


def test_seed_command_prints_a_summary_and_fails_loudly_on_a_bad_package(
    blank_database_url: str, package_copy: Callable[..., Path]
) -> None:
    migrate(blank_database_url)
    env = {"APP_DATABASE_URL": blank_database_url, "PATH": "/usr/bin:/bin"}
    command = [sys.executable, "-m", "service", "seed"]
    ok = subprocess.run([*command, str(MET_2013)], env=env, capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.startswith("met-2013: loaded; 40 figures, 80 reports, 4 cases, ")

    broken = package_copy(name="broken-copy")
    edit_csv(broken / "figures.csv", 2, "value", "-1")
    bad = subprocess.run([*command, str(broken)], env=env, capture_output=True, text=True)
    assert bad.returncode == 1
    assert bad.stderr.splitlines() == [
        "Nothing loaded: 1 problem(s) found.",
        "  broken-copy/figures.csv row 2, column 'value': -1 is below the minimum of 0",
    ]


def test_loaded_rows_are_the_package_rows(blank_engine: Engine) -> None:
    package = read_package(MET_2013)
    load_packages(blank_engine, [MET_2013])
    with Session(blank_engine) as session:
        figures = session.exec(select(Figure).order_by(col(Figure.position))).all()
        cases = session.exec(select(Case).order_by(col(Case.position))).all()
        terms = session.exec(select(CheckTerm).order_by(col(CheckTerm.position))).all()
        stored = by_id(session, Disclosure, "met-2013")
        assert stored is not None
        assert stored.revision == package.disclosure.revision
    # Every row is a version live from revision 1.
    assert {(r.rev_from, r.rev_to) for r in [*figures, *cases, *terms]} == {(1, None)}
    revision = {"rev_from", "rev_to"}
    assert [f.model_dump(exclude=revision) for f in figures] == [
        f.model_dump(exclude=revision) for f in package.figures
    ]
    assert [c.model_dump(exclude=revision) for c in cases] == [
        c.model_dump(exclude=revision) for c in package.cases
    ]
    assert [t.model_dump(exclude={"id", *revision}) for t in terms] == [
        t.model_dump(exclude={"id", *revision}) for t in package.terms
    ]


def test_a_large_table_is_inserted_in_chunks_with_every_row_kept(
    blank_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(load, "INSERT_CHUNK", 3)
    load_packages(blank_engine, [MET_2013])
    assert row_counts(blank_engine)["figure_reports"] == 80
    with Session(blank_engine) as session:
        positions = session.exec(select(FigureReport.position).order_by(col(FigureReport.id)))
        assert list(positions) == list(range(80))


def test_only_the_changed_package_of_several_is_replaced(
    blank_engine: Engine, package_copy: Callable[..., Path]
) -> None:
    met_2014 = SEED_DIR / "met-2014"
    load_packages(blank_engine, [MET_2013, met_2014])
    corrected = package_copy()
    edit_csv(corrected / "notes.csv", 2, "text", "Reworded.")
    results = load_packages(blank_engine, [corrected, met_2014])
    assert [(r.disclosure_id, r.changed) for r in results] == [
        ("met-2013", True),
        ("met-2014", False),
    ]
    assert results[1].summary().startswith("met-2014: unchanged; ")
    with Session(blank_engine) as session:
        note = by_id(session, Note, "met-2013.C1")
        assert note is not None
        assert note.text == "Reworded."


def add_source(root: Path, source_id: str) -> None:
    path = root / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    descriptor["sources"].append({**descriptor["sources"][0], "id": source_id})
    path.write_text(json.dumps(descriptor), encoding="utf-8")


@pytest.mark.parametrize("together", [True, False], ids=["one-load", "stored-first"])
def test_a_source_id_cannot_belong_to_two_disclosures(
    blank_engine: Engine, package_copy: Callable[..., Path], together: bool
) -> None:
    claimant = package_copy(SEED_DIR / "met-2014")
    add_source(claimant, "guardian2013")
    if not together:
        load_packages(blank_engine, [MET_2013])
    before = row_counts(blank_engine)
    with pytest.raises(PackageInvalid) as raised:
        load_packages(blank_engine, [MET_2013, claimant] if together else [claimant])
    assert raised.value.errors == [
        "met-2014/datapackage.json: source id 'guardian2013' already belongs to disclosure "
        "'met-2013'"
    ]
    assert row_counts(blank_engine) == before


@pytest.mark.parametrize("enabled", [True, False])
def test_loading_leaves_the_garbage_collector_as_it_found_it(
    blank_engine: Engine, package_copy: Callable[..., Path], enabled: bool
) -> None:
    broken = package_copy()
    edit_csv(broken / "figures.csv", 2, "value", "-1")
    was_enabled = gc.isenabled()
    (gc.enable if enabled else gc.disable)()
    try:
        load_packages(blank_engine, [MET_2013])
        assert gc.isenabled() is enabled
        with pytest.raises(PackageInvalid):
            load_packages(blank_engine, [broken])
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was_enabled else gc.disable)()


def test_find_packages_lists_folders_with_a_descriptor_in_name_order(tmp_path: Path) -> None:
    for name in ("b", "a", "c"):
        (tmp_path / name).mkdir()
    for name in ("b", "a"):
        (tmp_path / name / "datapackage.json").write_text("{}", encoding="utf-8")
    assert find_packages(tmp_path) == [tmp_path / "a", tmp_path / "b"]
    assert find_packages(SEED_DIR)[0] == SEED_DIR / "met-2010"


def test_a_database_failure_mid_load_is_one_line_without_sql_or_data(
    blank_database_url: str, blank_engine: Engine
) -> None:
    """The notes table is gone, so the load fails after earlier inserts (issue 17): nothing
    is kept, and the message names the failure, not the SQL statement or the rows."""
    with blank_engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE notes")
    env = {"APP_DATABASE_URL": blank_database_url, "PATH": "/usr/bin:/bin"}
    run = subprocess.run(
        [sys.executable, "-m", "service", "seed", str(MET_2013)],
        env=env,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 1
    [line] = run.stderr.splitlines()
    assert line.startswith("Nothing loaded: the database failed during the load: ")
    assert "notes" in line
    assert "INSERT" not in line.upper()
    assert "Traceback" not in run.stderr
    with Session(blank_engine) as session:  # one transaction: the earlier inserts are gone
        for table in (Disclosure, Source, Figure, FigureReport):
            assert session.exec(select(func.count()).select_from(table)).one() == 0


def test_an_unchanged_package_is_skipped_before_its_tables_are_read(
    blank_engine: Engine, package_copy: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its files hash to the stored package revision, so only datapackage.json is parsed;
    its line is the stored counts (issue 28)."""
    package = package_copy()
    load_packages(blank_engine, [package])
    opened: list[Path] = []

    def opening(root: Path, revision: str | None = None) -> Package:
        opened.append(root)
        return package_module.open_package(root, revision)

    monkeypatch.setattr(load, "open_package", opening)
    [again] = load_packages(blank_engine, [package])
    assert opened == []
    assert (again.changed, again.counts) == (False, MET_2013_COUNTS)
    edit_csv(package / "notes.csv", 2, "text", "Reworded.")
    [changed] = load_packages(blank_engine, [package])
    assert opened == [package]
    assert (changed.changed, changed.counts) == (True, MET_2013_COUNTS)


def test_a_load_leaves_the_planner_statistics_of_what_it_loaded(blank_engine: Engine) -> None:
    """ANALYZE on PostgreSQL, and on SQLite what PRAGMA optimize runs (issue 28): the
    planner knows met-2013's 4 cases and 40 figures, not an empty table's guess."""
    load_packages(blank_engine, [MET_2013])
    with blank_engine.connect() as connection:
        if blank_engine.dialect.name == "postgresql":
            rows = connection.exec_driver_sql(
                "SELECT relname, reltuples FROM pg_class WHERE relname IN ('cases', 'figures')"
            )
            assert dict(rows.all()) == {"cases": 4, "figures": 40}
        else:
            rows = connection.exec_driver_sql(
                "SELECT tbl, stat FROM sqlite_stat1 WHERE tbl IN ('cases', 'figures')"
            )
            assert {(table, stat.split()[0]) for table, stat in rows} == {
                ("cases", "4"),
                ("figures", "40"),
            }


def test_a_load_leaves_the_text_search_indexes_merged(blank_engine: Engine) -> None:
    """On PostgreSQL a load's cases are merged from the trigram indexes' pending lists into
    the indexes themselves (a long pending list is read in full by every search, and made
    the planner shun the indexes); on SQLite the FTS5 table the triggers fill is whole."""
    load_packages(blank_engine, [MET_2013])
    with blank_engine.connect() as connection:
        if blank_engine.dialect.name == "postgresql":
            connection.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pgstattuple")
            pending = connection.exec_driver_sql(
                "SELECT pending_tuples FROM pgstatginindex('ix_cases_live_summary_trigrams') "
                "UNION ALL SELECT pending_tuples FROM pgstatginindex('ix_cases_live_note_trigrams')"
            )
            assert pending.scalars().all() == [0, 0]
        else:
            connection.exec_driver_sql(
                "INSERT INTO cases_text(cases_text, rank) VALUES ('integrity-check', 1)"
            )
            assert connection.exec_driver_sql("SELECT count(*) FROM cases_text").scalar() == 4


def test_a_load_gives_its_own_statements_longer_than_a_request(blank_engine: Engine) -> None:
    """A COPY of INSERT_CHUNK cases into the trigram indexes outlasted the 5 s statement
    timeout of requests on a busy machine; a load's transaction, and only it, allows more."""
    if blank_engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no statement timeout; its busy_timeout is a wait for a lock")
    with Session(blank_engine) as session:
        session.begin()
        load._allow_long_statements(session)
        shown = session.connection().exec_driver_sql("SHOW statement_timeout").scalar()
        session.rollback()
        after = session.connection().exec_driver_sql("SHOW statement_timeout").scalar()
    assert (shown, after) == ("2min", "5s")


def _cases_holding(engine: Engine, q: str) -> list[str]:
    """The live cases `q=` finds, read through the text search index: on PostgreSQL with
    the other live-row indexes dropped (and restored: the transaction is rolled back) and
    only bitmap scans on, so that only the trigram indexes can answer."""
    with Session(engine) as session:
        if engine.dialect.name == "postgresql":
            connection = session.connection()
            others = connection.exec_driver_sql(
                "SELECT indexname FROM pg_indexes WHERE tablename = 'cases' "
                "AND indexname LIKE 'ix_cases_live_%%' AND indexname NOT LIKE '%%_trigrams'"
            )
            connection.exec_driver_sql(f"DROP INDEX {', '.join(others.scalars())}")
            connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
            connection.exec_driver_sql("SET LOCAL enable_indexscan = off")
        query = select(Case.id).where(search.case_text(session, q))
        with sent(engine) as statements:
            found = sorted(session.exec(query))
        plan = " | ".join(plan_of(session.connection(), *statements[-1]))
        assert "trigrams" in plan or "cases_text VIRTUAL TABLE" in plan, plan
        session.rollback()
    return found


def _expected_holding(roots: list[Path], q: str) -> list[str]:
    """The cases whose summary or note contains `q`, ignoring case, read from the CSVs."""
    cases = [c for root in roots for c in read_package(root).cases]
    return sorted(
        c.id for c in cases if any(q.lower() in (t or "").lower() for t in (c.summary, c.note))
    )


def _text_index_builds(engine: Engine) -> Callable[[], list[str]]:
    """What builds the text search indexes from now on: on SQLite the statements that drop
    or create the FTS5 insert trigger or fill the FTS5 table at once; on PostgreSQL the
    indexes of cases that are new relations (built again) since this was called."""
    if engine.dialect.name == "postgresql":
        oids = _case_index_oids(engine)
        return lambda: sorted(n for n, oid in _case_index_oids(engine).items() if oids[n] != oid)
    statements: list[str] = []

    def record(_c: Connection, _cur: Any, statement: str, *_: Any) -> None:
        if statement.startswith(("DROP TRIGGER", "CREATE TRIGGER")):
            statements.append(" ".join(statement.replace('"', "").split()[:3]))
        elif statement.startswith("INSERT INTO cases_text"):
            statements.append("INSERT INTO cases_text ... SELECT")

    event.listen(engine, "before_cursor_execute", record)

    def recorded() -> list[str]:
        found = list(statements)
        statements.clear()
        return found

    return recorded


def _case_index_oids(engine: Engine) -> dict[str, int]:
    """PostgreSQL: every index of cases but the primary key, by name: its relation's oid."""
    with engine.connect() as connection:
        found = connection.exec_driver_sql(
            "SELECT c.relname, c.oid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE i.indrelid = 'cases'::regclass AND NOT i.indisprimary"
        )
        return dict(found.all())


def _case_index_definitions(engine: Engine) -> list[tuple[str, str, bool]]:
    """PostgreSQL: every index of cases, its definition and whether it is valid."""
    with engine.connect() as connection:
        found = connection.exec_driver_sql(
            "SELECT c.relname, pg_get_indexdef(i.indexrelid), i.indisvalid FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = 'cases'::regclass "
            "ORDER BY c.relname"
        )
        return [tuple(row) for row in found.all()]


def test_a_large_load_builds_the_case_indexes_once_and_q_finds_exactly_its_cases(
    blank_engine: Engine, package_copy: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past BULK_CASES inserted cases a load writes the rest without the text indexes
    (on PostgreSQL, without any index of cases but the primary key) and builds them once, in
    its transaction (issue 28); a later small load's cases go into the indexes as they are
    written, and q= finds both, on either database."""
    roots = [MET_2013, SEED_DIR / "pa-2014"]
    monkeypatch.setattr(load, "INSERT_CHUNK", 1)
    monkeypatch.setattr(load, "BULK_CASES", 2)
    postgres = blank_engine.dialect.name == "postgresql"
    migrated = _case_index_definitions(blank_engine) if postgres else []
    builds = _text_index_builds(blank_engine)
    load_packages(blank_engine, roots)
    if postgres:
        # Every index but the primary key, built again as the migrations define it.
        rebuilt = [n for n, _, _ in migrated if n != "cases_pkey"]
        assert "ix_cases_live_platform_year" in rebuilt
        assert builds() == rebuilt
        assert _case_index_definitions(blank_engine) == migrated
    else:  # the first two cases went in through the trigger, the others at once
        assert builds() == [
            "DROP TRIGGER cases_text_insert",
            "INSERT INTO cases_text ... SELECT",
            "CREATE TRIGGER cases_text_insert",
        ]
    for q in ("facebook", "DISMISSED", "written warning", "Lancashire", "newspaper report"):
        expected = _expected_holding(roots, q)
        assert expected, q
        assert _cases_holding(blank_engine, q) == expected, q
    _assert_case_indexes_whole(blank_engine, cases=len(_expected_holding(roots, "")))

    monkeypatch.setattr(load, "BULK_CASES", 10_000)
    package = package_copy()
    edit_csv(package / "cases.csv", 3, "summary", "Reworded for a test: a quokka case.")
    builds = _text_index_builds(blank_engine)
    load_packages(blank_engine, [package, SEED_DIR / "pa-2014"])
    assert builds() == []  # one changed case: written into the indexes as it went in
    assert _cases_holding(blank_engine, "QUOKKA") == ["met-2013.case-2"]
    assert _cases_holding(blank_engine, "facebook") == _expected_holding(
        [package, SEED_DIR / "pa-2014"], "facebook"
    )
    _assert_case_indexes_whole(blank_engine, cases=len(_expected_holding(roots, "")) + 1)


def _assert_case_indexes_whole(engine: Engine, cases: int) -> None:
    """The FTS5 table holds every stored case version and agrees with them (SQLite); the
    trigram indexes are there and valid (PostgreSQL)."""
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            connection.exec_driver_sql(
                "INSERT INTO cases_text(cases_text, rank) VALUES ('integrity-check', 1)"
            )
            assert connection.exec_driver_sql("SELECT count(*) FROM cases_text").scalar() == cases
            return
        valid = connection.exec_driver_sql(
            "SELECT c.relname, i.indisvalid FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE c.relname LIKE 'ix_cases_live_%%_trigrams' ORDER BY c.relname"
        )
        assert valid.all() == [
            ("ix_cases_live_note_trigrams", True),
            ("ix_cases_live_summary_trigrams", True),
        ]


def test_a_load_statement_may_outlast_the_requests_query_watchdog(
    blank_database_url: str,
) -> None:
    """The engine's watchdog cuts a query a second after APP_DB_STATEMENT_TIMEOUT; a load's
    index build or ANALYZE of a million cases takes longer (it cut the first 10^6 build),
    so those statements run past it, bounded by the load's own statement timeout."""
    if not blank_database_url.startswith("postgresql"):
        pytest.skip("SQLite has no watchdog: it runs in the process")
    migrate(blank_database_url)
    engine = build_engine(Settings(database_url=blank_database_url, db_statement_timeout=0.5))
    with Session(engine) as session:
        session.begin()
        load._allow_long_statements(session)
        connection = session.connection()
        load._execute_long(connection, "SELECT pg_sleep(2)")
        assert connection.exec_driver_sql("SELECT 1").scalar() == 1
        with pytest.raises(OperationalError):  # the same wait, through the engine, is cut
            connection.exec_driver_sql("SELECT pg_sleep(2)")
    engine.dispose()


def test_a_load_leaves_the_lists_tables_all_visible_for_index_only_counts(
    blank_engine: Engine,
) -> None:
    """PostgreSQL: a capped count of a fresh load checked every entry against the table (no
    visibility map yet); the loader's VACUUM after its commit marks every page all-visible,
    so counts read the index only. The connection's statement timeout is the requests'
    again afterwards."""
    if blank_engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no visibility map")
    load_packages(blank_engine, [MET_2013])
    with blank_engine.connect() as connection:
        pages = connection.exec_driver_sql(
            "SELECT relname, relpages, relallvisible FROM pg_class "
            "WHERE relname IN ('cases', 'figures') ORDER BY relname"
        )
        assert [(name, visible == total > 0) for name, total, visible in pages] == [
            ("cases", True),
            ("figures", True),
        ]
        assert connection.exec_driver_sql("SHOW statement_timeout").scalar() == "5s"
