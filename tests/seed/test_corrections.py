"""The fact-check corrections of issue 13, each against the real packages under seed/ and
the API: a source is credited only with what it printed, transcriptions match the research
file, and case records name no date finer than a year."""

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.seed import find_packages, read_package
from service.seed.rows import Package
from service.tables import FigureReport
from tests.conftest import SEED_DIR


def _package(name: str) -> Package:
    return read_package(SEED_DIR / name)


def _reports(package: Package, figure_id: str) -> dict[str, FigureReport]:
    return {r.source_id: r for r in package.reports if r.figure_id == figure_id}


def test_guardian_printed_only_the_parts_of_the_seven_dismissed(client: TestClient) -> None:
    reports = _reports(_package("met-2013"), "met-2013.all.dismissed")
    guardian = reports["guardian2013"]
    assert (guardian.kind, guardian.value, guardian.parts) == (
        "parts",
        None,
        ["met-2013.officers.dismissed", "met-2013.staff.dismissed"],
    )
    assert {s: (r.kind, r.value) for s, r in reports.items() if s != "guardian2013"} == {
        "standard2013": ("number", 7),
        "idg_via_parliamentstreet": ("number", 7),
        "independent2013": ("number", 7),
    }
    citation = client.get("/v1/figures/met-2013.all.dismissed").json()["citation"]
    printed, parts = citation.split("; the Guardian gave ")
    assert "The Guardian" not in printed
    assert parts.startswith("3 officers and 4 staff, not this number (“Met police investigated")


@pytest.mark.parametrize("slug", ["twitter", "linkedin", "youtube", "friends-reunited"])
def test_standard_named_the_other_platforms_without_a_count(client: TestClient, slug: str) -> None:
    figure_id = f"met-2013.platform.{slug}"
    standard = _reports(_package("met-2013"), figure_id)["standard2013"]
    assert (standard.kind, standard.value, standard.min, standard.max) == (
        "named_without_count",
        None,
        None,
        None,
    )
    body = client.get(f"/v1/figures/{figure_id}").json()
    assert "Evening Standard" not in body["citation"]
    assert [c["id"] for c in body["cite"]] == [figure_id, "idg_via_parliamentstreet"]


def test_standards_others_under_investigation_is_not_credited_with_six(
    client: TestClient,
) -> None:
    reports = _reports(_package("met-2013"), "met-2013.officers.under-investigation")
    assert (reports["guardian2013"].kind, reports["guardian2013"].value) == ("number", 6)
    standard = reports["standard2013"]
    assert (standard.kind, standard.value, standard.qualifier) == (
        "named_without_count",
        None,
        "others",
    )
    body = client.get("/v1/figures/met-2013.officers.under-investigation").json()
    assert body["value"] == 6
    assert "Evening Standard" not in body["citation"]


def test_guardians_civilian_sacked_in_2013_is_a_floor_and_the_ceiling_is_ours() -> None:
    package = _package("met-2013")
    figure = next(f for f in package.figures if f.id == "met-2013.staff.dismissed-2013")
    assert (figure.value, figure.min, figure.max) == (None, 1, 4)
    guardian = _reports(package, figure.id)["guardian2013"]
    assert (guardian.kind, guardian.value, guardian.min, guardian.max) == ("range", None, 1, None)


def test_bounds_read_from_plural_words_are_ours_not_the_sources() -> None:
    unspecified = _reports(_package("met-2013"), "met-2013.platform.unspecified")
    idg = unspecified["idg_via_parliamentstreet"]
    assert (idg.kind, idg.min, idg.qualifier) == ("words", None, "a number of")
    string_of = _reports(_package("met-2014"), "met-2014.officers.resigned-or-retired")
    times = string_of["times_via_parliamentstreet2014"]
    assert (times.kind, times.min, times.qualifier) == ("words", None, "a string of")


def test_the_parts_of_the_eight_who_left_and_of_our_sums_are_credited() -> None:
    reports = {(r.figure_id, r.source_id): (r.kind, r.parts) for r in _package("met-2013").reports}
    left = ["met-2013.officers.resigned-or-retired", "met-2013.staff.resigned-or-retired"]
    assert reports[("met-2013.all.resigned-or-retired", "guardian2013")] == ("parts", left)
    assert reports[("met-2013.all.resigned-or-retired", "standard2013")] == ("parts", left)
    assert reports[("met-2013.all.investigated", "guardian2013")] == (
        "parts",
        ["met-2013.officers.investigated", "met-2013.staff.investigated"],
    )


