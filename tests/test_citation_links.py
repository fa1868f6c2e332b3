"""Every citation links to a page a reader can open, absolute, on every surface (issue 23):
the figure's JSON (`citation`, `cite`, `cite_short`, `cite_short_csl`), its CSV row, the
CSVW metadata, the MCP tool's "Cite as" lines, the data package's README and the figure
page's Cite box. Under APP_PUBLIC_BASE_URL when it is set, else under the request's own
scheme and host; never a bare path, never the raw JSON."""

import html
import io
import re
import zipfile
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from service.config import Settings
from service.main import create_app
from tests.conftest import seeded_revision

FIGURE = "met-2013.officers.written-warning"
PUBLIC = "https://data.example.org"
MCP_HEADERS = {
    "accept": "application/json, text/event-stream",
    "mcp-protocol-version": "2025-06-18",
}


@pytest.fixture(params=["request host", "public base URL"])
def cited(request: pytest.FixtureRequest, settings: Settings, engine: Engine) -> Iterator[Any]:
    """A client, and the base every URL it is given must start with."""
    if request.param == "public base URL":
        hosts = ["testserver", "data.example.org"]
        settings = settings.model_copy(update={"public_base_url": PUBLIC, "allowed_hosts": hosts})
        base = PUBLIC
    else:
        base = "http://testserver"
    with TestClient(create_app(settings, engine)) as client:
        yield client, base


def service_urls(text: str, base: str) -> list[str]:
    """The URLs of this service in `text`, each ending before the punctuation after it."""
    return [u.rstrip(".,;") for u in re.findall(re.escape(base) + r"[^\s\"'<>){}]*", text)]


def pages_only(text: str, base: str) -> list[str]:
    """The service's URLs in `text`, after checking that each is a page for people: never a
    bare path, never JSON."""
    found = service_urls(text, base)
    assert found, text[:200]
    for url in found:
        assert url.startswith((f"{base}/figures/", f"{base}/disclosures/")), url
    assert not re.search(r"(?<![\w/:.])/(v1|figures|disclosures)/", text), "a bare path"
    return found


def test_every_citation_of_a_figure_links_to_its_page_absolute(cited: Any) -> None:
    client, base = cited
    revision = seeded_revision()
    page = f"{base}/figures/{FIGURE}?revision={revision}"
    figure = client.get(f"/v1/figures/{FIGURE}").json()

    assert figure["page_url"] == page
    assert figure["json_url"] == f"{base}/v1/figures/{FIGURE}?revision={revision}"
    assert pages_only(figure["citation"], base) == [page]
    assert pages_only(figure["cite_short"], base) == [page]
    assert figure["cite"][0]["URL"] == page  # the figure; then each source, at its own URL
    assert [item["URL"] for item in figure["cite_short_csl"]] == [page]

    csv = client.get("/v1/figures?format=csv&limit=500&disclosure=met-2013").text
    header, *rows = csv.splitlines()
    row = next(r for r in rows if r.startswith(f"{FIGURE},"))
    assert header.endswith("page_url,json_url,cite_short")
    assert pages_only(row.replace(figure["json_url"], ""), base) == [page, page]

    answer = client.post(
        "/mcp",
        json={
            "jsonrpc": "2.0",
            "id": 1,
            "method": "tools/call",
            "params": {"name": "get_figure", "arguments": {"id": FIGURE}},
        },
        headers=MCP_HEADERS,
    ).json()
    text = answer["result"]["content"][0]["text"]
    cite_lines = [line for line in text.splitlines() if line.startswith("Cite as")]
    assert len(cite_lines) == 2  # the full citation and the short one
    for line in cite_lines:
        assert pages_only(line, base) == [page]

    box = client.get(f"/figures/{FIGURE}").text
    cite_box = html.unescape(
        box[box.index('id="cite"') : box.index("</section>", box.index('id="cite"'))]
    )
    assert set(pages_only(cite_box, base)) == {page}


def test_every_citation_of_a_disclosure_links_to_its_page_absolute(cited: Any) -> None:
    client, base = cited
    page = f"{base}/disclosures/met-2013?revision={seeded_revision()}"

    metadata = client.get("/v1/csvw/figures").json()
    citations = metadata["dc:bibliographicCitation"]
    assert len(citations) == len(client.get("/v1/disclosures").json()["data"])
    for citation in citations:
        (link,) = pages_only(citation, base)
        assert link.startswith(f"{base}/disclosures/")
    assert any(page in citation for citation in citations)

    package = client.get("/v1/disclosures/met-2013/datapackage.zip").content
    readme = zipfile.ZipFile(io.BytesIO(package)).read("met-2013/README.md").decode()
    cite_it = readme[readme.index("## Cite it") :].split("\n## ")[0]
    assert pages_only(cite_it, base) == [page]
