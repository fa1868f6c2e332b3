"""The figure card: what it shows (Card), its HTML page for an iframe and its 404 page.

Also the palettes both cards and charts draw with, and the escaping every embed uses: all
data is escaped on the way out (html.escape, which is also valid XML escaping for SVG). The
count itself is the server's `reading` text (service.reading.headline), never re-worded here.
"""

import html
import math
import re
import textwrap
from dataclasses import dataclass
from datetime import date
from typing import Literal

from service import reading, urls
from service.citation import ShortCredit, licence_name, licence_words, short_answer, short_lead
from service.reading import has_number
from service.schemas import DisclosureDetail, FigurePublic, LicencePublic

Theme = Literal["light", "dark"]

HTML_TYPE = "text/html; charset=utf-8"

#: The card may be framed by any site, but may run no script and load nothing.
CARD_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors *"

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


#: Text, muted text and links reach WCAG AA (4.5:1) on their background; bars, hatching and
#: outlines reach 3:1 (non-text contrast). `band` is the pale ground under a range's hatching,
#: which is outlined in `bar`, so the band's edge keeps 3:1 however pale its ground.
THEMES: dict[str, Palette] = {
    "light": Palette("#ffffff", "#1b1b1b", "#4d4d4d", "#0b57d0", "#c6c6c6", "#1d5fa8", "#dce8f7"),
    "dark": Palette("#16181d", "#f1f1f1", "#c4c7cc", "#9cc3ff", "#3a3f47", "#7fb0ff", "#26344a"),
}

_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def text_lines(text: str, width_px: float, size: float, glyph: float = 0.55) -> list[str]:
    """`text` wrapped at the characters that fit `width_px` at an average glyph of `glyph`
    em (wider for bold): how the SVGs break their lines, and how the card's height is
    estimated."""
    return textwrap.wrap(text, max(10, int(width_px / (size * glyph)))) or [""]


def esc(text: object) -> str:
    """Text for HTML and XML, in content and in quoted attributes alike."""
    return html.escape(_XML_INVALID.sub("", str(text)), quote=True)


def reports_line(figure: FigurePublic) -> str:
    """What each source reported: 'The Guardian: 18 · Evening Standard: 17 · ...'."""
    return " · ".join(
        f"{r.publisher}: {r.reading}" for r in figure.reports if has_number(r.value, r.min, r.max)
    )


def licence_line(licence: LicencePublic) -> str:
    """The plain-text licence line every card and chart prints beside its source."""
    return licence_words(licence.id, licence.url)


def long_date(text: str) -> str:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return text
    return f"{day.day} {day:%B %Y}"


def figure_page_path(figure_id: str) -> str:
    return urls.figure_page(figure_id)


def disclosure_page_path(disclosure_id: str) -> str:
    return urls.disclosure_page(disclosure_id)


