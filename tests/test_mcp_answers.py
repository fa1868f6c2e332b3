"""The MCP endpoint's answers kept small and explicit, its prompts, its server.json, its
protocol eras and its Origin check: over real HTTP against the real app (tests.test_mcp)."""

import json
from html.parser import HTMLParser
from typing import Any

import httpx
from mcp import Client

from service import reading
from service.llms import CONVENTIONS
from service.mcp import REGISTRY_SCHEMA
from service.mcp.server import MAX_RESULT_CHARS, MAX_STRUCTURED_BYTES
from tests.test_mcp import WRITTEN_WARNING, RunningApp, app_server, tools_call

__all__ = ["app_server"]

MET_2013_TITLE = (
    "Metropolitan Police: officers and staff disciplined for social-media misuse, 2009 to "
    "early 2013 (FOI answer to Parliament Street, April 2013)"
)


def result_of(answer: httpx.Response) -> dict[str, Any]:
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert "error" not in body, body
    result: dict[str, Any] = body["result"]
    return result


# ---------------------------------------------------------------- small fixes


def test_find_figures_gives_each_figure_its_cite_as_line(app_server: RunningApp) -> None:
    result = result_of(
        app_server.post(tools_call("find_figures", {"disclosure": "met-2013", "text": "warning"}))
    )
    figures = result["structuredContent"]["figures"]
    lines = result["content"][0]["text"].split("\n")
    assert lines[0] == f"{len(figures)} figures match; showing {len(figures)} from offset 0."
    cite_lines = [line for line in lines if line.startswith("  Cite as: ")]
    assert cite_lines == [f"  Cite as: {f['citation']}" for f in figures]
    first = figures[0]
    assert first["id"] == WRITTEN_WARNING
    assert first["citation"].endswith(
        f"figure {WRITTEN_WARNING}: {app_server.base}/figures/{WRITTEN_WARNING}"
        f"?revision={first['page_url'].rsplit('=', 1)[1]}. Licence: CC BY 4.0 "
        "(https://creativecommons.org/licenses/by/4.0/)."
    )
    assert result["structuredContent"]["truncated"] is False
    assert result["structuredContent"]["next_offset"] is None


def test_an_aggregate_s_citation_title_names_the_grouping_once(app_server: RunningApp) -> None:
    result = result_of(
        app_server.post(tools_call("aggregate", {"disclosure": "met-2013", "by": ["outcome"]}))
    )
    cite = result["structuredContent"]["cite"][0]
    assert cite["title"] == f"{MET_2013_TITLE}: people by outcome"
    platform = result_of(
        app_server.post(tools_call("aggregate", {"disclosure": "met-2013", "by": ["platform"]}))
    )
    assert platform["structuredContent"]["cite"][0]["title"] == (
        f"{MET_2013_TITLE}: cases by platform"
    )


def test_a_long_find_figures_answer_is_cut_and_says_how_to_get_the_rest(
    app_server: RunningApp,
) -> None:
    seen: list[str] = []
    offset: int | None = 0
    pages = 0
    while offset is not None:
        result = result_of(
            app_server.post(tools_call("find_figures", {"limit": 200, "offset": offset}))
        )
        answer = result["structuredContent"]
        text = result["content"][0]["text"]
        assert len(text) <= MAX_RESULT_CHARS
        assert len(json.dumps(answer["figures"])) <= MAX_STRUCTURED_BYTES
        shown = len(answer["figures"])
        if answer["next_offset"] is not None:
            assert answer["truncated"] is True
            assert answer["next_offset"] == offset + shown
            assert text.endswith(
                f"Cut at {shown} figures to keep this answer small (under 8,000 characters "
                "of text, 32,000 bytes of JSON). More: call find_figures again with "
                f"offset={offset + shown}."
            )
        seen += [f["id"] for f in answer["figures"]]
        offset = answer["next_offset"]
        pages += 1
    assert len(seen) == len(set(seen)) == answer["count"]
    assert pages > 2


def test_a_page_cut_by_limit_says_where_the_next_one_starts(app_server: RunningApp) -> None:
    result = result_of(
        app_server.post(tools_call("find_figures", {"disclosure": "met-2013", "limit": 2}))
    )
    answer = result["structuredContent"]
    assert (answer["count"], len(answer["figures"])) == (40, 2)
    assert (answer["truncated"], answer["next_offset"]) == (False, 2)
    assert result["content"][0]["text"].endswith("\nMore: call find_figures again with offset=2.")


# ---------------------------------------------------------------- size of tools/list


