"""Abuse limits: URL, header and body caps, the optional per-client rate limit (a moving
window in the `limits` library's storage) with its IETF RateLimit headers, and the
Content-Security-Policy rule.

The rate limit was a hand-written token bucket; on the library's moving window the figures
differ where the algorithm does: a client may make `burst` requests in any window of
burst*60/per_minute seconds, so RateLimit-Policy names that window (q=2;w=2 for 60 a minute
with bursts of 2, not q=60;w=60), and `t` and Retry-After count until the oldest request
leaves the window. Those are read from the wall clock, so a `t` is checked to be the window
or one second less.
"""

import contextlib
import socket
import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import event
from sqlalchemy.engine import Engine
from starlette.types import Receive, Scope, Send

from service.api import health
from service.apidocs import DOCS_CSP
from service.caching import API_CSP
from service.config import Settings
from service.main import ServiceApp, create_app
from service.middleware import AbuseLimits, EdgeHeaders
from tests.machine import require_redis
from tests.processes import AppProcess, wait_until


@pytest.fixture
def app_with(settings: Settings, engine: Engine) -> Iterator[Callable[..., TestClient]]:
    """A client for an app whose settings differ from the defaults by **changes."""
    clients: list[TestClient] = []

    def make(peer: tuple[str, int] = ("198.51.100.1", 4000), **changes: Any) -> TestClient:
        app = create_app(settings.model_copy(update=changes), engine)
        client = TestClient(app, client=peer)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


def test_rate_limit_is_off_by_default(client: TestClient) -> None:
    for _ in range(5):
        response = client.get("/v1/meta")
        assert response.status_code == 200
        assert "ratelimit" not in response.headers
        assert "ratelimit-policy" not in response.headers


def reset_of(header: str) -> int:
    return int(header.rsplit("t=", 1)[1])


def test_the_burst_is_allowed_then_429_with_retry_after(
    app_with: Callable[..., TestClient],
) -> None:
    client = app_with(rate_limit_per_minute=6, rate_limit_burst=2)  # 2 in any 20 s
    first = client.get("/v1/meta")
    second = client.get("/v1/meta")  # a cache hit, answered before routing: still counted
    assert (first.status_code, second.status_code) == (200, 200)
    assert first.headers["ratelimit-policy"] == '"default";q=2;w=20'
    assert first.headers["ratelimit"].startswith('"default";r=1;t=')
    assert second.headers["ratelimit"].startswith('"default";r=0;t=')
    assert reset_of(second.headers["ratelimit"]) in (19, 20)

    refused = client.get("/v1/meta", headers={"Origin": "https://desk.example"})
    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.headers["retry-after"] in ("19", "20")
    assert refused.headers["ratelimit"] == f'"default";r=0;t={refused.headers["retry-after"]}'
    assert refused.headers["ratelimit-policy"] == '"default";q=2;w=20'
    assert refused.headers["cache-control"] == "no-store"
    assert "RateLimit" in refused.headers["access-control-expose-headers"]
    assert refused.json() == {
        "type": "/problems/rate-limited",
        "title": "Too many requests",
        "status": 429,
        "detail": "This client may make 6 requests a minute (with short bursts); "
        f"retry in {refused.headers['retry-after']} s.",
        "instance": "/v1/meta",
    }


def test_the_budget_comes_back_when_the_window_has_passed(
    app_with: Callable[..., TestClient],
) -> None:
    client = app_with(rate_limit_per_minute=60, rate_limit_burst=1)  # 1 in any 1 s
    assert client.get("/v1/meta").status_code == 200
    assert client.get("/v1/meta").status_code == 429
    # refused requests are not counted, so polling does not keep the window full
    wait_until(lambda: client.get("/v1/meta").status_code == 200, 10, "the window to pass")


def test_rate_limit_headers_count_down(app_with: Callable[..., TestClient]) -> None:
    client = app_with(rate_limit_per_minute=6)  # burst defaults to the per-minute figure
    seen = [client.get("/healthz") for _ in range(3)]  # health checks are not limited
    assert all("ratelimit" not in r.headers for r in seen)
    headers = [client.get("/v1/figures?limit=1").headers["ratelimit"] for _ in range(6)]
    assert [h.split(";t=")[0] for h in headers] == [f'"default";r={5 - i}' for i in range(6)]
    assert all(reset_of(h) in (59, 60) for h in headers)
    refused = client.get("/v1/figures?limit=1")
    assert refused.status_code == 429
    assert refused.headers["retry-after"] in ("59", "60")


