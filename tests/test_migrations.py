"""Alembic owns the schema: a blank database upgrades to head with no drift from the models,
every migration can be undone, and a database with data in it moves to revisions whole."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from fastapi.testclient import TestClient
from sqlalchemy import MetaData, insert, inspect, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, select

import service.tables  # noqa: F401  (registers the tables)
from service.config import PROJECT_ROOT, Settings
from service.db import build_engine, migrate
from service.main import create_app
from service.revisions import every_version, revision_id
from service.search import SQLITE_TABLES, not_text_search
from service.seed import read_package
from service.seed.load import publish_packages
from service.tables import VERSIONED, FigureReport, Revision
from tests.conftest import MET_2013
from tests.revisions import publish_three

TABLES = {
    "alembic_version",
    "disclosures",
    "sources",
    "figures",
    "figure_reports",
    "cases",
    "checks",
    "check_terms",
    "notes",
    "revisions",
    "package_files",
    "package_manifests",
}


def test_migrations_build_exactly_the_tables_the_models_declare(blank_database_url: str) -> None:
    migrate(blank_database_url)
    engine = build_engine(Settings(database_url=blank_database_url))
    with engine.connect() as connection:
        search = set(SQLITE_TABLES) if connection.dialect.name == "sqlite" else set()
        assert set(inspect(connection).get_table_names()) == TABLES | search
        opts = {"compare_type": True, "include_name": not_text_search}
        context = MigrationContext.configure(connection, opts=opts)
        assert compare_metadata(context, SQLModel.metadata) == []
    engine.dispose()


def test_every_migration_can_be_undone(blank_database_url: str) -> None:
    from alembic import command
    from alembic.config import Config

    migrate(blank_database_url)
    engine = build_engine(Settings(database_url=blank_database_url))
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
    with engine.connect() as connection:
        assert set(inspect(connection).get_table_names()) == {"alembic_version"}
    engine.dispose()


def _alembic(url: str, action: str, target: str) -> None:
    from alembic import command
    from alembic.config import Config

    engine = build_engine(Settings(database_url=url))
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        getattr(command, action)(config, target)
    engine.dispose()


def _store_as_0003(url: str) -> dict[str, int]:
    """met-2013 written into a database at 0003, as the loader of that schema wrote it;
    returns the rows per table."""
    package = read_package(MET_2013)
    versioned = {"rev_from", "rev_to"}
    rows: dict[str, list[dict[str, Any]]] = {
        # Without the columns later migrations add (0004 changes, 0007 forces and force).
        "disclosures": [package.disclosure.model_dump(exclude={*versioned, "changes", "forces"})],
        "sources": [s.model_dump(exclude=versioned) for s in package.sources],
        "figures": [f.model_dump(exclude={*versioned, "force"}) for f in package.figures],
        "cases": [{k: v for k, v in c.items() if k not in versioned} for c in package.case_rows],
        "notes": [n.model_dump(exclude=versioned) for n in package.notes],
        "checks": [c.model_dump(exclude=versioned) for c in package.checks],
        "figure_reports": [
            r.model_dump(exclude={*versioned, "id", "disclosure_id"}) for r in package.reports
        ],
        "check_terms": [
            t.model_dump(exclude={*versioned, "id", "disclosure_id"}) for t in package.terms
        ],
    }
    engine = build_engine(Settings(database_url=url))
    metadata = MetaData()
    with engine.begin() as connection:
        metadata.reflect(connection)
        for name, table_rows in rows.items():
            connection.execute(insert(metadata.tables[name]), table_rows)
    engine.dispose()
    return {name: len(table_rows) for name, table_rows in rows.items()}


def test_a_database_with_data_moves_to_revisions_keeping_every_row(
    blank_database_url: str,
) -> None:
    _alembic(blank_database_url, "upgrade", "0003_report_kinds")
    stored = _store_as_0003(blank_database_url)
    _alembic(blank_database_url, "upgrade", "head")

    engine = build_engine(Settings(database_url=blank_database_url))
    package = read_package(MET_2013)
    with Session(engine) as session, every_version(session):
        [revision] = session.exec(select(Revision)).all()
        for table in VERSIONED:
            name = str(table.__tablename__)
            ranges = session.exec(select(table.rev_from, table.rev_to)).all()
            assert len(ranges) == stored[name], name
            assert set(ranges) == {(1, None)}, name
        reports = session.exec(select(FigureReport)).all()
        assert {r.disclosure_id for r in reports} == {"met-2013"}
    assert revision.seq == 1
    assert revision.id == revision_id(None, {"met-2013": package.disclosure.revision})
    assert revision.figures_added == 40
    assert revision.note == (
        "revision history starts here: the data as it stood when revisions began"
    )

    # The migrated rows read as before, pinned by the package revision old citations print.
    settings = Settings(database_url=blank_database_url, revision_check_seconds=0)
    with TestClient(create_app(settings, engine)) as client:
        figure = client.get(
            f"/v1/figures/met-2013.officers.written-warning?revision={package.disclosure.revision}"
        )
        assert figure.status_code == 200
        assert (figure.json()["reading"], len(figure.json()["reports"])) == ("17 to 18", 3)
        # Migration 0007 gives the Met's stored rows their force, as a fresh load does.
        assert figure.json()["force"] == "metropolitan-police-service"
        disclosure = client.get("/v1/disclosures/met-2013").json()
        assert disclosure["forces"] == ["metropolitan-police-service"]
        assert figure.headers["dataset-revision"] == revision.id
        # The package's files were not kept before revisions: the next seed stores them.
        assert client.get("/v1/disclosures/met-2013/datapackage.zip").status_code == 404
        publication = publish_packages(engine, [MET_2013])
        assert publication.revision is None
        assert client.get("/v1/disclosures/met-2013/datapackage.zip").status_code == 200
    engine.dispose()


def test_downgrading_revisions_keeps_the_newest_rows(
    blank_engine: Engine, blank_database_url: str, package_copy: Callable[..., Path]
) -> None:
    publish_three(blank_engine, package_copy)
    blank_engine.dispose()
    _alembic(blank_database_url, "downgrade", "0003_report_kinds")
    engine = build_engine(Settings(database_url=blank_database_url))
    with engine.connect() as connection:
        dismissed = connection.execute(
            text("SELECT value FROM figures WHERE id = 'met-2013.officers.dismissed'")
        ).all()
        figures = connection.execute(text("SELECT COUNT(*) FROM figures")).scalar_one()
        assert "revisions" not in inspect(connection).get_table_names()
    assert (dismissed, figures) == ([(4,)], 41)
    engine.dispose()
    _alembic(blank_database_url, "upgrade", "head")


def _case_indexes(url: str) -> set[str]:
    engine = build_engine(Settings(database_url=url))
    with engine.connect() as connection:
        found = {i["name"] for i in inspect(connection).get_indexes("cases")}
    engine.dispose()
    return {name for name in found if name is not None and name.startswith("ix_cases_live_")}


def test_the_filter_pair_indexes_come_and_go_with_their_migration(
    blank_database_url: str,
) -> None:
    """0008 adds the live-row indexes of two filters together and takes only them away."""
    one_dimension = {
        f"ix_cases_live_{d}" for d in ("order", "staff_type", "outcome", "platform", "year")
    }
    text = {"ix_cases_live_summary_trigrams", "ix_cases_live_note_trigrams"}
    before = one_dimension | (text if blank_database_url.startswith("postgresql") else set())
    pairs = {"ix_cases_live_platform_year", "ix_cases_live_staff_type_outcome"}
    _alembic(blank_database_url, "upgrade", "0007_forces")
    assert _case_indexes(blank_database_url) == before
    _alembic(blank_database_url, "upgrade", "0008_case_filter_pairs")
    assert _case_indexes(blank_database_url) == before | pairs
    _alembic(blank_database_url, "downgrade", "0007_forces")
    assert _case_indexes(blank_database_url) == before
