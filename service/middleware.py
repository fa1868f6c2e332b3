"""Every ASGI layer a request passes before FastAPI routes it, in request order.

    RequestLog -> EdgeHeaders -> AllowedHosts -> AbuseLimits -> ConditionalGet -> FastPath
    -> Admission (service/admission.py) -> FastAPI

- RequestLog is outermost so it times every answer; it logs the final status EdgeHeaders
  saw leave, through a background writer (service/request_log.py).
- EdgeHeaders reads the request headers once, and adds the request id, nosniff, the
  referrer policy and the rate-limit headers to EVERY answer (refusals, cache hits, routed
  answers and 500s alike), and the CORS headers to every answer to a request that has an
  Origin. A cache hit's block is complete as stored (caching.make_entry: Vary, the CSP of a
  rendered type); only a routed answer is read, once, for what it lacks. It also turns an
  exception that escaped everything inside into a 500 problem.
- AllowedHosts refuses a Host header outside APP_ALLOWED_HOSTS with a 400 bad-host problem,
  so nothing inside ever builds a link (a redirect, an oEmbed URL) from a forged host.
- AbuseLimits refuses, before any work, what the service will not serve: a client over its
  rate limit, an oversized URL or header block, a request body, a control character.
- ConditionalGet answers CORS preflights, serves HEAD as GET without the body, turns a 200
  whose ETag the client already holds into a 304, and one whose ETag If-Match does not name
  into a 412: for cache hits and misses alike.
- FastPath answers a warm GET from the revision's response cache with pre-encoded bytes,
  skipping FastAPI's routing, validation and dependencies; concurrent identical misses are
  built once (single flight) while the others wait, bounded, for that answer. It knows no
  paths: it finds an answer by what the routes stored for the request (caching.Asked and
  its Rule), and sends what the cache never keeps straight on.

stack() builds them in this order; service.main hands it FastAPI inside Admission, which
lets a miss in only when a database connection is free.
"""

import functools
import itertools
import re
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

import anyio
import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.caching import (
    API_CSP,
    NOT_KEPT,
    Asked,
    Entry,
    Key,
    RequestKeys,
    body_in,
    coding_for,
    encoded_headers,
    etag_matches,
    is_rendered,
    key_for,
    problem_as_text,
    request_keys,
)
from service.config import Settings
from service.errors import (
    PROBLEM_MEDIA_TYPE,
    BadHost,
    HeadersTooLarge,
    PayloadTooLarge,
    PreconditionFailed,
    Problem,
    RateLimited,
    UriTooLong,
    logger,
    problem_text,
)
from service.rate_limit import RateLimiter
from service.request_log import WRITER, RequestLogWriter
from service.state import AppState
from service.urls import base_url

Header = tuple[bytes, bytes]

#: Load balancers probe these, and Prometheus scrapes /metrics, often by address: never rate
#: limited nor host-checked (/metrics checks the peer's network itself).
UNLIMITED_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
#: The one path that reads a body: the MCP endpoint's JSON-RPC POSTs (service/mcp).
MCP_PATH = "/mcp"
MCP_MAX_BODY_BYTES = 64 * 1024
#: A Host header: a bracketed IPv6 literal or a name, and an optional port; nothing else.
HOST = re.compile(r"^(?:\[([0-9a-f:.]+)\]|([a-z0-9_.-]+))(?::([0-9]{1,5}))?$")
MAX_PORT = 65535
#: Content-Length values longer than this are refused unread (and never parsed as an int).
MAX_LENGTH_DIGITS = 18

EDGE_HEADERS: tuple[Header, ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
)
#: Only a browser acting cross-origin reads these, and it always sends Origin.
CORS_HEADERS: tuple[Header, ...] = (
    (b"access-control-allow-origin", b"*"),
    (
        b"access-control-expose-headers",
        b"ETag, Link, Retry-After, X-Request-Id, RateLimit, RateLimit-Policy, Dataset-Revision",
    ),
)
CSP_HEADER: Header = (b"content-security-policy", API_CSP.encode())
VARY_ORIGIN: Header = (b"vary", b"Origin")
PREFLIGHT_HEADERS: tuple[Header, ...] = (
    (b"allow", b"GET, HEAD, OPTIONS"),
    (b"access-control-allow-methods", b"GET, HEAD, OPTIONS"),
    (b"access-control-allow-headers", b"Accept, If-None-Match, X-Request-Id"),
    (b"access-control-max-age", b"86400"),
)
#: Browser MCP clients POST JSON-RPC with the protocol's own headers (still no credentials).
MCP_PREFLIGHT_HEADERS: tuple[Header, ...] = (
    (b"allow", b"POST, OPTIONS"),
    (b"access-control-allow-methods", b"POST, OPTIONS"),
    (
        b"access-control-allow-headers",
        b"Accept, Content-Type, Mcp-Protocol-Version, Mcp-Session-Id, X-Request-Id",
    ),
    (b"access-control-max-age", b"86400"),
)

