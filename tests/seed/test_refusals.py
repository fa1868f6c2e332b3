"""What the loader refuses from a hostile or careless package (issue 25): links that are
not http(s) or a file of the package, files linked from outside it, ids that cannot be
printed, cells a spreadsheet would run, files and tables over their limits, JSON nested
too deep, and a byte order mark. Each is one line naming the file, row and column, and the
database is left exactly as it was.
"""

import csv
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from service.config import Settings
from service.db import build_engine, migrate
from service.seed import PackageInvalid, load_packages
from service.seed.descriptor import nested_too_deep
from service.seed.schema import DESCRIPTOR_BYTES, ROW_LIMITS, TABLE_BYTES
from service.tables import Figure, Note, PackageFile, PackageManifest, Revision, Source
from tests.conftest import MET_2013, Databases, edit_csv
from tests.seed.corrupt import edit_descriptor, edit_rows
from tests.seed.test_load import every_row_count


def set_source(index: int, **values: str) -> Callable[[Path], None]:
    return lambda p: edit_descriptor(p, lambda d: d["sources"][index].update(values))


def add_source(**values: str) -> Callable[[Path], None]:
    """A source no row cites, so that its problem is the package's only one."""
    return lambda p: edit_descriptor(
        p, lambda d: d["sources"].append({**d["sources"][0], **values})
    )


def outside_link(relpath: str) -> Callable[[Path], None]:
    """Replace a file of the package by a link to the same bytes outside its folder."""

    def link(root: Path) -> None:
        outside = root.parent / f"outside-{relpath}"
        outside.write_bytes((root / relpath).read_bytes())
        (root / relpath).unlink()
        (root / relpath).symlink_to(outside)

    return link


def quoted_title(title: str) -> Callable[[Path], None]:
    """Set checks.csv row 2's title, every cell quoted (a bare CR would end the row)."""

    def write(root: Path) -> None:
        path = root / "checks.csv"
        with path.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
        rows[1][1] = title
        with path.open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle, lineterminator="\n", quoting=csv.QUOTE_ALL).writerows(rows)

    return write


def with_bom(relpath: str) -> Callable[[Path], object]:
    return lambda p: (p / relpath).write_bytes(b"\xef\xbb\xbf" + (p / relpath).read_bytes())


def grown_to(relpath: str, size: int) -> Callable[[Path], None]:
    """Make a file `size` bytes long (sparse: the loader refuses it by its size, unread)."""

    def grow(root: Path) -> None:
        with (root / relpath).open("r+b") as handle:
            handle.truncate(size)

    return grow


def more_notes(count: int) -> Callable[[Path], None]:
    def add(rows: list[list[str]]) -> list[list[str]]:
        extra = [[f"met-2013.X{i}", "caveat", "t", "x", ""] for i in range(count - len(rows) + 1)]
        return [*rows, *extra]

    return lambda p: edit_rows(p / "notes.csv", add)


def nested(depth: int) -> Callable[[Path], None]:
    """Nest the descriptor `depth` levels deep: itself, `disclosure`, and lists."""

    def nest(descriptor: dict[str, Any]) -> None:
        value: Any = "deep"
        for _ in range(depth - 2):
            value = [value]
        descriptor["disclosure"]["comparability"] = value

    return lambda p: edit_descriptor(p, nest)


DESCRIPTOR = "met-2013/datapackage.json"
FIRST_FIGURE = "met-2013.officers.investigated"
URL_RULE = "must be an http or https URL, or a file in the package folder"
ID_RULE = "an id is printable characters without white space"

