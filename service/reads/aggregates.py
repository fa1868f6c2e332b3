"""Aggregates: a disclosure's figures of one measure broken down by dimensions."""

from collections.abc import Sequence
from typing import Any

from sqlmodel import Session, col, select

from service import citation, revisions, urls
from service.errors import InvalidParameter, NoHeadline, NotFound
from service.models import AggregatePublic, AggregateRow, Disclosure, Figure
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
    declared = next((a for a in d.aggregate_defaults if a["by"] == grouping), None)
    known = measure_ids(session, disclosure_id)
    if measure is None:
        if declared is None:
            raise NoHeadline(disclosure_id, grouping, known)
        measure = str(declared["measure"])
    elif measure not in measure_ids(session, None):
        raise InvalidParameter("measure", measure, measure_ids(session, None))
    if declared is not None and declared["measure"] == measure:
        filters = {**declared.get("filters", {}), **filters}
    wanted = {measure}
    if declared is not None and "total_measure" in declared:
        wanted.add(str(declared["total_measure"]))
    figures = session.exec(
        select(Figure)
        .where(Figure.disclosure_id == disclosure_id, col(Figure.measure).in_(wanted))
        .order_by(col(Figure.position))
    ).all()
    rows_figures = matching((f for f in figures if f.measure == measure), by, filters)
    total_figure = None
    if declared is not None and declared["measure"] == measure and "total_measure" in declared:
        total_figure = next(
            iter(
                matching(
                    (f for f in figures if f.measure == declared["total_measure"]), [], filters
                )
            ),
            None,
        )
    chosen = [*rows_figures, *([total_figure] if total_figure else [])]
    context = FigureContext.load(session, chosen, base_url)
    part_of = composition_of(session, chosen).part_of if chosen else {}
    rows = sorted((_row(f, context, part_of.get(f.id)) for f in rows_figures), key=_sort_key(by))
    # Credit only sources that printed a number, a range, words or the parts of these, and
    # first those that printed the numbers drawn.
    credited = citation.drawn_first(
        (r for f in chosen for r in context.reports.get(f.id, [])), context.sources
    )
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
        cite=citation.dataset_csl(
            f"{d.id}.{measure}.by-{grouping.replace(',', '-')}",
            f"{d.title}: {grouped_title(measure, grouping)}",
            urls.disclosure_page(d.id),
            credited,
            d,
            base_url,
            revision,
        ),
        revision=d.revision,
        dataset_revision=revision,
    )


def grouped_title(measure: str, grouping: str) -> str:
    """'people by outcome' for people_by_outcome grouped by outcome (not 'people by outcome by
    outcome'); 'investigated by platform' otherwise."""
    said = measure.replace("_", " ")
    by = grouping.replace("_", " ").replace(",", " and ")
    return said if said.endswith(f" by {by}") else f"{said} by {by}"
