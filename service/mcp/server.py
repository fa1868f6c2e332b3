"""The MCP SDK's server for /mcp (see service.mcp): its tools, resources and answers. Imported
on the first /mcp request, not at start-up: the SDK alone takes longer to import than the rest
of the service."""

import contextlib
import json
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeAlias, TypeVar

from mcp.server.caching import CacheableMethod, CacheHint
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ResourceNotFoundError, ToolError, UnexpectedToolError
from mcp.server.transport_security import TransportSecuritySettings
from mcp.shared.uri_template import UriTemplate
from mcp.types import CallToolResult, TextContent, ToolAnnotations
from pydantic import BaseModel, BeforeValidator, Field, ValidationError
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session
from starlette.types import Receive, Scope, Send

from service import __version__, dimensions, reading, revisions
from service.caching import JSON, MCP, Asked, Key, make_entry, make_etag
from service.dimensions import NO_FILTERS
from service.embed.card import Card, card_html, esc
from service.embed.svg import aggregate_svg, chart_title
from service.errors import NotFound, Problem, ServiceUnavailable
from service.mcp import BY_GROUP, INSTRUCTIONS, REQUEST_BASE, SERVER_NAME, SERVER_TITLE
from service.middleware import MCP_MAX_BODY_BYTES
from service.reads import aggregates as aggregate_reads
from service.reads import checks as check_reads
from service.reads import disclosures as disclosure_reads
from service.reads import figures as figure_reads
from service.reads import forces as force_reads
from service.reads import measures as measure_reads
from service.reads import series as series_reads
from service.reads.common import Filters
from service.schemas import (
    AggregatePublic,
    CheckPublic,
    DisclosurePublic,
    FigurePublic,
    SeriesGroup,
    SeriesPoint,
)
from service.state import AppState
from service.taxonomy import CODES, DIMENSIONS, FIRST_YEAR, LABELS, LAST_YEAR

MAX_PAGE = 200
MAX_TEXT = 200
#: A find_figures answer's text stays under this many characters (clients are reported to cut
#: tool results at 4,000 to 10,000 without saying so): the figures past it are left for the
#: next call, and the answer says so (`truncated`, `next_offset`), never a silent cut.
MAX_RESULT_CHARS = 8_000
#: ... and its structured content (the same figures as JSON) under this many bytes.
MAX_STRUCTURED_BYTES = 32_000
MCP_PATH = "/mcp"
T = TypeVar("T")


# Closed vocabularies for the input schemas, from service.taxonomy.
if TYPE_CHECKING:
    Dimension: TypeAlias = str
    # Narrowed in build_server to the measures and disclosures in the database.
    Measure: TypeAlias = str
    DisclosureId: TypeAlias = str
else:
    Dimension = Literal[DIMENSIONS]

Year = Annotated[int, Field(ge=FIRST_YEAR, le=LAST_YEAR)]


def dimension_argument(name: str) -> Any:
    """A dimension's tool argument: one of its codes, or a year; None filters nothing."""
    return (Literal[CODES[name]] if dimensions.is_coded(name) else Year) | None


#: A tool taking a `dims` argument takes one argument per dimension in its place, and is
#: handed those given as its `dims` (Filters).
taking_dimensions = dimensions.taking_filters(
    "dims", dimensions.parameters(DIMENSIONS, dimension_argument)
)
#: The chart resource's query: one string per dimension, empty when not asked.
taking_chart_dimensions = dimensions.taking_filters(
    "dims", dimensions.parameters(DIMENSIONS, lambda _: str, default="")
)
ForceText = Annotated[
    str, Field(min_length=1, max_length=100, description="Force id, e.g. kent-police.")
]
FigureId = Annotated[str, Field(min_length=1, max_length=200, description="Figure id.")]
Text = Annotated[
    str, Field(min_length=1, max_length=MAX_TEXT, description="Words to find in figure labels.")
]
Limit = Annotated[int, Field(ge=1, le=MAX_PAGE, description=f"At most {MAX_PAGE}.")]
Offset = Annotated[int, Field(ge=0, le=1_000_000)]


def _split_commas(value: Any) -> Any:
    return [part.strip() for part in value.split(",")] if isinstance(value, str) else value


Grouping = Annotated[
    list[Dimension],
    BeforeValidator(_split_commas),
    Field(
        min_length=1,
        max_length=2,
        description='One dimension, or two: e.g. ["platform"] or ["staff_type", "outcome"].',
    ),
]

READ_ONLY = ToolAnnotations(
    read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False
)


# ---------------------------------------------------------------- answers


class DisclosuresAnswer(BaseModel):
    disclosures: list[DisclosurePublic]


class MeasureEntry(BaseModel):
    measure: str
    disclosures: list[str]


class MeasuresAnswer(BaseModel):
    measures: list[MeasureEntry]


