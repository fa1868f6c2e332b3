"""oEmbed through the app: the rich iframe answer, its sizes, its errors, and its cost in SQL
statements once the answer is cached."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from xml.etree import ElementTree

from fastapi.testclient import TestClient
from sqlalchemy import event as sa_event
from sqlalchemy.engine import Engine
from sqlmodel import Session

from service.embed.card import Card, card_height
from service.reads.disclosures import get_disclosure
from service.reads.figures import get_figure
from tests.embed.documents import BROWSER_ACCEPT, WARNING


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
        "provider_name": "Police social-media misconduct FOI API",
        "provider_url": "http://testserver/",
        "cache_age": 300,
        "html": '<iframe src="http://testserver/v1/embed/figures/met-2013.all.dismissed" '
        'title="Officers and civilian staff dismissed: 7 people." width="480" height="322" '
        'style="border:0;max-width:100%" loading="lazy" '
        'sandbox="allow-popups allow-popups-to-escape-sandbox" referrerpolicy="no-referrer">'
        "</iframe>",
        "width": 480,
        "height": 322,
    }


def test_oembed_card_height_follows_what_the_card_shows(client: TestClient) -> None:
    """Each block's lines add height: a disputed figure's reports, our arithmetic's line, a
    note; never one height for every card."""
    heights = {
        figure: client.get("/oembed", params={"url": f"http://testserver/figures/{figure}"}).json()[
            "height"
        ]
        for figure in (
            "met-2013.all.dismissed",
            WARNING,
            "met-2013.platform.facebook",
            "met-2013.all.investigated",
        )
    }
    assert heights == {
        "met-2013.all.dismissed": 322,
        WARNING: 351,
        "met-2013.platform.facebook": 314,
        "met-2013.all.investigated": 372,
    }


def test_oembed_answers_a_chart_url_with_its_image_at_its_own_height(
    client: TestClient,
) -> None:
    chart = "http://testserver/v1/embed/aggregates.svg?by=platform&theme=dark"
    answer = client.get("/oembed", params={"url": chart}).json()
    svg = client.get("/v1/embed/aggregates.svg?by=platform&disclosure=met-2013&theme=dark")
    height = int(ElementTree.fromstring(svg.content).get("height") or 0)
    assert answer == {
        "version": "1.0",
        "type": "rich",
        "title": "Cases by platform, Metropolitan Police Service",
        "provider_name": "Police social-media misconduct FOI API",
        "provider_url": "http://testserver/",
        "cache_age": 300,
        "html": '<a href="http://testserver/disclosures/met-2013" target="_blank" '
        'rel="noopener noreferrer"><img src="http://testserver/v1/embed/aggregates.svg?'
        'by=platform&amp;disclosure=met-2013&amp;theme=dark" alt="Cases by platform, '
        f'Metropolitan Police Service" width="640" height="{height}" '
        'style="max-width:100%;height:auto" loading="lazy" referrerpolicy="no-referrer"></a>',
        "width": 640,
        "height": height,
    }
    half = client.get("/oembed", params={"url": chart, "maxwidth": 320}).json()
    assert (half["width"], half["height"]) == (320, -(-height // 2))
    short = client.get("/oembed", params={"url": chart, "maxheight": 200}).json()
    assert short["height"] == 200
    assert short["width"] == 640 * 200 // height


def test_oembed_answers_a_chart_of_one_figure(client: TestClient) -> None:
    """Issue 24: the Daily Mail's 277, charted by its measure alone, embeds like any chart."""
    query = "disclosure=met-2021-daily-mail-277&measure=alleged_misuse"
    answer = client.get(
        "/oembed", params={"url": f"http://testserver/v1/embed/aggregates.svg?{query}"}
    )
    assert answer.status_code == 200
    svg = client.get(f"/v1/embed/aggregates.svg?{query}")
    height = int(ElementTree.fromstring(svg.content).get("height") or 0)
    assert (answer.json()["title"], answer.json()["height"]) == (
        "Alleged misuse, Metropolitan Police Service",
        height,
    )
    assert (
        '<img src="http://testserver/v1/embed/aggregates.svg?'
        'disclosure=met-2021-daily-mail-277&amp;measure=alleged_misuse" '
    ) in answer.json()["html"]