def test_tools_list_is_under_10_kb_with_every_description_whole(app_server: RunningApp) -> None:
    listed = result_of(
        app_server.post(
            {"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
            **{"mcp-protocol-version": "2025-11-25"},
        )
    )
    size = len(json.dumps(listed, separators=(",", ":")).encode())
    assert size < 10_000, size
    for tool in listed["tools"]:
        assert len(tool["description"]) < 2_048
        assert "$defs" not in json.dumps(tool["outputSchema"])
    get_figure = next(t for t in listed["tools"] if t["name"] == "get_figure")
    assert get_figure["outputSchema"]["properties"]["words"] == {"type": "string"}
    assert get_figure["outputSchema"]["properties"]["value"] == {"type": ["integer", "null"]}
    assert get_figure["outputSchema"]["properties"]["checks"] == {"type": "array"}
    assert "required" not in get_figure["outputSchema"]


def test_the_sdk_client_validates_answers_against_the_compact_schemas(
    app_server: RunningApp,
) -> None:
    async def use(client: Client) -> Any:
        await client.list_tools()
        return await client.call_tool("get_figure", {"id": WRITTEN_WARNING})

    result = app_server.with_client(use)
    assert result.is_error is False
    assert result.structured_content is not None
    assert result.structured_content["words"].startswith("17 to 18: ")


# ---------------------------------------------------------------- prompts


def test_prompts_are_listed_with_their_arguments(app_server: RunningApp) -> None:
    listed = result_of(app_server.post({"jsonrpc": "2.0", "id": 1, "method": "prompts/list"}))
    prompts = {p["name"]: p for p in listed["prompts"]}
    assert sorted(prompts) == ["cite_figure", "compare_across_disclosures", "what_was_disclosed"]
    assert prompts["cite_figure"]["title"] == "Quote a figure honestly"
    assert [(a["name"], a["required"]) for a in prompts["cite_figure"]["arguments"]] == [
        ("id", True)
    ]
    assert [a["name"] for a in prompts["compare_across_disclosures"]["arguments"]] == ["measure"]
    assert [a["name"] for a in prompts["what_was_disclosed"]["arguments"]] == ["topic"]


def prompt_text(app_server: RunningApp, name: str, arguments: dict[str, str]) -> str:
    got = result_of(
        app_server.post(
            {
                "jsonrpc": "2.0",
                "id": 1,
                "method": "prompts/get",
                "params": {"name": name, "arguments": arguments},
            }
        )
    )
    [message] = got["messages"]
    assert message["role"] == "user"
    text: str = message["content"]["text"]
    return text


def test_the_cite_prompt_says_how_to_quote_in_the_reading_words(app_server: RunningApp) -> None:
    text = prompt_text(app_server, "cite_figure", {"id": WRITTEN_WARNING})
    lines = text.split("\n")
    assert lines[0] == f"Quote the figure {WRITTEN_WARNING} honestly."
    assert lines[1].startswith(f'Call get_figure with {{"id": "{WRITTEN_WARNING}"}}.')
    assert lines[2] == "How a count is published:"
    assert lines[3:] == [f"- {line}" for line in CONVENTIONS]
    assert f"`{reading.words(None, 17, 18, None)}`" in text


def test_the_compare_prompt_never_adds_across_disclosures(app_server: RunningApp) -> None:
    text = prompt_text(app_server, "compare_across_disclosures", {"measure": "investigated"})
    assert text.split("\n")[0] == "Compare investigated across the FOI disclosures honestly."
    assert 'Call compare with {"measure": "investigated"}' in text
    assert "never add them, average them or draw one line through them" in text
    topic = prompt_text(app_server, "what_was_disclosed", {"topic": "Facebook"})
    assert 'find_figures with {"text": "Facebook"}' in topic
    assert f"`{reading.words(None, None, None, 'the vast majority')}`" in topic


# ---------------------------------------------------------------- server.json


def test_server_json_describes_the_remote_for_the_mcp_registry(app_server: RunningApp) -> None:
    answer = httpx.get(f"{app_server.base}/.well-known/mcp/server.json", timeout=20)
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/json"
    assert answer.json() == {
        "$schema": REGISTRY_SCHEMA,
        "name": "1.0.0.127/met-social-media-foi",
        "title": "Police social-media misconduct FOI figures",
        "description": "Met Police FOI figures on staff disciplined over social media, "
        "as published.",
        "version": "0.1.0",
        "websiteUrl": f"{app_server.base}/",
        "remotes": [{"type": "streamable-http", "url": app_server.url}],
    }
    assert len(answer.json()["description"]) <= 100  # the registry's limit


# ---------------------------------------------------------------- Origin


def test_a_foreign_browser_origin_is_a_403_problem(app_server: RunningApp) -> None:
    answer = app_server.post(tools_call("list_measures", {}), origin="https://evil.example")
    assert answer.status_code == 403
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json() == {
        "type": "/problems/forbidden-origin",
        "title": "Origin not allowed",
        "status": 403,
        "detail": "Origin https://evil.example may not call /mcp: a page from another site "
        "cannot use this endpoint (DNS-rebinding protection). Connect from an MCP client, "
        "which sends no Origin, or from this service's own pages.",
        "instance": "/mcp",
    }


def test_own_and_allowed_origins_and_no_origin_are_served(app_server: RunningApp) -> None:
    for origin in (app_server.base, "http://localhost:6274", None):
        headers = {} if origin is None else {"origin": origin}
        result = result_of(app_server.post(tools_call("list_measures", {}), **headers))
        assert result["isError"] is False, origin


# ---------------------------------------------------------------- protocol eras

MODERN = "2026-07-28"
HANDSHAKE_ERAS = ["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"]
EVERY_CALL: dict[str, dict[str, Any]] = {
    "list_disclosures": {},
    "list_measures": {"disclosure": "met-2013"},
    "find_figures": {"disclosure": "met-2013", "text": "written warning"},
    "get_figure": {"id": WRITTEN_WARNING},
    "aggregate": {"disclosure": "met-2013", "by": ["platform"]},
    "compare": {"measure": "investigated", "staff_type": "police_officer"},
}


def test_every_tool_answers_alike_through_the_handshake_and_the_2026_client(
    app_server: RunningApp,
) -> None:
    async def use(client: Client) -> dict[str, Any]:
        return {name: await client.call_tool(name, a) for name, a in EVERY_CALL.items()}

    legacy = app_server.with_client(use, mode="legacy")
    modern = app_server.with_client(use, mode=MODERN)
    for name in EVERY_CALL:
        assert legacy[name].is_error is False, name
        assert modern[name].structured_content == legacy[name].structured_content, name
        assert modern[name].content == legacy[name].content, name


def test_each_2025_revision_is_negotiated_by_initialize(app_server: RunningApp) -> None:
    for version in HANDSHAKE_ERAS:
        initialize = {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {
                "protocolVersion": version,
                "capabilities": {},
                "clientInfo": {"name": "era-test", "version": "1"},
            },
        }
        result = result_of(app_server.post(initialize))
        assert result["protocolVersion"] == version
        assert result["serverInfo"]["name"] == "met-social-media-foi"
        called = result_of(
            app_server.post(
                tools_call("get_figure", {"id": WRITTEN_WARNING}),
                **{"mcp-protocol-version": version},
            )
        )
        assert called["structuredContent"]["reading"] == "17 to 18", version


def modern_post(app_server: RunningApp, method: str, **headers: str) -> httpx.Response:
    meta = {
        "io.modelcontextprotocol/protocolVersion": MODERN,
        "io.modelcontextprotocol/clientCapabilities": {},
    }
    body = {"jsonrpc": "2.0", "id": 1, "method": method, "params": {"_meta": meta}}
    return app_server.post(body, **{"mcp-protocol-version": MODERN, **headers})


def test_the_2026_revision_discovers_and_gets_public_cache_hints(app_server: RunningApp) -> None:
    discovered = result_of(
        modern_post(app_server, "server/discover", **{"mcp-method": "server/discover"})
    )
    assert "Always give the figure's `citation`" in discovered["instructions"]
    for method in ("server/discover", "tools/list", "prompts/list", "resources/list"):
        result = result_of(modern_post(app_server, method, **{"mcp-method": method}))
        assert (result["ttlMs"], result["cacheScope"]) == (3_600_000, "public"), method


def test_a_2026_request_whose_method_header_disagrees_is_refused(app_server: RunningApp) -> None:
    answer = modern_post(app_server, "tools/list", **{"mcp-method": "prompts/list"})
    assert answer.status_code == 400
    assert answer.json()["error"] == {
        "code": -32020,
        "message": "mcp-method header does not match the request body's method",
    }


# ---------------------------------------------------------------- the card as an MCP App


class Tags(HTMLParser):
    """Every start tag and its attributes, and the text, of an HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def read_resource(app_server: RunningApp, uri: str) -> httpx.Response:
    body = {"jsonrpc": "2.0", "id": 1, "method": "resources/read", "params": {"uri": uri}}
    return app_server.post(body)


def test_get_figure_names_its_card_pinned_to_the_revision_it_read(app_server: RunningApp) -> None:
    result = result_of(app_server.post(tools_call("get_figure", {"id": WRITTEN_WARNING})))
    revision = result["structuredContent"]["page_url"].rsplit("=", 1)[1]
    uri = f"ui://figures/{revision}/{WRITTEN_WARNING}/card.html"
    assert result["_meta"] == {"ui": {"resourceUri": uri}}
    [content] = result_of(read_resource(app_server, uri))["contents"]
    assert content["uri"] == uri
    assert content["mimeType"] == "text/html;profile=mcp-app"
    assert content["_meta"] == {"ui": {"csp": {}, "prefersBorder": True}}
    page = Tags()
    page.feed(content["text"])
    text = " ".join(" ".join(page.text).split())
    assert "17 to 18 officers" in text
    assert "Sources disagree: The Guardian: 18 · Evening Standard: 17 · The Independent: 17" in text
    links = [a["href"] for tag, a in page.tags if tag == "a"]
    assert f"{app_server.base}/figures/{WRITTEN_WARNING}?revision={revision}" in links
    # Nothing that loads: no script, no frame, no stylesheet or image from anywhere.
    assert [tag for tag, _ in page.tags if tag in ("script", "iframe", "link", "img")] == []
    assert [a for _, a in page.tags if "src" in a] == []


def test_an_unknown_figure_s_card_is_an_error_in_plain_words(app_server: RunningApp) -> None:
    result = result_of(app_server.post(tools_call("get_figure", {"id": WRITTEN_WARNING})))
    uri = result["_meta"]["ui"]["resourceUri"].replace(WRITTEN_WARNING, "nope")
    answer = read_resource(app_server, uri)
    assert answer.json()["error"] == {
        "code": -32602,
        "message": "No figure has the id 'nope'.",
        "data": {"uri": uri},
    }


def test_get_figure_and_aggregate_declare_their_view_on_the_tool(app_server: RunningApp) -> None:
    """MCP Apps links a tool to a fixed ui:// view in tools/list; the host reads it and feeds
    it the result, whose own _meta names the pinned card or chart that the view shows."""
    listed = result_of(app_server.post({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}))
    metas = {tool["name"]: tool.get("_meta") for tool in listed["tools"]}
    view = {"ui": {"resourceUri": "ui://views/answer.html"}}
    assert metas == {
        "list_disclosures": None,
        "list_measures": None,
        "find_figures": None,
        "get_figure": view,
        "aggregate": view,
        "compare": None,
    }
    [content] = result_of(read_resource(app_server, "ui://views/answer.html"))["contents"]
    assert content["mimeType"] == "text/html;profile=mcp-app"
    assert content["_meta"] == {"ui": {"csp": {}, "prefersBorder": True}}
    page = Tags()
    page.feed(content["text"])
    # One inline script (the view's), nothing with an address: it loads nothing.
    assert [tag for tag, _ in page.tags if tag in ("script", "iframe", "link", "img")] == ["script"]
    assert [a for _, a in page.tags if "src" in a or "href" in a] == []
    script = "".join(page.text)
    for method in ("ui/initialize", "ui/notifications/tool-result", "resources/read"):
        assert f'"{method}"' in script, method


def test_aggregate_names_its_chart_pinned_and_the_chart_is_the_embed_svg(
    app_server: RunningApp,
) -> None:
    arguments = {"disclosure": "met-2013", "by": ["staff_type", "outcome"], "year": 2011}
    result = result_of(app_server.post(tools_call("aggregate", arguments)))
    revision = result["structuredContent"]["citation"].split("revision ", 1)[1].split(":")[0]
    uri = f"ui://charts/{revision}/met-2013/chart.html?by=staff_type%2Coutcome&year=2011"
    assert result["_meta"] == {"ui": {"resourceUri": uri}}
    [content] = result_of(read_resource(app_server, uri))["contents"]
    assert content["mimeType"] == "text/html;profile=mcp-app"
    assert content["_meta"] == {"ui": {"csp": {}, "prefersBorder": True}}
    svg = httpx.get(
        f"{app_server.base}/v1/embed/aggregates.svg",
        params={
            "disclosure": "met-2013",
            "by": "staff_type,outcome",
            "year": 2011,
            "revision": revision,
        },
        timeout=20,
    )
    assert svg.status_code == 200
    drawn = svg.text.split("?>", 1)[-1].strip()
    assert content["text"].endswith(f"<body>{drawn}</body></html>")
    assert "Police officers" in drawn
    page = Tags()
    page.feed(content["text"])
    assert [tag for tag, _ in page.tags if tag in ("script", "iframe", "link", "img")] == []
    # An unknown grouping is refused in words, never a 500.
    bad = read_resource(app_server, uri.replace("staff_type%2Coutcome", "colour"))
    assert bad.json()["error"]["code"] == -32602
    assert bad.json()["error"]["message"].startswith("by must name one or two different")
