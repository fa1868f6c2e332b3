"""/v1/aggregates: chart-ready rows, stated totals, covering checks, citation, CSV."""

import csv
import io
import xml.etree.ElementTree as ET
from typing import Any

from fastapi.testclient import TestClient

from service.seed import read_package
from tests.citations import ANSWER, IDG, IDG_URL, LICENCE_LINE, STANDARD, STANDARD_URL
from tests.composition import breaches, own_parts
from tests.conftest import MET_2013, seeded_revision
from tests.embed.documents import SVG

DIMS = ("staff_type", "outcome", "platform", "allegation", "year", "rank")


def row(figure: str, label: str, unit: str, reading: Any, **dims: Any) -> dict[str, Any]:
    """An expected aggregate row; `reading` is an int, a (min, max) pair or a qualifier."""
    value = low = high = qualifier = None
    if isinstance(reading, int):
        value = low = high = reading
        text = str(reading)
    elif isinstance(reading, tuple):
        low, high, *words = reading
        qualifier = words[0] if words else None
        text = f"at least {low}" if high is None else f"{low} to {high}"
    else:
        qualifier = text = reading
    derived = dims.pop("derived", False)
    disputed = dims.pop("disputed", False)
    part_of = dims.pop("part_of", None)
    return {
        **{d: dims.get(d) for d in DIMS},
        "figure": figure,
        "label": label,
        "value": value,
        "min": low,
        "max": high,
        "qualifier": qualifier,
        "reading": text,
        "unit": unit,
        "derived": derived,
        "disputed": disputed,
        "part_of": part_of,
    }


PLATFORM_ROWS = [
    row(
        "met-2013.platform.facebook",
        "Cases involving Facebook",
        "cases",
        "the vast majority",
        platform="facebook",
    ),
    row("met-2013.platform.twitter", "Cases involving Twitter", "cases", 2, platform="twitter"),
    row("met-2013.platform.linkedin", "Cases involving LinkedIn", "cases", 1, platform="linkedin"),
    row("met-2013.platform.youtube", "Cases involving YouTube", "cases", 1, platform="youtube"),
    row(
        "met-2013.platform.friends-reunited",
        "Cases involving Friends Reunited",
        "cases",
        1,
        platform="friends_reunited",
    ),
    row(
        "met-2013.platform.dating-site",
        "Cases involving a dating website",
        "cases",
        "no count in the FOI answer",
        platform="dating_site",
    ),
    row(
        "met-2013.platform.unspecified",
        "Cases on platforms not named",
        "cases",
        (2, None, "a number of"),
        platform="unspecified",
    ),
]

OFFICER_OUTCOME_ROWS = [
    row(
        "met-2013.officers.dismissed",
        "Police officers dismissed",
        "officers",
        3,
        staff_type="police_officer",
        outcome="dismissed",
        part_of="met-2013.all.dismissed",
    ),
    row(
        "met-2013.officers.resigned-or-retired",
        "Police officers who resigned or retired",
        "officers",
        6,
        staff_type="police_officer",
        outcome="resigned_or_retired",
        part_of="met-2013.all.resigned-or-retired",
    ),
    row(
        "met-2013.officers.written-warning",
        "Police officers given a written warning",
        "officers",
        (17, 18),
        staff_type="police_officer",
        outcome="written_warning",
        disputed=True,
    ),
    row(
        "met-2013.officers.management-action",
        "Police officers given management action",
        "officers",
        6,
        staff_type="police_officer",
        outcome="management_action",
    ),
    row(
        "met-2013.officers.management-advice",
        "Police officers given management advice",
        "officers",
        5,
        staff_type="police_officer",
        outcome="management_advice",
    ),
    row(
        "met-2013.officers.cleared",
        "Police officers cleared",
        "officers",
        25,
        staff_type="police_officer",
        outcome="cleared",
    ),
    row(
        "met-2013.officers.under-investigation",
        "Police officers still under investigation",
        "officers",
        6,
        staff_type="police_officer",
        outcome="under_investigation",
    ),
    row(
        "met-2013.officers.outcome-not-stated",
        "Police officers with no stated outcome",
        "officers",
        6,
        staff_type="police_officer",
        outcome="not_stated",
        derived=True,
    ),
]

STAFF_OUTCOME_ROWS = [
    row(
        "met-2013.staff.dismissed",
        "Civilian staff dismissed",
        "staff",
        4,
        staff_type="civilian_staff",
        outcome="dismissed",
        part_of="met-2013.all.dismissed",
    ),
    row(
        "met-2013.staff.resigned-or-retired",
        "Civilian staff who resigned or retired",
        "staff",
        2,
        staff_type="civilian_staff",
        outcome="resigned_or_retired",
        part_of="met-2013.all.resigned-or-retired",
    ),
    row(
        "met-2013.staff.written-warning",
        "Civilian staff given a written warning",
        "staff",
        4,
        staff_type="civilian_staff",
        outcome="written_warning",
    ),
    row(
        "met-2013.staff.reprimand",
        "Civilian staff reprimanded",
        "staff",
        2,
        staff_type="civilian_staff",
        outcome="reprimand",
    ),
]


