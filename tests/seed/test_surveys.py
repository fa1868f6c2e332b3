"""The Press Association's surveys of every force (issue 27), checked against the research
file itself: the `surveys` of its `additions_2026_12_06` section are read with pyyaml, not
restated here, so a package that drifts from the research fails. Each per-force count is
the force's own row, a refusal is a row that says so, and no source is credited with a
number it did not print."""

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]

from service.checks import evaluate
from service.config import PROJECT_ROOT
from service.forces import BY_NAME
from service.reading import Interval
from service.seed import read_package
from service.seed.rows import Package
from service.tables import Figure, FigureReport
from tests.conftest import SEED_DIR

RESEARCH_FILE = Path(
    os.environ.get(
        "FORCES_RESEARCH_FILE",
        PROJECT_ROOT.parent
        / "shared"
        / "data"
        / "uk-forces-social-media-disclosures.research.yaml",
    )
)
PA14, PA11 = "pa-2014", "pa-2011"
#: A package's source id is the research id with the survey's prefix (source ids are unique
#: across packages, and met-2014 already has a boltonnews2014 and a pinknews2014).
PREFIX = {PA14: "pa14_", PA11: "pa11_"}
#: The research's names for outlets in `printed_by`, as its source ids: an outlet that printed
#: a force's number is credited with it even where the entry's `sources` leaves it out.
OUTLETS = {
    "Independent": "independent2014a",
    "Evening Standard": "standard2014",
    "Computerworld UK": "computerworlduk2014",
    "Tech Digest": "techdigest2014",
    "PinkNews": "pinknews2014",
    "The Bolton News": "boltonnews2014",
    "Droitwich Advertiser": "droitwich2014",
    "Lancashire Telegraph": "lancstelegraph2014",
    "Fleetwood Today": "fleetwood2014",
    "Prolific North": "prolificnorth2014",
    "Express & Star": "expressandstar2014",
    "News Shopper": "newsshopper2014",
    "KentOnline": "kentonline2014",
    "Kentish Express": "kentishexpress2014",
    "Yorkshire Post": "yorkshirepost2014a",
    "The Press": "yorkpress2014",
    "Scarborough News": "scarborough2014",
    "The Northern Echo": "northernecho2014",
    "Minster FM": "minsterfm2014",
    "Northampton Chronicle & Echo": "northamptonchron2014",
    "Hartlepool Mail": "hartlepoolmail2014",
    "Worcester News": "worcesternews2014",
    "Shropshire Star": "shropshirestar2014",
    "North West Evening Mail": "nwemail2014",
    "News & Star": "newsandstar2014",
    "The Argus": "argus2014",
}
#: The research's measures for one force's answer to the survey's question: outlets give the
#: same count as investigations, breaches, people investigated or disciplinary procedures.
COUNT_MEASURES = {"investigations", "breaches", "investigated", "disciplinary_procedures"}
YORKSHIRE = {"north-yorkshire-police", "west-yorkshire-police", "humberside-police"}
YORKSHIRE |= {"south-yorkshire-police"}


@pytest.fixture(scope="module")
def surveys() -> dict[str, dict[str, Any]]:
    if not RESEARCH_FILE.exists():
        pytest.skip(f"the research file is not at {RESEARCH_FILE}; set FORCES_RESEARCH_FILE")
    data: dict[str, Any] = yaml.safe_load(RESEARCH_FILE.read_text(encoding="utf-8"))
    found = {s["id"]: s for s in data["additions_2026_12_06"]["surveys"]}
    return {
        PA14: found["pa-2014-social-media-breaches"],
        PA11: found["pa-2011-facebook-complaints"],
    }


@pytest.fixture(scope="module")
def packages() -> dict[str, Package]:
    return {name: read_package(SEED_DIR / name) for name in (PA14, PA11)}


def _figure(package: Package, slug: str) -> Figure:
    (figure,) = [f for f in package.figures if f.id == f"{package.disclosure.id}.{slug}"]
    return figure