@dataclass(frozen=True)
class Card:
    """What a figure card shows, in plain words; shared by the HTML and the SVG card."""

    figure: FigurePublic
    disclosure: DisclosureDetail
    #: The dataset revision the card shows, and whether the embed pinned it.
    revision: str = ""
    pinned: bool = False
    #: For a pinned card, the figure as the newest revision has it (None: it was removed).
    now: FigurePublic | None = None

    @property
    def big(self) -> str:
        return self.figure.reading

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
        return reading.sentence(reading.DERIVED)

    @property
    def credit(self) -> ShortCredit:
        """Who the card credits: the short citation's rule (service.citation.ShortCredit)."""
        f = self.figure
        said = ((r.kind, r.publisher, r.value, r.min, r.max, r.qualifier) for r in f.reports)
        return ShortCredit.of(said, f.reading, f.derived)

    @property
    def source_urls(self) -> dict[str, str]:
        """Each reporting publisher's article: the first of its sources in the package that
        reported this figure."""
        reporting = {r.source for r in self.figure.reports}
        urls_by_publisher: dict[str, str] = {}
        for s in self.disclosure.sources:
            if s.id in reporting:
                urls_by_publisher.setdefault(s.publisher, s.url)
        return urls_by_publisher

    @property
    def answer(self) -> str:
        return short_answer(self.disclosure)

    @property
    def source_line(self) -> str:
        """The short citation up to its link, as plain text."""
        return f"Source: {short_lead(self.answer, self.credit.text())}."

    @property
    def dataset_line(self) -> str:
        d = self.disclosure
        pinned = " (pinned)" if self.pinned else ""
        return f"dataset {d.id} v{d.version} · revision {self.revision}{pinned}"

    @property
    def correction_line(self) -> str:
        """For a pinned card whose figure reads differently now: what it reads now."""
        if not self.pinned:
            return ""
        if self.now is None:
            return "Withdrawn since: no longer published."
        if self.now.reading == self.figure.reading and self.now.unit == self.figure.unit:
            return ""
        numeric = has_number(self.now.value, self.now.min, self.now.max)
        unit = f" {self.now.unit}" if numeric and self.now.unit else ""
        return f"Corrected since: now {self.now.reading}{unit}."

    @property
    def current_path(self) -> str:
        """Where the correction line leads: the figure's page now, or its history if it
        was withdrawn."""
        if self.now is None:
            return urls.figure_history(self.figure.id)
        return figure_page_path(self.figure.id)

    @property
    def as_of(self) -> str:
        return long_date(self.disclosure.last_updated)

    @property
    def page_path(self) -> str:
        """The figure's public page (service/web), which a reader can follow; not its JSON.
        A pinned card's page is pinned too."""
        path = figure_page_path(self.figure.id)
        return f"{path}?revision={self.revision}" if self.pinned else path

    @property
    def summary(self) -> str:
        """One sentence for screen readers and image descriptions."""
        unit = f" {self.unit}" if self.unit else ""
        return f"{self.figure.label}: {self.big}{unit}."


#: The card's box at the oEmbed width: 18px of padding and 1px of border each side (_css).
CARD_TEXT_WIDTH = 480 - 2 * 18 - 2
#: A little room for fonts wider than the glyph estimates.
CARD_SLACK = 12
#: Average glyph widths, in em: bold (the reading), semi-bold (the label), regular.
BOLD, SEMI_BOLD, REGULAR = 0.8, 0.62, 0.55


def _block(
    text: str, size: float, line_height: float, margin: float, glyph: float = REGULAR
) -> float:
    return margin + len(text_lines(text, CARD_TEXT_WIDTH, size, glyph)) * size * line_height


def _reading_block(card: "Card") -> float:
    """The reading: words in bold 28px; a number in bold 40px with its unit in 18px."""
    if not card.numeric:
        return _block(card.big, 28, 1.1, 0, BOLD)
    width = len(card.big) * 40 * BOLD + len(f" {card.unit}") * 18 * REGULAR
    return math.ceil(width / CARD_TEXT_WIDTH) * 40 * 1.1


def card_height(card: Card) -> int:
    """Pixels the HTML card needs at 480px wide, from what it shows: each block's lines at
    its font size and line height, plus its margins (the sizes in _css)."""
    f = card.figure
    blocks = [
        _reading_block(card),
        _block(f.label, 18, 1.4, 8, SEMI_BOLD),
        _block(card.period, 14, 1.4, 4),
    ]
    if card.correction_line:
        blocks.append(_block(f"{card.correction_line} See the figure now", 14, 1.4, 8))
    if card.qualifier_line:
        blocks.append(_block(card.qualifier_line, 14, 1.4, 4))
    if card.disputed_line:
        blocks.append(_block(f"Sources disagree: {card.disputed_line}", 14, 1.4, 8))
    if card.derived_line:
        blocks.append(_block(card.derived_line, 14, 1.4, 4))
    if f.note:
        blocks.append(_block("About this figure", 13, 1.4, 8))  # closed <details>
    citation = (
        f"{card.source_line} Figure page · Licence: {licence_name(card.disclosure.licence.id)}"
    )
    blocks.append(_block(citation, 13, 1.4, 12 + 8 + 1))
    blocks.append(_block(f"Data as of {card.as_of} · {card.dataset_line}", 13, 1.4, 0))
    return math.ceil(sum(blocks) + 2 * 16 + 2) + CARD_SLACK


#: The least an iframe needs to let the card's links open in a new tab: no scripts,
#: forms, same origin or top navigation.
IFRAME_SANDBOX = "allow-popups allow-popups-to-escape-sandbox"


