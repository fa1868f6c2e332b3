"""The layers of service.middleware: their order, and the edge headers on EVERY answer:
refusals, cache hits, routed answers and 500s."""

import asyncio
import json
import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from starlette.types import Message, Receive, Scope, Send

from service import middleware
from service.admission import Admission
from service.config import Settings
from service.main import ServiceApp, create_app
from service.middleware import API_CSP
from service.reads import meta as meta_reads
from service.request_log import WRITER
from service.state import AppState

EDGE = {
    "access-control-allow-origin": "*",
    "access-control-expose-headers": "ETag, Link, Retry-After, X-Request-Id, RateLimit, "
    "RateLimit-Policy, Dataset-Revision",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "content-security-policy": API_CSP,
}
INTERNAL_ERROR = {
    "type": "/problems/internal-error",
    "title": "Internal error",
    "status": 500,
    "detail": "An unexpected error occurred; it has been logged.",
    "instance": "/v1/meta",
}


@pytest.fixture
def app_with(settings: Settings, engine: Engine) -> Iterator[Callable[..., TestClient]]:
    clients: list[TestClient] = []

    def make(**changes: Any) -> TestClient:
        client = TestClient(create_app(settings.model_copy(update=changes), engine))
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


def edge_headers(response: Any) -> dict[str, str]:
    return {name: response.headers.get(name) for name in EDGE}


def test_the_stack_runs_the_layers_in_request_order(client: TestClient) -> None:
    app = client.app
    assert isinstance(app, ServiceApp)
    layers = []
    layer: Any = app.front
    while hasattr(layer, "app"):
        layers.append(type(layer).__name__)
        layer = layer.app
    assert layers == [
        "RequestLog",
        "EdgeHeaders",
        "AllowedHosts",
        "AbuseLimits",
        "ConditionalGet",
        "FastPath",
        "Admission",
    ]
    assert layer == app.routed


@pytest.mark.parametrize(
    ("changes", "request_kwargs", "status"),
    [
        pytest.param(
            {"rate_limit_per_minute": 1, "rate_limit_burst": 1}, {}, 429, id="rate-limited"
        ),
        pytest.param({}, {"content": b"x"}, 413, id="body"),
        pytest.param({"max_url_bytes": 32}, {"params": {"measure": "m" * 40}}, 414, id="url"),
        pytest.param(
            {"max_header_bytes": 300}, {"headers": {"x-pad": "p" * 300}}, 431, id="headers"
        ),
    ],
)
def test_a_refusal_echoes_the_request_id_and_carries_the_edge_headers(
    app_with: Callable[..., TestClient],
    changes: dict[str, Any],
    request_kwargs: dict[str, Any],
    status: int,
) -> None:
    client = app_with(**changes)
    if status == 429:
        client.get("/v1/figures")
    headers = {"X-Request-Id": "desk-42", **request_kwargs.pop("headers", {})}
    refused = client.request("GET", "/v1/figures", headers=headers, **request_kwargs)
    assert refused.status_code == status
    assert refused.headers["x-request-id"] == "desk-42"
    assert refused.headers["content-type"] == "application/problem+json"
    assert edge_headers(refused) == EDGE


def test_a_huge_content_length_is_a_413_not_a_500(client: TestClient) -> None:
    """4,301 digits would overflow int() parsing; the length is refused unread."""
    response = client.get("/v1/meta", headers={"Content-Length": "0" * 4301 + "1"})
    assert response.status_code == 413
    assert response.json()["type"] == "/problems/payload-too-large"


def test_a_500_from_a_route_is_problem_json_with_the_edge_headers(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*_: Any) -> None:
        raise RuntimeError("secret detail of a bug")

    monkeypatch.setattr(meta_reads, "meta", broken)
    with caplog.at_level(logging.ERROR, logger="service"):
        response = client.get("/v1/meta", headers={"X-Request-Id": "desk-500"})
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["x-request-id"] == "desk-500"
    assert edge_headers(response) == EDGE
    assert response.json() == INTERNAL_ERROR
    assert "secret detail" not in response.text
    assert "Traceback" not in response.text
    tracebacks = [r for r in caplog.records if r.exc_info]
    assert [r.getMessage() for r in tracebacks] == ["unhandled error on /v1/meta"]