def test_aggregates_by_platform_keeps_ranges_and_qualifiers(client: TestClient) -> None:
    response = client.get("/v1/aggregates", params={"disclosure": "met-2013", "by": "platform"})
    assert response.status_code == 200
    body = response.json()
    assert body["disclosure"] == "met-2013"
    assert body["measure"] == "cases_by_platform"
    assert body["by"] == ["platform"]
    assert body["filters"] == {}
    assert body["rows"] == PLATFORM_ROWS
    assert body["total"] is None
    # The platform counts count cases out of an unstated base: no check sets them against
    # the 87 people investigated (research K6 only adds 2 + 1 + 1 + 1).
    assert body["checks"] == []
    # IDG printed the platform counts drawn; the Standard only words: IDG comes first.
    assert [s["id"] for s in body["sources"]] == ["idg_via_parliamentstreet", "standard2013"]
    assert body["revision"] == read_package(MET_2013).disclosure.revision
    revision = seeded_revision()
    assert body["dataset_revision"] == revision
    assert body["citation"] == (
        f"{ANSWER}; reported by {IDG}; {STANDARD}. Dataset met-2013 v1.2.0, revision "
        f"{revision}: http://testserver/disclosures/met-2013?revision={revision}. {LICENCE_LINE}"
    )
    assert [(c["id"], c["URL"]) for c in body["cite"]] == [
        (
            "met-2013.cases_by_platform.by-platform",
            f"http://testserver/disclosures/met-2013?revision={revision}",
        ),
        ("idg_via_parliamentstreet", IDG_URL),
        ("standard2013", STANDARD_URL),
    ]


def test_a_source_line_names_first_the_sources_that_printed_the_numbers_drawn(
    client: TestClient,
) -> None:
    """Issue 24: the 2013 outcome rows (7 dismissed, 8 left) credited the Guardian first,
    which printed neither number, only their parts."""
    body = client.get("/v1/aggregates", params={"disclosure": "met-2013", "by": "outcome"}).json()
    assert [r["reading"] for r in body["rows"]] == ["7", "8"]
    assert [s["id"] for s in body["sources"]] == [
        "idg_via_parliamentstreet",
        "standard2013",
        "independent2013",
        "guardian2013",
    ]
    assert body["citation"].startswith(f"{ANSWER}; reported by {IDG}; {STANDARD}; ")


def test_aggregates_by_outcome_for_officers_has_the_stated_total(client: TestClient) -> None:
    body = client.get("/v1/aggregates?by=outcome&staff_type=police_officer").json()
    assert body["measure"] == "people_by_outcome"
    assert body["filters"] == {"staff_type": "police_officer"}
    assert body["rows"] == OFFICER_OUTCOME_ROWS
    assert body["total"] == row(
        "met-2013.officers.investigated",
        "Police officers investigated over social-media use",
        "officers",
        75,
        staff_type="police_officer",
        part_of="met-2013.all.investigated",
    )
    assert {c["id"]: c["status"] for c in body["checks"]} == {
        "met-2013.K1": "holds",
        "met-2013.K2": "gap",
        "met-2013.K3": "holds",
        "met-2013.K5a": "holds",
        "met-2013.K5b": "holds",
        "met-2013.D1": "holds",
        "met-2013.D3": "holds",
    }


def test_aggregates_by_staff_type_and_outcome(client: TestClient) -> None:
    body = client.get("/v1/aggregates?by=staff_type,outcome").json()
    assert body["by"] == ["staff_type", "outcome"]
    assert body["rows"] == OFFICER_OUTCOME_ROWS + STAFF_OUTCOME_ROWS
    assert body["total"] == row(
        "met-2013.all.investigated",
        "Officers and civilian staff investigated over social-media use",
        "people",
        87,
        derived=True,
    )


def test_aggregates_by_outcome_without_filters_gives_the_combined_figures(
    client: TestClient,
) -> None:
    body = client.get("/v1/aggregates?by=outcome").json()
    assert [(r["figure"], r["value"]) for r in body["rows"]] == [
        ("met-2013.all.dismissed", 7),
        ("met-2013.all.resigned-or-retired", 8),
    ]


def test_aggregates_by_year_uses_the_declared_filters(client: TestClient) -> None:
    body = client.get("/v1/aggregates?by=year").json()
    assert body["filters"] == {"staff_type": "police_officer", "outcome": "dismissed"}
    assert [(r["year"], r["min"], r["max"], r["value"]) for r in body["rows"]] == [
        (2011, 0, 3, None)
    ]
    # The one yearly staff figure is of dismissals over inappropriate comments on Facebook.
    staff = client.get("/v1/aggregates?by=year&staff_type=civilian_staff").json()
    assert staff["rows"] == []
    staff = client.get(
        "/v1/aggregates?by=year&staff_type=civilian_staff&platform=facebook"
        "&allegation=inappropriate_comments"
    ).json()
    assert [(r["year"], r["min"], r["max"]) for r in staff["rows"]] == [(2013, 1, 4)]


