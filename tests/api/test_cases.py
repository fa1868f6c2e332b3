"""/v1/cases: documented cases without personal details, filters, the live-row indexes
(migration 0005_live_indexes; their plans are in tests/test_list_plans.py) and cursor pages."""

import csv
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import inspect
from sqlalchemy.engine import Engine

from service.seed.load import publish_packages
from tests.conftest import MET_2013, edit_csv
from tests.revisions import append_row


def test_cases_have_live_row_indexes_in_page_order(engine: Engine) -> None:
    indexes = {str(i["name"]): i["column_names"] for i in inspect(engine).get_indexes("cases")}
    order = ["disclosure_id", "position", "id"]
    expected: dict[str, list[str | None]] = {
        "ix_cases_live_order": [*order],
        "ix_cases_live_staff_type": ["staff_type", *order],
        "ix_cases_live_outcome": ["outcome", *order],
        "ix_cases_live_platform": ["platform", *order],
        "ix_cases_live_year": ["year", *order],
        # Two filters together (migration 0008): the pairs the extended statistics name.
        "ix_cases_live_platform_year": ["platform", "year", *order],
        "ix_cases_live_staff_type_outcome": ["staff_type", "outcome", *order],
    }
    if engine.dialect.name == "postgresql":
        # Text search (migration 0006): trigram indexes over expressions, no plain column;
        # SQLite searches an FTS5 table instead.
        expected |= {
            "ix_cases_live_summary_trigrams": [None],
            "ix_cases_live_note_trigrams": [None],
        }
    assert {n: c for n, c in indexes.items() if "_live_" in n} == expected
    assert "ix_cases_page_order" not in indexes


def test_cases_hold_no_personal_details(client: TestClient) -> None:
    body = client.get("/v1/cases?disclosure=met-2013").json()
    assert body["count"] == 4
    assert client.get("/v1/cases/met-2013.case-4").json() == {
        "id": "met-2013.case-4",
        "disclosure": "met-2013",
        "staff_type": "civilian_staff",
        "rank": None,
        "year": 2013,
        "platform": "facebook",
        "allegation": "inappropriate_comments",
        "outcome": "dismissed",
        "summary": "A member of civilian staff was dismissed in 2013 over inappropriate comments "
        "on Facebook.",
        "in_foi_answer": "yes",
        "sources": ["guardian2013"],
        "note": "The Guardian attributes this case to the FOI answer. It is counted in figure "
        "met-2013.staff.dismissed-2013 (1 to 4 civilian staff dismissed in 2013 over "
        "inappropriate comments on Facebook).",
    }
    text = client.get("/v1/cases?format=csv&limit=500").text.lower()
    for word in (
        "aged",
        "age 35",
        "age 29",
        "age 46",
        "14-year-old",
        "islington",
        " pc ",
        "chief inspector",
        "acquitted",
        "arrested",
        "june",
        "december",
        "early in",
    ):
        assert word not in text


def test_cases_filter(client: TestClient) -> None:
    officers = client.get(
        "/v1/cases?disclosure=met-2013&staff_type=police_officer&platform=facebook"
    ).json()
    assert [c["id"] for c in officers["data"]] == ["met-2013.case-1", "met-2013.case-2"]
    assert client.get("/v1/cases?disclosure=met-2013&year=2013").json()["count"] == 1
    assert client.get("/v1/cases/met-2013.case-9").status_code == 404


def _with_cases(root: Path, numbers: range) -> None:
    for n in numbers:
        append_row(
            root / "cases.csv",
            {
                "id": f"met-2013.case-{n}",
                "staff_type": "police_officer",
                "year": "2012",
                "platform": "twitter",
                "allegation": "inappropriate_comments",
                "outcome": "dismissed",
                "summary": f"Test case {n} (test data).",
                "in_foi_answer": "uncertain",
                "sources": "guardian2013",
            },
        )