#: A breakage of a copy of met-2013 and the one line the loader prints about it.
REFUSALS = [
    pytest.param(
        set_source(0, path="javascript:alert(document.domain)"),
        f"{DESCRIPTOR} sources[0]: path 'javascript:alert(document.domain)' {URL_RULE}",
        id="source-javascript-url",
    ),
    pytest.param(
        set_source(0, path="data:text/html,<script>alert(1)</script>"),
        f"{DESCRIPTOR} sources[0]: path 'data:text/html,<script>alert(1)</script>' {URL_RULE}",
        id="source-data-url",
    ),
    pytest.param(
        set_source(0, path="//evil.example/page"),
        f"{DESCRIPTOR} sources[0]: path '//evil.example/page' {URL_RULE}",
        id="source-scheme-relative-url",
    ),
    pytest.param(
        set_source(0, path="https://exa mple.org/\r\nx"),
        f"{DESCRIPTOR} sources[0]: path 'https://exa mple.org/\\r\\nx' {URL_RULE}",
        id="source-url-with-control-characters",
    ),
    pytest.param(
        set_source(0, path="answer.pdf"),
        f"{DESCRIPTOR} sources[0]: path 'answer.pdf': file not found",
        id="source-file-missing",
    ),
    pytest.param(
        lambda p: (
            (p.parent / "secret.txt").write_text("x", encoding="utf-8"),
            (p / "answer.txt").symlink_to(p.parent / "secret.txt"),
            set_source(0, path="answer.txt")(p),
        ),
        f"{DESCRIPTOR} sources[0]: path 'answer.txt': is a link to a file outside the package "
        "folder; put the file itself in the folder",
        id="source-file-linked-from-outside",
    ),
    pytest.param(
        lambda p: edit_descriptor(p, lambda d: d["licenses"][0].update(path="javascript:x()")),
        f"{DESCRIPTOR}: licenses[0] path 'javascript:x()' {URL_RULE}",
        id="licence-javascript-url",
    ),
    pytest.param(
        outside_link("notes.csv"),
        "met-2013/notes.csv: is a link to a file outside the package folder; put the file "
        "itself in the folder",
        id="table-linked-from-outside",
    ),
    pytest.param(
        outside_link("datapackage.json"),
        f"{DESCRIPTOR}: is a link to a file outside the package folder; put the file itself "
        "in the folder",
        id="descriptor-linked-from-outside",
    ),
    pytest.param(
        lambda p: edit_csv(p / "notes.csv", 2, "id", "met-2013.C1\r\nX"),
        f"met-2013/notes.csv row 2, column 'id': id 'met-2013.C1\\r\\nX' holds a control "
        f"character (U+000D); {ID_RULE}",
        id="id-with-cr-lf",
    ),
    pytest.param(
        lambda p: edit_csv(p / "cases.csv", 3, "id", "met-2013.case\u200b-2"),
        f"met-2013/cases.csv row 3, column 'id': id 'met-2013.case\\u200b-2' holds an "
        f"invisible format character (U+200B); {ID_RULE}",
        id="id-with-zero-width-space",
    ),
    pytest.param(
        lambda p: edit_csv(p / "cases.csv", 4, "id", "met-2013.case 3"),
        f"met-2013/cases.csv row 4, column 'id': id 'met-2013.case 3' holds white space "
        f"(U+0020); {ID_RULE}",
        id="id-with-a-space",
    ),
    pytest.param(
        add_source(id="extra\tsource"),
        f"{DESCRIPTOR} sources[5]: id 'extra\\tsource' holds a control character (U+0009); "
        f"{ID_RULE}",
        id="source-id-with-a-tab",
    ),
    pytest.param(
        lambda p: edit_csv(
            p / "notes.csv", 3, "text", '=HYPERLINK("https://evil.example/a","click")'
        ),
        "met-2013/notes.csv row 3, column 'text': starts with '=', so a spreadsheet would run "
        'it as a formula: \'=HYPERLINK("https://evil.example/a","cli...\'; reword it to start '
        "otherwise",
        id="formula-equals",
    ),
    pytest.param(
        lambda p: edit_csv(p / "cases.csv", 2, "summary", "+cmd|' /C calc'!A0"),
        "met-2013/cases.csv row 2, column 'summary': starts with '+', so a spreadsheet would "
        "run it as a formula: \"+cmd|' /C calc'!A0\"; reword it to start otherwise",
        id="formula-plus",
    ),
    pytest.param(
        lambda p: edit_csv(p / "figures.csv", 2, "note", "-2+3"),
        "met-2013/figures.csv row 2, column 'note': starts with '-', so a spreadsheet would "
        "run it as a formula: '-2+3'; reword it to start otherwise",
        id="formula-minus",
    ),
    pytest.param(
        lambda p: edit_csv(p / "checks.csv", 2, "title", "@SUM(A1:A9)"),
        "met-2013/checks.csv row 2, column 'title': starts with '@', so a spreadsheet would "
        "run it as a formula: '@SUM(A1:A9)'; reword it to start otherwise",
        id="formula-at",
    ),
    pytest.param(
        lambda p: edit_csv(p / "checks.csv", 2, "title", "\t=1+1"),
        "met-2013/checks.csv row 2, column 'title': has white space at the start or end; remove it",
        id="formula-after-a-tab",
    ),
    pytest.param(
        quoted_title("\r=1+1"),
        "met-2013/checks.csv row 2, column 'title': has white space at the start or end; remove it",
        id="formula-after-a-carriage-return",
    ),
    pytest.param(
        more_notes(ROW_LIMITS["notes"] + 1),
        "met-2013/notes.csv row 2002: is past the limit of 2,000 rows",
        id="rows-over-the-limit",
    ),
    pytest.param(
        grown_to("notes.csv", TABLE_BYTES + 1),
        "met-2013/notes.csv: is 67,108,865 bytes, over the limit of 67,108,864",
        id="table-over-the-size-limit",
    ),
    pytest.param(
        lambda p: (p / "datapackage.json").write_text(
            (p / "datapackage.json").read_text(encoding="utf-8") + " " * DESCRIPTOR_BYTES,
            encoding="utf-8",
        ),
        f"{DESCRIPTOR}: is {DESCRIPTOR_BYTES + (MET_2013 / 'datapackage.json').stat().st_size:,} "
        "bytes, over the limit of 1,048,576",
        id="descriptor-over-the-size-limit",
    ),
    pytest.param(
        lambda p: (p / "datapackage.json").write_text("[" * 100_000, encoding="utf-8"),
        f"{DESCRIPTOR} line 1: arrays and objects nest more than 32 deep, over the limit",
        id="json-100000-deep",
    ),
    pytest.param(
        nested(33),
        f"{DESCRIPTOR} line 1: arrays and objects nest more than 32 deep, over the limit",
        id="json-one-level-too-deep",
    ),
    pytest.param(
        with_bom("notes.csv"),
        "met-2013/notes.csv: starts with a byte order mark (BOM); save it as UTF-8 without one",
        id="csv-bom",
    ),
    pytest.param(
        with_bom("datapackage.json"),
        f"{DESCRIPTOR}: starts with a byte order mark (BOM); save it as UTF-8 without one",
        id="descriptor-bom",
    ),
]


