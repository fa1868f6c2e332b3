"""CSV cells to typed rows, with every problem named by file, row and column.

A Reader collects errors instead of stopping at the first, so one run of the loader
lists everything wrong with a package.
"""

import codecs
import csv
import io
import operator
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

from service.seed.schema import CASES_BYTES, FORMULA_START, ROW_LIMITS, TABLE_BYTES, TABLES

Row = dict[str, Any]
#: Set on every row: True when one of its cells was reported, so cross-row rules skip it.
INVALID = "__invalid__"
#: The largest whole number a cell may hold: the databases' INTEGER (PostgreSQL's is 32
#: bits). Checked by its length before int() reads it, so that a cell of thousands of digits
#: is a row error, not Python's refusal to read it.
LARGEST_WHOLE = 2**31 - 1
WHOLE_DIGITS = len(str(LARGEST_WHOLE))


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
    #: The cells whose value is known without a check: its codes (a text column with an
    #: enum) and, when the column is optional, the empty cell (None).
    known: dict[str, Any]
    #: A text column without an enum: any cell that a spreadsheet would not run is valid.
    free_text: bool
    plain_integer: bool
    minimum: int
    identifier: bool


def plan_columns(fields: Iterable[dict[str, Any]], header: list[str]) -> list[Column]:
    columns = []
    for spec in fields:
        constraints = spec.get("constraints", {})
        enum = constraints.get("enum")
        codes = enum if spec["type"] == "string" and enum is not None else []
        # An empty code is never known: a required column reports it, an optional one reads None.
        known: dict[str, Any] = {code: code for code in codes if code}
        if not constraints.get("required"):
            known[""] = None
        columns.append(
            Column(
                name=spec["name"],
                offset=header.index(spec["name"]),
                spec=spec,
                known=known,
                free_text=spec["type"] == "string" and enum is None,
                plain_integer=spec["type"] == "integer" and enum is None,
                # Only decimal digits take the inline path, so they are never below 0.
                minimum=constraints.get("minimum", 0),
                identifier=spec["name"] == "id",
            )
        )
    return columns


def fast_row(fields: list[dict[str, Any]]) -> Callable[[list[str]], Row | None]:
    """A function that types a row whose every cell is plainly valid, as Reader.row would,
    and returns None for any other row, which Reader.row then reads and names what is
    wrong with. It is generated from the table's schema (as dataclasses generates
    __init__), so that a row is one call with every check inline, not a loop over columns:
    reading a million cases took about 6 µs a row with the loop."""
    names = [f"v{i}" for i in range(len(fields))]
    body = [f"if len(values) != {len(fields)}: return None", f"{', '.join(names)}, = values"]
    scope: dict[str, Any] = {"FORMULA_START": FORMULA_START}
    for name, spec in zip(names, fields, strict=True):
        body += _fast_cell(name, spec, scope)
    pairs = ", ".join(f"{spec['name']!r}: {n}" for n, spec in zip(names, fields, strict=True))
    body.append(f"return {{{pairs}, {INVALID!r}: False}}")
    source = "def fast(values):\n" + "".join(f"    {line}\n" for line in body)
    exec(compile(source, "<seed fast_row>", "exec"), scope)  # the text is ours, from TABLES
    fast: Callable[[list[str]], Row | None] = scope["fast"]
    return fast


def _fast_cell(name: str, spec: dict[str, Any], scope: dict[str, Any]) -> list[str]:
    """The lines of fast_row's function that check and type one cell, the local `name`:
    each returns None from the function when the cell is not plainly valid. The codes of
    an enum go into `scope`, the function's globals, as one set to test against."""
    constraints = spec.get("constraints", {})
    required, enum = bool(constraints.get("required")), constraints.get("enum")
    if spec["type"] == "string" and enum is not None:
        scope[f"{name}_codes"] = frozenset(enum) | (set() if required else {""})
        return [f"if {name} not in {name}_codes: return None", f"{name} = {name} or None"]
    lines = [f"if not {name}: " + ("return None" if required else f"{name} = None")]
    if spec["type"] == "string":
        plain = f"{name}[0] not in FORMULA_START and {name}.strip() == {name}"
        if spec["name"] == "id":
            plain += f" and {name}.isprintable() and ' ' not in {name}"
        lines.append(f"elif not ({plain}): return None")
    elif spec["type"] == "integer" and enum is None:
        minimum = constraints.get("minimum", 0)
        lines.append(
            f"elif not {name}.isdecimal() or len({name}) > {WHOLE_DIGITS} "
            f"or not {minimum} <= int({name}) <= {LARGEST_WHOLE}: return None"
        )
        lines.append(f"else: {name} = int({name})")
    elif spec["type"] == "boolean":
        lines.append(f"elif {name} in ('true', 'false'): {name} = {name} == 'true'")
        lines.append("else: return None")
    else:
        lines.append("return None")  # a type with no inline check: Reader.row reads it
    return lines


