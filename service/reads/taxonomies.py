"""Taxonomies: each code of a dimension with a disclosure's headline figures for it."""

from sqlmodel import Session, col, select

from service.errors import NotFound
from service.reads.common import (
    FigureContext,
    by_id,
    matching,
    parts_of,
    published_reading,
    with_words,
)
from service.schemas import TaxonomyCount, TaxonomyEntry
from service.tables import Disclosure, Figure
from service.taxonomy import TAXONOMIES


def taxonomy(session: Session, disclosure_id: str, dimension: str) -> list[TaxonomyEntry]:
    """Each code of a taxonomy with the disclosure's headline figures for it."""
    d = by_id(session, Disclosure, disclosure_id)
    if d is None:
        raise NotFound("disclosure", disclosure_id)
    declared = {a["by"]: a["measure"] for a in d.aggregate_defaults}
    measure = declared.get(f"staff_type,{dimension}") or declared.get(dimension)
    counts: dict[str, list[TaxonomyCount]] = {}
    if measure is not None:
        figures = session.exec(
            select(Figure)
            .where(Figure.disclosure_id == disclosure_id, Figure.measure == measure)
            .order_by(col(Figure.position))
        ).all()
        chosen = [
            *matching(figures, ["staff_type", dimension], {}),
            *matching(figures, [dimension], {}),
        ]
        context = FigureContext.load(session, chosen)
        part_of = parts_of(session, [f.id for f in chosen])
        for figure in chosen:
            disputed = context.disputed(figure.id)
            counts.setdefault(getattr(figure, dimension), []).append(
                TaxonomyCount(
                    staff_type=figure.staff_type,
                    figure=figure.id,
                    part_of=part_of.get(figure.id),
                    disputed=disputed,
                    **with_words(published_reading(figure, disputed)),
                )
            )
    return [
        TaxonomyEntry(
            code=t.code,
            label=t.label,
            meaning=t.meaning,
            order=i + 1,
            counts=counts.get(t.code, []),
            totals=[c for c in counts.get(t.code, []) if c.staff_type is None],
            breakdown=[c for c in counts.get(t.code, []) if c.staff_type is not None],
        )
        for i, t in enumerate(TAXONOMIES[dimension])
    ]
