"""A migrated, empty database for tests that load packages."""

from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine

from service.config import Settings
from service.db import build_engine, migrate


@pytest.fixture
def blank_engine(blank_database_url: str) -> Iterator[Engine]:
    migrate(blank_database_url)
    engine = build_engine(Settings(database_url=blank_database_url))
    yield engine
    engine.dispose()
