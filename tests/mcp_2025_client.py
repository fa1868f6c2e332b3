# mypy: ignore-errors
"""An assistant of the 2025 era: the official MCP client of mcp 1.x (requirements-mcp-2025.lock),
run by tests/test_mcp_2025_client.py with the python of .venv/mcp-2025, never imported by the
suite (whose venv has mcp 2.x; hence no type checking here: mypy sees the other release).

    .venv/mcp-2025/bin/python tests/mcp_2025_client.py URL < calls.json

`calls.json` is a list of [tool, arguments]. It connects as such a client does (initialize,
then each call over Streamable HTTP), lists the tools, makes every call, reads the ui://
resource each result names, and prints one JSON object: the negotiated revision, the
server's name, the tools as listed and every result as the client parsed it.
"""

import asyncio
import json
import sys

from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client


def dumped(model):
    return model.model_dump(mode="json", by_alias=True, exclude_none=True)


async def session_report(url, calls):
    async with (
        streamable_http_client(url) as (read, write, _),
        ClientSession(read, write) as session,
    ):
        initialized = await session.initialize()
        listed = await session.list_tools()
        results, views = [], {}
        for name, arguments in calls:
            result = await session.call_tool(name, arguments)
            results.append(dumped(result))
            uri = ((result.meta or {}).get("ui") or {}).get("resourceUri")
            if uri:
                views[uri] = dumped(await session.read_resource(uri))
        return {
            "protocolVersion": initialized.protocolVersion,
            "serverName": initialized.serverInfo.name,
            "tools": [dumped(tool) for tool in listed.tools],
            "results": results,
            "views": views,
        }


if __name__ == "__main__":
    report = asyncio.run(session_report(sys.argv[1], json.load(sys.stdin)))
    json.dump(report, sys.stdout)