def test_aggregates_with_a_measure_but_no_declared_grouping(client: TestClient) -> None:
    body = client.get(
        "/v1/aggregates?by=platform&measure=people_by_outcome"
        "&staff_type=civilian_staff&outcome=dismissed"
    ).json()
    assert [(r["figure"], r["value"]) for r in body["rows"]] == [
        ("met-2013.staff.dismissed-facebook", 4)
    ]
    assert body["total"] is None


def test_aggregates_csv_parses_back_to_the_json_rows(client: TestClient) -> None:
    url = "/v1/aggregates?by=staff_type,outcome"
    rows = client.get(url).json()["rows"]
    response = client.get(url, headers={"Accept": "text/csv"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    parsed = list(csv.DictReader(io.StringIO(response.text)))
    assert list(parsed[0]) == [
        *DIMS,
        "figure",
        "label",
        "value",
        "min",
        "max",
        "qualifier",
        "reading",
        "unit",
        "derived",
        "disputed",
        "part_of",
    ]
    assert parsed == [{k: as_csv(v) for k, v in r.items()} for r in rows]
    assert client.get(url + "&format=csv").content == response.content


def as_csv(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def test_aggregates_refuse_to_combine_disclosures(client: TestClient) -> None:
    response = client.get("/v1/aggregates?by=platform&disclosure=met-2013,met-2014")
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "/problems/cannot-combine-disclosures"
    assert problem["errors"] == [
        {"parameter": "disclosure", "message": "name exactly one disclosure"}
    ]


def test_aggregates_reject_a_bad_grouping(client: TestClient) -> None:
    response = client.get("/v1/aggregates?by=platform,platform")
    assert response.status_code == 422
    assert response.json() == {
        "type": "/problems/invalid-parameter",
        "title": "Invalid parameter",
        "status": 422,
        "detail": "by must be one dimension or two separated by a comma, from: staff_type, "
        "outcome, platform, allegation, year, rank.",
        "instance": "/v1/aggregates",
        "errors": [
            {
                "parameter": "by",
                "message": "by must be one dimension or two separated by a comma, from: "
                "staff_type, outcome, platform, allegation, year, rank.",
                "allowed": ["staff_type", "outcome", "platform", "allegation", "year", "rank"],
            }
        ],
    }


def test_aggregates_without_a_headline_for_the_grouping_asks_for_a_measure(
    client: TestClient,
) -> None:
    # A schema-valid request naming no aggregate: 404 (it was 422 before the schema listed
    # every grouping), with the measures to choose from.
    response = client.get("/v1/aggregates?by=rank")
    assert response.status_code == 404
    problem = response.json()
    assert problem["type"] == "/problems/no-headline-measure"
    assert problem["detail"] == (
        "met-2013 declares no headline measure for by=rank; choose one with measure=."
    )
    assert problem["errors"][0]["allowed"] == [
        "adverse_finding_or_departure",
        "allegation_category_named",
        "cases_by_platform",
        "complaint_proven",
        "formal_disciplinary_action",
        "investigated",
        "outcome_category_named",
        "people_by_outcome",
        "reprimand_or_written_warning",
    ]


def _groupings(client: TestClient) -> list[dict[str, str]]:
    """Every grouping a chart can be asked for: each disclosure's declared ones, and each
    measure of it by each dimension its figures are broken down by."""
    asked = []
    for d in client.get("/v1/disclosures").json()["data"]:
        detail = client.get(f"/v1/disclosures/{d['id']}").json()
        asked += [{"disclosure": d["id"], "by": a["by"]} for a in detail["aggregates"]]
        for m in client.get("/v1/measures", params={"disclosure": d["id"]}).json()["data"]:
            asked += [
                {"disclosure": d["id"], "by": dim, "measure": m["id"]} for dim in m["dimensions"]
            ]
    return asked


def test_no_aggregate_chart_or_csv_shows_a_total_and_its_part_without_part_of(
    client: TestClient,
) -> None:
    """Issue 24, over every grouping of every measure: rows and the stated total name the
    total they are a part of, in JSON, CSV and on the chart."""
    pairs = own_parts(client)
    groupings = _groupings(client)
    assert len(groupings) > 30
    shown_pairs = 0
    for params in groupings:
        body = client.get("/v1/aggregates", params=params).json()
        shown = {r["figure"]: r["part_of"] for r in body["rows"]}
        if body["total"] is not None:
            shown[body["total"]["figure"]] = body["total"]["part_of"]
        assert breaches(shown, pairs) == [], params
        shown_pairs += sum(1 for part, total in pairs if part in shown and total in shown)
        text = client.get("/v1/aggregates", params={**params, "format": "csv"}).text
        rows = {r["figure"]: r["part_of"] or None for r in csv.DictReader(io.StringIO(text))}
        assert rows == {r["figure"]: r["part_of"] for r in body["rows"]}, params
        chart = client.get("/v1/embed/aggregates.svg", params=params).content
        drawn = {
            g.get("data-figure"): g.get("data-part-of")
            for g in ET.fromstring(chart).iter(f"{SVG}g")
            if g.get("class") == "row"
        }
        assert drawn == rows, params
    assert shown_pairs >= 5