def _reports(package: Package, figure: Figure) -> dict[str, FigureReport]:
    prefix = PREFIX[package.disclosure.id]
    return {
        r.source_id.removeprefix(prefix): r for r in package.reports if r.figure_id == figure.id
    }


def _read(survey: dict[str, Any]) -> list[dict[str, Any]]:
    """The survey's figures, less those the research could not read."""
    return [f for f in survey["figures"] if f.get("status") != "not_retrieved"]


def _national(survey: dict[str, Any], measure: str) -> list[dict[str, Any]]:
    return [
        f
        for f in _read(survey)
        if f["measure"] == measure and "force" not in (f.get("dimensions") or {})
    ]


def _force_of(entry: dict[str, Any]) -> str | None:
    name = (entry.get("dimensions") or {}).get("force")
    return BY_NAME[name].id if isinstance(name, str) else None


def _of_force(survey: dict[str, Any], measure: str, force: str) -> list[dict[str, Any]]:
    return [f for f in _read(survey) if f["measure"] == measure and _force_of(f) == force]


def _credited(entry: dict[str, Any]) -> set[str]:
    """The research ids of every outlet the entry says printed it."""
    found = set(entry.get("sources") or [])
    for outlets in (entry.get("printed_by") or {}).values():
        if not isinstance(outlets, list):  # printed_by may carry a `note` sentence
            continue
        # A comma inside an outlet's parenthesis splits the YAML list: skip the tail.
        names = [re.sub(r" \(.*", "", o) for o in outlets if o.count(")") <= o.count("(")]
        found |= {OUTLETS[name] for name in names}
    return found


def _number(report: FigureReport) -> tuple[str, int | None, int | None, int | None]:
    return (report.kind, report.value, report.min, report.max)


def _assert_count(package: Package, slug: str, entry: dict[str, Any]) -> Figure:
    """The figure is the entry's number, and every outlet the research says printed it has a
    report crediting it with that number and nothing else."""
    figure = _figure(package, slug)
    assert (figure.value, figure.min, figure.max, figure.derived) == (
        entry["value"],
        None,
        None,
        False,
    ), slug
    reports = _reports(package, figure)
    assert set(reports) == _credited(entry), slug
    assert all(_number(r) == ("number", entry["value"], None, None) for r in reports.values()), slug
    return figure


# ---------------------------------------------------------------- PA 2014: national


def test_pa_2014_is_a_survey_of_every_force_of_england_and_wales(
    surveys: dict[str, dict[str, Any]], packages: dict[str, Package]
) -> None:
    descriptor = json.loads((SEED_DIR / PA14 / "datapackage.json").read_text(encoding="utf-8"))
    assert descriptor["disclosure"]["forces"] == "england_and_wales"
    assert descriptor["disclosure"]["force"] == "All 43 forces of England and Wales"
    survey, package = surveys[PA14], packages[PA14]
    assert survey["period_covered"] == "2009-01-01 to 2014-02-17"
    assert package.disclosure.period_description == "1 January 2009 to 17 February 2014"
    assert package.disclosure.first_coverage == str(survey["date"]["first_coverage"])
    # Every research source, and the News & Star its second check found for Cumbria.
    assert {s.id for s in package.sources} == {
        PREFIX[PA14] + s["id"] for s in survey["sources"]
    } | {"pa14_newsandstar2014"}
    urls = {s.id: s.url for s in package.sources}
    assert all(urls[PREFIX[PA14] + s["id"]] == s["url"] for s in survey["sources"])


