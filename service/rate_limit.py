"""The rate limit: a token bucket per client, and who the client is behind trusted proxies."""

import math
import time
from collections import OrderedDict
from collections.abc import Callable
from ipaddress import IPv4Address, IPv6Address, ip_address, ip_network

from starlette.datastructures import Headers
from starlette.types import Scope

from service.config import Settings

#: Clients remembered by the rate limiter; the least recently seen is forgotten first.
MAX_TRACKED_CLIENTS = 10_000

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