class FiguresAnswer(BaseModel):
    figures: list[FigurePublic]
    count: int = Field(description="Figures matching, across all pages.")
    limit: int
    offset: int
    truncated: bool = Field(
        description=f"Fewer than limit figures, to keep the text under {MAX_RESULT_CHARS:,} "
        f"characters and the JSON under {MAX_STRUCTURED_BYTES:,} bytes."
    )
    next_offset: int | None = Field(description="Call again with this offset for the rest.")
    context: list[str] = Field(
        default_factory=list,
        description="With force: each survey figure's national total, as context only.",
    )


class FigureAnswer(FigurePublic):
    words: str = Field(description="The reading and who reported what, to quote as it stands.")
    checks: list[CheckPublic] = Field(description="Reconciliation checks using this figure.")


class AggregateAnswer(AggregatePublic):
    unexplained: list[str] = Field(
        description="What the rows do not add up to: each check that does not hold exactly."
    )


class CompareAnswer(BaseModel):
    measure: str
    filters: dict[str, str | int]
    groups: list[SeriesGroup] = Field(
        description="The groups the points stand in, each with why it stands apart."
    )
    points: list[SeriesPoint]
    count: int
    warning: str = Field(description="Why the points must not be added together.")


# ---------------------------------------------------------------- text renderings


def figure_words(figure: FigurePublic) -> str:
    """'17 to 18: the Guardian reported 18; Evening Standard and the Independent reported 17'."""
    said = reading.words(figure.value, figure.min, figure.max, figure.qualifier)
    reports = reading.reported(
        (
            (r.publisher, r.value, r.min, r.max, r.qualifier)
            for r in figure.reports
            if r.kind in reading.PRINTED_KINDS
        ),
        ((r.publisher, r.reading) for r in figure.reports if r.kind not in reading.PRINTED_KINDS),
    )
    if figure.derived:
        reports = reading.DERIVED + (f" ({reports})" if reports else "")
    return f"{said}: {reports}" if reports else said


def _flags(figure: FigurePublic | Any) -> str:
    flags = [
        *(["sources disagree"] if figure.disputed else []),
        *(["derived"] if figure.derived else []),
    ]
    return f" [{', '.join(flags)}]" if flags else ""


def figure_line(figure: FigurePublic) -> str:
    return f"- {figure.id}: {figure.label}: {figure_words(figure)}{_flags(figure)}"


def check_line(check: CheckPublic) -> str:
    return f"- {check.title}: {check.status.replace('_', ' ')}. {check.explanation}"


def render_disclosures(answer: DisclosuresAnswer) -> str:
    lines = [
        f"- {d.id}: {d.title} ({d.period_description}); {d.figure_count} figures; "
        f"licence {d.licence.title}. {d.counts}"
        for d in answer.disclosures
    ]
    return "\n".join(["Disclosures (never add figures across them):", *lines])


def render_measures(answer: MeasuresAnswer) -> str:
    lines = [f"- {m.measure}: in {', '.join(m.disclosures)}" for m in answer.measures]
    return "\n".join(["Measures:", *lines])


def figures_head(count: int, shown: int, offset: int) -> str:
    return f"{count} figures match; showing {shown} from offset {offset}."


def figure_entry(figure: FigurePublic) -> str:
    return f"{figure_line(figure)}\n  Cite as: {figure.citation}"


def figures_tail(answer: FiguresAnswer) -> str:
    if answer.next_offset is None:
        return ""
    cut = (
        f"Cut at {len(answer.figures)} figures to keep this answer small (under "
        f"{MAX_RESULT_CHARS:,} characters of text, {MAX_STRUCTURED_BYTES:,} bytes of JSON). "
        if answer.truncated
        else ""
    )
    return f"{cut}More: call find_figures again with offset={answer.next_offset}."


def render_figures(answer: FiguresAnswer) -> str:
    head = figures_head(answer.count, len(answer.figures), answer.offset)
    tail = figures_tail(answer)
    entries = [figure_entry(f) for f in answer.figures]
    return "\n".join([head, *entries, *answer.context, *([tail] if tail else [])])


def force_context(session: Session, force: str | None) -> list[str]:
    """For a force's figures from surveys of every force: each one's national total, as
    context, never a sum or a rank. None without a force."""
    if force is None:
        return []
    detail = force_reads.get_force(session, force, REQUEST_BASE.get())  # NotFound: unknown
    lines = []
    for answer in detail.answers:
        totals = {t.id: t for t in answer.context}
        for figure_id, total_id in answer.part_of.items():
            t = totals[total_id]
            lines.append(
                f"Context: {figure_id} is a part of {answer.disclosure}'s figure about every "
                f"force it asked, {t.label}: {t.reading} {t.unit} ({total_id}). Never add "
                "forces' figures together or rank forces by them."
            )
    return lines


