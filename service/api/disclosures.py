from fastapi import APIRouter, Path, Request, Response
from fastapi.responses import StreamingResponse

from service import downloads, queries, revisions
from service.api.deps import (
    DisclosureFilterDep,
    PageDep,
    PublicBaseDep,
    SessionDep,
    StateDep,
    list_responses,
)
from service.api.reply import ReplyDep, TableReplyDep, model_columns
from service.caching import PINNED_CACHE_CONTROL, cache_key, make_etag
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


@router.get(
    "/disclosures/{disclosure_id}/datapackage.zip",
    operation_id="getDataPackage",
    summary="Download a disclosure's data package",
    description="The disclosure's Frictionless data package as a zip, for the newest "
    "revision or the one `revision` names: `datapackage.json` and every CSV exactly as "
    "published (loading it with `met-foi seed` gives the same package revision), a "
    "README.md with the citation and the licence, and LICENSE.",
    response_class=Response,
    responses={
        200: {"content": {downloads.ZIP_MEDIA_TYPE: {"schema": {"type": "string"}}}},
        **problem_responses(400, 404, 409, 422, 503),
    },
)
def get_data_package(
    request: Request,
    session: SessionDep,
    state: StateDep,
    base: PublicBaseDep,
    disclosure_id: str = Path(description="Disclosure id, e.g. met-2013.", max_length=100),
) -> Response:
    package = downloads.stored_package(session, disclosure_id, base)
    state.tracker.observe(revisions.latest_id(session))
    key = cache_key(request.url.path, request.scope.get("query_string", b""), None)
    pinned = revisions.is_pinned(session)
    cache_control = (
        PINNED_CACHE_CONTROL if pinned else f"public, max-age={state.settings.cache_max_age}"
    )
    return StreamingResponse(
        downloads.zip_chunks(session, package, base),
        media_type=downloads.ZIP_MEDIA_TYPE,
        headers={
            "etag": make_etag(package.revision.id, key or request.url.path),
            "cache-control": cache_control,
            "content-disposition": f'attachment; filename="{package.disclosure.id}.zip"',
            "dataset-revision": package.revision.id,
        },
    )
