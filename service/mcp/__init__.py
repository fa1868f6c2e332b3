"""The MCP endpoint at /mcp: the same figures for AI assistants, quoted as published.

Built on the official `mcp` SDK (MCPServer over Streamable HTTP, stateless, JSON responses:
every POST is answered on its own, so any replica can take any request and no session
needs to stick). Read-only, no authentication: it is open data. It is routed inside the
FastAPI app, so middleware.stack() (request log, edge headers and CORS, abuse limits with
the rate limit) wraps it like every other request.

Every tool answer carries the reading in words, the range, the dispute, the qualifier and
the citation, all taken from service.reads and service.reading: an assistant is never
handed a bare number it could print as fact.

The SDK is imported, and its server started, on the first /mcp request (service.mcp.server):
importing it takes longer than starting the rest of the service, and most processes never
answer an MCP request.

The transport's own rules are kept here, before the SDK: the server opens no streams of its
own, so GET (and DELETE: there are no sessions) is a 405 with `Allow: POST`, as the
Streamable HTTP transport says, not a stream that never ends; a body that is not JSON
(Content-Type) is a 415 problem; a JSON-RPC id that is not a string or an integer is an
Invalid Request error, not a 202 with no answer; a browser page from another site (an
Origin header whose host is neither the request's own nor one of APP_ALLOWED_HOSTS) is a 403
problem, as the transport asks of every server against DNS rebinding. A request with no
Origin (every non-browser client) is served.
"""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from contextvars import ContextVar
from typing import Any
from urllib.parse import urlsplit

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Message, Receive, Scope, Send

from service import __version__, urls
from service.config import Settings
from service.errors import Problem, ServiceUnavailable
from service.middleware import send_problem
from service.state import AppState

logger = logging.getLogger(__name__)

#: The base URL (service.urls.base_url) of the /mcp request being answered: the SDK answers
#: it in a task and a worker thread that inherit this context, so tool answers print
#: absolute URLs as every other answer does.
REQUEST_BASE: ContextVar[str] = ContextVar("mcp_request_base", default="")


INSTRUCTIONS = """\
Figures from police forces' answers to Freedom of Information requests about officers and
staff disciplined for misusing social media: the Metropolitan Police's own answers, and
national surveys of every force (find_figures takes a force id, e.g. kent-police). Every
count is published as an exact number, a range, a floor ("at least n") or only the source's
words, and sources can disagree.

When you quote a figure:
- Quote its `reading` (or `words`) as given: "17 to 18", never one end of the range. When
  `disputed` is true, say that sources disagree and who reported what (the `words` field
  says it: "17 to 18: the Guardian reported 18; Evening Standard and the Independent
  reported 17"). Never pick one source's number as the fact.
- When a figure has only words (value, min and max all null), quote the words, e.g.
  "the vast majority", and do not turn them into a number or a percentage.
- When `derived` is true, say the number is arithmetic on the published figures.
- Always give the figure's `citation` (or the aggregate's) with the figure.
- Never add figures from different disclosures: they count different things over
  different periods (see each point's `comparability`).
Start with list_disclosures and list_measures, find figures with find_figures, read one
with get_figure, and a breakdown with aggregate.
"""

NEVER_ADD = (
    "Separate points from separate FOI answers: never add them, average them or draw one "
    "line through them; each counts different things over a different period."
)

#: What a compare answer says once, above its groups.
BY_GROUP = (
    "Figures of one group count the same thing and may be set side by side, never added; "
    "figures of different groups must not be compared as if they counted the same thing; a "
    "part names its total and is already counted in it."
)


#: Where the server.json of the MCP registry is served, for registries and clients to find.
SERVER_JSON_PATH = "/.well-known/mcp/server.json"
#: The registry's current server.json schema (modelcontextprotocol/registry,
#: docs/reference/server-json; the newest dated schema published).
REGISTRY_SCHEMA = "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json"
SERVER_NAME = "met-social-media-foi"
SERVER_TITLE = "Police social-media misconduct FOI figures"
#: At most 100 characters, the registry's limit.
SERVER_DESCRIPTION = "Met Police FOI figures on staff disciplined over social media, as published."


def server_json(base: str) -> dict[str, Any]:
    """This server as the MCP registry describes one: a remote reached over Streamable HTTP
    at `base`/mcp, named in the reverse-DNS namespace of `base`'s host (data.example.org ->
    org.example.data/met-social-media-foi), which the registry verifies by DNS or HTTP."""
    host = _hostname(base) or "localhost"
    return {
        "$schema": REGISTRY_SCHEMA,
        "name": f"{'.'.join(reversed(host.split('.')))}/{SERVER_NAME}",
        "title": SERVER_TITLE,
        "description": SERVER_DESCRIPTION,
        "version": __version__,
        "websiteUrl": f"{base}/",
        "remotes": [{"type": "streamable-http", "url": f"{base}/mcp"}],
    }