def render_figure(answer: FigureAnswer) -> str:
    lines = [f"{answer.label}: {answer.words}{_flags(answer)}", f"Unit: {answer.unit}."]
    if answer.note:
        lines.append(f"Note from the data package: {answer.note}")
    if answer.checks:
        lines += ["Checks:", *(check_line(c) for c in answer.checks)]
    lines += [f"Cite as: {answer.citation}", f"Cite as (short): {answer.cite_short}"]
    return "\n".join(lines)


def render_aggregate(answer: AggregateAnswer) -> str:
    rows = [
        f"- {row.label}: {reading.words(row.value, row.min, row.max, row.qualifier)}"
        f"{_flags(row)} ({row.figure})"
        for row in answer.rows
    ]
    lines = [f"{answer.measure} in {answer.disclosure} by {', '.join(answer.by)}:", *rows]
    if answer.total is not None:
        t = answer.total
        total = reading.words(t.value, t.min, t.max, t.qualifier)
        lines.append(f"Stated total: {t.label}: {total}{_flags(t)} ({t.figure})")
    if answer.unexplained:
        lines += ["What the rows do not add up to:", *(f"- {u}" for u in answer.unexplained)]
    lines.append(f"Cite as: {answer.citation}")
    return "\n".join(lines)


def render_compare(answer: CompareAnswer) -> str:
    groups = "group" if len(answer.groups) == 1 else "groups"
    lines = [
        f"{answer.measure}: {answer.count} figures in {len(answer.groups)} {groups}. {BY_GROUP}"
    ]
    labels = {p.figure: p.label for p in answer.points}
    for group in answer.groups:
        lines += ["", f"Group {group.id}: {group.label}.", group.reason]
        for p in (p for p in answer.points if p.group == group.id):
            said = reading.words(p.value, p.min, p.max, p.qualifier)
            part = (
                f" (part of {p.part_of}: {labels.get(p.part_of, p.part_of)}; already counted in it)"
                if p.part_of
                else ""
            )
            lines.append(f"- {p.disclosure}, {p.period}: {p.label}: {said}{_flags(p)}{part}")
            lines += [f"  Comparability: {c}" for c in p.comparability]
            lines.append(f"  Cite as: {p.citation}")
    return "\n".join(lines)


def answered(answer: BaseModel, render: Callable[[Any], str]) -> CallToolResult:
    return CallToolResult(
        content=[TextContent(type="text", text=render(answer))],
        structured_content=answer.model_dump(mode="json", by_alias=True),
    )


# ---------------------------------------------------------------- the server


def _matches(figure: FigurePublic, text: str) -> bool:
    words = [figure.label, figure.measure, figure.id]
    words += [LABELS[d].get(getattr(figure, d), "") for d in LABELS]
    haystack = " ".join(words).lower()
    return all(part in haystack for part in text.lower().split())


def measures_of(session: Session, disclosure: str | None) -> MeasuresAnswer:
    ids = [disclosure] if disclosure else disclosure_reads.disclosure_ids(session)
    found: dict[str, list[str]] = {}
    for d in ids:
        for m in measure_reads.measure_ids(session, d):
            found.setdefault(m, []).append(d)
    return MeasuresAnswer(
        measures=[MeasureEntry(measure=m, disclosures=found[m]) for m in sorted(found)]
    )


def figures_matching(
    session: Session,
    disclosure: str | None,
    measure: str | None,
    dims: Filters,
    disputed: bool | None,
    text: str | None,
) -> list[FigurePublic]:
    figures = figure_reads.every_figure(
        session,
        disclosure=disclosure,
        measure=measure,
        dimensions=dims,
        disputed=disputed,
        base_url=REQUEST_BASE.get(),
    )
    return [f for f in figures if text is None or _matches(f, text)]


def figures_page(found: list[FigurePublic], limit: int, offset: int) -> FiguresAnswer:
    """The page from `offset`: at most `limit` figures, and fewer when their text would pass
    MAX_RESULT_CHARS or their JSON MAX_STRUCTURED_BYTES (always at least one, so every call
    moves on)."""
    page = found[offset : offset + limit]
    # The head and the tail are at most this long; the figures share what is left.
    room, room_json = MAX_RESULT_CHARS - 240, MAX_STRUCTURED_BYTES - 200
    shown = 0
    for figure in page:
        room -= len(figure_entry(figure)) + 1
        room_json -= len(figure.model_dump_json(by_alias=True)) + 1
        if (room < 0 or room_json < 0) and shown > 0:
            break
        shown += 1
    end = offset + shown
    return FiguresAnswer(
        figures=page[:shown],
        count=len(found),
        limit=limit,
        offset=offset,
        truncated=shown < len(page),
        next_offset=end if end < len(found) else None,
    )


def figure_answer(session: Session, figure_id: str) -> tuple[FigureAnswer, str]:
    """The figure's answer and the dataset revision it was read at."""
    figure = figure_reads.get_figure(session, figure_id, REQUEST_BASE.get())
    checks = check_reads.evaluate_checks(session, figure.disclosure, [figure.id])
    answer = FigureAnswer(**figure.model_dump(), words=figure_words(figure), checks=checks)
    return answer, revisions.read_id(session)


