"""SVG images: the figure card, its 404 card and the aggregate bar chart.

Drawn from the same public models as the JSON API (FigurePublic through Card,
AggregatePublic, DisclosureDetail), so an image can never show a different number.
"""

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

from service import reading
from service.embed.card import CARD_CSP, FONT, THEMES, Card, Palette, Theme, esc, long_date
from service.models import AggregatePublic, AggregateRow, DisclosureDetail
from service.taxonomy import LABELS

SVG_TYPE = "image/svg+xml; charset=utf-8"
#: An SVG opened on its own is a document too: same rules as the card.
SVG_CSP = CARD_CSP

SVG_CARD_WIDTH = 480
CHART_WIDTH = 640


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


# ---------------------------------------------------------------- figure card


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

LABEL_WIDTH = 190.0
VALUE_X = 548.0


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


@dataclass(frozen=True)
class _Scale:
    """Counts to x positions: 0 at the bars' left edge, `top` at their right edge."""

    top: float
    left: float = 210.0
    right: float = 540.0

    @classmethod
    def of(cls, rows: Sequence[AggregateRow]) -> "_Scale":
        numbers = [n for r in rows for n in (r.value, r.min, r.max) if n is not None]
        top = float(max(numbers, default=1) or 1)
        floors = [r.min for r in rows if r.value is None and r.max is None and r.min is not None]
        if floors:
            # Room for the fading "at least" band to be seen to run on past its floor.
            top = max(top, max(floors) * 1.6)
        return cls(top)

    def x(self, n: float) -> float:
        return self.left + (self.right - self.left) * n / self.top


def _chart_description(data: AggregatePublic) -> str:
    rows = "; ".join(
        f"{row_label(r, data.by)}: {reading.words(r.value, r.min, r.max, r.qualifier)}"
        + (" (sources disagree)" if r.disputed else "")
        for r in data.rows
    )
    return f"{rows or 'No figures for this grouping'}. {data.citation}"


def _chart_defs(p: Palette) -> str:
    """The hatching of a range and the fade of an open-ended floor."""
    return (
        '<pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="6" height="6" fill="{p.background}"/>'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="{p.band}" stroke-width="3"/></pattern>'
        '<linearGradient id="fade" x1="0" x2="1" y1="0" y2="0">'
        f'<stop offset="0" stop-color="{p.bar}" stop-opacity="0.9"/>'
        f'<stop offset="1" stop-color="{p.bar}" stop-opacity="0"/></linearGradient>'
    )


def _chart_heading(svg: _Svg, data: AggregatePublic, disclosure: DisclosureDetail) -> None:
    """Title, subtitle (force, period, units), any filters and the stated total."""
    p = svg.p
    svg.y = 4
    svg.text(chart_title(data.measure, data.by), 18, weight=700, cls="title")
    subtitle = f"{disclosure.force}, {disclosure.period_description.split(':')[0].lower()}"
    units = list(dict.fromkeys(r.unit for r in data.rows))
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


def _row_aside(r: AggregateRow) -> str:
    """The small italic line under a row's label: its qualifier and any disagreement."""
    aside = "sources disagree" if r.disputed else ""
    if reading.has_number(r.value, r.min, r.max) and r.qualifier:
        aside = "; ".join(a for a in (f"“{r.qualifier}”", aside) if a)
    return aside


def _row_labels(svg: _Svg, r: AggregateRow, by: Sequence[str], mid: float) -> int:
    """Draws a row's label (at most two lines) and its aside; the lines used."""
    lines = _wrap(row_label(r, by), LABEL_WIDTH, 13)[:2]
    for i, line in enumerate(lines):
        svg.body.append(
            f'<text x="20" y="{mid + 4 + i * 15:.1f}" font-size="13" fill="{svg.p.text}">'
            f"{esc(line)}</text>"
        )
    aside = _row_aside(r)
    if not aside:
        return len(lines)
    svg.body.append(
        f'<text class="aside" x="20" y="{mid + 4 + len(lines) * 15:.1f}" '
        f'font-size="11" fill="{svg.p.muted}" font-style="italic">{esc(aside)}</text>'
    )
    return len(lines) + 1


