"""GET /metrics (APP_METRICS=true): Prometheus text for APP_METRICS_ALLOW networks only,
counted off the request path by the request log's writer (flushed here before reading)."""

import re
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from service.config import Settings
from service.main import create_app
from service.request_log import WRITER

NOT_FOUND = {
    "type": "/problems/not-found",
    "title": "Not found",
    "status": 404,
    "detail": "No endpoint at /metrics; see /openapi.json.",
    "instance": "/metrics",
}


@pytest.fixture
def app_with(settings: Settings, engine: Engine) -> Iterator[Callable[..., TestClient]]:
    clients: list[TestClient] = []

    def make(peer: str = "127.0.0.1", **changes: object) -> TestClient:
        app = create_app(settings.model_copy(update=changes), engine)
        client = TestClient(app, client=(peer, 50000))
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


def value(text: str, name: str, **labels: str) -> float:
    """One sample of the exposition text (0 when absent)."""
    wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    pattern = rf"^{re.escape(name)}(?:\{{{re.escape(wanted)}\}})? (\S+)$" if wanted else None
    for line in text.splitlines():
        if pattern and re.match(pattern, line):
            return float(line.rsplit(" ", 1)[1])
        if not pattern and line.startswith(f"{name} "):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def scrape(client: TestClient) -> str:
    WRITER.flush()
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; version=1.0.0; charset=utf-8"
    assert response.headers["cache-control"] == "no-store"
    return response.text


def test_metrics_are_a_404_when_turned_off(app_with: Callable[..., TestClient]) -> None:
    response = app_with(metrics=False).get("/metrics")
    assert response.status_code == 404
    assert response.json() == NOT_FOUND


def test_metrics_are_a_404_outside_the_allowed_networks(
    app_with: Callable[..., TestClient],
) -> None:
    for peer in ("192.0.2.7", "testclient"):
        response = app_with(peer, metrics=True).get("/metrics")
        assert response.status_code == 404
        assert response.json() == NOT_FOUND
    allowed = app_with("10.1.2.3", metrics=True, metrics_allow=["10.0.0.0/8"])
    assert allowed.get("/metrics").status_code == 200


def test_metrics_count_requests_by_route_template_cache_and_revision(
    app_with: Callable[..., TestClient],
) -> None:
    client = app_with(metrics=True)
    before = scrape(client)
    route = {"route": "/v1/figures/{figure_id}", "method": "GET", "status": "200"}
    assert client.get("/v1/figures/met-2013.officers.dismissed").status_code == 200  # miss
    assert client.get("/v1/figures/met-2013.officers.dismissed").status_code == 200  # hit
    assert client.get("/v1/nothing").status_code == 404
    for _ in range(2):  # a page: built by its route, then served by the fast path
        assert client.get("/figures/met-2013.officers.dismissed").status_code == 200
    after = scrape(client)

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("met_foi_requests_total", **route) == 2
    assert grew("met_foi_requests_total", route="unmatched", method="GET", status="404") == 1
    assert grew("met_foi_request_duration_seconds_count", route="/v1/figures/{figure_id}") == 2
    page = {"route": "/figures/{figure_id}", "method": "GET", "status": "200"}
    assert grew("met_foi_requests_total", **page) == 2
    assert grew("met_foi_cache_lookups_total", result="hit") >= 1
    assert grew("met_foi_cache_lookups_total", result="miss") >= 1
    assert value(after, "met_foi_cache_bytes") > 0
    assert value(after, "met_foi_cache_entries") >= 1
    revision = client.get("/v1/meta").json()["revision"]
    assert value(after, "met_foi_dataset_revision", revision=revision) == 1
    assert "met_foi_db_pool_checked_out" in after
    assert "met_foi_database_errors_total" in after or "met_foi_database_errors" in after
