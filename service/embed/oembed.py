"""oEmbed 1.0: the `rich` answer whose html is the card's iframe, and its discovery link.

A CMS that is given a figure URL (its card, its SVG or its JSON) asks /oembed for the
iframe to embed; a card served under a configured public URL names /oembed in its head.
"""

import re
from urllib.parse import quote, urlencode, urlsplit
from xml.sax.saxutils import escape

from service.embed.card import Card, esc

OEMBED_TYPE = "application/json+oembed"
#: The media type oEmbed 1.0 (section 2.3.4) gives the XML answer.
OEMBED_XML_TYPE = "text/xml; charset=utf-8"
PROVIDER_NAME = "Met social-media misconduct FOI API"
CARD_WIDTH = 480

_FIGURE_PATH = re.compile(r"/v1/(?:embed/)?figures/([^/]+?)(?:\.svg|\.json)?$")


def figure_id_from_url(url: str) -> str | None:
    """The figure a pasted URL points at: its card, its SVG or its JSON; None otherwise."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    match = _FIGURE_PATH.search(parts.path)
    return match.group(1) if match else None


def card_height(card: Card) -> int:
    return 300 + (40 if card.disputed_line else 0) + (20 if card.derived_line else 0)


def _card_src(base: str, figure_id: str) -> str:
    return f"{base}/v1/embed/figures/{quote(figure_id, safe='')}"


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
    iframe = (
        f'<iframe src="{esc(_card_src(base, card.figure.id))}" title="{esc(card.summary)}" '
        f'width="{width}" height="{height}" style="border:0;max-width:100%" loading="lazy" '
        'sandbox="allow-popups allow-popups-to-escape-sandbox" referrerpolicy="no-referrer">'
        "</iframe>"
    )
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


def oembed_xml(answer: dict[str, object]) -> bytes:
    """The oEmbed answer as oEmbed 1.0's XML: an <oembed> root, one element per field."""
    fields = "".join(f"<{key}>{escape(str(value))}</{key}>" for key, value in answer.items())
    document = (
        f'<?xml version="1.0" encoding="utf-8" standalone="yes"?>\n<oembed>{fields}</oembed>\n'
    )
    return document.encode()


def oembed_discovery_url(base: str, figure_id: str) -> str:
    target = _card_src(base, figure_id)
    return f"{base}/oembed?{urlencode({'url': target, 'format': 'json'})}"


def discovery_link(base: str, card: Card) -> str:
    """The <link> in a card's head that tells a CMS where its oEmbed answer is."""
    href = oembed_discovery_url(base, card.figure.id)
    return (
        f'<link rel="alternate" type="{OEMBED_TYPE}" href="{esc(href)}" '
        f'title="{esc(card.figure.label)}">\n'
    )
