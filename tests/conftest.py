"""Fixtures: a fresh, real database per test, on SQLite or (TEST_BACKEND=postgres) on the
PostgreSQL named by TEST_DATABASE_URL. The seeded template is built once per run (once per
pytest-xdist worker); each test gets its own copy (a file copy on SQLite, CREATE DATABASE
... TEMPLATE on PostgreSQL).

Which tests run on PostgreSQL too, and which run together, is decided at collection
(pytest_collection_modifyitems below), by rules stated there.
"""

import csv
import functools
import itertools
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url

from service.config import PROJECT_ROOT, Settings
from service.db import build_engine, migrate
from service.main import create_app
from service.request_log import WRITER
from service.revisions import revision_id
from service.seed import find_packages, load_packages, read_package

SEED_DIR = PROJECT_ROOT / "seed"
MET_2013 = SEED_DIR / "met-2013"
#: What read_package and load_packages count in met-2013 (LoadResult.counts).
MET_2013_COUNTS = {
    "figures": 40,
    "reports": 80,
    "cases": 4,
    "checks": 10,
    "notes": 10,
    "sources": 5,
}
BACKEND = os.environ.get("TEST_BACKEND", "sqlite")
_counter = itertools.count()
Built = TypeVar("Built")


class Databases:
    """Creates blank databases and copies of the seeded template for one backend."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.run = uuid.uuid4().hex[:8]
        self.created: list[str] = []
        if BACKEND == "postgres":
            admin_url = os.environ.get("TEST_DATABASE_URL")
            if not admin_url:
                raise RuntimeError("TEST_BACKEND=postgres needs TEST_DATABASE_URL")
            self.admin_url = Settings(database_url=admin_url).database_url
            self.admin: Engine | None = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        else:
            self.admin = None
        self.template = self.blank()
        migrate(self.template)
        engine = build_engine(Settings(database_url=self.template))
        load_packages(engine, find_packages(SEED_DIR))
        engine.dispose()

    def blank(self) -> str:
        name = f"t{self.run}_{next(_counter)}"
        if self.admin is None:
            return f"sqlite:///{self.tmp / (name + '.db')}"
        with self.admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        self.created.append(name)
        return make_url(self.admin_url).set(database=name).render_as_string(hide_password=False)

    def copy_of_template(self) -> str:
        return self.copy_of(self.template)

    def copy_of(self, url: str) -> str:
        """A new database holding what the database at `url` holds (nothing may be connected
        to it: PostgreSQL copies it as a template)."""
        name = f"t{self.run}_{next(_counter)}"
        if self.admin is None:
            target = self.tmp / f"{name}.db"
            shutil.copyfile(make_url(url).database or "", target)
            return f"sqlite:///{target}"
        template = make_url(url).database
        with self.admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
        self.created.append(name)
        return make_url(self.admin_url).set(database=name).render_as_string(hide_password=False)

    def built(self, build: Callable[[Engine], Built]) -> tuple[str, Built]:
        """A blank database, migrated, then filled by `build`; for a session fixture whose
        tests each take a copy (copy_of), so that what `build` publishes is published once
        a run (once per pytest-xdist worker), not once a test."""
        url = self.blank()
        migrate(url)
        engine = build_engine(Settings(database_url=url))
        try:
            return url, build(engine)
        finally:
            engine.dispose()

    def drop_all(self) -> None:
        if self.admin is None:
            return
        with self.admin.connect() as connection:
            for name in reversed(self.created):
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.admin.dispose()


@pytest.fixture(scope="session")
def databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Databases]:
    dbs = Databases(tmp_path_factory.mktemp("databases"))
    yield dbs
    dbs.drop_all()


@pytest.fixture
def database_url(databases: Databases) -> str:
    """A migrated database holding every package under seed/."""
    return databases.copy_of_template()


@pytest.fixture
def blank_database_url(databases: Databases) -> str:
    """A database with no tables at all."""
    return databases.blank()


@pytest.fixture
def blank_engine(blank_database_url: str) -> Iterator[Engine]:
    """A migrated, empty database, for tests that load packages."""
    migrate(blank_database_url)
    engine = build_engine(Settings(database_url=blank_database_url))
    yield engine
    engine.dispose()


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, revision_check_seconds=0, seed_dir=SEED_DIR)


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    engine = build_engine(settings)
    yield engine
    engine.dispose()


@pytest.fixture
def client(settings: Settings, engine: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(settings, engine)) as test_client:
        yield test_client


def copy_package(folder: Path, source: Path = MET_2013, name: str | None = None) -> Path:
    """Copy a seed package into `folder` (as `name`, a relative path) to break or change it."""
    target = folder / (name or source.name)
    shutil.copytree(source, target)
    return target


@pytest.fixture
def package_copy(tmp_path: Path) -> Callable[..., Path]:
    """Copy a seed package into tmp_path so a test can break or change it."""
    return functools.partial(copy_package, tmp_path)


def edit_csv(path: Path, row: int, column: str, value: str) -> None:
    """Set one cell of a copied package; `row` is the spreadsheet row number (header is 1)."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    rows[row - 1][rows[0].index(column)] = value
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


