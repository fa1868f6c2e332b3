"""SVG images: the figure card, its 404 card and the aggregate bar chart.

Drawn from the same public models as the JSON API (FigurePublic through Card,
AggregatePublic, DisclosureDetail), so an image can never show a different number.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass

from service import reading
from service.citation import licence_name, short_answer, without_licence
from service.embed.card import (
    CARD_CSP,
    FONT,
    THEMES,
    Card,
    Palette,
    Theme,
    disclosure_page_path,
    esc,
    licence_line,
    long_date,
    text_lines,
)
from service.schemas import AggregatePublic, AggregateRow, CheckPublic, DisclosureDetail
from service.taxonomy import DIMENSION_LABELS, LABELS

SVG_TYPE = "image/svg+xml; charset=utf-8"
#: An SVG opened on its own is a document too: same rules as the card.
SVG_CSP = CARD_CSP

SVG_CARD_WIDTH = 480
CHART_WIDTH = 640


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
        href: str = "",
        wrap: bool = True,
    ) -> None:
        """Wrapped lines of text (one line, however long, without `wrap`); with `href`, each
        line is a link (followed when the SVG is opened on its own; an <img> never follows
        links)."""
        room = width if width is not None else self.width - x - 20
        lines = text_lines(text, room, size) if wrap else [text]
        style = ' font-style="italic"' if italic else ""
        klass = f' class="{cls}"' if cls else ""
        if href:
            style += ' text-decoration="underline"'
        for line in lines:
            self.y += size * (1 + gap)
            element = (
                f'<text x="{x}" y="{self.y:.1f}" font-size="{size}" font-weight="{weight}" '
                f'fill="{color or self.p.text}"{style}{klass}>{esc(line)}</text>'
            )
            self.body.append(f'<a href="{esc(href)}">{element}</a>' if href else element)

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


def card_svg(card: Card, theme: Theme, base: str = "") -> bytes:
    """The card as an image; its last line links to the figure's page (under `base`)."""
    f = card.figure
    licence = card.disclosure.licence
    desc = " ".join(
        p
        for p in (
            card.correction_line,
            card.qualifier_line,
            f"Sources disagree: {card.disputed_line}." if card.disputed_line else "",
            card.derived_line,
            f.note or "",
            without_licence(f.citation, licence.id, licence.url),
            licence_line(licence) + ".",
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
    if card.correction_line:
        svg.text(
            card.correction_line,
            14,
            weight=700,
            cls="corrected",
            href=base + card.current_path,
            color=p.link,
        )
    if card.disputed_line:
        svg.text(f"Sources disagree: {card.disputed_line}", 13, cls="disputed")
    if card.derived_line:
        svg.text(card.derived_line, 13, color=p.muted)
    svg.y += 6
    svg.body.append(
        f'<line x1="20" x2="{svg.width - 20}" y1="{svg.y:.1f}" y2="{svg.y:.1f}" '
        f'stroke="{p.border}"/>'
    )
    svg.text(card.source_line, 12, cls="citation")
    svg.text(licence_line(card.disclosure.licence), 12, cls="licence")
    svg.text(
        f"Data as of {card.as_of} · {card.dataset_line} · figure {f.id}",
        11,
        color=p.link,
        cls="figure-link",
        href=base + card.page_path,
    )
    return svg.render()


def not_found_svg(figure_id: str, theme: Theme) -> bytes:
    svg = _Svg(SVG_CARD_WIDTH, theme, "Figure not found", f"No figure has the id {figure_id}.")
    svg.text("Figure not found", 28, weight=700)
    svg.text(f"No figure has the id “{figure_id}”.", 15)
    svg.text("Figure ids are listed at /v1/figures.", 13, color=svg.p.muted)
    return svg.render()


# ---------------------------------------------------------------- aggregate chart
#
# Marks (each legend entry appears only when its mark does):
#   solid bar      0 to the least the count can be: an exact number, a range's minimum, a floor
#   hatched band   a range's minimum to its maximum
#   fade + arrow   from a floor (a minimum with no maximum) on past the track
#   open circle    a floor read from the source's words (a plural): ours, never "given"
#   dashed square  words with no number, printed beside it; one small size on every row
#   dotted bar, †  our arithmetic: no source printed this number

LABEL_WIDTH = 190.0
TRACK_LEFT = 210.0
TRACK_RIGHT = 540.0
VALUE_X = 556.0
BAR_HEIGHT = 24.0
#: The side of a words-only row's marker and the radius of a floor read from words.
WORDS_MARK = 14.0
FLOOR_RADIUS = 6
DERIVED_MARK = "†"
DERIVED_WORDS = reading.DERIVED
#: Most tick intervals an axis gets before its step grows (1, 2, 5, 10, 20, 50, ...).
MAX_TICKS = 6


def chart_title(measure: str, by: Sequence[str]) -> str:
    words = measure.replace("_", " ")
    missing = [DIMENSION_LABELS[d].lower() for d in by if d not in measure]
    if missing:
        words += (" and " if " by " in words else " by ") + " and ".join(missing)
    return words[:1].upper() + words[1:]


def row_label(row: AggregateRow, by: Sequence[str]) -> str:
    """The row's values of `by`; a chart by nothing (one figure alone) names the figure."""
    if not by:
        return row.label
    names = []
    for dim in by:
        value = getattr(row, dim)
        names.append(str(value) if dim == "year" else LABELS[dim].get(value, str(value)))
    return " · ".join(names)


def _filters_text(filters: dict[str, str | int]) -> str:
    return ", ".join(
        f"{DIMENSION_LABELS.get(k, k).lower()} {v if k == 'year' else LABELS[k].get(str(v), v)}"
        for k, v in filters.items()
    )


def _interval(r: AggregateRow) -> reading.Interval | None:
    """What a row states as a number, or None for words alone."""
    return reading.Interval.stated(r.value, r.min, r.max)


def _round_step(highest: int) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50, ... that covers `highest` in MAX_TICKS steps."""
    magnitude = 1
    while True:
        for s in (1, 2, 5):
            if highest <= MAX_TICKS * s * magnitude:
                return s * magnitude
        magnitude *= 10


def _round_up(n: int, step: int) -> int:
    return max(step, -(-n // step) * step)


@dataclass(frozen=True)
class _Scale:
    """Counts to x positions: 0 at the track's left edge and a round `top` at its right edge,
    so that a count's share of the track is exactly its share of `top`."""

    top: int
    step: int
    left: float = TRACK_LEFT
    right: float = TRACK_RIGHT

    @classmethod
    def of(cls, rows: Sequence[AggregateRow]) -> "_Scale | None":
        """None when no row gives a number: then there is nothing to measure."""
        intervals = [i for r in rows if (i := _interval(r)) is not None]
        if not intervals:
            return None
        highest = max(i.low if i.high is None else i.high for i in intervals)
        step = _round_step(highest)
        top = _round_up(highest, step)
        floors = [i.low for i in intervals if i.high is None]
        if floors:
            # A fade needs at least one step of track beyond its floor to be seen running on.
            top = max(top, _round_up(max(floors) + step, step))
        return cls(top, step)

    def x(self, n: float) -> float:
        return self.left + (self.right - self.left) * n / self.top

    @property
    def ticks(self) -> range:
        return range(0, self.top + 1, self.step)


def _overlap_check(data: AggregatePublic) -> CheckPublic | None:
    """A reconciliation check over this chart's rows that cannot show they add up exactly.

    Its parts are all rows of the chart and its status is not `holds` (for the 2013 platform
    breakdown, K6: a case may involve several platforms). The chart then says its rows do not
    add up, with the check's own note as the reason.
    """
    figures = {r.figure for r in data.rows}
    for check in data.checks:
        parts = {p.figure for p in check.parts}
        if len(parts) > 1 and parts <= figures and check.status != "holds":
            return check
    return None


#: What the platform counts of one answer are not: parts of a total. No answer states what
#: they count out of, and one case may involve several platforms (note met-2013.K6).
NO_TOTAL = (
    "These counts stand against no total: the answer does not say what they count out of, "
    "and one case may involve several platforms, so they overlap and do not add up."
)


def _against_no_total(data: AggregatePublic) -> bool:
    """A breakdown by platform with two or more numbers and no stated total, which no check
    already says cannot add up."""
    numbers = [r for r in data.rows if _interval(r) is not None]
    return (
        "platform" in data.by
        and data.total is None
        and len(numbers) > 1
        and _overlap_check(data) is None
    )


def _undrawn_parts(data: AggregatePublic) -> list[str]:
    """The parts of the stated total, by a check over it and the rows, that the chart does
    not draw, in words: met-2010's 4 officers charged with misconduct are in its 28 facing
    proceedings but are no outcome, so the outcome rows alone fall 4 short of the total."""
    if data.total is None:
        return []
    drawn = {r.figure for r in data.rows}
    lines = []
    for check in data.checks:
        parts = {p.figure for p in check.parts}
        if check.total.figure != data.total.figure or not parts & drawn:
            continue
        missing = [p for p in check.parts if p.figure not in drawn]
        if missing:
            words = "; ".join(
                f"{p.label}, {reading.words(p.value, p.min, p.max, p.qualifier)}" for p in missing
            )
            lines.append(f"Also counted in the total, not drawn: {words} (check {check.id}).")
    return lines


def _row_words(r: AggregateRow, by: Sequence[str]) -> str:
    notes = [
        note
        for flag, note in ((r.disputed, "sources disagree"), (r.derived, DERIVED_WORDS))
        if flag
    ]
    return f"{row_label(r, by)}: {reading.words(r.value, r.min, r.max, r.qualifier)}" + (
        f" ({'; '.join(notes)})" if notes else ""
    )


def _chart_description(data: AggregatePublic, disclosure: DisclosureDetail) -> str:
    rows = "; ".join(_row_words(r, data.by) for r in data.rows)
    units = " and ".join(dict.fromkeys(r.unit for r in data.rows))
    parts = [rows or "No figures for this grouping", f"Counted in {units}" if units else ""]
    parts += _undrawn_parts(data)
    check = _overlap_check(data)
    if check is not None:
        parts.append(f"These counts do not add up to a total: {check.note or check.explanation}")
    elif _against_no_total(data):
        parts.append(NO_TOTAL)
    licence = disclosure.licence
    parts += [without_licence(data.citation, licence.id, licence.url), licence_line(licence)]
    return " ".join(p if p.endswith(".") else p + "." for p in parts if p)


def _chart_defs(p: Palette) -> str:
    """A range's hatching, a floor's fade and the dots of our arithmetic."""
    return (
        '<pattern id="band" width="6" height="6" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="6" height="6" fill="{p.band}"/>'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="{p.bar}" stroke-width="2"/></pattern>'
        '<linearGradient id="fade" x1="0" x2="1" y1="0" y2="0">'
        f'<stop offset="0" stop-color="{p.bar}" stop-opacity="0.85"/>'
        f'<stop offset="1" stop-color="{p.bar}" stop-opacity="0"/></linearGradient>'
        '<pattern id="derived" width="6" height="6" patternUnits="userSpaceOnUse">'
        f'<rect width="6" height="6" fill="{p.bar}"/>'
        f'<circle cx="3" cy="3" r="1.4" fill="{p.background}"/></pattern>'
    )


def _rect(cls: str, x0: float, x1: float, y: float, h: float, extra: str) -> str:
    return (
        f'<rect class="{cls}" x="{x0:.1f}" y="{y:.1f}" width="{x1 - x0:.1f}" '
        f'height="{h:.1f}" {extra}/>'
    )


def _solid(x0: float, x1: float, y: float, h: float, p: Palette, *, derived: bool) -> str:
    if derived:
        return _rect("bar derived", x0, x1, y, h, f'fill="url(#derived)" stroke="{p.bar}"')
    return _rect("bar", x0, x1, y, h, f'fill="{p.bar}"')


def _band(x0: float, x1: float, y: float, h: float, p: Palette) -> str:
    return _rect("band", x0, x1, y, h, f'fill="url(#band)" stroke="{p.bar}"')


def _fade(x0: float, x1: float, y: float, h: float, p: Palette) -> str:
    """The fade runs to the track's end and an arrow points on past it."""
    mid = y + h / 2
    return _rect("fade", x0, x1, y, h, 'fill="url(#fade)"') + (
        f'<path class="fade-arrow" d="M{x1 + 1:.1f} {mid - 6:.1f} L{x1 + 9:.1f} {mid:.1f} '
        f'L{x1 + 1:.1f} {mid + 6:.1f}" fill="none" stroke="{p.bar}" stroke-width="2"/>'
    )


def _words_mark(y: float, h: float, text: str, p: Palette) -> str:
    """A small dashed marker of one fixed size, then the source's words: the same on every
    such row, at the track's start, so that it reads as words and never as a count."""
    top = y + (h - WORDS_MARK) / 2
    return _rect(
        "words-marker",
        TRACK_LEFT,
        TRACK_LEFT + WORDS_MARK,
        top,
        WORDS_MARK,
        f'rx="3" fill="{p.background}" stroke="{p.muted}" stroke-width="1.5" '
        'stroke-dasharray="3 2"',
    ) + (
        f'<text class="words" x="{TRACK_LEFT + WORDS_MARK + 8:.1f}" y="{y + h / 2 + 4.5:.1f}" '
        f'font-size="12.5" font-style="italic" fill="{p.text}">{esc(text)}</text>'
    )


def _open_floor(x: float, right: float, y: float, h: float, p: Palette) -> str:
    """'At least n' read from a plural: an open circle at n and the fade on past it, no
    solid bar, since no source printed n."""
    mid = y + h / 2
    return _fade(x, right, y + h / 4, h / 2, p) + (
        f'<circle class="floor-marker" cx="{x:.1f}" cy="{mid:.1f}" r="{FLOOR_RADIUS}" '
        f'fill="{p.background}" stroke="{p.bar}" stroke-width="2"/>'
    )


def _read_from_words(r: AggregateRow) -> bool:
    """A floor with no ceiling that the source gave as words ("a number of", "officers"):
    the number is our reading of a plural, not one printed."""
    interval = _interval(r)
    return interval is not None and interval.high is None and bool(r.qualifier)


def _row_marks(r: AggregateRow, scale: _Scale | None, p: Palette, top: float) -> str:
    """Solid to the least the count can be; then a band to its most, or a fade if open."""
    interval = _interval(r)
    if interval is None or scale is None:
        return _words_mark(top, BAR_HEIGHT, reading.words(r.value, r.min, r.max, r.qualifier), p)
    low = scale.x(interval.low)
    if _read_from_words(r):
        return _open_floor(low, scale.right, top, BAR_HEIGHT, p)
    marks = []
    if interval.low > 0:
        marks.append(_solid(scale.left, low, top, BAR_HEIGHT, p, derived=r.derived))
    if interval.high is None:
        marks.append(_fade(low, scale.right, top, BAR_HEIGHT, p))
    elif interval.high > interval.low:
        marks.append(_band(low, scale.x(interval.high), top, BAR_HEIGHT, p))
    return "".join(marks)


def _row_value(r: AggregateRow, p: Palette, mid: float) -> str:
    """The count in words beside the track, with † when it is our arithmetic."""
    mark = f'<tspan class="derived-mark"> {DERIVED_MARK}</tspan>' if r.derived else ""
    if not reading.has_number(r.value, r.min, r.max):
        return mark and f'<text x="{VALUE_X}" y="{mid + 4:.1f}" font-size="13">{mark}</text>'
    return (
        f'<text class="value" x="{VALUE_X}" y="{mid + 4:.1f}" font-size="13" '
        f'font-weight="600" fill="{p.text}">{esc(r.reading)}{mark}</text>'
    )


def _row_aside(r: AggregateRow) -> str:
    """The small italic line under a row's label: its qualifier and any disagreement."""
    aside = "sources disagree" if r.disputed else ""
    if reading.has_number(r.value, r.min, r.max) and r.qualifier:
        aside = "; ".join(a for a in (f"“{r.qualifier}”", aside) if a)
    return aside


def _row_labels(svg: _Svg, r: AggregateRow, by: Sequence[str], mid: float) -> int:
    """Draws a row's label (at most two lines) and its aside; the lines used."""
    lines = text_lines(row_label(r, by), LABEL_WIDTH, 13)[:2] if by else []
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


def _chart_row(svg: _Svg, r: AggregateRow, by: Sequence[str], scale: _Scale | None) -> None:
    if not by:
        # A figure charted alone: its whole label, every word of it, above its bar.
        svg.text(r.label, 13, cls="figure-label")
    row_top = svg.y + 6
    mid = row_top + BAR_HEIGHT / 2
    part_of = f' data-part-of="{esc(r.part_of)}"' if r.part_of else ""
    svg.body.append(
        f'<g class="row" data-figure="{esc(r.figure)}"{part_of}><title>{esc(r.label)}</title>'
    )
    label_lines = _row_labels(svg, r, by, mid)
    svg.body.append(_row_marks(r, scale, svg.p, row_top))
    svg.body.append(_row_value(r, svg.p, mid))
    svg.body.append("</g>")
    svg.y = row_top + max(BAR_HEIGHT, label_lines * 15 + 4) + 4


def _chart_heading(svg: _Svg, data: AggregatePublic, disclosure: DisclosureDetail) -> None:
    """Title, subtitle (force, period, unit), any filters, the stated total, and the warning
    that the rows do not add up when a check over them says so."""
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
            + (f" {DERIVED_MARK} {reading.DERIVED_SHORT}" if t.derived else ""),
            13,
        )
    for line in _undrawn_parts(data):
        svg.text(line, 13, cls="undrawn")
    check = _overlap_check(data)
    if check is not None:
        svg.text("These counts do not add up to a total.", 13, weight=700, cls="overlap")
        svg.text(f"{check.title}: {check.note or check.explanation}", 12, cls="overlap")
    elif _against_no_total(data):
        # Bold runs wider than text_lines measures: wrap it short of the right edge.
        svg.text(NO_TOTAL, 12, weight=700, cls="overlap", width=svg.width - 80)
    svg.y += 8


def _axis(svg: _Svg, scale: _Scale, unit: str, rows_top: float, grid_at: int) -> None:
    """Grid lines behind the rows (inserted at `grid_at`), and the axis under them."""
    p, x = svg.p, scale.x
    bottom = svg.y + 4
    svg.body[grid_at:grid_at] = [
        f'<line class="grid" x1="{x(t):.1f}" x2="{x(t):.1f}" y1="{rows_top:.1f}" '
        f'y2="{bottom:.1f}" stroke="{p.border}"/>'
        for t in scale.ticks
    ]
    svg.body.append(
        f'<line class="axis" x1="{scale.left:.1f}" x2="{scale.right:.1f}" y1="{bottom:.1f}" '
        f'y2="{bottom:.1f}" stroke="{p.muted}"/>'
    )
    for t in scale.ticks:
        svg.body.append(
            f'<text class="tick" data-value="{t}" x="{x(t):.1f}" y="{bottom + 14:.1f}" '
            f'font-size="11" text-anchor="middle" fill="{p.muted}">{t}</text>'
        )
    svg.y = bottom + 14
    svg.text(f"Number of {unit}", 11, x=scale.left, color=p.muted, cls="unit", gap=0.6)


def _legend_kinds(data: AggregatePublic) -> set[str]:
    kinds = {"derived"} if data.total is not None and data.total.derived else set()
    for r in data.rows:
        interval = _interval(r)
        if r.derived:
            kinds.add("derived")
        if interval is None:
            kinds.add("words")
            continue
        if _read_from_words(r):
            kinds.add("floor")
            continue
        if interval.low > 0 and not r.derived:
            kinds.add("solid")
        if interval.high is None:
            kinds.add("fade")
        elif interval.high > interval.low:
            kinds.add("band")
    return kinds


#: Each mark's legend words, in the order the legend lists them.
LEGEND = {
    "solid": "Solid bar: the number given",
    "band": "Hatched band: the count is somewhere from the lowest number given (the solid "
    "bar's end) to the highest (the band's end)",
    "fade": "Fading bar: the number where the solid bar ends, or more; no upper limit given",
    "floor": "Open circle and fade: at least this many, our reading of the source's words (a "
    "plural such as “a number of”); no source printed the number",
    "words": "Small dashed square: the source gave words, not a number",
    "derived": f"Dotted bar, {DERIVED_MARK}: {DERIVED_WORDS}",
}


def _swatch(kind: str, y: float, p: Palette) -> str:
    """The legend's small copy of a mark, drawn with the same shapes as the rows."""
    if kind == "band":
        return _solid(20, 34, y, 12, p, derived=False) + _band(34, 48, y, 12, p)
    if kind == "fade":
        return _solid(20, 30, y, 12, p, derived=False) + _fade(30, 44, y, 12, p)
    if kind == "words":
        dashed = f'rx="3" fill="none" stroke="{p.muted}" stroke-width="1.5" stroke-dasharray="3 2"'
        return _rect("words-marker", 20, 32, y, 12, dashed)
    if kind == "floor":
        return _open_floor(26, 48, y, 12, p)
    return _solid(20, 48, y, 12, p, derived=kind == "derived")


def _legend(svg: _Svg, kinds: set[str]) -> None:
    """One swatch and its words for each kind of mark the chart draws, and no others."""
    for kind, words in LEGEND.items():
        if kind not in kinds:
            continue
        top = svg.y + 4
        svg.body.append(f'<g class="legend" data-mark="{kind}">{_swatch(kind, top, svg.p)}')
        svg.y = top - 11 * 1.35 + 10
        svg.text(words, 11, x=58, gap=0.35)
        svg.body.append("</g>")
        svg.y = max(svg.y, top + 12) + 3


def chart_caption(data: AggregatePublic, disclosure: DisclosureDetail) -> str:
    """The chart's <title>, which oEmbed also gives as its title."""
    return f"{chart_title(data.measure, data.by)}, {disclosure.force}"


def svg_height(document: bytes) -> int:
    """The height an SVG drawn here declares on its root (the first height attribute)."""
    match = re.search(rb'height="(\d+)"', document)
    return int(match.group(1)) if match else 0


def aggregate_svg(
    data: AggregatePublic, disclosure: DisclosureDetail, theme: Theme, base: str = ""
) -> bytes:
    """The chart; its source line links to the disclosure's page (under `base`)."""
    description = _chart_description(data, disclosure)
    svg = _Svg(CHART_WIDTH, theme, chart_caption(data, disclosure), description)
    svg.defs.append(_chart_defs(svg.p))
    _chart_heading(svg, data, disclosure)
    if not data.rows:
        svg.text("No figures for this grouping.", 14, italic=True)
    panels: dict[str, list[AggregateRow]] = {}
    for r in data.rows:
        panels.setdefault(r.unit, []).append(r)
    for unit, rows in panels.items():
        # One unit per axis: rows counted in different units get a panel and a scale each.
        if len(panels) > 1:
            svg.text(f"Counted in {unit}", 13, weight=700, cls="panel")
        scale = _Scale.of(rows)
        rows_top, grid_at = svg.y + 2, len(svg.body)
        for r in rows:
            _chart_row(svg, r, data.by, scale)
        if scale is not None:
            _axis(svg, scale, unit, rows_top, grid_at)
        svg.y += 8
    _legend(svg, _legend_kinds(data))
    svg.y += 4
    page = base + disclosure_page_path(disclosure.id)
    svg.text(chart_source(data, disclosure), FOOTER_SIZE, cls="citation")
    svg.text(
        page_line(page, disclosure.last_updated),
        FOOTER_SIZE,
        color=svg.p.link,
        cls="page-link",
        href=page,
        wrap=False,
    )
    return svg.render()


#: The chart's footer: the source in at most two lines, then one line linking to its page.
FOOTER_SIZE = 11
FOOTER_SOURCE_LINES = 2


def chart_source(data: AggregatePublic, disclosure: DisclosureDetail) -> str:
    """The chart's source in at most FOOTER_SOURCE_LINES lines: the short citation's answer
    (service.citation) and as many of the credited publishers, in their order, as fit, with
    how many more its page names; then the licence. The line under it, the service's page,
    is the short citation's "via"."""
    d = disclosure
    answer = short_answer(d)
    publishers = list(dict.fromkeys(s.publisher for s in data.sources))
    licence = f" Licence: {licence_name(d.licence.id)}."
    for shown in range(len(publishers), 0, -1):
        more = len(publishers) - shown
        names = reading.listed(publishers[:shown] + ([f"{more} more"] if more else []))
        text = f"Source: {answer}, as reported by {names}.{licence}"
        if _fits(text, FOOTER_SOURCE_LINES):
            return text
    # Not even one name fits: the page names them all.
    return f"Source: {answer}.{licence}"


def page_line(page: str, last_updated: str) -> str:
    """The footer's one link, on one line: the chart's page (its full citation and every
    source), with the date of the data when that fits too."""
    for text in (
        f"Data as of {long_date(last_updated)}; full citation and sources: {page}",
        f"Full citation and sources: {page}",
    ):
        if _fits(text, 1):
            return text
    return page


def _fits(text: str, lines: int) -> bool:
    return len(text_lines(text, CHART_WIDTH - 40, FOOTER_SIZE)) <= lines