def _without_case(root: Path, case_id: str) -> None:
    path = root / "cases.csv"
    with path.open(newline="", encoding="utf-8") as handle:
        rows = [r for r in csv.reader(handle) if r[0] != case_id]
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def test_cursor_pages_give_every_case_once_while_revisions_are_published(
    client: TestClient, engine: Engine, package_copy: Callable[..., Path]
) -> None:
    """Between pages a load corrects a case already read, removes one (which moves every
    later case up a place: an offset would now skip one) and appends new ones."""
    first = package_copy(MET_2013, "r0/met-2013")
    _with_cases(first, range(5, 9))
    publish_packages(engine, [first])
    url: str | None = "/v1/cases?disclosure=met-2013&limit=2"
    seen: list[str] = []
    changes: list[Callable[[Path], None]] = [
        lambda root: edit_csv(root / "cases.csv", 2, "summary", "Corrected (test data)."),
        lambda root: _without_case(root, "met-2013.case-1"),
        lambda root: _with_cases(root, range(9, 11)),
    ]
    while url is not None:
        page = client.get(url).json()
        seen += [c["id"] for c in page["data"]]
        url = page["next"]
        if changes:
            changed = package_copy(first, f"r{4 - len(changes)}/met-2013")
            changes.pop(0)(changed)
            publish_packages(engine, [changed])
            first = changed
    assert seen == [f"met-2013.case-{n}" for n in range(1, 11)]


def _with_case_first(root: Path, number: int) -> None:
    """A new case at the top of cases.csv: every case after it moves down a place."""
    _with_cases(root, range(number, number + 1))
    path = root / "cases.csv"
    with path.open(newline="", encoding="utf-8") as handle:
        header, *rows = list(csv.reader(handle))
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows([header, rows[-1], *rows[:-1]])


@pytest.mark.parametrize("q", [None, "test case"])
def test_a_cursor_follows_its_case_when_a_load_renumbers_the_cases(
    client: TestClient, engine: Engine, package_copy: Callable[..., Path], q: str | None
) -> None:
    """Between two pages a case is published at the top of the list: the cases already read
    move down a place, and the next page starts after the last one read, not at its old
    place (which would give it again). Also for a text search, whose pages come from a walk
    of the list (issue 28)."""
    first = package_copy(MET_2013, "r0/met-2013")
    _with_cases(first, range(5, 9))
    if q is not None:  # every case holds the text
        for row in range(2, 6):
            edit_csv(first / "cases.csv", row, "summary", f"Test case {row - 1} (test data).")
    publish_packages(engine, [first])
    params: dict[str, str | int] = {"disclosure": "met-2013", "limit": 3}
    if q is not None:
        params["q"] = q
    page = client.get("/v1/cases", params=params).json()
    seen = [c["id"] for c in page["data"]]
    changed = package_copy(first, "r1/met-2013")
    _with_case_first(changed, 9)
    publish_packages(engine, [changed])
    url: str | None = page["next"]
    while url is not None:
        page = client.get(url).json()
        seen += [c["id"] for c in page["data"]]
        url = page["next"]
    assert seen == [f"met-2013.case-{n}" for n in range(1, 9)]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("FACEBOOK", ["met-2013.case-1", "met-2013.case-2", "met-2013.case-4"]),
        ("dismissed for", ["met-2013.case-1", "met-2013.case-2", "met-2013.case-3"]),
        ("oK", ["met-2013.case-1", "met-2013.case-2", "met-2013.case-4"]),  # under 3: LIKE
        ('"Facebook', []),  # a quote is a character, not FTS5 syntax
        ("100%", []),  # % is literal
    ],
)
def test_q_finds_text_in_summaries_and_notes_ignoring_case(
    client: TestClient, q: str, expected: list[str]
) -> None:
    page = client.get("/v1/cases", params={"disclosure": "met-2013", "q": q}).json()
    assert ([c["id"] for c in page["data"]], page["count"]) == (expected, len(expected))


def test_q_finds_a_case_published_after_the_index_was_built(
    client: TestClient, engine: Engine, package_copy: Callable[..., Path]
) -> None:
    """The text index follows every load: a new case is found, a corrected summary is
    found by its new words only."""
    changed = package_copy(MET_2013, "r1/met-2013")
    _with_cases(changed, range(5, 6))
    edit_csv(changed / "cases.csv", 2, "summary", "Corrected wording (test data).")
    publish_packages(engine, [changed])

    def found(q: str) -> list[str]:
        return [c["id"] for c in client.get("/v1/cases", params={"q": q}).json()["data"]]

    assert found("test case 5") == ["met-2013.case-5"]
    assert found("corrected wording") == ["met-2013.case-1"]
    assert found("offensive facebook posts") == []
