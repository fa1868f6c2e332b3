"""Embeds over real HTTP through the app: HTML and SVG cards, the aggregate chart, embed.js
and oEmbed; their caching, their 404 cards, and their escaping of hostile data."""

import csv
import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy.engine import Engine

from service.caching import cache_key
from service.config import Settings
from service.embed.card import CARD_CSP, THEMES
from service.main import create_app
from service.seed import load_packages

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
IMAGE_ACCEPT = "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8"
SVG = "{http://www.w3.org/2000/svg}"
WARNING = "met-2013.officers.written-warning"
EVIL = "Evil <script>alert(\"x\")</script> 'quoted' </svg> & <b>bold</b>"


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


# ---------------------------------------------------------------- HTML card


def test_card_shows_a_disputed_range_with_every_report_and_a_citation(
    client: TestClient,
) -> None:
    response = client.get(f"/v1/embed/figures/{WARNING}", headers={"accept": BROWSER_ACCEPT})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["content-security-policy"] == (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors *"
    )
    assert response.headers["cache-control"] == "public, max-age=300"
    assert "set-cookie" not in response.headers
    assert "x-frame-options" not in response.headers
    tree = parse_html(response.text)
    assert "script" not in tree.tags
    assert tree.text["value"] == "17 to 18"
    assert tree.text["unit"] == "officers"
    assert tree.text["figure-label"] == "Police officers given a written warning"
    assert tree.text["period"] == "Metropolitan Police Service, 2009 to 2012"
    assert tree.text["disputed"] == (
        "Sources disagree: The Guardian: 18 · Evening Standard: 17 · The Independent: 17"
    )
    revision = client.get("/v1/disclosures/met-2013").json()["revision"]
    assert tree.text["citation"] == (
        "Source: Metropolitan Police Service FOI answer to Parliament Street (UK think tank), "
        "as reported by The Guardian, Evening Standard, The Independent. Figure data (JSON)"
    )
    assert tree.text["asof"] == (
        f"Data as of 23 November 2026 · dataset met-2013 v1.0.0 · revision {revision}"
    )
    links = [a["href"] for tag, a in zip(tree.tags, tree.attrs, strict=True) if tag == "a"]
    assert links == [
        "https://www.theguardian.com/media/2013/apr/12/met-police-investigate-75-officers-facebook",
        "http://www.standard.co.uk/news/crime/scotland-yard-sacks-seven-for-misusing-facebook-"
        "and-twitter-8568413.html",
        "https://the-independent.com/news/uk/crime/three-police-fired-for-social-media-misuse-"
        "8569131.html",
        f"/v1/figures/{WARNING}",
    ]
    # The same figure through the JSON API: the card cannot drift from it.
    figure = client.get(f"/v1/figures/{WARNING}").json()
    assert (figure["value"], figure["min"], figure["max"]) == (None, 17, 18)


def test_card_shows_a_qualifier_as_words_without_a_number(client: TestClient) -> None:
    response = client.get("/v1/embed/figures/met-2013.platform.facebook")
    tree = parse_html(response.text)
    assert response.status_code == 200
    assert tree.text["value"] == "the vast majority"
    assert "unit" not in tree.text
    assert tree.text["qualifier"] == "No number given: these are the source's words."
    assert '<p class="reading words" id="figure-reading">' in response.text


def test_card_marks_our_arithmetic_and_an_open_ended_floor(client: TestClient) -> None:
    derived = parse_html(client.get("/v1/embed/figures/met-2013.all.investigated").text)
    assert derived.text["value"] == "87"
    assert derived.text["unit"] == "people"
    assert derived.text["derived"] == (
        "Our arithmetic from the disclosed figures; no source printed this number."
    )
    assert "disputed" not in derived.text
    floor = parse_html(client.get("/v1/embed/figures/met-2013.platform.unspecified").text)
    assert floor.text["value"] == "at least 2"
    assert floor.text["qualifier"] == "Described as “a number of”."


def test_card_dark_theme_and_bad_theme(client: TestClient) -> None:
    dark = client.get(f"/v1/embed/figures/{WARNING}?theme=dark")
    assert '<body class="theme-dark">' in dark.text
    assert f"background:{THEMES['dark'].background}" in dark.text
    bad = client.get(f"/v1/embed/figures/{WARNING}?theme=blue")
    assert bad.status_code == 422
    assert bad.headers["content-type"] == "application/problem+json"
    assert bad.json()["errors"][0]["parameter"] == "theme"
    assert bad.json()["errors"][0]["allowed"] == ["light", "dark"]


