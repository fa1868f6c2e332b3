"""Embeds: figure cards (HTML, SVG), aggregate charts (SVG), embed.js and oEmbed.

They are built through the same per-revision cache as the JSON API (Reply.raw), so their
ETag changes when, and only when, the dataset revision does. An unknown figure gets a 404
card in the card's own type, since a frame or an image cannot show problem+json.
"""

from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Path, Query, Response
from sqlmodel import Session

from service import revisions
from service.api.deps import (
    ChartGroupingDep,
    DimensionsDep,
    DisclosureDep,
    MeasureParam,
    SessionDep,
    StateDep,
    grouping,
    pin_session,
    schema_ref,
)
from service.api.reply import Reply, ReplyDep
from service.caching import JSON
from service.embed.card import CARD_CSP, HTML_TYPE, Card, card_html, not_found_html
from service.embed.oembed import (
    OEMBED_XML_TYPE,
    ChartRequest,
    DrawnChart,
    chart_from_url,
    chart_oembed,
    discovery_link,
    figure_id_from_url,
    oembed,
    oembed_xml,
    revision_from_url,
)
from service.embed.script import JS_TYPE, embed_script
from service.embed.svg import (
    SVG_CSP,
    SVG_TYPE,
    aggregate_svg,
    card_svg,
    chart_caption,
    not_found_svg,
    svg_height,
)
from service.errors import FormatNotImplemented, NotFound, problem_responses
from service.reads import aggregates, disclosures, figures
from service.schemas import FigurePublic
from service.state import AppState

router = APIRouter(tags=["embed"])
oembed_router = APIRouter(tags=["embed"])

ThemeParam = Annotated[
    Literal["light", "dark"],
    schema_ref("Theme"),
    Query(description="Colour scheme of the card or chart."),
]
FigureIdPath = Annotated[str, Path(description="Figure id.", max_length=200)]


def _content(media_type: str, description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {media_type.split(";")[0]: {"schema": {"type": "string"}}},
    }


def _card(session: Session, figure_id: str, reply: Reply) -> Card | None:
    """The card of a figure in the revision the session reads; a pinned card also carries
    the figure as it is now, and its answer is then kept only while that stays the newest."""
    try:
        figure = figures.get_figure(session, figure_id, reply.base)
    except NotFound:
        return None
    disclosure = disclosures.get_disclosure(session, figure.disclosure)
    revision = revisions.read_id(session)
    if not revisions.is_pinned(session):
        return Card(figure, disclosure, revision)
    reply.immutable = False
    with revisions.reading_newest(session):
        try:
            now: FigurePublic | None = figures.get_figure(session, figure_id, reply.base)
        except NotFound:
            now = None
    return Card(figure, disclosure, revision, pinned=True, now=now)


def _drawn_chart(session: Session, state: AppState, chart: ChartRequest, base: str) -> DrawnChart:
    """Draws the chart a pasted URL names, as /v1/embed/aggregates.svg would, to learn its
    height; a disclosure's page shows its first declared grouping."""
    disclosure = disclosures.get_disclosure(
        session, chart.disclosure or state.settings.flagship_disclosure
    )
    # A measure without `by` is a chart of one figure; a page gets its first declared grouping.
    by = chart.by or ("" if chart.measure else next((a.by for a in disclosure.aggregates), None))
    if by is None:
        raise NotFound("chart of disclosure", disclosure.id)
    filters: dict[str, str | int] = {
        k: int(v) if k == "year" and v.isdigit() else v for k, v in chart.filters.items()
    }
    dims = grouping(by) if by else []
    data = aggregates.aggregate(session, disclosure.id, dims, chart.measure, filters, base)
    theme: Literal["light", "dark"] = "dark" if chart.theme == "dark" else "light"
    drawn = aggregate_svg(data, disclosure, theme, base)
    return DrawnChart(
        disclosure=disclosure.id,
        query=chart.query(disclosure.id, by),
        title=chart_caption(data, disclosure),
        height=svg_height(drawn),
    )