#: The headers Edge.read hands to Edge.read_rare: conditional writes, CORS, a client's own
#: request id and a body's framing, which a plain GET seldom carries.
RARE_HEADERS = frozenset(
    {b"if-match", b"origin", b"x-request-id", b"content-length", b"transfer-encoding"}
)

_ID_PREFIX = uuid.uuid4().hex[:16]
_ID_COUNTER = itertools.count()


def new_request_id() -> str:
    """32 hex characters, unique per process (random prefix, counter), without a syscall."""
    return f"{_ID_PREFIX}{next(_ID_COUNTER):016x}"


@dataclass(slots=True)
class Edge:
    """What the edge learnt of a request in one pass over its headers; kept in scope["edge"]
    for the layers inside. `extra` holds headers they add to the answer (RateLimit)."""

    request_id: str
    accept: str | None = None
    accept_encoding: str | None = None
    if_none_match: str | None = None
    if_match: str | None = None
    host: str | None = None
    origin: bool = False  # a browser acting cross-origin: it gets the CORS headers
    hosts: int = 0  # Host headers sent: RFC 9112 3.2 refuses more than one
    header_bytes: int = 0
    content_length: bytes = b"0"
    chunked: bool = False
    extra: list[Header] = field(default_factory=list)
    #: The status of the answer sent (for the request log); 500 until one starts.
    status: int = 500
    #: For the metrics: the route template of a cache hit, and "hit" or "miss".
    route: str = ""
    cache: str = ""
    #: Set by FastPath when it sends a cache entry: its header block is complete as stored.
    complete: bool = False

    @classmethod
    def read(cls, scope: Scope) -> "Edge":
        """One pass over the request headers. The ones nearly every request sends are tested
        inline; the others cost one set lookup, and a call only when present (RARE_HEADERS),
        so that a warm GET pays for no branch it does not take."""
        edge = cls("")
        size = 0
        for name, value in scope["headers"]:
            size += len(name) + len(value) + 4
            if name == b"accept":
                edge.accept = edge.accept or value.decode("latin-1")
            elif name == b"accept-encoding":
                edge.accept_encoding = edge.accept_encoding or value.decode("latin-1")
            elif name == b"if-none-match":
                edge.if_none_match = edge.if_none_match or value.decode("latin-1")
            elif name == b"host":
                edge.host = value.decode("latin-1") if edge.host is None else edge.host
                edge.hosts += 1
            elif name in RARE_HEADERS:
                edge.read_rare(name, value)
        edge.header_bytes = size
        # Until here request_id holds the client's X-Request-Id, if it sent one.
        edge.request_id = (
            client_request_id(edge.request_id) if edge.request_id else new_request_id()
        )
        return edge

    def read_rare(self, name: bytes, value: bytes) -> None:
        """A header few requests send (one of RARE_HEADERS): kept off read's common path."""
        if name == b"if-match":
            self.if_match = self.if_match or value.decode("latin-1")
        elif name == b"origin":
            self.origin = True
        elif name == b"x-request-id":
            self.request_id = self.request_id or value.decode("latin-1")
        elif name == b"content-length":
            self.content_length = value.strip() or b"0"
        elif name == b"transfer-encoding":
            self.chunked = b"chunked" in value.lower()


def client_request_id(given: str) -> str:
    """The client's X-Request-Id when it is a safe one to echo and log, else a new id."""
    return given if REQUEST_ID.match(given) else new_request_id()


def edge_of(scope: Scope) -> Edge:
    edge: Edge = scope["edge"]
    return edge


async def send_problem(send: Send, scope: Scope, problem: Problem) -> None:
    """A refusal from a layer outside FastAPI (EdgeHeaders adds the rest): problem+json, or
    plain text to a request that asked for CSV and accepts no JSON, as a routed refusal
    (caching.problem_as_text)."""
    content = problem.body(scope["path"])
    if refused_as_text(scope):
        body, media_type = problem_text(content).encode(), b"text/plain; charset=utf-8"
    else:
        body, media_type = orjson.dumps(content), PROBLEM_MEDIA_TYPE.encode()
    headers = [
        (b"content-type", media_type),
        (b"content-length", str(len(body)).encode()),
        (b"cache-control", b"no-store"),
        *((k.lower().encode(), v.encode()) for k, v in problem.headers.items()),
    ]
    if isinstance(problem, PayloadTooLarge):
        # The body was not read, so the connection must not be reused for another request.
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": problem.status, "headers": headers})
    await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})


