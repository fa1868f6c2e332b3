"""The pages for people over HTTP: exact content of each page type, its caching and its
errors. Expected fragments are built from the JSON API's own answers, so a page that words
a count differently from the API fails here."""

import html
import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape
from sqlalchemy.engine import Engine

from service.config import Settings
from service.main import create_app
from service.web.pages import PAGE_CSP
from tests.conftest import seeded_revision

BASE = "https://data.example.org"
HTML = "text/html; charset=utf-8"


@pytest.fixture
def web(settings: Settings, engine: Engine) -> Iterator[TestClient]:
    """The app with a public base URL, so pages and API build the same permalinks."""
    configured = settings.model_copy(update={"public_base_url": BASE})
    with TestClient(create_app(configured, engine)) as client:
        yield client


def e(text: str) -> str:
    """Text as the autoescaping templates write it."""
    return str(escape(text))


def get_page(client: TestClient, url: str, status: int = 200) -> str:
    response = client.get(url, headers={"accept": "text/html"})
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == HTML
    assert response.headers["content-security-policy"] == PAGE_CSP
    return response.text


def rows(page: str) -> list[str]:
    """The figure ids linked from the first table body, in order."""
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r'<tr><td><a href="/figures/([^"]+)">', body)


# ---------------------------------------------------------------- home


def test_home_lists_each_disclosure_with_headline_figures_charts_and_downloads(
    web: TestClient,
) -> None:
    page = get_page(web, "/")
    revision = web.get("/v1/revisions").json()["data"][0]
    assert (
        f"The latest revision of the data is\n<code>{revision['id']}</code>, published "
        f"{revision['published']}.\n"
    ) in page
    assert '<a href="/v1/revisions">Every revision</a>' in page
    assert (
        '<link rel="alternate" type="application/atom+xml" href="/v1/changes.atom" '
        'title="Changes to the data">'
    ) in page
    for d in web.get("/v1/disclosures").json()["data"]:
        assert f'<a href="/disclosures/{d["id"]}">{e(d["title"])}</a>' in page
        assert f"package revision <code>{d['revision']}</code>" in page
        assert f'<a href="/v1/disclosures/{d["id"]}/datapackage.zip">' in page
        assert f'<a href="/v1/figures?disclosure={d["id"]}&amp;limit=500&amp;format=csv">' in page
    total = web.get("/v1/figures/met-2013.all.investigated").json()
    assert (
        f'<tr><td><a href="/figures/met-2013.all.investigated">{e(total["label"])}</a></td>'
        f'<td data-label="Count"><span class="count">{total["reading"]}</span> '
        '<span class="mark">our arithmetic</span> <span class="unit">people</span></td></tr>'
    ) in page
    assert (
        '<img src="/v1/embed/aggregates.svg?disclosure=met-2013&amp;by=outcome" '
        'alt="Bar chart by outcome: Officers and civilian staff dismissed: 7; Officers and '
        "civilian staff who resigned or retired: 8. Stated total: Officers and civilian staff "
        'investigated over social-media use: 87." width="640">'
    ) in page
    assert '<a href="/docs">API documentation</a>' in page
    assert '<link rel="stylesheet" href="/static/web.css">' in page
    # Nothing on the page comes from another host.
    assert not re.search(r'(src|href)="(https?:)?//', page.split("<main", 1)[0])