def test_unknown_figure_gets_a_404_card_not_problem_json(client: TestClient) -> None:
    html = client.get("/v1/embed/figures/met-2013.no-such", headers={"accept": BROWSER_ACCEPT})
    assert html.status_code == 404
    assert html.headers["content-type"] == "text/html; charset=utf-8"
    assert html.headers["content-security-policy"] == CARD_CSP
    tree = parse_html(html.text)
    assert tree.text["figure-label"] == "No figure has the id “met-2013.no-such”."
    assert tree.text["<title>"] == "Figure not found"
    svg = client.get("/v1/embed/figures/met-2013.no-such.svg", headers={"accept": IMAGE_ACCEPT})
    assert svg.status_code == 404
    assert svg.headers["content-type"] == "image/svg+xml; charset=utf-8"
    root = ET.fromstring(svg.content)
    assert [t.text for t in root.iter(f"{SVG}text")] == [
        "Figure not found",
        "No figure has the id “met-2013.no-such”.",
        "Figure ids are listed at /v1/figures.",
    ]
    # The JSON API keeps problem+json for the same id.
    api = client.get("/v1/figures/met-2013.no-such")
    assert api.status_code == 404
    assert api.headers["content-type"] == "application/problem+json"


def test_404_cards_escape_the_requested_id(client: TestClient) -> None:
    image = client.get('/v1/embed/figures/<script>alert("x")<b>.svg')
    assert image.status_code == 404
    root = ET.fromstring(image.content)
    assert [t.text for t in root.iter(f"{SVG}text")][1] == (
        'No figure has the id “<script>alert("x")<b>”.'
    )
    card = client.get("/v1/embed/figures/<img src=x onerror=alert(1)>")
    assert card.status_code == 404
    assert "<img" not in card.text
    assert parse_html(card.text).text["figure-label"] == (
        "No figure has the id “<img src=x onerror=alert(1)>”."
    )


def test_embeds_ignore_a_browsers_accept_header(client: TestClient) -> None:
    for accept in (BROWSER_ACCEPT, IMAGE_ACCEPT, "image/svg+xml", "application/json", "text/csv"):
        card = client.get(f"/v1/embed/figures/{WARNING}", headers={"accept": accept})
        assert (card.status_code, card.headers["content-type"]) == (
            200,
            "text/html; charset=utf-8",
        ), accept
        image = client.get(f"/v1/embed/figures/{WARNING}.svg", headers={"accept": accept})
        assert image.headers["content-type"] == "image/svg+xml; charset=utf-8", accept
        script = client.get("/v1/embed.js", headers={"accept": accept})
        assert script.headers["content-type"] == "text/javascript; charset=utf-8", accept
    # The JSON API still negotiates.
    assert client.get("/v1/figures", headers={"accept": "image/svg+xml"}).status_code == 406
    assert cache_key("/v1/embed.js", b"", "image/png") == "/v1/embed.js?#embed"
    assert cache_key("/v1/figures", b"", "image/png") is None


def test_embed_rejects_unknown_query_parameters(client: TestClient) -> None:
    response = client.get(f"/v1/embed/figures/{WARNING}?colour=red")
    assert response.status_code == 400
    assert response.json()["type"] == "/problems/unknown-parameter"


# ---------------------------------------------------------------- caching


def _reload_with_changed_note(
    engine: Engine, client: TestClient, package_copy: Callable[..., Path]
) -> None:
    package = package_copy()
    path = package / "figures.csv"
    with path.open(newline="") as source:
        rows = list(csv.DictReader(source))
    for row in rows:
        if row["id"] == "met-2013.staff.reprimand":
            row["note"] = "Corrected note."
    with path.open("w", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)
    load_packages(engine, [package])
    client.app.state.app.tracker.refresh()  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "path",
    [
        f"/v1/embed/figures/{WARNING}",
        f"/v1/embed/figures/{WARNING}.svg",
        "/v1/embed/aggregates.svg?by=platform",
        "/v1/embed.js",
        f"/oembed?url=http://testserver/v1/embed/figures/{WARNING}",
    ],
)
def test_embeds_change_etag_when_and_only_when_the_revision_changes(
    client: TestClient, engine: Engine, package_copy: Callable[..., Path], path: str
) -> None:
    first = client.get(path, headers={"accept": BROWSER_ACCEPT})
    again = client.get(path, headers={"accept": IMAGE_ACCEPT})
    assert first.status_code == again.status_code == 200
    etag = first.headers["etag"]
    assert again.headers["etag"] == etag
    assert again.content == first.content
    # The second answer comes from the per-revision cache, with the same headers (CSP too).
    same = {k: v for k, v in first.headers.items() if k != "x-request-id"}
    assert {k: v for k, v in again.headers.items() if k != "x-request-id"} == same
    not_modified = client.get(path, headers={"if-none-match": etag})
    assert not_modified.status_code == 304
    assert not_modified.content == b""
    head = client.head(path)
    assert (head.status_code, head.headers["etag"], head.content) == (200, etag, b"")

    _reload_with_changed_note(engine, client, package_copy)
    after = client.get(path, headers={"if-none-match": etag})
    assert after.status_code == 200
    assert after.headers["etag"] != etag


