"""How the data is found (issue 26): schema.org Dataset JSON-LD on the home and disclosure
pages, read back the way a crawler reads it (extruct, Zyte's extractor of embedded
metadata), and /sitemap.xml and /robots.txt, over real HTTP through the app."""

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import extruct
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from service.config import Settings
from service.forces import FORCES
from service.main import create_app

BASE = "https://data.example.org"
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
MET_2013_TITLE = (
    "Metropolitan Police: officers and staff disciplined for social-media misuse, 2009 to "
    "early 2013 (FOI answer to Parliament Street, April 2013)"
)


@pytest.fixture
def web(settings: Settings, engine: Engine) -> Iterator[TestClient]:
    """The app behind a public base URL, as deployed: every link starts with it."""
    configured = settings.model_copy(update={"public_base_url": BASE})
    with TestClient(create_app(configured, engine)) as client:
        yield client


def json_ld(client: TestClient, path: str) -> list[dict[str, Any]]:
    page = client.get(path)
    assert page.status_code == 200
    found: list[dict[str, Any]] = extruct.extract(
        page.text, base_url=f"{BASE}{path}", syntaxes=["json-ld"]
    )["json-ld"]
    return found


def local(url: str) -> str:
    """An absolute URL under BASE as the path and query to ask the app for."""
    assert url.startswith(f"{BASE}/"), url
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def assert_dataset(node: dict[str, Any]) -> None:
    """What Google's Dataset guidelines ask of a Dataset: a name, a description of 50 to
    5,000 characters, a licence URL, a creator, and downloads with a format and a URL."""
    assert node["@type"] == "Dataset"
    assert node["name"]
    assert 50 <= len(node["description"]) <= 5000
    assert node["license"].startswith("https://")
    assert node["creator"]["@type"] == "Organization"
    assert node["creator"]["name"]
    for download in node["distribution"]:
        assert download["@type"] == "DataDownload"
        assert download["encodingFormat"] in ("text/csv", "application/json", "application/zip")


def test_the_disclosure_page_is_a_schema_org_dataset_whose_downloads_answer(
    web: TestClient,
) -> None:
    found = json_ld(web, "/disclosures/met-2013")
    assert len(found) == 1
    dataset = found[0]
    assert dataset["@context"] == "https://schema.org"
    assert_dataset(dataset)
    assert {k: v for k, v in dataset.items() if k not in ("description", "distribution")} == {
        "@context": "https://schema.org",
        "@type": "Dataset",
        "@id": f"{BASE}/disclosures/met-2013",
        "name": MET_2013_TITLE,
        "url": f"{BASE}/disclosures/met-2013",
        "identifier": "met-2013",
        "version": "1.2.0",
        "dateModified": "2026-12-07",
        "license": "https://creativecommons.org/licenses/by/4.0/",
        "isAccessibleForFree": True,
        "creator": {"@type": "Organization", "name": "Metropolitan Police Service"},
        "publisher": {
            "@type": "Organization",
            "name": "Police social-media misconduct FOI API",
            "url": f"{BASE}/",
        },
        # From 2009; the answer gives no date for its end ("early 2013"), so it stays open.
        "temporalCoverage": "2009/..",
    }
    assert dataset["description"].startswith(
        "People (police officers and civilian staff, counted separately) investigated over "
        "their use of social media, and the outcome for each; cases by platform. Period: 2009 "
        "to early 2013: officers 2009 to 2012"
    )
    assert [(d["name"], d["encodingFormat"], d["contentUrl"]) for d in dataset["distribution"]] == [
        ("Figures (CSV)", "text/csv", f"{BASE}/v1/figures?disclosure=met-2013&format=csv"),
        ("Figures (JSON)", "application/json", f"{BASE}/v1/figures?disclosure=met-2013"),
        (
            "Data package with README and licence (zip)",
            "application/zip",
            f"{BASE}/v1/disclosures/met-2013/datapackage.zip",
        ),
    ]
    for download in dataset["distribution"]:
        answer = web.get(local(download["contentUrl"]))
        assert answer.status_code == 200, download
        assert answer.headers["content-type"].split(";")[0] == download["encodingFormat"]
    # Each download is the disclosure's 40 figures, whole.
    rows = web.get(local(dataset["distribution"][0]["contentUrl"])).text.splitlines()
    assert len(rows) == 1 + 40
    figures = web.get(local(dataset["distribution"][1]["contentUrl"])).json()
    assert (figures["count"], len(figures["data"])) == (40, 40)


