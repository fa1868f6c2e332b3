"""create_app(): state, routers, error handlers and lifespan, inside middleware.stack()."""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

import anyio
from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service import __version__, apidocs, middleware, request_log
from service.admission import Admission
from service.api import (
    aggregates,
    cases,
    checks,
    csvw,
    disclosures,
    embed,
    figures,
    forces,
    health,
    llms,
    measures,
    meta,
    metrics,
    notes,
    revisions,
    series,
    taxonomies,
)
from service.api.deps import allowed_values, check_query_params
from service.apidocs import committed_document
from service.caching import ONE, problem_as_text
from service.config import Settings, get_settings
from service.db import build_engine
from service.errors import (
    PROBLEM_MEDIA_TYPE,
    InvalidParameter,
    Overloaded,
    ParameterError,
    Problem,
    ServiceUnavailable,
    logger,
    problem_responses,
    problem_text,
)
from service.mcp import SERVER_JSON_PATH, McpEndpoint
from service.state import AppState
from service.web import discovery, lists, pages
from service.web import forces as force_pages

DESCRIPTION = """\
Figures from police forces' answers to Freedom of Information requests about officers
and staff disciplined for misusing social media: the Metropolitan Police's own answers,
starting with the April 2013 answer to Parliament Street, and national surveys that asked
every force (the Press Association's of 2011 and 2014), with each force's figure. Every
figure keeps what each source reported; ranges stay ranges; figures are never added
across disclosures or surveys. JSON by default, CSV for lists
(`?format=csv` or `Accept: text/csv`). Errors are RFC 9457 problem details.
"""

V1_ROUTERS = (
    meta,
    disclosures,
    figures,
    forces,
    aggregates,
    series,
    measures,
    taxonomies,
    cases,
    notes,
    checks,
    revisions,
    embed,
    csvw,
)


class ServiceApp(FastAPI):
    """FastAPI inside the layers of service.middleware: every request enters at `front`."""

    service: AppState
    front: ASGIApp

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.front(scope, receive, send)

    async def routed(self, scope: Scope, receive: Receive, send: Send) -> None:
        await super().__call__(scope, receive, send)


def problem_response(problem: Problem, request: Request) -> Response:
    """The problem as problem+json, or as plain text to a CSV request of a route that
    answers in CSV, or of a path no route serves, when it accepts no JSON
    (caching.problem_as_text)."""
    body = problem.body(request.url.path)
    accept, given = request.headers.get("accept"), request.query_params.get("format")
    csv_route = "route" not in request.scope or allowed_values(request, "format") is not None
    if problem_as_text(accept, given) and csv_route:
        return PlainTextResponse(
            problem_text(body), status_code=problem.status, headers=problem.headers
        )
    return JSONResponse(
        body,
        status_code=problem.status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=problem.headers,
    )


def slash_redirect(request: Request, public_base_url: str | None) -> Response | None:
    """A 307 from `/path/` to `/path` when that is a route. Its Location is the public URL
    or a relative reference: never built from the request's Host (Starlette's own
    redirect_slashes would echo a forged one)."""
    path = request.url.path
    if path == "/" or not path.endswith("/"):
        return None
    scope = {**request.scope, "path": path.rstrip("/") or "/"}
    if all(route.matches(scope)[0] is Match.NONE for route in request.app.router.routes):
        return None
    query = request.url.query
    location = (public_base_url or "") + scope["path"] + (f"?{query}" if query else "")
    return RedirectResponse(location, status_code=307)


