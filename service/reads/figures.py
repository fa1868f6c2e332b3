"""Figures: one figure, and lists of them filtered, faceted and paged in SQL."""

from typing import Any

from sqlalchemy import ColumnElement, String, cast, distinct, func, or_
from sqlmodel import Session, col, select

from service import paging
from service.errors import InvalidParameter, NotFound
from service.reads.common import (
    FigureContext,
    Filters,
    by_id,
    figure_public,
    sorted_by,
    text_match,
    where_cursor_is_now,
)
from service.reads.measures import measure_ids
from service.schemas import FigurePublic
from service.tables import Disclosure, Figure, FigureReport
from service.taxonomy import DIMENSIONS


def get_figure(session: Session, figure_id: str, base_url: str) -> FigurePublic:
    figure = by_id(session, Figure, figure_id)
    if figure is None:
        raise NotFound("figure", figure_id)
    return figure_public(figure, FigureContext.load(session, [figure], base_url))


def every_figure(
    session: Session,
    *,
    disclosure: str | None,
    measure: str | None = None,
    dimensions: Filters | None = None,
    disputed: bool | None = None,
    base_url: str,
) -> list[FigurePublic]:
    """Every figure a filter selects, in the default order, unpaged: a disclosure's page,
    MCP's search."""
    window = figure_window(
        session,
        disclosure=disclosure,
        measure=measure,
        dimensions=dimensions or {},
        disputed=disputed,
        limit=paging.WHOLE,
        offset=0,
        base_url=base_url,
    )
    return list(window.items)


def figure_window(
    session: Session,
    *,
    disclosure: str | None,
    measure: str | None,
    dimensions: Filters,
    disputed: bool | None,
    limit: int,
    offset: int,
    q: str | None = None,
    sort: str | None = None,
    base_url: str = "",
    cursor: paging.Cursor | None = None,
) -> paging.Window:
    """A page of figures, filtered, ordered and paged in SQL (disputed too: see
    disputed_in_sql); only the page's figures are built."""
    cursor = where_cursor_is_now(session, Figure, cursor)
    query = figure_selection(session, disclosure, measure, dimensions, disputed, q)
    if measure is not None or dimensions or q is not None or disputed is not None:
        count, exact = paging.capped_count(session, query, col(Figure.id))
    else:  # every figure of the disclosure (or all): counted when the packages were loaded
        counted = select(func.coalesce(func.sum(Disclosure.figure_count), 0))
        if disclosure is not None:
            counted = counted.where(Disclosure.id == disclosure)
        count, exact = session.exec(counted).one(), True
    order = [col(Figure.disclosure_id), col(Figure.position), col(Figure.id)]
    if sort is not None:  # no index serves a chosen order: pages by offset only
        figures = list(
            session.exec(
                query.order_by(*sorted_by(Figure, sort), *order).offset(offset).limit(limit)
            ).all()
        )
        after = before = None
    else:
        figures, after, before = paging.keyset_page(
            session,
            query,
            order,
            lambda f: (f.disclosure_id, f.position, f.id),
            limit=limit,
            offset=offset,
            cursor=cursor,
        )
    context = FigureContext.load(session, figures, base_url)
    return paging.Window([figure_public(f, context) for f in figures], count, exact, after, before)


def figure_selection(
    session: Session,
    disclosure: str | None,
    measure: str | None,
    dimensions: Filters,
    disputed: bool | None,
    q: str | None,
) -> Any:
    """The figures a list's filters select, as a query (the list and its facets share it)."""
    query = select(Figure)
    if disclosure is not None:
        query = query.where(Figure.disclosure_id == disclosure)
    if measure is not None:
        # A measure of another disclosure matches nothing here; only an unknown one is wrong.
        # One index lookup tells which; listing the known measures reads every figure.
        stored = select(Figure.id).where(Figure.measure == measure).limit(1)
        if session.exec(stored).first() is None:
            raise InvalidParameter("measure", measure, measure_ids(session, None))
        query = query.where(Figure.measure == measure)
    for dim, value in dimensions.items():
        query = query.where(getattr(Figure, dim) == value)
    if q is not None:
        query = query.where(text_match(q, Figure.label, Figure.note))
    if disputed is not None:
        # The disputed figures are few: their ids are read first and then looked up by
        # key, which every database plans as an index lookup (as an IN subquery, PostgreSQL
        # scanned the figures once the reports outnumbered its estimate).
        ids = list(session.exec(disagreeing_ids()).all())
        query = query.where(col(Figure.id).in_(ids) if disputed else col(Figure.id).not_in(ids))
    return query


#: The columns a figure list is faceted by, as the list filters them.
FIGURE_FACETS = ("disclosure_id", "measure", "force", *DIMENSIONS)


def facet_counts(session: Session, query: Any) -> dict[str, list[tuple[str, int]]]:
    """For each facet column, how many of the figures `query` selects (figure_selection)
    have each value (empty values left out), in value order; and under "disputed", how
    many the sources disagree on and how many they agree on."""
    found: dict[str, list[tuple[str, int]]] = {}
    for name in FIGURE_FACETS:
        column = getattr(Figure, name)
        grouped = (
            query.with_only_columns(column, func.count())
            .where(column.is_not(None))
            .group_by(column)
            .order_by(column)
        )
        found[name] = [(str(value), n) for value, n in session.execute(grouped).all()]
    everyone = session.execute(query.with_only_columns(func.count())).scalar_one()
    counted = query.with_only_columns(func.count()).where(disputed_in_sql())
    disagreeing = session.execute(counted).scalar_one()
    found["disputed"] = [
        (value, n) for value, n in (("true", disagreeing), ("false", everyone - disagreeing)) if n
    ]
    return found


def disputed_in_sql() -> ColumnElement[bool]:
    """A figure's sources disagree: its reports with a number give more than one
    (value, min, max), as reading.disputed decides in Python. The disputed figures are few,
    so they are found from the reports and then looked up by id."""
    return col(Figure.id).in_(disagreeing_ids())


def disagreeing_ids() -> Any:
    """The ids of the figures whose reports give more than one number (disputed_in_sql)."""
    r = FigureReport
    numbered = or_(col(r.value).is_not(None), col(r.min).is_not(None), col(r.max).is_not(None))
    reading_key: ColumnElement[str] = func.coalesce(cast(r.value, String), "")
    for bound in (r.min, r.max):
        reading_key = reading_key + "/" + func.coalesce(cast(bound, String), "")
    return (
        select(r.figure_id)
        .where(numbered)
        .group_by(col(r.figure_id))
        .having(func.count(distinct(reading_key)) > 1)
    )


def figure_ids(session: Session) -> list[tuple[str, str]]:
    """Every figure's id and its disclosure's, by id (the sitemap lists their pages)."""
    rows = session.exec(select(Figure.id, Figure.disclosure_id).order_by(col(Figure.id)))
    return [(figure, disclosure) for figure, disclosure in rows.all()]
