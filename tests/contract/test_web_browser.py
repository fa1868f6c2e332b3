"""The pages for people in a real browser: Playwright for Python drives Debian's Chromium
(never a browser Playwright downloads) against the real app under uvicorn.

Each page type renders its figures with no console error (a CSP violation is one), asks
nothing of any host but the service, can be worked by keyboard alone, and has no serious or
critical axe-core violation at desktop width or at 360 px. The Cite box's copy button puts
the citation on the clipboard. WEB_SCREENSHOT_DIR=docs (`make web-screenshot`) writes the
pictures docs/web.md shows.

Skipped only when /usr/bin/chromium is missing and CI is not set; in CI a missing browser
is a failure (.ci/run installs it).
"""

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.contract.test_embed_browser import CHROMIUM_FLAGS, _png_size, _third_party_site
from tests.machine import CHROMIUM

#: Chromium's flags as the embed test passes them, less those Playwright sets itself
#: (headless) or that would stop its clock (virtual time).
FLAGS = [f for f in CHROMIUM_FLAGS if f != "--headless" and not f.startswith("--virtual-time")]
FIGURE = "met-2013.staff.dismissed"
PAGES = {
    "home": "/",
    "disclosure": "/disclosures/met-2013",
    "figure": f"/figures/{FIGURE}",
    "compare": "/compare?measure=investigated",
    "figures": "/figures?outcome=dismissed",
    "disclosures": "/disclosures",
    "search": "/search?q=written+warning",
    "forces": "/forces",
    "force": "/forces/kent-police",
}
WIDTHS = {"desktop": (1280, 900), "mobile": (360, 780)}
SCREENSHOT_DIR = os.environ.get("WEB_SCREENSHOT_DIR")


@pytest.fixture(scope="module")
def server(browser_server: tuple[str, Path]) -> str:
    """The real app under uvicorn on a seeded database, shared by every browser test
    (tests/contract/conftest.py)."""
    return browser_server[0]


@pytest.fixture(scope="module")
def browser(server: str) -> Iterator[Browser]:  # noqa: ARG001 (start the server first)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def visit(page: Page, url: str) -> list[str]:
    """Open `url`; return the console errors it logged (a blocked load is one)."""
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    response = page.goto(url, wait_until="networkidle")
    assert response is not None
    assert response.status == 200
    return errors


def images_loaded(page: Page) -> bool:
    """Every image on the page that has an address, each scrolled to (charts load lazily),
    has drawn. Polled from here: the pages' CSP forbids the eval a page-side poll needs."""
    for image in page.locator("img[src]").all():
        image.scroll_into_view_if_needed()
    drawn = "[...document.images].filter(i => i.getAttribute('src'))"
    drawn += ".every(i => i.complete && i.naturalWidth > 0)"
    deadline = time.monotonic() + 15  # a lazy image starts loading only once scrolled to
    while time.monotonic() < deadline:
        if page.evaluate(drawn):
            return True
        page.wait_for_timeout(100)
    return False


def test_every_page_renders_its_figures_without_console_errors(server: str, page: Page) -> None:
    assert visit(page, server + PAGES["home"]) == []
    disclosures = httpx.get(f"{server}/v1/disclosures").json()["data"]
    assert page.locator("section.disclosure h2").count() == len(disclosures)
    assert page.locator("figure.chart img").count() >= 1
    assert images_loaded(page)

    assert visit(page, server + PAGES["disclosure"]) == []
    assert page.locator("table.figures tbody tr").count() == 40
    assert (
        page.locator("table.figures tbody tr")
        .first.inner_text()
        .startswith("Police officers investigated over social-media use\t75")
    )
    assert images_loaded(page)

    assert visit(page, server + PAGES["figure"]) == []
    assert page.locator(".reading").inner_text() == "4 staff"
    assert page.locator("table.reports tbody tr").count() == 4
    card = page.frame_locator("iframe.preview")
    assert card.locator("body").inner_text().startswith("4")

    assert visit(page, server + PAGES["compare"]) == []
    points = httpx.get(f"{server}/v1/series?measure=investigated&limit=500").json()["data"]
    assert page.locator("section.group").count() == len({p["group"] for p in points})
    assert page.locator("select#measure").input_value() == "investigated"