def test_home_leads_with_the_flagship_then_the_newest_answer(web: TestClient) -> None:
    """Issue 26: the 2013 answer's chart first, then each later answer newest first; the
    revision's notes in plain words at the foot, not a raw note at the top."""
    page = get_page(web, "/")
    shown = re.findall(
        r'<section class="disclosure" aria-labelledby="d-\d+" data-disclosure="([^"]+)">', page
    )
    disclosures = web.get("/v1/disclosures").json()["data"]

    def when(d: dict[str, Any]) -> str:
        return d["answer_date"] or d["first_coverage"] or d["period_end"] or ""

    later = sorted(
        (d for d in disclosures if d["id"] != "met-2013"), key=lambda d: (when(d), d["id"])
    )
    assert shown == ["met-2013", *[d["id"] for d in reversed(later)]]
    assert shown[1:4] == [
        "met-2023-inkl-507-complaints",
        "met-2022-guardian",
        "met-2022-opendemocracy-ico-redacted-cases",
    ]
    first = page.split('data-disclosure="met-2013">', 1)[1].split("</section>", 1)[0]
    # The section opens with its heading and then the picture, before any table.
    assert first.index('<figure class="chart lead-chart">') < first.index("<table")
    assert "no note given" not in page
    about = page.split('<section class="about"', 1)[1]
    revision = web.get("/v1/revisions").json()["data"][0]
    titles = {d["id"]: d["title"] for d in disclosures}
    for package in revision["packages"]:
        notes = [n for n in package["notes"] if n != "no note given"]
        said = " ".join(notes) or "Its package says nothing about what changed."
        assert f"<li>Added: {e(titles[package['disclosure']])}. {e(said)}</li>" in about


def expected_marks(f: dict[str, Any]) -> str:
    marks = []
    if f["value"] is None:
        has_number = f["min"] is not None or f["max"] is not None
        marks.append("range" if has_number else "words only, no number")
    if f["disputed"]:
        marks.append("sources disagree")
    if f["derived"]:
        marks.append("our arithmetic")
    return "".join(f' <span class="mark">{m}</span>' for m in marks)


def test_home_headlines_mark_ranges_disputes_and_our_arithmetic(web: TestClient) -> None:
    page = get_page(web, "/")
    breakdowns = ("outcome", "platform", "allegation", "year", "rank")
    headlines = [
        f
        for f in web.get("/v1/figures?limit=500").json()["data"]
        if all(f[d] is None for d in breakdowns)
    ]
    assert any(f["derived"] for f in headlines)
    for f in headlines:
        assert (
            f'<a href="/figures/{f["id"]}">{e(f["label"])}</a></td>'
            f'<td data-label="Count"><span class="count">{e(f["reading"])}</span>'
            f'{expected_marks(f)} <span class="unit">{f["unit"]}</span></td></tr>'
        ) in page


def test_disclosure_rows_mark_every_range_dispute_and_words(web: TestClient) -> None:
    page = get_page(web, "/disclosures/met-2013")
    figures = web.get("/v1/figures?disclosure=met-2013&limit=500").json()["data"]
    assert {expected_marks(f) for f in figures} >= {
        ' <span class="mark">range</span> <span class="mark">sources disagree</span>',
        ' <span class="mark">words only, no number</span>',
        ' <span class="mark">our arithmetic</span>',
    }
    for f in figures:
        assert (
            f'<td data-label="Count"><span class="count">{e(f["reading"])}</span>'
            f'{expected_marks(f)} <span class="unit">{f["unit"]}</span></td>'
        ) in page


# ---------------------------------------------------------------- disclosure


def test_disclosure_page_lists_every_figure_in_package_order(web: TestClient) -> None:
    page = get_page(web, "/disclosures/met-2013")
    api = web.get("/v1/figures?disclosure=met-2013&limit=500").json()["data"]
    assert rows(page) == [f["id"] for f in api]
    assert "<p>40 of 40 figures shown.\n</p>" in page
    warning = next(f for f in api if f["id"] == "met-2013.officers.written-warning")
    assert (
        '<td data-label="Count"><span class="count">17 to 18</span> '
        '<span class="mark">range</span> <span class="mark">sources disagree</span> '
        '<span class="unit">officers</span></td>'
    ) in page
    assert warning["reading"] == "17 to 18"


