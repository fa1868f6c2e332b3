"""The later Met disclosures: exact figures, check results, comparability, and the
refusal to combine disclosures in /v1/aggregates."""

import json
from typing import Any

from fastapi.testclient import TestClient

from service.config import Settings
from service.db import build_engine, migrate
from service.seed import find_packages, load_packages
from tests.conftest import MET_2013_COUNTS, SEED_DIR

LATER = ["met-2010", "met-2014", "met-2022-londonworld", "met-2022-guardian"]

# (value, min, max, qualifier, derived, disputed) for every figure, keyed by the id
# after "<disclosure>.", in package order.
FIGURES: dict[str, dict[str, tuple[Any, ...]]] = {
    "met-2010": {
        "officers.proceedings-brought": (28, 28, 28, None, False, False),
        "officers.disciplined": (27, 27, 27, None, False, False),
        "officers.written-warning": (18, 18, 18, None, False, False),
        "officers.words-of-advice": (5, 5, 5, None, False, False),
        "officers.formal-misconduct": (4, 4, 4, None, False, False),
        "officers.no-disciplinary-action": (1, 1, 1, None, False, False),
        "staff.disciplined": (5, 5, 5, None, False, False),
        "staff.dismissed": (1, 1, 1, None, False, False),
    },
    "met-2014": {
        "officers.facing-allegations": (71, 71, 71, None, False, False),
        "substantiated": (28, 28, 28, None, False, False),
        "complaints-dismissed": (22, 22, 22, None, False, False),
        "officers.dismissed": (2, 2, 2, None, False, False),
        "officers.written-warning": (12, 12, 12, None, False, False),
        "officers.resigned-or-retired": (None, 2, None, "a string of", False, False),
        "ongoing-or-other": (21, 21, 21, None, True, False),
        "allegation.oppressive-behaviour": (
            None,
            None,
            None,
            "category named, no count given",
            False,
            False,
        ),
        "allegation.discrimination": (
            None,
            None,
            None,
            "category named, no count given",
            False,
            False,
        ),
        "allegation.failures-in-duty": (
            None,
            None,
            None,
            "category named, no count given",
            False,
            False,
        ),
        "allegation.incivility": (None, None, None, "category named, no count given", False, False),
    },
    "met-2022-londonworld": {
        "investigated-2018": (14, 14, 14, None, False, False),
        "investigated-2019": (16, 16, 16, None, False, False),
        "investigated-2020": (62, 62, 62, None, False, False),
        "investigated-2021": (92, 92, 92, None, False, False),
        "investigated": (184, 184, 184, None, False, False),
        "rank.constable": (160, 160, 160, None, False, False),
        "rank.sergeant": (12, 12, 12, None, False, False),
        "rank.inspector-and-above": (8, 8, 8, None, False, False),
        "rank.not-retrieved": (4, 4, 4, None, False, False),
        "rank.sergeant-or-above": (20, 20, 20, None, False, False),
        "sanctioned": (
            None,
            0,
            92,
            "just a fraction of the close to a hundred reported in 2021",
            False,
            False,
        ),
    },
    "met-2022-guardian": {
        "officers.investigated": (412, 412, 412, None, False, False),
        "action-taken": (109, 109, 109, None, False, False),
        "officers.dismissed": (10, 10, 10, None, False, False),
        "officers.would-have-been-dismissed": (7, 7, 7, None, False, False),
        "officers.final-written-warning": (11, 11, 11, None, False, False),
        "officers.written-warning": (20, 20, 20, None, False, False),
        "officers.reflective-practice": (23, 23, 23, None, False, False),
        "officers.management-advice": (
            None,
            None,
            None,
            "named, count not retrieved",
            False,
            False,
        ),
        "action-not-broken-down": (38, 38, 38, None, True, False),
        "officers.without-recorded-action": (303, 303, 303, None, True, False),
        **{
            f"platform.{slug}": (None, None, None, "named, no count given", False, False)
            for slug in (
                "text-messages",
                "whatsapp",
                "facebook",
                "twitter",
                "snapchat",
                "dating-apps",
                "linkedin",
                "other",
            )
        },
    },
}