def test_pa_2014_national_figures_follow_the_research(
    surveys: dict[str, dict[str, Any]], packages: dict[str, Package]
) -> None:
    survey, package = surveys[PA14], packages[PA14]
    (cases,) = _national(survey, "cases")
    national = _figure(package, "cases")
    assert (national.measure, national.force, national.unit) == (
        "cases_investigated",
        None,
        "cases",
    )
    reports = _reports(package, national)
    numbers = {s for s, r in reports.items() if r.kind == "number"}
    assert numbers == set(cases["sources"])
    assert all(_number(reports[s]) == ("number", 828, None, None) for s in numbers)
    assert national.value == cases["value"] == 828
    # Outlets that printed only "more than 800" keep their words and get no number.
    words = {s: r.qualifier for s, r in reports.items() if r.kind == "words"}
    assert words == {"kentonline2014": "more than 800", "argus2014": "more than 800"}
    assert all(r.value is r.min is r.max is None for s, r in reports.items() if s in words)

    answered = survey["forces_answered"]
    figure = _assert_count(package, "forces-answered", answered)
    assert (figure.measure, figure.unit) == ("forces_answered", "forces")
    asked = _figure(package, "forces-asked")
    assert (asked.value, asked.unit) == (answered["of"], "forces")
    assert "all 43 forces" in answered["words_droitwich"]
    assert set(_reports(package, asked)) == {"droitwich2014"}

    # The staff-type split: officers, civilian staff as one disputed figure, PCSOs apart.
    split = _national(survey, "people_investigated")
    by_type: dict[str, list[dict[str, Any]]] = {}
    for entry in split:
        by_type.setdefault(entry["dimensions"]["staff_type"], []).append(entry)
    (officers,) = by_type["police_officer"]
    figure = _assert_count(package, "officers.investigated", officers)
    assert (figure.staff_type, figure.rank, figure.unit) == ("police_officer", None, "officers")
    staff = _figure(package, "civilian-staff.investigated")
    readings = {e["value"]: set(e["sources"]) for e in by_type["civilian_staff"]}
    assert (staff.value, staff.min, staff.max) == (None, min(readings), max(readings))
    assert (staff.min, staff.max) == (174, 175)
    assert {s: r.value for s, r in _reports(package, staff).items()} == {
        s: value for value, sources in readings.items() for s in sources
    }
    (pcsos,) = by_type["pcso"]
    figure = _assert_count(package, "pcsos.investigated", pcsos)
    # Never a part of the civilian-staff figure: a rank, and no staff type.
    assert (figure.staff_type, figure.rank, figure.measure) == (None, "pcso", "investigated")


def test_pa_2014_shares_and_floors_stay_words_and_floors(
    surveys: dict[str, dict[str, Any]], packages: dict[str, Package]
) -> None:
    survey, package = surveys[PA14], packages[PA14]
    for measure, slug, percent in (
        ("share_no_further_action", "share.no-further-action", "14%"),
        ("share_resignation_dismissal_retirement", "share.left", "9%"),
    ):
        (entry,) = _national(survey, measure)
        assert entry["value"] is None
        assert entry["qualifier"].startswith(percent)
        figure = _figure(package, slug)
        assert (figure.measure, figure.value, figure.min, figure.max) == (
            "share_of_cases",
            None,
            None,
            None,
        )
        assert percent in (figure.qualifier or "")
        reports = _reports(package, figure)
        assert set(reports) == set(entry["sources"])
        assert all(_number(r) == ("words", None, None, None) for r in reports.values())
        # The Argus says one in 11 and is credited with nothing else.
        for source, report in reports.items():
            assert (report.qualifier == "one in 11") is (source == "argus2014")
            if source != "argus2014":
                assert percent in (report.qualifier or "")
    assert (
        '"One in 11" in The Argus'
        in _national(survey, "share_resignation_dismissal_retirement")[0]["qualifier"]
    )

    (left,) = _national(survey, "retired_resigned_or_sacked")
    figure = _figure(package, "left-the-force")
    assert (figure.value, figure.min, figure.max, figure.qualifier) == (
        None,
        left["bounds"]["min"],
        None,
        "more than 70",
    )
    assert left["qualifier"] == '"More than 70"'
    reports = _reports(package, figure)
    assert set(reports) == set(left["sources"])
    assert all(_number(r) == ("range", None, 71, None) for r in reports.values())


# ---------------------------------------------------------------- PA 2014: forces


