"""/v1/figures: every source's report kept, disputes detected, vague words kept as words."""

import csv
import io
import json

from fastapi.testclient import TestClient

from service.seed import read_package
from tests.conftest import MET_2013


def test_disputed_written_warnings_keep_both_reports(client: TestClient) -> None:
    response = client.get("/v1/figures/met-2013.officers.written-warning")
    assert response.status_code == 200
    figure = response.json()
    revision = read_package(MET_2013).disclosure.revision
    assert figure == {
        "id": "met-2013.officers.written-warning",
        "disclosure": "met-2013",
        "measure": "people_by_outcome",
        "label": "Police officers given a written warning",
        "staff_type": "police_officer",
        "outcome": "written_warning",
        "platform": None,
        "allegation": None,
        "year": None,
        "rank": None,
        "period": "2009 to 2012",
        "value": None,
        "min": 17,
        "max": 18,
        "qualifier": None,
        "reading": "17 to 18",
        "unit": "officers",
        "derived": False,
        "disputed": True,
        "note": figure["note"],
        "reports": [
            {
                "source": "guardian2013",
                "publisher": "The Guardian",
                "value": 18,
                "min": None,
                "max": None,
                "qualifier": None,
                "reading": "18",
                "note": None,
            },
            {
                "source": "standard2013",
                "publisher": "Evening Standard",
                "value": 17,
                "min": None,
                "max": None,
                "qualifier": None,
                "reading": "17",
                "note": None,
            },
            {
                "source": "independent2013",
                "publisher": "The Independent",
                "value": 17,
                "min": None,
                "max": None,
                "qualifier": None,
                "reading": "17",
                "note": None,
            },
        ],
        "citation": "Police officers given a written warning: 17 to 18 (sources disagree: The "
        "Guardian 18, Evening Standard 17, The Independent 17). Source: figures in the "
        "Metropolitan Police Service FOI answer to Parliament Street (UK think tank), covering "
        "2009 to 2013, as reported by The Guardian, Evening Standard, The Independent. Dataset "
        f"met-2013 v1.0.0, revision {revision}, figure met-2013.officers.written-warning.",
    }
    assert figure["note"].startswith("The Guardian gives 18 and the Standard and the ")


def test_facebook_has_a_qualifier_and_no_number(client: TestClient) -> None:
    figure = client.get("/v1/figures/met-2013.platform.facebook").json()
    assert (figure["value"], figure["min"], figure["max"]) == (None, None, None)
    assert figure["qualifier"] == "the vast majority"
    assert figure["reading"] == "the vast majority"
    assert figure["disputed"] is False
    assert figure["reports"] == [
        {
            "source": "idg_via_parliamentstreet",
            "publisher": "Parliament Street (reproducing IDG News Service)",
            "value": None,
            "min": None,
            "max": None,
            "qualifier": "the vast majority",
            "reading": "the vast majority",
            "note": "No number given.",
        }
    ]
    assert figure["citation"].startswith(
        "Cases involving Facebook: “the vast majority” (no number given). Source: figures in"
    )


def test_an_exact_figure_has_min_and_max_equal_to_its_value(client: TestClient) -> None:
    figure = client.get("/v1/figures/met-2013.all.dismissed").json()
    assert (figure["value"], figure["min"], figure["max"]) == (7, 7, 7)
    assert [r["source"] for r in figure["reports"]] == [
        "guardian2013",
        "standard2013",
        "idg_via_parliamentstreet",
        "independent2013",
    ]


def test_a_derived_figure_says_so_and_has_no_reports(client: TestClient) -> None:
    figure = client.get("/v1/figures/met-2013.all.investigated").json()
    assert (figure["value"], figure["derived"], figure["reports"]) == (87, True, [])
    assert "Source: our arithmetic from figures in the Metropolitan" in figure["citation"]


