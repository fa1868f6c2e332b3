"""Alembic owns the schema: a blank database upgrades to head with no drift from the models."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

import service.models  # noqa: F401  (registers the tables)
from service.config import PROJECT_ROOT, Settings
from service.db import build_engine, migrate

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
}


def test_migrations_build_exactly_the_tables_the_models_declare(blank_database_url: str) -> None:
    migrate(blank_database_url)
    engine = build_engine(Settings(database_url=blank_database_url))
    with engine.connect() as connection:
        assert set(inspect(connection).get_table_names()) == TABLES
        context = MigrationContext.configure(connection, opts={"compare_type": True})
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