def test_disclosure_page_filters_by_facet_and_sorts_without_javascript(web: TestClient) -> None:
    page = get_page(web, "/disclosures/met-2013?staff_type=civilian_staff&sort=-count")
    api = web.get("/v1/figures?disclosure=met-2013&staff_type=civilian_staff&limit=500").json()
    shown = rows(page)
    assert sorted(shown) == sorted(f["id"] for f in api["data"])
    assert f"<p>{api['count']} of 40 figures shown." in page
    assert 'Filtered by Staff type = Civilian staff (<a href="?sort=-count">remove</a>)' in page
    counts = {f["id"]: f["min"] or 0 for f in api["data"]}
    assert [counts[i] for i in shown] == sorted(counts.values(), reverse=True)
    # The facet link for the chosen value removes it; the others add theirs.
    assert '<a href="?sort=-count" aria-current="true" class="selected">Civilian staff</a>' in page
    assert '<a href="?staff_type=civilian_staff&amp;outcome=dismissed&amp;sort=-count">' in page
    # The sort links keep the filter and turn the order round.
    assert '<a href="?staff_type=civilian_staff&amp;sort=count">Count</a>' in page


def test_disclosure_page_explains_checks_notes_sources_and_cites(web: TestClient) -> None:
    page = get_page(web, "/disclosures/met-2013")
    for check in web.get("/v1/checks?disclosure=met-2013").json()["data"]:
        assert f"<p>{e(check['explanation'])}</p>" in page
        assert f"<strong>{e(check['title'])}</strong>" in page
    detail = web.get("/v1/disclosures/met-2013").json()
    for comparability in detail["comparability"]:
        assert f"<li>{e(comparability)}</li>" in page
    for note in detail["notes"]:
        assert f"<dd>{e(note['text'])}</dd>" in page
    for source in detail["sources"]:
        assert f'<li><a href="{e(source["url"])}">{e(source["publisher"])}: ' in page
    cite = re.search(r'<code id="cite-disclosure">(.*?)</code>', page, re.S)
    assert cite is not None
    text = html.unescape(cite.group(1))
    assert text.startswith("Metropolitan Police Service FOI answer to Parliament Street")
    revision = seeded_revision()
    assert f"{BASE}/disclosures/met-2013?revision={revision}. Licence: CC BY 4.0" in text
    for chart in detail["aggregates"]:
        by = quote(chart["by"], safe="")
        assert f'<img src="/v1/embed/aggregates.svg?disclosure=met-2013&amp;by={by}" alt="' in page


# ---------------------------------------------------------------- figure


def test_figure_page_gives_the_reading_every_report_and_its_checks(web: TestClient) -> None:
    figure = web.get("/v1/figures/met-2013.officers.written-warning").json()
    page = get_page(web, "/figures/met-2013.officers.written-warning")
    assert (
        '<p class="reading"><span class="big">17 to 18</span> <span class="unit">officers</span>'
        '\n <span class="mark">range</span> <span class="mark">sources disagree</span></p>'
    ) in page
    assert "In words:" not in page  # the reading says it all
    vague = get_page(web, "/figures/met-2013.platform.facebook")
    assert '<p class="words">In words: “the vast majority” (no number given).</p>' in vague
    assert '<span class="mark">words only, no number</span>' in vague
    for report in figure["reports"]:
        assert f"{e(report['publisher'])}: “" in page
        assert f'<td data-label="Reported">{e(report["reading"])}' in page
    checks = web.get("/v1/checks?disclosure=met-2013").json()["data"]
    for check in checks:
        involved = check["total"]["figure"] == figure["id"] or any(
            p["figure"] == figure["id"] for p in check["parts"]
        )
        assert (f"<strong>{e(check['title'])}</strong>" in page) == involved


def test_figure_page_credits_only_the_sources_that_printed_it(web: TestClient) -> None:
    page = get_page(web, "/figures/met-2013.all.dismissed")
    body = page.split('<table class="reports stack">', 1)[1].split("</table>", 1)[0]
    guardian = body.split("The Guardian:", 1)[1].split("</tr>", 1)[0]
    assert '<td data-label="Reported">gave 3 officers and 4 staff, not this number (' in guardian
    assert '<a href="/figures/met-2013.officers.dismissed">met-2013.officers.dismissed</a>' in (
        guardian
    )
    credited = '<td data-label="Credited with this figure">'
    assert guardian.endswith(f"{credited}no</td>")
    assert body.count(f"{credited}yes: printed it</td>") == 3
    derived = get_page(web, "/figures/met-2013.all.investigated")
    assert '<span class="mark">our arithmetic</span>' in derived
    assert "Our arithmetic from the disclosed figures; no source printed this number." in derived


