"""Complete downloads (issue 26): a CSV, or a list's JSON asked for with `format`, without
`limit` gives every matching row, streamed in chunks, from a real server as pandas reads it;
and a client that reads such a download slowly holds no database connection (issue 25)."""

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pandas
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert
from sqlmodel import Session, select

from service.config import Settings
from service.db import build_engine
from service.paging import CHUNK_ROWS
from service.tables import Case, Disclosure, Figure
from tests.processes import AppProcess, ready_app

#: Synthetic rows beside the seed packages: several chunks of each list, and a cases CSV
#: (about 30 MB) far larger than what the sockets between server and client buffer.
CASES = 20_000
FIGURES = 2 * CHUNK_ROWS + 7
SUMMARY = "A synthetic case, written to make the download long. " * 28


def add_rows(database_url: str) -> None:
    """A synthetic disclosure `bulk` with CASES cases and FIGURES figures, live in the
    newest revision."""
    engine = build_engine(Settings(database_url=database_url))
    try:
        with Session(engine) as session:
            flagship = session.exec(select(Disclosure).where(Disclosure.id == "met-2013")).one()
            session.add(
                Disclosure(
                    **{
                        **flagship.model_dump(),
                        "id": "bulk",
                        "case_count": CASES,
                        "figure_count": FIGURES,
                    }
                )
            )
            session.commit()
        common = {"disclosure_id": "bulk", "rev_from": 1, "rev_to": None}
        cases = [
            {
                **common,
                "id": f"bulk.case-{i}",
                "summary": SUMMARY,
                "in_foi_answer": "yes",
                "sources": [],
                "position": i,
                "staff_type": "police_officer",
                "outcome": "dismissed",
                "platform": "facebook",
                "year": 2009 + i % 13,
            }
            for i in range(CASES)
        ]
        figures = [
            {
                **common,
                "id": f"bulk.figure-{i}",
                "measure": "people_by_outcome",
                "label": f"Synthetic figure {i}",
                "unit": "people",
                "value": i,
                "year": 2009 + i % 13,
                "position": i,
            }
            for i in range(FIGURES)
        ]
        with engine.begin() as connection:
            # in batches: the app's engine gives up on a connection the server is slow to read
            for start in range(0, CASES, CHUNK_ROWS):
                connection.execute(insert(Case), cases[start : start + CHUNK_ROWS])
            connection.execute(insert(Figure), figures)
    finally:
        engine.dispose()


@pytest.fixture
def server(tmp_path: Path, database_url: str) -> Iterator[AppProcess]:
    """A real `met-foi serve` with one database connection and no overflow."""
    add_rows(database_url)
    with ready_app(
        tmp_path,
        "downloads",
        database_url=database_url,
        revision_check_seconds=0,
        db_pool_size=1,
        db_max_overflow=0,
        log_level="warning",
    ) as app:
        yield app


def every_id(app: AppProcess, path: str) -> list[str]:
    """The ids of a list, read page by page as a paging client does."""
    ids: list[str] = []
    url: str | None = f"{path}?limit=500"
    while url is not None:
        page = app.get(url).json()
        ids += [item["id"] for item in page["data"]]
        url = page["next"]
    return ids


@pytest.mark.processes
def test_pandas_reads_every_row_of_the_plain_csv_urls(server: AppProcess) -> None:
    base = f"http://127.0.0.1:{server.port}"
    for path, at_least in (("/v1/figures", FIGURES), ("/v1/cases", CASES), ("/v1/notes", 1)):
        frame = pandas.read_csv(f"{base}{path}?format=csv", dtype_backend="numpy_nullable")
        expected = every_id(server, path)
        assert len(expected) >= at_least
        assert list(frame["id"]) == expected, path
        assert frame["id"].is_unique
    figures = pandas.read_csv(f"{base}/v1/figures?format=csv", dtype_backend="numpy_nullable")
    assert str(figures["year"].dtype) == "Int64"
    assert str(figures["value"].dtype) == "Int64"
    synthetic = figures[figures["disclosure"] == "bulk"]
    assert list(synthetic["value"]) == list(range(FIGURES))
    assert list(synthetic["year"]) == [2009 + i % 13 for i in range(FIGURES)]
    # Accept: text/csv is a download too
    answer = server.get("/v1/cases?disclosure=bulk", accept="text/csv")
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    assert answer.text.count("\r\nbulk.case-") == CASES


@pytest.mark.processes
def test_a_slow_download_holds_no_connection_from_other_requests(server: AppProcess) -> None:
    """With one connection in the pool, a client that has read the first bytes of a 30 MB
    download and stopped does not keep a cold request from its 200; then it reads the rest,
    every row."""
    url = f"http://127.0.0.1:{server.port}/v1/cases?format=csv&disclosure=bulk"
    with (
        httpx.Client(timeout=60) as slow,
        slow.stream("GET", url) as download,
    ):
        assert download.status_code == 200
        chunks = download.iter_raw(4096)
        first = next(chunks)
        assert first.startswith(b"id,disclosure,")
        # The server has written what the sockets hold and waits for the slow client.
        other = httpx.get(f"http://127.0.0.1:{server.port}/v1/figures?limit=3&offset=7", timeout=60)
        assert other.status_code == 200, other.text
        assert len(other.json()["data"]) == 3
        rest = b"".join(chunks)
    rows = list(csv.reader(io.StringIO((first + rest).decode())))
    assert [r[0] for r in rows[1:]] == [f"bulk.case-{i}" for i in range(CASES)]


