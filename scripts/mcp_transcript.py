"""Write the real transcripts in docs/mcp.md: tool calls through the SDK's client, and the
HTTP exchange of each protocol era, against the app on a seeded database.
`python -m scripts.mcp_transcript URL` rewrites them; tests/test_mcp_docs.py fails when they
are stale."""

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

import httpx
from mcp import Client

DOC = Path(__file__).resolve().parent.parent / "docs" / "mcp.md"
BEGIN = "<!-- transcript:begin -->"
END = "<!-- transcript:end -->"
ERAS_BEGIN = "<!-- eras:begin -->"
ERAS_END = "<!-- eras:end -->"
#: Where the transcript says the service is: the address `make run` serves on, whatever
#: port the app it was taken from listened on.
SHOWN_BASE = "http://127.0.0.1:8000"
CALLS: list[tuple[str, dict[str, Any]]] = [
    ("get_figure", {"id": "met-2013.officers.written-warning"}),
    ("aggregate", {"disclosure": "met-2013", "by": ["platform"]}),
]


async def transcript(url: str) -> str:
    parts = []
    async with Client(url) as client:
        for name, arguments in CALLS:
            result = await client.call_tool(name, arguments)
            call = json.dumps({"name": name, "arguments": arguments})
            parts += [
                f"**tools/call** `{call}`",
                "",
                "Text content:",
                "",
                "```text",
                result.content[0].text,  # type: ignore[union-attr]
                "```",
                "",
            ]
    base = url.removesuffix("/mcp").rstrip("/")
    return "\n".join(parts).replace(base, SHOWN_BASE)


#: One exchange per era, with the smallest tool answer, shown whole.
ERA_CALL = {"name": "list_measures", "arguments": {"disclosure": "met-2013"}}
MODERN = "2026-07-28"
MODERN_META = {
    "io.modelcontextprotocol/protocolVersion": MODERN,
    "io.modelcontextprotocol/clientCapabilities": {},
}
#: (era heading, [(extra request headers, JSON-RPC body)]).
ERAS: list[tuple[str, list[tuple[dict[str, str], dict[str, Any]]]]] = [
    (
        "2025-11-25 (and 2024-11-05 to 2025-06-18): `initialize`, then the revision on every POST",
        [
            (
                {},
                {
                    "jsonrpc": "2.0",
                    "id": 1,
                    "method": "initialize",
                    "params": {
                        "protocolVersion": "2025-11-25",
                        "capabilities": {},
                        "clientInfo": {"name": "transcript", "version": "1"},
                    },
                },
            ),
            (
                {"MCP-Protocol-Version": "2025-11-25"},
                {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": ERA_CALL},
            ),
        ],
    ),
    (
        f"{MODERN}: no handshake; the revision, the method and the tool in headers",
        [
            (
                {"MCP-Protocol-Version": MODERN, "Mcp-Method": "server/discover"},
                {
                    "jsonrpc": "2.0",
                    "id": 1,
                    "method": "server/discover",
                    "params": {"_meta": MODERN_META},
                },
            ),
            (
                {
                    "MCP-Protocol-Version": MODERN,
                    "Mcp-Method": "tools/call",
                    "Mcp-Name": str(ERA_CALL["name"]),
                },
                {
                    "jsonrpc": "2.0",
                    "id": 2,
                    "method": "tools/call",
                    "params": {**ERA_CALL, "_meta": MODERN_META},
                },
            ),
        ],
    ),
]
SENT = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}


def eras(url: str) -> str:
    """Each era's exchange over HTTP, request and answer as sent and received."""
    parts = []
    with httpx.Client(timeout=20) as http:
        for heading, exchanges in ERAS:
            parts += [f"**{heading}**", ""]
            for headers, body in exchanges:
                sent = {**SENT, **headers}
                answer = http.post(url, json=body, headers=sent)
                request = ["POST /mcp", *(f"{k}: {v}" for k, v in sent.items())]
                response = [
                    f"HTTP/1.1 {answer.status_code} {answer.reason_phrase}",
                    f"Content-Type: {answer.headers['content-type']}",
                ]
                parts += [
                    "```text",
                    *request,
                    "",
                    json.dumps(body, indent=2, ensure_ascii=False),
                    "```",
                    "",
                    "```text",
                    *response,
                    "",
                    json.dumps(answer.json(), indent=2, ensure_ascii=False),
                    "```",
                    "",
                ]
    base = url.removesuffix("/mcp").rstrip("/")
    return "\n".join(parts).replace(base, SHOWN_BASE)


def fill(text: str, body: str, begin: str = BEGIN, end: str = END) -> str:
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{begin}\n{body}{end}{tail}"


def filled(text: str, url: str) -> str:
    """docs/mcp.md's text with both transcripts taken afresh from the app at `url`."""
    text = fill(text, asyncio.run(transcript(url)))
    return fill(text, eras(url), ERAS_BEGIN, ERAS_END)


def main(url: str) -> None:
    DOC.write_text(filled(DOC.read_text(encoding="utf-8"), url), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1])
