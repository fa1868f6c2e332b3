"""Embeddable figures: HTML cards for iframes, SVG cards and charts, embed.js and oEmbed.

Everything is rendered from the same public models the JSON API returns (FigurePublic,
AggregatePublic, DisclosureDetail), so an embed can never show a different number. All
data is escaped on the way out (html.escape for HTML, XML escaping for SVG); nothing here
uses a template engine, and nothing imports FastAPI.
"""

import html
import json
import re
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal
from urllib.parse import quote, urlencode, urlsplit

from service import reading
from service.models import AggregatePublic, AggregateRow, DisclosureDetail, FigurePublic
from service.reading import has_number, headline, number_words
from service.taxonomy import LABELS

Theme = Literal["light", "dark"]

HTML_TYPE = "text/html; charset=utf-8"
SVG_TYPE = "image/svg+xml; charset=utf-8"
JS_TYPE = "text/javascript; charset=utf-8"
OEMBED_TYPE = "application/json+oembed"
PROVIDER_NAME = "Met social-media misconduct FOI API"

#: The card may be framed by any site, but may run no script and load nothing.
CARD_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors *"
#: An SVG opened on its own is a document too: same rules.
SVG_CSP = CARD_CSP

CARD_WIDTH = 480
SVG_CARD_WIDTH = 480
CHART_WIDTH = 640
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"


@dataclass(frozen=True)
class Palette:
    background: str
    text: str
    muted: str
    link: str
    border: str
    bar: str
    band: str


#: Text, muted text, links and bars all reach WCAG AA (4.5:1) on their background.
THEMES: dict[str, Palette] = {
    "light": Palette("#ffffff", "#1b1b1b", "#4d4d4d", "#0b57d0", "#c6c6c6", "#1d5fa8", "#5b8fd1"),
    "dark": Palette("#16181d", "#f1f1f1", "#c4c7cc", "#9cc3ff", "#3a3f47", "#7fb0ff", "#5b8fd1"),
}

_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def esc(text: object) -> str:
    """Text for HTML and XML, in content and in quoted attributes alike."""
    return html.escape(_XML_INVALID.sub("", str(text)), quote=True)


def reports_line(figure: FigurePublic) -> str:
    """What each source reported: 'The Guardian: 18 · Evening Standard: 17 · ...'."""
    return " · ".join(
        f"{r.publisher}: {number_words(r.value, r.min, r.max)}"
        for r in figure.reports
        if has_number(r.value, r.min, r.max)
    )


def long_date(text: str) -> str:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return text
    return f"{day.day} {day:%B %Y}"


@dataclass(frozen=True)
class Card:
    """What a figure card shows, in plain words; shared by the HTML and the SVG card."""

    figure: FigurePublic
    disclosure: DisclosureDetail

    @property
    def big(self) -> str:
        f = self.figure
        return headline(f.value, f.min, f.max, f.qualifier)

    @property
    def numeric(self) -> bool:
        return has_number(self.figure.value, self.figure.min, self.figure.max)

    @property
    def unit(self) -> str:
        return self.figure.unit if self.numeric else ""

    @property
    def qualifier_line(self) -> str:
        f = self.figure
        if not self.numeric:
            return "No number given: these are the source's words."
        return f"Described as “{f.qualifier}”." if f.qualifier else ""

    @property
    def period(self) -> str:
        return ", ".join(p for p in (self.disclosure.force, self.figure.period) if p)

    @property
    def disputed_line(self) -> str:
        return reports_line(self.figure) if self.figure.disputed else ""

    @property
    def derived_line(self) -> str:
        if not self.figure.derived:
            return ""
        return "Our arithmetic from the disclosed figures; no source printed this number."

    @property
    def sources(self) -> list[tuple[str, str]]:
        """(publisher, url) of every source reporting this figure, in the package's order."""
        used = {r.source for r in self.figure.reports}
        seen: dict[str, str] = {}
        for s in self.disclosure.sources:
            if s.id in used and s.publisher not in seen:
                seen[s.publisher] = s.url
        return list(seen.items())

    @property
    def answer(self) -> str:
        d = self.disclosure
        return f"{d.force} FOI answer to {d.requester}"

    @property
    def dataset_line(self) -> str:
        d = self.disclosure
        return f"dataset {d.id} v{d.version} · revision {d.revision}"

    @property
    def as_of(self) -> str:
        return long_date(self.disclosure.last_updated)

    @property
    def json_path(self) -> str:
        return f"/v1/figures/{quote(self.figure.id, safe='')}"

    @property
    def summary(self) -> str:
        """One sentence for screen readers and image descriptions."""
        unit = f" {self.unit}" if self.unit else ""
        return f"{self.figure.label}: {self.big}{unit}."


