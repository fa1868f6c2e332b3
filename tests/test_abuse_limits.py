"""Abuse limits (service.limits): URL, header and body caps, the optional per-client token
bucket with its IETF RateLimit headers, and the Content-Security-Policy rule."""

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy.engine import Engine
from starlette.types import Receive, Scope, Send

from service import rate_limit
from service.config import Settings
from service.main import create_app
from service.middleware import API_CSP, EdgeHeaders


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(rate_limit, "clock", fake)
    return fake


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


def test_token_bucket_allows_the_burst_then_429_with_retry_after(
    app_with: Callable[..., TestClient], clock: FakeClock
) -> None:
    client = app_with(rate_limit_per_minute=60, rate_limit_burst=2)
    first = client.get("/v1/meta")
    second = client.get("/v1/meta")  # a cache hit, answered before routing: still counted
    assert (first.status_code, second.status_code) == (200, 200)
    assert first.headers["ratelimit-policy"] == '"default";q=60;w=60'
    assert first.headers["ratelimit"] == '"default";r=1;t=1'
    assert second.headers["ratelimit"] == '"default";r=0;t=1'

    refused = client.get("/v1/meta")
    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.headers["retry-after"] == "1"
    assert refused.headers["ratelimit"] == '"default";r=0;t=1'
    assert refused.headers["ratelimit-policy"] == '"default";q=60;w=60'
    assert refused.headers["cache-control"] == "no-store"
    assert "RateLimit" in refused.headers["access-control-expose-headers"]
    assert refused.json() == {
        "type": "/problems/rate-limited",
        "title": "Too many requests",
        "status": 429,
        "detail": "This client may make 60 requests a minute (with short bursts); retry in 1 s.",
        "instance": "/v1/meta",
    }

    clock.now += 1.0  # one token back
    again = client.get("/v1/meta")
    assert again.status_code == 200
    assert again.headers["ratelimit"] == '"default";r=0;t=1'


def test_rate_limit_headers_count_down_and_reset_time_is_until_full(
    app_with: Callable[..., TestClient], clock: FakeClock
) -> None:
    client = app_with(rate_limit_per_minute=6)  # burst defaults to the per-minute figure
    seen = [client.get("/healthz") for _ in range(3)]  # health checks are not limited
    assert all("ratelimit" not in r.headers for r in seen)
    remaining = [client.get("/v1/figures?limit=1").headers["ratelimit"] for _ in range(6)]
    # one token per 10 s: with k tokens used, the bucket is full again in 10*k seconds
    assert remaining == [f'"default";r={5 - i};t={10 * (i + 1)}' for i in range(5)] + [
        '"default";r=0;t=10'
    ]
    refused = client.get("/v1/figures?limit=1")
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "10"
    clock.now += 4.0
    assert client.get("/v1/figures?limit=1").headers["retry-after"] == "6"


@pytest.mark.usefixtures("clock")
def test_clients_have_separate_buckets(settings: Settings, engine: Engine) -> None:
    app = create_app(
        settings.model_copy(update={"rate_limit_per_minute": 1, "rate_limit_burst": 1}), engine
    )
    one = TestClient(app, client=("198.51.100.1", 1))
    two = TestClient(app, client=("198.51.100.2", 1))
    assert one.get("/v1/meta").status_code == 200
    assert one.get("/v1/meta").status_code == 429
    assert two.get("/v1/meta").status_code == 200
    assert two.get("/v1/meta").status_code == 429


@pytest.mark.usefixtures("clock")
def test_forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy(
    app_with: Callable[..., TestClient],
) -> None:
    client = app_with(peer=("203.0.113.9", 1), rate_limit_per_minute=1)
    first = client.get("/v1/meta", headers={"x-forwarded-for": "192.0.2.1"})
    spoofed = client.get("/v1/meta", headers={"x-forwarded-for": "192.0.2.2"})
    assert (first.status_code, spoofed.status_code) == (200, 429)


@pytest.mark.usefixtures("clock")
def test_behind_a_trusted_proxy_the_nearest_untrusted_hop_is_the_client(
    app_with: Callable[..., TestClient],
) -> None:
    client = app_with(peer=("10.0.0.5", 1), rate_limit_per_minute=1, trusted_proxies=["10.0.0.0/8"])

    def status(forwarded: str) -> int:
        return client.get("/v1/meta", headers={"x-forwarded-for": forwarded}).status_code

    # the client cannot escape its bucket by prepending addresses of its own
    assert status("192.0.2.1, 10.0.0.7") == 200
    assert status("6.6.6.6, 192.0.2.1, 10.0.0.7") == 429
    assert status("192.0.2.2") == 200
    # no usable hop: the proxy itself is the client
    assert status("not-an-address") == 200
    assert status("") == 429


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


def test_api_answers_carry_a_restrictive_csp_but_swagger_ui_does_not(
    client: TestClient,
) -> None:
    for url in ("/v1/meta", "/v1/figures?format=csv", "/openapi.json", "/healthz", "/nope"):
        assert client.get(url).headers["content-security-policy"] == API_CSP, url
    etag = client.get("/v1/meta").headers["etag"]
    not_modified = client.get("/v1/meta", headers={"if-none-match": etag})
    assert not_modified.status_code == 304
    assert not_modified.headers["content-security-policy"] == API_CSP
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert docs.headers["content-type"].startswith("text/html")
    assert "content-security-policy" not in docs.headers
    assert "server" not in docs.headers


def test_a_policy_set_by_the_route_is_kept() -> None:
    """A route that sets its own CSP (an embed card's frame-ancestors *) keeps it."""

    async def page(scope: Scope, _receive: Receive, send: Send) -> None:
        own = [(b"content-security-policy", b"frame-ancestors *")] if "own" in scope["path"] else []
        await send({"type": "http.response.start", "status": 200, "headers": own})
        await send({"type": "http.response.body", "body": b"<p>card</p>"})

    client = TestClient(EdgeHeaders(page))
    assert client.get("/v1/figures/own").headers["content-security-policy"] == "frame-ancestors *"
    assert client.get("/v1/figures/plain").headers["content-security-policy"] == API_CSP
    assert client.get("/v1/embed/plain").headers["content-security-policy"] == API_CSP
    assert "content-security-policy" not in client.get("/docs").headers


@pytest.mark.usefixtures("clock")
def test_refused_requests_cost_a_token_and_carry_the_rate_limit_headers(
    app_with: Callable[..., TestClient],
) -> None:
    client = app_with(rate_limit_per_minute=60, rate_limit_burst=2, max_url_bytes=64)
    too_long = client.get("/v1/figures?measure=" + "m" * 60)
    assert too_long.status_code == 414
    assert too_long.headers["ratelimit"] == '"default";r=1;t=1'
    assert client.get("/v1/figures/%00").status_code == 404
    assert client.get("/v1/meta").status_code == 429