# The .svg route comes first: {figure_id} alone would also match "x.svg".
@router.get(
    "/embed/figures/{figure_id}.svg",
    operation_id="embedFigureSvg",
    summary="A figure as an SVG card",
    description="The figure card as a self-contained SVG image, for places that take an "
    "image: the number (or range, or the source's words), label, period, the sources' "
    "disagreement if any, a citation, the data date and the revision.",
    response_class=Response,
    responses={
        200: _content(SVG_TYPE, "The SVG card."),
        404: _content(SVG_TYPE, "An SVG card saying no figure has that id."),
        **problem_responses(400, 422, 503),
    },
)
def embed_figure_svg(
    session: SessionDep,
    reply: ReplyDep,
    figure_id: FigureIdPath,
    theme: ThemeParam = "light",
) -> Response:
    card = _card(session, figure_id, reply)
    if card is None:
        return Response(
            not_found_svg(figure_id, theme),
            status_code=404,
            media_type=SVG_TYPE,
            headers={"content-security-policy": SVG_CSP},
        )
    return reply.raw(
        lambda: card_svg(card, theme, reply.base),
        SVG_TYPE,
        (("content-security-policy", SVG_CSP),),
    )


@router.get(
    "/embed/figures/{figure_id}",
    operation_id="embedFigureCard",
    summary="A figure as an HTML card for an iframe",
    description="A self-contained HTML card: the number, or an honest rendering of a range "
    "(“17 to 18”), a qualifier (“the vast majority”) or a disputed value with every report; "
    "a plain-English label; the period; a citation linking to the sources and to the "
    "figure's page (`/figures/{id}`); the data date and revision. No scripts, external "
    "assets or cookies; any site may frame it (`Content-Security-Policy: frame-ancestors *`).",
    response_class=Response,
    responses={
        200: _content(HTML_TYPE, "The HTML card."),
        404: _content(HTML_TYPE, "An HTML card saying no figure has that id."),
        **problem_responses(400, 422, 503),
    },
)
def embed_figure_card(
    session: SessionDep,
    reply: ReplyDep,
    figure_id: FigureIdPath,
    theme: ThemeParam = "light",
) -> Response:
    card = _card(session, figure_id, reply)
    if card is None:
        return Response(
            not_found_html(figure_id, theme),
            status_code=404,
            media_type=HTML_TYPE,
            headers={"content-security-policy": CARD_CSP},
        )
    discovery = discovery_link(reply.base, card)
    return reply.raw(
        lambda: card_html(card, theme, discovery, reply.base),
        HTML_TYPE,
        (("content-security-policy", CARD_CSP),),
    )


@router.get(
    "/embed/aggregates.svg",
    operation_id="embedAggregatesSvg",
    summary="An aggregate as an SVG bar chart",
    description="The figures of `/v1/aggregates` (same parameters) as a small bar chart that "
    "cannot be misread: an exact number is a solid bar from 0; a range a solid bar to its "
    "minimum and a hatched band to its maximum; 'at least n' a solid bar to n and a fade "
    "beyond, or, when n is our reading of the source's plural, an open circle at n and the "
    "fade; words with no number a small marker of fixed size beside the words, never an "
    "empty track or a bar; our arithmetic a dotted bar marked †. Each axis has one unit: "
    "rows counted in different units get a panel each. Without `by`, the figure of `measure` "
    "that is broken down by nothing is drawn alone, so an answer of one figure has a chart "
    "too; without either, the disclosure's first declared grouping is drawn. A line says "
    "when the rows do not add up, or that platform counts stand against no total and "
    "overlap (one case may involve several platforms), or names a part of the stated total "
    "that is not drawn, and the chart carries its title, stated total, source line (first "
    "the sources that printed the numbers drawn), revision and licence.",
    response_class=Response,
    responses={
        200: _content(SVG_TYPE, "The SVG chart."),
        **problem_responses(400, 404, 422, 503),
    },
)
def embed_aggregates_svg(
    session: SessionDep,
    reply: ReplyDep,
    by: ChartGroupingDep,
    disclosure: DisclosureDep,
    dimensions: DimensionsDep,
    measure: MeasureParam = None,
    theme: ThemeParam = "light",
) -> Response:
    if not by and measure is None:
        # As for a disclosure's page: its first declared grouping (none: 404 naming measure).
        declared = disclosures.get_disclosure(session, disclosure).aggregates
        by = grouping(declared[0].by) if declared else []
    filters = dimensions.values
    return reply.raw(
        lambda: aggregate_svg(
            aggregates.aggregate(session, disclosure, by, measure, filters, reply.base),
            disclosures.get_disclosure(session, disclosure),
            theme,
            reply.base,
        ),
        SVG_TYPE,
        (("content-security-policy", SVG_CSP),),
    )