def file_problem(root: Path, relpath: str, limit: int | None = None) -> str | None:
    """Why a package's file cannot be read: missing, a link to a file outside the package
    folder (it would be read, stored and published as the package's), or over `limit`
    bytes; None when it can be."""
    path = root / relpath
    if not path.is_file():
        return "file not found"
    if not path.resolve().is_relative_to(root.resolve()):
        return "is a link to a file outside the package folder; put the file itself in the folder"
    size = path.stat().st_size
    if limit is not None and size > limit:
        return f"is {size:,} bytes, over the limit of {limit:,}"
    return None


def decode(where: str, data: bytes, line: str = "row") -> tuple[str | None, str | None]:
    """A file's bytes as text, or the line saying what is wrong with them: a byte order
    mark (a reader that takes the file as the UTF-8 it declares would read the mark into
    the first column's name), or the row of the first byte that is not UTF-8 (no database
    column can hold it, and no spreadsheet shows it the same); `line` is what the file's
    lines are called."""
    if data.startswith(codecs.BOM_UTF8):
        return None, f"{where}: starts with a byte order mark (BOM); save it as UTF-8 without one"
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        row = data.count(b"\n", 0, exc.start) + 1
        byte = data[exc.start]
        return None, f"{where} {line} {row}: byte 0x{byte:02x} is not UTF-8; save as UTF-8"


def excerpt(text: str, width: int = 40) -> str:
    """The start of a cell, quoted as Python quotes it, so that any character shows."""
    return repr(text if len(text) <= width else text[:width] + "...")


def is_plain_id(text: str) -> bool:
    """Whether an id is printable characters without white space (one test, in C, for the
    million ids of a large package)."""
    return text.isprintable() and " " not in text


def id_problem(text: str) -> str | None:
    """What makes an id unusable in a URL path or a citation: a control, invisible or
    white-space character (a note id with CR LF inside was published and unreachable)."""
    for char in text:
        if not char.isprintable() or char.isspace():
            kind = unicodedata.category(char)
            what = {"Cc": "a control character", "Cf": "an invisible format character"}.get(
                kind, "white space" if char.isspace() else "a character that does not print"
            )
            return (
                f"id {excerpt(text)} holds {what} (U+{ord(char):04X}); an id is printable "
                "characters without white space"
            )
    return None


def formula_problem(text: str) -> str | None:
    """Whether a spreadsheet opening the package would run a text cell as a formula. The
    package is published as written, so such a cell is refused, never rewritten."""
    if text[0] in FORMULA_START:
        return (
            f"starts with {text[0]!r}, so a spreadsheet would run it as a formula: "
            f"{excerpt(text)}; reword it to start otherwise"
        )
    return None


