"""Reconciliation checks: range arithmetic, and every status from real and synthetic data."""

import csv
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from service.checks import evaluate
from service.reading import Interval
from service.seed import load_packages
from tests.conftest import edit_csv


@pytest.mark.parametrize(
    ("total", "parts", "status", "difference", "gap"),
    [
        (
            Interval(38, 38),
            [Interval(3, 3), Interval(18, 18), Interval(17, 17)],
            "holds",
            (0, 0),
            None,
        ),
        (Interval(75, 75), [Interval(38, 38), Interval(25, 25), Interval(6, 6)], "gap", (6, 6), 6),
        (
            Interval(38, 38),
            [Interval(20, 20), Interval(17, 18)],
            "holds_within_range",
            (0, 1),
            None,
        ),
        (
            Interval(87, 87),
            [Interval(0, None), Interval(2, None), Interval(5, 5)],
            "holds_within_range",
            (None, 80),
            None,
        ),
        (Interval(10, 10), [Interval(3, 4), Interval(2, 3)], "gap", (3, 5), None),
        (Interval(7, 7), [Interval(3, 3), Interval(5, 5)], "contradiction", (-1, -1), None),
        (Interval(7, 9), [Interval(8, 8), Interval(4, None)], "contradiction", (None, -3), None),
    ],
)
def test_evaluate_uses_range_arithmetic(
    total: Interval,
    parts: list[Interval],
    status: str,
    difference: tuple[int | None, int | None],
    gap: int | None,
) -> None:
    outcome = evaluate(total, parts)
    assert outcome.status == status
    assert (outcome.difference_min, outcome.difference_max) == difference
    assert outcome.gap == gap


def test_every_2013_check_has_the_status_its_arithmetic_gives(client: TestClient) -> None:
    body = client.get("/v1/checks?disclosure=met-2013").json()
    assert body["count"] == 10
    assert [
        (c["id"], c["status"], c["gap"], c["parts_min"], c["parts_max"]) for c in body["data"]
    ] == [
        ("met-2013.K1", "holds", None, 38, 38),
        ("met-2013.K2", "gap", 6, 69, 69),
        ("met-2013.K3", "holds", None, 25, 25),
        ("met-2013.K4", "holds", None, 12, 12),
        ("met-2013.K4b", "holds", None, 6, 6),
        ("met-2013.K5a", "holds", None, 7, 7),
        ("met-2013.K5b", "holds", None, 8, 8),
        ("met-2013.D1", "holds", None, 87, 87),
        ("met-2013.D2", "holds", None, 50, 50),
        ("met-2013.D3", "holds", None, 75, 75),
    ]


def test_the_guardian_breakdown_holds_with_its_own_18(client: TestClient) -> None:
    check = client.get("/v1/checks/met-2013.K1").json()
    warning = check["parts"][1]
    assert warning == {
        "figure": "met-2013.officers.written-warning",
        "label": "Police officers given a written warning",
        "source": "guardian2013",
        "value": 18,
        "min": 18,
        "max": 18,
        "qualifier": None,
    }
    assert check["explanation"] == "The parts add up exactly to the total."


def test_the_75_officers_leave_a_gap_of_6(client: TestClient) -> None:
    check = client.get("/v1/checks/met-2013.K2").json()
    assert (check["status"], check["gap"], check["difference_min"], check["difference_max"]) == (
        "gap",
        6,
        6,
        6,
    )
    assert check["explanation"] == "The parts fall short of the total by 6."


def test_checks_filter_by_status(client: TestClient) -> None:
    body = client.get("/v1/checks?status=gap&disclosure=met-2013").json()
    assert [c["id"] for c in body["data"]] == ["met-2013.K2"]
    assert client.get("/v1/checks?status=contradiction&disclosure=met-2013").json()["count"] == 0


def _reload(engine: Engine, package: Path, client: TestClient) -> dict[str, str]:
    load_packages(engine, [package])
    return {c["id"]: c["status"] for c in client.get("/v1/checks?limit=500").json()["data"]}


def test_a_corrected_figure_reruns_every_check(
    client: TestClient, engine: Engine, package_copy: Callable[..., Path]
) -> None:
    package = package_copy()
    # Seven dismissed becomes six: parts 3 + 4 now exceed the total.
    edit_csv(package / "figures.csv", 22, "value", "6")
    for line in range(
        49, 52
    ):  # the three reports that print seven (the Guardian printed the parts)
        edit_csv(package / "figure_reports.csv", line, "value", "6")
    statuses = _reload(engine, package, client)
    assert statuses["met-2013.K5a"] == "contradiction"
    check = client.get("/v1/checks/met-2013.K5a").json()
    assert check["explanation"] == ("The parts exceed the total by 1; they cannot both be right.")


def test_a_check_on_a_disputed_figure_holds_within_range(
    client: TestClient, engine: Engine, package_copy: Callable[..., Path]
) -> None:
    package = package_copy()
    edit_csv(package / "check_terms.csv", 4, "source", "")  # K1 uses the 17-18 reading
    statuses = _reload(engine, package, client)
    assert statuses["met-2013.K1"] == "holds_within_range"
    check = client.get("/v1/checks/met-2013.K1").json()
    assert (check["difference_min"], check["difference_max"]) == (0, 1)
    assert check["explanation"] == (
        "The parts can add up to the total within the ranges given; the total minus the "
        "parts is between 0 and 1."
    )


