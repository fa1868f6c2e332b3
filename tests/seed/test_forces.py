"""Forces in packages: a package about one force gives every figure that force; a survey of
several forces names the forces it asked and gives each figure its own (issue 27)."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from service.forces import in_region
from service.seed import PackageInvalid, read_package
from service.seed.schema import write_schemas
from tests.conftest import MET_2013
from tests.seed.corrupt import edit_descriptor, edit_rows

SURVEY_FORCE = "All 43 forces of England and Wales"


def errors_of(root: Path) -> list[str]:
    with pytest.raises(PackageInvalid) as raised:
        read_package(root)
    return raised.value.errors


def as_survey(root: Path, forces: Any, figure_forces: dict[int, str]) -> Path:
    """Make a copied package a survey: its disclosure names `forces`, and its figures.csv
    gains the force column, empty but for the rows (1 is the first figure) given."""
    edit_descriptor(root, lambda d: d["disclosure"].update(force=SURVEY_FORCE, forces=forces))
    write_schemas([root])
    edit_rows(
        root / "figures.csv",
        lambda rows: [
            [*row[:3], "force" if n == 0 else figure_forces.get(n, ""), *row[3:]]
            for n, row in enumerate(rows)
        ],
    )
    return root


def test_every_figure_of_a_package_about_one_force_is_about_that_force() -> None:
    package = read_package(MET_2013)
    assert package.disclosure.forces == ["metropolitan-police-service"]
    assert {f.force for f in package.figures} == {"metropolitan-police-service"}
    assert not package.survey


def test_a_survey_gives_each_figure_its_own_force(package_copy: Callable[..., Path]) -> None:
    survey = as_survey(
        package_copy(), "england_and_wales", {1: "kent-police", 3: "durham-constabulary"}
    )
    package = read_package(survey)
    assert package.survey
    assert package.disclosure.forces == list(in_region("england_and_wales"))
    assert len(package.disclosure.forces) == 43
    forces = [f.force for f in package.figures]
    assert forces[:4] == ["kent-police", None, "durham-constabulary", None]
    assert set(forces[4:]) == {None}


def test_a_survey_may_list_the_forces_it_asked(package_copy: Callable[..., Path]) -> None:
    survey = as_survey(package_copy(), ["kent-police", "sussex-police"], {1: "sussex-police"})
    package = read_package(survey)
    assert package.disclosure.forces == ["kent-police", "sussex-police"]
    assert package.figures[0].force == "sussex-police"


def test_a_figure_about_a_force_the_survey_did_not_ask_is_refused(
    package_copy: Callable[..., Path],
) -> None:
    survey = as_survey(package_copy(), ["kent-police", "sussex-police"], {1: "police-scotland"})
    assert errors_of(survey) == [
        "met-2013/figures.csv row 2, column 'force': 'police-scotland' is not a force it asked"
    ]


def test_a_force_id_outside_the_vocabulary_is_refused(package_copy: Callable[..., Path]) -> None:
    survey = as_survey(package_copy(), "england_and_wales", {1: "kent"})
    (error,) = errors_of(survey)
    assert error.startswith(
        "met-2013/figures.csv row 2, column 'force': unknown value 'kent'; expected one of: "
        "avon-and-somerset-constabulary, bedfordshire-police, "
    )


@pytest.mark.parametrize("forces", ["everywhere", [], ["kent-police", "kent-police"], ["kent"]])
def test_forces_that_are_not_a_region_or_distinct_ids_are_refused(
    package_copy: Callable[..., Path], forces: Any
) -> None:
    survey = as_survey(package_copy(), forces, {})
    assert errors_of(survey)[0] == (
        "met-2013/datapackage.json: disclosure.forces must be a region (england_and_wales, "
        "scotland, northern_ireland) or a list of distinct force ids (see /v1/forces)"
    )


def test_a_package_about_a_force_not_in_the_vocabulary_is_refused(
    package_copy: Callable[..., Path],
) -> None:
    copy = package_copy()
    edit_descriptor(copy, lambda d: d["disclosure"].update(force="The Met"))
    assert errors_of(copy) == [
        "met-2013/datapackage.json: disclosure.force 'The Met' is not the name of a force of "
        "/v1/forces (e.g. 'Kent Police'); a survey of several forces lists them in "
        "disclosure.forces"
    ]


def test_a_survey_without_the_force_column_is_refused(package_copy: Callable[..., Path]) -> None:
    copy = package_copy()
    edit_descriptor(copy, lambda d: d["disclosure"].update(forces="england_and_wales"))
    write_schemas([copy])
    assert errors_of(copy)[0].startswith(
        "met-2013/figures.csv: missing column 'force'; expected columns: id, measure, label, "
        "force, staff_type, "
    )