def install_error_handlers(app: FastAPI, settings: Settings) -> None:
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
                    allowed=allowed_values(request, name),
                )
            )
        # A parameter read by several dependencies (revision, disclosure) is reported once.
        errors = list({(e.parameter, e.message): e for e in errors}.values())
        names = ", ".join(dict.fromkeys(e.parameter for e in errors))
        problem = InvalidParameter("", None, detail=f"Invalid value for: {names}.")
        problem.errors = errors
        return problem_response(problem, request)

    @app.exception_handler(StarletteHTTPException)
    async def on_http(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404:
            redirect = slash_redirect(request, settings.public_base_url)
            if redirect is not None:
                return redirect
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
    async def on_database_down(request: Request, exc: Exception) -> Response:
        logger.warning("database unavailable: %s", type(exc).__name__)
        count_db_error(request, "unavailable")
        return problem_response(ServiceUnavailable(), request)

    @app.exception_handler(PoolTimeout)
    async def on_pool_exhausted(request: Request, _exc: Exception) -> Response:
        logger.warning("database pool exhausted on %s", request.url.path)
        count_db_error(request, "pool_timeout")
        return problem_response(Overloaded(), request)

    @app.exception_handler(Exception)
    async def on_bug(request: Request, _exc: Exception) -> Response:
        logger.exception("unhandled error on %s", request.url.path)
        return problem_response(middleware.internal_error(), request)


def route_templates() -> dict[Any, str]:
    """Each endpoint's path template as served (with the /v1 prefix), for the metrics."""
    mounted = [("/v1", module.router) for module in V1_ROUTERS]
    mounted += [
        ("", router)
        for router in (
            embed.oembed_router,
            health.router,
            metrics.router,
            llms.router,
            pages.router,
            force_pages.router,
            lists.router,
            discovery.router,
            apidocs.router,
        )
    ]
    return {
        route.endpoint: prefix + route.path
        for prefix, router in mounted
        for route in router.routes
        if isinstance(route, APIRoute)
    }


def count_db_error(request: Request, kind: str) -> None:
    errors = request.app.service.db_errors
    errors[kind] = errors.get(kind, 0) + 1


async def _watch_revision(state: AppState, routed: ASGIApp) -> None:
    interval = state.settings.revision_check_seconds
    while True:
        await anyio.to_thread.run_sync(state.tracker.refresh)
        pending = state.cache.pending_revision
        if pending is not None:
            with anyio.move_on_after(interval):
                await warm_cache(state, routed)
            state.cache.promote(pending)
        await asyncio.sleep(interval)


#: The Accept a warming request sends for each variant of a cache Key.
WARM_ACCEPT = {
    "json": b"application/json",
    "csv": b"text/csv",
    ONE: b"*/*",
}


async def warm_cache(state: AppState, routed: ASGIApp) -> int:
    """Rebuild the hottest keys of the current revision for the pending one, through the
    routes themselves (whose Reply stores each answer under the pending revision); returns
    how many were rebuilt. Each is asked as it was first asked: with its format and under
    its base URL."""
    built = 0
    for key in state.cache.hot_keys(state.settings.cache_warm_keys):
        accept = WARM_ACCEPT.get(key.variant)  # None for an MCP tool's answer
        if accept is None:
            continue
        path, query, base = key.asked
        status = await internal_get(routed, path, query, accept, base)
        built += status == 200
    return built


async def internal_get(app: ASGIApp, path: str, query: str, accept: bytes, base: str) -> int:
    """GET through `app` in-process (no socket), as asked of `base` (the scheme, host and
    root path of a base URL); returns the status, drops the body."""
    parts = urlsplit(base or "http://127.0.0.1")
    scope: Scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": parts.scheme,
        "path": path,
        "raw_path": path.encode(),
        "root_path": parts.path,
        "query_string": query.encode(),
        "headers": [(b"host", parts.netloc.encode()), (b"accept", accept)],
        "client": ("127.0.0.1", 0),
        "server": ("127.0.0.1", 0),
    }
    status = 0

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    settings = settings or get_settings()
    state = AppState.build(settings, engine or build_engine(settings))
    mcp = McpEndpoint(state)

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        task = None
        if settings.revision_check_seconds > 0:
            task = asyncio.create_task(_watch_revision(state, app.routed))
        try:
            async with mcp.running():
                yield
        finally:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            request_log.WRITER.flush()

    app = ServiceApp(
        title="Police social-media misconduct FOI API",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        openapi_url="/openapi.json",
        # /docs is Swagger UI from the service itself (service.apidocs), not from a CDN.
        docs_url=None,
        redoc_url=None,
        responses=problem_responses(400, 412, 413, 414, 429, 431),
        redirect_slashes=False,
    )
    app.state.app = state
    app.service = state
    install_error_handlers(app, settings)
    checked = [Depends(check_query_params)]
    # Every read takes ?revision=, which names no revision (404) or several (409).
    pinnable = problem_responses(404, 409)
    for module in V1_ROUTERS:
        app.include_router(module.router, prefix="/v1", dependencies=checked, responses=pinnable)
    app.include_router(embed.oembed_router, dependencies=checked, responses=pinnable)
    app.include_router(health.router)
    app.include_router(llms.router, dependencies=checked, responses=pinnable)
    app.include_router(metrics.router)
    state.route_templates = route_templates()
    if settings.metrics:
        from service.metrics import metrics_for

        state.metrics = metrics_for(state)
    # Pages for people (service/web): HTML, not OpenAPI operations; their assets are files.
    app.include_router(pages.router)
    app.include_router(force_pages.router)
    app.include_router(lists.router)
    # How crawlers find them: /sitemap.xml and /robots.txt.
    app.include_router(discovery.router)
    app.mount("/static", StaticFiles(directory=pages.STATIC_DIR), name="static")
    app.include_router(apidocs.router)
    # The MCP endpoint (service/mcp) is an ASGI app of the SDK's, routed here so that
    # middleware.stack() wraps it too; it is not an OpenAPI operation.
    app.router.routes.append(
        Route(middleware.MCP_PATH, mcp, include_in_schema=False)  # any method: it says 405
    )
    app.router.routes.append(
        Route(SERVER_JSON_PATH, mcp.server_card, methods=["GET"], include_in_schema=False)
    )

    # /openapi.json serves the committed document, examples included (service.openapi).
    app.openapi = committed_document  # type: ignore[method-assign]
    # Misses wait for a database connection before they take a thread (service.admission).
    app.front = middleware.stack(Admission(app.routed, state), state)
    logging.getLogger("service").setLevel(settings.log_level.upper())
    return app