def test_pa_2014_every_force_count_is_its_own_row_in_the_national_measure(
    surveys: dict[str, dict[str, Any]], packages: dict[str, Package]
) -> None:
    survey, package = surveys[PA14], packages[PA14]
    entries = [
        f
        for f in _read(survey)
        if f["measure"] in COUNT_MEASURES
        and _force_of(f) is not None
        and "staff_type" not in f["dimensions"]
    ]
    pointer = [e for e in entries if "cross_ref" in e]
    counts = [e for e in entries if "cross_ref" not in e]
    # Dorset's 10 belongs to Parliament Street's request: a pointer, and no row here.
    assert [_force_of(e) for e in pointer] == ["dorset-police"]
    assert not [f for f in package.figures if f.force == "dorset-police"]
    published = {
        f.force: f for f in package.figures if f.measure == "cases_investigated" and f.force
    }
    assert {f: p.value for f, p in published.items()} == {_force_of(e): e["value"] for e in counts}
    assert len(published) == 17
    for force, figure in published.items():
        # One measure and one unit with the national 828, whatever word each outlet used.
        assert (figure.id, figure.unit, figure.staff_type) == (
            f"{PA14}.{force}.cases",
            "cases",
            None,
        )
    for entry in counts:
        if _force_of(entry) == "kent-police":
            continue  # below: News Shopper's 55 and two outlets' "more than 50"
        _assert_count(package, f"{_force_of(entry)}.cases", entry)

    (kent,) = _of_force(survey, "investigations", "kent-police")
    figure = published["kent-police"]
    assert (figure.value, figure.min, figure.max) == (55, None, None)
    reports = _reports(package, figure)
    assert set(reports) == _credited(kent)
    assert _number(reports["newsshopper2014"]) == ("number", 55, None, None)
    for outlet in ("kentonline2014", "kentishexpress2014"):
        assert _number(reports[outlet]) == ("words", None, None, None)
        assert reports[outlet].qualifier == "more than 50"
    assert "more than 50" in kent["words_kentonline"]

    # Dyfed-Powys's four are complaints, not investigations: another measure, not a part.
    (dyfed,) = _of_force(survey, "complaints", "dyfed-powys-police")
    figure = _assert_count(package, "dyfed-powys-police.complaints", dyfed)
    assert (figure.measure, figure.unit, figure.force) == (
        "complaints_logged",
        "complaints",
        "dyfed-powys-police",
    )


def test_pa_2014_refusals_are_rows_that_say_so(
    surveys: dict[str, dict[str, Any]], packages: dict[str, Package]
) -> None:
    survey, package = surveys[PA14], packages[PA14]
    (refused,) = [f for f in _read(survey) if f["measure"] == "refused"]
    forces = {BY_NAME[name].id for name in refused["dimensions"]["force"]}
    assert forces == {
        "essex-police",
        "hampshire-constabulary",
        "merseyside-police",
        "staffordshire-police",
    }
    rows = {f.force: f for f in package.figures if f.measure == "refused_to_answer" and f.force}
    assert set(rows) == forces
    for force, figure in rows.items():
        # Words only: a refusal is not a count of zero.
        assert (figure.value, figure.min, figure.max, figure.unit) == (None, None, None, "forces")
        assert figure.qualifier == "refused to respond"
        assert "'refused' to respond" in refused["qualifier"]
        assert "including" in refused["qualifier"]
        assert "may be incomplete" in (figure.note or "")
        reports = _reports(package, figure)
        assert set(refused["sources"]) <= set(reports)
        assert all(_number(r) == ("words", None, None, None) for r in reports.values())
        # The Express & Star names Staffordshire, its own force, and no other.
        assert ("expressandstar2014" in reports) is (force == "staffordshire-police")
    assert (
        "A further four forces, including Staffordshire, refused"
        in (survey["forces_answered"]["words"])
    )
    total = _figure(package, "forces-refused")
    assert (total.value, total.force) == (len(forces), None)
    assert _number(_reports(package, total)["expressandstar2014"]) == ("number", 4, None, None)
    # Those that answered and those that refused make the forces asked.
    assert _check(package, "forces") == ("holds", Interval(43, 43))


