"""Forces: the vocabulary (service.forces) with what the data holds about each force.

A force's figures come from its own answers and from surveys of every force. Each answer
stands apart: its figures are never set on one line or summed with another answer's, and a
survey's figure about every force (the national total) is shown beside a force's only as
context, the total the force's figure is a part of.
"""

from collections.abc import Sequence

from sqlmodel import Session, col, func, select

from service import forces, urls
from service.composition import is_survey
from service.errors import NotFound
from service.reads.common import FigureContext, composition_of, figure_public
from service.schemas import ForceAnswer, ForceDetail, ForcePublic, SurveyForce
from service.tables import Disclosure, Figure

#: The measure of a survey's figure that says a force refused to answer.
REFUSED = "refused_to_answer"


def _public(force: forces.Force, counts: dict[str, int], base_url: str) -> ForcePublic:
    return ForcePublic(
        id=force.id,
        name=force.name,
        region=force.region,
        note=force.note or None,
        figure_count=sum(counts.values()),
        disclosures=sorted(counts),
        page_url=urls.absolute(base_url, urls.force_page(force.id)),
        json_url=urls.absolute(base_url, urls.force(force.id)),
    )


def _counts(session: Session, force_id: str | None = None) -> dict[str, dict[str, int]]:
    """Figures per force and disclosure: {force: {disclosure: n}}."""
    query = (
        select(Figure.force, Figure.disclosure_id, func.count())
        .where(col(Figure.force).is_not(None))
        .group_by(col(Figure.force), col(Figure.disclosure_id))
    )
    if force_id is not None:
        query = query.where(Figure.force == force_id)
    found: dict[str, dict[str, int]] = {}
    for force, disclosure, n in session.exec(query).all():
        found.setdefault(str(force), {})[disclosure] = n
    return found


def list_forces(session: Session, base_url: str) -> list[ForcePublic]:
    """Every force of the vocabulary, in its order, with how many figures are about it."""
    counts = _counts(session)
    return [_public(f, counts.get(f.id, {}), base_url) for f in forces.FORCES]


def _order(d: Disclosure) -> tuple[str, str]:
    return (d.period_start or d.first_coverage or "", d.id)


def get_force(session: Session, force_id: str, base_url: str) -> ForceDetail:
    """A force with every answer's figures about it, each answer apart, oldest first."""
    force = forces.BY_ID.get(force_id)
    if force is None:
        raise NotFound("force", force_id)
    figures = list(
        session.exec(
            select(Figure)
            .where(Figure.force == force_id)
            .order_by(col(Figure.disclosure_id), col(Figure.position))
        ).all()
    )
    part_of, context = _national_totals(session, figures)
    read = FigureContext.load(session, [*figures, *context.values()], base_url)
    disclosures = sorted(read.disclosures.values(), key=_order)
    answers = [_answer(d, figures, part_of, context, read) for d in disclosures]
    counts = {a.disclosure: len(a.figures) for a in answers}
    return ForceDetail(**_public(force, counts, base_url).model_dump(), answers=answers)


def _national_totals(
    session: Session, figures: list[Figure]
) -> tuple[dict[str, str], dict[str, Figure]]:
    """The totals a survey's figure about a force is a part of: its national figures, as
    {figure: total} and {total: its figure}."""
    part_of = composition_of(session, figures).part_of if figures else {}
    totals = _figures(session, set(part_of.values()))
    context = {t.id: t for t in totals if t.force is None}
    return {f: t for f, t in part_of.items() if t in context}, context


def _answer(
    d: Disclosure,
    figures: list[Figure],
    part_of: dict[str, str],
    context: dict[str, Figure],
    read: FigureContext,
) -> ForceAnswer:
    """One answer's figures about a force, with the national totals they are parts of."""
    mine = [f for f in figures if f.disclosure_id == d.id]
    shown = [context[t] for t in dict.fromkeys(part_of[f.id] for f in mine if f.id in part_of)]
    return ForceAnswer(
        disclosure=d.id,
        title=d.title,
        requester=d.requester,
        period_description=d.period_description,
        survey=is_survey(d),
        figures=[figure_public(f, read) for f in mine],
        part_of={f.id: part_of[f.id] for f in mine if f.id in part_of},
        context=[figure_public(f, read) for f in shown],
    )


def _figures(session: Session, ids: set[str]) -> Sequence[Figure]:
    if not ids:
        return []
    return session.exec(select(Figure).where(col(Figure.id).in_(ids))).all()


def survey_forces(session: Session, disclosure: Disclosure) -> list[SurveyForce]:
    """Every force a survey asked, in the vocabulary's order (never ranked), with what is
    known of its answer: figures, a refusal, or nothing retrieved."""
    rows = session.exec(
        select(Figure.force, Figure.id, Figure.measure)
        .where(Figure.disclosure_id == disclosure.id, col(Figure.force).is_not(None))
        .order_by(col(Figure.position))
    ).all()
    ids: dict[str, list[str]] = {}
    refused: set[str] = set()
    for force, figure_id, measure in rows:
        ids.setdefault(str(force), []).append(figure_id)
        if measure == REFUSED:
            refused.add(str(force))
    return [
        SurveyForce(
            force=force_id,
            name=forces.BY_ID[force_id].name,
            status="refused"
            if force_id in refused
            else "figures"
            if force_id in ids
            else "no_figure_retrieved",
            figures=ids.get(force_id, []),
        )
        for force_id in forces.IDS
        if force_id in disclosure.forces
    ]