# ---------------------------------------------------------------- HTML card


def _css(p: Palette) -> str:
    return (
        "*{box-sizing:border-box}"
        f"html,body{{margin:0;background:{p.background};color:{p.text};font-family:{FONT};"
        "font-size:15px;line-height:1.4}"
        f".card{{padding:16px 18px;border:1px solid {p.border};border-radius:8px;"
        "max-width:100%;min-height:100vh}"
        ".reading{margin:0;font-size:40px;font-weight:700;line-height:1.1}"
        ".reading .unit{font-size:18px;font-weight:400}"
        ".reading.words{font-size:28px}"
        f".qualifier,.period,.derived,.asof{{margin:4px 0 0;color:{p.muted};font-size:14px}}"
        "h1{margin:8px 0 0;font-size:18px;font-weight:600}"
        ".disputed{margin:8px 0 0;font-size:14px}"
        f"details{{margin:8px 0 0;font-size:13px;color:{p.muted}}}"
        "details p{margin:4px 0 0}"
        f"footer{{margin-top:12px;padding-top:8px;border-top:1px solid {p.border};font-size:13px}}"
        "footer p{margin:0}"
        f"a{{color:{p.link}}}"
        "code{font-size:12px}"
    )


def _page(title: str, body: str, theme: Theme, head: str = "") -> bytes:
    return (
        "<!doctype html>\n"
        '<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f"<title>{esc(title)}</title>\n{head}"
        f"<style>{_css(THEMES[theme])}</style>\n</head>\n"
        f'<body class="theme-{theme}">\n{body}\n</body>\n</html>\n'
    ).encode()


def _link(url: str, text: str) -> str:
    return f'<a href="{esc(url)}" target="_blank" rel="noopener noreferrer">{esc(text)}</a>'


def card_html(card: Card, theme: Theme, oembed_url: str | None = None) -> bytes:
    f = card.figure
    parts = [
        f'<article class="card" aria-labelledby="figure-label" data-figure="{esc(f.id)}">',
        f'<p class="reading{"" if card.numeric else " words"}" id="figure-reading">'
        f'<span class="value">{esc(card.big)}</span>'
        + (f' <span class="unit">{esc(card.unit)}</span>' if card.unit else "")
        + "</p>",
    ]
    if card.qualifier_line:
        parts.append(f'<p class="qualifier">{esc(card.qualifier_line)}</p>')
    parts.append(f'<h1 id="figure-label">{esc(f.label)}</h1>')
    parts.append(f'<p class="period">{esc(card.period)}</p>')
    if card.disputed_line:
        parts.append(
            f'<p class="disputed"><strong>Sources disagree:</strong> {esc(card.disputed_line)}</p>'
        )
    if card.derived_line:
        parts.append(f'<p class="derived">{esc(card.derived_line)}</p>')
    if f.note:
        parts.append(f"<details><summary>About this figure</summary><p>{esc(f.note)}</p></details>")
    reported = ", ".join(_link(url, publisher) for publisher, url in card.sources)
    parts.append(
        "<footer>"
        f'<p class="citation">Source: {esc(card.answer)}'
        + (f", as reported by {reported}" if reported else "")
        + f". {_link(card.json_path, 'Figure data (JSON)')}</p>"
        f'<p class="asof">Data as of <time datetime="{esc(card.disclosure.last_updated)}">'
        f"{esc(card.as_of)}</time> · {esc(card.dataset_line)}</p>"
        "</footer>"
    )
    parts.append("</article>")
    head = (
        f'<link rel="alternate" type="{OEMBED_TYPE}" href="{esc(oembed_url)}" '
        f'title="{esc(f.label)}">\n'
        if oembed_url
        else ""
    )
    return _page(f"{card.summary} Source: {card.answer}", "\n".join(parts), theme, head)


