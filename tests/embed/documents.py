"""Reading what the embeds serve: the HTML card's text by id or class, and the SVGs' text
and chart rows; the request headers browsers send for a frame and for an image."""

import xml.etree.ElementTree as ET
from html.parser import HTMLParser

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
IMAGE_ACCEPT = "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8"
SVG = "{http://www.w3.org/2000/svg}"
WARNING = "met-2013.officers.written-warning"


class _Tree(HTMLParser):
    """Tags in order, and the text inside each element that has an id or a class."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[dict[str, str | None]] = []
        self.text: dict[str, str] = {}
        self._open: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        values = dict(attrs)
        self.attrs.append(values)
        name = values.get("id") or values.get("class") or ""
        if tag in ("meta", "link"):
            return
        self._open.append((tag, name))
        if name:
            self.text.setdefault(name, "")

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            if self._open.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        for _, name in self._open:
            if name:
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


def svg_rows(body: bytes) -> dict[str, dict[str, object]]:
    """Per chart row: the shape drawn (bar, range, open or none), its width, and its text."""
    root = ET.fromstring(body)
    rows: dict[str, dict[str, object]] = {}
    for g in root.iter(f"{SVG}g"):
        if g.get("class") != "row":
            continue
        shapes = list(g.iter(f"{SVG}rect"))
        texts = {t.get("class"): "".join(t.itertext()) for t in g.iter(f"{SVG}text")}
        rows[g.get("data-figure") or ""] = {
            "shape": shapes[0].get("class") if shapes else None,
            "width": float(shapes[0].get("width") or 0) if shapes else None,
            "value": texts.get("value"),
            "words": texts.get("words"),
            "aside": texts.get("aside"),
            "title": "".join(g.find(f"{SVG}title").itertext()),  # type: ignore[union-attr]
        }
    return rows
