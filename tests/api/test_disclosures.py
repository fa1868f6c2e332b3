"""/v1/disclosures and /v1/sources."""

from fastapi.testclient import TestClient

from tests.conftest import LICENCE


def test_disclosures_list_says_what_each_counts(client: TestClient) -> None:
    body = client.get("/v1/disclosures").json()
    met = next(d for d in body["data"] if d["id"] == "met-2013")
    assert met["requester"] == "Parliament Street (UK think tank)"
    assert met["foi_reference"] is None
    assert met["first_coverage"] == "2013-04-11 (approximate, inferred)"
    assert met["date_precision"].startswith("The first coverage date is approximate")
    # Officers run to 2012 and staff to early 2013, so the answer has no single end.
    assert (met["period_start"], met["period_end"]) == ("2009", None)
    assert len(met["comparability"]) == 3
    assert (met["figure_count"], met["case_count"], met["check_count"]) == (40, 4, 10)
    assert met["licence"] == LICENCE


def test_disclosure_detail_has_sources_notes_and_groupings(client: TestClient) -> None:
    body = client.get("/v1/disclosures/met-2013").json()
    assert [s["id"] for s in body["sources"]] == [
        "guardian2013",
        "standard2013",
        "idg_via_parliamentstreet",
        "independent2013",
        "direct2lawyers2013",
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
        "met-2013.K6",
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
    assert body["count"] == 5
    assert [s["id"] for s in body["data"]] == ["guardian2013", "standard2013"]