class McpEndpoint:
    """The /mcp route. The SDK's server starts on the first request and stops with the app's
    lifespan, a fresh one for each run of it (the SDK's session manager runs once), its input
    schemas listing the measures and disclosures in the database when it started."""

    def __init__(self, state: AppState) -> None:
        self.state = state
        self._handle: Callable[[Scope, Receive, Send], Any] | None = None
        self._task: asyncio.Task[None] | None = None
        self._stop: asyncio.Event | None = None
        self._lock: asyncio.Lock | None = None

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        self._stop, self._lock = asyncio.Event(), asyncio.Lock()
        try:
            yield
        finally:
            stop, task = self._stop, self._task
            self._handle = self._task = self._stop = self._lock = None
            stop.set()
            if task is not None:
                await task

    async def _started(self) -> Callable[[Scope, Receive, Send], Any] | None:
        if self._handle is not None or self._lock is None:
            return self._handle
        async with self._lock:
            if self._handle is None and (self._task is None or self._task.done()):
                ready = asyncio.Event()
                self._task = asyncio.create_task(self._serve(ready))
                await ready.wait()
        return self._handle

    async def _serve(self, ready: asyncio.Event) -> None:
        stop = self._stop
        try:
            from service.mcp.server import running

            async with running(self.state) as handle:
                self._handle = handle
                ready.set()
                if stop is not None:
                    await stop.wait()
        except Exception:
            logger.exception("the MCP server did not start; /mcp answers 503 until it does")
        finally:
            self._handle = None
            ready.set()

    async def server_card(self, request: Request) -> Response:
        """GET /.well-known/mcp/server.json: server_json() for the URL this request reached."""
        base = urls.base_url(request.scope, self.state.settings.public_base_url)
        return Response(
            orjson.dumps(server_json(base), option=orjson.OPT_INDENT_2),
            media_type="application/json",
            headers={"Cache-Control": "public, max-age=3600"},
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        problem = transport_refusal(scope) or origin_refusal(scope, self.state.settings)
        if problem is not None:
            await send_problem(send, scope, problem)
            return
        body = await read_body(receive)
        if body is None:
            return  # the client went away
        if not valid_ids(body):
            await send_json(send, 400, INVALID_ID)
            return
        handle = await self._started()
        if handle is None:
            await send_problem(send, scope, ServiceUnavailable())
            return
        REQUEST_BASE.set(urls.base_url(scope, self.state.settings.public_base_url))
        await handle(scope, replay(body, receive), send)


def transport_refusal(scope: Scope) -> Problem | None:
    if scope["method"] != "POST":
        return Problem.of(
            "method-not-allowed",
            f"{scope['method']} is not allowed at /mcp: this stateless server opens no "
            "event streams and keeps no sessions; POST JSON-RPC messages.",
            {"Allow": "POST"},
        )
    content_type = next((v for k, v in scope["headers"] if k == b"content-type"), b"")
    media = content_type.split(b";", 1)[0].strip().lower()
    if media != b"application/json":
        given = content_type.decode("latin-1") or "none"
        return Problem.of(
            "unsupported-media-type",
            f"POST JSON-RPC messages to /mcp as application/json, not {given}.",
        )
    return None


def origin_refusal(scope: Scope, settings: Settings) -> Problem | None:
    """A 403 problem for a browser Origin that is not this service: not the request's own
    host, not public_base_url's, not one of APP_ALLOWED_HOSTS (`*` there allows only the
    first two). No Origin is allowed: non-browser clients send none."""
    origins = [v for k, v in scope["headers"] if k == b"origin"]
    if not origins:
        return None
    origin = origins[0].decode("latin-1")
    host = next((v for k, v in scope["headers"] if k == b"host"), b"").decode("latin-1")
    own = {_hostname(f"//{host}"), _hostname(settings.public_base_url or "")} - {None}
    given = _hostname(origin)
    if len(origins) == 1 and given and (given in own or given in settings.allowed_hosts):
        return None
    return Problem.of(
        "forbidden-origin",
        f"Origin {origin} may not call /mcp: a page from another site cannot use this "
        "endpoint (DNS-rebinding protection). Connect from an MCP client, which sends no "
        "Origin, or from this service's own pages.",
    )


def _hostname(url: str) -> str | None:
    try:
        return urlsplit(url).hostname
    except ValueError:
        return None


async def read_body(receive: Receive) -> bytes | None:
    """The request body (AbuseLimits has refused one over MCP_MAX_BODY_BYTES by its
    Content-Length, and every chunked one); None when the client disconnected."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def replay(body: bytes, receive: Receive) -> Receive:
    """A receive that gives `body` once, then whatever the client sends (a disconnect)."""
    sent = False

    async def again() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return again


#: JSON-RPC 2.0's Invalid Request, for a message whose id is neither a string nor an integer
#: (MCP: "MUST be a string or integer"; an object or a float got a 202 and no answer).
INVALID_ID = {
    "jsonrpc": "2.0",
    "id": None,
    "error": {"code": -32600, "message": "Invalid Request: an id must be a string or an integer."},
}


def valid_ids(body: bytes) -> bool:
    """False when a message in `body` has an id that is not a string or an integer; a body
    that is not JSON is left to the SDK, which answers it with a parse error."""
    try:
        parsed = orjson.loads(body)
    except orjson.JSONDecodeError:
        return True
    messages = parsed if isinstance(parsed, list) else [parsed]
    for message in messages:
        if isinstance(message, dict) and "id" in message:
            id_ = message["id"]
            if isinstance(id_, bool) or not isinstance(id_, str | int):
                return False
    return True


async def send_json(send: Send, status: int, body: dict[str, Any]) -> None:
    encoded = orjson.dumps(body)
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(encoded)).encode()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": encoded})