def _figures(client: TestClient, disclosure: str) -> list[dict[str, Any]]:
    response = client.get("/v1/figures", params={"disclosure": disclosure, "limit": 500})
    assert response.status_code == 200
    data: list[dict[str, Any]] = response.json()["data"]
    return data


def test_every_package_under_seed_loads_with_its_counts(blank_database_url: str) -> None:
    migrate(blank_database_url)
    engine = build_engine(Settings(database_url=blank_database_url))
    try:
        results = load_packages(engine, find_packages(SEED_DIR))
        again = load_packages(engine, find_packages(SEED_DIR))
    finally:
        engine.dispose()
    assert {r.disclosure_id: r.counts for r in results} == {
        "met-2010": {
            "figures": 8,
            "reports": 20,
            "cases": 0,
            "checks": 2,
            "notes": 4,
            "sources": 4,
        },
        "met-2013": MET_2013_COUNTS,
        "met-2014": {
            "figures": 11,
            "reports": 15,
            "cases": 0,
            "checks": 1,
            "notes": 6,
            "sources": 10,
        },
        "met-2015-cases": {
            "figures": 0,
            "reports": 0,
            "cases": 7,
            "checks": 0,
            "notes": 2,
            "sources": 1,
        },
        "met-2021-daily-mail-277": {
            "figures": 1,
            "reports": 1,
            "cases": 0,
            "checks": 0,
            "notes": 4,
            "sources": 1,
        },
        "met-2022-guardian": {
            "figures": 18,
            "reports": 19,
            "cases": 0,
            "checks": 3,
            "notes": 7,
            "sources": 6,
        },
        "met-2022-londonworld": {
            "figures": 11,
            "reports": 11,
            "cases": 0,
            "checks": 3,
            "notes": 4,
            "sources": 1,
        },
        "met-2022-opendemocracy-ico-redacted-cases": {
            "figures": 1,
            "reports": 1,
            "cases": 2,
            "checks": 0,
            "notes": 3,
            "sources": 1,
        },
        "met-2023-inkl-507-complaints": {
            "figures": 14,
            "reports": 14,
            "cases": 0,
            "checks": 1,
            "notes": 9,
            "sources": 3,
        },
        "pa-2011": {
            "figures": 13,
            "reports": 34,
            "cases": 0,
            "checks": 0,
            "notes": 9,
            "sources": 10,
        },
        "pa-2014": {
            "figures": 50,
            "reports": 142,
            "cases": 6,
            "checks": 5,
            "notes": 20,
            "sources": 33,
        },
    }
    assert all(r.changed for r in results)
    assert not any(r.changed for r in again)


def test_later_disclosures_publish_exactly_the_researched_figures(client: TestClient) -> None:
    for disclosure, expected in FIGURES.items():
        got = {
            f["id"].removeprefix(f"{disclosure}."): (
                f["value"],
                f["min"],
                f["max"],
                f["qualifier"],
                f["derived"],
                f["disputed"],
            )
            for f in _figures(client, disclosure)
        }
        assert got == expected, disclosure
        assert list(got) == list(expected), disclosure