#: The MCP Apps extension (io.modelcontextprotocol/ui): a ui:// resource is HTML a host
#: renders in a sandboxed frame, served with this MIME type.
APP_MIME_TYPE = "text/html;profile=mcp-app"
CARD_URI = "ui://figures/{revision}/{id}/card.html"
#: The aggregate's chart: the tool's arguments are the query (RFC 6570, as the SDK matches).
CHART_URI = (
    "ui://charts/{revision}/{disclosure}/chart.html{?by,measure," + ",".join(DIMENSIONS) + "}"
)
CHART_TEMPLATE = UriTemplate.parse(CHART_URI)
#: The view get_figure and aggregate name on their tool definitions (MCP Apps: a fixed ui://
#: resource the host may prefetch, fed the tool's result): it shows the card or the chart the
#: result names, pinned (view.js says how).
VIEW_URI = "ui://views/answer.html"
VIEW_META = {"ui": {"resourceUri": VIEW_URI}}
#: No domains: the host lets a view load nothing from another origin (ours load nothing at
#: all: inline CSS, and the view's one inline script).
APP_META = {"ui": {"csp": {}, "prefersBorder": True}}
HERE = Path(__file__).parent


def view_html() -> str:
    """view.html with view.js inside it: a view may load nothing, not even its own script."""
    script = (HERE / "view.js").read_text(encoding="utf-8")
    return (HERE / "view.html").read_text(encoding="utf-8").replace("/* view.js */", script)


def card_uri(revision: str, figure_id: str) -> str:
    return CARD_URI.format(revision=revision, id=figure_id)


def figure_card(session: Session, revision: str, figure_id: str) -> str:
    """The embed card of /v1/embed/figures/{id}.html (service.embed.card), pinned to
    `revision`: the number, its dispute, its source line and its citation, no script."""
    revisions.pin(session, revisions.resolve(session, revision))
    base = REQUEST_BASE.get()
    figure = figure_reads.get_figure(session, figure_id, base)
    disclosure = disclosure_reads.get_disclosure(session, figure.disclosure)
    read = revisions.read_id(session)
    with revisions.reading_newest(session):
        try:
            now: FigurePublic | None = figure_reads.get_figure(session, figure_id, base)
        except NotFound:
            now = None
    return card_html(
        Card(figure, disclosure, read, pinned=True, now=now), "light", "", base
    ).decode()


def figure_result(
    read: Callable[[Callable[[Session], tuple[FigureAnswer, str]]], tuple[FigureAnswer, str]],
    figure_id: str,
) -> CallToolResult:
    answer, revision = read(lambda session: figure_answer(session, figure_id))
    return with_view(answered(answer, render_figure), card_uri(revision, answer.id))


def aggregate_result(
    read: Callable[[Callable[[Session], tuple[AggregateAnswer, str]]], tuple[AggregateAnswer, str]],
    disclosure: str,
    by: list[str],
    measure: str | None,
    dims: Filters,
) -> CallToolResult:
    def work(session: Session) -> tuple[AggregateAnswer, str]:
        result = aggregate_reads.aggregate(
            session, disclosure, by, measure, dims, REQUEST_BASE.get()
        )
        answer = AggregateAnswer(**result.model_dump(), unexplained=unexplained(result.checks))
        return answer, revisions.read_id(session)

    answer, revision = read(work)
    chart = chart_uri(revision, disclosure, by, measure, dims)
    return with_view(answered(answer, render_aggregate), chart)


def with_view(result: CallToolResult, uri: str) -> CallToolResult:
    """A result naming its pinned card or chart (`_meta.ui.resourceUri`), which the tool's
    view (VIEW_URI) reads and shows; a client without MCP Apps ignores _meta and reads the
    same text."""
    return result.model_copy(update={"meta": {"ui": {"resourceUri": uri}}})


def chart_uri(
    revision: str, disclosure: str, by: list[str], measure: str | None, dims: Filters
) -> str:
    """The aggregate's chart, pinned: its revision, and the tool's arguments as the query."""
    asked = {"by": ",".join(by), **({"measure": measure} if measure else {}), **dims}
    return CHART_TEMPLATE.expand(
        {"revision": revision, "disclosure": disclosure, **{k: str(v) for k, v in asked.items()}}
    )


