"""The three disclosures of issue 19 and the updates to older packages, checked against the
research file itself: its `additions_2026_11_24` section is read with pyyaml, not restated
here, so a package that drifts from the research fails. Also the series rule of checks X3
and X4: complaints logged never share a line with officers investigated."""

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]
from fastapi.testclient import TestClient

from service.config import PROJECT_ROOT
from service.seed import find_packages, read_package
from service.seed.rows import Package
from service.tables import Figure, FigureReport, Note
from tests.conftest import SEED_DIR

RESEARCH_FILE = Path(
    os.environ.get(
        "RESEARCH_FILE",
        PROJECT_ROOT.parent / "shared" / "data" / "met-social-media-disclosures.research.yaml",
    )
)
INKL = "met-2023-inkl-507-complaints"
DAILY_MAIL = "met-2021-daily-mail-277"
OPENDEMOCRACY = "met-2022-opendemocracy-ico-redacted-cases"

#: The research lists Personnel Today's article twice, at its address with and without the
#: final slash; it is one source in the package.
SOURCE_ALIASES = {"pt2021_alt": "pt2021"}
#: The Met's complaint categories, as our allegation codes (service/taxonomy.py).
NATURE_CODES = {
    "inappropriate_sexual_conduct": "inappropriate_sexual_conduct",
    "discriminatory_behaviour": "discrimination",
}
NATURE_SLUGS = {
    "inappropriate_sexual_conduct": "sexual-conduct",
    "discriminatory_behaviour": "discriminatory-behaviour",
}
OUTCOME_CODES = {"final written warning": "final_written_warning", "not_retrieved": None}


@pytest.fixture(scope="module")
def research() -> dict[str, Any]:
    if not RESEARCH_FILE.exists():
        pytest.skip(f"the research file is not at {RESEARCH_FILE}; set RESEARCH_FILE")
    data: dict[str, Any] = yaml.safe_load(RESEARCH_FILE.read_text(encoding="utf-8"))
    additions: dict[str, Any] = data["additions_2026_11_24"]
    return additions


def _disclosure(research: dict[str, Any], disclosure_id: str) -> dict[str, Any]:
    entries: list[dict[str, Any]] = [d for d in research["disclosures"] if d["id"] == disclosure_id]
    (entry,) = entries
    return entry


def _entries(disclosure: dict[str, Any], measure: str) -> list[dict[str, Any]]:
    return [f for f in disclosure["figures"] if f["measure"] == measure]


def _package(name: str) -> Package:
    return read_package(SEED_DIR / name)


def _figure(package: Package, slug: str) -> Figure:
    (figure,) = [f for f in package.figures if f.id == f"{package.disclosure.id}.{slug}"]
    return figure


def _reports(package: Package, figure_id: str) -> dict[str, FigureReport]:
    return {r.source_id: r for r in package.reports if r.figure_id == figure_id}


def _note(package: Package, note_id: str) -> Note:
    (note,) = [n for n in package.notes if n.id == f"{package.disclosure.id}.{note_id}"]
    return note


def _sources(entry: dict[str, Any]) -> set[str]:
    return {SOURCE_ALIASES.get(s, s) for s in entry["sources"]}


def _quoted(text: str) -> list[str]:
    """The source's own words inside a research qualifier: what stands between double quotes."""
    return re.findall(r'"([^"]+)"', text)


def _assert_transcribed(
    package: Package, slug: str, entry: dict[str, Any], unit: str | None = None
) -> Figure:
    """The figure carries the research entry's number, bounds, words, unit and derived flag,
    and each source the research names has one report crediting it with what it printed."""
    figure = _figure(package, slug)
    bounds = entry.get("bounds") or {}
    derived = bool(entry.get("derived"))
    assert (figure.value, figure.min, figure.max) == (
        entry.get("value"),
        bounds.get("min"),
        bounds.get("max"),
    ), slug
    assert figure.derived is derived, slug
    assert figure.unit == (unit or entry["unit"]), slug
    words = _quoted(entry.get("qualifier") or "")
    if entry.get("qualifier"):
        assert words, slug
        assert all(w in (figure.qualifier or "") for w in words), slug
    else:
        assert figure.qualifier is None, slug
    reports = _reports(package, figure.id)
    assert set(reports) == _sources(entry), slug
    for report in reports.values():
        reading = (report.value, report.min, report.max)
        if derived:
            assert (report.kind, *reading) == ("parts", None, None, None), slug
        elif entry.get("value") is not None:
            assert (report.kind, *reading) == ("number", entry["value"], None, None), slug
        else:
            # Bounds read from plural words are ours: the source printed only its words.
            assert (report.kind, *reading) == ("words", None, None, None), slug
            assert all(w in (report.qualifier or "") for w in words), slug
    return figure