def test_clients_have_separate_budgets(settings: Settings, engine: Engine) -> None:
    app = create_app(
        settings.model_copy(update={"rate_limit_per_minute": 1, "rate_limit_burst": 1}), engine
    )
    one = TestClient(app, client=("198.51.100.1", 1))
    two = TestClient(app, client=("198.51.100.2", 1))
    assert one.get("/v1/meta").status_code == 200
    assert one.get("/v1/meta").status_code == 429
    assert two.get("/v1/meta").status_code == 200
    assert two.get("/v1/meta").status_code == 429


def test_an_ipv6_client_is_counted_per_64(settings: Settings, engine: Engine) -> None:
    """Issue 17 item 8: rotating addresses inside one's /64 gave a fresh budget each time."""
    app = create_app(
        settings.model_copy(update={"rate_limit_per_minute": 2, "rate_limit_burst": 2}), engine
    )

    def status(address: str) -> int:
        with TestClient(app, client=(address, 1)) as client:
            return client.get("/v1/meta").status_code

    assert status("2001:db8:1:2::1") == 200
    assert status("2001:db8:1:2:ffff:ffff:ffff:fffe") == 200
    assert status("2001:db8:1:2::9") == 429  # the same /64
    assert status("2001:db8:1:3::1") == 200  # the next /64 is someone else


def test_a_flood_from_other_addresses_cannot_refill_an_exhausted_client(
    app_with: Callable[..., TestClient],
) -> None:
    """Issue 17 item 8: 10,001 other addresses evicted a client's bucket, and with it the
    record that it was exhausted."""
    client = app_with(rate_limit_per_minute=1, rate_limit_burst=1)
    assert client.get("/v1/meta").status_code == 200
    assert client.get("/v1/meta").status_code == 429
    app = client.app
    assert isinstance(app, ServiceApp)
    layer: Any = app.front
    while not isinstance(layer, AbuseLimits):
        layer = layer.app
    limiter = layer.limiter
    assert limiter is not None
    for i in range(10_001):
        assert limiter.take(f"10.{i >> 16}.{(i >> 8) & 255}.{i & 255}").allowed
    assert client.get("/v1/meta").status_code == 429


def test_forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy(
    app_with: Callable[..., TestClient],
) -> None:
    client = app_with(peer=("203.0.113.9", 1), rate_limit_per_minute=1)
    first = client.get("/v1/meta", headers={"x-forwarded-for": "192.0.2.1"})
    spoofed = client.get("/v1/meta", headers={"x-forwarded-for": "192.0.2.2"})
    assert (first.status_code, spoofed.status_code) == (200, 429)


def test_behind_a_trusted_proxy_the_nearest_untrusted_hop_is_the_client(
    app_with: Callable[..., TestClient],
) -> None:
    client = app_with(peer=("10.0.0.5", 1), rate_limit_per_minute=1, trusted_proxies=["10.0.0.0/8"])

    def status(forwarded: str) -> int:
        return client.get("/v1/meta", headers={"x-forwarded-for": forwarded}).status_code

    # the client cannot escape its budget by prepending addresses of its own
    assert status("192.0.2.1, 10.0.0.7") == 200
    assert status("6.6.6.6, 192.0.2.1, 10.0.0.7") == 429
    assert status("192.0.2.2") == 200
    # no usable hop: the proxy itself is the client
    assert status("not-an-address") == 200
    assert status("") == 429


