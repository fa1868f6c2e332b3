"""Outside /v1: liveness, readiness, and what each problem type means."""

from fastapi import APIRouter, Path
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from service.api.deps import StateDep
from service.db import ping
from service.errors import (
    PROBLEM_TYPES,
    Problem,
    ServiceUnavailable,
    problem_responses,
    problem_type,
)
from service.models import Health, ProblemType, Readiness

router = APIRouter(tags=["health"])


@router.get(
    "/healthz",
    operation_id="healthz",
    summary="Liveness",
    description="200 while the process is alive; never touches the database.",
    response_model=Health,
)
def healthz() -> Health:
    return Health(status="ok")


@router.get(
    "/readyz",
    operation_id="readyz",
    summary="Readiness",
    description="200 when the database answers; 503 problem+json when it does not.",
    response_model=Readiness,
    responses=problem_responses(503),
)
def readyz(state: StateDep) -> Response:
    try:
        ping(state.engine)
    except (OperationalError, DBAPIError, PoolTimeout):
        raise ServiceUnavailable() from None
    return JSONResponse(
        {"status": "ready", "revision": state.tracker.current},
        headers={"cache-control": "no-store"},
    )


@router.get(
    "/problems/{slug}",
    operation_id="getProblemType",
    summary="What a problem type means",
    description="Documentation for each `type` URI used in error responses.",
    response_model=ProblemType,
    responses=problem_responses(404),
)
def problem_doc(
    slug: str = Path(description="The last part of a problem's type URI.", max_length=50),
) -> ProblemType:
    if slug not in PROBLEM_TYPES:
        raise Problem.of("not-found", f"No problem type {slug!r}.")
    status, title, meaning = PROBLEM_TYPES[slug]
    return ProblemType(type=problem_type(slug), title=title, status=status, description=meaning)
