"""Our loader agrees with the standard.

Frictionless's `validate` (the reference implementation of the Data Package standard) and
`met-foi seed --dry-run` run on every seed package, where both must accept, and on every
case of the corrupt-package table, where ours must reject whatever the standard rejects and
name the file, row and column the standard names. Ours runs as a real process, once over
all the cases, while frictionless validates each package in this one (its report is the
one `frictionless validate --json` prints; a process per package spent a second each
importing it). The module runs on one pytest-xdist worker, so all this happens once a run.
"""

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import frictionless
import pytest

from service.config import PROJECT_ROOT
from service.seed import find_packages
from tests.conftest import BACKEND, MET_2013, SEED_DIR
from tests.seed.corrupt import CORRUPT_PACKAGES, edit_descriptor

# Both tools read files (ours on a temporary SQLite database), whatever TEST_BACKEND says.
pytestmark = pytest.mark.skipif(
    BACKEND != "sqlite", reason="reads files only: runs once, on the SQLite pass"
)

BIN = Path(sys.executable).parent  # the virtualenv's console scripts
Case = tuple[Callable[[Path], object], str]  # the breakage and our line about it
CASES = {str(case.id): cast(Case, case.values) for case in CORRUPT_PACKAGES}
SEED_PACKAGES = find_packages(SEED_DIR)
#: A custom property packages may gain: the standard allows it, and so do we.
CHANGES = [{"date": "2026-12-01", "note": "Corrected the platform breakdown."}]
WITH_CHANGES = "with-changes"
#: The table in docs/data.md of the cases only ours rejects.
STRICTER_SECTION = "## Validation: ours and the standard's"


@dataclass(frozen=True)
class Standard:
    """What `frictionless validate --json` said of one package."""

    valid: bool
    #: Where each error is, as our messages name it: "file", "file row N" or
    #: "file row N, column 'c'"; "datapackage.json" for the descriptor's errors.
    places: list[str]
    #: The files whose header or encoding it found wrong (an error with no row).
    broken_files: set[str]
    errors: list[dict[str, Any]]


@dataclass(frozen=True)
class Ours:
    """What `met-foi seed --dry-run` said: its exit status and each package's lines."""

    returncode: int
    stdout: str
    stderr: str
    lines: dict[str, list[str]]


@dataclass(frozen=True)
class Runs:
    standard: dict[str, Standard]
    ours_on_seed: Ours
    ours_on_cases: Ours


def frictionless_validate(root: Path) -> Standard:
    report = frictionless.validate(str(root / "datapackage.json")).to_descriptor()
    places: list[str] = []
    broken_files: set[str] = set()
    errors = list(report["errors"])
    places += ["datapackage.json"] * len(report["errors"])
    for task in report["tasks"]:
        for error in task["errors"]:
            errors.append(error)
            place, row, field = task["place"], error.get("rowNumber"), error.get("fieldName")
            if row is None:
                broken_files.add(place)
                places.append(place)
            elif field:
                places.append(f"{place} row {row}, column '{field}'")
            else:
                places.append(f"{place} row {row}")
    return Standard(report["valid"], places, broken_files, errors)


