"""GET /v1/series: one measure across disclosures, as separate points."""

import csv
import io
from typing import Any

from fastapi.testclient import TestClient

from service.measures import MEASURE_IDS
from tests.composition import breaches, own_parts

#: The Met's own answers: pa-2014's 548 officers are about every force (test_forces.py).
MET = "metropolitan-police-service"
OFFICERS = {"measure": "investigated", "staff_type": "police_officer", "force": MET}
TOTALS_ONLY = {**OFFICERS, "grain": "total"}
IDENTITY = ("staff_type", "outcome", "platform", "allegation", "rank")
SPAN = "a period of more than a year"
PARLIAMENT_STREET = "Parliament Street (UK think tank)"
#: The group of each disclosure's officer counts: (id, label).
OFFICER_GROUPS = {
    "met-2013": (
        "investigated.officers.span.parliament-street-uk-think-tank",
        f"Police officers, {SPAN}; asked by {PARLIAMENT_STREET}",
    ),
    "met-2014": (
        "investigated.officers.span.parliament-street-uk-think-tank",
        f"Police officers, {SPAN}; asked by {PARLIAMENT_STREET}",
    ),
    "met-2022-guardian": (
        "investigated.officers.span.met-2022-guardian",
        f"Police officers, {SPAN}; asked by the unnamed requester of met-2022-guardian",
    ),
    "met-2022-londonworld": (
        "investigated.officers.span.met-2022-londonworld",
        f"Police officers, {SPAN}; asked by the unnamed requester of met-2022-londonworld",
    ),
}
YEAR_GROUP = (
    "investigated.officers.year.met-2022-londonworld",
    "Police officers, one calendar year each; asked by the unnamed requester of "
    "met-2022-londonworld",
)