def test_figure_page_cite_box_matches_the_api(web: TestClient) -> None:
    figure = web.get("/v1/figures/met-2013.staff.dismissed").json()
    page = get_page(web, "/figures/met-2013.staff.dismissed")
    assert f'<code id="cite-text">{e(figure["citation"])}</code>' in page
    csl = re.search(r'<code id="cite-csl">(.*?)</code>', page, re.S)
    assert csl is not None
    assert json.loads(html.unescape(csl.group(1))) == figure["cite"]
    bib = re.search(r'<code id="cite-bibtex">(.*?)</code>', page, re.S)
    assert bib is not None
    entries = html.unescape(bib.group(1)).split("\n\n")
    assert entries[0].startswith(
        "@misc{met-2013.staff.dismissed,\n  title = {Civilian staff dismissed: 4},\n"
        "  publisher = {Police social-media misconduct FOI API},\n"
    )
    url = f"{BASE}/figures/met-2013.staff.dismissed?revision={seeded_revision()}"
    assert f"  url = {{{url}}},\n" in entries[0]
    assert entries[1] == (
        "@article{guardian2013,\n"
        "  title = {Met police investigated 75 officers over Facebook and social networks "
        "misuse},\n  journal = {The Guardian},\n  year = {2013},\n  month = {4},\n"
        "  url = {https://www.theguardian.com/media/2013/apr/12/"
        "met-police-investigate-75-officers-facebook}\n}"
    )
    assert len(entries) == len(figure["cite"])
    assert '<button type="button" class="copy" data-copy="cite-text" hidden>' in page


def test_figure_page_gives_the_short_citation_as_bibtex_and_csl_json(web: TestClient) -> None:
    """The short form in every form the full one has: one entry, no licence or version,
    the credit of the short line in `addendum`."""
    figure = web.get("/v1/figures/met-2013.officers.written-warning").json()
    page = get_page(web, "/figures/met-2013.officers.written-warning")
    csl = re.search(r'<code id="cite-csl-short">(.*?)</code>', page, re.S)
    assert csl is not None
    assert json.loads(html.unescape(csl.group(1))) == figure["cite_short_csl"]
    bib = re.search(r'<code id="cite-bibtex-short">(.*?)</code>', page, re.S)
    assert bib is not None
    url = f"{BASE}/figures/met-2013.officers.written-warning?revision={seeded_revision()}"
    assert html.unescape(bib.group(1)) == (
        "@misc{met-2013.officers.written-warning,\n"
        "  title = {Police officers given a written warning: 17 to 18},\n"
        "  publisher = {Police social-media misconduct FOI API},\n"
        "  year = {2026},\n"
        "  month = {12},\n"
        f"  url = {{{url}}},\n"
        "  addendum = {Metropolitan Police Service FOI answer (first reported 2013), as "
        "reported by The Guardian (18), Evening Standard (17) and The Independent (17)}\n"
        "}\n"
    )


def snippet(page: str, key: str) -> str:
    """The text of one of the embed builder's snippets, and whether it is shown."""
    found = re.search(
        rf'<div class="variant" data-variant="{key}"[^>]*?( hidden)?>.*?'
        rf'<code id="embed-{key}">(.*?)</code>',
        page,
        re.S,
    )
    assert found is not None, key
    return ("hidden " if found.group(1) else "") + html.unescape(found.group(2))