@router.get(
    "/embed.js",
    operation_id="embedScript",
    summary="Script that turns data-figure spans into live figures",
    description='Include `<script src=".../v1/embed.js" async></script>` and every '
    '`<span data-figure="met-2013.all.dismissed">7</span>` on the page shows the live '
    "figure with its citation, fetched from `/v1/figures/{id}` with CORS, linking to the "
    "figure's page `/figures/{id}`. `data-cite` picks the citation's form: `inline` (the "
    "default, the sources in brackets), `footnote` (a numbered superscript link) or `none` "
    "(the figure alone); the citation is always in the `title`. The fallback text stays "
    "when the API cannot be reached. No dependencies; it never writes HTML from data.",
    response_class=Response,
    responses={200: _content(JS_TYPE, "The script."), **problem_responses(400, 503)},
)
def embed_js(reply: ReplyDep) -> Response:
    return reply.raw(lambda: embed_script(reply.base), JS_TYPE)


@oembed_router.get(
    "/oembed",
    operation_id="oembed",
    summary="oEmbed 1.0 for figure and chart URLs",
    description="Given the URL of a figure (its page, its card, its SVG or its JSON), the "
    "oEmbed `rich` answer whose `html` is the iframe of the card, sized to what the card "
    "shows, so that CMSs such as WordPress turn a pasted figure URL into the embed. Given "
    "the URL of a chart (`/v1/embed/aggregates.svg?...`, or a disclosure's page "
    "`/disclosures/{id}` for its first declared grouping), the `rich` answer whose `html` "
    "is the chart's SVG as an `<img>` at its own height, linked to the disclosure's page. "
    "`format=json` (the default) or `format=xml` (oEmbed's XML: an `<oembed>` root, one "
    "element per field, `text/xml`). Any other format is outside this schema and answered "
    "501 Not Implemented, as oEmbed 1.0 (section 2.3.5) requires.",
    response_class=Response,
    responses={
        200: {
            "description": "The oEmbed answer, in the format asked for.",
            "content": {
                JSON: {"schema": {"$ref": "#/components/schemas/OEmbed"}},
                "text/xml": {"schema": {"type": "string"}},
            },
        },
        **problem_responses(400, 404, 422, 501, 503),
    },
)
def get_oembed(
    session: SessionDep,
    state: StateDep,
    reply: ReplyDep,
    url: Annotated[str, Query(description="URL of a figure or a chart.", max_length=1000)],
    format: Annotated[
        str,
        schema_ref("OEmbedFormat"),
        Query(description="Answer format: json (default) or xml.", max_length=20),
    ] = "json",
    maxwidth: Annotated[
        int | None, Query(ge=1, le=10000, description="Largest width the consumer allows.")
    ] = None,
    maxheight: Annotated[
        int | None, Query(ge=1, le=10000, description="Largest height the consumer allows.")
    ] = None,
) -> Response:
    if format not in ("json", "xml"):
        raise FormatNotImplemented(format)
    pinned = revision_from_url(url)
    if pinned is not None:
        pin_session(session, pinned, "url")
    figure_id = figure_id_from_url(url)
    chart = None if figure_id else chart_from_url(url)
    if figure_id is None and chart is None:
        raise NotFound("figure or chart URL", url)
    base = reply.base
    age = state.settings.cache_max_age

    def answer() -> bytes:
        # Looked up only on a cache miss: a warm answer needs no figure or disclosure.
        if chart is not None:
            drawn = _drawn_chart(session, state, chart, base)
            fields = chart_oembed(
                drawn, base, maxwidth=maxwidth, maxheight=maxheight, cache_age=age
            )
        else:
            card = _card(session, str(figure_id), reply)
            if card is None:
                raise NotFound("figure", str(figure_id))
            fields = oembed(card, base, maxwidth=maxwidth, maxheight=maxheight, cache_age=age)
        return oembed_xml(fields) if format == "xml" else orjson.dumps(fields)

    return reply.raw(answer, OEMBED_XML_TYPE if format == "xml" else JSON)