# ---------------------------------------------------------------- SVG card and chart


def test_svg_card_has_the_reading_reports_and_citation(client: TestClient) -> None:
    response = client.get(f"/v1/embed/figures/{WARNING}.svg", headers={"accept": IMAGE_ACCEPT})
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/svg+xml; charset=utf-8"
    root = ET.fromstring(response.content)
    assert root.get("role") == "img"
    assert (
        root.findtext(f"{SVG}title")
        == "Police officers given a written warning: 17 to 18 officers."
    )
    assert svg_texts(response.content, "value") == ["17 to 18 officers"]
    assert svg_texts(response.content, "label") == ["Police officers given a written warning"]
    assert " ".join(svg_texts(response.content, "disputed")) == (
        "Sources disagree: The Guardian: 18 · Evening Standard: 17 · The Independent: 17"
    )
    assert " ".join(svg_texts(response.content, "citation")) == (
        "Source: Metropolitan Police Service FOI answer to Parliament Street (UK think tank), "
        "as reported by The Guardian, Evening Standard, The Independent."
    )


def test_chart_by_platform_draws_numbers_as_bars_and_qualifiers_as_words(
    client: TestClient,
) -> None:
    response = client.get("/v1/embed/aggregates.svg?by=platform", headers={"accept": IMAGE_ACCEPT})
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/svg+xml; charset=utf-8"
    rows = svg_rows(response.content)
    assert list(rows) == [
        f["figure"] for f in client.get("/v1/aggregates?by=platform").json()["rows"]
    ]
    assert rows["met-2013.platform.facebook"] == {
        "shape": None,
        "width": None,
        "value": None,
        "words": "“the vast majority” (no number given)",
        "aside": None,
        "title": "Cases involving Facebook",
    }
    assert rows["met-2013.platform.dating-site"]["shape"] is None
    assert rows["met-2013.platform.twitter"]["shape"] == "bar"
    assert rows["met-2013.platform.twitter"]["value"] == "2"
    assert rows["met-2013.platform.linkedin"]["value"] == "1"
    # Bars are to scale: Twitter's 2 is exactly twice LinkedIn's 1.
    twitter, linkedin = (rows[f"met-2013.platform.{p}"]["width"] for p in ("twitter", "linkedin"))
    assert twitter == 2 * linkedin  # type: ignore[operator]
    assert rows["met-2013.platform.unspecified"]["shape"] == "open"
    assert rows["met-2013.platform.unspecified"]["value"] == "at least 2"
    assert rows["met-2013.platform.unspecified"]["aside"] == "“a number of”"
    title = ET.fromstring(response.content).findtext(f"{SVG}title")
    assert title == "Cases by platform, Metropolitan Police Service"
    revision = client.get("/v1/aggregates?by=platform").json()["revision"]
    assert f"revision {revision}." in " ".join(svg_texts(response.content, "citation"))


def test_chart_draws_ranges_as_ranges(client: TestClient) -> None:
    by_outcome = svg_rows(
        client.get("/v1/embed/aggregates.svg?by=outcome&staff_type=police_officer").content
    )
    assert by_outcome[WARNING]["shape"] == "range"
    assert by_outcome[WARNING]["value"] == "17 to 18"
    assert by_outcome[WARNING]["aside"] == "sources disagree"
    assert by_outcome["met-2013.officers.dismissed"]["shape"] == "bar"
    both = client.get("/v1/embed/aggregates.svg?by=staff_type,outcome").content
    assert svg_texts(both, "title") == ["People by outcome and staff type"]
    assert svg_texts(both, "subtitle") == [
        "Metropolitan Police Service, since 2009 · counted in officers and staff"
    ]
    by_year = svg_rows(client.get("/v1/embed/aggregates.svg?by=year").content)
    assert by_year == {
        "met-2013.officers.dismissed-2011": {
            "shape": "range",
            "width": 330.0,
            "value": "0 to 3",
            "words": None,
            "aside": None,
            "title": "Police officers dismissed in 2011",
        }
    }


