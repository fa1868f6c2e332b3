"""Docs that cannot rot: README examples, endpoints, settings and seed columns."""

import re

from scripts.readme_examples import README, fill
from service.config import Settings
from service.main import create_app
from service.seed import TABLES

TEXT = README.read_text(encoding="utf-8")


def test_readme_examples_are_the_real_responses() -> None:
    assert fill(TEXT) == TEXT, "README examples are stale: run `make readme`"


def test_every_endpoint_is_in_the_readme() -> None:
    routes = create_app(Settings(revision_check_seconds=0)).routes
    paths = [str(getattr(r, "path", "")) for r in routes if getattr(r, "include_in_schema", 0)]
    documented = set(re.findall(r"`(?:GET|HEAD) ([^`]+)`", TEXT))
    missing = [
        p
        for p in paths
        if p.replace("{figure_id}", "{id}")
        .replace("{case_id}", "{id}")
        .replace("{check_id}", "{id}")
        .replace("{disclosure_id}", "{id}")
        not in documented
        and not p.startswith("/problems")
    ]
    assert missing == []


def test_every_seed_column_is_described() -> None:
    for table, spec in TABLES.items():
        for field in spec["fields"]:
            assert field["description"], (table, field["name"])


def test_readme_starts_with_the_two_commands() -> None:
    quick_start = TEXT.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    assert "make run" in quick_start
    assert "make test" in quick_start
