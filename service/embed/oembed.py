"""oEmbed 1.0: the `rich` answers (a card's iframe, a chart's image) and the discovery link.

A CMS that is given a figure URL (its page, card, SVG or JSON) asks /oembed for the iframe
to embed; given a chart URL (/v1/embed/aggregates.svg?..., or a disclosure's page) it gets
the chart as an image. A card served under a configured public URL names /oembed in its head.
"""

import math
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit
from xml.sax.saxutils import escape

from service import urls
from service.embed.card import Card, card_height, card_iframe, disclosure_page_path, esc
from service.embed.svg import CHART_WIDTH
from service.taxonomy import DIMENSIONS

OEMBED_TYPE = "application/json+oembed"
#: The media type oEmbed 1.0 (section 2.3.4) gives the XML answer.
OEMBED_XML_TYPE = "text/xml; charset=utf-8"
PROVIDER_NAME = "Police social-media misconduct FOI API"
CARD_WIDTH = 480

_FIGURE_PATH = re.compile(r"/figures/([^/]+?)(?:\.svg|\.json)?$")
_CHART_PATH = re.compile(r"/v1/embed/aggregates\.svg$")
_DISCLOSURE_PAGE = re.compile(r"/disclosures/([^/]+)$")
#: What a chart URL may say besides the dimension filters.
_CHART_PARAMS = ("by", "disclosure", "measure", "theme")


def _http_path(url: str) -> tuple[str, str] | None:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return parts.path, parts.query


def figure_id_from_url(url: str) -> str | None:
    """The figure a pasted URL points at: its page, card, SVG or JSON; None otherwise."""
    target = _http_path(url)
    match = _FIGURE_PATH.search(target[0]) if target else None
    return match.group(1) if match else None


@dataclass(frozen=True)
class ChartRequest:
    """The chart a pasted URL points at: an aggregates.svg URL's parameters, or for a
    disclosure's page its first declared grouping (`by` None until resolved)."""

    disclosure: str | None
    by: str | None = None
    measure: str | None = None
    theme: str = "light"
    filters: dict[str, str] = field(default_factory=dict)

    def query(self, disclosure: str, by: str) -> str:
        """The chart's own query string, rebuilt from what was understood."""
        pairs = [*([("by", by)] if by else []), ("disclosure", disclosure)]
        pairs += [("measure", self.measure)] if self.measure else []
        pairs += sorted(self.filters.items())
        pairs += [("theme", self.theme)] if self.theme != "light" else []
        return urlencode(pairs)


def chart_from_url(url: str) -> ChartRequest | None:
    target = _http_path(url)
    if target is None:
        return None
    path, query = target
    page = _DISCLOSURE_PAGE.search(path)
    if page and "/v1/" not in path:
        return ChartRequest(disclosure=page.group(1))
    if not _CHART_PATH.search(path):
        return None
    params = dict(parse_qsl(query))
    theme = params.get("theme", "light")
    return ChartRequest(
        disclosure=params.get("disclosure"),
        by=params.get("by"),
        measure=params.get("measure"),
        theme=theme if theme in ("light", "dark") else "light",
        filters={k: v for k, v in params.items() if k in DIMENSIONS},
    )


def revision_from_url(url: str) -> str | None:
    """The revision a pasted URL is pinned to (its `revision` parameter), if any."""
    target = _http_path(url)
    return dict(parse_qsl(target[1])).get("revision") if target else None


def _card_src(base: str, card: Card) -> str:
    src = base + urls.embed_figure(card.figure.id)
    return f"{src}?revision={card.revision}" if card.pinned else src


def oembed(
    card: Card,
    base: str,
    *,
    maxwidth: int | None,
    maxheight: int | None,
    cache_age: int,
) -> dict[str, object]:
    width = min(CARD_WIDTH, maxwidth or CARD_WIDTH)
    height = min(card_height(card), maxheight or card_height(card))
    iframe = card_iframe(_card_src(base, card), card.summary, width, height)
    return {
        "version": "1.0",
        "type": "rich",
        "title": card.summary,
        "provider_name": PROVIDER_NAME,
        "provider_url": f"{base}/",
        "cache_age": cache_age,
        "html": iframe,
        "width": width,
        "height": height,
    }


@dataclass(frozen=True)
class DrawnChart:
    """A chart as drawn for an oEmbed answer: its query, its title and its height."""

    disclosure: str
    query: str
    title: str
    height: int


def chart_oembed(
    chart: DrawnChart,
    base: str,
    *,
    maxwidth: int | None,
    maxheight: int | None,
    cache_age: int,
) -> dict[str, object]:
    """The chart as an <img> at its own size (scaled down to fit the consumer's maxima, its
    proportions kept), linked to the disclosure's page."""
    scale = min(1.0, (maxwidth or CHART_WIDTH) / CHART_WIDTH)
    if maxheight:
        scale = min(scale, maxheight / chart.height)
    width = max(1, math.floor(CHART_WIDTH * scale))
    height = math.ceil(chart.height * scale)
    if maxheight:
        height = min(height, maxheight)
    src = base + urls.embed_chart(chart.query)
    html = (
        f'<a href="{esc(base + disclosure_page_path(chart.disclosure))}" target="_blank" '
        'rel="noopener noreferrer">'
        f'<img src="{esc(src)}" alt="{esc(chart.title)}" width="{width}" height="{height}" '
        'style="max-width:100%;height:auto" loading="lazy" referrerpolicy="no-referrer"></a>'
    )
    return {
        "version": "1.0",
        "type": "rich",
        "title": chart.title,
        "provider_name": PROVIDER_NAME,
        "provider_url": f"{base}/",
        "cache_age": cache_age,
        "html": html,
        "width": width,
        "height": height,
    }


def oembed_xml(answer: dict[str, object]) -> bytes:
    """The oEmbed answer as oEmbed 1.0's XML: an <oembed> root, one element per field."""
    fields = "".join(f"<{key}>{escape(str(value))}</{key}>" for key, value in answer.items())
    document = (
        f'<?xml version="1.0" encoding="utf-8" standalone="yes"?>\n<oembed>{fields}</oembed>\n'
    )
    return document.encode()


def oembed_discovery_url(base: str, card: Card) -> str:
    target = _card_src(base, card)
    return urls.oembed(base, target, "json")


def discovery_link(base: str, card: Card) -> str:
    """The <link> in a card's head that tells a CMS where its oEmbed answer is."""
    href = oembed_discovery_url(base, card)
    return (
        f'<link rel="alternate" type="{OEMBED_TYPE}" href="{esc(href)}" '
        f'title="{esc(card.figure.label)}">\n'
    )