def test_oembed_answers_a_disclosure_page_with_its_first_declared_chart(
    client: TestClient,
) -> None:
    declared = client.get("/v1/disclosures/met-2014").json()["aggregates"][0]["by"]
    answer = client.get("/oembed", params={"url": "https://x.example/disclosures/met-2014"})
    assert answer.status_code == 200
    assert f"aggregates.svg?by={declared}&amp;disclosure=met-2014" in answer.json()["html"]
    assert 'href="http://testserver/disclosures/met-2014"' in answer.json()["html"]
    unknown = client.get("/oembed", params={"url": "https://x.example/disclosures/nope"})
    assert unknown.status_code == 404
    assert unknown.json()["detail"] == "No disclosure has the id 'nope'."
    bad = client.get("/oembed", params={"url": "http://testserver/v1/embed/aggregates.svg?by=nope"})
    assert bad.status_code == 422


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
    assert (roomy.json()["width"], roomy.json()["height"]) == (480, 351)


def test_oembed_answers_xml_in_the_oembed_spec_shape(client: TestClient) -> None:
    params = {"url": f"http://testserver/v1/figures/{WARNING}", "maxwidth": "320"}
    answer = client.get("/oembed", params=params).json()
    xml = client.get("/oembed", params={**params, "format": "xml"})
    assert xml.status_code == 200
    assert xml.headers["content-type"] == "text/xml; charset=utf-8"
    assert xml.text.startswith('<?xml version="1.0" encoding="utf-8" standalone="yes"?>\n')
    root = ElementTree.fromstring(xml.content)
    assert root.tag == "oembed"
    assert [(child.tag, child.text) for child in root] == [(k, str(v)) for k, v in answer.items()]
    assert "<iframe" not in xml.text  # the html field is escaped text, not markup
    assert xml.headers["etag"] != client.get("/oembed", params=params).headers["etag"]


def test_oembed_errors_are_problem_json(client: TestClient) -> None:
    yaml = client.get(
        "/oembed", params={"url": f"http://testserver/v1/figures/{WARNING}", "format": "yaml"}
    )
    assert yaml.status_code == 501
    assert yaml.json()["type"] == "/problems/format-not-implemented"
    assert yaml.json()["errors"] == [
        {"parameter": "format", "message": "not implemented", "allowed": ["json", "xml"]}
    ]
    for url, detail in (
        (
            "http://testserver/v1/meta",
            "No figure or chart URL has the id 'http://testserver/v1/meta'.",
        ),
        (
            "javascript:alert(1)//v1/figures/x",
            "No figure or chart URL has the id 'javascript:alert(1)//v1/figures/x'.",
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


@contextmanager
def statements_run(engine: Engine) -> Iterator[list[str]]:
    """The SQL statements the engine sends while the block runs."""
    sent: list[str] = []

    def record(**event: Any) -> None:
        sent.append(event["statement"])

    sa_event.listen(engine, "before_cursor_execute", record, named=True)
    try:
        yield sent
    finally:
        sa_event.remove(engine, "before_cursor_execute", record)


def test_oembed_repeated_is_answered_from_the_cache_without_reading_the_figure(
    client: TestClient,
) -> None:
    engine = client.app.state.app.engine  # type: ignore[attr-defined]
    params: dict[str, str | int] = {
        "url": f"http://testserver/v1/embed/figures/{WARNING}",
        "maxwidth": 320,
    }
    with statements_run(engine) as cold:
        first = client.get("/oembed", params=params)
    with statements_run(engine) as warm:
        again = client.get("/oembed", params=params)
    assert first.status_code == again.status_code == 200
    assert again.content == first.content
    assert again.headers["etag"] == first.headers["etag"]
    # Cold: the revision; the figure with its reports, their sources and its disclosure; then
    # the disclosure the card credits, with its sources and notes.
    assert len(cold) == 8
    # Warm: nothing (the fast path serves what the route stored, whatever its path).
    assert warm == []


def test_card_height_grows_with_each_line_the_card_shows(client: TestClient) -> None:
    engine = client.app.state.app.engine  # type: ignore[attr-defined]
    with Session(engine) as session:
        figure = get_figure(session, WARNING, "http://testserver")
        disclosure = get_disclosure(session, figure.disclosure)
    card = Card(figure, disclosure)
    longer = Card(figure.model_copy(update={"label": "A label " * 12}), disclosure)
    unnoted = Card(figure.model_copy(update={"note": None}), disclosure)
    plain = Card(figure.model_copy(update={"disputed": False}), disclosure)
    assert card_height(longer) > card_height(card)
    assert card_height(unnoted) < card_height(card)  # the closed "About this figure"
    assert card_height(plain) < card_height(card)