def not_found_html(figure_id: str, theme: Theme) -> bytes:
    body = (
        '<article class="card" aria-labelledby="figure-label">'
        '<p class="reading words">Figure not found</p>'
        f'<h1 id="figure-label">No figure has the id “{esc(figure_id)}”.</h1>'
        '<p class="period">It may have been mistyped; figure ids are listed at '
        f"{_link('/v1/figures', '/v1/figures')}.</p>"
        "</article>"
    )
    return _page("Figure not found", body, theme)


# ---------------------------------------------------------------- SVG


def _wrap(text: str, width_px: float, size: float) -> list[str]:
    """Lines of at most the characters that fit, at an average glyph of 0.55 em."""
    return textwrap.wrap(text, max(10, int(width_px / (size * 0.55)))) or [""]


class _Svg:
    """Builds an SVG top to bottom, keeping the running y position."""

    def __init__(self, width: int, theme: Theme, title: str, desc: str) -> None:
        self.width = width
        self.p = THEMES[theme]
        self.title = title
        self.desc = desc
        self.y = 0.0
        self.body: list[str] = []
        self.defs: list[str] = []

    def text(
        self,
        text: str,
        size: float,
        *,
        x: float = 20,
        width: float | None = None,
        weight: int = 400,
        color: str | None = None,
        italic: bool = False,
        gap: float = 0.35,
        cls: str = "",
    ) -> None:
        lines = _wrap(text, width if width is not None else self.width - x - 20, size)
        style = ' font-style="italic"' if italic else ""
        klass = f' class="{cls}"' if cls else ""
        for line in lines:
            self.y += size * (1 + gap)
            self.body.append(
                f'<text x="{x}" y="{self.y:.1f}" font-size="{size}" font-weight="{weight}" '
                f'fill="{color or self.p.text}"{style}{klass}>{esc(line)}</text>'
            )

    def render(self, bottom_pad: float = 16) -> bytes:
        height = int(self.y + bottom_pad)
        return (
            '<svg xmlns="http://www.w3.org/2000/svg" '
            f'width="{self.width}" height="{height}" viewBox="0 0 {self.width} {height}" '
            'role="img" aria-labelledby="t d">'
            f'<title id="t">{esc(self.title)}</title><desc id="d">{esc(self.desc)}</desc>'
            + (f"<defs>{''.join(self.defs)}</defs>" if self.defs else "")
            + f'<rect width="100%" height="100%" rx="8" fill="{self.p.background}" '
            f'stroke="{self.p.border}"/>'
            f'<g font-family="{esc(FONT)}">{"".join(self.body)}</g></svg>\n'
        ).encode()


def card_svg(card: Card, theme: Theme) -> bytes:
    f = card.figure
    desc = " ".join(
        p
        for p in (
            card.qualifier_line,
            f"Sources disagree: {card.disputed_line}." if card.disputed_line else "",
            card.derived_line,
            f.note or "",
            f.citation,
        )
        if p
    )
    svg = _Svg(SVG_CARD_WIDTH, theme, card.summary, desc)
    svg.y = 4
    big = card.big + (f" {card.unit}" if card.unit else "")
    svg.text(big, 40 if card.numeric else 28, weight=700, gap=0.15, cls="value")
    svg.y += 4
    p = svg.p
    if card.qualifier_line:
        svg.text(card.qualifier_line, 13, color=p.muted)
    svg.text(f.label, 18, weight=600, cls="label")
    svg.text(card.period, 13, color=p.muted)
    if card.disputed_line:
        svg.text(f"Sources disagree: {card.disputed_line}", 13, cls="disputed")
    if card.derived_line:
        svg.text(card.derived_line, 13, color=p.muted)
    svg.y += 6
    svg.body.append(
        f'<line x1="20" x2="{svg.width - 20}" y1="{svg.y:.1f}" y2="{svg.y:.1f}" '
        f'stroke="{p.border}"/>'
    )
    publishers = ", ".join(publisher for publisher, _ in card.sources)
    svg.text(
        f"Source: {card.answer}" + (f", as reported by {publishers}" if publishers else "") + ".",
        12,
        cls="citation",
    )
    svg.text(f"Data as of {card.as_of} · {card.dataset_line} · figure {f.id}", 11, color=p.muted)
    return svg.render()