def test_no_page_asks_anything_of_another_host(server: str, page: Page) -> None:
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    for url in PAGES.values():
        visit(page, server + url)
    assert requested
    assert [u for u in requested if not u.startswith(server + "/")] == []
    # The stylesheet, the script, the charts and the card preview all came from the service.
    assert f"{server}/static/web.css" in requested
    assert f"{server}/static/web.js" in requested
    assert f"{server}/v1/embed/figures/{FIGURE}?theme=light" in requested


def test_the_cite_copy_button_puts_the_citation_on_the_clipboard(
    server: str, browser: Browser
) -> None:
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    visit(page, server + PAGES["figure"])
    button = page.locator('button[data-copy="cite-text"]')
    assert button.is_visible()
    button.click()
    expect(page.locator(".cite .copy-status")).not_to_have_text("")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == page.locator("#cite-text").text_content()
    assert copied.startswith("Civilian staff dismissed: 4. Metropolitan Police Service FOI answer")
    revision = httpx.get(f"{server}/v1/meta").json()["revision"]
    # The citation links to the figure's page, absolute (issue 23).
    assert f"{server}/figures/{FIGURE}?revision={revision}. Licence: CC BY 4.0" in copied
    assert page.locator(".cite .copy-status").inner_text() == "Copied the citation."
    if SCREENSHOT_DIR:
        page.locator("section.cite").screenshot(path=str(Path(SCREENSHOT_DIR) / "web-cite.png"))
    context.close()


def test_the_figure_page_prints_the_reading_sources_and_citation_only(
    server: str, page: Page
) -> None:
    visit(page, server + PAGES["figure"])
    page.emulate_media(media="print")
    for hidden in ("header.site", "section.embed", "button.copy", "#cite-bibtex"):
        assert not page.locator(hidden).first.is_visible(), hidden
    for shown in (".reading", "table.reports", "#cite-text"):
        assert page.locator(shown).is_visible(), shown
    link = page.locator("table.reports a").first
    after = page.evaluate("a => getComputedStyle(a, '::after').content", link.element_handle())
    assert after.startswith('" (https://www.theguardian.com/')


#: What Tab stops at: a radio group is one stop (its checked radio; arrows move within it).
FOCUSABLE = (
    "a[href], button:not([hidden]), select, input:not([type=radio]), input[type=radio]:checked, "
    "[tabindex='0'], iframe"
)


def tab_through(page: Page, limit: int = 400) -> tuple[int, set[int], list[str]]:
    """Tab from the top of the page until focus comes round again; returns how many
    controls there are, which of them focus reached, and the order of their descriptions."""
    count: int = page.evaluate(
        "sel => { const all = [...document.querySelectorAll(sel)]"
        ".filter(e => e.offsetParent !== null || e.tagName === 'IFRAME');"
        " all.forEach((e, i) => e.dataset.k = i); return all.length; }",
        FOCUSABLE,
    )
    reached: set[int] = set()
    order: list[str] = []
    page.locator("body").focus()
    for _ in range(limit):
        page.keyboard.press("Tab")
        k = page.evaluate("document.activeElement && document.activeElement.dataset.k")
        if k is None:
            continue
        if int(k) in reached and int(k) == 0:
            break
        reached.add(int(k))
        order.append(page.evaluate("document.activeElement.textContent.trim().slice(0, 40)"))
    return count, reached, order


@pytest.mark.parametrize("name", list(PAGES))
def test_keyboard_alone_reaches_every_control(server: str, page: Page, name: str) -> None:
    visit(page, server + PAGES[name])
    count, reached, order = tab_through(page)
    assert order[0] == "Skip to content"
    assert reached == set(range(count)), f"never focused: {set(range(count)) - reached}"
    if name == "figure":
        assert "Copy citation" in order
        assert "Copy BibTeX" in order
    if name == "compare":
        assert "Compare" in order


