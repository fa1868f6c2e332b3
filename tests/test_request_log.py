"""One line per request on stdout, text or JSON (APP_LOG_FORMAT), with the request id: for
a cache miss, a cache hit, a refusal by the edge and a 500. The lines are written by a
background thread; each test flushes it before reading what it wrote."""

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from service.config import Settings
from service.main import create_app
from service.reads import meta as meta_reads
from service.request_log import WRITER, Record, RequestLogWriter, json_line, text_line

#: 127.0.0.1:51234 - "GET /v1/meta HTTP/1.1" 200 0.412ms desk-42 (TestClient's peer).
TEXT_LINE = re.compile(
    r'^testclient:50000 - "(?P<request>[A-Z]+ \S+ HTTP/1\.1)" (?P<status>\d{3}) '
    r"(?P<ms>\d+\.\d{3})ms (?P<id>\S+)$"
)


@pytest.fixture
def client_logging(settings: Settings, engine: Engine) -> Iterator[Callable[[str], TestClient]]:
    clients: list[TestClient] = []

    def make(log_format: str) -> TestClient:
        changes = {"log_format": log_format, "max_body_bytes": 0}
        client = TestClient(create_app(settings.model_copy(update=changes), engine))
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


def written(capsys: pytest.CaptureFixture[str]) -> list[str]:
    WRITER.flush()
    return capsys.readouterr().out.splitlines()


def four_requests(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """A miss, a hit, a refusal (413: a body) and a 500; the request ids they got."""
    miss = client.get("/v1/figures?limit=1", headers={"X-Request-Id": "desk-miss"})
    hit = client.get("/v1/figures?limit=1")
    refused = client.post("/v1/figures", content=b"x", headers={"X-Request-Id": "desk-413"})

    def broken(*_: Any) -> None:
        raise RuntimeError("bug")

    monkeypatch.setattr(meta_reads, "meta", broken)
    failed = client.get("/v1/meta", headers={"X-Request-Id": "desk-500"})
    assert [r.status_code for r in (miss, hit, refused, failed)] == [200, 200, 413, 500]
    return [r.headers["x-request-id"] for r in (miss, hit, refused, failed)]


def test_text_log_has_one_line_per_request_for_a_miss_a_hit_a_refusal_and_a_500(
    client_logging: Callable[[str], TestClient],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    client = client_logging("text")
    written(capsys)
    ids = four_requests(client, monkeypatch)
    assert ids[0] == "desk-miss"
    lines = [line for line in written(capsys) if TEXT_LINE.match(line)]
    found = [TEXT_LINE.match(line) for line in lines]
    assert [(m["request"], m["status"], m["id"]) for m in found if m] == [
        ("GET /v1/figures?limit=1 HTTP/1.1", "200", "desk-miss"),
        ("GET /v1/figures?limit=1 HTTP/1.1", "200", ids[1]),
        ("POST /v1/figures HTTP/1.1", "413", "desk-413"),
        ("GET /v1/meta HTTP/1.1", "500", "desk-500"),
    ]


def test_json_log_has_one_line_per_request_for_a_miss_a_hit_a_refusal_and_a_500(
    client_logging: Callable[[str], TestClient],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    client = client_logging("json")
    written(capsys)
    ids = four_requests(client, monkeypatch)
    lines = [json.loads(line) for line in written(capsys) if line.startswith('{"time"')]
    assert [sorted(line) for line in lines] == [
        ["duration_ms", "method", "path", "request_id", "status", "time"]
    ] * 4
    for line in lines:
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", line.pop("time"))
        assert isinstance(line.pop("duration_ms"), float)
    assert lines == [
        {"method": "GET", "path": "/v1/figures", "status": 200, "request_id": "desk-miss"},
        {"method": "GET", "path": "/v1/figures", "status": 200, "request_id": ids[1]},
        {"method": "POST", "path": "/v1/figures", "status": 413, "request_id": "desk-413"},
        {"method": "GET", "path": "/v1/meta", "status": 500, "request_id": "desk-500"},
    ]


def test_a_revalidation_and_a_head_are_logged_as_sent(
    client_logging: Callable[[str], TestClient], capsys: pytest.CaptureFixture[str]
) -> None:
    client = client_logging("json")
    etag = client.get("/v1/meta").headers["etag"]
    written(capsys)
    assert client.get("/v1/meta", headers={"If-None-Match": etag}).status_code == 304
    assert client.head("/healthz").status_code == 200
    lines = [json.loads(line) for line in written(capsys)]
    assert [(line["method"], line["status"]) for line in lines] == [("GET", 304), ("HEAD", 200)]


def test_nothing_is_written_in_the_request_path() -> None:
    batches: list[bytes] = []
    observed: list[list[Record]] = []
    writer = RequestLogWriter(batches.append)
    writer.background = False
    writer.observers.append(observed.append)
    record: Record = (
        "text",
        0.0,
        ("10.0.0.1", 5),
        "GET",
        "/v1/meta",
        b"",
        "1.1",
        200,
        0.0004,
        "a",
        "",
        "hit",
    )
    writer.append(record)
    assert (batches, observed) == ([], [])
    writer.flush()
    assert batches == [b'10.0.0.1:5 - "GET /v1/meta HTTP/1.1" 200 0.400ms a\n']
    assert observed == [[record]]


def test_the_two_formats_of_one_record() -> None:
    record: Record = (
        "json",
        0.0,
        None,
        "HEAD",
        "/healthz",
        b"a=1",
        "2",
        304,
        0.0012345,
        "id-1",
        "",
        "",
    )
    assert text_line(record) == b'- - "HEAD /healthz?a=1 HTTP/2" 304 1.234ms id-1'
    assert json.loads(json_line(record)) == {
        "time": "1970-01-01T00:00:00.000+00:00",
        "method": "HEAD",
        "path": "/healthz",
        "status": 304,
        "duration_ms": 1.234,
        "request_id": "id-1",
    }


def test_the_off_format_writes_nothing(
    client_logging: Callable[[str], TestClient], capsys: pytest.CaptureFixture[str]
) -> None:
    client = client_logging("off")
    written(capsys)
    assert client.get("/v1/meta").status_code == 200
    assert written(capsys) == []