def _row_shape(r: AggregateRow, scale: _Scale, p: Palette, row_top: float) -> str:
    """A solid bar for an exact count, a hatched band for a range, a fading band from an
    open-ended floor, and nothing for words alone."""
    x, mid = scale.x, row_top + 12
    if r.value is not None:
        return (
            f'<rect class="bar" x="{scale.left}" y="{row_top:.1f}" '
            f'width="{x(r.value) - scale.left:.1f}" height="24" fill="{p.bar}"/>'
        )
    if r.max is not None:
        low, high = r.min or 0, r.max or 0
        width = max(x(high) - x(low), 3)
        return (
            f'<rect class="range" x="{x(low):.1f}" y="{row_top:.1f}" width="{width:.1f}" '
            f'height="24" fill="url(#hatch)" stroke="{p.bar}"/>'
        )
    if r.min is not None:
        start, end = x(r.min), scale.right
        return (
            f'<rect class="open" x="{start:.1f}" y="{row_top:.1f}" '
            f'width="{end - start:.1f}" height="24" fill="url(#fade)"/>'
            f'<line x1="{start:.1f}" x2="{start:.1f}" y1="{row_top:.1f}" '
            f'y2="{row_top + 24:.1f}" stroke="{p.bar}" stroke-width="2"/>'
            f'<path d="M{end - 2:.1f} {mid - 7:.1f} L{end + 8:.1f} {mid:.1f} '
            f'L{end - 2:.1f} {mid + 7:.1f} Z" fill="{p.band}" opacity="0.6"/>'
        )
    return ""


def _row_reading(r: AggregateRow, scale: _Scale, p: Palette, mid: float) -> str:
    """The count beside its bar, or the source's words where the bar would be."""
    if reading.has_number(r.value, r.min, r.max):
        text_x = VALUE_X + (10 if r.value is None and r.max is None else 0)
        return (
            f'<text class="value" x="{text_x}" '
            f'y="{mid + 4:.1f}" font-size="13" font-weight="600" fill="{p.text}">'
            f"{esc(r.reading)}</text>"
        )
    return (
        f'<text class="words" x="{scale.left}" y="{mid + 4:.1f}" font-size="13" '
        f'font-style="italic" fill="{p.text}">{esc("“" + r.reading + "” (no number given)")}'
        "</text>"
    )


def _chart_row(svg: _Svg, r: AggregateRow, by: Sequence[str], scale: _Scale) -> None:
    row_top = svg.y + 6
    mid = row_top + 12
    svg.body.append(f'<g class="row" data-figure="{esc(r.figure)}"><title>{esc(r.label)}</title>')
    label_lines = _row_labels(svg, r, by, mid)
    svg.body.append(_row_shape(r, scale, svg.p, row_top))
    svg.body.append(_row_reading(r, scale, svg.p, mid))
    svg.body.append("</g>")
    svg.y = row_top + max(24, label_lines * 15 + 4) + 4


def aggregate_svg(data: AggregatePublic, disclosure: DisclosureDetail, theme: Theme) -> bytes:
    title = chart_title(data.measure, data.by)
    svg = _Svg(CHART_WIDTH, theme, f"{title}, {disclosure.force}", _chart_description(data))
    svg.defs.append(_chart_defs(svg.p))
    _chart_heading(svg, data, disclosure)
    if not data.rows:
        svg.text("No figures for this grouping.", 14, italic=True)
    scale = _Scale.of(data.rows)
    for r in data.rows:
        _chart_row(svg, r, data.by, scale)
    svg.y += 6
    svg.text(
        "Solid bar: exact number. Hatched band: somewhere in this range. Fading band: at "
        "least this many. Words without a bar: the source gave no number.",
        11,
        color=svg.p.muted,
    )
    svg.text(f"Source: {data.citation}", 11, cls="citation")
    svg.text(f"Data as of {long_date(disclosure.last_updated)}.", 11, color=svg.p.muted)
    return svg.render()