def _check(package: Package, slug: str) -> tuple[str, Interval]:
    figures = {f.id: f for f in package.figures}
    terms = [t for t in package.terms if t.check_id == f"{package.disclosure.id}.{slug}"]

    def reading(figure_id: str) -> Interval:
        f = figures[figure_id]
        return Interval.of(f.value, f.min, f.max)

    (total,) = [reading(t.figure_id) for t in terms if t.role == "total"]
    outcome = evaluate(total, [reading(t.figure_id) for t in terms if t.role == "part"])
    return outcome.status, outcome.parts


def test_pa_2014_yorkshire_total_is_its_four_forces_and_adds_up(
    surveys: dict[str, dict[str, Any]], packages: dict[str, Package]
) -> None:
    survey, package = surveys[PA14], packages[PA14]
    (region,) = [
        f
        for f in _read(survey)
        if (f.get("dimensions") or {}).get("region", "").startswith("Yorkshire")
    ]
    assert region["check"] == "P14-K1"
    total = _figure(package, "yorkshire.cases")
    assert (total.value, total.force) == (region["value"], None)
    # Not a national figure, and not a force's: a measure of its own.
    assert total.measure == "cases_investigated_in_region"
    assert "Yorkshire's four forces" in total.label
    assert set(_reports(package, total)) == set(region["sources"])
    terms = [t for t in package.terms if t.check_id == f"{PA14}.P14-K1"]
    assert [t.figure_id for t in terms if t.role == "total"] == [total.id]
    parts = [
        _figure(package, t.figure_id.removeprefix(f"{PA14}.")) for t in terms if t.role == "part"
    ]
    assert {p.force for p in parts} == YORKSHIRE
    assert sum(p.value or 0 for p in parts) == total.value == 46 + 35 + 23 + 13 == 117
    assert _check(package, "P14-K1") == ("holds", Interval(117, 117))


def test_pa_2014_force_outcomes_follow_the_research(
    surveys: dict[str, dict[str, Any]], packages: dict[str, Package]
) -> None:
    survey, package = surveys[PA14], packages[PA14]
    exact = {
        ("cases_to_answer", "kent-police"): "kent-police.case-to-answer",
        ("resigned", "kent-police"): "kent-police.resigned",
        ("written_warning_or_management_advice", "kent-police"): "kent-police.warning-or-advice",
        (
            "required_to_resign",
            "north-yorkshire-police",
        ): "north-yorkshire-police.required-to-resign",
        ("management_advice_or_written_warning", "north-yorkshire-police"): (
            "north-yorkshire-police.warning-or-advice"
        ),
        ("final_written_warning", "north-yorkshire-police"): (
            "north-yorkshire-police.final-written-warning"
        ),
        ("officers_investigated", "west-mercia-police"): "west-mercia-police.officers.investigated",
        ("staff_investigated_all", "west-mercia-police"): "west-mercia-police.people.investigated",
        ("dismissed", "west-mercia-police"): "west-mercia-police.dismissed",
        ("retired_or_resigned", "west-mercia-police"): (
            "west-mercia-police.officers.resigned-or-retired"
        ),
        ("resigned_or_retired", "west-mercia-police"): (
            "west-mercia-police.civilian-staff.resigned-or-retired"
        ),
        ("dismissed", "sussex-police"): "sussex-police.dismissed",
        ("resigned_before_disciplinary_meeting", "sussex-police"): "sussex-police.resigned",
        ("not_upheld", "sussex-police"): "sussex-police.not-upheld",
    }
    for (measure, force), slug in exact.items():
        (entry,) = _of_force(survey, measure, force)
        figure = _assert_count(package, slug, entry)
        assert figure.force == force, slug
    assert _figure(package, "west-mercia-police.dismissed").value == 0

    # West Mercia's civilian staff: six or seven, kept as the two sources printed them.
    entries = _of_force(survey, "staff_investigated", "west-mercia-police")
    figure = _figure(package, "west-mercia-police.civilian-staff.investigated")
    assert (figure.value, figure.min, figure.max) == (None, 6, 7)
    assert {s: r.value for s, r in _reports(package, figure).items()} == {
        s: e["value"] for e in entries for s in e["sources"]
    }
    # Sussex's three final written warnings are our count of described cases.
    (fww,) = _of_force(survey, "final_written_warning", "sussex-police")
    figure = _figure(package, "sussex-police.final-written-warning")
    assert (figure.value, figure.derived, fww["derived"]) == (fww["value"], True, True)
    assert all(_number(r)[1:] == (None, None, None) for r in _reports(package, figure).values())
    # North Yorkshire's ranks are the Northern Echo's words, not counts of ours.
    (ranks,) = _of_force(survey, "ranks_investigated", "north-yorkshire-police")
    figure = _figure(package, "north-yorkshire-police.ranks")
    assert (figure.value, figure.min, figure.max, figure.qualifier) == (
        None,
        None,
        None,
        ranks["qualifier"],
    )
    for slug, parts in (
        ("P14-K4", ("kent-police.resigned", "kent-police.warning-or-advice")),
        ("P14-K5", ("sussex-police.final-written-warning", "sussex-police.dismissed")),
    ):
        terms = {t.figure_id for t in package.terms if t.check_id == f"{PA14}.{slug}"}
        assert {f"{PA14}.{p}" for p in parts} <= terms
        assert _check(package, slug)[0] == "holds"