def parse(kind: str, text: str) -> tuple[Any, str | None]:
    """A non-empty cell as its column's type, or the problem with it."""
    if kind == "integer":
        digits = text.strip().lstrip("+-")
        too_long = digits.isdecimal() and len(digits) > WHOLE_DIGITS  # never given to int()
        if not too_long:
            try:
                number = int(text)
            except ValueError:
                return None, f"{excerpt(text)} is not a whole number"
        if too_long or abs(number) > LARGEST_WHOLE:
            return None, f"{excerpt(text)} is beyond {LARGEST_WHOLE:,}, the largest whole number"
        return number, None
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

    def error(self, where: str, message: str) -> None:
        self.errors.append(f"{where}: {message}")

    def read_table(
        self, name: str, relpath: str, spec: dict[str, Any] | None = None
    ) -> list[tuple[int, Row]]:
        """The file's rows with their spreadsheet row numbers (the header is row 1); none
        when the file is missing or its columns are wrong. `spec` is the table's schema when
        not TABLES[name] (a survey's figures)."""
        return list(self.iter_table(name, relpath, spec))

    def iter_table(
        self, name: str, relpath: str, spec: dict[str, Any] | None = None
    ) -> Iterator[tuple[int, Row]]:
        """read_table's rows one at a time, each checked as it is read, so that a large
        table can be written while it is read; its errors are known once it is exhausted."""
        spec = spec or TABLES[name]
        where = f"{self.root.name}/{relpath}"
        problem = file_problem(self.root, relpath, CASES_BYTES if name == "cases" else TABLE_BYTES)
        if problem is not None:
            self.error(where, problem)
            return
        text, problem = decode(where, (self.root / relpath).read_bytes())
        if text is None:
            self.errors.append(str(problem))
            return
        lines = csv.reader(io.StringIO(text, newline=""))
        try:
            # Whether the file holds a NUL anywhere: only then is each cell searched for one.
            yield from self._rows(where, spec, ROW_LIMITS[name], lines, "\x00" in text)
        except csv.Error as exc:  # e.g. a cell over the csv module's field size limit
            self.error(f"{where} row {lines.line_num}", f"cannot be read as CSV: {exc}")

    def _rows(
        self, where: str, spec: dict[str, Any], limit: int, lines: Any, nul: bool
    ) -> Iterator[tuple[int, Row]]:
        header: list[str] = next(lines, [])
        problems = header_problems(header, [f["name"] for f in spec["fields"]])
        for problem in problems:
            self.error(where, problem)
        if problems:
            return
        columns = plan_columns(spec["fields"], header)
        # A NUL is searched for only in a file that holds one: its rows are all read slowly.
        fast = None if nul else fast_row(spec["fields"])
        keys = _Keys(spec.get("primaryKey", []))
        last = limit + 1
        line = 1
        for values in lines:
            line += 1  # every record is a row, blank or not, as a spreadsheet counts them
            if line > last:
                self.error(f"{where} row {line}", f"is past the limit of {limit:,} rows")
                return
            # Every table has a required column, so a blank row is never typed here.
            typed = None if fast is None else fast(values)
            if typed is not None:
                keys.check(self, where, line, typed)
                yield line, typed
                continue
            if not any(values):
                self.error(f"{where} row {line}", "is blank; delete the row")
                continue
            errors_before = len(self.errors)
            if len(values) > len(columns):
                self.error(
                    f"{where} row {line}",
                    f"has {len(values)} cells but the header has {len(columns)} columns",
                )
            row = self.row(where, line, columns, values, nul)
            # A row with a bad cell is reported once; later cross-checks skip it.
            row[INVALID] = len(self.errors) > errors_before
            keys.check(self, where, line, row)
            yield line, row

    def row(
        self, where: str, line: int, columns: list[Column], values: list[str], nul: bool
    ) -> Row:
        """A row that fast_row did not type, cell by cell: a cell that is missing, has white
        space around it, holds a NUL (looked for only when `nul`, the file holds one) or is
        not valid is reported and None. A known or free-text cell is typed inline (most
        cells); the others go through _integer_or_cell."""
        row: Row = {}
        width = len(values)
        for column in columns:
            name, offset, _, known, free_text, _, _, identifier = column
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
            elif nul and "\x00" in text:
                self.error(f"{where} row {line}, column '{name}'", "holds a NUL character")
                row[name] = None
            elif text in known:
                row[name] = known[text]
            elif (
                free_text
                and text
                and text[0] not in FORMULA_START
                and (not identifier or is_plain_id(text))
            ):
                row[name] = text
            else:
                row[name] = self._integer_or_cell(where, line, column, text)
        return row

    def _integer_or_cell(self, where: str, line: int, column: Column, text: str) -> Any:
        """A cell of `row` that is neither known nor plain text: a whole number at or above
        its column's minimum, typed inline, or what Reader.cell reads (and reports)."""
        if (
            column.plain_integer
            and text.isdecimal()
            and len(text) <= WHOLE_DIGITS
            and column.minimum <= int(text) <= LARGEST_WHOLE
        ):
            return int(text)
        return self.cell(f"{where} row {line}, column '{column.name}'", column.spec, text)

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
        if problem is None and spec["type"] == "string" and "enum" not in constraints:
            problem = formula_problem(text) or (id_problem(text) if spec["name"] == "id" else None)
        if problem is not None:
            self.error(at, problem)
            return None
        return value


class _Keys:
    """The primary keys seen so far in one table, and the row each was first used on."""

    def __init__(self, names: list[str]) -> None:
        self.names = names
        # One column's key is its value, several columns' a tuple of theirs.
        self.key = operator.itemgetter(*names) if names else None
        self.seen: dict[Any, int] = {}

    def check(self, reader: Reader, where: str, line: int, row: Row) -> None:
        if self.key is None:
            return
        key = self.key(row)
        first = self.seen.setdefault(key, line)
        if first != line:
            shown = "/".join(map(str, key if len(self.names) > 1 else (key,)))
            reader.error(
                f"{where} row {line}",
                f"duplicate {'/'.join(self.names)} {shown!r}; first used on row {first}",
            )
