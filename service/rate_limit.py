"""The rate limit, on the `limits` library, and who the client is behind trusted proxies.

Each client may make `burst` requests in any moving window of `window` seconds, where the
window is chosen so that the long-run rate is rate_limit_per_minute. The window lives in
the library's storage: this process's memory by default, or Redis when
APP_RATE_LIMIT_STORAGE=redis://... so that every replica draws on one budget. Neither
forgets a client before its window has passed, however many other addresses arrive.
IPv6 clients are counted per /64, the block one subscriber is usually given.

Redis is asked with a connect and a read timeout of STORAGE_TIMEOUT_SECONDS and no retries,
so a Redis that accepts connections and never answers costs a request that much and then
lets it through; after a failure Redis is left alone for STORAGE_PAUSE_SECONDS (requests go
through unlimited meanwhile), so a dead Redis costs one request a pause, not every request.
"""

import math
import time
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv6Address, ip_address, ip_network

from starlette.datastructures import Headers
from starlette.types import Scope

from service.config import Settings
from service.errors import logger

IPV6_PREFIX = 64
#: Connect and read timeouts of a Redis round trip: a loopback or same-zone Redis answers in
#: about a millisecond, so this only cuts off one that is not answering.
STORAGE_TIMEOUT_SECONDS = 0.05
#: After a storage failure, how long requests go through without asking it again.
STORAGE_PAUSE_SECONDS = 1.0


@dataclass(frozen=True, slots=True)
class Verdict:
    allowed: bool
    remaining: int
    reset_seconds: int  # until the oldest request in the window leaves it


class RateLimiter:
    def __init__(self, settings: Settings) -> None:
        # Imported only when a rate limit is set (it is off by default): not on start-up's path.
        from limits import RateLimitItemPerSecond
        from limits.storage import storage_from_string
        from limits.strategies import MovingWindowRateLimiter

        self.per_minute = settings.rate_limit_per_minute
        self.burst = settings.rate_limit_burst or self.per_minute
        self.window = max(1, math.ceil(self.burst * 60 / self.per_minute))
        self.item = RateLimitItemPerSecond(self.burst, self.window)
        uri = settings.rate_limit_storage
        self.shared = not uri.startswith("memory://")
        options: dict[str, float | str] = {}
        if self.shared:
            options["key_prefix"] = settings.rate_limit_key_prefix
        if uri.startswith(("redis", "valkey")):
            # No retries: the connection pool built from a URL has none (redis-py's default).
            options["socket_connect_timeout"] = STORAGE_TIMEOUT_SECONDS
            options["socket_timeout"] = STORAGE_TIMEOUT_SECONDS
        #: Until when (time.monotonic) the storage is not asked, after it failed.
        self.paused_until = 0.0
        self.strategy = MovingWindowRateLimiter(storage_from_string(uri, **options))
        self.proxies = [ip_network(p, strict=False) for p in settings.trusted_proxies]
        self.policy = f'"default";q={self.burst};w={self.window}'

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

    def take(self, client: str) -> Verdict:
        """Count one request of `client` (refused ones are not counted: the window holds
        what was served) and say whether it may go ahead. When the storage cannot be
        reached the request goes ahead: the limit fails open, the API does not fail."""
        key = budget_key(client)
        if time.monotonic() < self.paused_until:
            return Verdict(True, self.burst, self.window)
        try:
            allowed = self.strategy.hit(self.item, key)
            stats = self.strategy.get_window_stats(self.item, key)
        except Exception as error:  # any storage failure (Redis down, timeout)
            self.paused_until = time.monotonic() + STORAGE_PAUSE_SECONDS
            logger.warning(
                "rate-limit storage unavailable (%s): requests go through unlimited for %g s",
                type(error).__name__,
                STORAGE_PAUSE_SECONDS,
            )
            return Verdict(True, self.burst, self.window)
        reset = max(1, math.ceil(stats.reset_time - time.time()))
        return Verdict(allowed, stats.remaining, min(reset, self.window))

    def headers(self, verdict: Verdict) -> list[tuple[bytes, bytes]]:
        return [
            (b"ratelimit-policy", self.policy.encode()),
            (b"ratelimit", f'"default";r={verdict.remaining};t={verdict.reset_seconds}'.encode()),
        ]


def budget_key(client: str) -> str:
    """Whose budget a request draws on: the IPv4 address, or the IPv6 /64."""
    address = _address(client)
    if isinstance(address, IPv6Address) and address.ipv4_mapped is None:
        return str(ip_network(f"{address}/{IPV6_PREFIX}", strict=False))
    if isinstance(address, IPv6Address) and address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return client


def _address(text: str) -> IPv4Address | IPv6Address | None:
    try:
        return ip_address(text)
    except ValueError:
        return None
