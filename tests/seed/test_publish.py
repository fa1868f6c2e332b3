"""Publishing revisions: append-only versions, revision ids and notes, `met-foi diff` and
`met-foi seed --dry-run`, and the package files kept for downloads."""

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from service.db import migrate
from service.revisions import NO_NOTE, revision_id
from service.seed import PackageInvalid, read_package
from service.seed.load import publish_packages
from service.tables import PackageFile, PackageManifest, Revision
from tests.conftest import MET_2013, SEED_DIR, edit_csv
from tests.revisions import CORRECTED, CORRECTION_NOTE, add_change, correct, publish_three


def revisions_in(engine: Engine) -> list[Revision]:
    with Session(engine) as session:
        return list(session.exec(select(Revision).order_by(col(Revision.seq))).all())


def test_a_revision_id_is_a_hash_of_the_one_before_and_every_package_revision(
    blank_engine: Engine, package_copy: Callable[..., Path]
) -> None:
    three = publish_three(blank_engine, package_copy)
    packages = [read_package(p).disclosure.revision for p in three.packages]
    assert three.ids[0] == revision_id(None, {"met-2013": packages[0]})
    assert three.ids[1] == revision_id(three.ids[0], {"met-2013": packages[1]})
    assert three.ids[2] == revision_id(three.ids[1], {"met-2013": packages[2]})


def test_going_back_to_an_earlier_state_is_a_new_revision_with_its_own_id(
    blank_engine: Engine, package_copy: Callable[..., Path]
) -> None:
    first = publish_packages(blank_engine, [MET_2013]).revision
    corrected = package_copy()
    correct(corrected)
    publish_packages(blank_engine, [corrected])
    back = publish_packages(blank_engine, [MET_2013]).revision
    assert first is not None
    assert back is not None
    assert (back.seq, back.figures_changed) == (3, 1)
    assert back.id != first.id
    assert back.note == f"met-2013: {NO_NOTE}."