def test_figure_page_builds_each_embed_by_form_theme_and_version(web: TestClient) -> None:
    fid = "met-2013.staff.dismissed"
    page = get_page(web, f"/figures/{fid}")
    revision = seeded_revision()
    height = web.get("/oembed", params={"url": f"{BASE}/figures/{fid}"}).json()["height"]
    for version, pin in (("live", ""), ("pinned", f"&revision={revision}")):
        for theme in ("light", "dark"):
            hidden = "" if (theme, version) == ("light", "live") else "hidden "
            card = f"{BASE}/v1/embed/figures/{fid}?theme={theme}{e(pin)}"
            assert snippet(page, f"iframe-{theme}-{version}") == (
                f'{hidden}<iframe src="{card}" title="Civilian staff dismissed" width="480" '
                f'height="{height}" style="border:0;max-width:100%" loading="lazy" '
                'sandbox="allow-popups allow-popups-to-escape-sandbox" '
                'referrerpolicy="no-referrer"></iframe>'
            )
            svg = f"{BASE}/v1/embed/figures/{fid}.svg?theme={theme}{e(pin)}"
            assert snippet(page, f"svg-{theme}-{version}") == (
                f'hidden <img src="{svg}" alt="Civilian staff dismissed: 4">'
            )
            pinned = f' data-revision="{revision}"' if pin else ""
            assert snippet(page, f"script-{theme}-{version}") == (
                f'hidden <span data-figure="{fid}"{pinned}>4</span>\n'
                f'<script src="{BASE}/v1/embed.js" async></script>'
            )
            url = f"{BASE}/figures/{fid}" + (f"?revision={revision}" if pin else "")
            assert snippet(page, f"oembed-{theme}-{version}") == (
                f"hidden {BASE}/oembed?url=" + quote(url, safe="")
            )
    assert (
        f'<iframe class="preview" id="preview-card" src="{BASE}/v1/embed/figures/{fid}'
        f'?theme=light" title='
    ) in page
    assert '<img class="preview" id="preview-image" hidden alt=' in page


def test_the_embed_builder_works_without_a_script(web: TestClient) -> None:
    """The form asks the server for the page with the choice made; values it does not know
    fall back to the defaults."""
    fid = "met-2013.staff.dismissed"
    page = get_page(web, f"/figures/{fid}?embed=svg&theme=dark&version=pinned")
    svg = f"{BASE}/v1/embed/figures/{fid}.svg?theme=dark&revision={seeded_revision()}"
    assert snippet(page, "svg-dark-pinned") == (
        f'<img src="{e(svg)}" alt="Civilian staff dismissed: 4">'
    )
    assert snippet(page, "iframe-light-live").startswith("hidden ")
    assert f'<img class="preview" id="preview-image" src="{e(svg)}" alt=' in page
    assert '<input type="radio" name="theme" value="dark" checked>' in page
    fallback = get_page(web, f"/figures/{fid}?embed=<b>&theme=red&version=")
    assert not snippet(fallback, "iframe-light-live").startswith("hidden")
    assert "<b>" not in fallback.split("<main", 1)[1]


def test_figure_page_shows_its_history(web: TestClient) -> None:
    fid = "met-2013.staff.dismissed"
    page = get_page(web, f"/figures/{fid}")
    revision = web.get("/v1/revisions").json()["data"][0]
    (note,) = next(p["notes"] for p in revision["packages"] if p["disclosure"] == "met-2013")
    assert (
        f'<tr><td><a href="/figures/{fid}?revision={revision["id"]}">1: '
        f"<code>{revision['id']}</code></a></td>\n"
        f'<td data-label="Published">{revision["published"]}</td>\n'
        '<td data-label="Change">added</td>\n<td data-label="Reading">4</td>\n'
        f'<td data-label="Note">{e(note)}</td></tr>'
    ) in page


# ---------------------------------------------------------------- compare


def _compare_groups(page: str) -> list[tuple[str, str, str]]:
    """(group id, heading, reason) of each group section of a compare page."""
    return re.findall(
        r'<section class="group" aria-labelledby="g-\d+" data-group="([^"]+)">\n'
        r'<h3 id="g-\d+">([^<]*)</h3>\n<p class="reason">([^<]*)</p>',
        page,
    )


