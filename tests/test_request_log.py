"""APP_LOG_FORMAT=json: one JSON line per request on stdout, with the response's request id."""

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from service.config import Settings
from service.main import create_app


@pytest.fixture
def json_client(settings: Settings, engine: Engine) -> Iterator[TestClient]:
    json_settings = settings.model_copy(update={"log_format": "json"})
    with TestClient(create_app(json_settings, engine)) as test_client:
        yield test_client


def logged(capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def without_timing(line: dict[str, Any]) -> dict[str, Any]:
    assert isinstance(line.pop("time"), str)
    duration = line.pop("duration_ms")
    assert isinstance(duration, float)
    assert duration >= 0
    return line


def test_json_log_has_one_line_per_request_with_the_echoed_request_id(
    json_client: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    routed = json_client.get("/v1/meta", headers={"X-Request-Id": "desk-42"})
    cached = json_client.get("/v1/meta")
    missing = json_client.get("/v1/nothing")
    head = json_client.head("/healthz")
    assert routed.headers["x-request-id"] == "desk-42"
    assert cached.headers["x-request-id"] != "desk-42"
    lines = logged(capsys)
    assert [sorted(line) for line in lines] == [
        ["duration_ms", "method", "path", "request_id", "status", "time"]
    ] * 4
    assert [without_timing(line) for line in lines] == [
        {"method": "GET", "path": "/v1/meta", "status": 200, "request_id": "desk-42"},
        {
            "method": "GET",
            "path": "/v1/meta",
            "status": 200,
            "request_id": cached.headers["x-request-id"],
        },
        {
            "method": "GET",
            "path": "/v1/nothing",
            "status": 404,
            "request_id": missing.headers["x-request-id"],
        },
        {
            "method": "HEAD",
            "path": "/healthz",
            "status": 200,
            "request_id": head.headers["x-request-id"],
        },
    ]


def test_json_log_records_a_revalidation_as_304(
    json_client: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    etag = json_client.get("/v1/meta").headers["etag"]
    capsys.readouterr()
    assert json_client.get("/v1/meta", headers={"If-None-Match": etag}).status_code == 304
    assert [line["status"] for line in logged(capsys)] == [304]


def test_text_log_format_writes_no_json_lines(
    client: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert client.get("/v1/meta").status_code == 200
    assert capsys.readouterr().out == ""
