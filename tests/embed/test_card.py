"""The HTML figure card through the app: its reading, citation and sources, its themes, and
the 404 cards (HTML and SVG) an unknown figure gets instead of problem+json."""

import re
import xml.etree.ElementTree as ET

import pytest
from fastapi.testclient import TestClient

from service.embed.card import CARD_CSP, THEMES
from tests.embed.documents import BROWSER_ACCEPT, IMAGE_ACCEPT, SVG, WARNING, parse_html


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
    revision = client.get("/v1/meta").json()["revision"]
    assert tree.text["citation"] == (
        "Source: Metropolitan Police Service FOI answer (first reported 2013), as reported by "
        "The Guardian (18), Evening Standard (17) and The Independent (17); via Police "
        "social-media misconduct FOI API. Figure page · Licence: CC BY 4.0"
    )
    # The short citation of the JSON, its link made the "Figure page" link.
    short = client.get(f"/v1/figures/{WARNING}").json()["cite_short"]
    assert tree.text["citation"].startswith(f"Source: {short.rsplit(', http', 1)[0]}. ")
    assert tree.text["asof"] == (
        f"Data as of 7 December 2026 · dataset met-2013 v1.2.0 · revision {revision}"
    )
    links = [a["href"] for tag, a in zip(tree.tags, tree.attrs, strict=True) if tag == "a"]
    assert links == [
        "https://www.theguardian.com/media/2013/apr/12/met-police-investigate-75-officers-facebook",
        "http://www.standard.co.uk/news/crime/scotland-yard-sacks-seven-for-misusing-facebook-"
        "and-twitter-8568413.html",
        "https://the-independent.com/news/uk/crime/three-police-fired-for-social-media-misuse-"
        "8569131.html",
        f"http://testserver/figures/{WARNING}",
        "https://creativecommons.org/licenses/by/4.0/",
    ]
    # The licence travels with the citation: visible, linked, and in the text alternatives.
    assert tree.text["licence"] == "Licence: CC BY 4.0"
    licence = [a for tag, a in zip(tree.tags, tree.attrs, strict=True) if tag == "a"][-1]
    assert licence["rel"] == "license noopener noreferrer"
    assert tree.text["<title>"] == (
        "Police officers given a written warning: 17 to 18 officers. Source: Metropolitan "
        "Police Service FOI answer (first reported 2013). Licence: CC BY 4.0 "
        "(https://creativecommons.org/licenses/by/4.0/)."
    )
    article = tree.attrs[tree.tags.index("article")]
    assert article["aria-describedby"] == "figure-reading figure-citation figure-licence"
    # The same figure through the JSON API: the card cannot drift from it.
    figure = client.get(f"/v1/figures/{WARNING}").json()
    assert (figure["value"], figure["min"], figure["max"]) == (None, 17, 18)


def test_card_shows_a_qualifier_as_words_without_a_number(client: TestClient) -> None:
    response = client.get("/v1/embed/figures/met-2013.platform.facebook")
    tree = parse_html(response.text)
    assert response.status_code == 200
    assert tree.text["licence"] == "Licence: CC BY 4.0"
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
    assert derived.text["licence"] == "Licence: CC BY 4.0"
    floor = parse_html(client.get("/v1/embed/figures/met-2013.platform.unspecified").text)
    assert floor.text["value"] == "at least 2"
    assert floor.text["qualifier"] == "Described as “a number of”."


@pytest.mark.parametrize(
    ("figure_id", "publisher"),
    [
        ("met-2013.all.investigated", "The Guardian"),
        (
            "met-2023-inkl-507-complaints.officers",
            "inkl (aggregator; the original outlet is not named in the copy)",
        ),
    ],
)
def test_cards_for_our_sums_never_say_as_reported_by(
    client: TestClient, figure_id: str, publisher: str
) -> None:
    """Issue 24: the cards for our 87 and 441 said "as reported by"; no one reported them."""
    page = client.get(f"/v1/embed/figures/{figure_id}").text
    # The citation line up to the licence (whose title speaks of the sources).
    card = page.split('<p class="citation"', 1)[1].split('<span class="licence"', 1)[0]
    assert card.startswith(' id="figure-citation">Source: Metropolitan Police Service FOI answer (')
    assert "; our arithmetic from the parts printed by <a href=" in card
    assert "as reported by" not in card
    image = client.get(f"/v1/embed/figures/{figure_id}.svg", headers={"accept": IMAGE_ACCEPT})
    line = " ".join(re.findall(r'class="citation">([^<]*)</text>', image.text))
    assert f"our arithmetic from the parts printed by {publisher}; via Police" in line
    assert "as reported by" not in line
    printed = client.get("/v1/embed/figures/met-2013.all.dismissed").text
    assert ", as reported by <a href=" in printed.split('<p class="citation"', 1)[1]


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
    # Non-text contrast (3:1): bars, outlines and our-arithmetic dots on the background, and
    # a range's hatching on its pale ground.
    assert _contrast(p.bar, p.background) >= 3, p.bar
    assert _contrast(p.bar, p.band) >= 3, p.band
    # The words-marker's dashed outline and the legend use muted and text colours (4.5:1 above).
