from fastapi import APIRouter, Path, Response

from service import queries
from service.api.deps import DisclosureFilterDep, PageDep, SessionDep, list_responses
from service.api.reply import ReplyDep, TableReplyDep, model_columns
from service.errors import problem_responses
from service.models import DisclosureDetail, DisclosurePublic, Page, SourcePublic

router = APIRouter(tags=["disclosures"])


@router.get(
    "/disclosures",
    operation_id="listDisclosures",
    summary="List FOI disclosures",
    description="Every FOI answer held, each a separate dataset with its own period, "
    "requester, licence and notes on what it counts and why it cannot be added to others.",
    response_model=Page[DisclosurePublic],
    responses=list_responses(400, 406, 422, 503),
)
def list_disclosures(
    session: SessionDep,
    reply: TableReplyDep,
    page: PageDep,
) -> Response:
    def build() -> tuple[list[DisclosurePublic], int]:
        items = queries.list_disclosures(session)
        return items[page.offset : page.offset + page.limit], len(items)

    return reply.page(build, page, model_columns(DisclosurePublic))


@router.get(
    "/disclosures/{disclosure_id}",
    operation_id="getDisclosure",
    summary="One disclosure with its sources and notes",
    description="A disclosure with every source that reported it, the notes on conflicts "
    "between sources, and the groupings it declares a headline measure for.",
    response_model=DisclosureDetail,
    responses=problem_responses(400, 404, 406, 422, 503),
)
def get_disclosure(
    session: SessionDep,
    reply: ReplyDep,
    disclosure_id: str = Path(description="Disclosure id, e.g. met-2013.", max_length=100),
) -> Response:
    return reply.one(lambda: queries.get_disclosure(session, disclosure_id))


@router.get(
    "/sources",
    operation_id="listSources",
    summary="List sources",
    description="Publications that reported a disclosure: publisher, title, address, date.",
    response_model=Page[SourcePublic],
    responses=list_responses(400, 406, 422, 503),
)
def list_sources(
    session: SessionDep,
    reply: TableReplyDep,
    disclosure: DisclosureFilterDep,
    page: PageDep,
) -> Response:
    def build() -> tuple[list[SourcePublic], int]:
        items = queries.list_sources(session, disclosure)
        return items[page.offset : page.offset + page.limit], len(items)

    return reply.page(build, page, model_columns(SourcePublic))