def test_pa_69_and_opendemocracy_25_cite_their_own_sources(client: TestClient) -> None:
    note = client.get("/v1/disclosures/met-2014").json()["notes"]
    pa = next(n for n in note if n["id"] == "met-2014.PA1")
    assert pa["sources"] == [
        "wired2014",
        "droitwichadvertiser2014",
        "independent2014",
        "pinknews2014",
        "boltonnews2014",
        "businessinsiderindia2014",
    ]
    assert "69 Met cases" in pa["text"]
    guardian = client.get("/v1/disclosures/met-2022-guardian").json()
    x2 = next(n for n in guardian["notes"] if n["id"] == "met-2022-guardian.X2")
    assert x2["sources"] == ["guardian2022", "opendemocracy2022", "opendemocracy2022_mirror"]
    mirror = next(s for s in guardian["sources"] if s["id"] == "opendemocracy2022_mirror")
    assert mirror["url"] == (
        "https://propspace.co.uk/exclusive-hundreds-of-uk-police-kept-jobs-after-sickening-"
        "social-media-abuses/"
    )


def test_bournemouth_echo_link_says_it_is_a_complaint_link() -> None:
    echo = next(s for s in _package("met-2014").sources if s.id == "bournemouthecho2014")
    assert echo.url.endswith("?action=complain&cid=12930544")
    assert echo.note is not None
    assert "no plain article address" in echo.note


def test_londonworld_sanctioned_is_a_fraction_of_2021_and_its_report_is_words(
    client: TestClient,
) -> None:
    package = _package("met-2022-londonworld")
    figure = next(f for f in package.figures if f.id == "met-2022-londonworld.sanctioned")
    assert (figure.year, figure.value, figure.min, figure.max, figure.derived) == (
        2021,
        None,
        0,
        92,
        False,
    )
    (report,) = _reports(package, figure.id).values()
    assert (report.kind, report.value, report.min, report.max, report.qualifier) == (
        "words",
        None,
        None,
        None,
        "just a fraction of",
    )
    body = client.get("/v1/figures/met-2022-londonworld.sanctioned").json()
    assert (body["year"], body["min"], body["max"]) == (2021, 0, 92)


def test_2014_substantiated_and_dismissed_complaints_carry_no_staff_type(
    client: TestClient,
) -> None:
    figures = {f.id: f for f in _package("met-2014").figures}
    for slug in ("substantiated", "complaints-dismissed", "ongoing-or-other"):
        assert figures[f"met-2014.{slug}"].staff_type is None
    officers = client.get(
        "/v1/series", params={"measure": "complaint_proven", "staff_type": "police_officer"}
    ).json()
    assert [(p["figure"], p["value"]) for p in officers["data"]] == [
        ("met-2013.officers.complaint-proven", 38)
    ]


def test_2010_formal_misconduct_is_a_charge_not_an_outcome(client: TestClient) -> None:
    figure = next(
        f for f in _package("met-2010").figures if f.id == "met-2010.officers.formal-misconduct"
    )
    assert (figure.measure, figure.outcome, figure.value) == ("charged_with_misconduct", None, 4)
    outcomes = client.get(
        "/v1/aggregates", params={"disclosure": "met-2010", "by": "outcome"}
    ).json()
    assert [(r["outcome"], r["value"]) for r in outcomes["rows"]] == [
        ("written_warning", 18),
        ("words_of_advice", 5),
        ("no_disciplinary_action", 1),
    ]
    assert client.get("/v1/checks/met-2010.K1").json()["status"] == "holds"