def refused_as_text(scope: Scope) -> bool:
    """Whether a refusal at the edge is plain text: the request's `format` and Accept (as
    the edge read it, or from the headers before the edge has)."""
    edge = scope.get("edge")
    accept = edge.accept if edge is not None else header_value(scope, b"accept")
    query = scope.get("query_string", b"").decode("latin-1")
    given = next((v for k, v in parse_qsl(query, keep_blank_values=True) if k == "format"), None)
    return problem_as_text(accept, given)


def header_value(scope: Scope, name: bytes) -> str | None:
    return next((v.decode("latin-1") for k, v in scope.get("headers", []) if k == name), None)


# ---------------------------------------------------------------- RequestLog


class RequestLog:
    """One line per request, text or JSON (APP_LOG_FORMAT), handed to the background writer
    of service.request_log as a tuple of what the layers already know; nothing is formatted
    or written here. The status is the one EdgeHeaders saw leave (500 if none did)."""

    def __init__(self, app: ASGIApp, log_format: str, writer: RequestLogWriter = WRITER) -> None:
        self.app = app
        self.format = log_format
        self.append = writer.append

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        try:
            await self.app(scope, receive, send)
        finally:
            edge: Edge | None = scope.get("edge")
            self.append(
                (
                    self.format,
                    time.time(),
                    scope.get("client"),
                    scope["method"],
                    scope["path"],
                    scope.get("query_string", b""),
                    scope.get("http_version", "1.1"),
                    edge.status if edge is not None else 500,
                    time.perf_counter() - started,
                    edge.request_id if edge is not None else "",
                    (edge.route if edge is not None else "") or scope.get("endpoint"),
                    edge.cache if edge is not None else "",
                )
            )


# ---------------------------------------------------------------- EdgeHeaders


class EdgeHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        edge = scope["edge"] = Edge.read(scope)
        started = finished = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started, finished
            if message["type"] == "http.response.start":
                started = True
                edge.status = message["status"]
                own = message.get("headers", ())
                headers: list[Header] = [*(own if edge.complete else completed(own)), *EDGE_HEADERS]
                if edge.origin:
                    headers.extend(CORS_HEADERS)
                if edge.extra:
                    headers.extend(edge.extra)
                headers.append((b"x-request-id", edge.request_id.encode()))
                message["headers"] = headers
            elif not message.get("more_body", False):
                finished = True
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            if finished:
                return  # FastAPI's error handler answered (and logged) it already
            if started:
                raise  # half an answer: let the server drop the connection
            logger.exception("unhandled error on %s", scope["path"])
            await send_problem(send_with_headers, scope, internal_error())


def completed(own: "list[Header] | tuple[Header, ...]") -> list[Header]:
    """A routed answer's headers with what every answer of its kind carries and a cache
    entry's block already has: the CSP on a rendered type that set none (a route's own
    policy is kept), and Origin in Vary on one a cache may keep."""
    media, csp, vary, no_store = b"", False, None, False
    for name, value in own:
        if name == b"content-type":
            media = value
        elif name == b"content-security-policy":
            csp = True
        elif name == b"vary":
            vary = value
        elif name == b"cache-control":
            no_store = b"no-store" in value
    headers = list(own)
    if not csp and media and is_rendered(media.decode("latin-1")):
        headers.append(CSP_HEADER)
    if no_store:
        return headers
    if vary is None:
        headers.append(VARY_ORIGIN)
    elif b"origin" not in vary.lower():
        headers = with_origin_in_vary(headers, vary)
    return headers


def with_origin_in_vary(headers: list[Header], vary: bytes) -> list[Header]:
    """`headers` with Origin added to their Vary `vary`, which lacks it; a `*` is left
    alone, as it already covers every header. Only a route that sets its own Vary comes
    here (a cache entry's names Origin, caching.cache_headers)."""
    if vary.strip() == b"*":
        return headers
    return [*(h for h in headers if h[0] != b"vary"), (b"vary", vary + b", Origin")]


def internal_error() -> Problem:
    return Problem.of("internal-error", "An unexpected error occurred; it has been logged.")


# ---------------------------------------------------------------- AllowedHosts


