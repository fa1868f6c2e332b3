"""Docs that cannot rot: generated blocks, endpoints, seed columns, pages and links."""

import re

import yaml  # type: ignore[import-untyped]

from scripts.doc_examples import DOCS, README, fill, pages
from service.config import PROJECT_ROOT, Settings
from service.main import create_app
from service.seed import TABLES

PAGES = pages()
API = (DOCS / "api.md").read_text(encoding="utf-8")
DATA = (DOCS / "data.md").read_text(encoding="utf-8")


def section(text: str, heading: str) -> str:
    """The text under a heading, up to the next heading of the same level or higher."""
    assert f"\n{heading}\n" in f"\n{text}", f"no {heading!r} heading"
    level = heading.split(" ", 1)[0]
    body = f"\n{text}".split(f"\n{heading}\n", 1)[1]
    return re.split(rf"\n#{{1,{len(level)}}} ", body, maxsplit=1)[0]


def test_generated_blocks_are_current() -> None:
    filled = fill(PAGES)
    stale = [path.name for path, text in PAGES.items() if filled[path] != text]
    assert stale == [], "generated blocks are stale: run `make docs-examples`"


def test_every_endpoint_is_in_the_api_page() -> None:
    # The schema, not app.routes: routers included in the app are not flattened into it.
    paths = create_app(Settings(revision_check_seconds=0)).openapi()["paths"]
    documented = set(re.findall(r"`(?:GET|HEAD) ([^`]+)`", API))
    missing = [
        path
        for path in paths
        if re.sub(r"\{\w+_id\}", "{id}", path) not in documented
        and not path.startswith("/problems/")
    ]
    assert len(paths) > 20
    assert missing == []


def test_every_seed_column_is_described_in_the_data_page() -> None:
    columns = section(DATA, "## Seed columns")
    for table, spec in TABLES.items():
        rows = section(columns, f"### `{table}.csv`")
        for field in spec["fields"]:
            assert field["description"], (table, field["name"])
            assert f"| `{field['name']}` |" in rows, (table, field["name"])


def test_readme_and_index_start_with_the_two_commands() -> None:
    for path in (README, DOCS / "index.md"):
        quick_start = section(PAGES[path], "## Quick start")
        assert "make run" in quick_start, path.name
        assert "make test" in quick_start, path.name


def test_every_page_is_in_the_site_nav_and_linked_from_the_readme() -> None:
    config = yaml.safe_load((PROJECT_ROOT / "mkdocs.yml").read_text())
    nav = {page for entry in config["nav"] for page in entry.values()}
    on_disk = {path.name for path in DOCS.glob("*.md")}
    assert nav == on_disk
    linked = set(re.findall(r"\]\(docs/([\w-]+\.md)[)#]", PAGES[README]))
    assert linked >= on_disk - {"index.md"}


def test_site_builds_outside_git_without_remote_fonts() -> None:
    config = yaml.safe_load((PROJECT_ROOT / "mkdocs.yml").read_text())
    assert config["site_dir"] == "var/site"
    assert "var/" in (PROJECT_ROOT / ".gitignore").read_text().split()
    assert config["theme"]["font"] is False


def test_links_from_the_readme_and_pages_to_files_resolve() -> None:
    # mkdocs checks links between pages; this checks what it does not see: README's links.
    broken = []
    for path, text in PAGES.items():
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if re.match(r"\w+:", target) or target.startswith("#"):
                continue
            if not (path.parent / target.split("#", 1)[0]).exists():
                broken.append((path.name, target))
    assert broken == []