def test_every_source_reported_value_is_kept(client: TestClient) -> None:
    reports = {
        f["id"]: [(r["source"], r["value"], r["min"], r["qualifier"]) for r in f["reports"]]
        for disclosure in LATER
        for f in _figures(client, disclosure)
    }
    three = ["computerweekly2010", "itproportal2010", "computing2010"]
    assert reports["met-2010.officers.proceedings-brought"] == [
        ("itproportal2010", 28, None, None),
        ("computing2010", 28, None, None),
    ]
    assert reports["met-2010.officers.disciplined"] == [("computerweekly2010", 27, None, None)]
    assert reports["met-2010.officers.written-warning"] == [(s, 18, None, None) for s in three]
    assert reports["met-2010.officers.no-disciplinary-action"] == [
        ("computerweekly2010", 1, None, None),
        ("itproportal2010", 1, None, None),
    ]
    assert reports["met-2014.officers.facing-allegations"] == [
        ("times_via_parliamentstreet2014", 71, None, None),
        ("techmonitor2014", 71, None, None),
    ]
    assert reports["met-2014.officers.resigned-or-retired"] == [
        ("times_via_parliamentstreet2014", None, None, "a string of")
    ]
    assert reports["met-2022-londonworld.rank.not-retrieved"] == [
        ("londonworld2022", 4, None, None)
    ]
    assert reports["met-2022-guardian.officers.investigated"] == [
        ("guardian2022", 412, None, None),
        ("guardian2022_mirror", 412, None, None),
    ]
    assert reports["met-2022-guardian.officers.management-advice"] == [
        ("guardian2022", None, None, "named, count not retrieved")
    ]
    # Derived figures: no source printed a number for them.
    for figure in (
        "met-2014.ongoing-or-other",
        "met-2022-guardian.action-not-broken-down",
        "met-2022-guardian.officers.without-recorded-action",
    ):
        assert all(value is None and low is None for _, value, low, _ in reports[figure])


def test_checks_evaluate_to_what_the_arithmetic_says(client: TestClient) -> None:
    statuses = {}
    for disclosure in [*LATER, "met-2015-cases"]:
        response = client.get("/v1/checks", params={"disclosure": disclosure})
        assert response.status_code == 200
        for check in response.json()["data"]:
            statuses[check["id"]] = (check["status"], check["parts_min"], check["gap"])
    assert statuses == {
        "met-2010.K1": ("holds", 27, None),
        "met-2010.K2": ("holds", 28, None),
        "met-2014.D1": ("holds", 71, None),
        "met-2022-londonworld.L-K1": ("holds", 184, None),
        "met-2022-londonworld.L-K2": ("holds", 184, None),
        "met-2022-londonworld.L-K3": ("holds", 20, None),
        "met-2022-guardian.G-K2": ("gap", 71, 38),
        "met-2022-guardian.D1": ("holds", 109, None),
        "met-2022-guardian.D2": ("holds", 412, None),
    }


def test_guardian_outcome_breakdown_leaves_a_gap_of_38(client: TestClient) -> None:
    response = client.get("/v1/checks/met-2022-guardian.G-K2")
    assert response.status_code == 200
    body = response.json()
    parts = [(p["figure"].split(".", 1)[1], p["value"]) for p in body["parts"]]
    assert parts == [
        ("officers.dismissed", 10),
        ("officers.would-have-been-dismissed", 7),
        ("officers.final-written-warning", 11),
        ("officers.written-warning", 20),
        ("officers.reflective-practice", 23),
    ]
    assert body["total"] == {
        "figure": "met-2022-guardian.action-taken",
        "label": "Cases (not officers) that led to formal or informal action",
        "source": None,
        "value": 109,
        "min": 109,
        "max": 109,
        "qualifier": None,
    }
    assert (body["status"], body["difference_min"], body["difference_max"], body["gap"]) == (
        "gap",
        38,
        38,
        38,
    )
    assert body["explanation"] == "The parts fall short of the total by 38."


