"""Engine construction, SQLite pragmas, the readiness ping and schema migration."""

from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import create_engine

from service.config import BUNDLE_ROOT, Settings, get_settings


def build_engine(settings: Settings) -> Engine:
    url = make_url(settings.database_url)
    if settings.is_sqlite:
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": settings.db_connect_timeout},
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_timeout=settings.db_connect_timeout,
        connect_args={"connect_timeout": settings.db_connect_timeout},
    )


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def ping(engine: Engine) -> None:
    """Raise if the database cannot answer a trivial query."""
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))


def migrate(database_url: str | None = None) -> None:
    """Upgrade the database (the configured one, or `database_url`) to the latest schema."""
    from alembic import command
    from alembic.config import Config

    settings = Settings(database_url=database_url) if database_url else get_settings()
    engine = build_engine(settings)
    config = Config(str(BUNDLE_ROOT / "alembic.ini"))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    engine.dispose()
