"""/v1/meta: the API, the revision and each dataset."""

from fastapi.testclient import TestClient

from tests.conftest import LICENCE, met_2013_revision


def test_meta_lists_met_2013_with_its_revision(client: TestClient) -> None:
    response = client.get("/v1/meta")
    assert response.status_code == 200
    body = response.json()
    assert len(body["revision"]) == 16
    met = next(d for d in body["datasets"] if d["id"] == "met-2013")
    assert body["api_version"] == "1"
    assert body["service_version"] == "0.1.0"
    assert body["flagship_disclosure"] == "met-2013"
    assert met == {
        "id": "met-2013",
        "version": "1.2.0",
        "revision": met_2013_revision(),
        "last_updated": "2026-12-07",
        "licence": LICENCE,
        "figures": 40,
        "cases": 4,
        "checks": 10,
        "sources": 5,
    }
