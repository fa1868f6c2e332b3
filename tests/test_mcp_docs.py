"""docs/mcp.md's transcript is what the real app answers (it cannot rot)."""

import asyncio

from sqlalchemy.engine import Engine

from scripts.mcp_transcript import BEGIN, DOC, END, fill, transcript
from service.config import Settings
from tests.test_mcp import RunningApp


def test_mcp_doc_transcript_is_the_real_answer(settings: Settings, engine: Engine) -> None:
    text = DOC.read_text(encoding="utf-8")
    assert BEGIN in text
    assert END in text
    with RunningApp(settings, engine) as running:
        expected = fill(text, asyncio.run(transcript(running.url)))
    assert text == expected, "docs/mcp.md is stale: run python -m scripts.mcp_transcript URL"