def test_a_disclosure_dated_at_neither_end_claims_no_period(web: TestClient) -> None:
    (dataset,) = json_ld(web, "/disclosures/met-2015-cases")
    assert_dataset(dataset)
    assert "temporalCoverage" not in dataset
    (dated,) = json_ld(web, "/disclosures/met-2022-guardian")
    assert dated["temporalCoverage"] == "2017/2022-08"


def test_the_home_page_is_a_catalogue_of_every_disclosure_as_a_dataset(
    web: TestClient,
) -> None:
    (catalogue,) = json_ld(web, "/")
    assert (catalogue["@type"], catalogue["name"], catalogue["url"]) == (
        "DataCatalog",
        "Police social-media misconduct FOI API",
        f"{BASE}/",
    )
    disclosures = web.get("/v1/disclosures").json()["data"]
    assert sorted(d["identifier"] for d in catalogue["dataset"]) == [d["id"] for d in disclosures]
    for dataset in catalogue["dataset"]:
        assert_dataset(dataset)
    # The same Dataset as the disclosure's own page gives.
    (own,) = json_ld(web, "/disclosures/met-2013")
    (listed,) = [d for d in catalogue["dataset"] if d["identifier"] == "met-2013"]
    assert listed == {k: v for k, v in own.items() if k != "@context"}


def test_the_sitemap_lists_every_page_for_people(web: TestClient) -> None:
    answer = web.get("/sitemap.xml")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/xml; charset=utf-8"
    assert answer.headers["etag"]
    root = ET.fromstring(answer.content)
    assert root.tag == f"{SITEMAP_NS}urlset"
    entries = [
        (u.findtext(f"{SITEMAP_NS}loc") or "", u.findtext(f"{SITEMAP_NS}lastmod"))
        for u in root.iter(f"{SITEMAP_NS}url")
    ]
    locs = [loc for loc, _ in entries]
    disclosures = [d["id"] for d in web.get("/v1/disclosures").json()["data"]]
    figures = [f["id"] for f in web.get("/v1/figures", params={"limit": 500}).json()["data"]]
    measures = [m["id"] for m in web.get("/v1/measures").json()["data"]]
    assert (len(disclosures), len(figures)) == (11, 167)
    assert locs == [
        f"{BASE}/",
        f"{BASE}/compare",
        *(f"{BASE}/compare?measure={m}" for m in measures),
        f"{BASE}/disclosures",
        *(f"{BASE}/disclosures/{d}" for d in disclosures),
        f"{BASE}/figures",
        *(f"{BASE}/figures/{f}" for f in sorted(figures)),
        f"{BASE}/forces",
        *(f"{BASE}/forces/{f.id}" for f in FORCES),
    ]
    assert entries[0] == (f"{BASE}/", "2026-12-07")
    assert dict(entries)[f"{BASE}/figures/met-2013.all.dismissed"] == "2026-12-07"
    # Every kind of page it lists is there to be crawled.
    for loc in (locs[0], locs[1], locs[2], locs[-1], f"{BASE}/disclosures/met-2013"):
        assert web.get(local(loc)).status_code == 200, loc


def test_robots_allows_every_page_and_names_the_sitemap(web: TestClient) -> None:
    answer = web.get("/robots.txt")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/plain; charset=utf-8"
    assert answer.text == f"User-agent: *\nAllow: /\n\nSitemap: {BASE}/sitemap.xml\n"


def test_without_a_public_url_links_start_with_the_request_host(client: TestClient) -> None:
    robots = client.get("/robots.txt", headers={"host": "localhost:8000"}).text
    assert robots.endswith("Sitemap: http://localhost:8000/sitemap.xml\n")
    (dataset,) = extruct.extract(client.get("/disclosures/met-2013").text, syntaxes=["json-ld"])[
        "json-ld"
    ]
    assert dataset["distribution"][2]["contentUrl"] == (
        "http://testserver/v1/disclosures/met-2013/datapackage.zip"
    )