LICENCE = {
    "id": "CC-BY-4.0",
    "title": "Creative Commons Attribution 4.0 (this compilation; the figures are from a "
    "Metropolitan Police FOI answer as reported by the sources)",
    "url": "https://creativecommons.org/licenses/by/4.0/",
}


def met_2013_revision() -> str:
    """met-2013's package revision: a hash of its files."""
    return read_package(MET_2013).disclosure.revision


def seeded_revision() -> str:
    """The id of the revision that publishing every package under seed/ at once gives: the
    one the seeded test databases read."""
    packages = [read_package(root).disclosure for root in find_packages(SEED_DIR)]
    return revision_id(None, {d.id: d.revision for d in packages})


# ---- Which tests the PostgreSQL pass runs, and which share a worker ------------------------
#
# The rule for the `sql` mark: a test touches the database's behaviour, and so runs on both
# backends (`make test-postgres` runs `pytest -m sql` with TEST_BACKEND=postgres), when it
# gets a database from the `databases` fixture, directly or through any fixture built on it
# (database_url, blank_database_url, blank_engine, settings, engine, client), unless its
# module is in NOT_SQL below, each with the reason its outcome cannot depend on the backend.
# A new test that uses a database is therefore `sql` by default. Nothing else gives the mark:
# writing @pytest.mark.sql by hand is an error (tests/test_suite_rules.py checks the rule).

#: Modules whose tests use a database but whose subject is not the database's behaviour.
NOT_SQL: dict[str, str] = {
    "tests/test_abuse_limits.py": "size caps and the rate limit, decided before any query",
    "tests/test_apidocs.py": "Swagger UI's page and assets, served without a query",
    "tests/test_compression.py": "how cached bodies are coded; the bodies are the API tests'",
    "tests/test_fast_path.py": "a cache hit is the miss's bytes; the misses are the API tests'",
    "tests/test_llms.py": "text built from the committed OpenAPI document",
    "tests/test_memory.py": "the response cache's byte budget in a real process",
    "tests/test_mcp_memory.py": "the response cache's byte budget for MCP answers in a real "
    "process",
    "tests/test_metrics.py": "Prometheus counters of requests",
    "tests/test_middleware.py": "the edge layers' order and headers",
    "tests/test_proxy.py": "nginx in front of the app: timeouts, compression, client address",
    "tests/test_request_log.py": "the request log's lines",
    "tests/contract/test_embed_browser.py": "what Chromium draws from answers the API tests "
    "check on both backends",
    "tests/contract/test_web_browser.py": "what Chromium draws from pages tests/web checks on "
    "both backends",
}

#: Modules whose tests must share one pytest-xdist worker, and why.
GROUPS: dict[str, str] = {
    # One app server and one browser for every browser test (tests/contract/conftest.py).
    "tests/contract/test_embed_browser.py": "browser",
    "tests/contract/test_web_browser.py": "browser",
    # Its module fixture validates every package and corrupt case: once a run, not once a
    # worker.
    "tests/seed/test_standard.py": "standard",
}
#: Tests marked `processes` (private PostgreSQL clusters, app servers under SIGSTOP, nginx)
#: run one after another on one worker: their bounded waits are for a machine whose
#: cores are not all taken by other such tests.
PROCESSES_GROUP = "processes"


def sql_mark_applies(item: pytest.Item) -> bool:
    """The rule above, for one collected test."""
    return "databases" in getattr(item, "fixturenames", ()) and module_of(item) not in NOT_SQL


def module_of(item: pytest.Item) -> str:
    return item.path.relative_to(PROJECT_ROOT).as_posix()


@pytest.hookimpl(tryfirst=True)  # before `-m sql` deselects by the mark
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for module in [*NOT_SQL, *GROUPS]:
        if not (PROJECT_ROOT / module).is_file():
            raise pytest.UsageError(f"tests/conftest.py names {module}, which does not exist")
    for item in items:
        if item.get_closest_marker("sql"):
            raise pytest.UsageError(
                f"{item.nodeid}: the sql mark is given by tests/conftest.py's rule, not by hand"
            )
        if sql_mark_applies(item):
            item.add_marker(pytest.mark.sql)
        group = GROUPS.get(module_of(item))
        if group is None and item.get_closest_marker("processes"):
            group = PROCESSES_GROUP
        if group is not None:
            item.add_marker(pytest.mark.xdist_group(group))


# No request-log writer thread in the suite (it would write between tests, outside any
# capture), not even for requests made while test modules are collected.
WRITER.background = False


@pytest.fixture(autouse=True)
def request_log_lines_stay_in_their_test() -> Iterator[None]:
    """Each test's request lines are flushed at its end, into its own captured output."""
    yield
    WRITER.flush()
