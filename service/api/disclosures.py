from fastapi import APIRouter, Path, Response

from service import downloads
from service.api.deps import (
    DisclosureFilterDep,
    PageDep,
    SessionDep,
    list_responses,
)
from service.api.figures import FIGURES
from service.api.reply import ReplyDep, TableReplyDep, csv_table
from service.errors import problem_responses
from service.reads import disclosures
from service.schemas import DisclosureDetail, DisclosurePublic, Page, SourcePublic

router = APIRouter(tags=["disclosures"])
DISCLOSURES = csv_table(
    "disclosures",
    DisclosurePublic,
    "one FOI answer",
    separators=(("comparability", "\n"),),  # sentences that hold semicolons: one a line
)
SOURCES = csv_table("sources", SourcePublic, "one publication that reported a disclosure")


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
        items = disclosures.list_disclosures(session)
        return items[page.offset : page.offset + page.limit], len(items)

    return reply.page(build, page, DISCLOSURES)


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
    return reply.one(lambda: disclosures.get_disclosure(session, disclosure_id))


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
        items = disclosures.list_sources(session, disclosure)
        return items[page.offset : page.offset + page.limit], len(items)

    return reply.page(build, page, SOURCES)


@router.get(
    "/disclosures/{disclosure_id}/datapackage.zip",
    operation_id="getDataPackage",
    summary="Download a disclosure's data package",
    description="The disclosure's Frictionless data package as a zip, for the newest "
    "revision or the one `revision` names: `figures.csv` (the API's figures CSV) and "
    "`reports.csv` (each source's report) with a `datapackage.json` describing them, a "
    "README.md with the citation and the licence, LICENSE, and under `source/` the package "
    "exactly as published (loading it with `met-foi seed` gives the same package revision).",
    response_class=Response,
    responses={
        200: {"content": {downloads.ZIP_MEDIA_TYPE: {"schema": {"type": "string"}}}},
        **problem_responses(400, 404, 409, 422, 503),
    },
)
def get_data_package(
    session: SessionDep,
    reply: ReplyDep,
    disclosure_id: str = Path(description="Disclosure id, e.g. met-2013.", max_length=100),
) -> Response:
    package = downloads.stored_package(session, disclosure_id, reply.base, FIGURES)
    return reply.stream(
        downloads.zip_chunks(reply.reading, package, reply.base),
        downloads.ZIP_MEDIA_TYPE,
        {"content-disposition": f'attachment; filename="{package.disclosure.id}.zip"'},
        negotiated=False,
    )
