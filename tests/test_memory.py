"""Memory has a ceiling: a real `met-foi serve` process, fed thousands of distinct list
requests, grows by no more than its response cache's byte budget plus a fixed margin
(issue 17 item 2: 2,400 distinct pages grew one worker from 177 MB to 409 MB)."""

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.processes import AppProcess

pytestmark = pytest.mark.processes

BUDGET = 8 * 1024 * 1024
#: Interpreter, allocator and connection-pool growth that is not the cache's.
MARGIN = 48 * 1024 * 1024
#: What the test serves: twice the budget and the margin together, so that the cache alone,
#: were it unbounded, would fail the test. More only makes the suite slower (it served
#: 2,000 answers, then 600 of about 300 KB; the figures have since grown past 600 KB).
TO_SERVE = 2 * (BUDGET + MARGIN)


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError(f"no VmRSS for {pid}")


@pytest.fixture
def server(tmp_path: Path, database_url: str) -> Iterator[AppProcess]:
    app = AppProcess(
        tmp_path,
        "rss",
        command="serve",
        database_url=database_url,
        cache_max_bytes=BUDGET,
        revision_check_seconds=0,
        log_level="warning",
    )
    try:
        app.wait_ready()
        yield app
    finally:
        app.terminate()


def distinct_pages() -> Iterator[str]:
    """The largest answers there are (every figure, as JSON), each asked for once."""
    for offset, limit in itertools.product(range(6), range(500, 99, -1)):
        yield f"/v1/figures?limit={limit}&offset={offset}"


def test_rss_growth_after_thousands_of_distinct_requests_stays_within_the_cache_budget(
    server: AppProcess,
) -> None:
    for path in ("/v1/meta", "/v1/figures?limit=500", "/v1/figures?format=csv&limit=500"):
        assert server.get(path).status_code == 200  # warm the code paths and the pool
    before = rss_bytes(server.process.pid)
    served = requests = 0
    pages = distinct_pages()
    while served <= TO_SERVE:
        response = server.get(next(pages))
        assert response.status_code == 200, response.text
        served += len(response.content)
        requests += 1
    growth = rss_bytes(server.process.pid) - before
    print(
        f"served {served / 2**20:.1f} MiB in {requests} requests; RSS grew {growth / 2**20:.1f} MiB"
    )
    assert growth <= BUDGET + MARGIN