def test_londonworld_by_year_adds_up_to_its_own_total(client: TestClient) -> None:
    response = client.get(
        "/v1/aggregates", params={"by": "year", "disclosure": "met-2022-londonworld"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["measure"] == "investigated"
    assert body["filters"] == {"staff_type": "police_officer"}
    assert [(r["year"], r["value"]) for r in body["rows"]] == [
        (2018, 14),
        (2019, 16),
        (2020, 62),
        (2021, 92),
    ]
    assert body["total"]["figure"] == "met-2022-londonworld.investigated"
    assert body["total"]["value"] == 184
    assert [(c["id"], c["status"]) for c in body["checks"]] == [
        ("met-2022-londonworld.L-K1", "holds"),
        ("met-2022-londonworld.L-K2", "holds"),
    ]


def test_londonworld_by_rank_counts_nobody_twice(client: TestClient) -> None:
    response = client.get(
        "/v1/aggregates", params={"by": "rank", "disclosure": "met-2022-londonworld"}
    )
    assert response.status_code == 200
    rows = [(r["rank"], r["value"]) for r in response.json()["rows"]]
    assert rows == [
        ("constable", 160),
        ("sergeant", 12),
        ("inspector_and_above", 8),
        ("not_retrieved", 4),
    ]


def test_2010_outcomes_default_to_officers_with_the_28_as_total(client: TestClient) -> None:
    response = client.get("/v1/aggregates", params={"by": "outcome", "disclosure": "met-2010"})
    assert response.status_code == 200
    body = response.json()
    assert [(r["outcome"], r["value"]) for r in body["rows"]] == [
        ("written_warning", 18),
        ("words_of_advice", 5),
        ("no_disciplinary_action", 1),
    ]
    assert (body["total"]["figure"], body["total"]["value"]) == (
        "met-2010.officers.proceedings-brought",
        28,
    )


def test_2015_answer_is_cases_only(client: TestClient) -> None:
    assert _figures(client, "met-2015-cases") == []
    response = client.get("/v1/cases", params={"disclosure": "met-2015-cases"})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 7
    assert [
        (c["id"], c["staff_type"], c["rank"], c["platform"], c["allegation"], c["outcome"])
        for c in body["data"]
    ] == [
        (
            "met-2015-cases.case-1",
            "police_officer",
            None,
            "facebook",
            "inappropriate_comments",
            "final_written_warning",
        ),
        (
            "met-2015-cases.case-2",
            "police_officer",
            None,
            "website",
            "inappropriate_behaviour",
            "dismissed",
        ),
        (
            "met-2015-cases.case-3",
            "police_officer",
            None,
            "unspecified",
            "inappropriate_behaviour",
            "not_stated",
        ),
        (
            "met-2015-cases.case-4",
            "civilian_staff",
            None,
            "facebook",
            "excessive_personal_use",
            "dismissed",
        ),
        (
            "met-2015-cases.case-5",
            "civilian_staff",
            None,
            "twitter",
            "wrongful_disclosure_of_information",
            "dismissed",
        ),
        (
            "met-2015-cases.case-6",
            "civilian_staff",
            None,
            "unspecified",
            "inappropriate_comments",
            "dismissed",
        ),
        (
            "met-2015-cases.case-7",
            "police_officer",
            None,
            "unspecified",
            "inappropriate_comments",
            "first_written_warning",
        ),
    ]
    assert {c["year"] for c in body["data"]} == {None}
    assert {c["in_foi_answer"] for c in body["data"]} == {"yes"}


def test_disclosures_list_every_answer_with_comparability_notes(client: TestClient) -> None:
    response = client.get("/v1/disclosures")
    assert response.status_code == 200
    listed = {d["id"]: d for d in response.json()["data"]}
    assert list(listed) == [
        "met-2010",
        "met-2013",
        "met-2014",
        "met-2015-cases",
        "met-2021-daily-mail-277",
        "met-2022-guardian",
        "met-2022-londonworld",
        "met-2022-opendemocracy-ico-redacted-cases",
        "met-2023-inkl-507-complaints",
        "pa-2011",
        "pa-2014",
    ]
    assert [(d["period_start"], d["period_end"]) for d in listed.values()] == [
        ("2008", "2009"),
        ("2009", None),
        ("2010", "2014"),
        (None, None),
        ("2015", None),
        ("2017", "2022-08"),
        ("2018", "2021"),
        (None, None),
        ("2018", "2022"),
        ("2008", "2010"),
        ("2009", "2014"),
    ]
    assert all(len(d["comparability"]) >= 2 for d in listed.values())
    x1 = (
        "LondonWorld's 184 officers for 2018 to 2021 and the Guardian's 412 for 2017 to "
        "August 2022 cannot be the same count: 228 officers would have to fall in 2017 and "
        "the first eight months of 2022, against 14 to 16 a year in 2018 and 2019 (research "
        "check X1). The two answers were drawn on different bases, so they are not one time "
        "series."
    )
    assert listed["met-2022-londonworld"]["comparability"][1] == x1
    assert listed["met-2022-guardian"]["comparability"][1] == x1
    assert listed["met-2022-guardian"]["comparability"][2].endswith(
        "and different end dates (research check X2; note met-2022-guardian.X2)."
    )
    assert listed["met-2010"]["comparability"][1].startswith(
        "Its 18 written warnings in 18 months are as many as the 17 or 18"
    )


def test_new_sources_have_ids_unique_across_packages(client: TestClient) -> None:
    response = client.get("/v1/sources", params={"limit": 500})
    assert response.status_code == 200
    sources = response.json()["data"]
    ids = [s["id"] for s in sources]
    assert len(ids) == len(set(ids)) == 75  # 32 of the Met's answers, 43 of the two surveys
    by_disclosure: dict[str, list[str]] = {}
    for s in sources:
        by_disclosure.setdefault(s["disclosure"], []).append(s["id"])
    assert by_disclosure["met-2022-guardian"] == [
        "guardian2022",
        "guardian2022_mirror",
        "gadgethex2022",
        "northumbria1146_22",
        "opendemocracy2022",
        "opendemocracy2022_mirror",
    ]
    assert by_disclosure["met-2022-londonworld"] == ["londonworld2022"]


def test_aggregates_refuse_a_comma_separated_list_of_disclosures(client: TestClient) -> None:
    response = client.get(
        "/v1/aggregates", params={"by": "outcome", "disclosure": "met-2013,met-2022-guardian"}
    )
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == {
        "type": "/problems/cannot-combine-disclosures",
        "title": "Disclosures cannot be combined",
        "status": 400,
        "detail": "This request names 2 disclosures (met-2013, met-2022-guardian). Each FOI "
        "answer counts different things over different periods, so figures are never added "
        "or grouped across them; ask for one disclosure at a time, or see one measure across "
        "disclosures as separate points, each with its comparability notes, at "
        "/v1/series?measure=<measure>.",
        "instance": "/v1/aggregates",
        "errors": [{"parameter": "disclosure", "message": "name exactly one disclosure"}],
    }


def test_aggregates_refuse_a_repeated_disclosure_parameter(client: TestClient) -> None:
    response = client.get(
        "/v1/aggregates?by=outcome&disclosure=met-2013&disclosure=met-2022-guardian"
    )
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == {
        "type": "/problems/repeated-parameter",
        "title": "Repeated query parameter",
        "status": 400,
        "detail": "Query parameter 'disclosure' is given more than once; give each at most once.",
        "instance": "/v1/aggregates",
        "errors": [{"parameter": "disclosure", "message": "given more than once"}],
    }


def test_no_officer_or_staff_names_in_the_new_packages() -> None:
    # Names, ages and places the press printed; none may reach the data.
    printed = [
        "Nicholson",
        "Jaffer",
        "Jamie Lewis",
        "Islington",
        "Bethnal Green",
        "aged",
        "year-old",
    ]
    for package in ("met-2010", "met-2014", "met-2015-cases", *LATER[2:]):
        for path in (SEED_DIR / package).iterdir():
            text = path.read_text(encoding="utf-8")
            if path.suffix == ".json":
                text = json.dumps(json.loads(text)["disclosure"])
            for word in printed:
                assert word not in text, (path.name, word)
