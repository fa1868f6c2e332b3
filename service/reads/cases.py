"""Cases: the cases of the disclosures that list them, filtered, searched and paged."""

from typing import Any

from sqlalchemy import ColumnElement, func, tuple_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from service import paging, search
from service.errors import NotFound
from service.reads.common import Filters, by_id, sorted_by, text_match, where_cursor_is_now
from service.schemas import CasePublic
from service.tables import Case, Disclosure

#: The fields a published case copies from its row, which has them under the same names.
COPIED = tuple(name for name in CasePublic.model_fields if name != "disclosure")


def case_public(c: Case) -> CasePublic:
    """The case as published: its row's fields, and its disclosure."""
    return CasePublic(disclosure=c.disclosure_id, **{name: getattr(c, name) for name in COPIED})


#: A text search first tests the text of at most this many cases of its list, in page order,
#: without the text index. A term most cases hold fills its page from them, where the index
#: would first list every case holding it (a million for a common word: seconds).
TEXT_WALK = 2_000


def list_cases(
    session: Session,
    *,
    disclosure: str | None,
    filters: Filters,
    limit: int,
    offset: int,
    q: str | None = None,
    sort: str | None = None,
    cursor: paging.Cursor | None = None,
) -> paging.Window:
    """A page of cases in (disclosure, position, id) order, read from the live-row index
    that serves its filter (migration 0005_live_indexes); `sort` orders by a field first."""
    cursor = where_cursor_is_now(session, Case, cursor)
    query = _case_selection(disclosure, filters)
    order = [col(Case.disclosure_id), col(Case.position), col(Case.id)]
    walkable = q is not None and _walkable(session, q) and sort is None and offset == 0
    count, exact = _case_count(session, query, disclosure, filters, q, order, walkable)
    if sort is not None:  # no index serves a chosen order: pages by offset only
        rows = _sorted_cases(session, query, q, sort, order, limit, offset)
        return paging.Window([case_public(c) for c in rows], count, exact)
    if q is not None and walkable:
        page = _common_text_page(session, query, q, order, limit, cursor)
        if page is not None:
            return paging.Window([case_public(c) for c in page[0]], count, exact, *page[1:])
    if q is not None:
        query = query.where(search.case_text(session, q))
    rows, after, before = paging.keyset_page(
        session, query, order, _case_key, limit=limit, offset=offset, cursor=cursor
    )
    return paging.Window([case_public(c) for c in rows], count, exact, after, before)


def _case_selection(disclosure: str | None, filters: Filters) -> Any:
    """The cases a list's disclosure and filters select, as a query."""
    query = select(Case)
    if disclosure is not None:
        query = query.where(Case.disclosure_id == disclosure)
    for dim, value in filters.items():
        query = query.where(getattr(Case, dim) == value)
    return query


def _sorted_cases(
    session: Session,
    query: Any,
    q: str | None,
    sort: str,
    order: list[Any],
    limit: int,
    offset: int,
) -> list[Case]:
    """A page of cases in a chosen order, by offset."""
    if q is not None:
        query = query.where(search.case_text(session, q))
    return list(
        session.exec(query.order_by(*sorted_by(Case, sort), *order).offset(offset).limit(limit))
    )


def _case_key(c: Case) -> paging.Key:
    """A case's place in the list: the keyset its pages and cursors are read by."""
    return (c.disclosure_id, c.position, c.id)


def _case_count(
    session: Session,
    query: Any,
    disclosure: str | None,
    filters: Filters,
    q: str | None,
    order: list[Any],
    walkable: bool,
) -> tuple[int, bool]:
    """How many cases the list holds, and whether that is exact (see paging.capped_count)."""
    if q is not None and walkable:
        counted = _common_text_count(session, query, q, order)
        return counted if counted is not None else _text_count(session, query, q)
    if q is not None:
        return _text_count(session, query, q)
    if filters:
        return paging.capped_count(session, query, col(Case.id))
    # every case of the disclosure (or all): counted when the packages were loaded
    counted_all = select(func.coalesce(func.sum(Disclosure.case_count), 0))
    if disclosure is not None:
        counted_all = counted_all.where(Disclosure.id == disclosure)
    return session.exec(counted_all).one(), True


