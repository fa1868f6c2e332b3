"""CSV cells to typed rows, with every problem named by file, row and column.

A Reader collects errors instead of stopping at the first, so one run of the loader
lists everything wrong with a package.
"""

import csv
import io
from collections.abc import Iterable
from pathlib import Path
from typing import Any, NamedTuple

from service.seed.schema import TABLES

Row = dict[str, Any]
#: Set on every row: True when one of its cells was reported, so cross-row rules skip it.
INVALID = "__invalid__"


class PackageInvalid(Exception):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


class Column(NamedTuple):
    """Where a field is in the file and what a valid cell looks like, so that a valid cell
    (nearly all of a million) is typed inline and only the rest go through Reader.cell."""

    name: str
    offset: int
    spec: dict[str, Any]
    plain_string: bool
    plain_integer: bool
    required: bool
    enum: frozenset[str] | None
    minimum: int


def plan_columns(fields: Iterable[dict[str, Any]], header: list[str]) -> list[Column]:
    columns = []
    for spec in fields:
        constraints = spec.get("constraints", {})
        enum = constraints.get("enum")
        columns.append(
            Column(
                name=spec["name"],
                offset=header.index(spec["name"]),
                spec=spec,
                plain_string=spec["type"] == "string",
                plain_integer=spec["type"] == "integer" and enum is None,
                required=bool(constraints.get("required")),
                enum=None if enum is None else frozenset(enum),
                # Only decimal digits take the inline path, so they are never below 0.
                minimum=constraints.get("minimum", 0),
            )
        )
    return columns


def parse(kind: str, text: str) -> tuple[Any, str | None]:
    """A non-empty cell as its column's type, or the problem with it."""
    if kind == "integer":
        try:
            return int(text), None
        except ValueError:
            return None, f"{text!r} is not a whole number"
    if kind == "boolean":
        if text not in ("true", "false"):
            return None, f"{text!r} is not a boolean; expected true or false"
        return text == "true", None
    return text, None


def violation(constraints: dict[str, Any], text: str, value: Any) -> str | None:
    """What a typed value breaks of its column's enum or minimum, if anything."""
    if "enum" in constraints and value not in constraints["enum"]:
        return f"unknown value {text!r}; expected one of: {', '.join(constraints['enum'])}"
    if "minimum" in constraints and value < constraints["minimum"]:
        return f"{value} is below the minimum of {constraints['minimum']}"
    return None


def header_problems(header: list[str], expected: list[str]) -> list[str]:
    """What is wrong with a header: the columns must be the schema's, once each and in its
    order, as the Table Schema standard matches fields to columns by position."""
    listed = ", ".join(expected)
    problems = [
        *(f"missing column '{c}'; expected columns: {listed}" for c in expected if c not in header),
        *(f"unknown column '{c}'; expected columns: {listed}" for c in header if c not in expected),
        *(
            f"column '{c}' appears {header.count(c)} times; expected columns: {listed}"
            for c in dict.fromkeys(header)
            if c in expected and header.count(c) > 1
        ),
    ]
    if not problems and header != expected:
        problems.append(f"columns out of order; expected columns, in this order: {listed}")
    return problems


