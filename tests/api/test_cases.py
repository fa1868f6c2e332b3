"""/v1/cases: documented cases without personal details, filters, the live-row indexes
(migration 0005_live_indexes; their plans are in tests/test_list_plans.py) and cursor pages."""

from fastapi.testclient import TestClient
from sqlalchemy import inspect
from sqlalchemy.engine import Engine


def test_cases_have_live_row_indexes_in_page_order(engine: Engine) -> None:
    indexes = {str(i["name"]): i["column_names"] for i in inspect(engine).get_indexes("cases")}
    order = ["disclosure_id", "position", "id"]
    assert {n: c for n, c in indexes.items() if "_live_" in n} == {
        "ix_cases_live_order": order,
        "ix_cases_live_staff_type": ["staff_type", *order],
        "ix_cases_live_outcome": ["outcome", *order],
        "ix_cases_live_platform": ["platform", *order],
        "ix_cases_live_year": ["year", *order],
    }
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
        "note": "The Guardian attributes this case to the FOI answer.",
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
