"""Embeds in a real browser: Debian's headless Chromium loads a host page served from a
second local port (another origin) that embeds the card iframe, the SVG images and the
embed.js snippet, against the real app served by uvicorn.

Skipped only when /usr/bin/chromium is missing and CI is not set; in CI a missing browser
is a failure (.ci/run installs it).
"""

import contextlib
import json
import os
import re
import shutil
import struct
import subprocess
import tempfile
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from functools import partial
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from websockets.sync.client import ClientConnection, connect

from tests.machine import CHROMIUM

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    # Virtual time runs until the page is idle: scripts, fetches, frames and images done.
    "--virtual-time-budget=15000",
]
SCREENSHOT_COPY = os.environ.get("EMBED_SCREENSHOT")  # `make embed-screenshot` sets it
#: Where to copy the chart and card screenshots (docs/chart-outcome.png, docs/chart-platform.png,
#: docs/chart-one-figure.png, docs/card.png):
#: EMBED_SCREENSHOT_DIR=docs pytest tests/test_embed_browser.py -k screenshots
SCREENSHOT_DIR = os.environ.get("EMBED_SCREENSHOT_DIR")

HOST_PAGE = """<!doctype html>
<html lang="en-GB">
<head><meta charset="utf-8"><title>A think tank's page (another origin)</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 24px; max-width: 1040px; color: #222; }}
.grid {{ display: flex; gap: 24px; align-items: flex-start; flex-wrap: wrap; }}
p.lede {{ font-size: 18px; }}
</style></head>
<body>
<h1>Policing and social media: what the Met disclosed</h1>
<p class="lede" id="sacked"><span data-figure="met-2013.all.dismissed">Seven</span> Met
officers and staff were sacked for social-media misuse since 2009.</p>
<p class="lede" id="warned"><span data-figure="met-2013.officers.written-warning">17 or
18</span> officers were given a written warning.</p>
<p class="lede" id="facebook">Facebook accounted for
<span data-figure="met-2013.platform.facebook">most</span> of the cases.</p>
<p class="lede" id="missing"><span data-figure="met-2013.no-such-figure">fallback
stays</span> when a figure cannot be fetched.</p>
<div class="grid">
<iframe id="card" src="{api}/v1/embed/figures/met-2013.officers.written-warning"
 title="Police officers given a written warning" width="480" height="351"
 style="border:0" sandbox="allow-popups allow-popups-to-escape-sandbox"></iframe>
<img id="svg-card" src="{api}/v1/embed/figures/met-2013.all.dismissed.svg"
 alt="Officers and civilian staff dismissed: 7 people">
<img id="chart" src="{api}/v1/embed/aggregates.svg?by=platform" alt="Cases by platform">
</div>
<script src="{api}/v1/embed.js" async></script>
</body>
</html>
"""


@contextlib.contextmanager
def _third_party_site(page: str, tmp_path: Path) -> Iterator[str]:
    """`page` as index.html of a site on another port (another origin than the API)."""
    site = tmp_path / "site"
    site.mkdir(exist_ok=True)
    (site / "index.html").write_text(page)

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/index.html"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def host_page(api_server: tuple[str, Path], tmp_path: Path) -> Iterator[str]:
    """A third-party page on another port (another origin) embedding all three ways."""
    with _third_party_site(HOST_PAGE.format(api=api_server[0]), tmp_path) as url:
        yield url


