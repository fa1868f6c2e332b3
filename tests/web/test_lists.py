"""The pages to find things (service/web/lists.py) over HTTP: /figures answers the query
string of /v1/figures with the same figures, facets that count what /v1 gives, a 4xx page or
problem+json for what /v1 refuses; /disclosures lists every answer newest first; /search
finds figures, cases, notes and sources; every page has the search box."""

import re
from collections import Counter
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape
from sqlalchemy.engine import Engine

from service.config import Settings
from service.forces import FORCES
from service.main import create_app
from service.taxonomy import LABELS
from tests.web.test_pages import get_page


@pytest.fixture
def web(settings: Settings, engine: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(settings, engine)) as client:
        yield client


def listed(page: str) -> list[str]:
    """The figure ids the list's table links, in order."""
    body = page.split('<table class="figures list stack">', 1)[1].split("</tbody>", 1)[0]
    return re.findall(r'<tr><td><a href="/figures/([^"]+)">', body)


def facet(page: str, name: str) -> list[tuple[str, str, int]]:
    """A facet's (link, label, count) for each value, in order."""
    block = page.split(f'<div class="facet" data-facet="{name}">', 1)[1].split("</div>", 1)[0]
    found = re.findall(r'<li><a href="([^"]+)"[^>]*>([^<]+)</a> <span class="n">\((\d+)\)', block)
    return [(href.replace("&amp;", "&"), label, int(n)) for href, label, n in found]


@pytest.mark.parametrize(
    "query",
    [
        "",
        "outcome=written_warning&sort=-count",
        "disclosure=met-2013&sort=label&limit=10&offset=5",
        "q=warning&sort=disclosure",
        "disputed=true",
        "staff_type=civilian_staff&year=2013",
        "measure=investigated&sort=-year",
    ],
)
def test_figures_page_lists_what_the_api_gives_for_the_same_query_string(
    web: TestClient, query: str
) -> None:
    api = web.get(f"/v1/figures?{query}").json()
    page = get_page(web, f"/figures?{query}")
    assert listed(page) == [f["id"] for f in api["data"]]
    first = int(dict(p.split("=") for p in query.split("&") if p).get("offset", 0))
    expected = f"{api['count']} figure{'s' if api['count'] != 1 else ''}"
    if api["data"]:
        expected += f"; {first + 1} to {first + len(api['data'])} shown."
    assert f'<p class="count-line">{expected}' in page
    # The download links are the API's own URLs for the same query.
    assert (
        f'<a href="/v1/figures?{escape(query)}{"&amp;" if query else ""}format=csv">CSV</a>' in page
    )


def test_figures_page_opens_on_the_first_fifty_and_pages_by_offset(web: TestClient) -> None:
    page = get_page(web, "/figures")
    assert '<p class="count-line">167 figures; 1 to 50 shown.' in page
    assert '<a href="/figures?offset=50" rel="next">Next 50</a>' in page
    assert 'rel="prev"' not in page
    last = get_page(web, "/figures?offset=150")
    assert '<p class="count-line">167 figures; 151 to 167 shown.' in last
    assert '<a href="/figures?offset=100" rel="prev">Previous 50</a>' in last
    assert 'rel="next"' not in last


