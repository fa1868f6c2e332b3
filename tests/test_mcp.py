"""The MCP endpoint through the SDK's own client, over real HTTP, against a real uvicorn
server on a free loopback port, on the seeded real database of each test."""

import asyncio
import json
import logging
import re
import threading
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, TypeVar

import httpx
import pytest
import uvicorn
from mcp import Client
from sqlalchemy.engine import Engine

from service.config import Settings
from service.main import create_app
from service.mcp.server import CHART_TEMPLATE, Answers, build_server
from service.middleware import MCP_MAX_BODY_BYTES
from service.state import AppState
from service.taxonomy import CODES, DIMENSIONS, FIRST_YEAR, LAST_YEAR
from tests.composition import breaches, own_parts
from tests.processes import free_port, wait_until

WRITTEN_WARNING = "met-2013.officers.written-warning"
FACEBOOK = "met-2013.platform.facebook"
TOOLS = ["list_disclosures", "list_measures", "find_figures", "get_figure", "aggregate", "compare"]
T = TypeVar("T")


class RunningApp:
    """create_app() served by uvicorn in a thread; stopped (bounded) when the test ends."""

    def __init__(self, settings: Settings, engine: Engine) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.url = f"{self.base}/mcp"
        config = uvicorn.Config(
            create_app(settings, engine), host="127.0.0.1", port=self.port, log_level="warning"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> "RunningApp":
        self.thread.start()
        wait_until(lambda: self.server.started, 20, "uvicorn started")
        return self

    def __exit__(self, *_: object) -> None:
        self.server.should_exit = True
        self.thread.join(20)
        assert not self.thread.is_alive()

    def with_client(self, use: Callable[[Client], Awaitable[T]], mode: str = "auto") -> T:
        async def run() -> T:
            async with Client(self.url, mode=mode, read_timeout_seconds=20) as client:
                return await use(client)

        return asyncio.run(run())

    def call(self, tool: str, arguments: dict[str, Any]) -> Any:
        return self.with_client(lambda c: c.call_tool(tool, arguments))

    def post(self, body: bytes | dict[str, Any], **headers: str) -> httpx.Response:
        content = body if isinstance(body, bytes) else json.dumps(body).encode()
        return httpx.post(
            self.url,
            content=content,
            headers={
                "content-type": "application/json",
                "accept": "application/json, text/event-stream",
                **headers,
            },
            timeout=20,
        )


@pytest.fixture
def app_server(settings: Settings, engine: Engine) -> Iterator[RunningApp]:
    with RunningApp(settings, engine) as running:
        yield running


def tools_call(name: str, arguments: dict[str, Any], id_: int = 1) -> dict[str, Any]:
    return {
        "jsonrpc": "2.0",
        "id": id_,
        "method": "tools/call",
        "params": {"name": name, "arguments": arguments},
    }


# ---------------------------------------------------------------- listing


def test_mcp_initialises_and_lists_read_only_tools_with_our_enums(app_server: RunningApp) -> None:
    async def use(client: Client) -> Any:
        return client.server_info, client.instructions, await client.list_tools()

    info, instructions, listed = app_server.with_client(use, mode="legacy")
    assert info is not None
    assert info.name == "met-social-media-foi"
    assert instructions is not None
    assert "Always give the figure's `citation`" in instructions
    tools = {t.name: t for t in listed.tools}
    assert sorted(tools) == sorted(TOOLS)
    for tool in tools.values():
        assert tool.annotations is not None
        assert tool.annotations.read_only_hint is True
        assert tool.output_schema is not None
        assert tool.output_schema["type"] == "object"
    find = tools["find_figures"].input_schema["properties"]
    assert find["platform"] == {"enum": list(CODES["platform"]), "type": "string"}
    assert find["outcome"] == {"enum": list(CODES["outcome"]), "type": "string"}
    assert find["measure"] == {
        "type": "string",
        "description": "A measure from list_measures, e.g. people_by_outcome.",
    }
    assert find["disclosure"] == {
        "type": "string",
        "description": "A disclosure id from list_disclosures, e.g. met-2013.",
    }
    assert find["limit"] == {
        "default": 50,
        "description": "At most 200.",
        "maximum": 200,
        "minimum": 1,
        "type": "integer",
    }
    by = tools["aggregate"].input_schema["properties"]["by"]
    assert by["items"]["enum"] == list(DIMENSIONS)
    assert (by["minItems"], by["maxItems"]) == (1, 2)
    assert tools["get_figure"].input_schema["properties"]["id"]["maxLength"] == 200


def test_the_dimension_arguments_are_the_taxonomy_s_dimensions(
    settings: Settings, engine: Engine
) -> None:
    """The tools that filter by dimension take one argument per taxonomy.DIMENSIONS, side by
    side in its order (generated by service.dimensions), and so does the chart's URI: a
    dimension added to the taxonomy but not to a tool fails here."""
    state = AppState.build(settings, engine)
    server = build_server(state, [], ["met-2013"], Answers(state))
    listed = {t.name: t for t in asyncio.run(server.list_tools())}
    taken = {}
    for name, tool in listed.items():
        arguments = list(tool.input_schema["properties"])
        dims = [a for a in arguments if a in DIMENSIONS]
        if dims:
            start = arguments.index(dims[0])
            assert arguments[start : start + len(dims)] == dims, name
            taken[name] = dims
            properties = tool.input_schema["properties"]
            for dim in dims:
                if dim in CODES:
                    assert properties[dim] == {"enum": list(CODES[dim]), "type": "string"}
            year = {"type": "integer", "minimum": FIRST_YEAR, "maximum": LAST_YEAR}
            assert properties["year"] == year
    dimensions = list(DIMENSIONS)
    assert taken == {"find_figures": dimensions, "aggregate": dimensions, "compare": dimensions}
    assert CHART_TEMPLATE.variable_names[-len(DIMENSIONS) :] == dimensions


def test_every_tool_answers_with_text_and_structured_content(app_server: RunningApp) -> None:
    calls: dict[str, dict[str, Any]] = {
        "list_disclosures": {},
        "list_measures": {"disclosure": "met-2013"},
        "find_figures": {"disclosure": "met-2013", "text": "written warning"},
        "get_figure": {"id": WRITTEN_WARNING},
        "aggregate": {"disclosure": "met-2013", "by": ["platform"]},
        "compare": {"measure": "investigated", "staff_type": "police_officer"},
    }

    async def use(client: Client) -> dict[str, Any]:
        return {name: await client.call_tool(name, args) for name, args in calls.items()}

    results = app_server.with_client(use)
    for name, result in results.items():
        assert result.is_error is False, name
        assert result.content[0].type == "text", name
        assert result.structured_content, name
    disclosures = results["list_disclosures"].structured_content["disclosures"]
    assert [d["id"] for d in disclosures][:2] == ["met-2010", "met-2013"]
    found = results["find_figures"].structured_content
    assert [f["id"] for f in found["figures"]] == [
        WRITTEN_WARNING,
        "met-2013.staff.written-warning",
        "met-2013.staff.reprimand-or-written-warning",
        "met-2013.outcome-named.first-written-warning",
        "met-2013.outcome-named.final-written-warning",
    ]
    compare = results["compare"]
    assert compare.structured_content["count"] == len(compare.structured_content["points"])
    assert "may be set side by side, never added" in compare.content[0].text


def test_resources_are_each_disclosures_package_and_citation(app_server: RunningApp) -> None:
    async def use(client: Client) -> Any:
        listed = await client.list_resources()
        package = await client.read_resource("data://disclosures/met-2013/datapackage.json")
        citation = await client.read_resource("data://disclosures/met-2013/citation")
        return listed, package, citation

    listed, package, citation = app_server.with_client(use)
    uris = [str(r.uri) for r in listed.resources]
    assert "data://disclosures/met-2013/datapackage.json" in uris
    assert "data://disclosures/met-2013/citation" in uris
    assert json.loads(package.contents[0].text)["name"] == "met-2013"
    assert citation.contents[0].text.startswith(
        "Metropolitan Police Service FOI answer to Parliament Street (UK think tank), "
        "covering 2009 to early 2013: officers 2009 to 2012 and civilian staff 2009 to early "
        "2013, according to IDG; reported by The Guardian (“Met police investigated"
    )


# ---------------------------------------------------------------- exact answers


def test_compare_investigated_answers_every_disclosure_by_group(app_server: RunningApp) -> None:
    """Issue 24: compare used to answer "investigated: 1 separate points" (our 87)."""
    result = app_server.call("compare", {"measure": "investigated"})
    got = result.structured_content
    api = httpx.get(
        f"{app_server.base}/v1/series", params={"measure": "investigated"}, timeout=20
    ).json()
    assert got["count"] == 21  # 14 of the Met's own answers, 7 of the pa-2014 survey
    assert got["groups"] == api["groups"]
    assert got["points"] == api["data"]
    assert {p["value"] for p in got["points"]} >= {75, 12, 87, 71, 412, 184, 14, 160}
    text = result.content[0].text
    assert text.startswith(
        "investigated: 21 figures in 13 groups. Figures of one group count the same thing and "
        "may be set side by side, never added;"
    )
    assert "separate points" not in text
    assert (
        "\nGroup investigated.people.span.parliament-street-uk-think-tank: Officers and staff "
        "together, a period of more than a year; asked by Parliament Street (UK think tank).\n"
        "Stands apart from the other groups: it counts people, where the others count officers "
        "or staff.\n- met-2013, 2009 to early 2013: Officers and civilian staff investigated "
        "over social-media use: 87 [derived]\n"
    ) in text
    assert (
        "- met-2013, 2009 to 2012: Police officers investigated over social-media use: 75 "
        "(part of met-2013.all.investigated: Officers and civilian staff investigated over "
        "social-media use; already counted in it)\n"
    ) in text


def test_compare_names_the_total_of_officers_dismissed_in_2011(app_server: RunningApp) -> None:
    args = {"measure": "people_by_outcome", "staff_type": "police_officer", "outcome": "dismissed"}
    result = app_server.call("compare", args)
    parts = {p["figure"]: p["part_of"] for p in result.structured_content["points"]}
    assert parts["met-2013.officers.dismissed-2011"] == "met-2013.officers.dismissed"
    assert (
        "Police officers dismissed in 2011: 0 to 3 (part of met-2013.officers.dismissed: "
        "Police officers dismissed; already counted in it)"
    ) in result.content[0].text
    assert "separate points" not in result.content[0].text


def test_no_compare_answer_has_a_total_and_its_part_without_part_of(
    app_server: RunningApp,
) -> None:
    with httpx.Client(base_url=app_server.base, timeout=20) as http:
        pairs = own_parts(http)
        measures = [m["id"] for m in http.get("/v1/measures").json()["data"]]

    async def use(client: Client) -> dict[str, Any]:
        return {m: await client.call_tool("compare", {"measure": m}) for m in measures}

    for measure, result in app_server.with_client(use).items():
        shown = {p["figure"]: p["part_of"] for p in result.structured_content["points"]}
        assert breaches(shown, pairs) == [], measure


def test_get_figure_credits_the_parts_a_source_gave_by_name(app_server: RunningApp) -> None:
    """Never "the Guardian reported no figure given" for a source that printed the parts."""
    result = app_server.call("get_figure", {"id": "met-2013.all.resigned-or-retired"})
    assert result.structured_content["words"] == (
        "8: Parliament Street (reproducing IDG News Service) reported 8; the Guardian gave 6 "
        "officers and 2 staff, not this number; Evening Standard gave 6 officers and 2 staff, "
        "not this number"
    )
    derived = app_server.call("get_figure", {"id": "met-2013.all.investigated"})
    assert derived.structured_content["words"] == (
        "87: our arithmetic from the disclosed figures; no source printed this number (the "
        "Guardian gave 75 officers and 12 staff, not this number)"
    )
    assert "no figure given" not in derived.content[0].text


def test_get_figure_quotes_the_disputed_written_warnings_as_a_range(
    app_server: RunningApp,
) -> None:
    result = app_server.call("get_figure", {"id": WRITTEN_WARNING})
    api = httpx.get(f"{app_server.base}/v1/figures/{WRITTEN_WARNING}", timeout=20).json()
    got = result.structured_content
    assert {k: got[k] for k in ("value", "min", "max", "qualifier", "reading")} == {
        "value": None,
        "min": 17,
        "max": 18,
        "qualifier": None,
        "reading": "17 to 18",
    }
    assert (got["disputed"], got["derived"]) == (True, False)
    assert got["words"] == (
        "17 to 18: the Guardian reported 18; Evening Standard and the Independent reported 17"
    )
    assert [(r["publisher"], r["value"]) for r in got["reports"]] == [
        ("The Guardian", 18),
        ("Evening Standard", 17),
        ("The Independent", 17),
    ]
    assert [(c["id"], c["status"]) for c in got["checks"]] == [
        ("met-2013.K1", "holds"),
        ("met-2013.K3", "holds"),
    ]
    assert got["citation"] == api["citation"]
    assert {k: v for k, v in got.items() if k not in ("words", "checks")} == api
    text = result.content[0].text
    assert text.splitlines()[0] == (
        "Police officers given a written warning: 17 to 18: the Guardian reported 18; "
        "Evening Standard and the Independent reported 17 [sources disagree]"
    )
    assert text.splitlines()[-2:] == [
        f"Cite as: {api['citation']}",
        "Cite as (short): Metropolitan Police Service FOI answer (first reported 2013), as "
        "reported by The Guardian (18), Evening Standard (17) and The Independent (17); via Police "
        f"social-media misconduct FOI API, {api['page_url']}",
    ]


def test_aggregate_by_platform_keeps_facebook_in_words(app_server: RunningApp) -> None:
    result = app_server.call("aggregate", {"disclosure": "met-2013", "by": ["platform"]})
    got = result.structured_content
    facebook = next(r for r in got["rows"] if r["platform"] == "facebook")
    assert facebook == {
        "staff_type": None,
        "outcome": None,
        "platform": "facebook",
        "allegation": None,
        "year": None,
        "rank": None,
        "figure": FACEBOOK,
        "label": "Cases involving Facebook",
        "value": None,
        "min": None,
        "max": None,
        "qualifier": "the vast majority",
        "reading": "the vast majority",
        "unit": "cases",
        "derived": False,
        "disputed": False,
        "part_of": None,
    }
    assert [r["platform"] for r in got["rows"]] == [
        "facebook",
        "twitter",
        "linkedin",
        "youtube",
        "friends_reunited",
        "dating_site",
        "unspecified",
    ]
    # No check sets the platform counts (cases) against the 87 people (research K6).
    assert got["unexplained"] == []
    lines = result.content[0].text.splitlines()
    assert lines[1] == (
        "- Cases involving Facebook: “the vast majority” (no number given) "
        "(met-2013.platform.facebook)"
    )


# ---------------------------------------------------------------- no lone numbers

LONE = re.compile(r"(?<![\w.-])(17|18)(?![\w-])")
IDS = re.compile(r"met-\d{4}[\w.-]*")


def _lone_numbers_outside_range(node: Any, about: bool = False, context: bool = False) -> list[str]:
    """Within any object about the written-warning figure (the figure, its row or point, or
    a check using it): string leaves holding a bare 17 or 18 where neither they, nor an
    enclosing object's reading or words, give the range "17 to 18", and that are not one
    named source's report (or a check on one); and readings of the figure as anything but
    [17, 18]."""
    found: list[str] = []
    if isinstance(node, dict):
        terms = [t for t in [*node.get("parts", []), node.get("total")] if isinstance(t, dict)]
        reads = (node.get("value"), node.get("min"), node.get("max"))
        mine = (
            node.get("figure", node.get("id")) == WRITTEN_WARNING
            and not node.get("source")
            and "value" in node  # a reading (not, say, its CSL-JSON citation item)
        )
        if mine and reads != (None, 17, 18):
            found.append(json.dumps(node))
        about = about or WRITTEN_WARNING in (
            node.get("figure"),
            node.get("id"),
            *(t.get("figure") for t in terms),
        )
        said = f"{node.get('reading', '')} {node.get('words', '')}"
        named = bool(node.get("source")) or any(t.get("source") for t in terms)
        context = context or "17 to 18" in said or named
        for value in node.values():
            found += _lone_numbers_outside_range(value, about, context)
    elif isinstance(node, list):
        for value in node:
            found += _lone_numbers_outside_range(value, about, context)
    elif isinstance(node, str) and about and not context and "17 to 18" not in node:
        found += [node] if LONE.search(IDS.sub("", node)) else []
    return found


def test_no_answer_gives_a_disputed_or_vague_figure_as_a_lone_number(
    app_server: RunningApp,
) -> None:
    calls: list[tuple[str, dict[str, Any]]] = [
        ("get_figure", {"id": WRITTEN_WARNING}),
        ("find_figures", {"disclosure": "met-2013", "outcome": "written_warning"}),
        ("find_figures", {"text": "written warning", "disputed": True}),
        ("aggregate", {"disclosure": "met-2013", "by": ["staff_type", "outcome"]}),
        (
            "compare",
            {
                "measure": "people_by_outcome",
                "outcome": "written_warning",
                "staff_type": "police_officer",
            },
        ),
    ]

    async def use(client: Client) -> list[Any]:
        return [await client.call_tool(name, args) for name, args in calls]

    for (name, _), result in zip(calls, app_server.with_client(use), strict=True):
        text = result.content[0].text
        assert "17 to 18" in text, name
        if name == "get_figure":
            assert LONE.search(text.splitlines()[0].split(": 17 to 18: ")[0]) is None
        else:
            for line in text.splitlines():
                if WRITTEN_WARNING in line and LONE.search(IDS.sub("", line)):
                    assert "17 to 18" in line, (name, line)
        assert _lone_numbers_outside_range(result.structured_content) == [], name

    figure = app_server.call("get_figure", {"id": FACEBOOK})
    got = figure.structured_content
    assert (got["value"], got["min"], got["max"]) == (None, None, None)
    assert got["words"] == (
        "“the vast majority” (no number given): Parliament Street (reproducing IDG News "
        "Service) reported “the vast majority” (no number given)"
    )
    assert re.search(r"\d", got["words"]) is None
    first = figure.content[0].text.splitlines()[0]
    assert re.search(r"\d", first) is None
    rows = app_server.call("aggregate", {"by": ["platform"]}).content[0].text.splitlines()
    facebook = next(line for line in rows if FACEBOOK in line)
    assert re.search(r"\d", IDS.sub("", facebook)) is None


# ---------------------------------------------------------------- bad input


def test_bad_input_is_an_mcp_error_never_a_500_nor_a_stack_trace(
    app_server: RunningApp, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    cases: list[tuple[str, dict[str, Any], str]] = [
        ("no_such_tool", {}, "Unknown tool: no_such_tool"),
        ("get_figure", {"id": "met-2013.nope"}, "No figure has the id 'met-2013.nope'."),
        ("get_figure", {"id": 5}, "Input should be a valid string"),
        ("get_figure", {"id": "x" * 5000}, "String should have at most 200 characters"),
        ("find_figures", {"year": "soon"}, "Input should be a valid integer"),
        ("find_figures", {"platform": "myspace"}, "Input should be 'facebook'"),
        ("aggregate", {"by": ["platform", "platform"]}, "two different dimensions"),
        ("aggregate", {"by": "colour"}, "Input should be 'staff_type'"),
        ("aggregate", {"by": ["outcome"], "measure": "nope"}, "Input should be"),
        ("compare", {}, "Field required"),
    ]

    async def use(client: Client) -> list[Any]:
        return [await client.call_tool(name, args) for name, args, _ in cases]

    for (name, _, message), result in zip(cases, app_server.with_client(use), strict=True):
        assert result.is_error is True, name
        assert message in result.content[0].text, (name, result.content[0].text)

    not_json = app_server.post(b"{not json")
    assert not_json.status_code == 400
    assert not_json.json()["error"]["code"] == -32700
    unknown_method = app_server.post({"jsonrpc": "2.0", "id": 7, "method": "figures/steal"})
    assert unknown_method.status_code == 200
    assert unknown_method.json()["error"]["code"] == -32601
    too_big = app_server.post(tools_call("get_figure", {"id": "x" * MCP_MAX_BODY_BYTES}))
    assert too_big.status_code == 413
    assert too_big.headers["content-type"] == "application/problem+json"
    assert [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR] == []


def test_mcp_posts_count_against_the_rate_limit(settings: Settings, engine: Engine) -> None:
    limited = settings.model_copy(update={"rate_limit_per_minute": 3})
    with RunningApp(limited, engine) as running:
        call = tools_call("get_figure", {"id": WRITTEN_WARNING})
        # as the service's own pages post (a browser sends their Origin): the refusal
        # carries the CORS headers a browser needs to read it
        answers = [running.post(call, origin=running.base) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[0].json()["result"]["structuredContent"]["reading"] == "17 to 18"
    refused = answers[3]
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["type"].endswith("rate-limited")
    assert refused.headers["access-control-allow-origin"] == "*"


def test_mcp_preflight_allows_posting_json_rpc(app_server: RunningApp) -> None:
    answer = httpx.options(app_server.url, timeout=20)
    assert answer.status_code == 204
    assert answer.headers["access-control-allow-methods"] == "POST, OPTIONS"
    assert "Mcp-Protocol-Version" in answer.headers["access-control-allow-headers"]
    assert "access-control-allow-credentials" not in answer.headers


# ---------------------------------------------------------------- kept answers


def test_a_repeated_call_gets_the_kept_answer_until_the_revision_changes(
    settings: Settings, engine: Engine
) -> None:
    """Tool answers live in the service's one response cache (issues 23 and 25: the MCP
    cache of its own was bounded by count, not bytes, and grew RSS by 1.7 GB)."""
    state = AppState.build(settings, engine)
    cache = state.cache
    server = build_server(state, [], ["met-2013"], Answers(state))

    def call(tool: str, arguments: dict[str, Any]) -> Any:
        return asyncio.run(server.call_tool(tool, arguments))

    first = call("get_figure", {"id": WRITTEN_WARNING})
    assert len(cache) == 1
    assert cache.bytes > len(first.model_dump_json())
    again = call("get_figure", {"id": WRITTEN_WARNING})
    assert again.model_dump_json() == first.model_dump_json()
    assert again.structured_content["reading"] == "17 to 18"
    with pytest.raises(Exception, match="No figure has the id"):
        call("get_figure", {"id": "met-2013.nope"})
    assert len(cache) == 1  # errors are never kept
    call("get_figure", {"id": FACEBOOK})
    call("list_disclosures", {})
    assert len(cache) == 3
    state.tracker.observe("a-new-revision")
    call("get_figure", {"id": WRITTEN_WARNING})
    assert (cache.revision, len(cache)) == ("a-new-revision", 1)


def test_kept_answers_are_bounded_by_the_cache_s_bytes(settings: Settings, engine: Engine) -> None:
    state = AppState.build(settings.model_copy(update={"cache_max_bytes": 60_000}), engine)
    server = build_server(state, [], ["met-2013"], Answers(state))
    for offset in range(12):
        asyncio.run(server.call_tool("find_figures", {"limit": 10, "offset": offset}))
        assert state.cache.bytes <= 60_000
    assert 0 < len(state.cache) < 12
    assert state.cache.evictions == 12 - len(state.cache)


# ---------------------------------------------------------------- transport (issue 25)


@pytest.mark.parametrize(
    ("method", "headers"),
    [
        ("GET", {"accept": "text/event-stream"}),
        ("GET", {"accept": "application/json"}),
        ("HEAD", {}),
        ("DELETE", {"mcp-session-id": "abc"}),
        ("PUT", {"content-type": "application/json"}),
    ],
)
def test_mcp_answers_only_post_and_opens_no_stream(
    app_server: RunningApp, method: str, headers: dict[str, str]
) -> None:
    """A GET with Accept: text/event-stream opened a stream that never ended (1,000 held
    open); the transport says 405 for a server that offers none. The bound is the one every
    post here has: 5 s was once too short for a busy machine's answer."""
    answer = httpx.request(method, app_server.url, headers=headers, timeout=20)
    assert answer.status_code == 405
    assert answer.headers["allow"] == "POST"
    assert answer.headers["content-type"] == "application/problem+json"
    if method != "HEAD":
        assert answer.json() == {
            "type": "/problems/method-not-allowed",
            "title": "Method not allowed",
            "status": 405,
            "detail": f"{method} is not allowed at /mcp: this stateless server opens no event "
            "streams and keeps no sessions; POST JSON-RPC messages.",
            "instance": "/mcp",
        }


@pytest.mark.parametrize("id_", [{"a": 1}, [1], 1.5, True, None])
def test_a_json_rpc_id_that_is_not_a_string_or_integer_is_an_invalid_request(
    app_server: RunningApp, id_: Any
) -> None:
    """An object id got a 202 and no answer at all."""
    answer = app_server.post({"jsonrpc": "2.0", "id": id_, "method": "tools/list"})
    assert answer.status_code == 400
    assert answer.json() == {
        "jsonrpc": "2.0",
        "id": None,
        "error": {
            "code": -32600,
            "message": "Invalid Request: an id must be a string or an integer.",
        },
    }
    listed = app_server.post({"jsonrpc": "2.0", "id": "a-string", "method": "tools/list"})
    assert listed.status_code == 200
    assert listed.json()["id"] == "a-string"


def test_a_body_that_is_not_json_by_its_content_type_is_a_415_problem(
    app_server: RunningApp,
) -> None:
    """It was a plain-text 400 'Invalid Content-Type header'."""
    answer = app_server.post(tools_call("list_disclosures", {}), **{"content-type": "text/plain"})
    assert answer.status_code == 415
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json() == {
        "type": "/problems/unsupported-media-type",
        "title": "Unsupported media type",
        "status": 415,
        "detail": "POST JSON-RPC messages to /mcp as application/json, not text/plain.",
        "instance": "/mcp",
    }


def test_refused_tool_arguments_are_told_in_plain_words(app_server: RunningApp) -> None:
    """They carried pydantic's report: its type codes, the input and errors.pydantic.dev."""
    answer = app_server.post(tools_call("get_figure", {"id": 5}))
    assert answer.status_code == 200
    assert answer.json()["result"] == {
        "content": [
            {
                "type": "text",
                "text": "Invalid arguments for get_figure: id: Input should be a valid string.",
            }
        ],
        "isError": True,
    }
    missing = app_server.post(tools_call("compare", {}))
    text = missing.json()["result"]["content"][0]["text"]
    assert text.startswith("Invalid arguments for compare: ")
    assert "pydantic" not in text
    assert "type=" not in text