def test_pa_2014_our_arithmetic_is_never_a_papers(
    surveys: dict[str, dict[str, Any]], packages: dict[str, Package]
) -> None:
    survey, package = surveys[PA14], packages[PA14]
    checks = {c["id"]: c for c in survey["checks"]}
    assert {k for k, c in checks.items() if c.get("derived")} == {"P14-K2", "P14-K3", "P14-K6"}
    declared = {c.id.removeprefix(f"{PA14}.") for c in package.checks}
    assert {"P14-K1", "P14-K4", "P14-K5"} <= declared
    notes = {n.id.removeprefix(f"{PA14}."): n for n in package.notes}
    for derived in ("P14-K2", "P14-K3"):
        assert derived not in declared
        assert notes[derived].text.startswith("Our arithmetic")
    # K6 is the service's own sum of the force rows: a gap, explained as ours.
    k6 = next(c for c in package.checks if c.id == f"{PA14}.P14-K6")
    assert (k6.note or "").startswith("Our arithmetic")
    assert _check(package, "P14-K6") == ("gap", Interval(561, 561))
    conflicts = {c["id"] for c in survey["conflicts"]}
    assert conflicts == {f"P14-C{i}" for i in range(1, 9)}
    assert {n for n, note in notes.items() if note.kind == "conflict"} == conflicts


# ---------------------------------------------------------------- PA 2011


