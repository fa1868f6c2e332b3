"""Pages about forces: every force with the figures about it, and each survey's forces.

A force's page sets each answer apart (its own answers, surveys of every force), with a
survey's national figure only as context; a survey's table lists every force it asked in
the vocabulary's order, never ranked, keeping refusals and forces with no figure visible.
"""

from collections import Counter
from typing import Any

from fastapi import APIRouter, Request, Response
from sqlmodel import Session, col, select

from service import forces, urls
from service.api.deps import SessionDep, StateDep
from service.composition import is_survey
from service.errors import NotFound
from service.reads import forces as reads
from service.reads.common import FigureContext, figure_public, parts_of
from service.schemas import FigurePublic, SurveyForce
from service.tables import Disclosure, Figure
from service.web.pages import PageError, base_url, marks, page, render

router = APIRouter(include_in_schema=False)


def surveys(session: Session) -> list[Disclosure]:
    """The disclosures that are surveys of several forces, newest first."""
    found = session.exec(select(Disclosure).order_by(col(Disclosure.id))).all()
    return sorted(
        (d for d in found if is_survey(d)),
        key=lambda d: d.period_start or d.first_coverage or "",
        reverse=True,
    )


def survey_table(session: Session, d: Disclosure, base: str) -> dict[str, Any]:
    """A survey's forces with what is known of each: the figures that are parts of its
    national figures (its per-force counts), a refusal, or nothing retrieved."""
    rows: list[SurveyForce] = reads.survey_forces(session, d)
    ids = [i for r in rows for i in r.figures]
    # Its figures about one force and the totals they are parts of (its national figures).
    part_of = parts_of(session, ids)
    wanted = {*ids, *part_of.values()}
    figures = session.exec(select(Figure).where(col(Figure.id).in_(wanted))).all()
    context = FigureContext.load(session, figures, base)
    by_id: dict[str, FigurePublic] = {f.id: figure_public(f, context) for f in figures}
    national = survey_count(part_of, by_id)
    counted = {f for f, t in part_of.items() if national and t == national[0].id}
    return {
        "d": d,
        "rows": survey_rows(rows, counted, by_id),
        "national": national,
        "ceiling": largest_count(counted, by_id),
        "known": sum(r.status == "figures" for r in rows),
        "refused": sum(r.status == "refused" for r in rows),
        "unknown": sum(r.status == "no_figure_retrieved" for r in rows),
    }


def survey_count(part_of: dict[str, str], by_id: dict[str, FigurePublic]) -> list[FigurePublic]:
    """The survey's count, as a list of one (or none): its figure about every force that
    most forces' figures are parts of (the national 828 of the forces' 88, 74, 69 ...),
    refusals aside, so that the table's counts are the parts of one total."""
    totals = Counter(
        t
        for f, t in part_of.items()
        if by_id.get(t) and by_id[t].force is None and by_id[f].measure != reads.REFUSED
    )
    return [by_id[t] for t, _ in totals.most_common(1)]


def largest_count(counted: set[str], by_id: dict[str, FigurePublic]) -> int:
    """The top of the counts' meters: the largest count among `counted` (a range by its
    upper end, where it has one), or 0 when none has a value or an upper end."""
    return max(
        (
            by_id[f].max or by_id[f].value or by_id[f].min or 0
            for f in counted
            if by_id[f].max is not None or by_id[f].value is not None
        ),
        default=0,
    )


def survey_rows(
    rows: list[SurveyForce], counted: set[str], by_id: dict[str, FigurePublic]
) -> list[dict[str, Any]]:
    """A row per force asked, in the survey's order: its counts that are parts of the
    survey's count, and how many other figures it has (the table gives only their number)."""
    return [
        {
            "row": r,
            "counts": [by_id[f] for f in r.figures if f in counted],
            "other": sum(f not in counted for f in r.figures),
        }
        for r in rows
    ]


@router.get(urls.FORCES_PAGE)
def forces_page(request: Request, session: SessionDep, state: StateDep) -> Response:
    base = base_url(request, state)

    def build() -> bytes:
        listed = reads.list_forces(session, base)
        return render(
            "forces.html",
            regions=[
                (name, [f for f in listed if f.region == region])
                for region, name in forces.REGIONS.items()
            ],
            surveys=[survey_table(session, d, base) for d in surveys(session)],
            marks=marks,
        )

    return page(request, session, state, build)


@router.get("/forces/{force_id}")
def force_page(request: Request, session: SessionDep, state: StateDep, force_id: str) -> Response:
    base = base_url(request, state)

    def build() -> bytes:
        try:
            force = reads.get_force(session, force_id, base)
        except NotFound:
            raise PageError.unknown("force", force_id) from None
        return render(
            "force.html",
            force=force,
            embed=urls.embed_figure,
            marks=marks,
        )

    return page(request, session, state, build)
