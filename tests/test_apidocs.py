"""/docs: Swagger UI served by the service itself, under a same-origin policy."""

from html.parser import HTMLParser
from urllib.parse import urlsplit

from fastapi.testclient import TestClient

from service.apidocs import DOCS_CSP


class _Urls(HTMLParser):
    """Every URL the page names (src, href) and whether it has an inline script or style."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline: list[str] = []
        self._tag = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self._tag = tag
        self.urls += [v for k, v in values.items() if k in ("src", "href") and v]
        if "style" in values or any(k.startswith("on") for k in values):
            self.inline.append(tag)

    def handle_data(self, data: str) -> None:
        if self._tag in ("script", "style") and data.strip():
            self.inline.append(self._tag)


def test_docs_page_names_only_same_origin_urls_under_a_self_only_policy(
    client: TestClient,
) -> None:
    response = client.get("/docs")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["content-security-policy"] == DOCS_CSP
    assert DOCS_CSP == (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )
    page = _Urls()
    page.feed(response.text)
    assert page.inline == []
    assert page.urls == [
        "/docs/assets/favicon.png",
        "/docs/assets/swagger-ui.css",
        "/docs/assets/swagger-ui-bundle.js",
        "/docs/assets/swagger-init.js",
    ]
    assert all(not urlsplit(url).netloc and url.startswith("/") for url in page.urls)
    assert 'data-openapi-url="/openapi.json"' in response.text
    assert "http" not in response.text


def test_docs_assets_are_served_with_their_types(client: TestClient) -> None:
    for name, media_type, starts in (
        ("swagger-ui-bundle.js", "text/javascript; charset=utf-8", b"/*! For license"),
        ("swagger-ui.css", "text/css; charset=utf-8", b".swagger-ui"),
        ("favicon.png", "image/png", b"\x89PNG"),
        ("swagger-init.js", "text/javascript; charset=utf-8", b"/* Starts Swagger UI"),
    ):
        response = client.get(f"/docs/assets/{name}")
        assert response.status_code == 200, name
        assert response.headers["content-type"] == media_type, name
        assert response.headers["cache-control"] == "public, max-age=3600", name
        assert response.content.startswith(starts), name
    init = client.get("/docs/assets/swagger-init.js").text
    assert "validatorUrl: null" in init  # never the third-party validator badge


def test_docs_unknown_asset_is_a_404_problem(client: TestClient) -> None:
    response = client.get("/docs/assets/swagger-ui.js.map")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == "No documentation asset has the id 'swagger-ui.js.map'."


def test_docs_are_not_in_the_openapi_document(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert not [p for p in paths if p.startswith("/docs")]
