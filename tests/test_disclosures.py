"""/v1/meta, /v1/disclosures, /v1/sources, the taxonomies and /v1/cases."""

from fastapi.testclient import TestClient

from service.seed import read_package
from tests.conftest import MET_2013

LICENCE = {
    "id": "CC-BY-4.0",
    "title": "Creative Commons Attribution 4.0 (this compilation; the figures are from a "
    "Metropolitan Police FOI answer as reported by the sources)",
    "url": "https://creativecommons.org/licenses/by/4.0/",
}


def met_2013_revision() -> str:
    return read_package(MET_2013).disclosure.revision


def test_meta_lists_met_2013_with_its_revision(client: TestClient) -> None:
    response = client.get("/v1/meta")
    assert response.status_code == 200
    body = response.json()
    assert len(body["revision"]) == 16
    met = next(d for d in body["datasets"] if d["id"] == "met-2013")
    assert body["api_version"] == "1"
    assert body["service_version"] == "0.1.0"
    assert body["flagship_disclosure"] == "met-2013"
    assert met == {
        "id": "met-2013",
        "version": "1.0.0",
        "revision": met_2013_revision(),
        "last_updated": "2026-11-23",
        "licence": LICENCE,
        "figures": 40,
        "cases": 4,
        "checks": 11,
        "sources": 10,
    }


def test_disclosures_list_says_what_each_counts(client: TestClient) -> None:
    body = client.get("/v1/disclosures").json()
    met = next(d for d in body["data"] if d["id"] == "met-2013")
    assert met["requester"] == "Parliament Street (UK think tank)"
    assert met["foi_reference"] is None
    assert met["first_coverage"] == "2013-04-11"
    assert (met["period_start"], met["period_end"]) == ("2009", "2013")
    assert len(met["comparability"]) == 3
    assert (met["figure_count"], met["case_count"], met["check_count"]) == (40, 4, 11)
    assert met["licence"] == LICENCE


def test_disclosure_detail_has_sources_notes_and_groupings(client: TestClient) -> None:
    body = client.get("/v1/disclosures/met-2013").json()
    assert [s["id"] for s in body["sources"]] == [
        "guardian2013",
        "standard2013",
        "idg_via_parliamentstreet",
        "independent2013",
        "direct2lawyers2013",
        "bbc2011",
        "hrreview2011",
        "yorkshirepost2011",
        "guardian2011",
        "datingorg2011",
    ]
    assert body["sources"][0] == {
        "id": "guardian2013",
        "disclosure": "met-2013",
        "publisher": "The Guardian",
        "title": "Met police investigated 75 officers over Facebook and social networks misuse",
        "url": "https://www.theguardian.com/media/2013/apr/12/met-police-investigate-75-"
        "officers-facebook",
        "date": "2013-04-12",
        "kind": "news",
        "note": None,
    }
    assert [n["id"] for n in body["notes"]] == [
        "met-2013.C1",
        "met-2013.C2",
        "met-2013.C3",
        "met-2013.C4",
        "met-2013.C5",
        "met-2013.C6",
        "met-2013.C7",
        "met-2013.S1",
        "met-2013.S2",
    ]
    assert body["notes"][0]["topic"] == "Who made the request"
    assert [a["by"] for a in body["aggregates"]] == [
        "platform",
        "outcome",
        "staff_type",
        "staff_type,outcome",
        "year",
    ]


def test_unknown_disclosure_is_a_404(client: TestClient) -> None:
    response = client.get("/v1/disclosures/met-1999")
    assert response.status_code == 404
    assert response.json()["detail"] == "No disclosure has the id 'met-1999'."


def test_sources_can_be_limited_to_one_disclosure(client: TestClient) -> None:
    body = client.get("/v1/sources?disclosure=met-2013&limit=2").json()
    assert body["count"] == 10
    assert [s["id"] for s in body["data"]] == ["guardian2013", "standard2013"]


def test_outcomes_are_in_severity_order_with_counts_per_staff_type(client: TestClient) -> None:
    body = client.get("/v1/outcomes").json()
    assert body["count"] == 17
    assert [o["code"] for o in body["data"]][:3] == [
        "dismissed",
        "resigned_or_retired_before_dismissal",
        "resigned_or_retired",
    ]
    dismissed = body["data"][0]
    assert (dismissed["label"], dismissed["order"]) == ("Dismissed", 1)
    assert [(c["staff_type"], c["value"]) for c in dismissed["counts"]] == [
        ("police_officer", 3),
        ("civilian_staff", 4),
        (None, 7),
    ]
    warnings = next(o for o in body["data"] if o["code"] == "written_warning")
    assert [
        (c["staff_type"], c["value"], c["min"], c["max"], c["disputed"]) for c in warnings["counts"]
    ] == [("police_officer", None, 17, 18, True), ("civilian_staff", 4, 4, 4, False)]
    never = next(o for o in body["data"] if o["code"] == "reflective_practice")
    assert never["counts"] == []


def test_platforms_carry_the_platform_figures(client: TestClient) -> None:
    body = client.get("/v1/platforms").json()
    counts = {
        p["code"]: [(c["value"], c["min"], c["qualifier"]) for c in p["counts"]]
        for p in body["data"]
    }
    assert counts["facebook"] == [(None, None, "the vast majority")]
    assert counts["twitter"] == [(2, 2, None)]
    assert counts["unspecified"] == [(None, 2, "a number of")]
    assert counts["instagram"] == []


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
        "summary": "A member of civilian staff was dismissed early in 2013 over inappropriate "
        "comments on Facebook.",
        "in_foi_answer": "yes",
        "sources": ["guardian2013"],
        "note": "The Guardian attributes this case to the FOI answer.",
    }
    text = client.get("/v1/cases?format=csv&limit=500").text.lower()
    for word in ("aged", "age 35", "age 29", "age 46", "islington", " pc "):
        assert word not in text


def test_cases_filter(client: TestClient) -> None:
    officers = client.get(
        "/v1/cases?disclosure=met-2013&staff_type=police_officer&platform=facebook"
    ).json()
    assert [c["id"] for c in officers["data"]] == ["met-2013.case-1", "met-2013.case-2"]
    assert client.get("/v1/cases?disclosure=met-2013&year=2013").json()["count"] == 1
    assert client.get("/v1/cases/met-2013.case-9").status_code == 404
