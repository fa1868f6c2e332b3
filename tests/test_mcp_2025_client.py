"""Every tool through the official client of a 2025 revision (mcp 1.30.0, the last 1.x
release, in .venv/mcp-2025 from requirements-mcp-2025.lock) and through the current SDK's
(mcp 2.x), against one real `met-foi serve` process: the 2025 client negotiates 2025-11-25 by
initialize and gets, call for call, the very answers the current client gets (issue 30)."""

import asyncio
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from mcp import Client

from service.config import PROJECT_ROOT
from tests.machine import require_built
from tests.processes import served
from tests.test_mcp import FACEBOOK, TOOLS, WRITTEN_WARNING
from tests.test_mcp_answers import EVERY_CALL

pytestmark = pytest.mark.processes

PYTHON_2025 = PROJECT_ROOT / ".venv" / "mcp-2025" / "bin" / "python"
CLIENT_2025 = Path(__file__).with_name("mcp_2025_client.py")


def through_the_2025_client(url: str, calls: list[tuple[str, dict[str, Any]]]) -> Any:
    done = subprocess.run(
        [str(PYTHON_2025), str(CLIENT_2025), url],
        input=json.dumps(calls),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def through_the_current_client(url: str, calls: list[tuple[str, dict[str, Any]]]) -> list[Any]:
    async def run() -> list[Any]:
        async with Client(url, mode="2026-07-28", read_timeout_seconds=20) as client:
            return [
                (await client.call_tool(name, arguments)).model_dump(
                    mode="json", by_alias=True, exclude_none=True
                )
                for name, arguments in calls
            ]

    return asyncio.run(run())


def test_every_tool_answers_the_2025_client_as_it_answers_the_current_one(
    tmp_path: Path, database_url: str
) -> None:
    require_built(PYTHON_2025, "make install")
    calls = list(EVERY_CALL.items())
    with served(database_url, tmp_path / "server.log") as base:
        old = through_the_2025_client(f"{base}/mcp", calls)
        current = through_the_current_client(f"{base}/mcp", calls)

    assert old["protocolVersion"] == "2025-11-25"
    assert old["serverName"] == "met-social-media-foi"
    assert [tool["name"] for tool in old["tools"]] == TOOLS
    assert [name for name, _ in calls] == TOOLS
    answers = dict(zip(TOOLS, old["results"], strict=True))
    for name, result, now in zip(TOOLS, old["results"], current, strict=True):
        assert result.get("isError", False) is False, (name, result)
        assert result["content"] == now["content"], name
        assert result["structuredContent"] == now["structuredContent"], name
        # The 2026 era adds the server's info to _meta; the MCP Apps view is the same.
        assert result.get("_meta", {}).get("ui") == now.get("_meta", {}).get("ui"), name

    assert [d["id"] for d in answers["list_disclosures"]["structuredContent"]["disclosures"]][
        :2
    ] == ["met-2010", "met-2013"]
    assert [f["id"] for f in answers["find_figures"]["structuredContent"]["figures"]] == [
        WRITTEN_WARNING,
        "met-2013.staff.written-warning",
        "met-2013.staff.reprimand-or-written-warning",
        "met-2013.outcome-named.first-written-warning",
        "met-2013.outcome-named.final-written-warning",
    ]
    figure = answers["get_figure"]["structuredContent"]
    assert figure["words"] == (
        "17 to 18: the Guardian reported 18; Evening Standard and the Independent reported 17"
    )
    assert answers["get_figure"]["content"][0]["text"].splitlines()[-2:] == [
        f"Cite as: {figure['citation']}",
        f"Cite as (short): {figure['cite_short']}",
    ]
    rows = answers["aggregate"]["structuredContent"]["rows"]
    facebook = next(row for row in rows if row["figure"] == FACEBOOK)
    assert (facebook["value"], facebook["reading"]) == (None, "the vast majority")
    compare = answers["compare"]["structuredContent"]
    assert compare["count"] == len(compare["points"]) > 0

    # The card get_figure names is read by the 2025 client too: the figure, pinned.
    revision = figure["page_url"].rsplit("=", 1)[1]
    card_uri = f"ui://figures/{revision}/{WRITTEN_WARNING}/card.html"
    assert answers["get_figure"]["_meta"]["ui"]["resourceUri"] == card_uri
    [card] = old["views"][card_uri]["contents"]
    assert card["mimeType"] == "text/html;profile=mcp-app"
    assert "17 to 18" in card["text"]
    # ... and so are the view both tools declare, and the chart aggregate names.
    tools = {tool["name"]: tool for tool in old["tools"]}
    view = {"ui": {"resourceUri": "ui://views/answer.html"}}
    assert (tools["get_figure"].get("_meta"), tools["aggregate"].get("_meta")) == (view, view)
    chart_uri = answers["aggregate"]["_meta"]["ui"]["resourceUri"]
    assert chart_uri == f"ui://charts/{revision}/met-2013/chart.html?by=platform"
    [chart] = old["views"][chart_uri]["contents"]
    assert "the vast majority" in chart["text"]
