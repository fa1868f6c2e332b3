"""The suite's own rules (tests/conftest.py): which tests the PostgreSQL pass runs, and
which tests share one pytest-xdist worker."""

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from service.config import PROJECT_ROOT
from tests.conftest import GROUPS, NOT_SQL, PROCESSES_GROUP, sql_mark_applies


def fake_item(module: str, *fixtures: str) -> Any:
    return SimpleNamespace(path=PROJECT_ROOT / module, fixturenames=list(fixtures))


def test_a_test_given_a_database_by_any_fixture_runs_on_both_backends() -> None:
    # client stands on settings, database_url and databases; pytest lists the whole closure.
    assert sql_mark_applies(fake_item("tests/api/test_x.py", "client", "databases"))
    assert sql_mark_applies(fake_item("tests/seed/test_x.py", "blank_engine", "databases"))
    assert not sql_mark_applies(fake_item("tests/test_x.py", "tmp_path"))
    assert not sql_mark_applies(fake_item("tests/test_x.py", "package_copy", "tmp_path"))
    browser = next(iter(NOT_SQL))
    assert not sql_mark_applies(fake_item(browser, "api_server", "databases"))


def test_every_collected_test_has_the_marks_the_rules_give(request: pytest.FixtureRequest) -> None:
    items = request.session.items
    assert request.node in items
    for item in items:
        assert bool(item.get_closest_marker("sql")) == sql_mark_applies(item), item.nodeid
        groups = [m.args[0] for m in item.iter_markers("xdist_group")]
        module = item.path.relative_to(PROJECT_ROOT).as_posix()
        if module in GROUPS:
            assert groups == [GROUPS[module]], item.nodeid
        elif item.get_closest_marker("processes"):
            assert groups == [PROCESSES_GROUP], item.nodeid
        else:
            assert groups == [], item.nodeid


def test_the_rules_name_only_modules_that_exist() -> None:
    for module in [*NOT_SQL, *GROUPS]:
        assert (PROJECT_ROOT / module).is_file(), module
        assert Path(module).name.startswith("test_"), module