def test_pa_2011_national_figures_follow_the_research(
    surveys: dict[str, dict[str, Any]], packages: dict[str, Package]
) -> None:
    survey, package = surveys[PA11], packages[PA11]
    descriptor = json.loads((SEED_DIR / PA11 / "datapackage.json").read_text(encoding="utf-8"))
    assert descriptor["disclosure"]["forces"] == "england_and_wales"
    assert {s.id for s in package.sources} == {PREFIX[PA11] + s["id"] for s in survey["sources"]}
    # National figures only: no row is about one force.
    assert all(f.force is None for f in package.figures)
    assert all(f.platform == "facebook" for f in package.figures if f.measure != "forces_answered")

    complaints = {e["value"]: e for e in _national(survey, "complaints")}
    figure = _figure(package, "complaints")
    assert (figure.value, figure.unit, figure.period) == (
        187,
        complaints[187]["unit"],
        "2008 to 2010",
    )
    reports = _reports(package, figure)
    assert set(reports) == set(complaints[187]["sources"])
    assert _number(reports["bbc2011pa"]) == ("number", 187, None, None)
    assert _number(reports["aol2012pa"]) == ("words", None, None, None)
    assert reports["aol2012pa"].qualifier == "at least 187"
    assert "At least 187" in complaints[187]["words_aol"]
    figure = _figure(package, "complaints-four-years")
    assert (figure.value, figure.min, figure.max, figure.qualifier) == (
        None,
        complaints[None]["bounds"]["min"],
        None,
        "more than 200",
    )
    reports = _reports(package, figure)
    assert set(reports) == set(complaints[None]["sources"])
    assert all(_number(r) == ("range", None, 201, None) for r in reports.values())

    answered = survey["forces_answered"]
    _assert_count(package, "forces-answered", answered)

    outcomes = {
        "officers_final_written_warning": "officers.final-written-warning",
        "officers_written_warning": "officers.written-warning",
        "officers_formal_warning": "officers.formal-warning",
        "officers_fined": "officers.fined",
        "management_action_guidance_or_advice": "management-action-or-advice",
        "officers_resigned_after_complaint": "officers.resigned",
    }
    for measure, slug in outcomes.items():
        (entry,) = _national(survey, measure)
        figure = _assert_count(package, slug, entry)
        # Units as printed: officers, or for the 88 the research's "officers or complaints".
        assert figure.unit in entry["unit"], slug
    assert _figure(package, "management-action-or-advice").unit == "officers or complaints"

    # The 32: the AOL page was found not to hold the sentence, so only the BBC is credited.
    (withdrawn,) = _national(survey, "complaints_withdrawn_or_no_action")
    assert "stored AOL page does not hold" in " ".join(withdrawn["note"].split())
    figure = _figure(package, "complaints.outcome-cut-off")
    assert (figure.value, figure.unit, figure.outcome) == (32, withdrawn["unit"], "not_stated")
    assert {s: _number(r) for s, r in _reports(package, figure).items()} == {
        "bbc2011pa": ("number", 32, None, None)
    }


def test_pa_2011_keeps_every_outlets_wording_of_the_150_and_the_dismissals(
    surveys: dict[str, dict[str, Any]], packages: dict[str, Package]
) -> None:
    survey, package = surveys[PA11], packages[PA11]
    (entry,) = _national(survey, "officers_disciplined")
    figure = _figure(package, "officers.disciplined")
    # 150 against more than 150: a dispute, served as at least 150, never one outlet's number.
    assert (figure.value, figure.min, figure.max) == (None, entry["value"], None)
    reports = _reports(package, figure)
    assert set(reports) == set(entry["sources"])
    said = {s: (r.kind, r.value, r.min, r.qualifier) for s, r in reports.items()}
    assert said == {
        "guardian2011pa": ("number", 150, None, None),
        "independent2011pa": ("number", 150, None, None),
        "dorsetecho2011pa": ("number", 150, None, None),
        "bbc2011pa": ("range", None, 151, "more than 150"),
        "yorkshirepost2011a": ("range", None, 151, "more than 150"),
        "belfasttel2011pa": ("words", None, None, "some 150"),
        "aol2012pa": ("words", None, None, "at least 150"),
        "gizmodo2011pa": ("words", None, None, "around 150"),
    }
    printed = entry["qualifier"].lower()
    assert all(q in printed for _, _, _, q in said.values() if q)

    (dismissed,) = _national(survey, "officers_dismissed")
    positions = dismissed["positions"]
    one = _figure(package, "officers.dismissed")
    assert (one.value, one.outcome, one.period) == (1, "dismissed", "2008 to 2010")
    assert str(positions["bbc2011pa"]).startswith("1")
    assert {s: _number(r) for s, r in _reports(package, one).items()} == {
        "bbc2011pa": ("number", 1, None, None)
    }
    two = _figure(package, "officers.dismissed-four-years")
    assert (two.value, two.min, two.max, two.qualifier) == (None, 2, None, "at least two")
    assert "at least two" in positions["guardian2011pa"].lower()
    reports = _reports(package, two)
    assert set(reports) | {"bbc2011pa"} == set(dismissed["sources"])
    assert all(_number(r) == ("range", None, 2, None) for r in reports.values())

    conflicts = {c["id"] for c in survey["conflicts"]}
    notes = {n.id.removeprefix(f"{PA11}."): n for n in package.notes}
    assert {n for n, note in notes.items() if note.kind == "conflict"} == conflicts
    # Both checks mix units or need per-force rows: notes, our arithmetic, no check declared.
    assert package.checks == []
    assert {c["id"] for c in survey["checks"]} <= set(notes)
    assert notes["N11-K1"].text.startswith("Our arithmetic")