def dry_run(roots: list[Path], env: dict[str, str]) -> Ours:
    done = subprocess.run(
        [BIN / "met-foi", "seed", "--dry-run", *map(str, roots)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    lines: dict[str, list[str]] = {}
    for line in done.stderr.splitlines()[1:]:
        package, _, rest = line.strip().partition("/")
        lines.setdefault(package, []).append(rest)
    return Ours(done.returncode, done.stdout, done.stderr, lines)


def ours_on(seed: list[Path], cases: list[Path], database: Path) -> tuple[Ours, Ours]:
    """Both dry runs on a fresh database, migrated first."""
    env = {**os.environ, "APP_DATABASE_URL": f"sqlite:///{database}"}
    migrated = subprocess.run(
        [BIN / "met-foi", "migrate"], env=env, capture_output=True, text=True, timeout=120
    )
    assert migrated.returncode == 0, migrated.stderr
    return dry_run(seed, env), dry_run(cases, env)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Runs:
    work = tmp_path_factory.mktemp("standard")
    cases: list[Path] = []
    for name, (breakage, _) in CASES.items():
        copy = work / name  # the folder is the case: our lines start with its name
        shutil.copytree(MET_2013, copy)
        breakage(copy)
        cases.append(copy)
    with_changes = work / WITH_CHANGES
    shutil.copytree(MET_2013, with_changes)
    edit_descriptor(with_changes, lambda d: d.update(changes=CHANGES))
    cases.append(with_changes)
    roots = SEED_PACKAGES + cases
    with ThreadPoolExecutor(max_workers=1) as pool:  # our processes run meanwhile
        ours = pool.submit(ours_on, SEED_PACKAGES, cases, work / "dry-run.db")
        standard = {root: frictionless_validate(root) for root in roots}
        ours_on_seed, ours_on_cases = ours.result()
    return Runs(
        {root.name: report for root, report in standard.items()}, ours_on_seed, ours_on_cases
    )


def test_every_case_has_a_name_of_its_own() -> None:
    assert len(CASES) == len(CORRUPT_PACKAGES)


def test_frictionless_validate_passes_on_every_seed_package(runs: Runs) -> None:
    reports = {p.name: runs.standard[p.name] for p in SEED_PACKAGES}
    assert {name: r.errors for name, r in reports.items() if not r.valid} == {}


def test_our_dry_run_accepts_every_seed_package(runs: Runs) -> None:
    ours = runs.ours_on_seed
    assert (ours.returncode, ours.stderr) == (0, "")
    summaries = ours.stdout.splitlines()
    packages = [line.split(":")[0] for line in summaries[: len(SEED_PACKAGES)]]
    assert packages == [p.name for p in SEED_PACKAGES]
    assert summaries[len(SEED_PACKAGES)].startswith(
        "dry run, nothing written: would publish revision "
    )


def test_both_accept_a_package_with_a_changes_list(runs: Runs) -> None:
    assert runs.standard[WITH_CHANGES].errors == []
    assert runs.standard[WITH_CHANGES].valid
    assert WITH_CHANGES not in runs.ours_on_cases.lines


def names(line: str, place: str) -> bool:
    """Whether one of our lines is about `place` ("file row 2" is not "file row 23")."""
    return line.startswith(place) and line[len(place) : len(place) + 1] in (":", ",", " ")


def unnamed(standard: Standard, ours: list[str]) -> list[str]:
    """The places of the standard's errors that none of our lines names."""
    files = {line.split(":")[0].split(" ")[0] for line in ours}
    if files == {"datapackage.json"}:
        return []  # we stopped at the descriptor, reading no table
    # Nor do we read the rows of a file whose header both find wrong.
    unread = {f for f in standard.broken_files if any(line.startswith(f"{f}:") for line in ours)}
    return [
        place
        for place in standard.places
        if place.split(" row ")[0] not in unread and not any(names(line, place) for line in ours)
    ]


@pytest.mark.parametrize("case", list(CASES))
def test_ours_rejects_what_the_standard_rejects_and_names_where(runs: Runs, case: str) -> None:
    standard = runs.standard[case]
    ours = runs.ours_on_cases.lines.get(case, [])
    _, message = CASES[case]
    # Every case is one our loader rejects, with the table's line, through the real CLI.
    assert message.removeprefix("met-2013/") in ours
    if not standard.valid:
        assert ours
        assert unnamed(standard, ours) == [], f"frictionless: {standard.errors}\nours: {ours}"


def test_our_dry_run_fails_listing_every_problem(runs: Runs) -> None:
    ours = runs.ours_on_cases
    count = sum(len(lines) for lines in ours.lines.values())
    assert ours.returncode == 1
    assert ours.stderr.splitlines()[0] == f"Nothing loaded: {count} problem(s) found."
    assert ours.stdout == ""
    assert set(ours.lines) == set(CASES)


def stricter_cases_in_the_docs() -> set[str]:
    text = (PROJECT_ROOT / "docs" / "data.md").read_text(encoding="utf-8")
    section = text.split(STRICTER_SECTION, 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `([a-z0-9-]+)` \|", section, flags=re.MULTILINE))


def test_the_docs_list_every_case_only_ours_rejects(runs: Runs) -> None:
    accepted = {case for case in CASES if runs.standard[case].valid}
    assert stricter_cases_in_the_docs() == accepted
