"""MCP answers about a force (issue 27) through the SDK's client over real HTTP: the same
figures, sources and national context as /v1/forces/{id}, and plain words for an unknown
force."""

from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy.engine import Engine

from service.config import Settings
from tests.test_mcp import RunningApp, tools_call


@pytest.fixture
def mcp_server(settings: Settings, engine: Engine) -> Iterator[RunningApp]:
    with RunningApp(settings, engine) as running:
        yield running


def test_find_figures_about_kent_gives_its_55_with_the_national_828_as_context(
    mcp_server: RunningApp,
) -> None:
    result = mcp_server.call("find_figures", {"force": "kent-police"})
    assert result.is_error is False
    found = result.structured_content
    assert [f["id"] for f in found["figures"]] == [
        "pa-2014.kent-police.cases",
        "pa-2014.kent-police.case-to-answer",
        "pa-2014.kent-police.resigned",
        "pa-2014.kent-police.warning-or-advice",
    ]
    cases = found["figures"][0]
    assert (cases["value"], cases["force"]) == (55, "kent-police")
    assert [r["reading"] for r in cases["reports"]] == ["55", "more than 50", "more than 50"]
    national = mcp_server.base + "/v1/forces/kent-police"
    detail = httpx.get(national, timeout=20).json()
    (context,) = detail["answers"][0]["context"]
    assert found["context"] == [
        "Context: pa-2014.kent-police.cases is a part of pa-2014's figure about every force it "
        f"asked, {context['label']}: 828 cases (pa-2014.cases). Never add forces' figures "
        "together or rank forces by them."
    ]
    text = result.content[0].text
    assert text.startswith("4 figures match; showing 4 from offset 0.")
    assert found["context"][0] in text
    assert "Cite as: Kent Police: cases of officers and staff investigated: 55. Press " in text


def test_an_unknown_force_is_told_in_plain_words(mcp_server: RunningApp) -> None:
    answer = mcp_server.post(tools_call("find_figures", {"force": "kent"}))
    assert answer.json()["result"] == {
        "content": [
            {
                "type": "text",
                "text": "Error executing tool find_figures: No force has the id 'kent'.",
            }
        ],
        "isError": True,
    }