def _walkable(session: Session, q: str) -> bool:
    """Whether testing a case's text directly finds what the text index finds: always on
    PostgreSQL (both are its lower() and LIKE); on SQLite for ASCII text only, as its lower()
    folds only ASCII letters where FTS5 folds every letter."""
    return session.get_bind().dialect.name != "sqlite" or q.isascii()


def _text_count(session: Session, query: Any, q: str) -> tuple[int, bool]:
    return paging.capped_count(session, query.where(search.case_text(session, q)), col(Case.id))


def _holding(q: str, case: Any) -> ColumnElement[bool]:
    return text_match(q, case.summary, case.note)


def _walk(query: Any, order: list[Any], rows: int, backward: bool = False) -> tuple[Any, Any]:
    """The first `rows` cases of `query` in `order` (the last, backward) as a subquery read
    from the order index, and the Case entity over it. Its LIMIT keeps the text test outside
    it, so that no planner swaps the walk for the text index."""
    steps = [c.desc() for c in order] if backward else order
    prefix = query.order_by(*steps).limit(rows).subquery()
    return prefix, aliased(Case, prefix)


def _walked(session: Session, prefix: Any, case: Any, q: str) -> tuple[int, int]:
    """How many cases the walk read, and how many of them hold `q`: one pass."""
    read, holding = session.execute(
        select(func.count(), func.count().filter(_holding(q, case))).select_from(prefix)
    ).one()
    return int(read), int(holding)


def _common_text_count(
    session: Session, query: Any, q: str, order: list[Any]
) -> tuple[int, bool] | None:
    """The capped count of a text search from the list's first cases, without the text
    index, when they decide it: the whole list is in the first TEXT_WALK, or at least half of
    those hold `q`, so that a walk of twice the cap finds more than the cap (or the list's
    end). None when the text index must count."""
    for rows in (TEXT_WALK, 2 * (paging.COUNT_CAP + 1)):
        read, holding = _walked(session, *_walk(query, order, rows), q)
        if holding > paging.COUNT_CAP:
            return paging.COUNT_CAP, False
        if read < rows:  # the list's end
            return holding, True
        if holding * 2 < rows:
            return None
    return None


def _common_text_page(
    session: Session,
    query: Any,
    q: str,
    order: list[Any],
    limit: int,
    cursor: paging.Cursor | None,
) -> tuple[list[Case], paging.Cursor | None, paging.Cursor | None] | None:
    """The page of a text search from the TEXT_WALK cases after (or before) `cursor`, read in
    page order without the text index, when they hold the page (limit + 1 matches, or the
    list's end); None when the text index must find it."""
    backward = cursor is not None and cursor.backward
    if cursor is not None:
        keys = tuple_(*order)
        query = query.where(keys < tuple_(*cursor.key) if backward else keys > tuple_(*cursor.key))
    prefix, case = _walk(query, order, TEXT_WALK, backward)
    steps = [getattr(case, c.key) for c in order]
    matching = select(case).where(_holding(q, case))
    matching = matching.order_by(*(c.desc() for c in steps) if backward else steps)
    rows = list(session.exec(matching.limit(limit + 1)).all())
    if len(rows) <= limit:
        read = session.execute(select(func.count()).select_from(prefix)).scalar_one()
        if read == TEXT_WALK:
            return None
    return _walked_page(rows, limit, cursor)


def _walked_page(
    rows: list[Case], limit: int, cursor: paging.Cursor | None
) -> tuple[list[Case], paging.Cursor | None, paging.Cursor | None]:
    """The page of `rows` (up to limit + 1 matches, in the walk's order) and the cursors to
    the pages after and before it."""
    backward = cursor is not None and cursor.backward
    more = len(rows) > limit
    rows = rows[:limit][::-1] if backward else rows[:limit]
    if not rows:
        return rows, None, None
    further, earlier = (True, more) if backward else (more, cursor is not None)
    after = paging.Cursor(_case_key(rows[-1])) if further else None
    before = paging.Cursor(_case_key(rows[0]), backward=True) if earlier else None
    return rows, after, before


def get_case(session: Session, case_id: str) -> CasePublic:
    case = by_id(session, Case, case_id)
    if case is None:
        raise NotFound("case", case_id)
    return case_public(case)
