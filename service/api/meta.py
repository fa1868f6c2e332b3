from fastapi import APIRouter, Response

from service.api.deps import SessionDep, StateDep
from service.api.reply import ReplyDep
from service.errors import problem_responses
from service.reads import meta
from service.schemas import MetaPublic

router = APIRouter(tags=["meta"])


@router.get(
    "/meta",
    operation_id="getMeta",
    summary="API and dataset versions",
    description="The API version, the revision of everything served (part of every ETag), "
    "and each dataset's version, revision, last-updated date, licence and counts.",
    response_model=MetaPublic,
    responses=problem_responses(400, 406, 503),
)
def get_meta(session: SessionDep, state: StateDep, reply: ReplyDep) -> Response:
    return reply.one(lambda: meta.meta(session, state.settings.flagship_disclosure))