def test_inkl_507_complaints_publish_exactly_the_researched_figures(
    research: dict[str, Any],
) -> None:
    disclosure = _disclosure(research, INKL)
    package = _package(INKL)
    checked = set()

    ranks = {f["dimensions"]["rank"]: f for f in _entries(disclosure, "officers_reported")}
    assert set(ranks) == {"constable", "sergeant", "inspector", "all_listed"}
    for rank, entry in ranks.items():
        slug = "officers" if rank == "all_listed" else f"rank.{rank}"
        figure = _assert_transcribed(package, slug, entry)
        assert (figure.measure, figure.staff_type, figure.rank) == (
            "complained_about",
            "police_officer",
            None if rank == "all_listed" else rank,
        )
        checked.add(figure.id)
    (total_report,) = _reports(package, f"{INKL}.officers").values()
    assert total_report.parts == [
        f"{INKL}.rank.{r}" for r in ("constable", "sergeant", "inspector")
    ]

    (complaints,) = _entries(disclosure, "complaints")
    figure = _assert_transcribed(package, "complaints", complaints)
    assert (figure.measure, figure.staff_type, figure.platform) == (
        "complaints_logged",
        "police_officer",
        None,
    )
    checked.add(figure.id)
    # The five platforms are named as a list with no counts: one words-only figure each.
    named = [f for f in package.figures if f.measure == "platform_named"]
    assert [f.platform for f in named] == complaints["dimensions"]["platform"]
    for figure in named:
        assert (figure.value, figure.min, figure.max, figure.qualifier, figure.unit) == (
            None,
            None,
            None,
            "named, no count given",
            "complaints",
        )
        (report,) = _reports(package, figure.id).values()
        assert (report.source_id, report.kind, report.qualifier) == ("inkl2023", "words", "named")
        checked.add(figure.id)

    natures = _entries(disclosure, "complaints_by_nature")
    assert len(natures) == 4
    for entry in natures:
        nature, year = entry["dimensions"]["nature"], entry["dimensions"]["year"]
        figure = _assert_transcribed(package, f"{NATURE_SLUGS[nature]}-{year}", entry)
        assert (figure.measure, figure.allegation, figure.year) == (
            "complaints_logged",
            NATURE_CODES[nature],
            year,
        )
        checked.add(figure.id)

    # A ratio is not a count: the headline's words are in a note, not a figure.
    (headline,) = _entries(disclosure, "complaints_growth_headline")
    i2 = _note(package, "I2")
    assert all(w in i2.text for w in _quoted(headline["qualifier"]))
    assert set(i2.sources) == _sources(headline)
    # What no retrieved source gives is named in a note and published as no figure.
    unread = [f for f in disclosure["figures"] if f.get("status") == "not_retrieved"]
    assert len(unread) == 2
    assert all(_sources(f) <= set(_note(package, "N1").sources) for f in unread)
    assert {f.id for f in package.figures} == checked


def test_daily_mail_277_keeps_its_unit_open_as_the_research_does(
    research: dict[str, Any],
) -> None:
    disclosure = _disclosure(research, DAILY_MAIL)
    package = _package(DAILY_MAIL)
    (entry,) = _entries(disclosure, "allegations_social_media_misuse")
    # The research records the unit as allegations and says in its note that it may be officers.
    assert "officers or allegations" in " ".join(entry["note"].split())
    figure = _assert_transcribed(package, "alleged-misuse", entry, unit="allegations or officers")
    assert entry["unit"] in figure.unit.split(" or ")
    assert (figure.measure, figure.staff_type, figure.year) == ("alleged_misuse", None, None)
    assert [f.id for f in package.figures] == [figure.id]

    (details,) = _entries(disclosure, "case_details")
    s1 = _note(package, "S1")
    assert details["qualifier"] in s1.text
    assert set(s1.sources) == _sources(details)
    national = _note(package, "N1").text
    for context in disclosure["national_context_not_met"]:
        printed = str(context["value"]) if context["value"] is not None else None
        assert (printed or context["qualifier"]) in national, context["measure"]
    assert "27.7%" in _note(package, "DM-K1").text
    assert [s.id for s in package.sources] == ["pt2021"]


