"""Three published revisions of met-2013, for the tests of history, pinning and feeds:

1. the package as it is in seed/;
2. a correction of one figure: police officers dismissed, 3 -> 4 (and each source's report);
3. a new figure: civilian staff given a written warning in 2013, 1.

The second and third are test data only (never published): they exist to be told apart.
"""

import csv
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import Engine

from service.seed.load import Publication, publish_packages
from tests.conftest import MET_2013, edit_csv

CORRECTED = "met-2013.officers.dismissed"
ADDED = "met-2013.staff.written-warning-2013"
CORRECTION_NOTE = "corrected the officers dismissed from 3 to 4 (test data)"
ADDITION_NOTE = "added the staff written warnings of 2013 (test data)"


@dataclass(frozen=True)
class Three:
    """The three revisions' ids, oldest first, and the package folders that made them."""

    ids: tuple[str, str, str]
    packages: tuple[Path, Path, Path]
    publications: tuple[Publication, Publication, Publication]


def add_change(root: Path, note: str, date: str = "2026-12-05") -> None:
    path = root / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    descriptor.setdefault("changes", []).append({"date": date, "note": note})
    path.write_text(json.dumps(descriptor, indent=2) + "\n", encoding="utf-8")


def append_row(path: Path, values: dict[str, str]) -> None:
    with path.open(newline="", encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    with path.open("a", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerow([values.get(c, "") for c in header])


def correct(root: Path) -> None:
    edit_csv(root / "figures.csv", 4, "value", "4")  # officers dismissed: 3 -> 4
    for source_row in range(11, 16):
        edit_csv(root / "figure_reports.csv", source_row, "value", "4")
    add_change(root, CORRECTION_NOTE)


def add_figure(root: Path) -> None:
    append_row(
        root / "figures.csv",
        {
            "id": ADDED,
            "measure": "people_by_outcome",
            "label": "Civilian staff given a written warning in 2013",
            "staff_type": "civilian_staff",
            "outcome": "written_warning",
            "year": "2013",
            "period": "2013",
            "value": "1",
            "unit": "staff",
            "derived": "false",
        },
    )
    append_row(
        root / "figure_reports.csv",
        {"figure": ADDED, "source": "guardian2013", "kind": "number", "value": "1"},
    )
    add_change(root, ADDITION_NOTE)


def publish_three(engine: Engine, package_copy: Callable[..., Path]) -> Three:
    first = package_copy(MET_2013, "r1/met-2013")
    second = package_copy(MET_2013, "r2/met-2013")
    correct(second)
    third = package_copy(second, "r3/met-2013")
    add_figure(third)
    publications = tuple(publish_packages(engine, [p]) for p in (first, second, third))
    ids = tuple(p.revision.id for p in publications if p.revision is not None)
    assert len(ids) == 3
    return Three(ids, (first, second, third), publications)  # type: ignore[arg-type]
