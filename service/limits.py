"""Abuse limits and security headers: the outermost ASGI layer.

Before anything else runs (cache hits included) a request is refused with problem+json
when its client has used up its rate-limit allowance (429), its URL is too long (414), its
headers too large (431), it carries a body (413), or its path holds a control character
such as NUL (404: no id has one). On the way out every response gets
a restrictive Content-Security-Policy unless it already has one or is the Swagger UI page,
and, when the rate limit is on, the IETF RateLimit-Policy and RateLimit headers.
"""

import math
import re
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from ipaddress import IPv4Address, IPv6Address, ip_address, ip_network

import orjson
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.config import Settings
from service.errors import (
    PROBLEM_MEDIA_TYPE,
    HeadersTooLarge,
    PayloadTooLarge,
    Problem,
    RateLimited,
    UriTooLong,
)

#: For JSON and CSV answers: nothing may load from them, nothing may frame them.
API_CSP = "default-src 'none'; frame-ancestors 'none'"
CSP_HEADER = (b"content-security-policy", API_CSP.encode())
#: Swagger UI needs its CDN scripts. (Embed cards set their own framing policy, which is
#: kept: a policy a route sets is never replaced.)
NO_CSP_PREFIXES = ("/docs",)
#: Load balancers probe these; they are never rate limited.
UNLIMITED_PATHS = frozenset({"/healthz", "/readyz"})
#: Clients remembered by the rate limiter; the least recently seen is forgotten first.
MAX_TRACKED_CLIENTS = 10_000
RATE_LIMIT_HEADERS = "RateLimit, RateLimit-Policy"
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")

clock: Callable[[], float] = time.monotonic


class TokenBucket:
    """`capacity` requests at once, refilled at `rate` requests a second."""

    __slots__ = ("capacity", "rate", "stamp", "tokens")

    def __init__(self, capacity: int, rate: float, now: float) -> None:
        self.capacity = capacity
        self.rate = rate
        self.tokens = float(capacity)
        self.stamp = now

    def take(self, now: float) -> bool:
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False

    def seconds_until_next(self) -> int:
        return max(1, math.ceil((1 - self.tokens) / self.rate))

    def seconds_until_full(self) -> int:
        return math.ceil((self.capacity - self.tokens) / self.rate)


class RateLimiter:
    """One token bucket per client address, in this process."""

    def __init__(self, settings: Settings) -> None:
        self.per_minute = settings.rate_limit_per_minute
        self.capacity = settings.rate_limit_burst or self.per_minute
        self.rate = self.per_minute / 60
        self.proxies = [ip_network(p, strict=False) for p in settings.trusted_proxies]
        self.buckets: OrderedDict[str, TokenBucket] = OrderedDict()
        self.policy = f'"default";q={self.per_minute};w=60'

    def client_of(self, scope: Scope) -> str:
        """The peer address; behind a trusted proxy, the nearest untrusted X-Forwarded-For hop."""
        peer = (scope.get("client") or ("unknown", 0))[0]
        if not self.proxies or not self._trusted(peer):
            return str(peer)
        forwarded = Headers(scope=scope).getlist("x-forwarded-for")
        hops = [h.strip() for value in forwarded for h in value.split(",")]
        for hop in reversed(hops):
            if not self._trusted(hop):
                return hop if _address(hop) is not None else str(peer)
        return str(peer)

    def _trusted(self, address: str) -> bool:
        parsed = _address(address)
        return parsed is not None and any(parsed in net for net in self.proxies)

    def take(self, client: str) -> tuple[TokenBucket, bool]:
        """The client's bucket after this request, and whether the request may go ahead."""
        now = clock()
        bucket = self.buckets.get(client)
        if bucket is None:
            bucket = self.buckets[client] = TokenBucket(self.capacity, self.rate, now)
            if len(self.buckets) > MAX_TRACKED_CLIENTS:
                self.buckets.popitem(last=False)
        else:
            self.buckets.move_to_end(client)
        return bucket, bucket.take(now)

    def headers(self, bucket: TokenBucket) -> list[tuple[bytes, bytes]]:
        remaining = int(bucket.tokens)
        reset = bucket.seconds_until_full() if remaining else bucket.seconds_until_next()
        return [
            (b"ratelimit-policy", self.policy.encode()),
            (b"ratelimit", f'"default";r={remaining};t={reset}'.encode()),
        ]