def figure_chart(session: Session, revision: str, disclosure: str, asked: dict[str, str]) -> str:
    """The SVG chart of /v1/embed/aggregates.svg (service.embed.svg) for these arguments,
    pinned to `revision`, as the page an MCP Apps host shows: the chart inline, no script."""
    by = [part.strip() for part in asked.pop("by", "").split(",")]
    if not by or len(by) > 2 or len(set(by)) != len(by) or not set(by) <= set(DIMENSIONS):
        raise ToolError(
            f"by must name one or two different dimensions of: {', '.join(DIMENSIONS)}."
        )
    measure = asked.pop("measure", None)
    dims: Filters = {k: int(v) if k == "year" else v for k, v in asked.items()}
    revisions.pin(session, revisions.resolve(session, revision))
    base = REQUEST_BASE.get()
    data = aggregate_reads.aggregate(session, disclosure, by, measure, dims, base)
    svg = aggregate_svg(data, disclosure_reads.get_disclosure(session, disclosure), "light", base)
    title = esc(chart_title(data.measure, data.by))
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        "<style>body{margin:0}svg{display:block;max-width:100%;height:auto}</style></head>"
        f"<body>{svg.decode().split('?>', 1)[-1].strip()}</body></html>"
    )


def problem_text(problem: Problem) -> str:
    """A problem as a tool error the model can act on: what was wrong and what is allowed."""
    allowed = [
        f" Allowed {e.parameter}: {', '.join(e.allowed)}."
        for e in problem.errors or ()
        if e.allowed
    ]
    return problem.detail + "".join(allowed)


def unexplained(checks: Sequence[CheckPublic]) -> list[str]:
    return [f"{c.title}: {c.explanation}" for c in checks if c.status != "holds"]


class PlainServer(MCPServer):
    """Arguments a tool refuses are told in plain words ("Invalid arguments for get_figure:
    id: Input should be a valid string."), not as pydantic's report with its type codes,
    the rejected input and a link to errors.pydantic.dev."""

    async def list_tools(self) -> list[Any]:
        tools = await super().list_tools()
        return [
            tool.model_copy(
                update={
                    # A docstring's line breaks and indentation are not the description's.
                    "description": " ".join((tool.description or "").split()),
                    "input_schema": compact_input(tool.input_schema),
                    "output_schema": compact_output(tool.output_schema or {}),
                }
            )
            for tool in tools
        ]

    async def call_tool(self, name: str, arguments: dict[str, Any], context: Any = None) -> Any:
        try:
            return await super().call_tool(name, arguments, context)
        except ToolError as error:
            cause = error.__cause__
            if isinstance(error, UnexpectedToolError) or not isinstance(cause, ValidationError):
                raise
            raise ToolError(argument_errors(name, cause)) from cause


#: Arguments whose values grow with the data: named by a listing tool, not enumerated in
#: every tool's schema (the call still checks them, and an error lists what is allowed).
LISTED = {
    "measure": "A measure from list_measures, e.g. people_by_outcome.",
    "disclosure": "A disclosure id from list_disclosures, e.g. met-2013.",
}