def test_a_json_list_asked_for_with_format_is_whole_and_the_plain_one_a_page(
    client: TestClient,
) -> None:
    whole = client.get("/v1/figures?format=json")
    page = client.get("/v1/figures")
    assert whole.status_code == page.status_code == 200
    body: dict[str, Any] = whole.json()
    assert (body["limit"], body["next"], body["prev"]) == (None, None, None)
    assert body["count"] == len(body["data"]) == page.json()["count"]
    assert page.json()["limit"] == 50
    assert len(page.json()["data"]) == 50
    assert [f["id"] for f in body["data"][:50]] == [f["id"] for f in page.json()["data"]]
    # paging stays for the clients that ask for it, with the next page in the body
    paged = client.get("/v1/figures?format=json&limit=2").json()
    assert paged["limit"] == 2
    assert paged["next"].startswith("/v1/figures?cursor=")


def test_a_whole_list_longer_than_a_chunk_streams_as_one_json_document(
    client: TestClient, database_url: str
) -> None:
    add_rows(database_url)
    answer = client.get("/v1/figures?format=json&disclosure=bulk")
    assert answer.status_code == 200
    assert "content-length" not in answer.headers  # streamed, not kept whole
    assert answer.headers["dataset-revision"]
    body = orjson.loads(answer.content)
    assert [f["id"] for f in body["data"]] == [f"bulk.figure-{i}" for i in range(FIGURES)]
    assert {k: v for k, v in body.items() if k != "data"} == {
        "count": FIGURES,
        "count_exact": True,
        "limit": None,
        "offset": 0,
        "next": None,
        "prev": None,
    }
    # pinned, every chunk reads that revision, and the answer is immutable
    pinned = client.get(
        f"/v1/figures?format=json&disclosure=bulk&revision={answer.headers['dataset-revision']}"
    )
    assert pinned.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert orjson.loads(pinned.content)["data"] == body["data"]
    # a sort has no cursor: the chunks follow each other by offset
    by_value = client.get("/v1/figures?format=csv&disclosure=bulk&sort=-value")
    values = [int(r["value"]) for r in csv.DictReader(io.StringIO(by_value.text))]
    assert values == list(range(FIGURES - 1, -1, -1))
    # a streamed answer revalidates like any other
    again = client.get(
        "/v1/figures?format=json&disclosure=bulk",
        headers={"If-None-Match": answer.headers["etag"]},
    )
    assert again.status_code == 304


def test_a_refused_csv_request_answers_plainly_unless_it_accepts_json(
    client: TestClient,
) -> None:
    """`?format=csv&limit=1000` was a JSON 422 although CSV was asked for."""
    plain = client.get("/v1/figures?format=csv&limit=1000")
    assert plain.status_code == 422
    assert plain.headers["content-type"] == "text/plain; charset=utf-8"
    assert plain.text == (
        "422 Invalid parameter: Invalid value for: limit.\n"
        "limit: Input should be less than or equal to 500\n"
        "type: /problems/invalid-parameter\n"
    )
    for accept in ("text/csv", "*/*"):
        again = client.get("/v1/cases?limit=1000", headers={"Accept": accept})
        if accept == "text/csv":
            assert again.headers["content-type"] == "text/plain; charset=utf-8"
        else:  # JSON negotiated: problem+json as before
            assert again.headers["content-type"] == "application/problem+json"
    asked_json = client.get(
        "/v1/figures?format=csv&limit=1000",
        headers={"Accept": "text/csv, application/problem+json;q=0.5"},
    )
    assert asked_json.status_code == 422
    assert asked_json.headers["content-type"] == "application/problem+json"
    assert asked_json.json()["errors"][0]["parameter"] == "limit"
    # a route that has no CSV keeps problem+json, whatever was asked
    meta = client.get("/v1/meta?format=csv")
    assert meta.headers["content-type"] == "application/problem+json"


def test_bom_1_starts_a_csv_with_the_utf8_byte_order_mark(client: TestClient) -> None:
    """For Excel, which reads a CSV without one in the local code page (curly quotes and
    accents garbled)."""
    for path in ("/v1/notes?format=csv", "/v1/aggregates?by=platform&format=csv"):
        plain = client.get(path)
        marked = client.get(path + "&bom=1")
        assert marked.content == b"\xef\xbb\xbf" + plain.content
        assert marked.headers["etag"] != plain.headers["etag"]
        assert pandas.read_csv(io.BytesIO(marked.content)).columns[0] == plain.text.split(",")[0]
    assert not client.get("/v1/notes?format=csv&bom=0").content.startswith(b"\xef\xbb\xbf")
    refused = client.get("/v1/notes?format=csv&bom=maybe")
    assert refused.status_code == 422
    assert refused.text.startswith("422 Invalid parameter: Invalid value for: bom.\n")