def test_readyz_is_answered_from_a_one_second_memo(
    client: TestClient, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 17 item 8: /readyz is not throttled, and queried the database every call."""
    now = [500.0]
    monkeypatch.setattr(health, "clock", lambda: now[0])
    pings: list[str] = []

    def count(*args: Any) -> None:
        if "SELECT 1" in args[2]:
            pings.append(args[2])

    event.listen(engine, "before_cursor_execute", count)
    try:
        answers = [client.get("/readyz") for _ in range(50)]
        now[0] += 0.99
        answers.append(client.get("/readyz"))
        assert len(pings) == 1
        now[0] += 0.02
        answers.append(client.get("/readyz"))
        assert len(pings) == 2
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert {a.status_code for a in answers} == {200}
    assert answers[0].json()["status"] == "ready"


def test_trusted_proxies_setting_takes_a_comma_list_and_rejects_non_addresses(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("APP_TRUSTED_PROXIES", "10.0.0.0/8, 127.0.0.1")
    assert Settings().trusted_proxies == ["10.0.0.0/8", "127.0.0.1"]
    monkeypatch.setenv("APP_TRUSTED_PROXIES", "10.0.0.0/8,proxy.internal")
    with pytest.raises(ValidationError, match=r"proxy\.internal"):
        Settings()


def test_url_limit_is_inclusive_and_counts_path_and_query(
    app_with: Callable[..., TestClient],
) -> None:
    client = app_with(max_url_bytes=64)
    path = "/v1/figures?measure="  # 20 bytes, plus the value
    at_limit = client.get(path + "m" * 44)
    over = client.get(path + "m" * 45)
    assert at_limit.status_code == 422  # past the limit check; an unknown measure
    assert over.status_code == 414
    assert (
        over.json()["detail"]
        == "The path and query string are 65 bytes long; at most 64 are accepted."
    )


def test_header_limit_counts_every_header(app_with: Callable[..., TestClient]) -> None:
    client = app_with(max_header_bytes=600)
    assert client.get("/v1/meta", headers={"x-pad": "p" * 300}).status_code == 200
    too_big = client.get("/v1/meta", headers={"x-pad": "p" * 600})
    assert too_big.status_code == 431
    assert too_big.json()["type"] == "/problems/headers-too-large"


def test_bodies_are_refused_unread_and_the_connection_closed(client: TestClient) -> None:
    assert client.get("/v1/meta", headers={"content-length": "0"}).status_code == 200
    refused = client.request("GET", "/v1/meta", content=b"x" * 10)
    assert refused.status_code == 413
    assert refused.headers["connection"] == "close"
    assert refused.json()["detail"] == (
        "This API only answers GET and HEAD and reads no request body; send none "
        "(at most 0 bytes are tolerated)."
    )


def test_a_small_body_allowance_can_be_configured(app_with: Callable[..., TestClient]) -> None:
    client = app_with(max_body_bytes=16)
    assert client.request("GET", "/v1/meta", content=b"x" * 16).status_code == 200
    assert client.request("GET", "/v1/meta", content=b"x" * 17).status_code == 413


def test_head_of_a_refusal_has_no_body(app_with: Callable[..., TestClient]) -> None:
    client = app_with(max_url_bytes=64)
    response = client.head("/v1/figures?measure=" + "m" * 60)
    assert response.status_code == 414
    assert response.content == b""
    assert response.headers["content-type"] == "application/problem+json"


def test_data_answers_carry_no_csp_and_swagger_ui_its_same_origin_one(
    client: TestClient,
) -> None:
    """A CSP governs what a browser renders; JSON, CSV and problem+json are data (nosniff
    keeps them so), and a JavaScript file or an Atom feed gets the restrictive default."""
    for url in ("/v1/meta", "/v1/figures?format=csv", "/openapi.json", "/healthz", "/nope"):
        assert "content-security-policy" not in client.get(url).headers, url
        assert client.get(url).headers["x-content-type-options"] == "nosniff", url
    etag = client.get("/v1/meta").headers["etag"]
    not_modified = client.get("/v1/meta", headers={"if-none-match": etag})
    assert not_modified.status_code == 304
    assert "content-security-policy" not in not_modified.headers
    for url in ("/v1/embed.js", "/static/web.js", "/v1/changes.atom"):
        assert client.get(url).headers["content-security-policy"] == API_CSP, url
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert docs.headers["content-type"].startswith("text/html")
    assert docs.headers["content-security-policy"] == DOCS_CSP
    assert "server" not in docs.headers


def test_a_policy_set_by_the_route_is_kept() -> None:
    """A route that sets its own CSP (an embed card's frame-ancestors *) keeps it; a rendered
    answer without one gets the default, and a JSON one none."""

    async def page(scope: Scope, _receive: Receive, send: Send) -> None:
        own = [(b"content-security-policy", b"frame-ancestors *")] if "own" in scope["path"] else []
        media = b"application/json" if "json" in scope["path"] else b"text/html; charset=utf-8"
        headers = [(b"content-type", media), *own]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"<p>card</p>"})

    client = TestClient(EdgeHeaders(page))
    assert client.get("/v1/figures/own").headers["content-security-policy"] == "frame-ancestors *"
    assert client.get("/v1/figures/plain").headers["content-security-policy"] == API_CSP
    assert client.get("/v1/embed/plain").headers["content-security-policy"] == API_CSP
    assert client.get("/docs").headers["content-security-policy"] == API_CSP
    assert "content-security-policy" not in client.get("/v1/figures/json").headers
    assert client.get("/v1/figures/own.json").headers["content-security-policy"] == (
        "frame-ancestors *"
    )


def test_refused_requests_cost_a_token_and_carry_the_rate_limit_headers(
    app_with: Callable[..., TestClient],
) -> None:
    client = app_with(rate_limit_per_minute=6, rate_limit_burst=2, max_url_bytes=64)
    too_long = client.get("/v1/figures?measure=" + "m" * 60)
    assert too_long.status_code == 414
    assert too_long.headers["ratelimit"].startswith('"default";r=1;t=')
    assert client.get("/v1/figures/%00").status_code == 404
    assert client.get("/v1/meta").status_code == 429


@pytest.mark.processes
def test_replicas_share_one_budget_in_redis(tmp_path: Path, database_url: str) -> None:
    """APP_RATE_LIMIT_STORAGE=redis://...: two real app processes draw on one budget."""
    require_redis()
    prefix = f"test-{uuid.uuid4().hex}"
    store = redis.Redis(host="127.0.0.1", port=6379)
    shared = {
        "database_url": database_url,
        "revision_check_seconds": 0,
        "rate_limit_per_minute": 3,
        "rate_limit_storage": "redis://127.0.0.1:6379/0",
        "rate_limit_key_prefix": prefix,
    }
    replicas = [AppProcess(tmp_path, name, command="serve", **shared) for name in "ab"]
    try:
        for replica in replicas:
            replica.wait_ready()
        a, b = replicas
        assert [a.get("/v1/meta").status_code for _ in range(2)] == [200, 200]
        third = b.get("/v1/meta")
        assert third.status_code == 200
        assert third.headers["ratelimit"].startswith('"default";r=0;t=')
        assert b.get("/v1/meta").status_code == 429
        assert a.get("/v1/meta").status_code == 429
        keys = list(store.scan_iter(f"{prefix}*"))
        assert len(keys) == 1  # one budget, for 127.0.0.1, shared by both
    finally:
        for replica in replicas:
            replica.terminate()
        for key in store.scan_iter(f"{prefix}*"):
            store.delete(key)


@contextlib.contextmanager
def silent_server() -> Iterator[tuple[int, list[socket.socket]]]:
    """A TCP server that accepts every connection and never sends a byte (a hung Redis);
    yields its port and the connections it accepted."""
    listener = socket.create_server(("127.0.0.1", 0))
    accepted: list[socket.socket] = []

    def accept() -> None:
        with contextlib.suppress(OSError):  # the listener closed
            while True:
                accepted.append(listener.accept()[0])

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield listener.getsockname()[1], accepted
    finally:
        listener.close()
        for connection in accepted:
            connection.close()


@pytest.mark.processes
def test_a_redis_that_never_answers_lets_requests_through(
    tmp_path: Path, database_url: str
) -> None:
    """Issue 25: a Redis that accepts and never answers held every rate-limited request
    for over 200 s, and after 60 of them /healthz stopped answering too. Now each waits at
    most the 50 ms read timeout, then goes through unlimited (fails open, as documented)."""
    with silent_server() as (port, accepted):
        app = AppProcess(
            tmp_path,
            "silent-redis",
            command="serve",
            database_url=database_url,
            revision_check_seconds=0,
            rate_limit_per_minute=600,
            rate_limit_storage=f"redis://127.0.0.1:{port}/0",
        )
        try:
            app.wait_ready()
            app.http.timeout = httpx.Timeout(5)  # "answered": well before Redis's 200 s
            first = app.get("/v1/meta")
            assert first.status_code == 200
            assert first.headers["ratelimit"] == '"default";r=600;t=60'
            assert len(accepted) == 1  # it was asked, and did not answer
            paused = app.get("/v1/meta")  # within the pause: Redis is not asked
            print(
                f"with a silent Redis: the first (cold) request {first.elapsed.total_seconds()}"
                f" s, the next (a hit, Redis paused) {paused.elapsed.total_seconds()} s"
            )
            with ThreadPoolExecutor(60) as pool:
                statuses = list(pool.map(lambda _: app.get("/v1/meta").status_code, range(60)))
            assert statuses == [200] * 60
            assert app.get("/healthz").status_code == 200
            assert "rate-limit storage unavailable (TimeoutError)" in app.logs()
        finally:
            app.terminate()
