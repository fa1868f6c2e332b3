"""Write the real transcript in docs/mcp.md: tool calls through the SDK's client against the
app on a seeded SQLite database. `python -m scripts.mcp_transcript --write` rewrites it;
tests/test_mcp_docs.py fails when it is stale."""

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from mcp import Client

DOC = Path(__file__).resolve().parent.parent / "docs" / "mcp.md"
BEGIN = "<!-- transcript:begin -->"
END = "<!-- transcript:end -->"
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


def fill(text: str, body: str) -> str:
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{BEGIN}\n{body}{END}{tail}"


def main(url: str) -> None:
    text = DOC.read_text(encoding="utf-8")
    DOC.write_text(fill(text, asyncio.run(transcript(url))), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1])
