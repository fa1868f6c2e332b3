"""Checks: a disclosure's reconciliations, evaluated on reading's intervals."""

from collections.abc import Iterable

from sqlmodel import Session, col, select

from service import reading
from service.checks import evaluate
from service.reads.common import FigureContext, published_reading
from service.schemas import CheckPublic, CheckTermPublic
from service.tables import Check, CheckTerm, Figure


def _term_public(term: CheckTerm, figure: Figure, context: FigureContext) -> CheckTermPublic:
    if term.source_id is not None:
        report = next(r for r in context.reports[figure.id] if r.source_id == term.source_id)
        published = reading.published(
            report.value, report.min, report.max, report.qualifier, is_disputed=False
        )
    else:
        published = published_reading(figure, context.disputed(figure.id))
    return CheckTermPublic(figure=figure.id, label=figure.label, source=term.source_id, **published)


def _interval(term: CheckTermPublic) -> reading.Interval:
    return reading.Interval.of(term.value, term.min, term.max)


def evaluate_checks(
    session: Session, disclosure: str, only_figures: Iterable[str] | None = None
) -> list[CheckPublic]:
    """Every check of a disclosure (or those touching `only_figures`), evaluated now."""
    checks, terms = _checks_and_terms(session, disclosure)
    if only_figures is not None:
        wanted = set(only_figures)
        checks = [c for c in checks if any(t.figure_id in wanted for t in terms.get(c.id, []))]
    figure_ids = {t.figure_id for c in checks for t in terms[c.id]}
    figures = {
        f.id: f for f in session.exec(select(Figure).where(col(Figure.id).in_(figure_ids))).all()
    }
    context = FigureContext.load(session, list(figures.values()))
    return [_check_public(c, terms[c.id], figures, context) for c in checks]


def _checks_and_terms(
    session: Session, disclosure: str
) -> tuple[list[Check], dict[str, list[CheckTerm]]]:
    """A disclosure's checks in order, and each check's terms in order."""
    checks = list(
        session.exec(
            select(Check).where(Check.disclosure_id == disclosure).order_by(col(Check.position))
        ).all()
    )
    terms: dict[str, list[CheckTerm]] = {}
    for term in session.exec(
        select(CheckTerm)
        .where(col(CheckTerm.check_id).in_([c.id for c in checks]))
        .order_by(col(CheckTerm.position))
    ).all():
        terms.setdefault(term.check_id, []).append(term)
    return checks, terms


def _check_public(
    check: Check, terms: list[CheckTerm], figures: dict[str, Figure], context: FigureContext
) -> CheckPublic:
    """A check evaluated on its terms' published readings."""
    publics = [(t.role, _term_public(t, figures[t.figure_id], context)) for t in terms]
    total = next(p for role, p in publics if role == "total")
    parts = [p for role, p in publics if role == "part"]
    outcome = evaluate(_interval(total), [_interval(p) for p in parts])
    return CheckPublic(
        id=check.id,
        disclosure=check.disclosure_id,
        title=check.title,
        note=check.note,
        status=outcome.status,
        total=total,
        parts=parts,
        parts_min=outcome.parts.low,
        parts_max=outcome.parts.high,
        difference_min=outcome.difference_min,
        difference_max=outcome.difference_max,
        gap=outcome.gap,
        explanation=outcome.explanation,
    )