def test_unknown_check_is_a_404(client: TestClient) -> None:
    assert client.get("/v1/checks/met-2013.K99").status_code == 404
    assert client.get("/v1/checks/nowhere.K1").status_code == 404


def _seeded_terms() -> list[dict[str, str]]:
    """Every check_terms.csv row of the seed packages, as the zips carry them."""
    rows = []
    for path in sorted(Path("seed").glob("*/check_terms.csv")):
        with path.open(newline="") as f:
            rows += list(csv.DictReader(f))
    return rows


def test_the_terms_csv_names_the_report_each_part_uses(client: TestClient) -> None:
    """Issue 26: the checks CSV gives K1's parts as figure ids only, so it lost that K1
    counts the Guardian's 18 written warnings, not the figure's disputed 17 to 18. The
    terms CSV, linked from the checks CSV, has a row per term with its source."""
    checks = client.get("/v1/checks?format=csv&disclosure=met-2013")
    terms_url = "/v1/checks/terms?format=csv"
    assert f'<{terms_url}>; rel="related"; type="text/csv"' in checks.headers["link"]
    # the checks CSV's parts column is as it was: figure ids only
    k1 = next(r for r in csv.DictReader(io.StringIO(checks.text)) if r["id"] == "met-2013.K1")
    assert k1["parts"].split(";")[1] == "met-2013.officers.written-warning"
    answer = client.get(terms_url)
    assert answer.status_code == 200
    assert answer.headers["link"] == (
        '</v1/csvw/check-terms>; rel="describedby"; type="application/csvm+json"'
    )
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    k1_rows = [r for r in rows if r["check"] == "met-2013.K1"]
    assert [(r["role"], r["position"], r["figure"], r["source"]) for r in k1_rows] == [
        ("total", "0", "met-2013.officers.complaint-proven", ""),
        ("part", "1", "met-2013.officers.dismissed", ""),
        ("part", "2", "met-2013.officers.written-warning", "guardian2013"),
        ("part", "3", "met-2013.officers.management-action", ""),
        ("part", "4", "met-2013.officers.resigned-or-retired", ""),
        ("part", "5", "met-2013.officers.management-advice", ""),
    ]
    assert k1_rows[2] == {
        "check": "met-2013.K1",
        "disclosure": "met-2013",
        "role": "part",
        "position": "2",
        "figure": "met-2013.officers.written-warning",
        "label": "Police officers given a written warning",
        "source": "guardian2013",
        "value": "18",
        "min": "18",
        "max": "18",
        "qualifier": "",
    }
    # every term of every seeded check appears once, as the packages declare it
    assert sorted((r["check"], r["role"], r["figure"], r["source"]) for r in rows) == sorted(
        (t["check"], t["role"], t["figure"], t["source"]) for t in _seeded_terms()
    )
    assert len({(r["check"], r["position"]) for r in rows}) == len(rows)


def test_the_terms_agree_with_every_check_in_json(client: TestClient) -> None:
    checks = client.get("/v1/checks?limit=500").json()["data"]
    terms = client.get("/v1/checks/terms?limit=500").json()
    wanted = [
        {"check": c["id"], "disclosure": c["disclosure"], "role": role, "position": i, **term}
        for c in checks
        for role, i, term in [
            ("total", 0, c["total"]),
            *(("part", n, p) for n, p in enumerate(c["parts"], 1)),
        ]
    ]
    assert terms["data"] == wanted
    assert terms["count"] == len(wanted) == sum(1 + len(c["parts"]) for c in checks)
    csv_rows = list(csv.DictReader(io.StringIO(client.get("/v1/checks/terms?format=csv").text)))
    as_text = [{k: "" if v is None else str(v) for k, v in row.items()} for row in terms["data"]]
    assert csv_rows == as_text
    one = client.get("/v1/checks/terms?disclosure=met-2013&limit=2&offset=2").json()
    assert [(r["check"], r["position"]) for r in one["data"]] == [
        ("met-2013.K1", 2),
        ("met-2013.K1", 3),
    ]


def test_the_terms_metadata_keys_each_row_to_its_check(client: TestClient) -> None:
    document = client.get("/v1/csvw/check-terms").json()
    assert document["url"] == "http://testserver/v1/checks/terms?format=csv"
    schema = document["tableSchema"]
    assert schema["primaryKey"] == ["check", "position"]
    assert schema["foreignKeys"] == [
        {
            "columnReference": "check",
            "reference": {
                "resource": "http://testserver/v1/checks?format=csv",
                "columnReference": ["id"],
            },
        }
    ]
    types = {c["name"]: c["datatype"] for c in schema["columns"]}
    assert (types["position"], types["value"], types["source"]) == ("integer", "integer", "string")
    checks = client.get("/v1/csvw/checks").json()
    assert checks["tableSchema"]["primaryKey"] == ["id"]
    assert checks["rdfs:seeAlso"] == [
        {
            "@id": "http://testserver/v1/checks/terms?format=csv",
            "dc:description": "one row per term of a check (its total or one of its parts), "
            "with the report it uses",
        }
    ]


def test_an_unknown_disclosure_of_the_terms_is_a_422(client: TestClient) -> None:
    assert client.get("/v1/checks/terms?disclosure=nowhere").status_code == 422
