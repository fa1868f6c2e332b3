from fastapi import APIRouter, Response

from service.api.deps import DisclosureDep, PageDep, SessionDep, list_responses
from service.api.reply import CsvTable, Reply, TableReplyDep, csv_table
from service.reads import taxonomies
from service.schemas import Page, TaxonomyEntry

router = APIRouter(tags=["taxonomies"])
OUTCOMES = csv_table("outcomes", TaxonomyEntry, "one outcome code with its counts")
PLATFORMS = csv_table("platforms", TaxonomyEntry, "one platform code with its counts")


def _page(
    dimension: str,
    session: SessionDep,
    reply: Reply,
    disclosure: str,
    page: PageDep,
    table: CsvTable,
) -> Response:
    def build() -> tuple[list[TaxonomyEntry], int]:
        entries = taxonomies.taxonomy(session, disclosure, dimension)
        return entries[page.offset : page.offset + page.limit], len(entries)

    return reply.page(build, page, table)


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
    reply: TableReplyDep,
    disclosure: DisclosureDep,
    page: PageDep,
) -> Response:
    return _page("outcome", session, reply, disclosure, page, OUTCOMES)


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
    reply: TableReplyDep,
    disclosure: DisclosureDep,
    page: PageDep,
) -> Response:
    return _page("platform", session, reply, disclosure, page, PLATFORMS)