def test_a_package_without_a_changes_entry_still_loads_with_no_note_given(
    blank_engine: Engine, package_copy: Callable[..., Path]
) -> None:
    publish_packages(blank_engine, [MET_2013])
    corrected = package_copy()
    correct(corrected)
    descriptor = json.loads((corrected / "datapackage.json").read_text())
    del descriptor["changes"]
    (corrected / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    revision = publish_packages(blank_engine, [corrected]).revision
    assert revision is not None
    assert revision.note == f"met-2013: {NO_NOTE}."
    assert revision.packages[0]["notes"] == [NO_NOTE]


def test_only_the_new_changes_entries_become_the_revisions_note(
    blank_engine: Engine, package_copy: Callable[..., Path]
) -> None:
    corrected = package_copy()
    add_change(corrected, "an older note", date="2026-11-24")
    publish_packages(blank_engine, [corrected])
    correct(corrected)
    revision = publish_packages(blank_engine, [corrected]).revision
    assert revision is not None
    assert revision.packages[0]["notes"] == [CORRECTION_NOTE]


WHERE = "met-2013/datapackage.json"


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ("fixed", f'{WHERE}: \'changes\' must be a list of {{"date", "note"}} objects'),
        (
            [{"date": "2026-12-05"}],
            f"{WHERE} changes[0]: 'note' must be a sentence saying what changed",
        ),
        ([{"note": " "}], f"{WHERE} changes[0]: 'note' must be a sentence saying what changed"),
        (
            [{"note": "x", "date": "5 Dec"}],
            f"{WHERE} changes[0]: 'date' must be a date as YYYY-MM-DD",
        ),
        ([{"note": "x", "by": "me"}], f"{WHERE} changes[0]: unknown keys: by"),
    ],
)
def test_a_malformed_changes_entry_is_a_descriptor_error(
    package_copy: Callable[..., Path], changes: object, error: str
) -> None:
    package = package_copy()
    descriptor = json.loads((package / "datapackage.json").read_text())
    descriptor["changes"] = changes
    (package / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    with pytest.raises(PackageInvalid) as raised:
        read_package(package)
    assert raised.value.errors == [error]


def test_a_dry_run_writes_nothing_and_says_what_it_would_publish(
    blank_engine: Engine, package_copy: Callable[..., Path]
) -> None:
    publish_packages(blank_engine, [MET_2013])
    corrected = package_copy()
    correct(corrected)
    before = revisions_in(blank_engine)
    dry = publish_packages(blank_engine, [corrected], dry_run=True)
    assert revisions_in(blank_engine) == before
    assert dry.revision is not None
    assert dry.change_lines() == [
        f"changed {CORRECTED} (Police officers dismissed): 3 -> 4 "
        "(value, min, max, reading, reports)"
    ]
    real = publish_packages(blank_engine, [corrected])
    assert real.revision is not None
    assert real.revision.id == dry.revision.id


def test_each_file_is_stored_once_whatever_revisions_share_it(
    blank_engine: Engine, package_copy: Callable[..., Path]
) -> None:
    publish_three(blank_engine, package_copy)
    with Session(blank_engine) as session:
        files = session.exec(select(func.count()).select_from(PackageFile)).one()
        manifests = session.exec(select(func.count()).select_from(PackageManifest)).one()
    # 7 files a package revision; the second and third change figures.csv and
    # figure_reports.csv and datapackage.json (its changes), sharing the other four.
    assert manifests == 21
    assert files == 7 + 3 + 3


def run(*args: str, url: str) -> subprocess.CompletedProcess[str]:
    env = {"APP_DATABASE_URL": url, "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [sys.executable, "-m", "service", *args], env=env, capture_output=True, text=True
    )


def test_diff_and_dry_run_print_the_changes_and_write_nothing(
    blank_database_url: str, package_copy: Callable[..., Path]
) -> None:
    migrate(blank_database_url)
    assert run("seed", str(MET_2013), url=blank_database_url).returncode == 0
    corrected = package_copy()
    correct(corrected)
    diff = run("diff", str(corrected), url=blank_database_url)
    assert (diff.returncode, diff.stderr) == (0, "")
    assert diff.stdout == (
        f"changed {CORRECTED} (Police officers dismissed): 3 -> 4 "
        "(value, min, max, reading, reports)\n"
    )
    dry = run("seed", "--dry-run", str(corrected), url=blank_database_url)
    assert dry.returncode == 0, dry.stderr
    *loaded, would, note, change = dry.stdout.splitlines()
    assert loaded[0].startswith("met-2013: loaded; 40 figures")
    assert would.startswith("dry run, nothing written: would publish revision ")
    assert would.endswith(" (number 2); figures: 0 added, 1 changed, 0 removed")
    assert note == f"  note: met-2013: {CORRECTION_NOTE}."
    assert change == f"  {diff.stdout.strip()}"
    unchanged = run("diff", str(MET_2013), url=blank_database_url)
    assert unchanged.stdout == "no figure would change\n"
    broken = package_copy(name="broken")
    edit_csv(broken / "figures.csv", 2, "value", "-1")
    bad = run("diff", str(broken), url=blank_database_url)
    assert (bad.returncode, bad.stdout) == (1, "")
    assert bad.stderr.splitlines() == [
        "Nothing loaded: 1 problem(s) found.",
        "  broken/figures.csv row 2, column 'value': -1 is below the minimum of 0",
    ]


def test_every_seed_package_loads_as_one_first_revision(blank_engine: Engine) -> None:
    from service.seed import find_packages

    roots = find_packages(SEED_DIR)
    publication = publish_packages(blank_engine, roots)
    assert publication.revision is not None
    assert publication.revision.seq == 1
    assert [p["disclosure"] for p in publication.revision.packages] == [r.name for r in roots]
    assert {p["change"] for p in publication.revision.packages} == {"added"}