def not_found_svg(figure_id: str, theme: Theme) -> bytes:
    svg = _Svg(SVG_CARD_WIDTH, theme, "Figure not found", f"No figure has the id {figure_id}.")
    svg.text("Figure not found", 28, weight=700)
    svg.text(f"No figure has the id “{figure_id}”.", 15)
    svg.text("Figure ids are listed at /v1/figures.", 13, color=svg.p.muted)
    return svg.render()


# ---------------------------------------------------------------- aggregate chart

_DIMENSION_WORDS = {
    "staff_type": "staff type",
    "outcome": "outcome",
    "platform": "platform",
    "allegation": "allegation",
    "year": "year",
    "rank": "rank",
}


def chart_title(measure: str, by: Sequence[str]) -> str:
    words = measure.replace("_", " ")
    missing = [_DIMENSION_WORDS[d] for d in by if d not in measure]
    if missing:
        words += (" and " if " by " in words else " by ") + " and ".join(missing)
    return words[:1].upper() + words[1:]


def row_label(row: AggregateRow, by: Sequence[str]) -> str:
    names = []
    for dim in by:
        value = getattr(row, dim)
        names.append(str(value) if dim == "year" else LABELS[dim].get(value, str(value)))
    return " · ".join(names)


def _filters_text(filters: dict[str, str | int]) -> str:
    return ", ".join(
        f"{_DIMENSION_WORDS.get(k, k)} {v if k == 'year' else LABELS[k].get(str(v), v)}"
        for k, v in filters.items()
    )


def _scale_top(rows: Iterable[AggregateRow]) -> float:
    numbers = [n for r in rows for n in (r.value, r.min, r.max) if n is not None]
    top = float(max(numbers, default=1) or 1)
    open_floors = [r.min for r in rows if r.value is None and r.max is None and r.min is not None]
    if open_floors:
        # Room for the fading "at least" band to be seen to run on past its floor.
        top = max(top, max(open_floors) * 1.6)
    return top


