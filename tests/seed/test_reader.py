"""The reader: CSV cells to typed rows, each problem named by file, row and column."""

from collections.abc import Callable
from pathlib import Path

import pytest

from service.seed import PackageInvalid, read_package
from service.seed.reader import INVALID, Reader, Row
from tests.seed.corrupt import BAD_TABLES

CHECKS_HEADER = "id,title,note\n"
FIGURES_HEADER = (
    "id,measure,label,staff_type,outcome,platform,allegation,year,rank,period,"
    "value,min,max,qualifier,unit,derived,note\n"
)


def read(
    tmp_path: Path, table: str, text: str, encoding: str = "utf-8"
) -> tuple[list[tuple[int, Row]], list[str]]:
    """Read `text` as pkg/<table>.csv; return (rows without line numbers, errors)."""
    root = tmp_path / "pkg"
    root.mkdir(exist_ok=True)
    (root / f"{table}.csv").write_text(text, encoding=encoding)
    reader = Reader(root)
    rows = reader.read_table(table, f"{table}.csv")
    return rows, reader.errors


def figure(**cells: str) -> str:
    """A figures.csv data line: a valid figure with some cells replaced."""
    row = dict.fromkeys(FIGURES_HEADER.strip().split(","), "")
    row.update(id="p.a", measure="m", label="L", value="3", unit="officers", derived="false")
    row.update(cells)
    return ",".join(row.values()) + "\n"