def _address(text: str) -> IPv4Address | IPv6Address | None:
    try:
        return ip_address(text)
    except ValueError:
        return None


class AbuseLimits:
    """Pure ASGI middleware; sits outside HttpLayer so it also guards cached answers."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self.limiter = RateLimiter(settings) if settings.rate_limit_per_minute > 0 else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        extra: list[tuple[bytes, bytes]] = []
        problem: Problem | None = None
        # Every request costs a token, malformed ones too: probing is throttled like reading.
        if self.limiter is not None and path not in UNLIMITED_PATHS:
            bucket, allowed = self.limiter.take(self.limiter.client_of(scope))
            extra = self.limiter.headers(bucket)
            if not allowed:
                problem = RateLimited(bucket.seconds_until_next(), self.limiter.per_minute)
        problem = problem or self._refusal(scope)
        if problem is not None:
            await _send_problem(send, scope, problem, extra)
            return
        csp = not path.startswith(NO_CSP_PREFIXES)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                raw = message["headers"] = list(message.get("headers", []))
                if csp and not any(k.lower() == b"content-security-policy" for k, _ in raw):
                    raw.append(CSP_HEADER)
                headers = MutableHeaders(raw=raw)
                if extra:
                    for name, value in extra:
                        headers.append(name.decode(), value.decode())
                    exposed = headers.get("access-control-expose-headers")
                    if exposed is not None:
                        headers["access-control-expose-headers"] = (
                            f"{exposed}, {RATE_LIMIT_HEADERS}"
                        )
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _refusal(self, scope: Scope) -> Problem | None:
        settings = self.settings
        raw_path: bytes = scope.get("raw_path") or scope["path"].encode()
        url_bytes = len(raw_path) + len(scope.get("query_string", b"")) + 1
        if url_bytes > settings.max_url_bytes:
            return UriTooLong(url_bytes, settings.max_url_bytes)
        header_bytes = 0
        length, chunked = "0", False
        for name, value in scope["headers"]:  # one pass: size, body length, chunking
            header_bytes += len(name) + len(value) + 4
            if name == b"content-length":
                length = value.decode("latin-1").strip() or "0"
            elif name == b"transfer-encoding":
                chunked = b"chunked" in value.lower()
        if header_bytes > settings.max_header_bytes:
            return HeadersTooLarge(header_bytes, settings.max_header_bytes)
        if chunked or not length.isdigit() or int(length) > settings.max_body_bytes:
            return PayloadTooLarge(settings.max_body_bytes)
        if CONTROL_CHARACTERS.search(scope["path"]):
            # No id holds one, and PostgreSQL refuses NUL in text: answer before any query.
            return Problem.of("not-found", "No resource has an id containing a control character.")
        return None


async def _send_problem(
    send: Send, scope: Scope, problem: Problem, extra: list[tuple[bytes, bytes]]
) -> None:
    body = orjson.dumps(problem.body(scope["path"]))
    headers = [
        (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
        (b"content-length", str(len(body)).encode()),
        (b"cache-control", b"no-store"),
        (b"access-control-allow-origin", b"*"),
        (
            b"access-control-expose-headers",
            f"Retry-After, X-Request-Id, {RATE_LIMIT_HEADERS}".encode(),
        ),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"no-referrer"),
        (b"content-security-policy", API_CSP.encode()),
        (b"x-request-id", uuid.uuid4().hex.encode()),
        *((k.lower().encode(), v.encode()) for k, v in problem.headers.items()),
        *extra,
    ]
    if isinstance(problem, PayloadTooLarge):
        # The body was not read, so the connection must not be reused for another request.
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": problem.status, "headers": headers})
    await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})