class Reader:
    """Reads one package's tables, collecting every error instead of stopping at the first."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.errors: list[str] = []
        self.nul = False  # whether the table being read holds a NUL anywhere

    def error(self, where: str, message: str) -> None:
        self.errors.append(f"{where}: {message}")

    def read_table(self, name: str, relpath: str) -> list[tuple[int, Row]]:
        """The file's rows with their spreadsheet row numbers (the header is row 1); none
        when the file is missing or its columns are wrong."""
        spec = TABLES[name]
        where = f"{self.root.name}/{relpath}"
        path = self.root / relpath
        if not path.is_file():
            self.error(where, "file not found")
            return []
        text = self.text(where, path)
        if text is None:
            return []
        self.nul = "\x00" in text
        lines = csv.reader(io.StringIO(text, newline=""))
        try:
            return self._rows(where, spec, lines)
        except csv.Error as exc:  # e.g. a cell over the csv module's field size limit
            self.error(f"{where} row {lines.line_num}", f"cannot be read as CSV: {exc}")
            return []

    def text(self, where: str, path: Path) -> str | None:
        """The file as text, or None after naming the row of the first byte that is not
        UTF-8 (no database column can hold it, and no spreadsheet shows it the same)."""
        data = path.read_bytes()
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            row = data.count(b"\n", 0, exc.start) + 1
            byte = data[exc.start]
            self.error(f"{where} row {row}", f"byte 0x{byte:02x} is not UTF-8; save as UTF-8")
            return None

    def _rows(self, where: str, spec: dict[str, Any], lines: Any) -> list[tuple[int, Row]]:
        header: list[str] = next(lines, [])
        problems = header_problems(header, [f["name"] for f in spec["fields"]])
        for problem in problems:
            self.error(where, problem)
        if problems:
            return []
        columns = plan_columns(spec["fields"], header)
        keys = _Keys(spec.get("primaryKey", []))
        rows: list[tuple[int, Row]] = []
        line = 1
        for values in lines:
            line += 1  # every record is a row, blank or not, as a spreadsheet counts them
            if not any(values):
                self.error(f"{where} row {line}", "is blank; delete the row")
                continue
            errors_before = len(self.errors)
            if len(values) > len(columns):
                self.error(
                    f"{where} row {line}",
                    f"has {len(values)} cells but the header has {len(columns)} columns",
                )
            row = self.row(where, line, columns, values)
            # A row with a bad cell is reported once; later cross-checks skip it.
            row[INVALID] = len(self.errors) > errors_before
            keys.check(self, f"{where} row {line}", line, row)
            rows.append((line, row))
        return rows

    def row(self, where: str, line: int, columns: list[Column], values: list[str]) -> Row:
        row: Row = {}
        width = len(values)
        for name, offset, spec, plain_string, plain_integer, required, enum, minimum in columns:
            if offset >= width:
                self.error(
                    f"{where} row {line}, column '{name}'",
                    f"is missing: the row has only {width} of its {len(columns)} cells",
                )
                row[name] = None
                continue
            cell = values[offset]
            text = cell.strip()
            if len(text) != len(cell):
                # Stripped, it could pass as a code or a number it does not match as written.
                self.error(
                    f"{where} row {line}, column '{name}'",
                    "has white space at the start or end; remove it",
                )
                row[name] = None
                continue
            if self.nul and "\x00" in text:
                self.error(f"{where} row {line}, column '{name}'", "holds a NUL character")
                row[name] = None
                continue
            if not text:
                if not required:
                    row[name] = None
                    continue
            elif plain_string and (enum is None or text in enum):
                row[name] = text
                continue
            elif plain_integer and text.isdecimal() and int(text) >= minimum:
                row[name] = int(text)
                continue
            row[name] = self.cell(f"{where} row {line}, column '{name}'", spec, text)
        return row

    def cell(self, at: str, spec: dict[str, Any], text: str) -> Any:
        """A cell's value, or None after reporting why it is not valid."""
        constraints = spec.get("constraints", {})
        if not text:
            if constraints.get("required"):
                self.error(at, "is empty; a value is required")
            return None
        value, problem = parse(spec["type"], text)
        if problem is None:
            problem = violation(constraints, text, value)
        if problem is not None:
            self.error(at, problem)
            return None
        return value


class _Keys:
    """The primary keys seen so far in one table, and the row each was first used on."""

    def __init__(self, names: list[str]) -> None:
        self.names = names
        self.seen: dict[tuple[Any, ...], int] = {}

    def check(self, reader: Reader, at: str, line: int, row: Row) -> None:
        if not self.names:
            return
        key = tuple(row[k] for k in self.names)
        first = self.seen.setdefault(key, line)
        if first != line:
            reader.error(
                at,
                f"duplicate {'/'.join(self.names)} {'/'.join(map(str, key))!r}; "
                f"first used on row {first}",
            )