@functools.lru_cache(maxsize=1024)
def host_name(host: str | None) -> str | None:
    """The name in a Host header, lower-cased and without its port; None when malformed.
    Memoised: a client sends the same few Host values, and the regex is a warm hit's cost."""
    found = HOST.match((host or "").strip().lower())
    if found is None or (found.group(3) is not None and not 0 < int(found.group(3)) <= MAX_PORT):
        return None
    return found.group(1) or found.group(2)


class AllowedHosts:
    def __init__(self, app: ASGIApp, allowed: list[str]) -> None:
        self.app = app
        self.any = "*" in allowed
        self.allowed = frozenset(allowed)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            problem = self.refusal(scope)
            if problem is not None:
                await send_problem(send, scope, problem)
                return
        await self.app(scope, receive, send)

    def refusal(self, scope: Scope) -> Problem | None:
        edge = edge_of(scope)
        host = edge.host
        if edge.hosts > 1:
            return BadHost(host or "", f"A request carries one Host header; this one {edge.hosts}.")
        name = host_name(host)
        if host is not None and name is None:
            # Refused even where any name is allowed: it would show in every link built.
            found = HOST.match(host.strip().lower())
            if found is not None:  # well formed but for the port
                return BadHost(
                    host, f"The port in the Host {host!r} is not one of 1 to {MAX_PORT}."
                )
            return BadHost(host)
        # Probes are often sent to an address, not a name; they emit nothing built from Host.
        if not self.any and scope["path"] not in UNLIMITED_PATHS and name not in self.allowed:
            return BadHost(host or "")
        return None


# ---------------------------------------------------------------- AbuseLimits


class AbuseLimits:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self.limiter = RateLimiter(settings) if settings.rate_limit_per_minute > 0 else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        edge = edge_of(scope)
        problem: Problem | None = None
        # Every request costs a token, malformed ones too: probing is throttled like reading.
        limiter = self.limiter
        if limiter is not None and scope["path"] not in UNLIMITED_PATHS:
            client = limiter.client_of(scope)
            # Redis is a network round trip: off the event loop. Memory is a dict lookup.
            verdict = (
                await anyio.to_thread.run_sync(limiter.take, client)
                if limiter.shared
                else limiter.take(client)
            )
            edge.extra.extend(limiter.headers(verdict))
            if not verdict.allowed:
                problem = RateLimited(verdict.reset_seconds, limiter.per_minute)
        problem = problem or self.refusal(scope, edge)
        if problem is not None:
            await send_problem(send, scope, problem)
            return
        await self.app(scope, receive, send)

    def refusal(self, scope: Scope, edge: Edge) -> Problem | None:
        settings = self.settings
        raw_path: bytes = scope.get("raw_path") or scope["path"].encode()
        url_bytes = len(raw_path) + len(scope.get("query_string", b"")) + 1
        if url_bytes > settings.max_url_bytes:
            return UriTooLong(url_bytes, settings.max_url_bytes)
        if edge.header_bytes > settings.max_header_bytes:
            return HeadersTooLarge(edge.header_bytes, settings.max_header_bytes)
        length = edge.content_length
        max_body = settings.max_body_bytes
        if scope["path"] == MCP_PATH:
            max_body = max(max_body, MCP_MAX_BODY_BYTES)
        if (
            edge.chunked
            or len(length) > MAX_LENGTH_DIGITS
            or not length.isdigit()
            or int(length) > max_body
        ):
            return PayloadTooLarge(max_body)
        if CONTROL_CHARACTERS.search(scope["path"]):
            # No id holds one, and PostgreSQL refuses NUL in text: answer before any query.
            return Problem.of("not-found", "No resource has an id containing a control character.")
        return None


# ---------------------------------------------------------------- ConditionalGet


