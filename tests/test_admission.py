"""A burst of cold requests cannot jam the server (issue 25): a real `met-foi serve`, sent
1,000 concurrent requests for distinct uncached URLs, answers every one (200, or 503
`overloaded` with Retry-After) within the client's 10 s, and the next cold request gets a
200. Without admission, 960 of them waited 27 to 50 s (PostgreSQL) or over 60 s (SQLite)."""

import asyncio
import json
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from starlette.types import Message, Receive, Scope, Send

from service.admission import Admission
from service.config import Settings
from service.state import AppState
from tests.processes import AppProcess

BURST = 1000
HITS = 50
#: What "answered" means: a client gives up after this long.
ANSWER_SECONDS = 10.0


@pytest.fixture
def server(tmp_path: Path, database_url: str) -> Iterator[AppProcess]:
    app = AppProcess(
        tmp_path,
        "burst",
        command="serve",
        database_url=database_url,
        revision_check_seconds=0,
        log_level="warning",
    )
    try:
        app.wait_ready()
        yield app
    finally:
        app.terminate()


async def get(port: int, path: str) -> tuple[int, str | None, float]:
    """One GET on its own connection, as bare as a client can be (httpx's own cost, times a
    thousand on two cores, would be most of what is measured); its status, Retry-After and
    seconds taken, or a failure after ANSWER_SECONDS."""
    started = time.perf_counter()
    async with asyncio.timeout(ANSWER_SECONDS):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
        writer.write(request.encode())
        answer = await reader.read()
        writer.close()
    took = time.perf_counter() - started
    head, _, body = answer.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.lower().split(": ", 1) for line in lines)
    status = int(status_line.split()[1])
    if status == 503:
        assert headers["content-type"] == "application/problem+json"
        assert json.loads(body)["type"].endswith("/overloaded")
    return status, headers.get("retry-after"), took


async def burst(port: int, paths: list[str]) -> list[tuple[int, str | None, float]]:
    return list(await asyncio.gather(*(get(port, p) for p in paths)))


@pytest.mark.processes
def test_a_burst_of_distinct_cold_requests_is_answered_and_the_next_cold_one_gets_200(
    server: AppProcess,
) -> None:
    assert server.get("/v1/meta").status_code == 200  # warm the code paths and the pool
    started = time.perf_counter()
    cold = [f"/v1/figures?limit=1&offset={i}" for i in range(BURST)]
    # Cache hits among them never wait behind the misses, so none is refused.
    answers = asyncio.run(burst(server.port, [*cold, *["/v1/meta"] * HITS]))
    hits = Counter(status for status, _, _ in answers[BURST:])
    assert hits == {200: HITS}
    answers = answers[:BURST]
    whole = time.perf_counter() - started
    statuses = Counter(status for status, _, _ in answers)
    assert set(statuses) <= {200, 503}, statuses
    assert statuses[200] >= 1
    assert {retry for status, retry, _ in answers if status == 503} <= {"2"}
    times = sorted(took for _, _, took in answers)

    started = time.perf_counter()
    after = server.get("/v1/figures?limit=2&offset=7")
    next_took = time.perf_counter() - started
    assert after.status_code == 200
    assert len(after.json()["data"]) == 2
    print(
        f"{BURST} cold requests: {dict(statuses)} in {whole:.2f} s; per request median "
        f"{times[len(times) // 2]:.3f} s, max {times[-1]:.3f} s; next cold request "
        f"{next_took * 1000:.0f} ms"
    )


def test_admission_queues_by_the_pool_and_refuses_at_once_when_the_queue_is_full(
    settings: Settings, engine: Engine
) -> None:
    """One connection (pool 1, no overflow): one request in, four waiting, the sixth
    refused at once; a waiter whose wait outlasts APP_DB_POOL_TIMEOUT is refused too; the
    probes pass. Each refusal counts as a pool timeout for the metrics."""
    state = AppState.build(
        settings.model_copy(
            update={"db_pool_size": 1, "db_max_overflow": 0, "db_pool_timeout": 0.5}
        ),
        engine,
    )
    release = asyncio.Event()
    entered: list[str] = []

    async def app(scope: Scope, _receive: Receive, send: Send) -> None:
        entered.append(scope["path"])
        if scope["path"] != "/healthz":
            await release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    admission = Admission(app, state)

    async def call(path: str) -> tuple[int, dict[bytes, bytes]]:
        sent: list[Message] = []

        async def send(message: Message) -> None:
            sent.append(message)

        async def receive() -> Message:
            return {"type": "http.request", "body": b""}

        scope = {"type": "http", "method": "GET", "path": path, "headers": []}
        await admission(scope, receive, send)
        return sent[0]["status"], dict(sent[0]["headers"])

    async def run() -> list[tuple[int, dict[bytes, bytes]]]:
        first = asyncio.create_task(call("/v1/a"))
        await asyncio.sleep(0.05)
        waiting = [asyncio.create_task(call(f"/v1/w{i}")) for i in range(4)]
        await asyncio.sleep(0.05)
        refused = await call("/v1/full")
        probe = await call("/healthz")
        assert not any(w.done() for w in waiting)  # refused at once, not after waiting
        waited_out = await asyncio.gather(*waiting)  # none got the connection in 0.5 s
        release.set()
        return [refused, probe, await first, *waited_out]

    refused, probe, first, *waited_out = asyncio.run(run())
    assert refused[0] == 503
    assert refused[1][b"retry-after"] == b"2"
    assert refused[1][b"content-type"] == b"application/problem+json"
    assert probe[0] == 200
    assert first[0] == 200
    assert [status for status, _ in waited_out] == [503] * 4
    assert entered == ["/v1/a", "/healthz"]
    assert state.db_errors == {"pool_timeout": 5}