# Every officer count, in the documented order: period start, period end, disclosure.
# (disclosure, figure, label, period, period_start, period_end, year, value, unit, part_of)
OFFICER_POINTS = [
    (
        "met-2013",
        "met-2013.officers.investigated",
        "Police officers investigated over social-media use",
        "2009 to 2012",
        "2009",
        "2012",  # the figure's own period (its answer's officers end in 2012, staff in 2013)
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
    group, group_label = YEAR_GROUP if year is not None else OFFICER_GROUPS[disclosure]
    return {
        "disclosure": disclosure,
        "group": group,
        "group_label": group_label,
        "figure": figure,
        "part_of": part_of,
        "measure": "investigated",
        "label": label,
        "period": period,
        "period_start": start,
        "period_end": end,
        "force": MET,
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


STREET_OFFICERS = OFFICER_GROUPS["met-2013"][0]
STREET_PEOPLE = "investigated.people.span.parliament-street-uk-think-tank"
STREET_STAFF = "investigated.staff.span.parliament-street-uk-think-tank"
GUARDIAN = OFFICER_GROUPS["met-2022-guardian"][0]
LONDONWORLD = OFFICER_GROUPS["met-2022-londonworld"][0]
RANKS = "investigated.officers.span.by-rank.met-2022-londonworld"
ALL_2013 = "met-2013.all.investigated"
LW_TOTAL = "met-2022-londonworld.investigated"
TOTALS = [row for row in OFFICER_POINTS if row[6] is None]
YEARS = [row for row in OFFICER_POINTS if row[6] is not None]


def test_series_lists_every_officer_total_as_separate_points(client: TestClient) -> None:
    response = client.get("/v1/series", params=TOTALS_ONLY)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert [g["id"] for g in body.pop("groups")] == [
        "investigated.officers.span.parliament-street-uk-think-tank",
        "investigated.officers.span.met-2022-guardian",
        "investigated.officers.span.met-2022-londonworld",
    ]
    assert body == {
        "data": [_expected_point(client, row) for row in TOTALS],
        "count": 4,
        "count_exact": True,
        "limit": 50,
        "offset": 0,
        "next": None,
        "prev": None,
    }


def test_series_never_puts_a_total_beside_its_own_parts(client: TestClient) -> None:
    """LondonWorld's 184 for 2018 to 2021 and its yearly 14, 16, 62 and 92: the years name
    the 184 in part_of wherever they appear, and grain=total or grain=year takes one grain."""
    every = client.get("/v1/series", params=OFFICERS).json()["data"]
    londonworld = {p["figure"]: p["part_of"] for p in every if p["year"] is not None}
    assert londonworld == {row[1]: "met-2022-londonworld.investigated" for row in YEARS}
    totals = client.get("/v1/series", params=TOTALS_ONLY).json()["data"]
    years = client.get("/v1/series", params={**OFFICERS, "grain": "year"}).json()
    assert [p["figure"] for p in totals if p["disclosure"] == "met-2022-londonworld"] == [
        "met-2022-londonworld.investigated"
    ]
    assert years["data"] == [_expected_point(client, row) for row in YEARS]
    assert years["count"] == 4
    assert {p["part_of"] for p in years["data"]} == {"met-2022-londonworld.investigated"}


def test_series_of_investigated_gives_every_answer_in_labelled_groups(client: TestClient) -> None:
    """Issue 24: no default hides a disclosure. 75, 12 and 87 of 2013, 71, 412, 184 and its
    parts, each group with why it stands apart; 75 and 12 name our 87 as their total."""
    response = client.get("/v1/series", params={"measure": "investigated", "force": MET})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 14
    assert [
        (p["group"], p["figure"], p["value"], p["unit"], p["part_of"]) for p in body["data"]
    ] == [
        (STREET_OFFICERS, "met-2013.officers.investigated", 75, "officers", ALL_2013),
        (STREET_OFFICERS, "met-2014.officers.facing-allegations", 71, "officers", None),
        (STREET_PEOPLE, "met-2013.all.investigated", 87, "people", None),
        (STREET_STAFF, "met-2013.staff.investigated", 12, "staff", ALL_2013),
        (GUARDIAN, "met-2022-guardian.officers.investigated", 412, "officers", None),
        (LONDONWORLD, "met-2022-londonworld.investigated", 184, "officers", None),
        (RANKS, "met-2022-londonworld.rank.constable", 160, "officers", LW_TOTAL),
        (RANKS, "met-2022-londonworld.rank.sergeant", 12, "officers", LW_TOTAL),
        (RANKS, "met-2022-londonworld.rank.inspector-and-above", 8, "officers", LW_TOTAL),
        (RANKS, "met-2022-londonworld.rank.not-retrieved", 4, "officers", LW_TOTAL),
        (YEAR_GROUP[0], "met-2022-londonworld.investigated-2018", 14, "officers", LW_TOTAL),
        (YEAR_GROUP[0], "met-2022-londonworld.investigated-2019", 16, "officers", LW_TOTAL),
        (YEAR_GROUP[0], "met-2022-londonworld.investigated-2020", 62, "officers", LW_TOTAL),
        (YEAR_GROUP[0], "met-2022-londonworld.investigated-2021", 92, "officers", LW_TOTAL),
    ]
    parts = " Some of its figures are parts of a total (see part_of): never add them to it."
    assert [(g["id"], g["label"], g["reason"], g["disclosures"]) for g in body["groups"]] == [
        (
            STREET_OFFICERS,
            OFFICER_GROUPS["met-2013"][1],
            "Stands apart from the other groups: it counts officers, where the others count "
            "people or staff; it answers another request." + parts + " Its figures come from "
            "separate answers: set them side by side, never add them.",
            ["met-2013", "met-2014"],
        ),
        (
            STREET_PEOPLE,
            f"Officers and staff together, {SPAN}; asked by {PARLIAMENT_STREET}",
            "Stands apart from the other groups: it counts people, where the others count "
            "officers or staff.",
            ["met-2013"],
        ),
        (
            STREET_STAFF,
            f"Civilian staff, {SPAN}; asked by {PARLIAMENT_STREET}",
            "Stands apart from the other groups: it counts staff, where the others count "
            "officers or people." + parts,
            ["met-2013"],
        ),
        (
            GUARDIAN,
            OFFICER_GROUPS["met-2022-guardian"][1],
            "Stands apart from the other groups: it answers another request.",
            ["met-2022-guardian"],
        ),
        (
            LONDONWORLD,
            OFFICER_GROUPS["met-2022-londonworld"][1],
            f"Stands apart from the other groups: it covers {SPAN}, where the others cover one "
            "calendar year each; it is not broken down, where the others are broken down by "
            "rank; it answers another request.",
            ["met-2022-londonworld"],
        ),
        (
            RANKS,
            f"Police officers, {SPAN}, by rank; asked by the unnamed requester of "
            "met-2022-londonworld",
            "Stands apart from the other groups: it is broken down by rank, where the others "
            "are not broken down." + parts,
            ["met-2022-londonworld"],
        ),
        (
            YEAR_GROUP[0],
            YEAR_GROUP[1],
            f"Stands apart from the other groups: it covers one calendar year each, where the "
            f"others cover {SPAN}." + parts,
            ["met-2022-londonworld"],
        ),
    ]
    # Every group lists its figures, whatever the page; the points say which group is theirs.
    assert {f: g["id"] for g in body["groups"] for f in g["figures"]} == {
        p["figure"]: p["group"] for p in body["data"]
    }


def test_series_points_of_different_answers_are_different_groups(client: TestClient) -> None:
    points = client.get("/v1/series", params=TOTALS_ONLY).json()["data"]
    assert [(p["group"], p["value"]) for p in points] == [
        (STREET_OFFICERS, 75),
        (STREET_OFFICERS, 71),
        (GUARDIAN, 412),
        (LONDONWORLD, 184),
    ]


def test_series_grain_takes_only_all_total_or_year(client: TestClient) -> None:
    response = client.get("/v1/series", params={**OFFICERS, "grain": "month"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["allowed"] == ["all", "total", "year"]


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
    assert "Dataset met-2022-guardian v1.2.1" in guardian["citation"]


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
            "force": MET,
        },
    )
    assert response.status_code == 200
    assert [
        (p["figure"], p["period_start"], p["period_end"], p["value"], p["min"], p["max"])
        for p in response.json()["data"]
    ] == [
        ("met-2013.officers.dismissed", "2009", "2012", 3, 3, 3),
        ("met-2014.officers.dismissed", "2010", "2014", 2, 2, 2),
        # A range stays a range: 0 to 3 of the 2013 answer's dismissals fell in 2011.
        ("met-2013.officers.dismissed-2011", "2011", "2011", None, 0, 3),
        ("met-2022-guardian.officers.dismissed", "2017", "2022-08", 10, 10, 10),
    ]


def test_series_names_the_total_a_year_of_it_belongs_to(client: TestClient) -> None:
    """Issue 24: officers dismissed in 2011 (0 to 3) are a part of the 2013 answer's 3 for
    2009 to 2012, and staff dismissed in 2013 (1 to 4) of its 4: never separate points."""
    for staff_type, total, part in (
        ("police_officer", "met-2013.officers.dismissed", "met-2013.officers.dismissed-2011"),
        ("civilian_staff", "met-2013.staff.dismissed-facebook", "met-2013.staff.dismissed-2013"),
    ):
        body = client.get(
            "/v1/series",
            params={
                "measure": "people_by_outcome",
                "staff_type": staff_type,
                "outcome": "dismissed",
            },
        ).json()
        points = {p["figure"]: p for p in body["data"]}
        assert points[part]["part_of"] == total
        assert points[total]["group"] != points[part]["group"]
        reasons = {g["id"]: g["reason"] for g in body["groups"]}
        assert reasons[points[part]["group"]].startswith(
            f"Stands apart from the other groups: it covers one calendar year each, where the "
            f"others cover {SPAN}"
        )


def test_series_pages_with_a_next_link(client: TestClient) -> None:
    params = {**OFFICERS, "grain": "year", "limit": "2", "offset": "1"}
    response = client.get("/v1/series", params=params)
    assert response.status_code == 200
    body = response.json()
    assert (body["count"], body["limit"], body["offset"]) == (4, 2, 1)
    assert [p["figure"] for p in body["data"]] == [row[1] for row in YEARS[1:3]]
    assert response.headers["link"] == (
        f"</v1/series?force={MET}&grain=year&limit=2&measure=investigated&offset=3"
        '&staff_type=police_officer>; rel="next", '
        f"</v1/series?force={MET}&grain=year&limit=2&measure=investigated&offset=0"
        '&staff_type=police_officer>; rel="prev"'
    )


def test_series_as_csv_has_one_row_per_point(client: TestClient) -> None:
    response = client.get("/v1/series", params={**TOTALS_ONLY, "format": "csv"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [(r["figure"], r["value"], r["period_start"]) for r in rows] == [
        (row[1], str(row[7]), row[4]) for row in TOTALS
    ]
    assert list(rows[0])[:7] == [
        "disclosure",
        "group",
        "group_label",
        "figure",
        "part_of",
        "measure",
        "label",
    ]
    assert rows[0]["comparability"].split("\n") == _disclosure(client, "met-2013")["comparability"]


def test_series_csv_of_investigated_has_every_answers_figures(client: TestClient) -> None:
    """Issue 24: the CSV had 1 row (our 87) against 14 investigated figures."""
    response = client.get(
        "/v1/series", params={"measure": "investigated", "force": MET, "format": "csv"}
    )
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 14
    assert {r["disclosure"] for r in rows} == {
        "met-2013",
        "met-2014",
        "met-2022-guardian",
        "met-2022-londonworld",
    }
    assert [(r["figure"], r["part_of"]) for r in rows[:4]] == [
        ("met-2013.officers.investigated", ALL_2013),
        ("met-2014.officers.facing-allegations", ""),
        ("met-2013.all.investigated", ""),
        ("met-2013.staff.investigated", ALL_2013),
    ]
    assert (
        rows[2]["group_label"]
        == f"Officers and staff together, {SPAN}; asked by {PARLIAMENT_STREET}"
    )


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
    assert error["allowed"] == list(MEASURE_IDS)
    assert error["allowed"][:2] == ["action_not_broken_down", "action_taken"]


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


def test_no_series_shows_a_total_and_its_own_part_without_part_of(client: TestClient) -> None:
    """Issue 24, over every measure: in JSON and in CSV, a part shown beside its total names
    it in part_of, and every part_of names a real total of the point."""
    pairs = own_parts(client)
    assert ("met-2013.officers.dismissed-2011", "met-2013.officers.dismissed") in pairs
    measures = [m["id"] for m in client.get("/v1/measures").json()["data"]]
    shown_pairs = 0
    for measure in measures:
        body = client.get("/v1/series", params={"measure": measure, "limit": 500}).json()
        shown = {p["figure"]: p["part_of"] for p in body["data"]}
        assert breaches(shown, pairs) == [], measure
        shown_pairs += sum(1 for part, total in pairs if part in shown and total in shown)
        text = client.get("/v1/series", params={"measure": measure, "format": "csv"}).text
        rows = {r["figure"]: r["part_of"] or None for r in csv.DictReader(io.StringIO(text))}
        assert rows == shown, measure
    # Not a vacuous pass: the series do show totals beside their parts.
    assert shown_pairs >= 20