def aggregate_svg(data: AggregatePublic, disclosure: DisclosureDetail, theme: Theme) -> bytes:
    title = chart_title(data.measure, data.by)
    rows = data.rows
    desc_rows = (
        "; ".join(
            f"{row_label(r, data.by)}: {reading.words(r.value, r.min, r.max, r.qualifier)}"
            + (" (sources disagree)" if r.disputed else "")
            for r in rows
        )
        or "No figures for this grouping"
    )
    svg = _Svg(CHART_WIDTH, theme, f"{title}, {disclosure.force}", f"{desc_rows}. {data.citation}")
    p = svg.p
    svg.defs.append(
        '<pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="6" height="6" fill="{p.background}"/>'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="{p.band}" stroke-width="3"/></pattern>'
        '<linearGradient id="fade" x1="0" x2="1" y1="0" y2="0">'
        f'<stop offset="0" stop-color="{p.bar}" stop-opacity="0.9"/>'
        f'<stop offset="1" stop-color="{p.bar}" stop-opacity="0"/></linearGradient>'
    )
    svg.y = 4
    svg.text(title, 18, weight=700, cls="title")
    subtitle = f"{disclosure.force}, {disclosure.period_description.split(':')[0].lower()}"
    units = list(dict.fromkeys(r.unit for r in rows))
    subtitle += f" · counted in {' and '.join(units)}" if units else ""
    svg.text(subtitle, 13, color=p.muted, cls="subtitle")
    if data.filters:
        svg.text(f"Only: {_filters_text(data.filters)}", 13, color=p.muted)
    if data.total is not None:
        t = data.total
        svg.text(
            f"Total: {reading.words(t.value, t.min, t.max, t.qualifier)} {t.unit} ({t.label})"
            + (", our arithmetic" if t.derived else ""),
            13,
        )
    svg.y += 10
    label_w, x0, x1, value_x = 190.0, 210.0, 540.0, 548.0
    top = _scale_top(rows)

    def x(n: float) -> float:
        return x0 + (x1 - x0) * n / top

    if not rows:
        svg.text("No figures for this grouping.", 14, italic=True)
    for r in rows:
        row_top = svg.y + 6
        mid = row_top + 12
        svg.body.append(
            f'<g class="row" data-figure="{esc(r.figure)}"><title>{esc(r.label)}</title>'
        )
        label_lines = _wrap(row_label(r, data.by), label_w, 13)[:2]
        for i, line in enumerate(label_lines):
            svg.body.append(
                f'<text x="20" y="{mid + 4 + i * 15:.1f}" font-size="13" fill="{p.text}">'
                f"{esc(line)}</text>"
            )
        numeric = has_number(r.value, r.min, r.max)
        aside = "sources disagree" if r.disputed else ""
        if numeric and r.qualifier:
            aside = "; ".join(a for a in (f"“{r.qualifier}”", aside) if a)
        if aside:
            svg.body.append(
                f'<text class="aside" x="20" y="{mid + 4 + len(label_lines) * 15:.1f}" '
                f'font-size="11" fill="{p.muted}" font-style="italic">{esc(aside)}</text>'
            )
            label_lines.append("")
        words = headline(r.value, r.min, r.max, r.qualifier)
        if r.value is not None:
            svg.body.append(
                f'<rect class="bar" x="{x0}" y="{row_top:.1f}" width="{x(r.value) - x0:.1f}" '
                f'height="24" fill="{p.bar}"/>'
            )
        elif r.max is not None:
            low, high = r.min or 0, r.max or 0
            width = max(x(high) - x(low), 3)
            svg.body.append(
                f'<rect class="range" x="{x(low):.1f}" y="{row_top:.1f}" width="{width:.1f}" '
                f'height="24" fill="url(#hatch)" stroke="{p.bar}"/>'
            )
        elif r.min is not None:
            start = x(r.min)
            svg.body.append(
                f'<rect class="open" x="{start:.1f}" y="{row_top:.1f}" '
                f'width="{x1 - start:.1f}" height="24" fill="url(#fade)"/>'
                f'<line x1="{start:.1f}" x2="{start:.1f}" y1="{row_top:.1f}" '
                f'y2="{row_top + 24:.1f}" stroke="{p.bar}" stroke-width="2"/>'
                f'<path d="M{x1 - 2:.1f} {mid - 7:.1f} L{x1 + 8:.1f} {mid:.1f} '
                f'L{x1 - 2:.1f} {mid + 7:.1f} Z" fill="{p.band}" opacity="0.6"/>'
            )
        if numeric:
            text_x = value_x + (10 if r.value is None and r.max is None else 0)
            svg.body.append(
                f'<text class="value" x="{text_x}" '
                f'y="{mid + 4:.1f}" font-size="13" font-weight="600" fill="{p.text}">'
                f"{esc(words)}</text>"
            )
        else:
            svg.body.append(
                f'<text class="words" x="{x0}" y="{mid + 4:.1f}" font-size="13" '
                f'font-style="italic" fill="{p.text}">{esc("“" + words + "” (no number given)")}'
                "</text>"
            )
        svg.body.append("</g>")
        svg.y = row_top + max(24, len(label_lines) * 15 + 4) + 4
    svg.y += 6
    svg.text(
        "Solid bar: exact number. Hatched band: somewhere in this range. Fading band: at "
        "least this many. Words without a bar: the source gave no number.",
        11,
        color=p.muted,
    )
    svg.text(f"Source: {data.citation}", 11, cls="citation")
    svg.text(f"Data as of {long_date(disclosure.last_updated)}.", 11, color=p.muted)
    return svg.render()