def test_2013_periods_follow_the_research(client: TestClient) -> None:
    package = _package("met-2013")
    d = package.disclosure
    assert (d.period_start, d.period_end) == ("2009", None)
    assert d.period_description.startswith("2009 to early 2013: officers 2009 to 2012")
    assert d.first_coverage == "2013-04-11 (approximate, inferred)"
    periods = {(f.staff_type, f.period) for f in package.figures if f.year is None}
    assert periods == {
        ("police_officer", "2009 to 2012"),
        ("civilian_staff", "2009 to early 2013"),
        (None, "2009 to early 2013"),
    }
    citation = client.get("/v1/figures/met-2013.officers.dismissed").json()["citation"]
    assert "covering 2009 to early 2013: officers 2009 to 2012 and civilian staff" in citation
    assert "2009 to 2013" not in citation


def test_guardian_2022_outcome_rows_and_total_carry_their_own_units(client: TestClient) -> None:
    body = client.get(
        "/v1/aggregates", params={"disclosure": "met-2022-guardian", "by": "outcome"}
    ).json()
    assert {r["unit"] for r in body["rows"]} == {"officers"}
    assert (body["total"]["value"], body["total"]["unit"], body["total"]["label"]) == (
        109,
        "cases",
        "Cases (not officers) that led to formal or informal action",
    )
    (check,) = [c for c in body["checks"] if c["id"] == "met-2022-guardian.G-K2"]
    assert check["note"].startswith(
        "The rows count officers and the total counts cases, so they do not add up"
    )
    comparability = client.get("/v1/disclosures/met-2022-guardian").json()["comparability"]
    assert any(
        "rows (unit officers) do not add up to the total (unit cases)" in c for c in comparability
    )


# ---------------------------------------------------------------- case records

MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
]
FINER_THAN_A_YEAR = re.compile(
    r"\b(" + "|".join(MONTHS) + r")\b"
    r"|\b(in|of|early|late|mid) may\b|\bmay \d{4}\b"  # May, not the verb
    r"|\b\d{4}-\d{2}\b"  # an ISO month or day
    r"|\b\d{1,2}/\d{1,2}/\d{2,4}\b"
    r"|\b(early|late|mid|end of|start of|beginning of)[- ](in )?(the )?(\d{4}|year)\b"
    r"|\b(earlier|later|last|this|next) (this |that )?(year|month|week)\b"
    r"|\b(spring|summer|autumn|winter)\b"
    r"|\byesterday\b|\btoday\b",
    re.IGNORECASE,
)


@pytest.mark.parametrize(
    "text",
    [
        "The posts date from June 2010.",
        "dismissed early in 2013",
        "sacked earlier this year",
        "a hearing in December",
        "on 2011-06-23",
        "in mid-2012",
        "late 2011",
        "in May 2012",
    ],
)
def test_the_date_rule_catches_dates_finer_than_a_year(text: str) -> None:
    assert FINER_THAN_A_YEAR.search(text)


def _case_texts(root: Path) -> list[tuple[str, str]]:
    return [
        (row["id"], text)
        for row in read_package(root).case_rows
        for text in (row["summary"], row["note"] or "")
    ]


@pytest.mark.parametrize("root", find_packages(SEED_DIR), ids=lambda p: p.name)
def test_no_case_has_a_date_finer_than_a_year(root: Path) -> None:
    found = [(i, t) for i, t in _case_texts(root) if FINER_THAN_A_YEAR.search(t)]
    assert found == []


def test_minimised_2013_cases_keep_no_rank_and_no_link_to_reports_naming_them(
    client: TestClient,
) -> None:
    cases = client.get("/v1/cases", params={"disclosure": "met-2013"}).json()["data"]
    assert [(c["id"], c["rank"], c["year"], c["sources"]) for c in cases] == [
        # The Standard names, ages and locates them (names_people): they cite the disclosure.
        ("met-2013.case-1", None, 2011, []),
        ("met-2013.case-2", None, 2011, []),
        ("met-2013.case-3", None, 2011, []),
        ("met-2013.case-4", None, 2013, ["guardian2013"]),
    ]
    text = " ".join(f"{c['summary']} {c['note']}" for c in cases).lower()
    for detail in ("14-year-old", "acquitted", "arrested", "chief inspector", "two-day", "custody"):
        assert detail not in text
    sources = [s["id"] for s in client.get("/v1/disclosures/met-2013").json()["sources"]]
    assert sources == [
        "guardian2013",
        "standard2013",
        "idg_via_parliamentstreet",
        "independent2013",
        "direct2lawyers2013",
    ]
