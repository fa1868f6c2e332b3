"""The columns of a CSV table: every cell a plain value, never JSON.

A public model's fields become columns by one rule, which the CSV writer (api/reply.py)
and the CSVW metadata (api/csvw.py) both read from here:

- a number, a boolean or text is one column of its own name;
- an object (a disclosure's `licence`, a check's `total`, a history entry's `reading`) is
  one column per field of it, named `<field>_<its field>` (`licence_url`, `total_figure`);
- a list is one column whose items are separated by `;`, as the seed packages separate
  source ids (a table may choose another separator for text that holds `;`, such as a
  line break); a list of objects gives the id of each (`figure`, `disclosure`), and the
  JSON answer of the same URL has each object in full.

CSVW declares each list column's separator, so a CSVW reader gets the list back.
"""

import types
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

#: What separates a list's items in a cell, unless the table says otherwise.
SEPARATOR = ";"
#: The field that names an object of a list, in this order of preference.
ITEM_KEYS = ("figure", "disclosure", "id")


@dataclass(frozen=True)
class CsvColumn:
    """One column: where its value is in a row as the API dumps it, and how it is written."""

    name: str
    #: The keys that lead to the value in the dumped row: ("licence", "url").
    path: tuple[str, ...]
    #: The field it comes from (type and meaning, for the CSVW metadata).
    field: FieldInfo
    #: For a list: what separates its items in the cell.
    separator: str | None = None
    #: For a list of objects: the field of each item that the cell gives.
    item_key: str | None = None

    @property
    def description(self) -> str:
        """The field's meaning, and for a list how the cell holds it."""
        said = self.field.description or ""
        if len(self.path) > 1:
            said = f"Of {self.path[0]}: {said or self.path[-1]}"
        if self.separator is None:
            return said
        words = repr(self.separator) if self.separator.strip() else "line breaks"
        how = (
            f"the `{self.item_key}` of each, separated by {words}; the JSON answer of the "
            "same URL has each in full"
            if self.item_key
            else f"separated by {words}"
        )
        return f"{said} In CSV: {how}.".strip()

    def cell(self, row: Mapping[str, Any]) -> Any:
        value: Any = row
        for key in self.path:
            value = value.get(key) if isinstance(value, Mapping) else None
        if self.separator is None or value is None:
            return value
        items = (item[self.item_key] for item in value) if self.item_key else value
        return self.separator.join(str(item) for item in items)


def _unwrap(annotation: Any) -> Any:
    """`X | None` as X."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        kinds = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(kinds) == 1:
            return kinds[0]
    return annotation


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _scalar(name: str, annotation: Any) -> None:
    """Refuse a field the rule cannot write as a plain cell (a mapping, an object in an
    object), when its table is declared."""
    kind = _unwrap(annotation)
    if _is_model(kind) or typing.get_origin(kind) in (list, dict) or kind in (list, dict):
        raise TypeError(f"CSV column {name!r} would hold JSON: give it a rule in csv_columns")


def columns(
    fields: Mapping[str, FieldInfo], omit: Sequence[str], separators: Mapping[str, str]
) -> list[CsvColumn]:
    """The CSV columns of a model's fields (see the module's rule)."""
    found = []
    for name, field in fields.items():
        if name in omit:
            continue
        kind = _unwrap(field.annotation)
        if _is_model(kind):
            for sub, subfield in kind.model_fields.items():
                _scalar(f"{name}_{sub}", subfield.annotation)
                found.append(CsvColumn(f"{name}_{sub}", (name, sub), subfield))
        elif typing.get_origin(kind) is list:
            (item,) = typing.get_args(kind)
            key = next(k for k in ITEM_KEYS if k in item.model_fields) if _is_model(item) else None
            if key is None:
                _scalar(name, item)
            separator = separators.get(name, SEPARATOR)
            found.append(CsvColumn(name, (name,), field, separator, key))
        else:
            _scalar(name, field.annotation)
            found.append(CsvColumn(name, (name,), field))
    return found
