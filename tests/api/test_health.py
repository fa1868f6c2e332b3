from fastapi.testclient import TestClient


def test_healthz_says_ok_without_the_database(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_reports_the_revision_when_the_database_answers(client: TestClient) -> None:
    revision = client.get("/v1/meta").json()["revision"]
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "revision": revision}
    assert response.headers["cache-control"] == "no-store"
