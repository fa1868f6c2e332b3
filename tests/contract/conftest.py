"""One app server for every browser test (tests/conftest.py keeps those tests on one
pytest-xdist worker, so this session fixture starts once per run)."""

from collections.abc import Iterator
from pathlib import Path, PosixPath

import pytest

from tests.conftest import Databases
from tests.machine import require_chromium
from tests.processes import served


class LogSince(PosixPath):
    """The shared server's log as one test sees it: only what was written after the test
    began, so a test that looks for its own requests cannot find another test's."""

    start = 0

    def read_text(self, encoding: str | None = None, errors: str | None = None) -> str:
        return self.read_bytes()[self.start :].decode(encoding or "utf-8", errors or "strict")


@pytest.fixture(scope="session")
def browser_server(
    databases: Databases, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Path]]:
    """The real app under uvicorn (`met-foi serve`, access log on, no rate limit) on a
    seeded database no test writes to; its base URL and log."""
    require_chromium()
    log = tmp_path_factory.mktemp("browser") / "server.log"
    with served(
        databases.copy_of_template(), log, APP_LOG_LEVEL="info", APP_RATE_LIMIT_PER_MINUTE="0"
    ) as base:
        yield base, log


@pytest.fixture
def api_server(browser_server: tuple[str, Path]) -> tuple[str, Path]:
    """The shared server, with its log as of this test's start."""
    base, log = browser_server
    since = LogSince(log)
    since.start = log.stat().st_size
    return base, since