def serious(results: Any) -> list[str]:
    return [
        f"{v['id']} ({v['impact']}): {v['help']}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("name", list(PAGES))
def test_axe_finds_no_serious_or_critical_violation(
    server: str, browser: Browser, name: str, width: str, tmp_path: Path
) -> None:
    w, h = WIDTHS[width]
    context = browser.new_context(viewport={"width": w, "height": h})
    page = context.new_page()
    visit(page, server + PAGES[name])
    results = Axe().run(page)
    print(f"axe {name} {width}: {results.violations_count} violations", serious(results))
    assert serious(results) == []
    # Readable at 360 px: nothing but a table's own scroller is wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= w
    shot = tmp_path / f"web-{name}-{width}.png"
    page.screenshot(path=str(shot))
    assert _png_size(shot) == (w, h)
    assert shot.stat().st_size > 20_000
    if SCREENSHOT_DIR:
        shutil.copyfile(shot, Path(SCREENSHOT_DIR) / shot.name)
    context.close()


def test_the_embed_builder_shows_the_chosen_snippet_and_preview_at_once(
    server: str, page: Page
) -> None:
    visit(page, f"{server}/figures/{FIGURE}")
    assert page.locator("form.builder button.show").is_hidden()  # the script does its work
    shown = page.locator("[data-variant]:visible")
    assert shown.count() == 1
    assert shown.get_attribute("data-variant") == "iframe-light-live"
    page.get_by_role("radio", name="Image (SVG)").check()
    page.get_by_role("radio", name="Dark").check()
    page.get_by_role("radio", name="Pinned to revision").check()
    shown = page.locator("[data-variant]:visible")
    assert shown.get_attribute("data-variant") == "svg-dark-pinned"
    image = page.locator("#preview-image")
    assert image.is_visible()
    assert page.locator("#preview-card").is_hidden()
    assert "theme=dark&revision=" in (image.get_attribute("src") or "")
    assert images_loaded(page)
    page.get_by_role("radio", name="Number in your sentence (embed.js)").check()
    sentence = page.locator("#preview-text")
    assert sentence.is_visible()
    pinned = sentence.locator("[data-variant-version=pinned]")
    expect(pinned).to_be_visible()
    expect(pinned).to_have_attribute("data-figure-state", "live")
    assert pinned.locator(".met-foi-value").text_content() == "4"


def test_a_pasted_builder_snippet_shows_the_figure_on_another_origin(
    server: str, page: Page, tmp_path: Path
) -> None:
    """What the builder gives, pasted as it is into a page on another origin (another
    port), shows the figure: the pinned card in a frame, and the live number in a sentence."""
    visit(page, f"{server}/figures/{FIGURE}")
    card = page.locator("#embed-iframe-light-pinned").text_content() or ""
    script = page.locator("#embed-script-light-live").text_content() or ""
    host_page = (
        f"<!doctype html><meta charset=utf-8><title>Host</title>{card}"
        f"<p>Staff dismissed: {script}.</p>"
    )
    with _third_party_site(host_page, tmp_path) as host:
        page.goto(host, wait_until="networkidle")
        frame = page.frame_locator("iframe")
        assert frame.locator("#figure-reading .value").text_content() == "4"
        assert "(pinned)" in (frame.locator(".asof").text_content() or "")
        expect(page.locator("[data-figure]")).to_have_attribute("data-figure-state", "live")
        assert page.locator("[data-figure] .met-foi-value").text_content() == "4"


def test_compare_shows_every_answer_s_investigated_figures_without_a_filter_change(
    server: str, page: Page
) -> None:
    """Issue 24: /compare for "investigated" showed one row (87) until the staff setting
    was changed; every group is now on the page, each with why it stands apart."""
    series = httpx.get(f"{server}/v1/series", params={"measure": "investigated"}).json()
    assert visit(page, f"{server}/compare?measure=investigated") == []
    sections = page.locator("section.group")
    assert sections.count() == len(series["groups"]) == 13  # 7 of the Met, 6 of pa-2014
    assert [sections.nth(i).get_attribute("data-group") for i in range(13)] == [
        g["id"] for g in series["groups"]
    ]
    reasons = page.locator("section.group .reason").all_inner_texts()
    assert reasons == [g["reason"] for g in series["groups"]]
    counts = page.locator("section.group table.figures tbody tr").count()
    assert counts == series["count"] == 21
    shown = page.locator("section.group table.figures").all_inner_texts()
    for number in ("75", "12", "87", "71", "412", "184"):
        assert any(f"\t{number} " in text or f"\t{number}\n" in text for text in shown), number
    if SCREENSHOT_DIR:
        shot = Path(SCREENSHOT_DIR) / "web-compare-investigated.png"
        page.screenshot(path=str(shot), full_page=True)


def _mcp(server: str, method: str, params: dict[str, Any]) -> dict[str, Any]:
    answer = httpx.post(
        f"{server}/mcp",
        json={"jsonrpc": "2.0", "id": 1, "method": method, "params": params},
        headers={"accept": "application/json, text/event-stream"},
        timeout=20,
    )
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()["result"]
    return result


def test_the_figure_card_an_mcp_client_is_given_renders_with_nothing_from_elsewhere(
    server: str, page: Page
) -> None:
    """Issue 30: get_figure names a ui:// card (MCP Apps); rendered as a host would, in a
    sandbox that lets nothing load, it shows the number, the dispute and the citation."""
    figure = "met-2013.officers.written-warning"
    called = _mcp(server, "tools/call", {"name": "get_figure", "arguments": {"id": figure}})
    uri = called["_meta"]["ui"]["resourceUri"]
    [card] = _mcp(server, "resources/read", {"uri": uri})["contents"]
    assert card["mimeType"] == "text/html;profile=mcp-app"
    assert card["_meta"]["ui"]["csp"] == {}  # no other origin may be reached
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.set_content(card["text"])
    assert page.locator(".value").inner_text() == "17 to 18"
    assert page.locator(".disputed").inner_text() == (
        "Sources disagree: The Guardian: 18 · Evening Standard: 17 · The Independent: 17"
    )
    cited = page.locator("a", has_text="Figure page").get_attribute("href")
    assert cited == called["structuredContent"]["page_url"]
    assert requested == []  # nothing loaded: no script, style, font or image from anywhere


#: The CSP the MCP Apps specification has a host apply to a view that declares no domains
#: (`_meta.ui.csp: {}`): nothing from any other origin; inline script and style only.
APP_CSP = (
    "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; media-src 'self' data:; connect-src 'none'; frame-src 'none'; "
    "object-src 'none'; base-uri 'self'"
)
#: A host as the MCP Apps specification describes one, in a page: the view in a sandboxed
#: frame (scripts, no same origin) under APP_CSP; it answers ui/initialize, sends the tool's
#: input and result once the view says it is initialized, proxies resources/read to the
#: server (window.readResource, from the test) and follows the view's size.
MCP_HOST = """<!DOCTYPE html><html><head><style>
body { margin: 16px; font: 15px/1.4 sans-serif; background: #f4f4f5; }
.turn { max-width: 560px; }
iframe { width: 560px; border: 0; display: block; background: #fff; }
</style></head><body><div class="turn"><p>Assistant: here is the figure, as published.</p>
<iframe id="view" sandbox="allow-scripts"></iframe></div>
<script>
window.hostSeen = [];
function show(html, csp, input, result) {
  const frame = document.getElementById("view");
  const post = (message) => frame.contentWindow.postMessage(message, "*");
  window.addEventListener("message", async (event) => {
    if (event.source !== frame.contentWindow) return;
    const m = event.data;
    window.hostSeen.push(m.method || "answer");
    if (m.method === "ui/initialize") {
      post({jsonrpc: "2.0", id: m.id, result: {protocolVersion: "2026-01-26",
        hostInfo: {name: "test-host", version: "1"},
        hostCapabilities: {serverResources: {}}, hostContext: {theme: "light"}}});
    } else if (m.method === "ui/notifications/initialized") {
      post({jsonrpc: "2.0", method: "ui/notifications/tool-input", params: {arguments: input}});
      post({jsonrpc: "2.0", method: "ui/notifications/tool-result", params: result});
    } else if (m.method === "resources/read") {
      post({jsonrpc: "2.0", id: m.id, result: await window.readResource(m.params.uri)});
    } else if (m.method === "ui/notifications/size-changed") {
      frame.style.height = m.params.height + "px";
    }
  });
  const policy = '<meta http-equiv="Content-Security-Policy" content="' + csp + '">';
  frame.srcdoc = html.replace("<head>", "<head>" + policy);
}
</script></body></html>"""


def _in_a_host(server: str, page: Page, tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
    """Call `tool` over MCP, and show its view as an MCP Apps host would: the ui:// view the
    tool's definition names, fed the real result. Returns the result."""
    listed = _mcp(server, "tools/list", {})["tools"]
    view_uri = next(t for t in listed if t["name"] == tool)["_meta"]["ui"]["resourceUri"]
    [view] = _mcp(server, "resources/read", {"uri": view_uri})["contents"]
    assert view["_meta"]["ui"]["csp"] == {}  # so the host applies APP_CSP: no other origin
    result = _mcp(server, "tools/call", {"name": tool, "arguments": arguments})
    page.expose_function("readResource", lambda uri: _mcp(server, "resources/read", {"uri": uri}))
    page.set_content(MCP_HOST)
    page.evaluate(
        "([html, csp, input, result]) => show(html, csp, input, result)",
        [view["text"], APP_CSP, arguments, result],
    )
    return result


def test_get_figure_s_view_shows_the_pinned_card_inside_the_chat(server: str, page: Page) -> None:
    """Issue 30: the view get_figure declares on its tool, given the tool's result by a host,
    shows the card the result names, pinned: the number, the dispute and the citation; under
    the CSP a host applies for `csp: {}` nothing is loaded and nothing is refused."""
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    figure = "met-2013.officers.written-warning"
    result = _in_a_host(server, page, "get_figure", {"id": figure})
    card = page.frame_locator("#view")
    expect(card.locator(".value")).to_have_text("17 to 18")
    assert card.locator(".disputed").inner_text() == (
        "Sources disagree: The Guardian: 18 · Evening Standard: 17 · The Independent: 17"
    )
    cited = card.locator("a", has_text="Figure page").get_attribute("href")
    assert cited == result["structuredContent"]["page_url"]
    assert result["structuredContent"]["page_url"].endswith(
        "?revision=" + result["_meta"]["ui"]["resourceUri"].split("/")[3]
    )
    page.wait_for_function("window.hostSeen.length >= 4")
    assert page.evaluate("window.hostSeen") == [
        "ui/initialize",
        "ui/notifications/initialized",
        "resources/read",
        "ui/notifications/size-changed",
    ]
    assert requested == []
    assert errors == []
    if SCREENSHOT_DIR:
        page.locator(".turn").screenshot(path=str(Path(SCREENSHOT_DIR) / "mcp-card.png"))


def test_aggregate_s_view_shows_the_pinned_chart_inside_the_chat(server: str, page: Page) -> None:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    result = _in_a_host(server, page, "aggregate", {"disclosure": "met-2013", "by": ["platform"]})
    chart = page.frame_locator("#view")
    expect(chart.locator("svg")).to_have_count(1)
    drawn = chart.locator("svg").text_content() or ""
    assert "the vast majority" in drawn
    assert result["structuredContent"]["rows"][0]["reading"] == "the vast majority"
    assert errors == []


def test_a_view_shows_the_answer_s_text_when_the_result_names_no_page(
    server: str, page: Page
) -> None:
    """A result without a pinned page (or a host that cannot read resources) is shown as the
    answer's own text, as a client without MCP Apps shows it: never an empty frame."""
    result = _mcp(server, "tools/call", {"name": "get_figure", "arguments": {"id": "nope"}})
    assert result["isError"] is True
    [view] = _mcp(server, "resources/read", {"uri": "ui://views/answer.html"})["contents"]
    page.set_content(MCP_HOST)
    page.evaluate(
        "([html, csp, input, result]) => show(html, csp, input, result)",
        [view["text"], APP_CSP, {"id": "nope"}, result],
    )
    expect(page.frame_locator("#view").locator("pre.answer")).to_have_text(
        result["content"][0]["text"]
    )
    assert result["content"][0]["text"].endswith("No figure has the id 'nope'.")


#: Every element the page lays out that reaches past the screen's left or right edge
#: (the skip link, clipped, has no width; nothing is excused).
WIDER_THAN_SCREEN = """w => [...document.querySelectorAll('body *')].filter(e => {
  const r = e.getBoundingClientRect();
  return r.width > 0 && (r.right > w + 0.5 || r.left < -0.5);
}).map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '') + ' '
  + Math.round(e.getBoundingClientRect().width) + 'px: '
  + (e.textContent || '').trim().slice(0, 60))"""


def every_page(server: str) -> list[str]:
    """Every kind of page: home, each disclosure and a figure of each (its widest reading),
    every force's page (with figures, refused, or asked and nothing found), the lists with
    a facet and a sort, the comparisons and a search."""
    disclosures = httpx.get(f"{server}/v1/disclosures").json()["data"]
    figures = httpx.get(f"{server}/v1/figures", params={"limit": 500}).json()["data"]
    forces = httpx.get(f"{server}/v1/forces", params={"limit": 100}).json()["data"]
    urls = ["/", "/disclosures", "/figures", "/figures?sort=-count&limit=500", "/compare"]
    urls += ["/figures?outcome=written_warning&sort=count"]
    urls += ["/compare?measure=investigated", "/search?q=warning", "/search?q=guardian"]
    urls += ["/forces", *(f"/forces/{f['id']}" for f in forces)]
    for d in disclosures:
        urls.append(f"/disclosures/{d['id']}")
        own = [f for f in figures if f["disclosure"] == d["id"]]
        if own:
            widest = max(own, key=lambda f: (len(f["reading"]), f["disputed"]))
            urls.append(f"/figures/{widest['id']}")
    return urls


@pytest.mark.parametrize("width", list(WIDTHS))
def test_no_element_is_wider_than_the_screen_on_any_page(
    server: str, browser: Browser, width: str
) -> None:
    """Issue 26: on /disclosures/met-2013 a count in words (nowrap) made the table 1,255 px
    wide in a 960 px column, and at 360 px the "sources disagree" mark was cut off."""
    w, h = WIDTHS[width]
    context = browser.new_context(viewport={"width": w, "height": h})
    page = context.new_page()
    urls = every_page(server)
    # The 2013 figure is one whose count is only words ("named as an outcome ...").
    assert any(u.startswith("/figures/met-2013.outcome-named.") for u in urls)
    disclosures = httpx.get(f"{server}/v1/disclosures").json()["data"]
    with_figures = [d for d in disclosures if d["figure_count"]]
    assert (len(disclosures), len(with_figures)) == (11, 10)  # met-2015-cases has cases only
    assert len(urls) == 10 + 53 + len(disclosures) + len(with_figures)
    wide = {}
    for url in urls:
        response = page.goto(server + url, wait_until="load")
        assert response is not None
        assert response.status == 200, url
        found = page.evaluate(WIDER_THAN_SCREEN, w)
        if found:
            wide[url] = found[:5]
    assert wide == {}
    # The dispute mark of the written warnings is on the screen, whole, at this width.
    page.goto(f"{server}/disclosures/met-2013", wait_until="load")
    row = page.locator("table.figures tbody tr", has_text="Police officers given a written warning")
    mark = row.locator(".mark", has_text="sources disagree")
    box = mark.bounding_box()
    assert box is not None
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= w
    context.close()


def test_a_search_from_the_home_page_finds_the_written_warnings(server: str, page: Page) -> None:
    visit(page, server + "/")
    page.get_by_role("searchbox", name="Search figures, cases, notes and sources").fill(
        "written warning"
    )
    page.keyboard.press("Enter")
    page.wait_for_url(f"{server}/search?q=written+warning")
    found = page.locator('section[data-kind="figures"] li')
    expected = httpx.get(f"{server}/v1/figures", params={"q": "written warning"}).json()
    assert found.count() == expected["count"] == 19
    link = page.get_by_role("link", name="Police officers given a written warning").nth(1)
    assert link.get_attribute("href") == "/figures/met-2013.officers.written-warning"
    item = found.filter(has=page.locator('a[href="/figures/met-2013.officers.written-warning"]'))
    assert item.inner_text().startswith(
        "Police officers given a written warning: 17 to 18 range sources disagree officers"
    )
    link.click()
    page.wait_for_url(f"{server}/figures/met-2013.officers.written-warning")
    assert page.locator(".reading").inner_text() == "17 to 18 officers range sources disagree"


def test_figures_facet_by_outcome_and_sort_by_count(server: str, page: Page) -> None:
    visit(page, server + "/figures")
    assert page.locator("table.figures tbody tr").count() == 50
    outcomes = page.locator('[data-facet="outcome"]')
    outcomes.get_by_role("link", name="Written warning", exact=True).click()
    page.wait_for_url(f"{server}/figures?outcome=written_warning")
    api = f"{server}/v1/figures?outcome=written_warning"
    rows = page.locator("table.figures tbody tr td:first-child a")
    assert [rows.nth(i).get_attribute("href") for i in range(rows.count())] == [
        f"/figures/{f['id']}" for f in httpx.get(api).json()["data"]
    ]
    assert page.locator("p.count-line").inner_text().startswith("6 figures; 1 to 6 shown.")
    count = page.locator("th", has=page.locator("a[data-sort=count]"))
    assert count.get_attribute("aria-sort") == "none"
    count.get_by_role("link").click()
    page.wait_for_url(f"{server}/figures?outcome=written_warning&sort=count")
    assert count.get_attribute("aria-sort") == "ascending"
    counts = page.locator("table.figures tbody tr .count").all_inner_texts()
    assert counts == ["4", "12", "17 to 18", "18", "20", "47"]
    assert counts == [f["reading"] for f in httpx.get(f"{api}&sort=count").json()["data"]]
    count.get_by_role("link").click()
    page.wait_for_url(f"{server}/figures?outcome=written_warning&sort=-count")
    assert count.get_attribute("aria-sort") == "descending"
    assert page.locator("table.figures tbody tr .count").all_inner_texts() == counts[::-1]
    # The page's address is the API's query string: the same URL under /v1 gives the rows.
    same = httpx.get(f"{server}/v1/figures?outcome=written_warning&sort=-count").json()
    assert [f["reading"] for f in same["data"]] == counts[::-1]


def test_the_figure_page_shows_its_chart_or_its_table(server: str, page: Page) -> None:
    visit(page, f"{server}/figures/met-2013.officers.written-warning")
    bar = page.locator(".figure-bar")
    assert bar.locator("button:visible").all_inner_texts() == ["Chart", "Table"]
    assert bar.locator("a").all_inner_texts() == [
        "Download the chart's figures (CSV)",
        "Download this figure (JSON)",
        "Cite",
        "Share",
        "Embed",
    ]
    chart = page.locator("#panel-chart img")
    assert chart.is_visible()
    assert images_loaded(page)
    assert page.locator("#panel-table").is_hidden()
    page.get_by_role("button", name="Table").click()
    assert chart.is_hidden()
    table = page.locator("#panel-table table")
    assert table.is_visible()
    current = table.locator("tr.this")
    assert current.inner_text() == (
        "Police officers given a written warning\t17 to 18 range sources disagree officers"
    )
    assert page.get_by_role("button", name="Table").get_attribute("aria-pressed") == "true"
    page.get_by_role("button", name="Chart").click()
    assert chart.is_visible()