def test_figures_facets_count_every_dimension_of_the_selected_figures(web: TestClient) -> None:
    every = web.get("/v1/figures?outcome=dismissed&limit=500").json()["data"]
    assert len(every) == 13
    page = get_page(web, "/figures?outcome=dismissed")
    for name in ("disclosure", "force", "staff_type", "platform", "year", "allegation"):
        counts = Counter(str(f[name]) for f in every if f[name] is not None)
        labels = LABELS.get(name, {}) if name != "force" else {f.id: f.name for f in FORCES}
        assert facet(page, name) == [
            (f"/figures?outcome=dismissed&{name}={value}", labels.get(value, value), n)
            for value, n in sorted(counts.items())
        ], name
    assert facet(page, "staff_type") == [
        ("/figures?outcome=dismissed&staff_type=civilian_staff", "Civilian staff", 4),
        ("/figures?outcome=dismissed&staff_type=police_officer", "Police officers", 6),
    ]
    # The chosen value links back to the list without it.
    assert facet(page, "outcome") == [("/figures", "Dismissed", 13)]
    assert 'Filtered by Outcome = Dismissed (<a href="/figures">remove</a>).' in page
    assert facet(page, "disputed") == [
        ("/figures?outcome=dismissed&disputed=false", "sources agree", 13)
    ]
    disputed = get_page(web, "/figures?disputed=true")
    disagreeing = web.get("/v1/figures?disputed=true").json()
    assert [f["id"] for f in disagreeing["data"]] == [
        "met-2013.officers.written-warning",
        "pa-2011.officers.disciplined",
        "pa-2014.civilian-staff.investigated",
        "pa-2014.west-mercia-police.civilian-staff.investigated",
    ]
    assert facet(disputed, "disputed") == [("/figures", "sources disagree", 4)]


def test_figures_columns_sort_both_ways_and_say_which(web: TestClient) -> None:
    page = get_page(web, "/figures?outcome=written_warning")
    assert (
        '<th scope="col" aria-sort="none"><a href="/figures?outcome=written_warning&amp;'
        'sort=count" data-sort="count">Count</a></th>'
    ) in page
    ascending = get_page(web, "/figures?outcome=written_warning&sort=count")
    assert (
        '<th scope="col" aria-sort="ascending"><a href="/figures?outcome=written_warning&amp;'
        'sort=-count" data-sort="count">Count</a></th>'
    ) in ascending
    assert listed(ascending) == [
        "met-2013.staff.written-warning",  # 4
        "met-2014.officers.written-warning",  # 12
        "met-2013.officers.written-warning",  # 17 to 18
        "met-2010.officers.written-warning",  # 18
        "met-2022-guardian.officers.written-warning",  # 20
        "pa-2011.officers.written-warning",  # 47
    ]
    descending = get_page(web, "/figures?outcome=written_warning&sort=-count")
    assert listed(descending) == list(reversed(listed(ascending)))
    assert '<span class="count">17 to 18</span> <span class="mark">range</span>' in descending


@pytest.mark.parametrize(
    ("query", "status", "slug", "parameter"),
    [
        ("outcome=sacked", 422, "invalid-parameter", "outcome"),
        ("sort=colour", 422, "invalid-parameter", "sort"),
        ("limit=501", 422, "invalid-parameter", "limit"),
        ("year=twenty", 422, "invalid-parameter", "year"),
        ("disclosure=met-1999", 422, "invalid-parameter", "disclosure"),
        ("q=" + "x" * 101, 422, "invalid-parameter", "q"),
        ("colour=red", 400, "unknown-parameter", "colour"),
    ],
)
def test_a_bad_parameter_is_a_page_for_people_and_a_problem_for_clients(
    web: TestClient, query: str, status: int, slug: str, parameter: str
) -> None:
    page = get_page(web, f"/figures?{query}", status)
    assert f"<p>Error {status} at <code>/figures</code>." in page
    problem = web.get(f"/figures?{query}", headers={"accept": "application/json"})
    assert problem.status_code == status
    assert problem.headers["content-type"] == "application/problem+json"
    body = problem.json()
    assert (body["type"], body["status"], body["instance"]) == (
        f"/problems/{slug}",
        status,
        "/figures",
    )
    assert [e["parameter"] for e in body["errors"]] == [parameter]
    # The API refuses the same query string too.
    assert web.get(f"/v1/figures?{query}").status_code == status


def test_a_client_asking_for_data_is_sent_to_the_api(web: TestClient) -> None:
    query = "outcome=dismissed&sort=-count"
    asked = web.get(
        f"/figures?{query}", headers={"accept": "application/json"}, follow_redirects=False
    )
    assert (asked.status_code, asked.headers["location"]) == (303, f"/v1/figures?{query}")
    csv = web.get(f"/figures?{query}&format=csv", follow_redirects=False)
    assert (csv.status_code, csv.headers["location"]) == (303, f"/v1/figures?{query}&format=csv")
    followed = web.get(f"/figures?{query}", headers={"accept": "application/json"})
    assert followed.json()["data"][0]["id"] == "met-2022-guardian.officers.dismissed"


