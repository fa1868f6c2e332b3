"""Pages of a list read in index order: keyset cursors, bounded offsets, capped counts.

A cursor names the last row of a page (its disclosure, position and id, the lists'
order), so the next page starts right after it in the index whatever was published in
between; a `prev` cursor names the first row, and the page before ends right before it.
Offsets still work, but only up to MAX_OFFSET: beyond that every request would walk the
rows it skips. Counts stop at COUNT_CAP matching rows, so no request counts a million.
"""

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Select, func, select, tuple_
from sqlmodel import Session

from service.errors import ParameterError, Problem

#: The deepest `offset` a list accepts; deeper pages are reached with `cursor`.
MAX_OFFSET = 10_000
#: The `limit` of a whole download read in memory (a list held whole anyway, sliced).
WHOLE = 2**62
#: Rows read per chunk of a streamed download: each chunk a short-lived session of its own.
CHUNK_ROWS = 1000
#: Counts stop here: a count above it is given as COUNT_CAP with `count_exact` false.
COUNT_CAP = 10_000

#: The lists' order, which a cursor's key follows: disclosure, position in its package, id.
Key = tuple[str, int, str]


@dataclass(frozen=True)
class Cursor:
    """Where a page starts: after `key` (forward) or, for a `prev` link, before it."""

    key: Key
    backward: bool = False

    def encode(self) -> str:
        raw = orjson.dumps(["<" if self.backward else ">", *self.key])
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    @classmethod
    def decode(cls, text: str) -> "Cursor":
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            direction, disclosure, position, identifier = orjson.loads(raw)
            if direction not in ("<", ">") or not (
                isinstance(disclosure, str)
                and isinstance(position, int)
                and isinstance(identifier, str)
            ):
                raise ValueError(direction)
        except (binascii.Error, ValueError, TypeError, orjson.JSONDecodeError):
            raise refused(
                "cursor",
                f"{text!r} is not a cursor of this list: follow the next or prev link of a "
                "page, or leave cursor out for the first page.",
            ) from None
        return cls((disclosure, position, identifier), direction == "<")


@dataclass
class Window:
    """One page of a list, as a read gives it to the reply."""

    items: Sequence[Any]
    count: int
    #: False when `count` is COUNT_CAP and more rows match.
    count_exact: bool = True
    next: Cursor | None = None
    prev: Cursor | None = None


def refused(parameter: str, detail: str) -> Problem:
    """A 400 page-by-cursor problem: this way of paging is refused; the cursor is the way."""
    problem = Problem.of("page-by-cursor", detail)
    problem.errors = [ParameterError(parameter=parameter, message=detail)]
    return problem


def check_offset(offset: int) -> None:
    """Refuse an offset deeper than MAX_OFFSET, naming the cursor that reaches any page."""
    if offset > MAX_OFFSET:
        raise refused(
            "offset",
            f"offset is at most {MAX_OFFSET:,}; deeper pages are reached with cursor= "
            "(follow each page's next link, in the Link header and the body's `next`).",
        )


def capped_count(session: Session, query: Select[Any], key: Any) -> tuple[int, bool]:
    """How many rows `query` matches, counting at most COUNT_CAP + 1 of them; `key` is a
    column of its table (an index holds it, so the count reads only the index)."""
    limited = query.with_only_columns(key).order_by(None).limit(COUNT_CAP + 1)
    found = session.execute(select(func.count()).select_from(limited.subquery())).scalar_one()
    return (COUNT_CAP, False) if found > COUNT_CAP else (found, True)


def keyset_page(
    session: Session,
    query: Select[Any],
    order: Sequence[Any],
    key_of: Any,
    *,
    limit: int,
    offset: int,
    cursor: Cursor | None,
) -> tuple[list[Any], Cursor | None, Cursor | None]:
    """A page of `query` in `order` (three ascending columns matching Key): after or
    before `cursor`, else after `offset` rows. Returns the rows and the cursors of the pages
    after and before it (None where the list ends or starts)."""
    columns = tuple_(*order)
    if cursor is None:
        rows = list(session.exec(query.order_by(*order).offset(offset).limit(limit + 1)).all())  # type: ignore[call-overload]
        more_after, more_before = len(rows) > limit, offset > 0
        rows = rows[:limit]
    elif not cursor.backward:
        rows = list(
            session.exec(  # type: ignore[call-overload]
                query.where(columns > tuple_(*cursor.key)).order_by(*order).limit(limit + 1)
            ).all()
        )
        more_after, more_before = len(rows) > limit, True
        rows = rows[:limit]
    else:
        rows = list(
            session.exec(  # type: ignore[call-overload]
                query.where(columns < tuple_(*cursor.key))
                .order_by(*(c.desc() for c in order))
                .limit(limit + 1)
            ).all()
        )
        more_after, more_before = True, len(rows) > limit
        rows = rows[:limit][::-1]
    if not rows:  # past either end, or limit=0: no page to go on from
        return rows, None, None
    after = Cursor(key_of(rows[-1])) if more_after else None
    before = Cursor(key_of(rows[0]), backward=True) if more_before else None
    return rows, after, before
