"""/v1/revisions, one revision, and the changes feeds (Atom and JSON Feed)."""

from typing import Annotated

from fastapi import APIRouter, Path, Response
from fastapi.responses import JSONResponse

from service import feed, history, revisions, urls
from service.api.deps import PageDep, PublicBaseDep, SessionDep, list_responses
from service.api.reply import ReplyDep, TableReplyDep, csv_table, json_bytes
from service.errors import problem_responses
from service.schemas import JsonFeed, Page, RevisionDetail, RevisionPublic

router = APIRouter(tags=["revisions"])
REVISIONS = csv_table("revisions", RevisionPublic, "one published revision of the dataset")


class JsonFeedResponse(JSONResponse):
    """Names JSON Feed's media type, with the JsonFeed schema, in the OpenAPI document (the
    route itself returns Reply's answer)."""

    media_type = feed.JSON_FEED_MEDIA_TYPE


RevisionPath = Annotated[
    str,
    Path(
        description="A revision id, or 8 or more of its first characters.",
        pattern=revisions.ID_PATTERN,
    ),
]


@router.get(
    "/revisions",
    operation_id="listRevisions",
    summary="List the revisions of the data, newest first",
    description="Every published state of the data: when, which packages changed and why "
    "(their own notes), and how many figures were added, changed and removed. Any read "
    "answers from one of them with `?revision=<id>`; a pinned answer never changes.",
    response_model=Page[RevisionPublic],
    responses=list_responses(400, 404, 406, 409, 422, 503),
)
def list_revisions(session: SessionDep, reply: TableReplyDep, page: PageDep) -> Response:
    return reply.page(
        lambda: history.list_revisions(session, page.limit, page.offset),
        page,
        REVISIONS,
    )


@router.get(
    "/revisions/{revision_id}",
    operation_id="getRevision",
    summary="One revision, with every figure it changed",
    description="A revision by its id or a prefix of 8 or more characters (a prefix that "
    "names several is a 409), with each figure it added, changed or removed: the reading "
    "before and after, and which fields changed.",
    response_model=RevisionDetail,
    responses=problem_responses(400, 404, 406, 409, 422, 503),
)
def get_revision(session: SessionDep, reply: ReplyDep, revision_id: RevisionPath) -> Response:
    return reply.one(lambda: history.revision_detail(session, revision_id))


def _recent(session: SessionDep) -> list[history.Announced]:
    return history.recent(session, feed.FEED_ENTRIES, feed.FEED_CHANGES)


@router.get(
    "/changes.atom",
    operation_id="getChangesAtom",
    summary="The changes feed (Atom)",
    description=f"The newest {feed.FEED_ENTRIES} revisions as an Atom 1.0 feed, one entry "
    "per revision listing the figures it changed with the old and the new reading in words "
    f"(the first {feed.FEED_CHANGES}; /v1/revisions/{{id}} lists them all), so a newsroom "
    "can subscribe to corrections.",
    response_class=Response,
    responses={
        200: {"content": {feed.ATOM_MEDIA_TYPE: {"schema": {"type": "string"}}}},
        **problem_responses(400, 404, 409, 422, 503),
    },
)
def changes_atom(session: SessionDep, reply: ReplyDep, base: PublicBaseDep) -> Response:
    return reply.raw(
        lambda: feed.atom(_recent(session), base, urls.CHANGES_ATOM), feed.ATOM_MEDIA_TYPE
    )


@router.get(
    "/changes.json",
    operation_id="getChangesJson",
    summary="The changes feed (JSON Feed)",
    description=f"The newest {feed.FEED_ENTRIES} revisions as a JSON Feed 1.1, each item "
    "with the same words as the Atom entry and the revision itself under `_revision`.",
    response_model=JsonFeed,
    response_class=JsonFeedResponse,
    responses=problem_responses(400, 404, 409, 422, 503),
)
def changes_json(session: SessionDep, reply: ReplyDep, base: PublicBaseDep) -> Response:
    return reply.raw(
        lambda: json_bytes(feed.json_feed(_recent(session), base, urls.CHANGES_JSON)),
        feed.JSON_FEED_MEDIA_TYPE,
    )