def test_opendemocracy_publishes_its_figure_and_its_two_bare_cases(
    research: dict[str, Any],
) -> None:
    disclosure = _disclosure(research, OPENDEMOCRACY)
    package = _package(OPENDEMOCRACY)
    (entry,) = _entries(disclosure, "officers_final_written_warning")
    figure = _assert_transcribed(package, "officers.final-written-warning", entry)
    assert (figure.measure, figure.staff_type, figure.outcome, figure.platform) == (
        "people_by_outcome",
        "police_officer",
        "final_written_warning",
        entry["dimensions"]["platform"],
    )
    assert [f.id for f in package.figures] == [figure.id]
    (unread,) = _entries(disclosure, "officers_disciplined_total")
    assert unread["status"] == "not_retrieved"
    assert _sources(unread) <= set(_note(package, "N1").sources)

    # The cases carry nothing beyond year, staff type, platform, allegation and outcome.
    bare = {"id", "year", "rank_or_role", "staff_type", "platform", "allegation", "outcome"}
    assert all(set(case) == {*bare, "sources"} for case in disclosure["cases"])
    assert all(case["rank_or_role"] == "officer (rank not stated)" for case in disclosure["cases"])
    published = [
        (c.year, c.staff_type, c.rank, c.platform, c.outcome, c.sources, c.in_foi_answer)
        for c in package.cases
    ]
    assert published == [
        (
            case["year"],
            case["staff_type"],
            None,
            None if case["platform"] == "not_retrieved" else case["platform"],
            OUTCOME_CODES[case["outcome"]],
            # The article names and ages officers over another matter (names_people), so
            # the cases cite the disclosure rather than link to it.
            [],
            "yes",
        )
        for case in disclosure["cases"]
    ]
    assert [c.allegation for c in package.cases] == ["inappropriate_comments", None]
    assert "nothing about them beyond year, staff type, platform, allegation and outcome" in (
        _note(package, "C1").text
    )


def test_updates_to_existing_packages_follow_the_research(research: dict[str, Any]) -> None:
    updates = {u["target"].split(" ")[0]: u for u in research["updates_to_existing"]}
    conflicts = {c["id"]: c for c in research["conflicts_with_main_file"]}
    guardian = _package("met-2022-guardian")
    # openDemocracy's February 2022 article, at its original address and date.
    original = updates["met-2022-opendemocracy-25"]
    source = next(s for s in guardian.sources if s.id == "opendemocracy2022")
    assert (source.url, source.date, source.title) == (
        original["source"],
        str(original["date"]),
        original["title"],
    )
    assert "opendemocracy2022" in _note(guardian, "X2").sources
    # P2: the request may be the Telegraph's; the requester is unnamed, possibly the Guardian.
    assert "Telegraph" in conflicts["P2"]["detail"]
    assert guardian.disclosure.requester == "an unnamed requester (possibly the Guardian)"
    assert "Telegraph" in _note(guardian, "C1").text
    # The Press Association's 69: every outlet that printed it is cited; no exact window.
    met_2014 = _package("met-2014")
    pa = updates["met-2014-press-association-69"]
    printed_69 = [s["url"] for s in pa["sources"] if re.search(r"\b69\b", s["says"])]
    assert len(printed_69) == 4
    urls = {s.id: s.url for s in met_2014.sources}
    pa1 = _note(met_2014, "PA1")
    assert set(printed_69) <= {urls[s] for s in pa1.sources}
    assert "only as 2009 to February 2014" in pa1.text
    # P1: the exact window is tied by the Bournemouth Echo to Parliament Street's request.
    p1 = _note(met_2014, "P1")
    assert urls["bournemouthecho2014"] == conflicts["P1"]["source"]
    assert "bournemouthecho2014" in p1.sources
    assert "1 January 2009 to 17 February 2014" in p1.text
    assert (met_2014.disclosure.period_start, met_2014.disclosure.period_end) == ("2010", "2014")