def test_compare_page_shows_every_group_with_its_reason(web: TestClient) -> None:
    """Issue 24: "Investigated" showed one row (our 87) until the staff filter changed."""
    page = get_page(web, "/compare?measure=investigated")
    series = web.get("/v1/series?measure=investigated&limit=500").json()
    assert [(g, html.unescape(h), html.unescape(r)) for g, h, r in _compare_groups(page)] == [
        (g["id"], g["label"], g["reason"]) for g in series["groups"]
    ]
    assert len(series["groups"]) == 13  # 7 of the Met's own answers, 6 of the pa-2014 survey
    assert "<p>13 groups.</p>" in page
    for point in series["data"]:
        assert f'<a href="/figures/{point["figure"]}">{e(point["label"])}</a>' in page
        for note in point["comparability"]:
            assert f"<li>{e(note)}</li>" in page
    # A part names its total, linked.
    assert (
        '<a href="/figures/met-2013.officers.investigated">Police officers investigated over '
        'social-media use</a> <span class="mark">part of <a href="/figures/met-2013.all.'
        'investigated">Officers and civilian staff investigated over social-media use</a></span>'
    ) in page
    assert '<option value="investigated" selected>' in page
    measures = web.get("/v1/measures").json()["data"]
    measure_select = page.split('<select id="measure"', 1)[1].split("</select>", 1)[0]
    assert measure_select.count("<option value=") == len(measures)
    assert "Never joined\ninto a line across groups, never added up" in page


def test_compare_page_opens_on_the_measure_most_disclosures_have(web: TestClient) -> None:
    page = get_page(web, "/compare")
    assert '<form method="get" action="/compare" class="picker">' in page
    measures = web.get("/v1/measures").json()["data"]
    widest = max(measures, key=lambda m: (len(m["disclosures"]), m["figure_count"]))
    assert widest["id"] == "people_by_outcome"
    assert len(widest["disclosures"]) == 7
    assert '<option value="people_by_outcome" selected>' in page
    series = web.get("/v1/series?measure=people_by_outcome&limit=500").json()
    assert [g for g, _, _ in _compare_groups(page)] == [g["id"] for g in series["groups"]]
    shown = set(re.findall(r'<p class="meta"><a href="/disclosures/([^"]+)">', page))
    assert shown == set(widest["disclosures"])


# ---------------------------------------------------------------- caching and errors


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/disclosures/met-2013?outcome=dismissed",
        "/figures/met-2013.staff.dismissed",
        "/compare?measure=investigated",
    ],
)
def test_pages_have_the_api_etag_304_and_cache_control(web: TestClient, url: str) -> None:
    first = web.get(url)
    assert first.status_code == 200
    assert first.headers["cache-control"].startswith("public, max-age=")
    etag = first.headers["etag"]
    again = web.get(url)
    assert again.headers["etag"] == etag
    assert again.content == first.content
    not_modified = web.get(url, headers={"if-none-match": etag})
    assert not_modified.status_code == 304
    assert not_modified.content == b""
    head = web.head(url)
    assert head.status_code == 200
    assert head.headers["etag"] == etag


def test_unknown_parameters_neither_change_nor_split_the_page(web: TestClient) -> None:
    plain = web.get("/figures/met-2013.staff.dismissed")
    tagged = web.get("/figures/met-2013.staff.dismissed?utm_source=newsletter")
    assert tagged.headers["etag"] == plain.headers["etag"]


@pytest.mark.parametrize(
    ("url", "kind"),
    [("/figures/met-2013.nope", "figure"), ("/disclosures/met-1999", "disclosure")],
)
def test_unknown_ids_get_a_friendly_page_or_problem_json(
    web: TestClient, url: str, kind: str
) -> None:
    page = get_page(web, url, 404)
    name = url.rsplit("/", 1)[1]
    assert f"<h1>No {kind} called “{name}”</h1>" in page
    assert '<a href="/">the list of disclosures</a>' in page
    problem = web.get(url, headers={"accept": "application/json"})
    assert problem.status_code == 404
    assert problem.headers["content-type"] == "application/problem+json"
    assert problem.json()["type"] == "/problems/not-found"


SCRIPT = '<script>alert("x")</script>'
ATTRIBUTE = '"><img src=x onerror=alert(1)>'


