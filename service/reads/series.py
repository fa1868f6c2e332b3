"""Series: every disclosure's figures of one measure, in the groups that may stand together."""

import re
from typing import Any

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, select

from service.errors import InvalidParameter
from service.reads.common import (
    FigureContext,
    Filters,
    composition_of,
    figure_citation,
    published_reading,
    with_words,
)
from service.reads.measures import measure_ids
from service.schemas import SeriesGroup, SeriesPoint
from service.tables import Figure
from service.taxonomy import DIMENSIONS


def _series_measure(session: Session, measure: str) -> None:
    known = measure_ids(session, None)
    if measure in known:
        return
    detail = None
    prefix, _, rest = measure.partition("_")
    staff_type = {"officers": "police_officer", "staff": "civilian_staff"}.get(prefix)
    if staff_type is not None and rest in known:
        detail = (
            f"{measure!r} is not a measure. Measures are shared by officers and staff; "
            f"filter by staff type instead: measure={rest}&staff_type={staff_type}."
        )
    raise InvalidParameter("measure", measure, known, detail=detail)


def _series_filter(filters: Filters) -> list[ColumnElement[bool]]:
    """Dimensions named in filters must match; the others may hold anything, so that no
    default hides a figure: what may stand together is composition's to say."""
    return [col(getattr(Figure, dim)) == value for dim, value in filters.items()]


def _one_grain(figures: list[Figure], part_of: dict[str, str], grain: str) -> list[Figure]:
    """All figures (the default), only those that are no part of another shown, or only the
    yearly ones."""
    if grain == "year":
        return [f for f in figures if f.year is not None]
    if grain == "total":
        shown = {f.id for f in figures}
        return [f for f in figures if part_of.get(f.id) not in shown]
    return figures


def series(
    session: Session,
    measure: str,
    filters: Filters,
    *,
    grain: str = "all",
    limit: int,
    offset: int,
    base_url: str,
) -> tuple[list[SeriesPoint], int, list[SeriesGroup]]:
    """Every disclosure's figures of one measure, in the groups that may stand together.

    Groups are ordered by the first year they cover; within a group, points by the start
    of the period they cover, then its end, then disclosure id and the figure's place in
    its package. A line may join points of a group, never points of two groups; a part
    names its total in `part_of`.
    """
    _series_measure(session, measure)
    figures = list(
        session.exec(
            select(Figure).where(Figure.measure == measure, *_series_filter(filters))
        ).all()
    )
    composed = composition_of(session, figures)
    if grain != "all":
        figures = _one_grain(figures, composed.part_of, grain)
        composed = composition_of(session, figures)
    context = FigureContext.load(session, figures, base_url)
    rank = {g.id: n for n, g in enumerate(composed.groups)}

    def span(figure: Figure) -> tuple[str | None, str | None]:
        if figure.year is not None:
            return str(figure.year), str(figure.year)
        years = _period_years(figure.period)
        if years is not None:
            return years
        d = context.disclosures[figure.disclosure_id]
        return d.period_start, d.period_end

    def order(figure: Figure) -> tuple[Any, ...]:
        start, end = span(figure)
        return (
            rank[composed.group_of[figure.id]],
            start is None,
            start or "",
            end is None,
            end or "",
            figure.disclosure_id,
        )

    figures.sort(key=lambda f: (*order(f), f.position))
    points = []
    for figure in figures[offset : offset + limit]:
        d = context.disclosures[figure.disclosure_id]
        disputed = context.disputed(figure.id)
        published = published_reading(figure, disputed)
        start, end = span(figure)
        points.append(
            SeriesPoint(
                disclosure=figure.disclosure_id,
                group=composed.group_of[figure.id],
                group_label=composed.group(composed.group_of[figure.id]).label,
                figure=figure.id,
                part_of=composed.part_of.get(figure.id),
                measure=figure.measure,
                label=figure.label,
                period=figure.period or d.period_description,
                period_start=start,
                period_end=end,
                force=figure.force,
                **{dim: getattr(figure, dim) for dim in DIMENSIONS},
                **with_words(published),
                unit=figure.unit,
                derived=figure.derived,
                disputed=disputed,
                counts=d.counts,
                comparability=d.comparability,
                citation=figure_citation(figure, published, context),
            )
        )
    groups = [
        SeriesGroup(
            id=g.id,
            label=g.label,
            reason=g.reason,
            disclosures=g.disclosures,
            figures=g.figures,
        )
        for g in composed.groups
    ]
    return points, len(figures), groups


#: A figure's own period when it names its years: "2009 to 2012", "2009 to early 2013".
_PERIOD_YEARS = re.compile(r"^(\d{4}) to (?:early |late |mid-)?(\d{4})$")


def _period_years(period: str | None) -> tuple[str, str] | None:
    """The first and last year a figure's own period names, when it reads as a span of
    years (the 2013 officer figures cover 2009 to 2012, their disclosure to early 2013)."""
    found = _PERIOD_YEARS.match(period or "")
    return None if found is None else (found[1], found[2])
