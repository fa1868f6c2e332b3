"""GET /v1/series: one measure across disclosures, as separate points."""

import csv
import io
import json
from typing import Any

from fastapi.testclient import TestClient

OFFICERS = {"measure": "investigated", "staff_type": "police_officer"}
IDENTITY = ("staff_type", "outcome", "platform", "allegation", "rank")

# Every officer count, in the documented order: period start, period end, disclosure.
# (disclosure, figure, label, period, period_start, period_end, year, value, unit, part_of)
OFFICER_POINTS = [
    (
        "met-2013",
        "met-2013.officers.investigated",
        "Police officers investigated over social-media use",
        "2009 to 2012",
        "2009",
        None,  # officers end in 2012 and staff in early 2013: the answer has no single end
        None,
        75,
        "officers",
        "met-2013.all.investigated",
    ),
    (
        "met-2014",
        "met-2014.officers.facing-allegations",
        "Police officers facing allegations over social-media use",
        "2010 to early 2014",
        "2010",
        "2014",
        None,
        71,
        "officers",
        None,
    ),
    (
        "met-2022-guardian",
        "met-2022-guardian.officers.investigated",
        "Police officers investigated over online conduct",
        "2017 to August 2022",
        "2017",
        "2022-08",
        None,
        412,
        "officers",
        None,
    ),
    (
        "met-2022-londonworld",
        "met-2022-londonworld.investigated-2018",
        "Police officers investigated over social-media misuse in 2018",
        "2018",
        "2018",
        "2018",
        2018,
        14,
        "officers",
        "met-2022-londonworld.investigated",
    ),
    (
        "met-2022-londonworld",
        "met-2022-londonworld.investigated",
        "Police officers investigated over social-media misuse, 2018 to 2021",
        "2018 to 2021",
        "2018",
        "2021",
        None,
        184,
        "officers",
        None,
    ),
    (
        "met-2022-londonworld",
        "met-2022-londonworld.investigated-2019",
        "Police officers investigated over social-media misuse in 2019",
        "2019",
        "2019",
        "2019",
        2019,
        16,
        "officers",
        "met-2022-londonworld.investigated",
    ),
    (
        "met-2022-londonworld",
        "met-2022-londonworld.investigated-2020",
        "Police officers investigated over social-media misuse in 2020",
        "2020",
        "2020",
        "2020",
        2020,
        62,
        "officers",
        "met-2022-londonworld.investigated",
    ),
    (
        "met-2022-londonworld",
        "met-2022-londonworld.investigated-2021",
        "Police officers investigated over social-media misuse in 2021",
        "2021",
        "2021",
        "2021",
        2021,
        92,
        "officers",
        "met-2022-londonworld.investigated",
    ),
]


def _disclosure(client: TestClient, disclosure_id: str) -> dict[str, Any]:
    response = client.get(f"/v1/disclosures/{disclosure_id}")
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def _expected_point(client: TestClient, row: tuple[Any, ...]) -> dict[str, Any]:
    disclosure, figure, label, period, start, end, year, value, unit, part_of = row
    d = _disclosure(client, disclosure)
    citation = client.get(f"/v1/figures/{figure}").json()["citation"]
    return {
        "disclosure": disclosure,
        "group": disclosure,
        "figure": figure,
        "part_of": part_of,
        "measure": "investigated",
        "label": label,
        "period": period,
        "period_start": start,
        "period_end": end,
        "staff_type": "police_officer",
        "outcome": None,
        "platform": None,
        "allegation": None,
        "year": year,
        "rank": None,
        "value": value,
        "min": value,
        "max": value,
        "qualifier": None,
        "reading": str(value),
        "unit": unit,
        "derived": False,
        "disputed": False,
        "counts": d["counts"],
        "comparability": d["comparability"],
        "citation": citation,
    }


TOTALS = [row for row in OFFICER_POINTS if row[6] is None]
YEARS = [row for row in OFFICER_POINTS if row[6] is not None]


def test_series_lists_every_officer_total_as_separate_points(client: TestClient) -> None:
    response = client.get("/v1/series", params=OFFICERS)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {
        "data": [_expected_point(client, row) for row in TOTALS],
        "count": 4,
        "count_exact": True,
        "limit": 50,
        "offset": 0,
        "next": None,
        "prev": None,
    }