def card_iframe(src: str, title: str, width: int, height: int) -> str:
    """The iframe a publisher pastes (the builder and oEmbed alike), sandboxed."""
    return (
        f'<iframe src="{esc(src)}" title="{esc(title)}" width="{width}" height="{height}" '
        'style="border:0;max-width:100%" loading="lazy" '
        f'sandbox="{IFRAME_SANDBOX}" referrerpolicy="no-referrer"></iframe>'
    )


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
        f".corrected{{margin:8px 0 0;padding:4px 8px;font-size:14px;"
        f"border-left:4px solid {p.link}}}"
        f"details{{margin:8px 0 0;font-size:13px;color:{p.muted}}}"
        "details p{margin:4px 0 0}"
        f"footer{{margin-top:12px;padding-top:8px;border-top:1px solid {p.border};font-size:13px}}"
        "footer p{margin:0}"
        "footer .licence{white-space:nowrap}"
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


def card_html(card: Card, theme: Theme, discovery: str = "", base: str = "") -> bytes:
    """The card's page; `discovery` is its oEmbed <link>, and `base` prefixes the figure
    page's link, when the public URL is known."""
    f = card.figure
    licence = card.disclosure.licence
    parts = [
        '<article class="card" aria-labelledby="figure-label" '
        'aria-describedby="figure-reading figure-citation figure-licence" '
        f'data-figure="{esc(f.id)}">',
        f'<p class="reading{"" if card.numeric else " words"}" id="figure-reading">'
        f'<span class="value">{esc(card.big)}</span>'
        + (f' <span class="unit">{esc(card.unit)}</span>' if card.unit else "")
        + "</p>",
    ]
    if card.qualifier_line:
        parts.append(f'<p class="qualifier">{esc(card.qualifier_line)}</p>')
    parts.append(f'<h1 id="figure-label">{esc(f.label)}</h1>')
    parts.append(f'<p class="period">{esc(card.period)}</p>')
    if card.correction_line:
        label = "See the figure now" if card.now is not None else "See its history"
        parts.append(
            f'<p class="corrected"><strong>{esc(card.correction_line)}</strong> '
            f"{_link(base + card.current_path, label)}</p>"
        )
    if card.disputed_line:
        parts.append(
            f'<p class="disputed"><strong>Sources disagree:</strong> {esc(card.disputed_line)}</p>'
        )
    if card.derived_line:
        parts.append(f'<p class="derived">{esc(card.derived_line)}</p>')
    if f.note:
        parts.append(f"<details><summary>About this figure</summary><p>{esc(f.note)}</p></details>")
    found = card.source_urls

    def linked(publisher: str) -> str:
        return _link(found[publisher], publisher) if publisher in found else esc(publisher)

    credit = card.credit.text(name=linked, plain=esc)
    parts.append(
        "<footer>"
        f'<p class="citation" id="figure-citation">Source: {short_lead(esc(card.answer), credit)}'
        f". {_link(base + card.page_path, 'Figure page')} · "
        f'<span class="licence" id="figure-licence">Licence: '
        f'<a href="{esc(licence.url)}" rel="license noopener noreferrer" target="_blank" '
        f'title="{esc(licence.title)}">{esc(licence_name(licence.id))}</a></span></p>'
        f'<p class="asof">Data as of <time datetime="{esc(card.disclosure.last_updated)}">'
        f"{esc(card.as_of)}</time> · {esc(card.dataset_line)}</p>"
        "</footer>"
    )
    parts.append("</article>")
    title = f"{card.summary} Source: {card.answer}. {licence_line(licence)}."
    return _page(title, "\n".join(parts), theme, discovery)


def not_found_html(figure_id: str, theme: Theme) -> bytes:
    body = (
        '<article class="card" aria-labelledby="figure-label">'
        '<p class="reading words">Figure not found</p>'
        f'<h1 id="figure-label">No figure has the id “{esc(figure_id)}”.</h1>'
        '<p class="period">It may have been mistyped; figure ids are listed at '
        f"{_link(urls.api('figures'), urls.api('figures'))}.</p>"
        "</article>"
    )
    return _page("Figure not found", body, theme)