def test_a_500_from_a_layer_outside_fastapi_is_answered_too(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    client.get("/v1/meta")  # warm, so the next request reaches the cache in FastPath
    app = client.app
    assert isinstance(app, ServiceApp)

    def broken(_key: str) -> None:
        raise RuntimeError("cache bug")

    monkeypatch.setattr(app.service.cache, "get", broken)
    response = client.get("/v1/meta", headers={"X-Request-Id": "desk-501"})
    assert response.status_code == 500
    assert response.headers["x-request-id"] == "desk-501"
    assert edge_headers(response) == EDGE
    assert response.json() == INTERNAL_ERROR


def test_a_500_is_logged_as_500_with_its_request_id(
    app_with: Callable[..., TestClient],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    def broken(*_: Any) -> None:
        raise RuntimeError("bug")

    monkeypatch.setattr(meta_reads, "meta", broken)
    client = app_with(log_format="json")
    capsys.readouterr()
    client.get("/v1/meta", headers={"X-Request-Id": "desk-log"})
    WRITER.flush()
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(line["status"], line["request_id"]) for line in lines] == [(500, "desk-log")]


def test_a_hit_and_a_miss_carry_the_same_edge_headers(client: TestClient) -> None:
    miss = client.get("/v1/figures?limit=1", headers={"X-Request-Id": "one"})
    hit = client.get("/v1/figures?limit=1", headers={"X-Request-Id": "two"})
    assert (miss.headers["x-request-id"], hit.headers["x-request-id"]) == ("one", "two")
    assert edge_headers(miss) == edge_headers(hit) == EDGE
    assert [k for k in miss.headers if k != "x-request-id"] == [
        k for k in hit.headers if k != "x-request-id"
    ]


def test_an_invalid_request_id_is_replaced_by_a_fresh_one(client: TestClient) -> None:
    response = client.get("/v1/meta", headers={"X-Request-Id": "bad id with spaces"})
    fresh = response.headers["x-request-id"]
    assert fresh != "bad id with spaces"
    assert len(fresh) == 32
    assert int(fresh, 16) >= 0
    assert middleware.REQUEST_ID.match(fresh)


BAD_HOST = {
    "type": "/problems/bad-host",
    "title": "Host not served",
    "status": 400,
    "detail": "This service does not answer for the host 'evil.example'; see APP_ALLOWED_HOSTS.",
    "instance": "/v1/figures/",
}


def test_a_host_that_is_not_allowed_is_refused_with_the_edge_headers(client: TestClient) -> None:
    """Issue 17 item 6: `Host: evil.example` was reflected in a redirect's Location."""
    refused = client.get(
        "/v1/figures/",
        headers={"host": "evil.example", "X-Request-Id": "desk-host"},
        follow_redirects=False,
    )
    assert refused.status_code == 400
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json() == BAD_HOST
    assert "location" not in refused.headers
    assert refused.headers["x-request-id"] == "desk-host"
    assert edge_headers(refused) == EDGE


@pytest.mark.parametrize(
    "host", ["localhost", "localhost:8000", "127.0.0.1:9", "[::1]:8000", "TestServer"]
)
def test_the_loopback_names_are_allowed_by_default(client: TestClient, host: str) -> None:
    assert client.get("/v1/meta", headers={"host": host}).status_code == 200


def test_allowed_hosts_can_be_configured_and_star_allows_any(
    app_with: Callable[..., TestClient],
) -> None:
    only = app_with(allowed_hosts=["data.example.org"])
    assert only.get("/v1/meta", headers={"host": "data.example.org"}).status_code == 200
    assert only.get("/v1/meta").status_code == 400  # testserver is no longer allowed
    anything = app_with(allowed_hosts=["*"])
    assert anything.get("/v1/meta", headers={"host": "evil.example"}).status_code == 200


def test_allowed_hosts_setting_takes_a_comma_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APP_ALLOWED_HOSTS", "data.example.org, API.example.org")
    assert Settings().allowed_hosts == ["data.example.org", "api.example.org"]
    monkeypatch.delenv("APP_ALLOWED_HOSTS")
    assert Settings().allowed_hosts == ["127.0.0.1", "localhost", "::1", "testserver"]


def test_a_trailing_slash_redirect_never_names_the_request_host(
    app_with: Callable[..., TestClient],
) -> None:
    anywhere = app_with(allowed_hosts=["*"])
    plain = anywhere.get(
        "/v1/figures/?limit=2", headers={"host": "evil.example"}, follow_redirects=False
    )
    assert plain.status_code == 307
    assert plain.headers["location"] == "/v1/figures?limit=2"
    public = app_with(allowed_hosts=["*"], public_base_url="https://data.example.org")
    redirect = public.get(
        "/v1/figures/?limit=2", headers={"host": "evil.example"}, follow_redirects=False
    )
    assert redirect.status_code == 307
    assert redirect.headers["location"] == "https://data.example.org/v1/figures?limit=2"
    assert public.get("/v1/nothing-here/", follow_redirects=False).status_code == 404


def test_oembed_with_a_public_base_url_names_no_request_host(
    app_with: Callable[..., TestClient],
) -> None:
    public = app_with(allowed_hosts=["*"], public_base_url="https://data.example.org")
    answer = public.get(
        "/oembed",
        params={"url": "https://data.example.org/v1/embed/figures/met-2013.officers.dismissed"},
        headers={"host": "evil.example"},
    )
    assert answer.status_code == 200
    assert "evil.example" not in answer.text
    assert answer.json()["provider_url"] == "https://data.example.org/"


def test_two_host_headers_are_refused_even_where_any_host_is_allowed(
    app_with: Callable[..., TestClient],
) -> None:
    """Issue 25: RFC 9112 section 3.2 requires a 400 for a request with two Host lines."""
    for client in (app_with(), app_with(allowed_hosts=["*"])):
        refused = client.get("/v1/meta", headers=[("host", "localhost"), ("host", "evil.example")])
        assert refused.status_code == 400
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json() == {
            **BAD_HOST,
            "detail": "A request carries one Host header; this one 2.",
            "instance": "/v1/meta",
        }
        assert client.get("/healthz", headers=[("host", "a"), ("host", "a")]).status_code == 400


@pytest.mark.parametrize("port", ["0", "65536", "99999"])
def test_a_host_port_outside_1_to_65535_is_refused(
    app_with: Callable[..., TestClient], port: str
) -> None:
    """Issue 25: `Host: 127.0.0.1:99999` was accepted and printed in page links."""
    for client in (app_with(), app_with(allowed_hosts=["*"])):
        refused = client.get("/v1/meta", headers={"host": f"127.0.0.1:{port}"})
        assert refused.status_code == 400
        assert refused.json() == {
            **BAD_HOST,
            "detail": f"The port in the Host '127.0.0.1:{port}' is not one of 1 to 65535.",
            "instance": "/v1/meta",
        }
    assert app_with().get("/v1/meta", headers={"host": "127.0.0.1:65535"}).status_code == 200


# ---- A refusal of a CSV request answers plainly, whichever layer refuses it (issue 26) ----
#
# A request that asks for CSV (`format=csv`, or `Accept: text/csv`) and names no JSON type
# in its Accept gets `text/plain` from every refusal: the edge's size caps, rate limit and
# host check, the admission queue's 503, an unknown path's 404 and a 405, as the routed
# refusals already did. The same request that accepts problem+json gets problem+json.

TEXT = "text/plain; charset=utf-8"
PROBLEM = {"Accept": "application/problem+json"}


def refusals(client: TestClient, **request: Any) -> tuple[Any, Any, Any]:
    """The refusal of the request asked with format=csv, with Accept: text/csv, and with
    format=csv and an Accept that names problem+json."""
    url, headers = request.pop("url"), request.pop("headers", {})
    method = request.pop("method", "GET")
    joined = "&" if "?" in url else "?"
    by_format = client.request(method, f"{url}{joined}format=csv", headers=headers, **request)
    by_accept = client.request(method, url, headers={**headers, "Accept": "text/csv"}, **request)
    as_json = client.request(
        method, f"{url}{joined}format=csv", headers={**headers, **PROBLEM}, **request
    )
    return by_format, by_accept, as_json


def assert_plain(
    answers: tuple[Any, Any, Any], status: int, text: str, accept_text: str | None = None
) -> None:
    """Plain `text` to format=csv (`accept_text` to Accept: text/csv, when the request's
    size is in it), problem+json to the request that accepts it."""
    by_format, by_accept, as_json = answers
    for answer, said in ((by_format, text), (by_accept, accept_text or text)):
        assert (answer.status_code, answer.headers["content-type"]) == (status, TEXT)
        assert answer.text == said
    assert (as_json.status_code, as_json.headers["content-type"]) == (
        status,
        "application/problem+json",
    )
    assert as_json.json()["status"] == status


def test_an_unknown_path_refuses_a_csv_request_plainly(client: TestClient) -> None:
    assert_plain(
        refusals(client, url="/v1/spreadsheets"),
        404,
        "404 Not found: No endpoint at /v1/spreadsheets; see /openapi.json.\n"
        "type: /problems/not-found\n",
    )


def test_a_method_other_than_get_refuses_a_csv_request_plainly(client: TestClient) -> None:
    assert_plain(
        refusals(client, url="/v1/figures", method="DELETE"),
        405,
        "405 Method not allowed: DELETE is not allowed here; this API only answers GET and "
        "HEAD.\ntype: /problems/method-not-allowed\n",
    )


def test_a_long_url_refuses_a_csv_request_plainly(app_with: Callable[..., TestClient]) -> None:
    client = app_with(max_url_bytes=64)
    said = (
        "414 URI too long: The path and query string are {} bytes long; at most 64 are "
        "accepted.\ntype: /problems/uri-too-long\n"
    )
    answers = refusals(client, url="/v1/figures?q=" + "m" * 60)
    assert_plain(answers, 414, said.format(85), said.format(74))


def test_large_headers_refuse_a_csv_request_plainly(
    app_with: Callable[..., TestClient],
) -> None:
    client = app_with(max_header_bytes=600)
    said = (
        "431 Request header fields too large: The request headers total {} bytes; at most "
        "600 are accepted.\ntype: /problems/headers-too-large\n"
    )
    answers = refusals(client, url="/v1/figures", headers={"x-pad": "p" * 600})
    assert_plain(answers, 431, said.format(724), said.format(729))


def test_a_request_body_refuses_a_csv_request_plainly(client: TestClient) -> None:
    assert_plain(
        refusals(client, url="/v1/cases", content=b"x" * 10),
        413,
        "413 Payload too large: This API only answers GET and HEAD and reads no "
        "request body; send none (at most 0 bytes are tolerated).\n"
        "type: /problems/payload-too-large\n",
    )


def test_a_foreign_host_refuses_a_csv_request_plainly(client: TestClient) -> None:
    assert_plain(
        refusals(client, url="/v1/cases", headers={"host": "evil.example"}),
        400,
        "400 Host not served: This service does not answer for the host 'evil.example'; "
        "see APP_ALLOWED_HOSTS.\ntype: /problems/bad-host\n",
    )


def test_the_rate_limit_refuses_a_csv_request_plainly(
    app_with: Callable[..., TestClient],
) -> None:
    client = app_with(rate_limit_per_minute=6, rate_limit_burst=1)
    assert client.get("/v1/cases?format=csv").status_code == 200
    by_format, by_accept, as_json = refusals(client, url="/v1/cases")
    for answer in (by_format, by_accept):
        assert (answer.status_code, answer.headers["content-type"]) == (429, TEXT)
        retry = answer.headers["retry-after"]
        assert answer.text == (
            "429 Too many requests: This client may make 6 requests a minute (with short "
            f"bursts); retry in {retry} s.\ntype: /problems/rate-limited\n"
        )
    assert (as_json.status_code, as_json.headers["content-type"]) == (
        429,
        "application/problem+json",
    )


def test_a_full_admission_queue_refuses_a_csv_request_plainly(
    settings: Settings, engine: Engine
) -> None:
    """One connection, no queue wait: a second cold CSV request is refused with a 503."""
    state = AppState.build(
        settings.model_copy(
            update={"db_pool_size": 1, "db_max_overflow": 0, "db_pool_timeout": 0.2}
        ),
        engine,
    )
    release = asyncio.Event()

    async def app(_scope: Scope, _receive: Receive, send: Send) -> None:
        await release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    admission = Admission(app, state)

    async def call(query: bytes, accept: bytes) -> tuple[int, dict[bytes, bytes], bytes]:
        sent: list[Message] = []

        async def send(message: Message) -> None:
            sent.append(message)

        async def receive() -> Message:
            return {"type": "http.request", "body": b""}

        scope = {
            "type": "http",
            "method": "GET",
            "path": "/v1/cases",
            "query_string": query,
            "headers": [(b"accept", accept)],
        }
        await admission(scope, receive, send)
        return sent[0]["status"], dict(sent[0]["headers"]), sent[1]["body"]

    async def run() -> list[tuple[int, dict[bytes, bytes], bytes]]:
        first = asyncio.create_task(call(b"", b"*/*"))
        await asyncio.sleep(0.05)
        refused = [
            await call(b"format=csv", b"*/*"),
            await call(b"", b"text/csv"),
            await call(b"format=csv", b"application/problem+json"),
        ]
        release.set()
        await first
        return refused

    by_format, by_accept, as_json = asyncio.run(run())
    for status, headers, body in (by_format, by_accept):
        assert (status, headers[b"content-type"]) == (503, TEXT.encode())
        assert body.decode().startswith("503 ")
        assert body.decode().endswith("\ntype: /problems/overloaded\n")
    assert (as_json[0], as_json[1][b"content-type"]) == (503, b"application/problem+json")


def test_a_json_request_is_still_refused_in_problem_json(client: TestClient) -> None:
    """Without CSV asked, every refusal stays problem+json (here an unknown path)."""
    answer = client.get("/v1/spreadsheets")
    assert (answer.status_code, answer.headers["content-type"]) == (
        404,
        "application/problem+json",
    )
