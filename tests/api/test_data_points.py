"""Issue 24's data points, each as the research file has it, read through the HTTP API."""

from typing import Any

from fastapi.testclient import TestClient

from service.taxonomy import LABELS

INKL = "met-2023-inkl-507-complaints"


def _figures(client: TestClient, **params: str) -> list[dict[str, Any]]:
    response = client.get("/v1/figures", params=params)
    assert response.status_code == 200
    data: list[dict[str, Any]] = response.json()["data"]
    return data


def test_inkl_sexual_conduct_reports_have_their_own_allegation_code(client: TestClient) -> None:
    assert LABELS["allegation"]["inappropriate_sexual_conduct"] == "Inappropriate sexual conduct"
    sexual = _figures(client, disclosure=INKL, allegation="inappropriate_sexual_conduct")
    assert [(f["id"], f["year"], f["value"], f["unit"]) for f in sexual] == [
        (f"{INKL}.sexual-conduct-2018", 2018, 2, "reports"),
        (f"{INKL}.sexual-conduct-2022", 2022, 19, "reports"),
    ]
    assert _figures(client, disclosure=INKL, allegation="inappropriate_comments") == []
    series = client.get(
        "/v1/series",
        params={"measure": "complaints_logged", "allegation": "inappropriate_comments"},
    ).json()
    assert series["data"] == []


def test_civilian_staff_dismissed_in_2013_keep_platform_and_allegation(
    client: TestClient,
) -> None:
    figure = client.get("/v1/figures/met-2013.staff.dismissed-2013").json()
    assert {
        k: figure[k] for k in ("staff_type", "outcome", "platform", "allegation", "year", "period")
    } == {
        "staff_type": "civilian_staff",
        "outcome": "dismissed",
        "platform": "facebook",
        "allegation": "inappropriate_comments",
        "year": 2013,
        "period": "2013",
    }
    assert (figure["value"], figure["min"], figure["max"]) == (None, 1, 4)
    facebook = _figures(
        client, disclosure="met-2013", staff_type="civilian_staff", platform="facebook"
    )
    assert [f["id"] for f in facebook] == [
        "met-2013.staff.dismissed-facebook",
        "met-2013.staff.dismissed-2013",
    ]


def test_case_4_and_the_figure_it_is_counted_in_give_the_same_year(client: TestClient) -> None:
    case = client.get("/v1/cases/met-2013.case-4").json()
    figure = client.get("/v1/figures/met-2013.staff.dismissed-2013").json()
    assert (case["year"], figure["year"], figure["period"]) == (2013, 2013, "2013")
    assert (case["platform"], case["allegation"]) == (figure["platform"], figure["allegation"])
    assert "met-2013.staff.dismissed-2013" in case["note"]


def test_platform_counts_are_checked_against_no_total_of_people(client: TestClient) -> None:
    assert client.get("/v1/checks/met-2013.K6").status_code == 404
    body = client.get("/v1/aggregates", params={"disclosure": "met-2013", "by": "platform"}).json()
    assert (body["total"], body["checks"]) == (None, [])
    checks = client.get("/v1/checks", params={"disclosure": "met-2013"}).json()
    assert checks["count"] == 10
    assert not [c["id"] for c in checks["data"] if "platform" in c["parts"][0]["figure"]]
    notes = client.get("/v1/notes", params={"disclosure": "met-2013"}).json()["data"]
    note = next(n for n in notes if n["id"] == "met-2013.K6")
    assert (note["kind"], note["topic"], note["sources"]) == (
        "caveat",
        "Platform counts",
        ["idg_via_parliamentstreet"],
    )
    assert note["text"].startswith(
        "Our arithmetic: the platforms other than Facebook that IDG counts add up to 5 cases "
        "(Twitter 2, LinkedIn 1, YouTube 1, Friends Reunited 1)."
    )


def test_2014_outcomes_stand_against_no_total_of_the_71(client: TestClient) -> None:
    body = client.get(
        "/v1/aggregates",
        params={"disclosure": "met-2014", "by": "outcome", "staff_type": "police_officer"},
    ).json()
    assert body["total"] is None
    assert [(r["figure"], r["value"], r["min"], r["max"]) for r in body["rows"]] == [
        ("met-2014.officers.dismissed", 2, 2, 2),
        ("met-2014.officers.resigned-or-retired", None, 2, None),
        ("met-2014.officers.written-warning", 12, 12, 12),
    ]
    assert body["checks"] == []


def test_the_2013_officer_figures_end_in_2012_in_the_series(client: TestClient) -> None:
    """The officer figures cover 2009 to 2012, their answer 2009 to early 2013: a point
    takes its own period when it names its years (issue 24: period_end was empty)."""
    series = client.get(
        "/v1/series",
        params={"measure": "people_by_outcome", "staff_type": "police_officer"},
    ).json()["data"]
    spans = {
        p["figure"]: (p["period_start"], p["period_end"])
        for p in series
        if p["figure"].startswith("met-2013.officers.")
    }
    assert spans["met-2013.officers.dismissed"] == ("2009", "2012")
    assert spans["met-2013.officers.dismissed-2011"] == ("2011", "2011")


def test_an_answer_of_cases_alone_credits_the_source_its_cases_cite(client: TestClient) -> None:
    """met-2015-cases has no figures: its citation named no source (issue 24)."""
    cited = client.get("/v1/csvw/cases").json()["dc:bibliographicCitation"]
    met_2015 = next(c for c in cited if "Rolf Harris" in c)
    assert met_2015.startswith(
        "Metropolitan Police Service FOI answer to an unnamed requester, period: Not stated "
        "in the retrieved text; the cases were decided before about 2015; reported by "
        "Converse Prison News (reproducing a news-agency story) (“Met Cop disciplined over "
        "Facebook joke about Rolf Harris”, 2015 (approximate, inferred), "
    )