def test_figures_filter_by_dimension_and_dispute(client: TestClient) -> None:
    disputed = client.get("/v1/figures?disputed=true&disclosure=met-2013").json()
    assert disputed["count"] == 1
    assert [f["id"] for f in disputed["data"]] == ["met-2013.officers.written-warning"]
    staff = client.get(
        "/v1/figures?disclosure=met-2013&staff_type=civilian_staff&outcome=dismissed"
    ).json()
    assert [f["id"] for f in staff["data"]] == [
        "met-2013.staff.dismissed",
        "met-2013.staff.dismissed-facebook",
        "met-2013.staff.dismissed-2013",
    ]
    by_year = client.get("/v1/figures?disclosure=met-2013&year=2011").json()
    assert [f["id"] for f in by_year["data"]] == ["met-2013.officers.dismissed-2011"]
    assert (
        client.get("/v1/figures?disclosure=met-2013&measure=cases_by_platform&limit=0").json()[
            "count"
        ]
        == 7
    )


def test_figures_unknown_measure_lists_the_known_ones(client: TestClient) -> None:
    response = client.get("/v1/figures?measure=sacked")
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["parameter"] == "measure"
    assert "people_by_outcome" in error["allowed"]


def test_figures_csv_parses_back_to_the_json(client: TestClient) -> None:
    page = client.get("/v1/figures?disclosure=met-2013&limit=500").json()["data"]
    response = client.get("/v1/figures?disclosure=met-2013&limit=500&format=csv")
    parsed = list(csv.DictReader(io.StringIO(response.text)))
    assert len(parsed) == len(page) == 40
    for item, flat in zip(page, parsed, strict=True):
        assert json.loads(flat["reports"]) == item["reports"]
        assert flat["id"] == item["id"]
        assert flat["value"] == ("" if item["value"] is None else str(item["value"]))
        assert flat["disputed"] == str(item["disputed"]).lower()
        assert flat["citation"] == item["citation"]


def test_unknown_figure_is_a_404_problem(client: TestClient) -> None:
    response = client.get("/v1/figures/met-2013.officers.sacked")
    assert response.status_code == 404
    assert response.json() == {
        "type": "/problems/not-found",
        "title": "Not found",
        "status": 404,
        "detail": "No figure has the id 'met-2013.officers.sacked'.",
        "instance": "/v1/figures/met-2013.officers.sacked",
    }


def test_figures_q_searches_labels_and_notes_ignoring_case(client: TestClient) -> None:
    body = client.get("/v1/figures?disclosure=met-2013&q=WRITTEN WARNING&limit=500").json()
    ids = [f["id"] for f in body["data"]]
    assert "met-2013.officers.written-warning" in ids
    for figure in body["data"]:
        assert "written warning" in f"{figure['label']} {figure['note'] or ''}".lower()
    assert client.get("/v1/figures?q=100%25").json()["count"] == 0  # % is literal
    too_long = client.get("/v1/figures?q=" + "x" * 101)
    assert too_long.status_code == 422


def test_figures_sort_by_a_field_descending_with_a_stable_tie_break(client: TestClient) -> None:
    body = client.get("/v1/figures?disclosure=met-2013&sort=-value&limit=3").json()
    assert [(f["id"], f["value"]) for f in body["data"]] == [
        ("met-2013.all.investigated", 87),
        ("met-2013.officers.investigated", 75),
        ("met-2013.all.adverse-finding-or-departure", 50),
    ]
    ascending = client.get("/v1/figures?disclosure=met-2013&sort=value&limit=500").json()
    values = [f["value"] for f in ascending["data"]]
    numbers = [v for v in values if v is not None]
    assert numbers == sorted(numbers)
    assert values[len(numbers) :] == [None] * (len(values) - len(numbers))  # empty last
    bad = client.get("/v1/figures?sort=colour")
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["allowed"][:4] == ["id", "-id", "disclosure", "-disclosure"]


def test_figures_of_a_measure_another_disclosure_has_are_an_empty_page(
    client: TestClient,
) -> None:
    body = client.get("/v1/figures?disclosure=met-2010&measure=cases_by_platform").json()
    assert (body["count"], body["data"]) == (0, [])
