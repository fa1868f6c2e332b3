"""Forces (issue 27): every force with its figures, each answer apart, a survey's national
figure only as context; every force a survey asked, refusals and gaps kept visible; and no
series that joins two surveys, or a survey and a force's own answer, on one line."""

from typing import Any

from fastapi.testclient import TestClient

from service.forces import in_region

KENT_CASES = "pa-2014.kent-police.cases"
NATIONAL = "pa-2014.cases"
REFUSED = ["essex-police", "hampshire-constabulary", "merseyside-police", "staffordshire-police"]
#: The forces pa-2014 has figures about, per the research file (refusals apart).
COUNTED = {
    "cleveland-police": 15,
    "cumbria-constabulary": 7,
    "durham-constabulary": 1,
    "greater-manchester-police": 88,
    "humberside-police": 23,
    "kent-police": 55,
    "lancashire-constabulary": 43,
    "metropolitan-police-service": 69,
    "north-yorkshire-police": 46,
    "northamptonshire-police": 34,
    "northumbria-police": 24,
    "south-yorkshire-police": 13,
    "sussex-police": 6,
    "warwickshire-police": 8,
    "west-mercia-police": 20,
    "west-midlands-police": 74,
    "west-yorkshire-police": 35,
}


def test_the_forces_are_listed_with_what_the_data_holds_about_each(client: TestClient) -> None:
    body = client.get("/v1/forces", params={"limit": 100}).json()
    assert body["count"] == 53
    listed = {f["id"]: f for f in body["data"]}
    assert list(listed)[:2] == ["avon-and-somerset-constabulary", "bedfordshire-police"]
    kent = listed["kent-police"]
    assert (kent["name"], kent["region"], kent["figure_count"]) == (
        "Kent Police",
        "england_and_wales",
        4,
    )
    assert kent["disclosures"] == ["pa-2014"]
    assert kent["page_url"] == "http://testserver/forces/kent-police"
    met = listed["metropolitan-police-service"]
    assert met["disclosures"][:3] == ["met-2010", "met-2013", "met-2014"]
    assert "pa-2014" in met["disclosures"]
    assert listed["police-scotland"]["figure_count"] == 0


def test_kent_s_figure_keeps_each_paper_s_own_report(client: TestClient) -> None:
    body = client.get("/v1/figures", params={"force": "kent-police"}).json()
    assert [f["id"] for f in body["data"]] == [
        KENT_CASES,
        "pa-2014.kent-police.case-to-answer",
        "pa-2014.kent-police.resigned",
        "pa-2014.kent-police.warning-or-advice",
    ]
    cases = body["data"][0]
    assert (cases["force"], cases["value"], cases["unit"], cases["disputed"]) == (
        "kent-police",
        55,
        "cases",
        False,
    )
    assert [(r["publisher"].split(" (")[0], r["kind"], r["reading"]) for r in cases["reports"]] == [
        ("News Shopper", "number", "55"),
        ("KentOnline", "words", "more than 50"),
        ("Kentish Express, Ashford and District", "words", "more than 50"),
    ]
    assert "Press Association FOI survey of all 43 forces of England and Wales" in cases["citation"]


def test_an_unknown_force_is_refused_with_the_ids_there_are(client: TestClient) -> None:
    response = client.get("/v1/figures", params={"force": "kent"})
    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert error["parameter"] == "force"
    assert client.get("/v1/forces/kent").status_code == 404


def test_a_force_has_each_answer_apart_and_the_national_figure_as_context(
    client: TestClient,
) -> None:
    kent = client.get("/v1/forces/kent-police").json()
    (answer,) = kent["answers"]
    assert (answer["disclosure"], answer["survey"]) == ("pa-2014", True)
    assert answer["part_of"] == {KENT_CASES: NATIONAL}
    (national,) = answer["context"]
    assert (national["id"], national["value"], national["force"]) == (NATIONAL, 828, None)

    met = client.get("/v1/forces/metropolitan-police-service").json()
    answers = {a["disclosure"]: a for a in met["answers"]}
    survey = answers["pa-2014"]
    assert [(f["id"], f["value"]) for f in survey["figures"]] == [
        ("pa-2014.metropolitan-police-service.cases", 69)
    ]
    assert survey["part_of"] == {"pa-2014.metropolitan-police-service.cases": NATIONAL}
    assert answers["met-2014"]["survey"] is False
    assert answers["met-2014"]["context"] == []
    assert met["figure_count"] == sum(len(a["figures"]) for a in met["answers"])


def test_a_survey_lists_every_force_it_asked_with_refusals_and_gaps(client: TestClient) -> None:
    body = client.get("/v1/disclosures/pa-2014/forces", params={"limit": 100}).json()
    rows: list[dict[str, Any]] = body["data"]
    assert [r["force"] for r in rows] == list(in_region("england_and_wales"))
    status = {r["force"]: r["status"] for r in rows}
    assert [f for f, s in status.items() if s == "refused"] == REFUSED
    assert {f for f, s in status.items() if s == "figures"} == {*COUNTED, "dyfed-powys-police"}
    assert sum(s == "no_figure_retrieved" for s in status.values()) == 43 - 4 - 18
    kent = next(r for r in rows if r["force"] == "kent-police")
    assert kent["figures"][0] == KENT_CASES
    met_own = client.get("/v1/disclosures/met-2013/forces").json()["data"]
    assert [(r["force"], r["status"]) for r in met_own] == [
        ("metropolitan-police-service", "figures")
    ]


def test_each_force_s_count_is_a_part_of_the_national_828(client: TestClient) -> None:
    body = client.get("/v1/series", params={"measure": "cases_investigated", "limit": 100}).json()
    points = {p["figure"]: p for p in body["data"]}
    counts = {p["figure"].split(".")[1]: p["value"] for p in points.values() if p["part_of"]}
    assert counts == COUNTED
    assert {p["part_of"] for p in points.values() if p["part_of"]} == {NATIONAL}


def test_no_group_joins_a_survey_to_another_answer(client: TestClient) -> None:
    """Issue 27, over every measure: a group that holds a survey's figure holds that
    survey's figures only (828 never beside 519, the Met's 69 never on a line with its own
    answers' counts)."""
    surveys = {
        d["id"]
        for d in client.get("/v1/disclosures", params={"limit": 100}).json()["data"]
        if len(d["forces"]) > 1
    }
    assert surveys == {"pa-2011", "pa-2014"}
    measures = [m["id"] for m in client.get("/v1/measures", params={"limit": 200}).json()["data"]]
    seen = set()
    for measure in measures:
        body = client.get("/v1/series", params={"measure": measure, "limit": 500}).json()
        for group in body["groups"]:
            if surveys & set(group["disclosures"]):
                assert len(group["disclosures"]) == 1, (measure, group)
                seen |= set(group["disclosures"])
    assert seen == surveys