@pytest.mark.parametrize(
    ("url", "status", "reflected"),
    [
        (f"/figures/{quote(ATTRIBUTE)}", 404, ATTRIBUTE),
        (f"/disclosures/{quote(ATTRIBUTE)}", 404, ATTRIBUTE),
        (f"/disclosures/met-2013?staff_type={quote(SCRIPT)}", 400, SCRIPT),
        (f"/disclosures/met-2013?sort={quote(ATTRIBUTE)}", 400, ATTRIBUTE),
        (f"/compare?measure={quote(SCRIPT)}", 400, SCRIPT),
        (f"/compare?measure={quote(ATTRIBUTE)}", 400, ATTRIBUTE),
    ],
)
def test_every_reflected_parameter_is_escaped(
    web: TestClient, url: str, status: int, reflected: str
) -> None:
    page = get_page(web, url, status)
    assert reflected not in page
    assert e(reflected) in page
    assert web.get(url).headers["cache-control"] == "no-store"


def test_static_assets_are_served_by_the_service(web: TestClient) -> None:
    css = web.get("/static/web.css")
    assert css.status_code == 200
    assert css.headers["content-type"].startswith("text/css")
    assert "@media print" in css.text
    js = web.get("/static/web.js")
    assert js.status_code == 200
    assert "navigator.clipboard.writeText" in js.text
    assert web.get("/static/nope.css").status_code == 404


def test_compare_shows_a_measure_counted_for_one_staff_type_unfiltered(web: TestClient) -> None:
    """The 2023 complaints count police officers only: shown without a filter, as groups of
    their own, never beside LondonWorld's or the Guardian's counts."""
    everyone = get_page(web, "/compare?measure=complained_about")
    assert [g for g, _, _ in _compare_groups(everyone)] == [
        "complained-about.officers.span.met-2023-inkl-507-complaints",
        "complained-about.officers.span.by-rank.met-2023-inkl-507-complaints",
    ]
    officers = get_page(web, "/compare?measure=complained_about&staff_type=police_officer")
    assert _compare_groups(officers) == _compare_groups(everyone)
    assert '<option value="police_officer" selected>' in officers
    investigated = get_page(web, "/compare?measure=investigated&staff_type=police_officer")
    assert not any("inkl" in g for g, _, _ in _compare_groups(investigated))
    # A staff type the page does not know is ignored, not reflected.
    assert get_page(web, "/compare?measure=investigated&staff_type=<x>").count("<x>") == 0


def test_every_answer_with_figures_has_a_chart(web: TestClient) -> None:
    """Issue 24: openDemocracy's page had no chart (its package declares no grouping, and
    its one figure is fixed to officers and WhatsApp); it is now drawn by outcome with those
    as filters. The Daily Mail's 277 is broken down by nothing: it is charted alone. Only
    an answer of cases alone (met-2015-cases) has no chart."""
    without = []
    for d in web.get("/v1/disclosures").json()["data"]:
        measures = web.get("/v1/measures", params={"disclosure": d["id"]}).json()["data"]
        page = get_page(web, f"/disclosures/{d['id']}")
        charts = re.findall(r'<img src="(/v1/embed/aggregates\.svg\?[^"]+)"', page)
        assert bool(charts) == bool(measures), d["id"]
        without += [] if charts else [d["id"]]
        for src in charts:
            assert web.get(html.unescape(src)).status_code == 200
    assert without == ["met-2015-cases"]
    page = get_page(web, "/disclosures/met-2022-opendemocracy-ico-redacted-cases")
    (src,) = re.findall(r'<img src="(/v1/embed/aggregates\.svg\?[^"]+)"', page)
    assert html.unescape(src) == (
        "/v1/embed/aggregates.svg?disclosure=met-2022-opendemocracy-ico-redacted-cases"
        "&by=outcome&measure=people_by_outcome&staff_type=police_officer&platform=whatsapp"
    )
    assert 'alt="Bar chart by outcome: Police officers given only a final written warning' in page
    chart = web.get(html.unescape(src)).text
    assert 'class="floor-marker"' in chart
    assert "No figures for this grouping" not in chart
