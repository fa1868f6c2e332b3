"""Embeds link readers to the public pages (/figures/{id}, /disclosures/{id}, /), never to
the JSON: absolute, under APP_PUBLIC_BASE_URL or else the request's own scheme and host."""

import xml.etree.ElementTree as ET
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from service.config import Settings
from service.main import create_app
from tests.embed.documents import SVG, WARNING, parse_html

PUBLIC = "https://data.example.org"


@pytest.fixture
def public_client(settings: Settings, engine: Engine) -> Iterator[TestClient]:
    public = settings.model_copy(
        update={"public_base_url": PUBLIC, "allowed_hosts": ["testserver", "data.example.org"]}
    )
    with TestClient(create_app(public, engine)) as client:
        yield client


def _svg_links(body: bytes) -> dict[str, str]:
    """Each link's href, by the class of the text it wraps."""
    root = ET.fromstring(body)
    return {
        text.get("class") or "": link.get("href") or ""
        for link in root.iter(f"{SVG}a")
        for text in link.iter(f"{SVG}text")
    }


def _card_links(client: TestClient) -> list[str | None]:
    tree = parse_html(client.get(f"/v1/embed/figures/{WARNING}").text)
    return [a.get("href") for tag, a in zip(tree.tags, tree.attrs, strict=True) if tag == "a"]


def test_card_svg_and_chart_link_to_the_pages_under_the_request_host_by_default(
    client: TestClient,
) -> None:
    """Issue 23: a root-relative link in an SVG copied elsewhere led nowhere."""
    assert f"http://testserver/figures/{WARNING}" in _card_links(client)
    assert not [href for href in _card_links(client) if href and "/v1/" in href]
    card = client.get(f"/v1/embed/figures/{WARNING}.svg").content
    assert _svg_links(card) == {"figure-link": f"http://testserver/figures/{WARNING}"}
    chart = client.get("/v1/embed/aggregates.svg?by=platform").content
    assert _svg_links(chart) == {"page-link": "http://testserver/disclosures/met-2013"}


def test_links_are_absolute_under_the_public_base_url(public_client: TestClient) -> None:
    assert f"{PUBLIC}/figures/{WARNING}" in _card_links(public_client)
    card = public_client.get(f"/v1/embed/figures/{WARNING}.svg").content
    assert _svg_links(card) == {"figure-link": f"{PUBLIC}/figures/{WARNING}"}
    chart = public_client.get("/v1/embed/aggregates.svg?by=outcome&disclosure=met-2013").content
    assert _svg_links(chart) == {"page-link": f"{PUBLIC}/disclosures/met-2013"}
    answer = public_client.get("/oembed", params={"url": f"{PUBLIC}/v1/figures/{WARNING}"})
    assert answer.json()["provider_url"] == f"{PUBLIC}/"


def test_embed_js_links_each_figure_to_its_page(client: TestClient) -> None:
    source = client.get("/v1/embed.js").text
    assert 'api + "/figures/" + encodeURIComponent(f.id)' in source
    # The only /v1 URL the script builds is the JSON it fetches, never a link.
    assert source.count('"/v1/figures/"') == 1
    assert 'fetch(api + "/v1/figures/"' in source


def test_oembed_provider_url_is_the_home_page(client: TestClient) -> None:
    answer = client.get("/oembed", params={"url": f"http://testserver/v1/figures/{WARNING}"})
    assert answer.json()["provider_url"] == "http://testserver/"