def test_packages_list_their_changes_oldest_first() -> None:
    changed = {"met-2014", "met-2022-guardian", "met-2022-londonworld"}
    new = {INKL, DAILY_MAIL, OPENDEMOCRACY}
    # Issue 24 (2026-12-07) changed every package: at least their schemas' allegation codes.
    versions = {
        "met-2010": "1.1.1",
        "met-2013": "1.2.0",
        "met-2014": "1.3.0",
        "met-2015-cases": "1.1.1",
        DAILY_MAIL: "1.0.1",
        "met-2022-guardian": "1.2.1",
        "met-2022-londonworld": "1.2.1",
        OPENDEMOCRACY: "1.1.0",
        INKL: "1.1.0",
        "pa-2011": "1.0.0",
        "pa-2014": "1.0.0",
    }
    for root in find_packages(SEED_DIR):
        descriptor = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
        changes = descriptor["changes"]
        assert all(set(c) == {"date", "note"} and c["note"] for c in changes), root.name
        assert [c["date"] for c in changes] == sorted(c["date"] for c in changes), root.name
        assert changes[-1]["date"] == descriptor["last_updated"] == "2026-12-07", root.name
        assert descriptor["version"] == versions[root.name], root.name
        if root.name in new:
            assert [c["note"].split(":")[0] for c in changes[:-1]] == ["First published"]
        else:
            assert len(changes) == (2 if root.name in changed else 1), root.name


def _series(client: TestClient, **params: str) -> list[tuple[str, str, int | None]]:
    response = client.get("/v1/series", params=params)
    assert response.status_code == 200
    return [(p["disclosure"], p["figure"], p["value"]) for p in response.json()["data"]]


@pytest.mark.parametrize(
    ("rank", "complained", "investigated"),
    [
        ("constable", 383, [("met-2022-londonworld", "met-2022-londonworld.rank.constable", 160)]),
        ("sergeant", 38, [("met-2022-londonworld", "met-2022-londonworld.rank.sergeant", 12)]),
        ("inspector", 20, []),
    ],
)
def test_series_keeps_the_2023_ranks_apart_from_londonworld_and_the_guardian(
    client: TestClient,
    rank: str,
    complained: int,
    investigated: list[tuple[str, str, int]],
) -> None:
    officers = {"staff_type": "police_officer", "rank": rank}
    assert _series(client, measure="complained_about", **officers) == [
        (INKL, f"{INKL}.rank.{rank}", complained)
    ]
    assert _series(client, measure="investigated", **officers) == investigated


def test_series_of_officers_investigated_has_no_complaints_logged(client: TestClient) -> None:
    groups = {g for g, _, _ in _series(client, measure="investigated", staff_type="police_officer")}
    assert groups == {
        "met-2013",
        "met-2014",
        "met-2022-guardian",
        "met-2022-londonworld",
        "pa-2014",
    }
    assert _series(
        client, measure="complained_about", staff_type="police_officer", grain="total"
    ) == [(INKL, f"{INKL}.officers", 441)]
    assert _series(
        client, measure="complaints_logged", staff_type="police_officer", grain="total"
    ) == [
        ("pa-2011", "pa-2011.complaints", 187),
        ("pa-2011", "pa-2011.complaints-four-years", None),
        (INKL, f"{INKL}.complaints", 507),
        (INKL, f"{INKL}.sexual-conduct-2018", 2),
        (INKL, f"{INKL}.sexual-conduct-2022", 19),
    ]
    assert _series(client, measure="alleged_misuse") == [
        (DAILY_MAIL, f"{DAILY_MAIL}.alleged-misuse", 277)
    ]
    page = client.get("/compare", params={"measure": "investigated"})
    assert page.status_code == 200
    # Their comparability notes may name them; no figure of theirs is shown.
    for other in (INKL, DAILY_MAIL):
        assert f'href="/figures/{other}.' not in page.text
        assert f'href="/disclosures/{other}"' not in page.text
    assert 'href="/figures/met-2022-guardian.officers.investigated"' in page.text
