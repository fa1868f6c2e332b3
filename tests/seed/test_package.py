"""Package rules: the descriptor, ids and sources, a figure and its reports, checks."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from service.seed import PackageInvalid, read_package
from service.seed.package import package_revision
from service.seed.rows import Package
from tests.conftest import MET_2013, MET_2013_COUNTS, SEED_DIR, edit_csv
from tests.seed.corrupt import BAD_DESCRIPTORS, ROW_PROBLEMS, edit_descriptor


def errors_of(root: Path) -> list[str]:
    with pytest.raises(PackageInvalid) as raised:
        read_package(root)
    return raised.value.errors


def test_met_2013_reads_into_every_table() -> None:
    package = read_package(MET_2013)
    assert isinstance(package, Package)
    assert package.counts() == MET_2013_COUNTS
    assert len(package.terms) == 39
    tables = ("figures", "figure_reports", "cases", "checks", "check_terms", "notes")
    files = ["datapackage.json", *sorted(f"{t}.csv" for t in tables)]
    assert package.files == files
    assert package.disclosure.revision == package_revision(MET_2013, files)


def test_a_case_row_keeps_its_columns_and_gets_its_disclosure_and_position() -> None:
    package = read_package(MET_2013)
    last = list(package.case_rows)[-1]
    assert {k: last[k] for k in ("id", "staff_type", "rank", "year", "sources")} == {
        "id": "met-2013.case-4",
        "staff_type": "civilian_staff",
        "rank": None,
        "year": 2013,
        "sources": ["guardian2013"],
    }
    assert (last["disclosure_id"], last["position"]) == ("met-2013", 3)
    assert package.cases[-1].summary == last["summary"]


def test_revision_is_a_hash_of_the_package_files(package_copy: Callable[..., Path]) -> None:
    original = read_package(MET_2013).disclosure.revision
    copy = package_copy()
    assert read_package(copy).disclosure.revision == original
    edit_csv(copy / "notes.csv", 2, "text", "Reworded.")
    assert read_package(copy).disclosure.revision != original


def test_a_missing_descriptor_stops_the_reading(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    assert errors_of(tmp_path / "empty") == ["empty/datapackage.json: file not found"]


def test_a_descriptor_that_is_not_json_stops_the_reading(package_copy: Callable[..., Path]) -> None:
    broken = package_copy()
    (broken / "datapackage.json").write_text("{", encoding="utf-8")
    assert errors_of(broken) == [
        "met-2013/datapackage.json: not valid JSON (Expecting property name enclosed in double "
        "quotes: line 1 column 2 (char 1))"
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(b"[]", ": must be a JSON object", id="a-list"),
        pytest.param(
            b'{"name":\n"caf\xe9"}',
            " line 2: byte 0xe9 is not UTF-8; save as UTF-8",
            id="latin-1",
        ),
    ],
)
def test_a_descriptor_that_is_not_a_utf8_json_object_stops_the_reading(
    package_copy: Callable[..., Path], content: bytes, message: str
) -> None:
    broken = package_copy()
    (broken / "datapackage.json").write_bytes(content)
    assert errors_of(broken) == [f"met-2013/datapackage.json{message}"]


def test_a_descriptor_without_a_name_stops_the_reading(package_copy: Callable[..., Path]) -> None:
    broken = package_copy()
    edit_descriptor(broken, lambda d: d.update(name=""))
    assert errors_of(broken) == [
        "met-2013/datapackage.json: 'name' (the disclosure id) is required"
    ]


def set_in(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    return lambda d: d["disclosure"].__setitem__(key, value)


DESCRIPTOR_PROBLEMS = [
    pytest.param(
        lambda d: d.pop("disclosure"), ": 'disclosure' object is required", id="no-object"
    ),
    pytest.param(set_in("force", ""), ": disclosure.force is required", id="required-key"),
    pytest.param(set_in("colour", "blue"), ": unknown key disclosure.colour", id="unknown-key"),
    pytest.param(
        set_in("comparability", "one sentence"),
        ": disclosure.comparability must be a list of sentences",
        id="comparability",
    ),
    pytest.param(lambda d: d.pop("licenses"), ": licenses[0].name is required", id="no-licence"),
    pytest.param(lambda d: d.pop("version"), ": 'version' is required", id="no-version"),
    pytest.param(
        lambda d: d.update(aggregates="platform"), ": 'aggregates' must be a list", id="aggregates"
    ),
    pytest.param(
        lambda d: d["sources"][0].pop("date"), " sources[0]: missing date", id="source-key"
    ),
    pytest.param(
        lambda d: d["sources"][1].update(kind="tv"),
        " sources[1]: unknown kind 'tv'; expected one of: news, reproduction, blog, "
        "disclosure_log, background",
        id="source-kind",
    ),
    pytest.param(
        lambda d: d["sources"].append(d["sources"][0]),
        " sources[5]: duplicate source id 'guardian2013'",
        id="source-twice",
    ),
    pytest.param(
        lambda d: d["resources"].append({"name": "people"}),
        ": unknown resource 'people'; expected: figures, figure_reports, cases, checks, "
        "check_terms, notes",
        id="unknown-resource",
    ),
    pytest.param(
        lambda d: d["resources"][3].update(schema={}),
        ": resource 'checks' declares a schema that differs from the service's; run "
        "`met-foi seed --write-schemas`",
        id="stale-schema",
    ),
    pytest.param(
        lambda d: d["resources"].pop(5), ": resource 'notes' is missing", id="missing-resource"
    ),
    # Shapes that used to end in a traceback.
    pytest.param(
        lambda d: d.update(sources="guardian2013"),
        ": 'sources' must be a list of objects",
        id="sources-not-a-list",
    ),
    pytest.param(
        lambda d: d["sources"].append("guardian2013"),
        ": 'sources' must be a list of objects",
        id="source-not-an-object",
    ),
    pytest.param(
        lambda d: d.update(resources={"figures": "figures.csv"}),
        ": 'resources' must be a list of objects",
        id="resources-not-a-list",
    ),
    pytest.param(
        lambda d: d["aggregates"].append("platform"),
        " aggregates[5]: must be an object",
        id="aggregate-not-an-object",
    ),
    pytest.param(
        lambda d: d["sources"][0].update(date=2013), " sources[0]: must be strings: date", id="date"
    ),
    pytest.param(
        lambda d: d["licenses"][0].update(name=4),
        ": licenses[0].name must be a string",
        id="licence-name",
    ),
    pytest.param(
        lambda d: d["resources"][5].update(encoding="latin-1"),
        ": resource 'notes' has encoding 'latin-1'; expected 'utf-8'",
        id="encoding",
    ),
]


@pytest.mark.parametrize(("change", "message"), DESCRIPTOR_PROBLEMS)
def test_a_descriptor_problem_is_named_before_any_table_is_read(
    package_copy: Callable[..., Path], change: Callable[[dict[str, Any]], Any], message: str
) -> None:
    broken = package_copy()
    edit_descriptor(broken, change)
    # The first problem is the one made; a missing object also misses its keys.
    assert errors_of(broken)[0] == f"met-2013/datapackage.json{message}"


@pytest.mark.parametrize(("breakage", "message"), BAD_DESCRIPTORS)
def test_a_standard_property_is_checked_as_the_standard_checks_it(
    package_copy: Callable[..., Path], breakage: Callable[[Path], None], message: str
) -> None:
    broken = package_copy()
    breakage(broken)
    assert errors_of(broken)[0] == message


def test_a_package_may_list_its_changes(package_copy: Callable[..., Path]) -> None:
    copy = package_copy()
    edit_descriptor(copy, lambda d: d.update(changes=[{"date": "2026-12-01", "note": "Fixed."}]))
    assert read_package(copy).disclosure.id == "met-2013"


def test_a_package_needs_a_source(package_copy: Callable[..., Path]) -> None:
    broken = package_copy()
    edit_descriptor(broken, lambda d: d.update(sources=[]))
    assert errors_of(broken) == ["met-2013/datapackage.json: at least one source is required"]


AGGREGATE_PROBLEMS = [
    pytest.param(
        {"by": "year,platform,rank", "measure": "investigated"},
        "'by' must be one or two of: staff_type, outcome, platform, allegation, year, rank",
        id="three-dimensions",
    ),
    pytest.param(
        {"by": 3, "measure": "investigated"},
        "'by' must be one or two of: staff_type, outcome, platform, allegation, year, rank",
        id="not-text",
    ),
    pytest.param(
        {"by": "platform", "measure": "investigated"},
        "grouping 'platform' declared twice",
        id="twice",
    ),
    pytest.param(
        {"by": "rank", "measure": "sacked", "total_measure": "all"},
        "measure 'sacked' is not a measure of this package",
        id="unknown-measure",
    ),
    pytest.param({"by": "rank"}, "'measure' is required", id="no-measure"),
    pytest.param(
        {"by": "rank", "measure": "investigated", "filters": {"rank": "constable"}},
        "filter 'rank' is not an ungrouped dimension",
        id="filter-on-grouped",
    ),
    pytest.param(
        {"by": "rank", "measure": "investigated", "filters": {"outcome": "sacked"}},
        "filter outcome='sacked' is not a known code",
        id="filter-unknown-code",
    ),
    pytest.param(
        {"by": "rank", "measure": "investigated", "order": "desc", "colour": "red"},
        "unknown keys: colour, order",
        id="unknown-keys",
    ),
]


@pytest.mark.parametrize(("aggregate", "message"), AGGREGATE_PROBLEMS)
def test_an_aggregate_default_must_name_real_dimensions_and_measures(
    package_copy: Callable[..., Path], aggregate: dict[str, Any], message: str
) -> None:
    broken = package_copy()
    edit_descriptor(broken, lambda d: d["aggregates"].append(aggregate))
    assert errors_of(broken)[0] == f"met-2013/datapackage.json aggregates[5]: {message}"


def test_every_problem_of_one_aggregate_is_named(package_copy: Callable[..., Path]) -> None:
    broken = package_copy()
    aggregate = {"by": "rank", "total_measure": "all", "filters": {"year": 2011}}
    edit_descriptor(broken, lambda d: d["aggregates"].append(aggregate))
    at = "met-2013/datapackage.json aggregates[5]"
    assert errors_of(broken) == [
        f"{at}: total_measure 'all' is not a measure of this package",
        f"{at}: 'measure' is required",
    ]


@pytest.mark.parametrize(("breakage", "message"), ROW_PROBLEMS)
def test_a_rule_across_rows_names_the_row_that_breaks_it(
    package_copy: Callable[..., Path], breakage: Callable[[Path], None], message: str
) -> None:
    broken = package_copy()
    breakage(broken)
    assert message in errors_of(broken)


def test_a_check_needs_parts(package_copy: Callable[..., Path]) -> None:
    broken = package_copy()
    for line in (9, 10, 11):
        edit_csv(broken / "check_terms.csv", line, "check", "met-2013.K1")
    assert errors_of(broken) == [
        "met-2013/check_terms.csv: check 'met-2013.K2' needs at least one part term",
    ]


def test_sources_that_disagree_cannot_be_given_one_value(
    package_copy: Callable[..., Path],
) -> None:
    broken = package_copy()
    edit_csv(broken / "figures.csv", 5, "min", "")
    edit_csv(broken / "figures.csv", 5, "max", "")
    edit_csv(broken / "figures.csv", 5, "value", "18")
    assert (
        "met-2013/figures.csv: figure 'met-2013.officers.written-warning': sources disagree, "
        "so give min/max, not a value"
    ) in errors_of(broken)


def test_a_bad_cell_is_reported_once_and_not_judged_against_other_rows(
    package_copy: Callable[..., Path],
) -> None:
    broken = package_copy()
    edit_csv(broken / "figures.csv", 4, "value", "three")
    assert errors_of(broken) == [
        "met-2013/figures.csv row 4, column 'value': 'three' is not a whole number"
    ]


def test_every_seed_package_is_valid() -> None:
    for root in sorted(p.parent for p in SEED_DIR.glob("*/datapackage.json")):
        assert read_package(root).disclosure.id == root.name
