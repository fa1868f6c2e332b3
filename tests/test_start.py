"""`met-foi start`'s steps, in process: waiting for the database, migrating and seeding."""

import gc
import signal
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import inspect
from sqlmodel import Session, select

from service.cli import main, prepare, served_app, wait_for_database
from service.config import Settings, get_settings
from service.db import build_engine
from service.main import ServiceApp
from service.seed import find_packages
from service.tables import Disclosure
from tests.conftest import SEED_DIR, seeded_revision
from tests.processes import free_port


def disclosures_in(database_url: str) -> list[str]:
    engine = build_engine(Settings(database_url=database_url))
    try:
        with Session(engine) as session:
            return list(session.exec(select(Disclosure.id)).all())
    finally:
        engine.dispose()


def unreachable_url() -> str:
    return f"postgresql://postgres@127.0.0.1:{free_port()}/nowhere"


def test_wait_for_database_returns_once_the_database_answers(database_url: str) -> None:
    assert wait_for_database(Settings(database_url=database_url, db_wait_seconds=0)) is True


def test_wait_for_database_gives_up_after_the_configured_wait(
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings = Settings(database_url=unreachable_url(), db_wait_seconds=0, db_connect_timeout=1)
    assert wait_for_database(settings) is False
    assert capsys.readouterr().err == (
        "database still unreachable after 1 attempt(s): OperationalError; giving up\n"
    )


def test_prepare_migrates_and_seeds_once_then_finds_nothing_to_do(
    blank_database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(database_url=blank_database_url, seed_dir=SEED_DIR)
    assert prepare(settings) == 0
    first = capsys.readouterr()
    assert first.err == "migrated to the latest schema\n"
    *lines, published, note = first.out.splitlines()
    assert len(lines) == len(find_packages(SEED_DIR))
    assert "met-2013: loaded; 40 figures, 80 reports, 4 cases, 10 checks" in first.out
    assert published.startswith(f"published revision {seeded_revision()} (number 1); figures: ")
    assert note.startswith("  note: met-2010: ")
    assert disclosures_in(blank_database_url) == [p.name for p in find_packages(SEED_DIR)]

    assert prepare(settings) == 0
    *again, kept = capsys.readouterr().out.splitlines()
    assert [line.split(":")[1].split(";")[0] for line in again] == [" unchanged"] * len(lines)
    assert kept == f"nothing changed: revision {seeded_revision()} stays the newest"


def test_prepare_without_seeding_leaves_the_tables_empty(
    blank_database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(database_url=blank_database_url, seed_dir=SEED_DIR, seed_on_start=False)
    assert prepare(settings) == 0
    assert capsys.readouterr().err == (
        "migrated to the latest schema\nAPP_SEED_ON_START is off: seed packages not loaded\n"
    )
    engine = build_engine(settings)
    assert "disclosures" in inspect(engine).get_table_names()
    engine.dispose()
    assert disclosures_in(blank_database_url) == []


def test_prepare_fails_and_loads_nothing_when_a_package_is_invalid(
    blank_database_url: str,
    package_copy: Callable[..., Path],
    capsys: pytest.CaptureFixture[str],
) -> None:
    package = package_copy()
    (package / "figures.csv").write_text("id\n")
    settings = Settings(database_url=blank_database_url, seed_dir=package.parent)
    assert prepare(settings) == 1
    assert capsys.readouterr().err.startswith("migrated to the latest schema\nNothing loaded: ")
    assert disclosures_in(blank_database_url) == []


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """Settings from the environment, as `met-foi` reads them, restored afterwards."""
    original = signal.getsignal(signal.SIGTERM)
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()
    signal.signal(signal.SIGTERM, original)


def test_start_exits_1_when_the_database_never_answers(
    environment: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    environment.setenv("APP_DATABASE_URL", unreachable_url())
    environment.setenv("APP_DB_WAIT_SECONDS", "0")
    environment.setenv("APP_DB_CONNECT_TIMEOUT", "1")
    assert main(["start"]) == 1
    assert capsys.readouterr().err.endswith("OperationalError; giving up\n")
    handler = signal.getsignal(signal.SIGTERM)
    assert callable(handler)
    with pytest.raises(SystemExit) as stopped:
        handler(signal.SIGTERM, None)
    assert stopped.value.code == 143


def test_start_exits_1_when_the_seed_is_invalid(
    environment: pytest.MonkeyPatch,
    blank_database_url: str,
    package_copy: Callable[..., Path],
    capsys: pytest.CaptureFixture[str],
) -> None:
    package = package_copy()
    (package / "figures.csv").write_text("id\n")
    environment.setenv("APP_DATABASE_URL", blank_database_url)
    environment.setenv("APP_SEED_DIR", str(package.parent))
    assert main(["start"]) == 1
    assert "Nothing loaded: " in capsys.readouterr().err


def test_the_served_app_puts_what_start_up_made_out_of_the_collectors_reach(
    environment: pytest.MonkeyPatch,
) -> None:
    """Issue 28: a full collection walked every object start-up made, inside whichever
    request it fell in (110 to 140 ms of one read's CPU)."""
    environment.setenv("APP_DATABASE_URL", "sqlite://")
    assert gc.get_freeze_count() == 0
    try:
        app = served_app()
        assert isinstance(app, ServiceApp)
        assert gc.get_freeze_count() > 10_000  # the modules, models and routes, at least
    finally:
        gc.unfreeze()
