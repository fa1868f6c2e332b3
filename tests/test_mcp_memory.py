"""MCP answers have a memory ceiling (issue 25): varied tool calls to a real `met-foi serve`
process raise its RSS by less than the response cache's byte budget plus 50 MB, and the
answers are kept in that one byte-bounded cache (its Prometheus gauges say so). Before, the
MCP answers had a cache of their own, bounded by count: 2,100 find_figures calls took RSS
from 159 MB to 1,875 MB.

A call costs the server 13 to 50 ms of CPU (find_figures reads every matching figure), so
the suite makes MCP_RSS_CALLS calls (200, mostly the largest answers: more than twice its
2 MiB budget between them); MCP_RSS_CALLS=2000 makes the issue's 2,000 (about 80 s of CPU).
"""

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.processes import AppProcess, ready_app
from tests.test_memory import rss_bytes

pytestmark = pytest.mark.processes

BUDGET = 2 * 1024 * 1024
#: What the issue allows above the budget: interpreter, allocator and pool growth.
MARGIN = 50 * 1000 * 1000
CALLS = int(os.environ.get("MCP_RSS_CALLS", "200"))


@pytest.fixture
def server(tmp_path: Path, database_url: str) -> Iterator[AppProcess]:
    with ready_app(
        tmp_path,
        "mcp-rss",
        database_url=database_url,
        cache_max_bytes=BUDGET,
        revision_check_seconds=0,
        rate_limit_per_minute=0,
        metrics="true",
        log_level="warning",
    ) as app:
        yield app


def varied_calls(figure_ids: list[str]) -> Iterator[tuple[str, dict[str, Any]]]:
    """CALLS distinct tool calls: find_figures pages of 60 to 200 figures at successive
    offsets (each cut at 8,000 characters of text, about 40 KB with its JSON), one in five
    of them within met-2013, and every tenth call a figure read or an aggregate."""
    for i in range(CALLS):
        if i % 10 == 9:
            yield "get_figure", {"id": figure_ids[i // 10 % len(figure_ids)]}
        elif i % 20 == 4:
            yield (
                "aggregate",
                {"disclosure": "met-2013", "by": ["platform"], "year": 1900 + i // 20},
            )
        else:
            page: dict[str, Any] = {"limit": 60 + i % 141, "offset": i // 141}
            yield "find_figures", {**page, **({"disclosure": "met-2013"} if i % 5 == 2 else {})}


def gauge(metrics: str, name: str) -> float:
    found = re.search(rf"^{name} (\S+)$", metrics, re.MULTILINE)
    assert found is not None, name
    return float(found.group(1))


def test_rss_growth_after_varied_mcp_calls_stays_within_the_cache_budget(
    server: AppProcess,
) -> None:
    mcp = httpx.Client(
        base_url=f"http://127.0.0.1:{server.port}",
        headers={"accept": "application/json, text/event-stream"},
        timeout=30,
    )

    def answer(number: int, tool: str, arguments: dict[str, Any]) -> httpx.Response:
        body = {"jsonrpc": "2.0", "id": number, "method": "tools/call"}
        body["params"] = {"name": tool, "arguments": arguments}
        got = mcp.post("/mcp", json=body)
        assert got.status_code == 200, got.text
        assert got.json()["result"].get("isError") is not True, (tool, arguments, got.text)
        return got

    def call(number: int, tool: str, arguments: dict[str, Any]) -> int:
        return len(answer(number, tool, arguments).content)

    # Only MCP answers go into the cache here (no /v1 read), so its gauges count only them.
    first = answer(0, "find_figures", {"limit": 200}).json()["result"]["structuredContent"]
    figure_ids = [f["id"] for f in first["figures"]]
    for warm in range(1, 3):  # the SDK, the code paths and the pool
        call(warm, "find_figures", {"limit": 200 - warm})
    before = rss_bytes(server.process.pid)
    served = sum(call(n, tool, a) for n, (tool, a) in enumerate(varied_calls(figure_ids)))
    growth = rss_bytes(server.process.pid) - before
    mcp.close()
    server.get("/healthz")  # the gauges are sampled as each request's line is written
    metrics = server.get("/metrics").text
    print(f"{CALLS} calls, {served / 2**20:.1f} MiB of answers; RSS grew {growth / 2**20:.1f} MiB")

    # The answers went into the one response cache, which kept within its bytes by evicting.
    assert 0 < gauge(metrics, "met_foi_cache_bytes") <= BUDGET
    assert gauge(metrics, "met_foi_cache_entries") > 0
    assert gauge(metrics, "met_foi_cache_evictions_total") > 0
    assert served > 2 * BUDGET  # kept whole, they would not fit the budget
    assert growth < BUDGET + MARGIN
