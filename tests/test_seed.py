"""The loader: validation with precise messages, all-or-nothing writes, idempotence."""

import csv
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from service.config import Settings
from service.db import build_engine, migrate
from service.models import Case, Check, CheckTerm, Disclosure, Figure, FigureReport, Note, Source
from service.seed import PackageInvalid, load_packages, read_package
from tests.conftest import MET_2013

EXPECTED_COUNTS = {
    "figures": 40,
    "reports": 74,
    "cases": 4,
    "checks": 11,
    "notes": 9,
    "sources": 10,
}


def edit_csv(path: Path, row: int, column: str, value: str) -> None:
    """Set one cell; `row` is the spreadsheet row number (the header is row 1)."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    rows[row - 1][rows[0].index(column)] = value
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def drop_column(path: Path, column: str) -> None:
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    index = rows[0].index(column)
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows(
            [r[:index] + r[index + 1 :] for r in rows]
        )


def row_counts(engine: Engine) -> dict[str, int]:
    with Session(engine) as session:
        return {
            table.__tablename__: session.exec(select(func.count()).select_from(table)).one()
            for table in (Disclosure, Source, Figure, FigureReport, Case, Check, CheckTerm, Note)
        }


@pytest.fixture
def blank_engine(blank_database_url: str) -> Iterator[Engine]:
    migrate(blank_database_url)
    engine = build_engine(Settings(database_url=blank_database_url))
    yield engine
    engine.dispose()


def test_loading_met_2013_reports_exact_counts(blank_engine: Engine) -> None:
    [result] = load_packages(blank_engine, [MET_2013])
    assert result.disclosure_id == "met-2013"
    assert result.changed is True
    assert result.counts == EXPECTED_COUNTS
    assert row_counts(blank_engine) == {
        "disclosures": 1,
        "sources": 10,
        "figures": 40,
        "figure_reports": 74,
        "cases": 4,
        "checks": 11,
        "check_terms": 46,
        "notes": 9,
    }
    assert result.summary() == (
        "met-2013: loaded; 40 figures, 74 reports, 4 cases, 11 checks, 9 notes, "
        f"10 sources; revision {result.revision}"
    )


def test_loading_twice_changes_nothing(blank_engine: Engine) -> None:
    [first] = load_packages(blank_engine, [MET_2013])
    before = row_counts(blank_engine)
    [second] = load_packages(blank_engine, [MET_2013])
    assert second.changed is False
    assert second.revision == first.revision
    assert row_counts(blank_engine) == before


def test_a_corrected_package_replaces_the_old_rows_and_gets_a_new_revision(
    blank_engine: Engine, package_copy: Callable[..., Path]
) -> None:
    [first] = load_packages(blank_engine, [MET_2013])
    corrected = package_copy()
    edit_csv(corrected / "figures.csv", 4, "value", "4")  # officers dismissed: 3 -> 4
    for source_row in range(11, 16):
        edit_csv(corrected / "figure_reports.csv", source_row, "value", "4")
    [second] = load_packages(blank_engine, [corrected])
    assert second.changed is True
    assert second.revision != first.revision
    with Session(blank_engine) as session:
        figure = session.get(Figure, "met-2013.officers.dismissed")
        assert figure is not None
        assert figure.value == 4
    assert row_counts(blank_engine)["figures"] == 40


def test_revision_is_a_hash_of_the_package_files(package_copy: Callable[..., Path]) -> None:
    original = read_package(MET_2013).disclosure.revision
    copy = package_copy()
    assert read_package(copy).disclosure.revision == original
    edit_csv(copy / "notes.csv", 2, "text", "Reworded.")
    assert read_package(copy).disclosure.revision != original


BROKEN = [
    pytest.param(
        lambda p: drop_column(p / "figures.csv", "unit"),
        "met-2013/figures.csv: missing column 'unit'; expected columns: id, measure, label, "
        "staff_type, outcome, platform, allegation, year, rank, period, value, min, max, "
        "qualifier, unit, derived, note",
        id="missing-column",
    ),
    pytest.param(
        lambda p: edit_csv(p / "figures.csv", 4, "outcome", "sacked"),
        "met-2013/figures.csv row 4, column 'outcome': unknown value 'sacked'; expected one "
        "of: dismissed, resigned_or_retired_before_dismissal, resigned_or_retired, "
        "final_written_warning, written_warning, first_written_warning, formal_warning, "
        "formal_misconduct, reprimand, management_action, management_advice, "
        "words_of_advice, reflective_practice, no_disciplinary_action, cleared, "
        "under_investigation, not_stated",
        id="unknown-enum-value",
    ),
    pytest.param(
        lambda p: edit_csv(p / "figure_reports.csv", 2, "source", "times2013"),
        "met-2013/figure_reports.csv row 2, column 'source': unknown source 'times2013'; "
        "expected one of: bbc2011, datingorg2011, direct2lawyers2013, guardian2011, "
        "guardian2013, hrreview2011, idg_via_parliamentstreet, independent2013, "
        "standard2013, yorkshirepost2011",
        id="unknown-source",
    ),
    pytest.param(
        lambda p: edit_csv(p / "figures.csv", 5, "id", "met-2013.officers.dismissed"),
        "met-2013/figures.csv row 5: duplicate id 'met-2013.officers.dismissed'; first used "
        "on row 4",
        id="duplicate-id",
    ),
    pytest.param(
        lambda p: edit_csv(p / "figures.csv", 2, "value", "-75"),
        "met-2013/figures.csv row 2, column 'value': -75 is below the minimum of 0",
        id="negative-count",
    ),
    pytest.param(
        lambda p: edit_csv(p / "figures.csv", 13, "min", "4"),
        "met-2013/figures.csv row 13: min 4 is greater than max 3",
        id="min-greater-than-max",
    ),
    pytest.param(
        lambda p: edit_csv(p / "figures.csv", 2, "value", "seventy-five"),
        "met-2013/figures.csv row 2, column 'value': 'seventy-five' is not a whole number",
        id="not-a-number",
    ),
    pytest.param(
        lambda p: edit_csv(p / "check_terms.csv", 2, "figure", "met-2013.officers.sacked"),
        "met-2013/check_terms.csv row 2, column 'figure': unknown figure "
        "'met-2013.officers.sacked'",
        id="check-names-unknown-figure",
    ),
    pytest.param(
        lambda p: edit_csv(p / "figures.csv", 5, "value", "18"),
        "met-2013/figures.csv row 5: give either value or min/max, not both",
        id="value-and-range",
    ),
    pytest.param(
        lambda p: edit_csv(p / "figure_reports.csv", 2, "value", "76"),
        "met-2013/figure_reports.csv row 2: guardian2013 reports 76, which the figure's "
        "published reading (75) excludes",
        id="report-contradicts-figure",
    ),
]


@pytest.mark.parametrize(("breakage", "message"), BROKEN)
def test_a_broken_package_names_the_problem_and_loads_nothing(
    blank_engine: Engine,
    package_copy: Callable[..., Path],
    breakage: Callable[[Path], None],
    message: str,
) -> None:
    broken = package_copy()
    breakage(broken)
    with pytest.raises(PackageInvalid) as raised:
        load_packages(blank_engine, [broken])
    assert message in raised.value.errors
    assert set(row_counts(blank_engine).values()) == {0}


def test_sources_that_disagree_cannot_be_given_one_value(
    package_copy: Callable[..., Path],
) -> None:
    broken = package_copy()
    edit_csv(broken / "figures.csv", 5, "min", "")
    edit_csv(broken / "figures.csv", 5, "max", "")
    edit_csv(broken / "figures.csv", 5, "value", "18")
    with pytest.raises(PackageInvalid) as raised:
        read_package(broken)
    assert (
        "met-2013/figures.csv: figure 'met-2013.officers.written-warning': sources disagree, "
        "so give min/max, not a value"
    ) in raised.value.errors


def test_one_bad_package_stops_every_package_from_loading(
    blank_engine: Engine, package_copy: Callable[..., Path]
) -> None:
    broken = package_copy(name="broken")
    edit_csv(broken / "cases.csv", 3, "in_foi_answer", "maybe")
    with pytest.raises(PackageInvalid) as raised:
        load_packages(blank_engine, [MET_2013, broken])
    assert raised.value.errors == [
        "broken/cases.csv row 3, column 'in_foi_answer': unknown value 'maybe'; expected one "
        "of: yes, probable, uncertain, no",
    ]
    assert set(row_counts(blank_engine).values()) == {0}


def test_two_packages_cannot_claim_one_disclosure_id(
    blank_engine: Engine, package_copy: Callable[..., Path]
) -> None:
    with pytest.raises(PackageInvalid) as raised:
        load_packages(blank_engine, [MET_2013, package_copy(name="second")])
    assert raised.value.errors == ["disclosure id 'met-2013' is used by more than one package"]
    assert set(row_counts(blank_engine).values()) == {0}


def test_seed_command_prints_a_summary_and_fails_loudly_on_a_bad_package(
    blank_database_url: str, package_copy: Callable[..., Path]
) -> None:
    migrate(blank_database_url)
    env = {"APP_DATABASE_URL": blank_database_url, "PATH": "/usr/bin:/bin"}
    command = [sys.executable, "-m", "service", "seed"]
    ok = subprocess.run([*command, str(MET_2013)], env=env, capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.startswith("met-2013: loaded; 40 figures, 74 reports, 4 cases, ")

    broken = package_copy(name="broken-copy")
    edit_csv(broken / "figures.csv", 2, "value", "-1")
    bad = subprocess.run([*command, str(broken)], env=env, capture_output=True, text=True)
    assert bad.returncode == 1
    assert bad.stderr.splitlines() == [
        "Nothing loaded: 1 problem(s) found.",
        "  broken-copy/figures.csv row 2, column 'value': -1 is below the minimum of 0",
    ]
