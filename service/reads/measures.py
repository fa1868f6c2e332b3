"""Measures: what is counted, with the figures of each."""

from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from service.measures import MEASURES
from service.schemas import MeasurePublic
from service.tables import Figure
from service.taxonomy import DIMENSIONS, Term


def list_measures(session: Session, disclosure: str | None) -> list[MeasurePublic]:
    """Every measure with figures (in one disclosure, if given), by id; counted in SQL."""
    dims = [getattr(Figure, d) for d in DIMENSIONS]
    query = (
        select(
            Figure.measure,
            Figure.disclosure_id,
            Figure.unit,
            func.count(),
            *(func.count(d) for d in dims),  # how many figures break down by each dimension
        )
        .group_by(Figure.measure, Figure.disclosure_id, Figure.unit)
        .order_by(col(Figure.measure), col(Figure.disclosure_id), col(Figure.unit))
    )
    if disclosure is not None:
        query = query.where(Figure.disclosure_id == disclosure)
    found: dict[str, list[tuple[Any, ...]]] = {}
    for row in session.exec(query).all():
        found.setdefault(row[0], []).append(tuple(row))
    return [_measure_public(measure, groups) for measure, groups in found.items()]


#: The declared measures by id.
DECLARED = {m.code: m for m in MEASURES}


def _measure_public(measure: str, groups: list[tuple[Any, ...]]) -> MeasurePublic:
    """A measure from its rows (measure, disclosure, unit, figures, figures per dimension)."""
    term = DECLARED.get(measure, Term(measure, measure, "Not described yet."))
    return MeasurePublic(
        id=measure,
        label=term.label,
        meaning=term.meaning,
        units=sorted({g[2] for g in groups}),
        disclosures=list(dict.fromkeys(g[1] for g in groups)),
        dimensions=[d for i, d in enumerate(DIMENSIONS) if any(g[4 + i] for g in groups)],
        figure_count=sum(g[3] for g in groups),
    )


def measure_ids(session: Session, disclosure: str | None) -> list[str]:
    query = select(Figure.measure).distinct().order_by(Figure.measure)
    if disclosure is not None:
        query = query.where(Figure.disclosure_id == disclosure)
    return list(session.exec(query).all())