@pytest.fixture(scope="module")
def loaded(databases: Databases) -> Iterator[Engine]:
    """One database holding met-2013: every refusal must leave it as it is."""
    url = databases.blank()
    migrate(url)
    engine = build_engine(Settings(database_url=url))
    load_packages(engine, [MET_2013])
    yield engine
    engine.dispose()


def stored(engine: Engine) -> dict[str, Any]:
    """Everything a load can write: every version of every row, revisions, package files."""
    with Session(engine) as session:
        return {
            "rows": every_row_count(engine),
            "revisions": session.exec(select(Revision.id)).all(),
            "files": session.exec(select(func.count()).select_from(PackageFile)).one(),
            "manifest": session.exec(select(func.count()).select_from(PackageManifest)).one(),
        }


@pytest.mark.parametrize(("breakage", "line"), REFUSALS)
def test_a_hostile_package_is_refused_in_one_line_and_the_database_is_unchanged(
    loaded: Engine, package_copy: Callable[..., Path], breakage: Callable[[Path], object], line: str
) -> None:
    before = stored(loaded)
    broken = package_copy()
    breakage(broken)
    with pytest.raises(PackageInvalid) as raised:
        load_packages(loaded, [broken])
    assert raised.value.errors == [line]
    assert stored(loaded) == before


def test_the_nesting_limit_is_32_levels_of_brackets_outside_strings(
    blank_engine: Engine, package_copy: Callable[..., Path]
) -> None:
    assert nested_too_deep("[" * 32 + "]" * 32) is None
    assert nested_too_deep("{}\n" + '{"a":' * 32 + "[]" + "}" * 32) == 2
    package = package_copy()
    edit_descriptor(package, lambda d: d["disclosure"].update(counts="[" * 40 + '{\\"'))
    [result] = load_packages(blank_engine, [package])
    assert result.changed is True


def test_links_and_cells_the_rules_allow_load(
    blank_engine: Engine, package_copy: Callable[..., Path]
) -> None:
    """A source that is a file of the package, a file linked from inside the package, and
    formula characters anywhere but at a text cell's start (an integer's sign is no text)."""
    package = package_copy()
    (package / "foi-answer.txt").write_text("The answer.", encoding="utf-8")
    set_source(0, path="foi-answer.txt")(package)
    set_source(1, path="HTTPS://www.standard.co.uk/news?a=1&b=-2")(package)
    (package / "notes-file.csv").write_bytes((package / "notes.csv").read_bytes())
    (package / "notes.csv").unlink()
    (package / "notes.csv").symlink_to("notes-file.csv")
    text = "a = b, c - d, e + f, @g; -1 and +1"
    edit_csv(package / "notes.csv", 3, "text", text)
    edit_csv(package / "figures.csv", 2, "value", "+75")
    load_packages(blank_engine, [package])
    with Session(blank_engine) as session:
        assert [s.url for s in session.exec(select(Source).order_by(col(Source.position)))][:2] == [
            "foi-answer.txt",
            "HTTPS://www.standard.co.uk/news?a=1&b=-2",
        ]
        assert session.exec(select(Note.text).where(Note.id == "met-2013.C2")).one() == text
        assert session.exec(select(Figure.value).where(Figure.id == FIRST_FIGURE)).one() == 75