def test_chart_rejects_bad_groupings_with_problem_json(client: TestClient) -> None:
    bad = client.get("/v1/embed/aggregates.svg?by=colour")
    assert bad.status_code == 422
    assert bad.headers["content-type"] == "application/problem+json"
    assert bad.json()["errors"][0]["parameter"] == "by"
    missing = client.get("/v1/embed/aggregates.svg")
    assert missing.status_code == 422


# ---------------------------------------------------------------- embed.js


def test_embed_js_builds_nodes_and_never_writes_html(client: TestClient) -> None:
    response = client.get("/v1/embed.js", headers={"accept": "*/*"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/javascript; charset=utf-8"
    source = response.text
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in source
    assert "textContent" in source
    assert "createElement" in source
    assert 'var api = "" ||' in source


def test_embed_js_and_oembed_use_the_configured_public_url(
    settings: Settings, engine: Engine
) -> None:
    public = settings.model_copy(update={"public_base_url": "https://data.example.org"})
    with TestClient(create_app(public, engine)) as client:
        assert 'var api = "https://data.example.org" ||' in client.get("/v1/embed.js").text
        answer = client.get(
            "/oembed", params={"url": f"https://data.example.org/v1/figures/{WARNING}"}
        ).json()
        assert answer["provider_url"] == "https://data.example.org/"
        assert f'src="https://data.example.org/v1/embed/figures/{WARNING}"' in answer["html"]
        card = client.get(f"/v1/embed/figures/{WARNING}").text
        assert (
            '<link rel="alternate" type="application/json+oembed" '
            'href="https://data.example.org/oembed?url=https%3A%2F%2Fdata.example.org%2Fv1%2F'
            f'embed%2Ffigures%2F{WARNING}&amp;format=json"' in card
        )


def test_public_base_url_setting_is_validated() -> None:
    assert Settings(public_base_url="https://x.example/api/").public_base_url == (
        "https://x.example/api"
    )
    assert Settings(public_base_url=" ").public_base_url is None
    with pytest.raises(ValidationError):
        Settings(public_base_url="ftp://x.example")


# ---------------------------------------------------------------- oEmbed


def test_oembed_answers_rich_iframe_for_a_figure_url(client: TestClient) -> None:
    response = client.get(
        "/oembed",
        params={"url": "http://testserver/v1/embed/figures/met-2013.all.dismissed"},
        headers={"accept": BROWSER_ACCEPT},
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {
        "version": "1.0",
        "type": "rich",
        "title": "Officers and civilian staff dismissed: 7 people.",
        "provider_name": "Met social-media misconduct FOI API",
        "provider_url": "http://testserver/",
        "cache_age": 300,
        "html": '<iframe src="http://testserver/v1/embed/figures/met-2013.all.dismissed" '
        'title="Officers and civilian staff dismissed: 7 people." width="480" height="300" '
        'style="border:0;max-width:100%" loading="lazy" '
        'sandbox="allow-popups allow-popups-to-escape-sandbox" referrerpolicy="no-referrer">'
        "</iframe>",
        "width": 480,
        "height": 300,
    }


def test_oembed_accepts_svg_and_json_urls_and_respects_max_sizes(client: TestClient) -> None:
    for url in (
        f"https://elsewhere.example/v1/figures/{WARNING}",
        f"http://testserver/v1/embed/figures/{WARNING}.svg?theme=dark",
    ):
        answer = client.get(
            "/oembed", params={"url": url, "maxwidth": 320, "maxheight": 200, "format": "json"}
        ).json()
        assert (answer["width"], answer["height"]) == (320, 200)
        assert answer["title"] == "Police officers given a written warning: 17 to 18 officers."
    roomy = client.get("/oembed", params={"url": f"http://testserver/v1/figures/{WARNING}"})
    assert (roomy.json()["width"], roomy.json()["height"]) == (480, 340)


def test_oembed_errors_are_problem_json(client: TestClient) -> None:
    xml = client.get(
        "/oembed", params={"url": f"http://testserver/v1/figures/{WARNING}", "format": "xml"}
    )
    assert xml.status_code == 501
    assert xml.json()["type"] == "/problems/format-not-implemented"
    for url, detail in (
        ("http://testserver/v1/meta", "No figure URL has the id 'http://testserver/v1/meta'."),
        (
            "javascript:alert(1)//v1/figures/x",
            "No figure URL has the id 'javascript:alert(1)//v1/figures/x'.",
        ),
        ("http://testserver/v1/figures/met-2013.nope", "No figure has the id 'met-2013.nope'."),
    ):
        response = client.get("/oembed", params={"url": url})
        assert response.status_code == 404, url
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["detail"] == detail
    assert client.get("/oembed").status_code == 422
    assert client.get("/oembed", params={"url": "x", "maxwidth": 0}).status_code == 422
    assert client.get("/problems/format-not-implemented").json()["status"] == 501


# ---------------------------------------------------------------- hostile data


def _load_hostile_package(engine: Engine, package_copy: Callable[..., Path]) -> None:
    package = package_copy()
    path = package / "figures.csv"
    with path.open(newline="") as source:
        rows = list(csv.DictReader(source))
    for row in rows:
        if row["id"] in (WARNING, "met-2013.platform.twitter"):
            row["label"] = f"{EVIL} label"
            row["note"] = f"{EVIL} note"
    with path.open("w", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)
    descriptor = json.loads((package / "datapackage.json").read_text())
    for source in descriptor["sources"]:
        if source["id"] == "guardian2013":
            source["publisher"] = f"{EVIL} publisher"
    (package / "datapackage.json").write_text(json.dumps(descriptor, indent=2))
    load_packages(engine, [package])


def test_hostile_labels_notes_and_publishers_render_as_text(
    client: TestClient, engine: Engine, package_copy: Callable[..., Path]
) -> None:
    _load_hostile_package(engine, package_copy)
    client.app.state.app.tracker.refresh()  # type: ignore[attr-defined]
    assert client.get(f"/v1/figures/{WARNING}").json()["label"] == f"{EVIL} label"

    card = client.get(f"/v1/embed/figures/{WARNING}")
    assert card.status_code == 200
    assert "<script>" not in card.text
    assert "</svg>" not in card.text
    tree = parse_html(card.text)
    assert "script" not in tree.tags
    assert "b" not in tree.tags
    assert tree.text["figure-label"] == f"{EVIL} label"
    assert tree.text["<title>"].startswith(f"{EVIL} label: 17 to 18 officers.")
    assert f"{EVIL} note" in card.text.replace("&lt;", "<").replace("&gt;", ">").replace(
        "&quot;", '"'
    ).replace("&#x27;", "'").replace("&amp;", "&")
    assert tree.text["citation"].startswith(
        "Source: Metropolitan Police Service FOI answer to Parliament Street (UK think tank), "
        f"as reported by {EVIL} publisher, Evening Standard"
    )
    assert tree.text["disputed"] == (
        f"Sources disagree: {EVIL} publisher: 18 · Evening Standard: 17 · The Independent: 17"
    )

    image = client.get(f"/v1/embed/figures/{WARNING}.svg")
    root = ET.fromstring(image.content)  # well-formed: the </svg> in the data closed nothing
    assert {el.tag for el in root.iter()} == {
        f"{SVG}{t}" for t in ("svg", "title", "desc", "rect", "g", "text", "line")
    }
    assert " ".join(svg_texts(image.content, "label")) == f"{EVIL} label"
    assert f"{EVIL} note" in (root.findtext(f"{SVG}desc") or "")
    assert f"{EVIL} publisher" in " ".join(svg_texts(image.content, "citation"))

    chart = client.get("/v1/embed/aggregates.svg?by=platform")
    chart_root = ET.fromstring(chart.content)
    assert "script" not in {el.tag.removeprefix(SVG) for el in chart_root.iter()}
    assert svg_rows(chart.content)["met-2013.platform.twitter"]["title"] == f"{EVIL} label"

    answer = client.get("/oembed", params={"url": f"http://testserver/v1/figures/{WARNING}"})
    iframe = parse_html(answer.json()["html"])
    assert iframe.tags == ["iframe"]
    assert iframe.attrs[0]["title"] == f"{EVIL} label: 17 to 18 officers."
    assert answer.json()["title"] == f"{EVIL} label: 17 to 18 officers."


# ---------------------------------------------------------------- accessibility


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_themes_meet_wcag_aa_contrast(theme: str) -> None:
    p = THEMES[theme]
    for colour in (p.text, p.muted, p.link):
        assert _contrast(colour, p.background) >= 4.5, colour
    assert _contrast(p.bar, p.background) >= 3, p.bar


def test_embeds_do_not_vary_on_accept(client: TestClient) -> None:
    card = client.get("/v1/embed/figures/met-2013.all.dismissed")
    assert "vary" not in card.headers
    assert client.get("/v1/meta").headers["vary"] == "Accept"