def _types(schema: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    """A property's JSON types only: {"type": ["string", "null"]} for an optional code."""
    found: list[str] = []
    for option in schema.get("anyOf", [schema]):
        if "$ref" in option:
            option = defs[option["$ref"].rsplit("/", 1)[-1]]
        kind = option.get("type", "object")
        found += kind if isinstance(kind, list) else [kind]
    unique = list(dict.fromkeys(found))
    return {"type": unique[0] if len(unique) == 1 else unique}


def compact_output(schema: dict[str, Any]) -> dict[str, Any]:
    """An output schema trimmed to what a client validates and reads: the answer's fields and
    their JSON types (every one is always there, null when it has no value). What the fields
    mean is said once, in the server's instructions and the tool descriptions, and in full in
    the OpenAPI document of /v1 (the same models); nested objects are typed "object", not
    spelled out again."""
    defs = schema.get("$defs", {})
    properties = {name: _types(p, defs) for name, p in schema.get("properties", {}).items()}
    return {"type": "object", "properties": properties}


def compact_input(schema: dict[str, Any]) -> dict[str, Any]:
    """An input schema without pydantic's titles and null defaults, an optional code given as
    its enum (not anyOf with null), and LISTED arguments pointed to their listing tool."""
    properties: dict[str, Any] = {}
    for name, p in schema.get("properties", {}).items():
        options = [o for o in p.get("anyOf", [p]) if o.get("type") != "null"]
        kept = {k: v for k, v in options[0].items() if k != "title"} if len(options) == 1 else p
        kept |= {k: v for k, v in p.items() if k in ("description", "default") and v is not None}
        if name in LISTED:
            kept = {"type": "string", "description": LISTED[name]}
        properties[name] = kept
    compacted: dict[str, Any] = {"type": "object", "properties": properties}
    if schema.get("required"):
        compacted["required"] = schema["required"]
    return compacted


def argument_errors(tool: str, error: ValidationError) -> str:
    problems = []
    for item in error.errors(include_url=False, include_input=False):
        where = ".".join(str(part) for part in item["loc"]) or "arguments"
        problems.append(f"{where}: {item['msg'].removeprefix('Value error, ')}")
    return f"Invalid arguments for {tool}: {'; '.join(problems)}."


#: Cache hints for results of the 2026-07-28 revision (ttlMs, cacheScope): open data, the same
#: for everyone, so "public". The lists are fixed for the life of the server (built from the
#: database when it starts); a resource read (a citation names the revision) for five minutes.
LIST_HINT = CacheHint(ttl_ms=3_600_000, scope="public")
CACHE_HINTS: dict[CacheableMethod, CacheHint] = {
    "server/discover": LIST_HINT,
    "tools/list": LIST_HINT,
    "prompts/list": LIST_HINT,
    "resources/list": LIST_HINT,
    "resources/templates/list": LIST_HINT,
    "resources/read": CacheHint(ttl_ms=300_000, scope="public"),
}


def new_server() -> MCPServer:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    server: MCPServer = PlainServer(
        SERVER_NAME,
        title=SERVER_TITLE,
        instructions=INSTRUCTIONS,
        version=__version__,
        cache_hints=CACHE_HINTS,
    )
    # MCPServer() calls logging.basicConfig; the service keeps the logging it was given.
    root.handlers[:] = handlers
    root.setLevel(level)
    return server


class Answers:
    """Tool answers kept in the service's one response cache (service.caching), bounded in
    bytes with every other answer, by tool, arguments and base URL: a repeated call skips
    the database and the rendering, and gets the very answer the first call got. The
    revision is the response cache's (RevisionTracker), so an answer is as fresh as /v1's;
    errors are never kept."""

    def __init__(self, state: AppState) -> None:
        self.state = state

    def get(
        self, tool: str, arguments: dict[str, Any], build: Callable[[], CallToolResult]
    ) -> CallToolResult:
        tracker = self.state.tracker
        revision = tracker.current or tracker.refresh()
        if revision is None:
            return build()  # revision unknown (database away): answer, keep nothing
        asked = json.dumps(arguments, sort_keys=True, default=str)
        key = Key(Asked(f"{MCP_PATH}/{tool}", asked, REQUEST_BASE.get()), MCP)
        entry = self.state.cache.get(key)
        if entry is not None:
            return CallToolResult.model_validate_json(entry.body)
        answer = build()
        body = answer.model_dump_json(by_alias=True, exclude_none=True).encode()
        entry = make_entry(
            body, JSON, make_etag(revision, key), negotiated=False, route=MCP_PATH, compressed=False
        )
        self.state.cache.put(revision, key, entry)
        return answer


def reader(state: AppState) -> Callable[[Callable[[Session], T]], T]:
    """Run a read in its own session; its problems become tool errors (isError results)."""

    def read(work: Callable[[Session], T]) -> T:
        try:
            with Session(state.engine) as session:
                return work(session)
        except Problem as problem:
            raise ToolError(problem_text(problem)) from None
        except SQLAlchemyError:
            raise ToolError(ServiceUnavailable().detail) from None

    return read


def build_server(
    state: AppState,
    measures: Sequence[str],
    disclosures: Sequence[str],
    answers: Answers,
) -> MCPServer:
    """An MCPServer whose input schemas list the measures and disclosures known now; its
    tools keep their answers in `answers`."""
    if not TYPE_CHECKING:
        Measure = Literal[tuple(measures)] if measures else str
        DisclosureId = Literal[tuple(disclosures)] if disclosures else str
    server = new_server()
    read = reader(state)
    tool = server.tool
    kept = answers.get

    @tool(title="List disclosures", annotations=READ_ONLY)
    def list_disclosures() -> Annotated[CallToolResult, DisclosuresAnswer]:
        """Every FOI disclosure: what it counts, the period, its licence and comparability
        notes. Figures are never added across disclosures."""
        return kept(
            "list_disclosures",
            {},
            lambda: answered(
                DisclosuresAnswer(disclosures=read(disclosure_reads.list_disclosures)),
                render_disclosures,
            ),
        )

    @tool(title="List measures", annotations=READ_ONLY)
    def list_measures(
        disclosure: DisclosureId | None = None,
    ) -> Annotated[CallToolResult, MeasuresAnswer]:
        """The measures (what a figure counts, e.g. people_by_outcome) and the disclosures
        that have figures of each."""
        return kept(
            "list_measures",
            {"disclosure": disclosure},
            lambda: answered(read(lambda s: measures_of(s, disclosure)), render_measures),
        )

    @tool(title="Find figures", annotations=READ_ONLY)
    @taking_dimensions
    def find_figures(
        disclosure: DisclosureId | None = None,
        measure: Measure | None = None,
        dims: Filters = NO_FILTERS,
        force: ForceText | None = None,
        text: Text | None = None,
        disputed: bool | None = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> Annotated[CallToolResult, FiguresAnswer]:
        """Figures by disclosure, measure, dimension codes, force and words in their labels,
        each with its reading, reports, disputed and derived flags, and its "Cite as" line.
        Quote a reading as given (a range whole, words as words) with its citation. A long
        answer is cut, never silently: it says so (truncated) and gives next_offset."""
        dims = dims | dimensions.given({"force": force})

        def found(session: Session) -> FiguresAnswer:
            context = force_context(session, force)
            figures = figures_matching(session, disclosure, measure, dims, disputed, text)
            return figures_page(figures, limit, offset).model_copy(update={"context": context})

        arguments: dict[str, Any] = {"disclosure": disclosure, "measure": measure, "dims": dims}
        arguments |= {"text": text, "disputed": disputed, "limit": limit, "offset": offset}
        return kept("find_figures", arguments, lambda: answered(read(found), render_figures))

    @tool(title="Get a figure", annotations=READ_ONLY, meta=VIEW_META)
    def get_figure(id: FigureId) -> Annotated[CallToolResult, FigureAnswer]:
        """One figure in words ("17 to 18: the Guardian reported 18; ..."), every source's
        report, whether it is derived or disputed, the checks it takes part in, and the
        citation to print with it. Its _meta.ui.resourceUri names the figure's card."""

        return kept("get_figure", {"id": id}, lambda: figure_result(read, id))

    @tool(title="Aggregate figures", annotations=READ_ONLY, meta=VIEW_META)
    @taking_dimensions
    def aggregate(
        by: Grouping,
        disclosure: DisclosureId | None = None,
        measure: Measure | None = None,
        dims: Filters = NO_FILTERS,
    ) -> Annotated[CallToolResult, AggregateAnswer]:
        """Figures of one measure in one disclosure grouped by one or two dimensions: the
        rows (ranges and words kept), the stated total, the checks, what the rows do not add
        up to, and the citation. Without measure, the disclosure's headline measure."""
        if len(set(by)) != len(by):
            raise ToolError("by must name two different dimensions.")
        chosen = disclosure or state.settings.flagship_disclosure

        arguments = {"by": list(by), "disclosure": chosen, "measure": measure, "dims": dims}
        return kept(
            "aggregate", arguments, lambda: aggregate_result(read, chosen, list(by), measure, dims)
        )

    @tool(title="Compare across disclosures", annotations=READ_ONLY)
    @taking_dimensions
    def compare(
        measure: Measure,
        dims: Filters = NO_FILTERS,
    ) -> Annotated[CallToolResult, CompareAnswer]:
        """One measure across disclosures, in the groups that may stand together (same unit,
        staff scope, kind of period, breakdown and requester), each with why it stands apart;
        every point with its period, reading, comparability notes and citation, and a part
        with the total it belongs to. Never a sum."""

        def work(session: Session) -> CompareAnswer:
            points, count, groups = series_reads.series(
                session, measure, dims, limit=MAX_PAGE, offset=0, base_url=REQUEST_BASE.get()
            )
            return CompareAnswer(
                measure=measure,
                filters=dims,
                groups=groups,
                points=points,
                count=count,
                warning=BY_GROUP,
            )

        arguments = {"measure": measure, "dims": dims}
        return kept("compare", arguments, lambda: answered(read(work), render_compare))

    _add_resources(server, state, disclosures, read)
    _add_prompts(server)
    return server


def conventions() -> str:
    """service.llms's reading conventions (their examples are service.reading's own words)."""
    from service.llms import CONVENTIONS

    return "\n".join(f"- {line}" for line in CONVENTIONS)


def cite_figure_prompt(id: str) -> str:
    return (
        f"Quote the figure {id} honestly.\n"
        f'Call get_figure with {{"id": "{id}"}}. Quote its `words` as they stand, with '
        "its unit; if it is disputed, say that sources disagree and who reported what; if "
        "it is derived, say it is arithmetic on the published figures. End with its "
        "`Cite as` line, unchanged: it names the sources and the revision it is pinned to.\n"
        f"How a count is published:\n{conventions()}"
    )


def compare_prompt(measure: str) -> str:
    return (
        f"Compare {measure} across the FOI disclosures honestly.\n"
        f'Call compare with {{"measure": "{measure}"}} (add a dimension code such as '
        '"staff_type" to narrow it). It answers in groups: give each group with the reason '
        "it stands apart, and each point on its own: its disclosure, its period, its reading "
        f"quoted as given, its comparability notes and its citation. {BY_GROUP} Do not state "
        "a trend the notes rule out.\n"
        f"How a count is published:\n{conventions()}"
    )


def disclosed_prompt(topic: str) -> str:
    return (
        f"What did the Metropolitan Police disclose about {topic}?\n"
        "Call list_disclosures for what each FOI answer counts and over which period. Call "
        f'find_figures with {{"text": "{topic}"}} (drop words if nothing matches; follow '
        "next_offset when the answer says it was cut), then get_figure for the figures you "
        "quote, or aggregate with by for a breakdown, which keeps its rows, stated total and "
        "what they do not add up to. Answer disclosure by disclosure, each figure with its "
        "`Cite as` line.\n"
        f"How a count is published:\n{conventions()}"
    )


def _add_prompts(server: MCPServer) -> None:
    server.prompt(
        "cite_figure",
        title="Quote a figure honestly",
        description="How to quote one figure: its words, range, dispute and citation.",
    )(cite_figure_prompt)
    server.prompt(
        "compare_across_disclosures",
        title="Compare across disclosures honestly",
        description="One measure across FOI answers as separate points, never a sum.",
    )(compare_prompt)
    server.prompt(
        "what_was_disclosed",
        title="What did the Met disclose about a topic",
        description="Find the figures on a topic and quote each as published, with its source.",
    )(disclosed_prompt)


def _add_resources(
    server: MCPServer,
    state: AppState,
    disclosures: Sequence[str],
    read: Callable[[Callable[[Session], str]], str],
) -> None:
    for disclosure_id in disclosures:
        _add_disclosure_resources(server, state, disclosure_id, read)

    def app_view(
        uri: str, name: str, title: str, description: str
    ) -> Callable[[Callable[..., str]], Callable[..., str]]:
        """An MCP Apps view: HTML a host renders, under APP_META's CSP."""
        return server.resource(
            uri,
            name=name,
            title=title,
            description=description,
            mime_type=APP_MIME_TYPE,
            meta=APP_META,
        )

    def pinned(work: Callable[[Session], str]) -> str:
        try:
            return read(work)
        except (ToolError, ValueError) as error:  # unknown figure, revision or grouping
            raise ResourceNotFoundError(str(error)) from None

    @app_view(
        CARD_URI,
        "figure card",
        "A figure's card, pinned to a revision",
        "The figure as an MCP App view: its number, dispute, source and citation.",
    )
    def card(revision: str, id: str) -> str:
        return pinned(lambda session: figure_card(session, revision, id))

    @app_view(
        CHART_URI,
        "aggregate chart",
        "An aggregate's chart, pinned to a revision",
        "The aggregate as an MCP App view: ranges, words, total, sources.",
    )
    @taking_chart_dimensions
    def chart(
        revision: str, disclosure: str, by: str = "", measure: str = "", dims: Filters = NO_FILTERS
    ) -> str:
        asked = {k: str(v) for k, v in {"by": by, "measure": measure, **dims}.items() if v}
        return pinned(lambda session: figure_chart(session, revision, disclosure, asked))

    @app_view(
        VIEW_URI,
        "answer view",
        "The card or chart a get_figure or aggregate answer names",
        "Shows the pinned card or chart the tool's result names, else its text.",
    )
    def view() -> str:
        return view_html()


def _add_disclosure_resources(
    server: MCPServer,
    state: AppState,
    disclosure_id: str,
    read: Callable[[Callable[[Session], str]], str],
) -> None:
    package = Path(state.settings.seed_dir) / disclosure_id / "datapackage.json"

    @server.resource(
        f"data://disclosures/{disclosure_id}/datapackage.json",
        name=f"{disclosure_id} data package",
        description=f"The Frictionless Data Package descriptor of {disclosure_id}.",
        mime_type="application/json",
    )
    def datapackage() -> str:
        return json.dumps(json.loads(package.read_text(encoding="utf-8")), indent=2)

    @server.resource(
        f"data://disclosures/{disclosure_id}/citation",
        name=f"{disclosure_id} citation",
        description=f"How to cite figures from {disclosure_id}, with its revision.",
        mime_type="text/plain",
    )
    def citation() -> str:
        return read(
            lambda session: disclosure_reads.cite_disclosure(
                session, disclosure_id, REQUEST_BASE.get()
            )
        )


# ---------------------------------------------------------------- the ASGI endpoint


def vocabulary(state: AppState) -> tuple[list[str], list[str]]:
    """The measures and disclosures in the database, for the tools' input schemas."""
    try:
        with Session(state.engine) as session:
            return measure_reads.measure_ids(session, None), disclosure_reads.disclosure_ids(
                session
            )
    except SQLAlchemyError:
        return [], []  # database away: plain strings, checked per call


@contextlib.asynccontextmanager
async def running(state: AppState) -> AsyncIterator[Callable[[Scope, Receive, Send], Any]]:
    """A server built from the database as it is now, its session manager running; yields
    the ASGI handler for /mcp."""
    import anyio.to_thread

    measures, disclosures = await anyio.to_thread.run_sync(vocabulary, state)
    server = build_server(state, measures, disclosures, Answers(state))
    server.streamable_http_app(
        streamable_http_path="/mcp",
        stateless_http=True,
        json_response=True,
        max_request_body_size=MCP_MAX_BODY_BYTES,
        # Open data, no cookies or credentials: DNS-rebinding protection guards a private
        # local server, and would refuse the public Host behind a proxy.
        transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False),
    )
    async with server.session_manager.run():
        yield server.session_manager.handle_request