def test_a_missing_file_is_reported_and_gives_no_rows(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    reader = Reader(tmp_path / "pkg")
    assert reader.read_table("checks", "checks.csv") == []
    assert reader.errors == ["pkg/checks.csv: file not found"]


def test_wrong_columns_are_each_named_with_the_expected_list(tmp_path: Path) -> None:
    rows, errors = read(tmp_path, "checks", "id,name,note,colour\np.K1,x,,red\n")
    assert rows == []
    assert errors == [
        "pkg/checks.csv: missing column 'title'; expected columns: id, title, note",
        "pkg/checks.csv: unknown column 'name'; expected columns: id, title, note",
        "pkg/checks.csv: unknown column 'colour'; expected columns: id, title, note",
    ]


def test_an_empty_file_misses_every_column(tmp_path: Path) -> None:
    rows, errors = read(tmp_path, "checks", "")
    assert rows == []
    assert [e.split(";")[0] for e in errors] == [
        "pkg/checks.csv: missing column 'id'",
        "pkg/checks.csv: missing column 'title'",
        "pkg/checks.csv: missing column 'note'",
    ]


def test_empty_optional_cells_are_none(tmp_path: Path) -> None:
    rows, errors = read(tmp_path, "checks", CHECKS_HEADER + "p.K1,Sums,\n")
    assert errors == []
    assert rows == [(2, {"id": "p.K1", "title": "Sums", "note": None, INVALID: False})]


@pytest.mark.parametrize(
    ("cells", "column"),
    [
        pytest.param(" p.K1,Sums,", "id", id="leading-space"),
        pytest.param("p.K1,Sums\t,", "title", id="trailing-tab"),
        pytest.param("p.K1,Sums,\u00a0", "note", id="only-a-no-break-space"),
    ],
)
def test_white_space_around_a_cell_is_named_not_stripped(
    tmp_path: Path, cells: str, column: str
) -> None:
    # Stripped, " dismissed" would pass as a code and "  " as an empty year: the standard
    # reads the cell as written, and rejects both.
    rows, errors = read(tmp_path, "checks", CHECKS_HEADER + cells + "\n")
    assert errors == [
        f"pkg/checks.csv row 2, column '{column}': has white space at the start or end; remove it"
    ]
    assert rows[0][1][column] is None


def test_a_byte_order_mark_is_named_not_read_into_the_first_column(tmp_path: Path) -> None:
    """The package is published as it is, and a reader that takes it as the UTF-8 it
    declares would see a first column named '\ufeffid' (issue 25)."""
    rows, errors = read(tmp_path, "checks", CHECKS_HEADER + "p.K1,t,n\n", encoding="utf-8-sig")
    assert errors == [
        "pkg/checks.csv: starts with a byte order mark (BOM); save it as UTF-8 without one"
    ]
    assert rows == []


def test_columns_out_of_order_are_named_with_the_expected_order(tmp_path: Path) -> None:
    rows, errors = read(tmp_path, "checks", "note,title,id\nn,t,p.K1\n")
    assert rows == []
    assert errors == [
        "pkg/checks.csv: columns out of order; expected columns, in this order: id, title, note"
    ]


def test_a_blank_row_is_named_and_counted_as_a_spreadsheet_counts_it(tmp_path: Path) -> None:
    rows, errors = read(tmp_path, "checks", CHECKS_HEADER + "\np.K1,a,\n,,\n\np.K2,,\n")
    assert [line for line, _ in rows] == [3, 6]
    assert errors == [
        "pkg/checks.csv row 2: is blank; delete the row",
        "pkg/checks.csv row 4: is blank; delete the row",
        "pkg/checks.csv row 5: is blank; delete the row",
        "pkg/checks.csv row 6, column 'title': is empty; a value is required",
    ]


def test_a_short_row_names_each_missing_cell(tmp_path: Path) -> None:
    rows, errors = read(tmp_path, "checks", CHECKS_HEADER + "p.K1\n")
    assert rows == [(2, {"id": "p.K1", "title": None, "note": None, INVALID: True})]
    assert errors == [
        f"pkg/checks.csv row 2, column '{column}': is missing: the row has only 1 of its 3 cells"
        for column in ("title", "note")
    ]


def test_a_long_row_is_named_even_when_its_extra_cells_are_empty(tmp_path: Path) -> None:
    rows, errors = read(tmp_path, "checks", CHECKS_HEADER + "p.K1,a,,\np.K2,b,\n")
    assert errors == ["pkg/checks.csv row 2: has 4 cells but the header has 3 columns"]
    assert [row[INVALID] for _, row in rows] == [True, False]


def test_a_repeated_column_is_named(tmp_path: Path) -> None:
    rows, errors = read(tmp_path, "checks", "id,title,note,title\np.K1,first,,last\n")
    assert rows == []
    assert errors == [
        "pkg/checks.csv: column 'title' appears 2 times; expected columns: id, title, note"
    ]


def test_cells_are_typed_by_the_schema(tmp_path: Path) -> None:
    rows, errors = read(
        tmp_path,
        "figures",
        FIGURES_HEADER
        + figure(year="2011", derived="true", outcome="dismissed")
        + figure(id="p.b", value="+4", year="\u0662\u0660\u0661\u0661"),  # Arabic-Indic 2011
    )
    assert errors == []
    first, second = (row for _, row in rows)
    assert (first["year"], first["value"], first["derived"], first["outcome"]) == (
        2011,
        3,
        True,
        "dismissed",
    )
    assert (second["year"], second["value"], second["derived"]) == (2011, 4, False)


BAD_CELLS = [
    pytest.param(
        {"value": "seventy-five"}, "'value': 'seventy-five' is not a whole number", id="word"
    ),
    pytest.param({"value": "3.5"}, "'value': '3.5' is not a whole number", id="decimal"),
    pytest.param({"value": "\u00b2"}, "'value': '\u00b2' is not a whole number", id="superscript"),
    pytest.param({"value": "-75"}, "'value': -75 is below the minimum of 0", id="negative"),
    pytest.param(
        {"value": "2147483648"},
        "'value': '2147483648' is beyond 2,147,483,647, the largest whole number",
        id="beyond-the-database",
    ),
    pytest.param(  # more digits than Python reads as a number (4,300) unless told to
        {"value": "9" * 5000},
        f"'value': '{'9' * 40}...' is beyond 2,147,483,647, the largest whole number",
        id="thousands-of-digits",
    ),
    pytest.param({"year": "1989"}, "'year': 1989 is below the minimum of 1990", id="early-year"),
    pytest.param(
        {"derived": "yes"}, "'derived': 'yes' is not a boolean; expected true or false", id="bool"
    ),
    pytest.param({"unit": ""}, "'unit': is empty; a value is required", id="required"),
    pytest.param(
        {"rank": "general"},
        "'rank': unknown value 'general'; expected one of: constable, sergeant, inspector, "
        "chief_inspector, inspector_and_above, sergeant_or_above, pcso, not_retrieved",
        id="enum",
    ),
]


@pytest.mark.parametrize(("cells", "message"), BAD_CELLS)
def test_a_bad_cell_is_named_and_marks_its_row_invalid(
    tmp_path: Path, cells: dict[str, str], message: str
) -> None:
    rows, errors = read(tmp_path, "figures", FIGURES_HEADER + figure(**cells) + figure(id="p.b"))
    assert errors == [f"pkg/figures.csv row 2, column {message}"]
    [(_, bad), (_, good)] = rows
    assert bad[INVALID] is True
    assert bad[next(iter(cells))] is None
    assert good[INVALID] is False


def test_a_repeated_primary_key_names_the_row_that_first_used_it(tmp_path: Path) -> None:
    header = "figure,source,kind,value,min,max,qualifier,parts,note\n"
    text = header + "p.a,s1,number,1,,,,,\np.a,s2,number,1,,,,,\n" * 2
    _, errors = read(tmp_path, "figure_reports", text)
    assert errors == [
        "pkg/figure_reports.csv row 4: duplicate figure/source 'p.a/s1'; first used on row 2",
        "pkg/figure_reports.csv row 5: duplicate figure/source 'p.a/s2'; first used on row 3",
    ]


def test_a_table_without_a_primary_key_may_repeat_rows(tmp_path: Path) -> None:
    rows, errors = read(
        tmp_path, "check_terms", "check,role,figure,source\n" + "p.K,part,p.a,\n" * 2
    )
    assert errors == []
    assert len(rows) == 2


@pytest.mark.parametrize(("breakage", "message"), BAD_TABLES)
def test_a_package_with_a_bad_table_names_the_file_row_and_column(
    package_copy: Callable[..., Path], breakage: Callable[[Path], None], message: str
) -> None:
    broken = package_copy()
    breakage(broken)
    with pytest.raises(PackageInvalid) as raised:
        read_package(broken)
    assert raised.value.errors[0] == message  # later errors follow from it, e.g. unknown ids


# The three corrupt files that used to end in a traceback (issue 17): each is now a
# file/row/column line, and nothing is loaded.


def test_a_nul_character_in_a_cell_names_its_row_and_column(tmp_path: Path) -> None:
    rows, errors = read(tmp_path, "checks", CHECKS_HEADER + "p.K1,A title,fine\np.K2,Bad\x00,\n")
    assert errors == ["pkg/checks.csv row 3, column 'title': holds a NUL character"]
    assert [row[INVALID] for _, row in rows] == [False, True]


def test_bytes_that_are_not_utf8_name_their_row(tmp_path: Path) -> None:
    _, errors = read(tmp_path, "checks", CHECKS_HEADER + "p.K1,caf\xe9,\n", encoding="latin-1")
    assert errors == ["pkg/checks.csv row 2: byte 0xe9 is not UTF-8; save as UTF-8"]


def test_a_cell_over_the_csv_field_limit_names_its_row(tmp_path: Path) -> None:
    text = CHECKS_HEADER + "p.K1,short,\n" + "p.K2," + "x" * 131_073 + ",\n"
    rows, errors = read(tmp_path, "checks", text)
    assert errors == [
        "pkg/checks.csv row 3: cannot be read as CSV: field larger than field limit (131072)"
    ]
    # Rows are given as they are read (a large table is written while it is read): those
    # before the unreadable one, and the error that makes the package refused.
    assert rows == [(2, {"id": "p.K1", "title": "short", "note": None, INVALID: False})]