# ---------------------------------------------------------------- both


def _printed(survey: dict[str, Any], name: str) -> dict[str, set[int]]:
    """The numbers the research records each outlet printing, by research source id."""
    printed: dict[str, set[int]] = {}
    for entry in [*_read(survey), survey["forces_answered"]]:
        if entry.get("derived") or "cross_ref" in entry:
            continue
        if name == PA11 and _force_of(entry):
            continue  # the package keeps the national figures only
        numbers = {n for n in (entry.get("value"), (entry.get("bounds") or {}).get("min")) if n}
        if entry.get("value") == 0:
            numbers.add(0)
        for source in _credited(entry):
            printed.setdefault(source, set()).update(numbers)
        for source, position in (entry.get("positions") or {}).items():
            printed.setdefault(source, set()).update(
                int(n) for n in re.findall(r"^\d+", str(position))
            )
    if name == PA14:
        printed["droitwich2014"].add(survey["forces_answered"]["of"])
        printed["expressandstar2014"].add(4)  # "A further four forces ... refused"
    else:
        (disciplined,) = _national(survey, "officers_disciplined")
        assert '"more than 150" (BBC, Yorkshire Post)' in disciplined["qualifier"]
        printed["bbc2011pa"].add(151)
        printed["yorkshirepost2011a"].add(151)
        (c3,) = [c for c in survey["conflicts"] if c["id"] == "N11-C3"]
        assert 'headline "at least two"' in " ".join(c3["detail"].split())
        for source in ("guardian2011pa", "independent2011pa", "belfasttel2011pa"):
            printed[source].add(2)
        printed["yorkshirepost2011a"].add(2)
    return printed


@pytest.mark.parametrize("name", [PA14, PA11])
def test_no_source_is_credited_with_a_number_it_did_not_print(
    surveys: dict[str, dict[str, Any]], packages: dict[str, Package], name: str
) -> None:
    """Every number a report carries is one the research records that outlet printing, as a
    value, a position or the floor of its words."""
    survey, package = surveys[name], packages[name]
    printed = _printed(survey, name)
    for report in package.reports:
        source = report.source_id.removeprefix(PREFIX[name])
        for number in (report.value, report.min, report.max):
            if number is not None:
                assert number in printed.get(source, set()), (report.figure_id, source, number)
    # A derived figure is credited to no paper with a number.
    for figure in package.figures:
        if figure.derived:
            assert all(
                _number(r)[1:] == (None, None, None) for r in _reports(package, figure).values()
            )


def test_pa_2014_cases_carry_no_personal_detail_and_no_year(
    surveys: dict[str, dict[str, Any]], packages: dict[str, Package]
) -> None:
    survey, package = surveys[PA14], packages[PA14]
    cases = package.cases
    assert len(cases) == len(survey["cases"]) == 6
    # The research leaves every year "not stated" (or a range of the window): none is given.
    assert all("not stated" in str(c["year"]) for c in survey["cases"])
    assert [c.year for c in cases] == [None] * 6
    assert not package.names_people
    assert [c.rank for c in cases] == ["pcso", None, None, None, None, None]
    assert [c.outcome for c in cases] == [
        "written_warning",
        "resigned_or_retired",
        "written_warning",
        "resigned_or_retired",
        "written_warning",
        "resigned_or_retired",
    ]
    prefix = PREFIX[PA14]
    for case, entry in zip(cases, survey["cases"], strict=True):
        assert {s.removeprefix(prefix) for s in case.sources} == set(entry["sources"])