class ConditionalGet:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        if method == "OPTIONS":
            mcp = scope["path"] == MCP_PATH
            headers = list(MCP_PREFLIGHT_HEADERS if mcp else PREFLIGHT_HEADERS)
            await send({"type": "http.response.start", "status": 204, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
        edge = edge_of(scope)
        if_none_match, if_match = edge.if_none_match, edge.if_match
        head = method == "HEAD"
        if not head and not if_none_match and not if_match:
            await self.app(scope, receive, send)
            return
        original = scope
        if head:
            scope = {**scope, "method": "GET"}
        suppress_body = head
        failed = False

        async def send_conditionally(message: Message) -> None:
            nonlocal suppress_body, failed
            if failed:
                return  # the 412 has been sent; drop the representation's body
            if message["type"] == "http.response.start" and message["status"] == 200:
                etag = etag_of(message["headers"])
                if if_match and not if_match_holds(if_match, etag):
                    failed = True
                    await send_problem(send, original, PreconditionFailed())
                    return
                if etag is not None and etag_matches(if_none_match, etag):
                    message["status"] = 304
                    message["headers"] = [
                        h
                        for h in message["headers"]
                        if h[0] not in (b"content-type", b"content-length", b"content-encoding")
                    ]
                    suppress_body = True
            elif message["type"] == "http.response.body" and suppress_body:
                message = {**message, "body": b""}
            await send(message)

        await self.app(scope, receive, send_conditionally)
        if head and "endpoint" in scope:
            original["endpoint"] = scope["endpoint"]  # the request log names the route served


def etag_of(headers: list[Header]) -> str | None:
    etag = next((v for k, v in headers if k == b"etag"), None)
    return None if etag is None else etag.decode("latin-1")


def if_match_holds(if_match: str, etag: str | None) -> bool:
    """RFC 9110 13.1.1: `*`, or a strong comparison with one of the listed tags."""
    candidates = [c.strip() for c in if_match.split(",")]
    return "*" in candidates or (etag is not None and etag in candidates)


# ---------------------------------------------------------------- FastPath


class FastPath:
    def __init__(self, app: ASGIApp, state: AppState) -> None:
        self.app = app
        self.state = state
        self.public_base_url = state.settings.public_base_url
        # A follower waits at most as long as one query may take, then builds it itself.
        self.follow_seconds = state.settings.db_statement_timeout + 1
        self.inflight: dict[Key | Asked, anyio.Event] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        edge = edge_of(scope)
        base = base_url(scope, self.public_base_url)
        keys = request_keys(scope["path"], scope["query_string"], edge.accept, base)
        rule = self.state.cache.rule(keys.asked)
        if rule == NOT_KEPT:
            await self.app(scope, receive, send)
            return
        key = key_for(keys, rule)
        entry = None if key is None else self.state.cache.get(key)
        if entry is not None:
            edge.cache, edge.route = "hit", entry.route
            await self.serve(entry, scope, send)
        elif rule is None:  # nothing known of it yet: the first answer says
            edge.cache = "miss"
            await self.single_flight(keys.asked, keys, scope, receive, send)
        elif key is None:  # no format it accepts: the route refuses it
            await self.app(scope, receive, send)
        else:
            edge.cache = "miss"
            await self.single_flight(key, keys, scope, receive, send)

    async def serve(self, entry: Entry, scope: Scope, send: Send) -> None:
        edge = edge_of(scope)
        coding = coding_for(entry, edge.accept_encoding)
        headers = encoded_headers(entry, coding)
        edge.complete = True
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body_in(entry, coding)})

    async def single_flight(
        self, flight: Key | Asked, keys: RequestKeys, scope: Scope, receive: Receive, send: Send
    ) -> None:
        """The first miss of a key (or of an Asked not seen before) builds it; identical
        misses meanwhile wait for that answer (bounded), and build their own only if it did
        not come. A first answer that is a 200 and kept nothing marks its Asked NOT_KEPT:
        later requests for it go straight to the app."""
        leader = self.inflight.get(flight)
        if leader is None:
            done = self.inflight[flight] = anyio.Event()
            status = 0

            async def watched(message: Message) -> None:
                nonlocal status
                if message["type"] == "http.response.start":
                    status = message["status"]
                await send(message)

            try:
                await self.app(scope, receive, watched)
            finally:
                del self.inflight[flight]
                done.set()
            if status == 200 and self.state.cache.rule(keys.asked) is None:
                self.state.cache.learn(keys.asked, NOT_KEPT)
            return
        with anyio.move_on_after(self.follow_seconds):
            await leader.wait()
        key = key_for(keys, self.state.cache.rule(keys.asked))
        entry = None if key is None else self.state.cache.get(key)
        if entry is not None:
            await self.serve(entry, scope, send)
        else:
            await self.app(scope, receive, send)


def stack(app: ASGIApp, state: AppState) -> ASGIApp:
    """The layers around `app`, outermost first (see the module docstring)."""
    settings = state.settings
    inner: ASGIApp = FastPath(app, state)
    inner = ConditionalGet(inner)
    inner = AbuseLimits(inner, settings)
    inner = AllowedHosts(inner, settings.allowed_hosts)
    inner = EdgeHeaders(inner)
    return RequestLog(inner, log_format=settings.log_format)
