"""What every embed route shares: one type whatever the Accept header, strict parameters,
the per-revision cache and ETags, the configured public URL, and hostile data as text."""

import csv
import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy.engine import Engine

from service.caching import request_keys
from service.config import Settings
from service.main import create_app
from service.seed import load_packages
from tests.embed.documents import (
    BROWSER_ACCEPT,
    IMAGE_ACCEPT,
    SVG,
    WARNING,
    parse_html,
    svg_rows,
    svg_texts,
)

EVIL = "Evil <script>alert(\"x\")</script> 'quoted' </svg> & <b>bold</b>"


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
    assert request_keys("/v1/figures", b"", "image/png", "").negotiated is None


def test_embed_rejects_unknown_query_parameters(client: TestClient) -> None:
    response = client.get(f"/v1/embed/figures/{WARNING}?colour=red")
    assert response.status_code == 400
    assert response.json()["type"] == "/problems/unknown-parameter"


def test_embeds_do_not_vary_on_accept(client: TestClient) -> None:
    card = client.get("/v1/embed/figures/met-2013.all.dismissed")
    assert card.headers["vary"] == "Accept-Encoding, Origin"  # compressed, but one type
    assert client.get("/v1/meta").headers["vary"] == "Accept, Accept-Encoding, Origin"


def _edit_figures(package: Path, edit: Callable[[dict[str, str]], None]) -> None:
    """Rewrite a package's figures.csv, passing every row through `edit`."""
    path = package / "figures.csv"
    with path.open(newline="") as source:
        rows = list(csv.DictReader(source))
    for row in rows:
        edit(row)
    with path.open("w", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)


def _reload_with_changed_note(
    engine: Engine, client: TestClient, package_copy: Callable[..., Path]
) -> None:
    def correct(row: dict[str, str]) -> None:
        if row["id"] == "met-2013.staff.reprimand":
            row["note"] = "Corrected note."

    package = package_copy()
    _edit_figures(package, correct)
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


def _load_hostile_package(engine: Engine, package_copy: Callable[..., Path]) -> None:
    def poison(row: dict[str, str]) -> None:
        if row["id"] in (WARNING, "met-2013.platform.twitter"):
            row["label"] = f"{EVIL} label"
            row["note"] = f"{EVIL} note"

    package = package_copy()
    _edit_figures(package, poison)
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
        "Source: Metropolitan Police Service FOI answer (first reported 2013), "
        f"as reported by {EVIL} publisher (18), Evening Standard (17)"
    )
    assert tree.text["disputed"] == (
        f"Sources disagree: {EVIL} publisher: 18 · Evening Standard: 17 · The Independent: 17"
    )

    image = client.get(f"/v1/embed/figures/{WARNING}.svg")
    root = ET.fromstring(image.content)  # well-formed: the </svg> in the data closed nothing
    assert {el.tag for el in root.iter()} == {
        f"{SVG}{t}" for t in ("svg", "title", "desc", "rect", "g", "text", "line", "a")
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
