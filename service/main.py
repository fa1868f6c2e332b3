"""create_app(): routers, error handlers, the HTTP layer and the lifespan."""

import asyncio
import contextlib
import itertools
import logging
import re
import uuid
from collections.abc import AsyncIterator
from typing import Any

import anyio
from fastapi import Depends, FastAPI, Path, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, Response
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service import __version__
from service.api import (
    aggregates,
    cases,
    checks,
    disclosures,
    embed,
    figures,
    meta,
    series,
    taxonomies,
)
from service.api.deps import check_query_params
from service.caching import cache_key, etag_matches, raw_headers
from service.config import Settings, get_settings
from service.db import build_engine, ping
from service.errors import (
    PROBLEM_MEDIA_TYPE,
    PROBLEM_TYPES,
    InvalidParameter,
    ParameterError,
    Problem,
    ServiceUnavailable,
    logger,
    problem_openapi,
    problem_responses,
    problem_type,
)
from service.limits import AbuseLimits
from service.request_log import RequestLog
from service.state import AppState

DESCRIPTION = """\
Figures from Metropolitan Police answers to Freedom of Information requests about
officers and staff disciplined for misusing social media, starting with the April 2013
answer to Parliament Street. Every figure keeps what each source reported; ranges stay
ranges; figures are never added across disclosures. JSON by default, CSV for lists
(`?format=csv` or `Accept: text/csv`). Errors are RFC 9457 problem details.
"""

REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
COMMON_HEADERS = [
    (b"access-control-allow-origin", b"*"),
    (b"access-control-expose-headers", b"ETag, Link, Retry-After, X-Request-Id"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
]


_ID_PREFIX = uuid.uuid4().hex[:16]
_ID_COUNTER = itertools.count()


def new_request_id() -> str:
    """32 hex characters, unique per process (random prefix, counter), without a syscall."""
    return f"{_ID_PREFIX}{next(_ID_COUNTER):016x}"


def request_headers(scope: Scope) -> tuple[str, str | None, str | None]:
    """(request id, Accept, If-None-Match) in one pass over the raw headers."""
    given_id = accept = if_none_match = None
    for name, value in scope["headers"]:
        if name == b"accept" and accept is None:
            accept = value.decode("latin-1")
        elif name == b"if-none-match" and if_none_match is None:
            if_none_match = value.decode("latin-1")
        elif name == b"x-request-id" and given_id is None:
            given_id = value.decode("latin-1")
    request_id = given_id if given_id and REQUEST_ID.match(given_id) else new_request_id()
    return request_id, accept, if_none_match


def common_headers(request_id: str) -> list[tuple[bytes, bytes]]:
    return [*COMMON_HEADERS, (b"x-request-id", request_id.encode())]


async def serve_cached(state: AppState, scope: Scope, send: Send) -> bool:
    """Answer a GET or HEAD under /v1 from the revision's cache; False on a miss."""
    method = scope["method"]
    if method not in ("GET", "HEAD") or not scope["path"].startswith("/v1/"):
        return False
    request_id, accept, if_none_match = request_headers(scope)
    key = cache_key(scope["path"], scope.get("query_string", b""), accept)
    entry = state.cache.get(key) if key else None
    if entry is None:
        return False
    not_modified = etag_matches(if_none_match, entry.etag)
    headers = raw_headers(entry, state.settings.cache_max_age, not_modified=not_modified)
    await send(
        {
            "type": "http.response.start",
            "status": 304 if not_modified else 200,
            "headers": headers + common_headers(request_id),
        }
    )
    await send(
        {
            "type": "http.response.body",
            "body": b"" if method == "HEAD" or not_modified else entry.body,
        }
    )
    return True


class ServiceApp(FastAPI):
    """FastAPI, with warm reads answered early: every request passes the request log and
    the abuse limits, then a cache hit is answered at once, skipping FastAPI's own
    per-request work (telemetry, body limits, middleware, routing, validation)."""

    service: AppState
    front: ASGIApp

    def put_in_front(self, settings: Settings) -> None:
        self.front = RequestLog(
            AbuseLimits(self._cached_or_fastapi, settings=settings),
            log_format=settings.log_format,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.front(scope, receive, send)

    async def _cached_or_fastapi(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and await serve_cached(self.service, scope, send):
            return
        await super().__call__(scope, receive, send)


class HttpLayer:
    """Outermost middleware: conditional requests, HEAD, CORS, request ids.

    Cache hits never get here (ServiceApp answers them); everything else goes to FastAPI
    and gets the same headers on the way out as a hit.
    """

    def __init__(self, app: ASGIApp, state: AppState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id, _, if_none_match = request_headers(scope)
        common = common_headers(request_id)
        method = scope["method"]
        if method == "OPTIONS":
            await self._preflight(send, common)
            return
        head = method == "HEAD"
        if head:
            scope = {**scope, "method": "GET"}

        suppress_body = head

        async def send_with_headers(message: Message) -> None:
            nonlocal suppress_body
            if message["type"] == "http.response.start":
                out = MutableHeaders(scope=message)
                etag = out.get("etag")
                if message["status"] == 200 and etag and etag_matches(if_none_match, etag):
                    message["status"] = 304
                    suppress_body = True
                    del out["content-type"]
                    del out["content-length"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], *common]
            elif suppress_body:
                message = {**message, "body": b""}
            await send(message)

        await self.app(scope, receive, send_with_headers)

    @staticmethod
    async def _preflight(send: Send, common: list[tuple[bytes, bytes]]) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 204,
                "headers": [
                    (b"allow", b"GET, HEAD, OPTIONS"),
                    (b"access-control-allow-methods", b"GET, HEAD, OPTIONS"),
                    (b"access-control-allow-headers", b"Accept, If-None-Match, X-Request-Id"),
                    (b"access-control-max-age", b"86400"),
                    *common,
                ],
            }
        )
        await send({"type": "http.response.body", "body": b""})


def problem_response(problem: Problem, request: Request) -> JSONResponse:
    return JSONResponse(
        problem.body(request.url.path),
        status_code=problem.status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=problem.headers,
    )


def _allowed_values(request: Request, name: str) -> list[str] | None:
    from enum import Enum
    from typing import Literal, get_args, get_origin

    route = request.scope.get("route")
    dependants = [getattr(route, "dependant", None)]
    params = []
    while dependants:  # the route's own parameters and its dependencies'
        dependant = dependants.pop()
        if dependant is not None:
            params.extend([*dependant.query_params, *dependant.path_params])
            dependants.extend(dependant.dependencies)
    for param in params:
        if param.alias != name:
            continue
        stack: list[Any] = [param.field_info.annotation]
        while stack:
            kind = stack.pop()
            if isinstance(kind, type) and issubclass(kind, Enum):
                return [str(m.value) for m in kind]
            if get_origin(kind) is Literal:
                return [str(a) for a in get_args(kind)]
            stack.extend(get_args(kind))
    return None


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def on_problem(request: Request, exc: Problem) -> Response:
        return problem_response(exc, request)

    @app.exception_handler(RequestValidationError)
    async def on_validation(request: Request, exc: RequestValidationError) -> Response:
        errors = []
        for error in exc.errors():
            loc = error.get("loc", ())
            name = str(loc[-1]) if loc else "request"
            errors.append(
                ParameterError(
                    parameter=name,
                    message=error.get("msg", "invalid"),
                    allowed=_allowed_values(request, name),
                )
            )
        names = ", ".join(dict.fromkeys(e.parameter for e in errors))
        problem = InvalidParameter("", None, detail=f"Invalid value for: {names}.")
        problem.errors = errors
        return problem_response(problem, request)

    @app.exception_handler(StarletteHTTPException)
    async def on_http(request: Request, exc: StarletteHTTPException) -> Response:
        slug = {404: "not-found", 405: "method-not-allowed", 406: "not-acceptable"}.get(
            exc.status_code, "bad-request"
        )
        detail = {
            404: f"No endpoint at {request.url.path}; see /openapi.json.",
            405: f"{request.method} is not allowed here; this API only answers GET and HEAD.",
        }.get(exc.status_code, str(exc.detail))
        return problem_response(Problem.of(slug, detail, dict(exc.headers or {})), request)

    @app.exception_handler(OperationalError)
    @app.exception_handler(DBAPIError)
    @app.exception_handler(PoolTimeout)
    async def on_database_down(request: Request, exc: Exception) -> Response:
        logger.warning("database unavailable: %s", type(exc).__name__)
        return problem_response(ServiceUnavailable(), request)

    @app.exception_handler(Exception)
    async def on_bug(request: Request, exc: Exception) -> Response:
        logger.exception("unhandled error on %s", request.url.path)
        problem = Problem.of("internal-error", "An unexpected error occurred; it has been logged.")
        return problem_response(problem, request)


async def _watch_revision(state: AppState) -> None:
    interval = state.settings.revision_check_seconds
    while True:
        await anyio.to_thread.run_sync(state.tracker.refresh)
        await asyncio.sleep(interval)


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    settings = settings or get_settings()
    state = AppState.build(settings, engine or build_engine(settings))

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        task = None
        if settings.revision_check_seconds > 0:
            task = asyncio.create_task(_watch_revision(state))
        try:
            yield
        finally:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    app = ServiceApp(
        title="Met social-media misconduct FOI API",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        openapi_url="/openapi.json",
        docs_url="/docs",
        redoc_url=None,
        responses=problem_responses(413, 414, 429, 431),
    )
    app.state.app = state
    app.service = state
    install_error_handlers(app)
    for module in (
        meta,
        disclosures,
        figures,
        aggregates,
        series,
        taxonomies,
        cases,
        checks,
        embed,
    ):
        app.include_router(module.router, prefix="/v1", dependencies=[Depends(check_query_params)])
    app.include_router(embed.oembed_router, dependencies=[Depends(check_query_params)])

    @app.get(
        "/healthz",
        operation_id="healthz",
        summary="Liveness",
        tags=["health"],
        description="200 while the process is alive; never touches the database.",
    )
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get(
        "/readyz",
        operation_id="readyz",
        summary="Readiness",
        tags=["health"],
        description="200 when the database answers; 503 problem+json when it does not.",
        responses=problem_responses(503),
    )
    def readyz() -> Response:
        try:
            ping(state.engine)
        except (OperationalError, DBAPIError, PoolTimeout):
            raise ServiceUnavailable() from None
        return JSONResponse(
            {"status": "ready", "revision": state.tracker.current},
            headers={"cache-control": "no-store"},
        )

    @app.get(
        "/problems/{slug}",
        operation_id="getProblemType",
        tags=["health"],
        summary="What a problem type means",
        description="Documentation for each `type` URI used in error responses.",
        responses=problem_responses(404),
    )
    def problem_doc(
        slug: str = Path(description="The last part of a problem's type URI.", max_length=50),
    ) -> dict[str, Any]:
        if slug not in PROBLEM_TYPES:
            raise Problem.of("not-found", f"No problem type {slug!r}.")
        status, title, meaning = PROBLEM_TYPES[slug]
        return {
            "type": problem_type(slug),
            "title": title,
            "status": status,
            "description": meaning,
        }

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = problem_openapi(
                get_openapi(
                    title=app.title,
                    version=app.version,
                    description=app.description,
                    routes=app.routes,
                )
            )
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    app.add_middleware(HttpLayer, state=state)
    app.put_in_front(settings)
    logging.getLogger("service").setLevel(settings.log_level.upper())
    return app
