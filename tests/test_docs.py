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


#: What may be written in figures in README.md and docs/index.md: dates, and the versions of
#: Python and of the data's licence. Anything else there is a count that would go stale.
STABLE_NUMBERS = re.compile(
    r"\b\d{1,2} (?:January|February|March|April|May|June|July|August|September|October"
    r"|November|December) \d{4}\b|\b(?:January|February|March|April|May|June|July|August"
    r"|September|October|November|December) \d{4}\b|Python 3\.\d+\+|CC BY \d\.\d"
)
COUNT_WORDS = re.compile(
    r"\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozens?|hundreds?"
    r"|thousands?|millions?|several|both)\b",
    re.IGNORECASE,
)


def prose(markdown: str) -> str:
    """The words a reader reads as text: no code blocks, code spans or link targets."""
    markdown = re.sub(r"```.*?```", " ", markdown, flags=re.DOTALL)
    markdown = re.sub(r"`[^`]*`", " ", markdown)
    return re.sub(r"\]\([^)]*\)", "]", markdown)


def test_no_count_in_the_readme_or_the_index_can_go_stale() -> None:
    # Counts of things (answers, pages, tests...) belong in generated blocks or nowhere.
    for path in (README, DOCS / "index.md"):
        text = STABLE_NUMBERS.sub(" ", prose(PAGES[path]))
        assert re.findall(r"\S*\d\S*", text) == [], path.name
        assert COUNT_WORDS.findall(text) == [], path.name
    assert COUNT_WORDS.findall("the six FOI answers, both databases") == ["six", "both"]
    assert re.findall(r"\d+", STABLE_NUMBERS.sub(" ", prose("nine load, 7 pages"))) == ["7"]


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
