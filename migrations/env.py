"""Alembic environment: the URL comes from the caller's config or from Settings."""

from alembic import context
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

import service.tables  # noqa: F401  (registers the tables on SQLModel.metadata)
from service.config import get_settings
from service.db import build_engine
from service.search import not_text_search

target_metadata = SQLModel.metadata


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_name=not_text_search,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    run_migrations(connection)
else:
    engine = build_engine(get_settings())
    with engine.connect() as new_connection:
        run_migrations(new_connection)
    engine.dispose()