def test_an_empty_search_box_is_no_search(web: TestClient) -> None:
    assert listed(get_page(web, "/figures?q=&outcome=cleared")) == listed(
        get_page(web, "/figures?outcome=cleared")
    )


def test_disclosures_page_lists_every_answer_newest_first(web: TestClient) -> None:
    page = get_page(web, "/disclosures")
    api = web.get("/v1/disclosures").json()["data"]
    shown = re.findall(r'<tr><td><a href="/disclosures/([^"]+)">', page)
    assert sorted(shown) == sorted(d["id"] for d in api)
    assert shown[0] == "met-2023-inkl-507-complaints"
    assert shown[-1] == "met-2010"
    met2013 = next(d for d in api if d["id"] == "met-2013")
    assert (
        '<td data-label="Figures"><a href="/figures?disclosure=met-2013">'
        f"{met2013['figure_count']}</a></td>"
    ) in page
    assert f"<p>{len(api)} of {len(api)} shown.</p>" in page
    assert get_page(web, "/disclosures?sort=date", 400).count("Unknown query parameter") >= 1


def test_search_finds_figures_cases_notes_and_sources(web: TestClient) -> None:
    page = get_page(web, "/search?q=written+warning")
    figures = web.get("/v1/figures?q=written warning&limit=20").json()
    cases = web.get("/v1/cases?q=written warning").json()
    found = page.split('data-kind="figures">', 1)[1].split("</section>", 1)[0]
    assert f'<h2 id="found-figures">Figures ({figures["count"]})</h2>' in found
    assert re.findall(r'<li><a href="/figures/([^"]+)">', found) == [
        f["id"] for f in figures["data"]
    ]
    assert (
        '<li><a href="/figures/met-2013.officers.written-warning">Police officers given a written '
        'warning</a>: <span class="count">17 to 18</span> <span class="mark">range</span> '
        '<span class="mark">sources disagree</span> <span class="unit">officers</span>'
    ) in found
    assert f'<h2 id="found-cases">Cases ({cases["count"]})</h2>' in page
    for case in cases["data"]:
        assert f'<li>{escape(case["summary"])}<br><span class="meta">in ' in page
    notes = [
        n
        for n in web.get("/v1/notes?limit=500").json()["data"]
        if "written warning" in f"{n['topic']} {n['text']}".lower()
    ]
    assert f'<h2 id="found-notes">Notes ({len(notes)})</h2>' in page
    for n in notes:
        assert f"{escape(n['topic'])}</a>: {escape(n['text'])}</li>" in page
    guardian = get_page(web, "/search?q=guardian")
    assert re.search(r'<h2 id="found-sources">Sources \((\d+)\)</h2>', guardian)
    assert '<a href="https://www.theguardian.com/' in guardian.split('data-kind="sources">', 1)[1]


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/disclosures",
        "/disclosures/met-2013",
        "/figures",
        "/figures/met-2013.all.dismissed",
        "/compare",
        "/search?q=x",
    ],
)
def test_every_page_has_the_search_box(web: TestClient, url: str) -> None:
    assert (
        '<form class="site-search" method="get" action="/search" role="search">\n'
        '<label for="site-q" class="hidden-label">'
        "Search figures, cases, notes and sources</label>\n"
        '<input type="search" id="site-q" name="q" maxlength="100" required'
    ) in get_page(web, url)


def test_search_and_list_words_are_escaped(web: TestClient) -> None:
    page = get_page(web, "/search?q=<script>x")
    assert "<script>x" not in page
    assert "&lt;script&gt;x" in page
    listing = get_page(web, '/figures?q="><b>')
    assert "<b>" not in listing.split("<main", 1)[1]
