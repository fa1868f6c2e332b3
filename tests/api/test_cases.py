"""/v1/cases: documented cases without personal details, filters, and the page-order index
(migration 0004_revisions) that keeps an uncached deep page of the newest revision from
sorting the table."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

from tests.conftest import BACKEND


def test_cases_have_an_index_in_page_order(engine: Engine) -> None:
    indexes = {i["name"]: i["column_names"] for i in inspect(engine).get_indexes("cases")}
    assert indexes["ix_cases_page_order"] == ["rev_to", "disclosure_id", "position", "id"]


def test_a_cases_page_is_read_in_index_order_without_a_sort(engine: Engine) -> None:
    if BACKEND != "sqlite":
        pytest.skip("PostgreSQL's planner picks by table size: four rows are a sequential scan")
    newest = "EXPLAIN QUERY PLAN SELECT * FROM cases WHERE rev_to IS NULL"
    with engine.connect() as connection:
        every = connection.execute(
            text(f"{newest} ORDER BY disclosure_id, position, id LIMIT 50 OFFSET 2")
        )
        assert [row[-1] for row in every] == [
            "SEARCH cases USING INDEX ix_cases_page_order (rev_to=?)"
        ]
        one = connection.execute(
            text(f"{newest} AND disclosure_id = 'met-2013' ORDER BY position, id LIMIT 50")
        )
        assert [row[-1] for row in one] == [
            "SEARCH cases USING INDEX ix_cases_page_order (rev_to=? AND disclosure_id=?)"
        ]


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
