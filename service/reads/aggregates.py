"""Aggregates: a disclosure's figures of one measure broken down by dimensions."""

from collections.abc import Sequence
from typing import Any

from sqlmodel import Session, col, select

from service import citation, revisions, urls
from service.errors import InvalidParameter, NoHeadline, NotFound
from service.reads.checks import evaluate_checks
from service.reads.common import (
    FigureContext,
    Filters,
    by_id,
    composition_of,
    matching,
    published_reading,
    with_words,
)
from service.reads.disclosures import source_public
from service.reads.measures import measure_ids
from service.schemas import AggregatePublic, AggregateRow, CslItem
from service.tables import Disclosure, Figure, Source
from service.taxonomy import DIMENSIONS, ORDER


def _sort_key(by: Sequence[str]) -> Any:
    def key(row: AggregateRow) -> tuple[int, ...]:
        values = []
        for dim in by:
            value = getattr(row, dim)
            values.append(value if dim == "year" else ORDER[dim].get(value, 999))
        return tuple(values)

    return key


def _row(figure: Figure, context: FigureContext, part_of: str | None = None) -> AggregateRow:
    disputed = context.disputed(figure.id)
    return AggregateRow(
        part_of=part_of,
        **{dim: getattr(figure, dim) for dim in DIMENSIONS},
        figure=figure.id,
        label=figure.label,
        unit=figure.unit,
        derived=figure.derived,
        disputed=disputed,
        **with_words(published_reading(figure, disputed)),
    )


def aggregate(
    session: Session,
    disclosure_id: str,
    by: list[str],
    measure: str | None,
    filters: Filters,
    base_url: str,
) -> AggregatePublic:
    d = by_id(session, Disclosure, disclosure_id)
    if d is None:
        raise NotFound("disclosure", disclosure_id)
    grouping = ",".join(by)
    measure, headline = _measure(session, d, grouping, measure)
    if headline is not None:
        filters = {**headline.get("filters", {}), **filters}
    rows_figures, total_figure = _breakdown(session, disclosure_id, measure, headline, by, filters)
    chosen = [*rows_figures, *([total_figure] if total_figure else [])]
    context = FigureContext.load(session, chosen, base_url)
    part_of = composition_of(session, chosen).part_of if chosen else {}
    rows = sorted((_row(f, context, part_of.get(f.id)) for f in rows_figures), key=_sort_key(by))
    credited = _credited(chosen, context)
    revision = revisions.read_id(session)
    return AggregatePublic(
        disclosure=disclosure_id,
        measure=measure,
        by=by,
        filters=filters,
        rows=rows,
        total=_row(total_figure, context, part_of.get(total_figure.id)) if total_figure else None,
        checks=evaluate_checks(session, disclosure_id, [f.id for f in chosen]),
        sources=[source_public(s) for s in credited],
        citation=citation.response_citation(credited, d, base_url, revision),
        cite=_cite(d, measure, grouping, credited, base_url, revision),
        revision=d.revision,
        dataset_revision=revision,
    )


def _measure(
    session: Session, d: Disclosure, grouping: str, measure: str | None
) -> tuple[str, dict[str, Any] | None]:
    """The measure asked for, or the grouping's declared headline measure when none is (an
    unknown measure, or none where the disclosure declares none, is refused), and the
    grouping's declaration when it is about that measure (its filters and total apply)."""
    declared = next((a for a in d.aggregate_defaults if a["by"] == grouping), None)
    known = measure_ids(session, d.id)
    if measure is None:
        if declared is None:
            raise NoHeadline(d.id, grouping, known)
        measure = str(declared["measure"])
    elif measure not in measure_ids(session, None):
        raise InvalidParameter("measure", measure, measure_ids(session, None))
    return measure, declared if declared is not None and declared["measure"] == measure else None


def _breakdown(
    session: Session,
    disclosure_id: str,
    measure: str,
    headline: dict[str, Any] | None,
    by: list[str],
    filters: Filters,
) -> tuple[list[Figure], Figure | None]:
    """The figures of `measure` broken down by exactly `by` within `filters`, and the total
    the headline declaration names (its total_measure's figure), if any."""
    wanted = {measure}
    if headline is not None and "total_measure" in headline:
        wanted.add(str(headline["total_measure"]))
    figures = session.exec(
        select(Figure)
        .where(Figure.disclosure_id == disclosure_id, col(Figure.measure).in_(wanted))
        .order_by(col(Figure.position))
    ).all()
    rows = matching((f for f in figures if f.measure == measure), by, filters)
    if headline is None or "total_measure" not in headline:
        return rows, None
    totals = matching((f for f in figures if f.measure == headline["total_measure"]), [], filters)
    return rows, next(iter(totals), None)


def _credited(figures: list[Figure], context: FigureContext) -> list[Source]:
    """Credit only sources that printed a number, a range, words or the parts of these, and
    first those that printed the numbers drawn."""
    return citation.drawn_first(
        (r for f in figures for r in context.reports.get(f.id, [])), context.sources
    )


def _cite(
    d: Disclosure,
    measure: str,
    grouping: str,
    credited: list[Source],
    base_url: str,
    revision: str,
) -> list[CslItem]:
    """The aggregate's CSL-JSON: the disclosure's figures of a measure by a grouping."""
    return citation.dataset_csl(
        f"{d.id}.{measure}.by-{grouping.replace(',', '-')}",
        f"{d.title}: {grouped_title(measure, grouping)}",
        urls.disclosure_page(d.id),
        credited,
        d,
        base_url,
        revision,
    )


def grouped_title(measure: str, grouping: str) -> str:
    """'people by outcome' for people_by_outcome grouped by outcome (not 'people by outcome by
    outcome'); 'investigated by platform' otherwise."""
    said = measure.replace("_", " ")
    by = grouping.replace("_", " ").replace(",", " and ")
    return said if said.endswith(f" by {by}") else f"{said} by {by}"
