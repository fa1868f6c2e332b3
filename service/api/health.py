"""Outside /v1: liveness, readiness, and what each problem type means."""

import time

from fastapi import APIRouter, Path
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from service.api.deps import StateDep
from service.db import ping
from service.errors import (
    PROBLEM_TYPES,
    Overloaded,
    Problem,
    ServiceUnavailable,
    problem_responses,
    problem_type,
)
from service.schemas import Health, ProblemType, Readiness
from service.state import AppState

router = APIRouter(tags=["health"])

#: Probes are not rate limited, so readiness is answered from a memo this many seconds old
#: at most: a flood of /readyz costs the database one query a second.
READY_SECONDS = 1.0
clock = time.monotonic


def readiness(state: AppState) -> Problem | None:
    """None when the database answers, else the problem to answer with."""
    try:
        ping(state.engine)
    except PoolTimeout:
        return Overloaded()
    except (OperationalError, DBAPIError):
        return ServiceUnavailable()
    return None


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
    description="200 when the database answers; 503 problem+json when it does not. "
    "Answered from a check at most one second old.",
    response_model=Readiness,
    responses=problem_responses(503),
)
def readyz(state: StateDep) -> Response:
    now = clock()
    checked_at, problem = state.readiness
    if now - checked_at >= READY_SECONDS:
        problem = readiness(state)
        state.readiness = (now, problem)
    if problem is not None:
        raise problem
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
