"""Reading what the embeds serve: the HTML card's text by id or class, and the SVGs' text
and chart rows; the request headers browsers send for a frame and for an image."""

import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from typing import TypedDict

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
IMAGE_ACCEPT = "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8"
SVG = "{http://www.w3.org/2000/svg}"
WARNING = "met-2013.officers.written-warning"


class _Tree(HTMLParser):
    """Tags in order, and the text inside each element that has an id or a class (under
    each of its names)."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[dict[str, str | None]] = []
        self.text: dict[str, str] = {}
        self._open: list[tuple[str, tuple[str, ...]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        values = dict(attrs)
        self.attrs.append(values)
        names = tuple(n for n in (values.get("id"), values.get("class")) if n)
        if tag in ("meta", "link"):
            return
        self._open.append((tag, names))
        for name in names:
            self.text.setdefault(name, "")

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            if self._open.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        for _, names in self._open:
            for name in names:
                self.text[name] += data
        if self._open and self._open[-1][0] == "title":
            self.text["<title>"] = self.text.get("<title>", "") + data


def parse_html(body: str) -> _Tree:
    tree = _Tree()
    tree.feed(body)
    return tree


def svg_texts(body: bytes, cls: str) -> list[str]:
    root = ET.fromstring(body)
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text") if t.get("class") == cls]


class Row(TypedDict):
    marks: dict[str, tuple[float, float]]
    value: str | None
    words: str | None
    aside: str | None
    title: str


def svg_rows(body: bytes) -> dict[str, Row]:
    """Per chart row: each mark drawn (bar, "bar derived", band, fade, words-marker) as its
    (left x, right x), a floor-marker circle as (centre x, centre x), and the row's texts by
    class."""
    root = ET.fromstring(body)
    rows: dict[str, Row] = {}
    for g in root.iter(f"{SVG}g"):
        if g.get("class") != "row":
            continue
        marks: dict[str, tuple[float, float]] = {}
        for rect in g.iter(f"{SVG}rect"):
            x, width = float(rect.get("x") or 0), float(rect.get("width") or 0)
            marks[rect.get("class") or ""] = (x, round(x + width, 1))
        for circle in g.iter(f"{SVG}circle"):
            x = float(circle.get("cx") or 0)
            marks[circle.get("class") or ""] = (x, x)
        texts = {t.get("class"): "".join(t.itertext()) for t in g.iter(f"{SVG}text")}
        rows[g.get("data-figure") or ""] = {
            "marks": marks,
            "value": texts.get("value"),
            "words": texts.get("words"),
            "aside": texts.get("aside"),
            "title": "".join(g.find(f"{SVG}title").itertext()),  # type: ignore[union-attr]
        }
    return rows


def svg_ticks(body: bytes) -> dict[int, float]:
    """The chart's axis: each tick's count and its x position."""
    root = ET.fromstring(body)
    return {
        int(t.get("data-value") or 0): float(t.get("x") or 0)
        for t in root.iter(f"{SVG}text")
        if t.get("class") == "tick"
    }


def svg_legend(body: bytes) -> dict[str, str]:
    """The chart's legend: each mark it explains and its words."""
    root = ET.fromstring(body)
    return {
        g.get("data-mark") or "": " ".join("".join(t.itertext()) for t in g.iter(f"{SVG}text"))
        for g in root.iter(f"{SVG}g")
        if g.get("class") == "legend"
    }
