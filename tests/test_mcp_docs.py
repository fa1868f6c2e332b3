"""docs/mcp.md's transcripts are what the real app answers (they cannot rot)."""

from sqlalchemy.engine import Engine

from scripts.mcp_transcript import BEGIN, DOC, END, ERAS_BEGIN, ERAS_END, filled
from service.config import Settings
from tests.test_mcp import RunningApp


def test_mcp_doc_transcript_is_the_real_answer(settings: Settings, engine: Engine) -> None:
    text = DOC.read_text(encoding="utf-8")
    for marker in (BEGIN, END, ERAS_BEGIN, ERAS_END):
        assert marker in text
    with RunningApp(settings, engine) as running:
        expected = filled(text, running.url)
    assert text == expected, "docs/mcp.md is stale: run python -m scripts.mcp_transcript URL"
