"""/v1/notes: the notes figures and cases refer to, by disclosure."""

import csv
import io

from fastapi.testclient import TestClient


def test_notes_filter_by_disclosure_in_package_order(client: TestClient) -> None:
    body = client.get("/v1/notes?disclosure=met-2013&limit=2").json()
    assert body["count"] == 10
    first = body["data"][0]
    assert (first["id"], first["disclosure"], first["kind"], first["topic"]) == (
        "met-2013.C1",
        "met-2013",
        "conflict",
        "Who made the request",
    )
    assert first["sources"] == ["idg_via_parliamentstreet", "independent2013", "standard2013"]
    assert body["data"][1]["id"] == "met-2013.C2"
    everything = client.get("/v1/notes?limit=500").json()
    assert everything["count"] > 9
    assert len({n["disclosure"] for n in everything["data"]}) > 1


def test_notes_answer_csv_with_an_etag(client: TestClient) -> None:
    response = client.get("/v1/notes?disclosure=met-2013", headers={"Accept": "text/csv"})
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert list(rows[0]) == ["id", "disclosure", "kind", "topic", "text", "sources"]
    assert len(rows) == 10
    first = client.get("/v1/notes?disclosure=met-2013")
    again = client.get(
        "/v1/notes?disclosure=met-2013", headers={"If-None-Match": first.headers["etag"]}
    )
    assert again.status_code == 304
