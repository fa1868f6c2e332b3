"""oEmbed through the app: the rich iframe answer, its sizes, its errors, and its cost in SQL
statements once the answer is cached."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from xml.etree import ElementTree

from fastapi.testclient import TestClient
from sqlalchemy import event as sa_event
from sqlalchemy.engine import Engine

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
    # Cold: the revision, the figure with its reports and sources, and its disclosure.
    assert len(cold) == 11
    # Warm: only the revision, which names the cache entry (/oembed is not under /v1, so the
    # answer comes through the route rather than the cache in front of FastAPI).
    assert len(warm) == 1
    assert "FROM disclosures" in warm[0]
    assert "figures" not in warm[0]
