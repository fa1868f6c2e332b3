"""A case never links to a page that names, ages or locates a person (docs/data.md)."""

import csv
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.seed import PackageInvalid, find_packages, read_package
from tests.conftest import SEED_DIR, edit_csv
from tests.seed.corrupt import edit_descriptor

OPENDEMOCRACY = "met-2022-opendemocracy-ico-redacted-cases"

#: Every source marked names_people, by package: each names, or gives the age, station or
#: home area of, an officer it reports on (for the Direct2Lawyers post: one officer's
#: resignation, by its title; its text could not be read).
NAMING = {
    "met-2013": {"standard2013", "direct2lawyers2013"},
    "met-2021-daily-mail-277": {"pt2021"},
    "met-2022-londonworld": {"londonworld2022"},
    OPENDEMOCRACY: {"od2022nov"},
    "met-2023-inkl-507-complaints": {"inkl2023"},
    "pa-2011": {"pa11_belfasttel2011pa", "pa11_huffpost2011pa"},
}


def _names_people(root: Path) -> set[str]:
    descriptor = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    return {s["id"] for s in descriptor["sources"] if s.get("names_people") is True}


def _case_links(root: Path) -> dict[str, set[str]]:
    with (root / "cases.csv").open(newline="", encoding="utf-8") as handle:
        return {
            row["id"]: {s for s in row["sources"].split(";") if s} for row in csv.DictReader(handle)
        }


@pytest.mark.parametrize("root", find_packages(SEED_DIR), ids=lambda p: p.name)
def test_no_case_links_to_a_source_marked_names_people(root: Path) -> None:
    """Read from the files, not through the loader, so the rule holds on its own."""
    naming = _names_people(root)
    assert naming == NAMING.get(root.name, set())
    linked = {case: links & naming for case, links in _case_links(root).items()}
    assert {case: found for case, found in linked.items() if found} == {}


def test_cases_whose_reports_name_people_cite_their_disclosure_and_figure(
    client: TestClient,
) -> None:
    cases = client.get("/v1/cases", params={"disclosure": "met-2013"}).json()["data"]
    assert [(c["id"], c["disclosure"], c["sources"]) for c in cases] == [
        ("met-2013.case-1", "met-2013", []),
        ("met-2013.case-2", "met-2013", []),
        ("met-2013.case-3", "met-2013", []),
        ("met-2013.case-4", "met-2013", ["guardian2013"]),
    ]
    for case in cases[:3]:
        assert "names, ages or locates the officer" in case["note"]
        assert "met-2013.officers.dismissed-2011" in case["note"]
    bare = client.get("/v1/cases", params={"disclosure": OPENDEMOCRACY}).json()["data"]
    assert [(c["id"], c["sources"]) for c in bare] == [
        (f"{OPENDEMOCRACY}.case-1", []),
        (f"{OPENDEMOCRACY}.case-2", []),
    ]
    # The marked sources still back the figures they printed: a count names nobody.
    figure = client.get("/v1/figures/met-2013.officers.dismissed").json()
    assert "standard2013" in [r["source"] for r in figure["reports"]]


def test_the_loader_refuses_a_case_that_links_to_a_source_naming_people(
    package_copy: Callable[..., Path],
) -> None:
    copy = package_copy()
    edit_csv(copy / "cases.csv", 3, "sources", "standard2013")
    with pytest.raises(PackageInvalid) as raised:
        read_package(copy)
    assert raised.value.errors == [
        "met-2013/cases.csv case met-2013.case-2, column 'sources': links to standard2013, a "
        "source marked names_people; a case never links to a page that names, ages or "
        "locates a person (leave its sources empty)"
    ]


def test_names_people_is_true_or_false(package_copy: Callable[..., Path]) -> None:
    copy = package_copy()
    edit_descriptor(copy, lambda d: d["sources"][1].update(names_people="yes"))
    with pytest.raises(PackageInvalid) as raised:
        read_package(copy)
    assert raised.value.errors == [
        "met-2013/datapackage.json sources[1]: names_people must be true or false"
    ]
