"""embed.js: the file in the package is what /v1/embed.js serves, and it builds nodes
rather than writing HTML."""

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from service import embed
from service.config import Settings
from service.embed.script import embed_script
from service.main import create_app


def test_embed_js_builds_nodes_and_never_writes_html(client: TestClient) -> None:
    response = client.get("/v1/embed.js", headers={"accept": "*/*"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/javascript; charset=utf-8"
    source = response.text
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in source
    assert "textContent" in source
    assert "createElement" in source
    assert 'var api = "http://testserver" ||' in source


def test_served_embed_js_is_the_packaged_file_with_the_base_url_filled_in(
    client: TestClient, settings: Settings, engine: Engine
) -> None:
    packaged = (Path(embed.__file__).parent / "embed.js").read_bytes()
    assert packaged.count(b"__BASE__") == 1
    # The words for a derived figure are service.reading's, filled in like the address.
    assert packaged.count(b"__DERIVED__") == 1
    assert b"our arithmetic" not in packaged
    worded = packaged.replace(b"__DERIVED__", b'"our arithmetic"')
    assert client.get("/v1/embed.js").content == worded.replace(b"__BASE__", b'"http://testserver"')
    public = settings.model_copy(update={"public_base_url": "https://data.example.org"})
    with TestClient(create_app(public, engine)) as configured:
        served = configured.get("/v1/embed.js").content
    assert served == worded.replace(b"__BASE__", b'"https://data.example.org"')


def test_embed_js_base_url_cannot_close_a_script_element() -> None:
    script = embed_script('https://x.example/</script><script>alert("x")')
    assert b"</script>" not in script
    assert b'var api = "https://x.example/<\\/script><script>alert(\\"x\\")" ||' in script


def test_embed_js_offers_inline_footnote_and_bare_citations_built_from_text(
    client: TestClient,
) -> None:
    source = client.get("/v1/embed.js").text
    assert 'span.getAttribute("data-cite") || "inline"' in source
    assert 'form === "footnote"' in source
    assert 'form !== "none"' in source
    # Every piece of data reaches the page as text or an attribute, never as markup.
    assert source.count(".textContent =") == 1
    assert "createTextNode" in source
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in source