# ---------------------------------------------------------------- oEmbed


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
    src = f"{base}/v1/embed/figures/{quote(card.figure.id, safe='')}"
    iframe = (
        f'<iframe src="{esc(src)}" title="{esc(card.summary)}" width="{width}" '
        f'height="{height}" style="border:0;max-width:100%" loading="lazy" '
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


def oembed_discovery_url(base: str, figure_id: str) -> str:
    target = f"{base}/v1/embed/figures/{quote(figure_id, safe='')}"
    return f"{base}/oembed?{urlencode({'url': target, 'format': 'json'})}"


# ---------------------------------------------------------------- embed.js

_SCRIPT = """\
/* Live figures from the Met social-media misconduct FOI API.
   <span data-figure="met-2013.all.dismissed">7</span> becomes the live figure with its
   citation; the fallback text stays when the API cannot be reached. No dependencies. */
(function () {
  "use strict";
  var script = document.currentScript;
  var api = __BASE__ || (script && script.src
    ? script.src.replace(/\\/v1\\/embed\\.js(?:[?#].*)?$/, "") : "");
  var pending = {};

  function reported(f) {
    var said = [];
    f.reports.forEach(function (r) {
      if (r.value !== null || r.min !== null || r.max !== null) {
        said.push(r.publisher + ": " + r.reading);
      }
    });
    return said.join(" \\u00b7 ");
  }

  function publishers(f) {
    var seen = [];
    f.reports.forEach(function (r) {
      if (seen.indexOf(r.publisher) < 0) { seen.push(r.publisher); }
    });
    return seen.join(", ");
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    node.className = className;
    if (text) { node.textContent = text; }
    return node;
  }

  function render(span, f) {
    var value = el("span", "met-foi-value", f.reading);
    var cite = el("small", "met-foi-citation", "");
    var link = el("a", "met-foi-source", "source: " + (publishers(f) || "our arithmetic"));
    link.href = api + "/v1/figures/" + encodeURIComponent(f.id);
    link.title = f.citation;
    link.rel = "noopener";
    cite.appendChild(document.createTextNode(" ("));
    if (f.value === null && f.min === null && f.max === null) {
      cite.appendChild(document.createTextNode("no number given; "));
    }
    if (f.disputed) {
      cite.appendChild(document.createTextNode("sources disagree: " + reported(f) + "; "));
    }
    cite.appendChild(link);
    cite.appendChild(document.createTextNode(")"));
    while (span.firstChild) { span.removeChild(span.firstChild); }
    span.appendChild(value);
    span.appendChild(cite);
    span.setAttribute("data-figure-state", "live");
    span.setAttribute("title", f.citation);
  }

  function figure(id) {
    if (!pending[id]) {
      pending[id] = fetch(api + "/v1/figures/" + encodeURIComponent(id), {
        headers: { Accept: "application/json" }, credentials: "omit", mode: "cors"
      }).then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      });
    }
    return pending[id];
  }

  function scan(root) {
    var spans = (root || document).querySelectorAll("[data-figure]");
    Array.prototype.forEach.call(spans, function (span) {
      if (span.getAttribute("data-figure-state")) { return; }
      span.setAttribute("data-figure-state", "loading");
      figure(span.getAttribute("data-figure")).then(function (f) {
        render(span, f);
      }, function () {
        span.setAttribute("data-figure-state", "fallback");
      });
    });
  }

  window.metFoiEmbed = { scan: scan };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { scan(); });
  } else {
    scan();
  }
})();
"""


def embed_script(base: str | None) -> bytes:
    """embed.js; the API's address is the configured public URL, else where it was loaded."""
    literal = json.dumps(base or "").replace("</", "<\\/")
    return _SCRIPT.replace("__BASE__", literal).encode()