def test_series_never_puts_a_total_beside_its_own_parts(client: TestClient) -> None:
    """LondonWorld's 184 for 2018 to 2021 and its yearly 14, 16, 62 and 92 are two grains."""
    totals = client.get("/v1/series", params=OFFICERS).json()["data"]
    years = client.get("/v1/series", params={**OFFICERS, "grain": "year"}).json()
    assert [p["figure"] for p in totals if p["disclosure"] == "met-2022-londonworld"] == [
        "met-2022-londonworld.investigated"
    ]
    assert years["data"] == [_expected_point(client, row) for row in YEARS]
    assert years["count"] == 4
    assert {p["part_of"] for p in years["data"]} == {"met-2022-londonworld.investigated"}


def test_series_points_of_different_answers_are_different_groups(client: TestClient) -> None:
    points = client.get("/v1/series", params=OFFICERS).json()["data"]
    assert [(p["group"], p["value"]) for p in points] == [
        ("met-2013", 75),
        ("met-2014", 71),
        ("met-2022-guardian", 412),
        ("met-2022-londonworld", 184),
    ]


def test_series_grain_takes_only_total_or_year(client: TestClient) -> None:
    response = client.get("/v1/series", params={**OFFICERS, "grain": "month"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["allowed"] == ["total", "year"]


def test_series_points_carry_their_own_disclosures_warnings(client: TestClient) -> None:
    points = client.get("/v1/series", params=OFFICERS).json()["data"]
    guardian = next(p for p in points if p["disclosure"] == "met-2022-guardian")
    londonworld = next(p for p in points if p["disclosure"] == "met-2022-londonworld")
    assert guardian["comparability"][0] == (
        "Counts officers investigated over messaging as well as social media (text messages "
        "and WhatsApp are included), over 2017 to August 2022; earlier answers count social "
        "media only."
    )
    assert londonworld["comparability"][0] == (
        "Counts officers investigated per calendar year from 2018 to 2021; the yearly counts "
        "add up to the 184 for the four years, but nothing here covers any other year."
    )
    assert guardian["comparability"] != londonworld["comparability"]
    assert guardian["citation"].startswith("Police officers investigated over online conduct: 412.")
    assert "Dataset met-2022-guardian v1.2.0" in guardian["citation"]


def test_series_never_adds_across_disclosures(client: TestClient) -> None:
    points = client.get("/v1/series", params=OFFICERS).json()["data"]
    # Every point is one published figure of its own disclosure, nothing computed here.
    for point in points:
        figure = client.get(f"/v1/figures/{point['figure']}").json()
        assert figure["disclosure"] == point["disclosure"]
        assert (figure["value"], figure["min"], figure["max"]) == (
            point["value"],
            point["min"],
            point["max"],
        )
    assert 75 + 71 + 412 + 184 not in {p["value"] for p in points}


def test_series_without_staff_type_only_has_figures_not_split_by_it(client: TestClient) -> None:
    response = client.get("/v1/series", params={"measure": "investigated"})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    (point,) = body["data"]
    assert (point["figure"], point["value"], point["derived"], point["unit"]) == (
        "met-2013.all.investigated",
        87,
        True,
        "people",
    )


def test_series_filters_by_year_and_rank(client: TestClient) -> None:
    by_year = client.get("/v1/series", params={**OFFICERS, "year": 2020}).json()
    assert [(p["figure"], p["value"]) for p in by_year["data"]] == [
        ("met-2022-londonworld.investigated-2020", 62)
    ]
    by_rank = client.get("/v1/series", params={**OFFICERS, "rank": "constable"}).json()
    assert [(p["figure"], p["rank"], p["value"]) for p in by_rank["data"]] == [
        ("met-2022-londonworld.rank.constable", "constable", 160)
    ]


def test_series_of_dismissed_officers_keeps_each_answer_apart(client: TestClient) -> None:
    response = client.get(
        "/v1/series",
        params={
            "measure": "people_by_outcome",
            "staff_type": "police_officer",
            "outcome": "dismissed",
        },
    )
    assert response.status_code == 200
    assert [
        (p["figure"], p["period_start"], p["period_end"], p["value"], p["min"], p["max"])
        for p in response.json()["data"]
    ] == [
        ("met-2013.officers.dismissed", "2009", None, 3, 3, 3),
        ("met-2014.officers.dismissed", "2010", "2014", 2, 2, 2),
        # A range stays a range: 0 to 3 of the 2013 answer's dismissals fell in 2011.
        ("met-2013.officers.dismissed-2011", "2011", "2011", None, 0, 3),
        ("met-2022-guardian.officers.dismissed", "2017", "2022-08", 10, 10, 10),
    ]


def test_series_pages_with_a_next_link(client: TestClient) -> None:
    params = {**OFFICERS, "grain": "year", "limit": "2", "offset": "1"}
    response = client.get("/v1/series", params=params)
    assert response.status_code == 200
    body = response.json()
    assert (body["count"], body["limit"], body["offset"]) == (4, 2, 1)
    assert [p["figure"] for p in body["data"]] == [row[1] for row in YEARS[1:3]]
    assert response.headers["link"] == (
        "</v1/series?grain=year&limit=2&measure=investigated&offset=3&staff_type=police_officer>; "
        'rel="next", '
        "</v1/series?grain=year&limit=2&measure=investigated&offset=0&staff_type=police_officer>; "
        'rel="prev"'
    )


def test_series_as_csv_has_one_row_per_point(client: TestClient) -> None:
    response = client.get("/v1/series", params={**OFFICERS, "format": "csv"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [(r["figure"], r["value"], r["period_start"]) for r in rows] == [
        (row[1], str(row[7]), row[4]) for row in TOTALS
    ]
    assert list(rows[0])[:6] == ["disclosure", "group", "figure", "part_of", "measure", "label"]
    assert json.loads(rows[0]["comparability"]) == _disclosure(client, "met-2013")["comparability"]


def test_series_etag_gives_304(client: TestClient) -> None:
    first = client.get("/v1/series", params=OFFICERS)
    again = client.get(
        "/v1/series", params=OFFICERS, headers={"If-None-Match": first.headers["etag"]}
    )
    assert again.status_code == 304
    assert again.content == b""


def test_series_unknown_measure_is_422_listing_measures(client: TestClient) -> None:
    response = client.get("/v1/series", params={"measure": "complaints"})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == "/problems/invalid-parameter"
    assert body["detail"] == "'complaints' is not a valid value for measure."
    (error,) = body["errors"]
    assert error["parameter"] == "measure"
    assert error["allowed"] == [
        "action_not_broken_down",
        "action_taken",
        "adverse_finding_or_departure",
        "allegation_category_named",
        "alleged_misuse",
        "cases_by_platform",
        "charged_with_misconduct",
        "complained_about",
        "complaint_proven",
        "complaints_by_outcome",
        "complaints_logged",
        "disciplined",
        "formal_disciplinary_action",
        "investigated",
        "investigated_rank_band",
        "investigated_without_recorded_action",
        "ongoing_or_other",
        "outcome_category_named",
        "people_by_outcome",
        "platform_named",
        "proceedings_brought",
        "reprimand_or_written_warning",
        "sanctioned",
    ]


def test_series_points_officers_investigated_to_the_staff_type_filter(client: TestClient) -> None:
    response = client.get("/v1/series", params={"measure": "officers_investigated"})
    assert response.status_code == 422
    assert response.json()["detail"] == (
        "'officers_investigated' is not a measure. Measures are shared by officers and staff; "
        "filter by staff type instead: measure=investigated&staff_type=police_officer."
    )


def test_series_needs_a_measure(client: TestClient) -> None:
    response = client.get("/v1/series")
    assert response.status_code == 422
    body = response.json()
    assert body["type"] == "/problems/invalid-parameter"
    assert body["errors"] == [{"parameter": "measure", "message": "Field required"}]


def test_series_rejects_bad_codes_and_unknown_parameters(client: TestClient) -> None:
    bad_code = client.get("/v1/series", params={"measure": "investigated", "staff_type": "pcso"})
    assert bad_code.status_code == 422
    assert bad_code.json()["errors"][0]["allowed"] == ["police_officer", "civilian_staff"]
    unknown = client.get("/v1/series", params={"measure": "investigated", "disclosure": "x"})
    assert unknown.status_code == 400
    assert unknown.json()["type"] == "/problems/unknown-parameter"
