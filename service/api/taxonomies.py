from fastapi import APIRouter, Response

from service import queries
from service.api.deps import (
    DisclosureParam,
    FormatParam,
    LimitParam,
    OffsetParam,
    ReplyDep,
    SessionDep,
    StateDep,
    disclosure_or_flagship,
    list_responses,
    model_columns,
)
from service.models import Page, TaxonomyEntry

router = APIRouter(tags=["taxonomies"])


def _page(
    dimension: str,
    session: SessionDep,
    state: StateDep,
    reply: ReplyDep,
    disclosure: str | None,
    limit: int,
    offset: int,
) -> Response:
    def build() -> tuple[list[TaxonomyEntry], int]:
        disclosure_id = disclosure_or_flagship(session, state, disclosure)
        entries = queries.taxonomy(session, disclosure_id, dimension)
        return entries[offset : offset + limit], len(entries)

    return reply.page(build, limit, offset, model_columns(TaxonomyEntry))


@router.get(
    "/outcomes",
    operation_id="listOutcomes",
    summary="Outcome codes, most severe first, with their counts",
    description="Every outcome code with its label, plain-English meaning and severity "
    "order, and the chosen disclosure's headline figures for it per staff type (a null "
    "staff_type is officers and staff together).",
    response_model=Page[TaxonomyEntry],
    responses=list_responses(400, 406, 422, 503),
)
def list_outcomes(
    session: SessionDep,
    state: StateDep,
    reply: ReplyDep,
    disclosure: DisclosureParam = None,
    format: FormatParam = None,
    limit: LimitParam = 50,
    offset: OffsetParam = 0,
) -> Response:
    return _page("outcome", session, state, reply, disclosure, limit, offset)


@router.get(
    "/platforms",
    operation_id="listPlatforms",
    summary="Platform codes with their counts",
    description="Every platform code with its label and meaning, and the chosen "
    "disclosure's headline figures for it.",
    response_model=Page[TaxonomyEntry],
    responses=list_responses(400, 406, 422, 503),
)
def list_platforms(
    session: SessionDep,
    state: StateDep,
    reply: ReplyDep,
    disclosure: DisclosureParam = None,
    format: FormatParam = None,
    limit: LimitParam = 50,
    offset: OffsetParam = 0,
) -> Response:
    return _page("platform", session, state, reply, disclosure, limit, offset)