def _chromium(tmp_path: Path, url: str, *extra: str) -> str:
    profile = tempfile.mkdtemp(dir=tmp_path, prefix="chromium-profile-")
    done = subprocess.run(
        [str(CHROMIUM), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *extra, url],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


class _Spans(HTMLParser):
    """Text and state of every [data-figure] element in a dumped DOM."""

    def __init__(self) -> None:
        super().__init__()
        self.found: dict[str, dict[str, str]] = {}
        self._open: list[tuple[str, int]] = []
        self._depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._depth += 1
        values = dict(attrs)
        figure = values.get("data-figure")
        if figure:
            state = values.get("data-figure-state") or ""
            self.found[figure] = {"state": state, "text": "", "html_tags": ""}
            self._open.append((figure, self._depth))
        for name, _ in self._open:
            self.found[name]["html_tags"] += f"<{tag}>"

    def handle_endtag(self, tag: str) -> None:  # noqa: ARG002 (HTMLParser's signature)
        if self._open and self._open[-1][1] == self._depth:
            self._open.pop()
        self._depth -= 1

    def handle_data(self, data: str) -> None:
        for name, _ in self._open:
            self.found[name]["text"] += data


def _spans(dom: str) -> dict[str, dict[str, str]]:
    parser = _Spans()
    parser.feed(dom)
    return {k: {**v, "text": " ".join(v["text"].split())} for k, v in parser.found.items()}


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


#: What each live span holds once embed.js has run: the figure alone.
LIVE = {
    "met-2013.all.dismissed": "7",
    "met-2013.officers.written-warning": "17 to 18",
    "met-2013.platform.facebook": "the vast majority",
}


def _paragraphs(dom: str) -> dict[str, str]:
    """The text of every <p id=...> of a dumped DOM, spaces collapsed."""
    return {
        name: " ".join(re.sub(r"<[^>]+>", "", body).split())
        for name, body in re.findall(r'<p(?: class="[^"]*")? id="(\w+)">(.*?)</p>', dom, re.S)
    }


def test_host_page_on_another_origin_shows_live_figures_with_citations(
    api_server: tuple[str, Path], host_page: str, tmp_path: Path
) -> None:
    api, log = api_server
    dom = _chromium(tmp_path, host_page, "--dump-dom")
    spans = _spans(dom)
    # The span holds the figure; its citation follows the sentence, so the number and the
    # unit the page writes after it are read together.
    assert {k: spans[k] for k in LIVE} == {
        k: {"state": "live", "text": text, "html_tags": "<span><span>"} for k, text in LIVE.items()
    }
    assert _paragraphs(dom) | {"missing": ""} == {
        "sacked": "7 Met officers and staff were sacked for social-media misuse since 2009 "
        "(source: Evening Standard, Parliament Street (reproducing IDG News Service), The "
        "Independent).",
        "warned": "17 to 18 officers were given a written warning (sources disagree: The "
        "Guardian: 18 · Evening Standard: 17 · The Independent: 17; source: The Guardian, "
        "Evening Standard, The Independent).",
        "facebook": "Facebook accounted for the vast majority of the cases (no number "
        "given; source: Parliament Street (reproducing IDG News Service)).",
        "missing": "",
    }
    # An id the API does not know keeps the page's own words.
    assert spans["met-2013.no-such-figure"] == {
        "state": "fallback",
        "text": "fallback stays",
        "html_tags": "<span>",
    }
    # The citation links to the figure's page, not its JSON.
    assert f'href="{api}/figures/met-2013.all.dismissed"' in dom

    # The browser fetched every embed from the API's origin, and each was served.
    served = log.read_text()
    for path in (
        "/v1/embed.js",
        "/v1/figures/met-2013.all.dismissed",
        "/v1/figures/met-2013.officers.written-warning",
        "/v1/figures/met-2013.platform.facebook",
        "/v1/embed/figures/met-2013.officers.written-warning",
        "/v1/embed/figures/met-2013.all.dismissed.svg",
        "/v1/embed/aggregates.svg?by=platform",
    ):
        assert f'"GET {path} HTTP/1.1" 200' in served, path
    assert '"GET /v1/figures/met-2013.no-such-figure HTTP/1.1" 404' in served

    shot = tmp_path / "embed.png"
    _chromium(tmp_path, host_page, f"--screenshot={shot}", "--window-size=1100,1200")
    assert _png_size(shot) == (1100, 1200)
    # A blank page of this size compresses to a few kilobytes; text, a card and charts don't.
    assert shot.stat().st_size > 40_000
    if SCREENSHOT_COPY:
        shutil.copyfile(shot, SCREENSHOT_COPY)


def test_card_renders_in_chromium_with_its_range_reports_and_citation(
    api_server: tuple[str, Path], tmp_path: Path
) -> None:
    api, _ = api_server
    dom = _chromium(
        tmp_path, f"{api}/v1/embed/figures/met-2013.officers.written-warning", "--dump-dom"
    )
    assert '<span class="value">17 to 18</span> <span class="unit">officers</span>' in dom
    assert '<h1 id="figure-label">Police officers given a written warning</h1>' in dom
    assert (
        "<strong>Sources disagree:</strong> The Guardian: 18 · Evening Standard: 17 · "
        "The Independent: 17" in dom
    )
    assert f'<a href="{api}/figures/met-2013.officers.written-warning" target="_blank" ' in dom
    assert "Figure page</a>" in dom
    assert "<script" not in dom


SHOTS = {
    "chart-outcome": "/v1/embed/aggregates.svg?by=outcome&staff_type=police_officer",
    "chart-platform": "/v1/embed/aggregates.svg?by=platform",
    "chart-one-figure": "/v1/embed/aggregates.svg?disclosure=met-2021-daily-mail-277"
    "&measure=alleged_misuse",
    "card": "/v1/embed/figures/met-2013.officers.written-warning",
}


def _svg_size(body: bytes) -> tuple[int, int]:
    root = ET.fromstring(body)
    return int(root.get("width") or 0), int(root.get("height") or 0)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_screenshots_of_the_charts_and_the_card(
    api_server: tuple[str, Path], tmp_path: Path, theme: str
) -> None:
    """Each chart at its own size and the card at its oEmbed size, in both themes; the light
    ones are the README's pictures when EMBED_SCREENSHOT_DIR is set."""
    api, log = api_server
    for name, path in SHOTS.items():
        url = f"{api}{path}{'&' if '?' in path else '?'}theme={theme}"
        if name == "card":
            answer = httpx.get(f"{api}/oembed", params={"url": f"{api}{path}"}).json()
            size = (answer["width"], answer["height"])
        else:
            size = _svg_size(httpx.get(url).content)
        shot = tmp_path / f"{name}-{theme}.png"
        _chromium(tmp_path, url, f"--screenshot={shot}", f"--window-size={size[0]},{size[1]}")
        assert _png_size(shot) == size, name
        # Text, bars and bands, not a blank frame: a blank image this size is a few kB.
        assert shot.stat().st_size > 15_000, name
        if SCREENSHOT_DIR and theme == "light":
            shutil.copyfile(shot, Path(SCREENSHOT_DIR) / f"{name}.png")
    assert '" 500' not in log.read_text()


def _page_requests(netlog: Path, page_site: str) -> list[str]:
    """URLs the page (not the browser's own background services) asked for: the requests
    in the page's network partition, from Chromium's net log."""
    log = json.loads(netlog.read_text())
    start_job = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    jobs = [e.get("params", {}) for e in log["events"] if e["type"] == start_job]
    return [
        job["url"] for job in jobs if job.get("network_isolation_key", "").startswith(page_site)
    ]


def test_docs_render_the_operations_from_the_service_alone(
    api_server: tuple[str, Path], tmp_path: Path
) -> None:
    """Swagger UI draws every operation with nothing fetched from another host, and the
    browser reports no Content-Security-Policy violation."""
    api, log = api_server
    netlog = tmp_path / "net.json"
    profile = tempfile.mkdtemp(dir=tmp_path, prefix="chromium-profile-")
    done = subprocess.run(
        [
            str(CHROMIUM),
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            f"--log-net-log={netlog}",
            "--enable-logging=stderr",
            "--dump-dom",
            f"{api}/docs",
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    dom = done.stdout
    operations = set(re.findall(r'class="opblock-summary-path" data-path="([^"]+)"', dom))
    schema_paths = set(httpx.get(f"{api}/openapi.json").json()["paths"])
    assert operations == schema_paths
    assert "/v1/figures/{figure_id}" in operations
    assert "Content Security Policy" not in done.stderr
    requested = _page_requests(netlog, "http://127.0.0.1 ")
    assert f"{api}/docs" in requested
    assert f"{api}/openapi.json" in requested
    assert f"{api}/docs/assets/swagger-ui-bundle.js" in requested
    assert [url for url in requested if not url.startswith(f"{api}/")] == []
    served = log.read_text()
    for path in ("/docs/assets/swagger-ui.css", "/docs/assets/swagger-init.js"):
        assert f'"GET {path} HTTP/1.1" 200' in served, path


class _DevTools:
    """One Chromium page over the DevTools protocol: navigate, then read a value from the
    page. (Runtime.evaluate runs even where the page's CSP forbids scripts, as the card's
    does.)"""

    def __init__(self, socket: ClientConnection) -> None:
        self.socket = socket
        self.sent = 0

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        self.sent += 1
        self.socket.send(json.dumps({"id": self.sent, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv(timeout=30))
            if message.get("id") == self.sent:
                result: dict[str, Any] = message.get("result", {})
                return result

    def evaluate(self, expression: str) -> Any:
        answer = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return answer["result"].get("value")

    def scroll_height(self, url: str) -> int:
        """document.documentElement.scrollHeight once `url` has loaded, in a 100px-high
        viewport (so that the card's min-height: 100vh adds nothing)."""
        self.call("Page.navigate", url=url)
        deadline = time.monotonic() + 30
        while self.evaluate("document.readyState + ' ' + location.href") != f"complete {url}":
            assert time.monotonic() < deadline, url
            time.sleep(0.05)
        height: int = self.evaluate("document.documentElement.scrollHeight")
        return height


@contextlib.contextmanager
def _devtools(tmp_path: Path, width: int) -> Iterator[_DevTools]:
    """Headless Chromium with its DevTools port open, one page `width` CSS pixels wide."""
    profile = Path(tempfile.mkdtemp(dir=tmp_path, prefix="chromium-profile-"))
    flags = [f for f in CHROMIUM_FLAGS if not f.startswith("--virtual-time")]
    process = subprocess.Popen(
        [str(CHROMIUM), *flags, f"--user-data-dir={profile}", "--remote-debugging-port=0"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not port_file.exists() or not port_file.read_text().strip():
            assert time.monotonic() < deadline, "Chromium did not open its DevTools port"
            time.sleep(0.1)
        port = port_file.read_text().split()[0]
        pages = httpx.get(f"http://127.0.0.1:{port}/json/list").json()
        target = next(p for p in pages if p["type"] == "page")
        with connect(target["webSocketDebuggerUrl"], max_size=None) as socket:
            page = _DevTools(socket)
            page.call(
                "Emulation.setDeviceMetricsOverride",
                width=width,
                height=100,
                deviceScaleFactor=1,
                mobile=False,
            )
            yield page
    finally:
        process.terminate()
        process.wait(timeout=30)


def _all_figure_ids(api: str) -> list[str]:
    ids: list[str] = []
    while True:
        page = httpx.get(f"{api}/v1/figures", params={"limit": 100, "offset": len(ids)}).json()
        ids += [f["id"] for f in page["data"]]
        if not page["data"] or len(ids) >= page["count"]:
            return ids


#: A figure of each kind the card draws differently.
CARD_KINDS = {
    "plain": "met-2013.all.dismissed",
    "disputed": "met-2013.officers.written-warning",
    "words": "met-2013.platform.facebook",
    "derived": "met-2013.all.adverse-finding-or-departure",
}
CHART_URLS = (
    "/v1/embed/aggregates.svg?by=platform",
    "/v1/embed/aggregates.svg?by=outcome&staff_type=police_officer&theme=dark",
)


def test_oembed_heights_hold_each_card_and_chart_as_chromium_draws_it(
    api_server: tuple[str, Path], tmp_path: Path
) -> None:
    """The card at 480px in both themes, measured in the browser: the oEmbed iframe is at
    least as tall, so no line is cut. Each chart's oEmbed height is its drawn height."""
    api, _ = api_server
    measured: dict[str, int] = {}
    with _devtools(tmp_path, 480) as browser:
        for kind, figure in CARD_KINDS.items():
            answer = httpx.get(f"{api}/oembed", params={"url": f"{api}/figures/{figure}"})
            for theme in ("light", "dark"):
                url = f"{api}/v1/embed/figures/{figure}?theme={theme}"
                measured[f"{kind} {theme}"] = height = browser.scroll_height(url)
                assert answer.json()["height"] >= height, (kind, theme, height)
        # And every other card in the seed, so that no wording is cut either.
        short = []
        for figure in _all_figure_ids(api):
            answer = httpx.get(f"{api}/oembed", params={"url": f"{api}/figures/{figure}"})
            height = browser.scroll_height(f"{api}/v1/embed/figures/{quote(figure, safe='')}")
            if answer.json()["height"] < height:
                short.append((figure, answer.json()["height"], height))
        assert short == []
    print("card heights at 480px:", measured)
    # The kinds differ in what they show, so in height; words are shorter than numbers.
    assert measured["disputed light"] > measured["plain light"]
    assert measured["derived light"] > measured["plain light"]
    with _devtools(tmp_path, 640) as browser:
        for path in CHART_URLS:
            answer = httpx.get(f"{api}/oembed", params={"url": f"{api}{path}"}).json()
            height = browser.scroll_height(f"{api}{path}")
            assert answer["height"] >= height, (path, height)
            assert answer["height"] - height <= 8, (path, height)


CITE_PAGE = """<!doctype html>
<html lang="en-GB"><head><meta charset="utf-8"><title>Citation forms</title></head>
<body>
<p id="inline"><span data-figure="met-2013.all.dismissed">Seven</span> were sacked.</p>
<p id="footnote"><span data-figure="met-2013.officers.written-warning"
 data-cite="footnote">17 or 18</span> were warned, and
<span data-figure="met-2013.all.dismissed" data-cite="footnote">seven</span> sacked.</p>
<p id="none"><span data-figure="met-2013.platform.facebook" data-cite="none">most</span>
were on Facebook.</p>
<p id="short"><span data-figure="met-2013.officers.written-warning" data-cite="short">17 or
18</span> officers were given a written warning<br>in 2009 to 2012</p>
<script src="{api}/v1/embed.js" async></script>
</body></html>
"""


class _Elements(HTMLParser):
    """Every element inside the page's <p id=...> paragraphs: (paragraph, tag, attrs)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str, dict[str, str | None]]] = []
        self.paragraph = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "p":
            self.paragraph = values.get("id") or ""
        elif self.paragraph:
            self.found.append((self.paragraph, tag, values))


def test_embed_js_shows_the_inline_footnote_and_bare_citation_forms(
    api_server: tuple[str, Path], tmp_path: Path
) -> None:
    api, _ = api_server
    with _third_party_site(CITE_PAGE.format(api=api), tmp_path) as page:
        dom = _chromium(tmp_path, page, "--dump-dom")
    spans = _spans(dom)
    paragraphs = _paragraphs(dom)
    # The default: the figure, the page's words, then the citation in brackets before the
    # sentence's full stop.
    assert paragraphs["inline"] == (
        "7 were sacked (source: Evening Standard, Parliament Street (reproducing IDG News "
        "Service), The Independent)."
    )
    # Short: the API's short citation, whole, before the line break that ends the sentence.
    short = httpx.get(f"{api}/v1/figures/met-2013.officers.written-warning").json()["cite_short"]
    assert paragraphs["short"] == (
        "17 to 18 officers were given a written warning (sources disagree: The Guardian: 18 · "
        f"Evening Standard: 17 · The Independent: 17; {short})in 2009 to 2012"
    )
    assert short.startswith("Metropolitan Police Service FOI answer (first reported 2013), as ")
    # Footnotes: the figure (a range stays a range) and [n] in the page's order.
    assert paragraphs["footnote"] == "17 to 18[1] were warned, and 7[2] sacked."
    # None: the figure alone.
    assert paragraphs["none"] == "the vast majority were on Facebook."
    assert spans["met-2013.platform.facebook"]["html_tags"] == "<span><span>"
    elements = _Elements()
    elements.feed(dom)
    sups = [(p, a) for p, tag, a in elements.found if tag == "sup"]
    assert [p for p, _ in sups] == ["footnote", "footnote"]
    links = {(p, a.get("href")): a.get("title") or "" for p, tag, a in elements.found if tag == "a"}
    warning = links[("footnote", f"{api}/figures/met-2013.officers.written-warning")]
    assert warning.startswith(
        "sources disagree: The Guardian: 18 · Evening Standard: 17 · The Independent: 17. "
    )
    assert "Parliament Street" in warning
    assert links[("footnote", f"{api}/figures/met-2013.all.dismissed")].startswith(
        "Officers and civilian staff dismissed: 7. Metropolitan Police Service FOI answer"
    )
    dismissed = httpx.get(f"{api}/v1/figures/met-2013.all.dismissed").json()["cite_short"]
    assert links[("inline", f"{api}/figures/met-2013.all.dismissed")] == dismissed
    assert not [key for key in links if key[0] == "none"]
    titles = {
        p: a.get("title") or ""
        for p, tag, a in elements.found
        if tag == "span" and a.get("data-figure-state") == "live"
    }
    assert titles["none"].startswith("no number given. ")
    assert "Parliament Street" in titles["none"]
