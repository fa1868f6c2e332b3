from fastapi import APIRouter, Path, Response

from service.api.deps import PageDep, PublicBaseDep, SessionDep, list_responses
from service.api.reply import ReplyDep, TableReplyDep, csv_table
from service.errors import NotFound, problem_responses
from service.reads import common, forces
from service.schemas import ForceDetail, ForcePublic, Page, SurveyForce
from service.tables import Disclosure

router = APIRouter(tags=["forces"])
FORCES = csv_table("forces", ForcePublic, "one police force with how many figures are about it")
SURVEY_FORCES = csv_table(
    "survey-forces",
    SurveyForce,
    "one force a survey asked, and what is known of its answer",
    path=None,
)


@router.get(
    "/forces",
    operation_id="listForces",
    summary="Police forces, with how many figures are about each",
    description="Every force of the vocabulary (the 43 forces of England and Wales, "
    "Scotland's and Northern Ireland's) with its stable id, the number of figures about it "
    "and the answers they come from: its own, and surveys of every force.",
    response_model=Page[ForcePublic],
    responses=list_responses(400, 406, 422, 503),
)
def list_forces(
    session: SessionDep, reply: TableReplyDep, page: PageDep, base: PublicBaseDep
) -> Response:
    def build() -> tuple[list[ForcePublic], int]:
        found = forces.list_forces(session, base)
        return found[page.offset : page.offset + page.limit], len(found)

    return reply.page(build, page, FORCES)


@router.get(
    "/forces/{force_id}",
    operation_id="getForce",
    summary="One force with every figure about it, answer by answer",
    description="Every answer with figures about the force, oldest first, each apart from "
    "the others: never set two answers' figures on one line or add them. A survey's figure "
    "about every force (a national total) comes only as context, the total the force's "
    "figure is a part of, with its own sources.",
    response_model=ForceDetail,
    responses=problem_responses(400, 404, 406, 422, 503),
)
def get_force(
    session: SessionDep,
    reply: ReplyDep,
    base: PublicBaseDep,
    force_id: str = Path(description="Force id, e.g. kent-police.", max_length=100),
) -> Response:
    return reply.one(lambda: forces.get_force(session, force_id, base))


@router.get(
    "/disclosures/{disclosure_id}/forces",
    operation_id="listDisclosureForces",
    summary="The forces a disclosure is about, and what is known of each answer",
    description="For a survey, every force it asked in the vocabulary's order (never "
    "ranked): `figures` when it has figures about the force, `refused` when a source says "
    "the force refused, `no_figure_retrieved` when none was found. For a force's own "
    "answer, that force.",
    response_model=Page[SurveyForce],
    responses=list_responses(400, 404, 406, 422, 503),
)
def list_disclosure_forces(
    session: SessionDep,
    reply: TableReplyDep,
    page: PageDep,
    disclosure_id: str = Path(description="Disclosure id, e.g. pa-2014.", max_length=100),
) -> Response:
    def build() -> tuple[list[SurveyForce], int]:
        disclosure = common.by_id(session, Disclosure, disclosure_id)
        if disclosure is None:
            raise NotFound("disclosure", disclosure_id)
        found = forces.survey_forces(session, disclosure)
        return found[page.offset : page.offset + page.limit], len(found)

    return reply.page(build, page, SURVEY_FORCES)
