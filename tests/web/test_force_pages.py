"""The force pages (issue 27): a force's figures answer by answer with the national figure
as context, and each survey's forces in the vocabulary's order, never ranked, with refusals
and forces without a figure kept in view. Expected words come from the JSON API."""

import re

from fastapi.testclient import TestClient
from markupsafe import escape

from service.web.pages import PAGE_CSP


def page(client: TestClient, url: str, status: int = 200) -> str:
    response = client.get(url, headers={"accept": "text/html"})
    assert response.status_code == status
    assert response.headers["content-security-policy"] == PAGE_CSP
    return response.text


def text_of(html: str) -> str:
    main = html[html.index("<main") : html.index("</main>")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", main))


def test_kent_s_page_shows_its_55_with_the_national_828_as_context(client: TestClient) -> None:
    force = client.get("/v1/forces/kent-police").json()
    (answer,) = force["answers"]
    cases = answer["figures"][0]
    html = page(client, "/forces/kent-police")
    text = text_of(html)
    assert f"{cases['label']}: 55 cases" in text
    assert "(printed by News Shopper (local, south-east London and north-west Kent), " in text
    (national,) = answer["context"]
    assert f"part of the survey's national figure, {national['label']}: 828 cases" in text
    assert "Never add forces' figures together or rank them." in text
    assert html.count('href="/v1/embed/figures/pa-2014.kent-police.') == 4
    assert f"{len(answer['figures'])} figures from 1 answer." in text


def test_the_met_s_page_sets_its_own_answers_and_the_survey_apart(client: TestClient) -> None:
    force = client.get("/v1/forces/metropolitan-police-service").json()
    html = page(client, "/forces/metropolitan-police-service")
    headings = re.findall(r'<h2 id="answer-([^"]+)">', html)
    assert headings == [a["disclosure"] for a in force["answers"]]
    assert text_of(html).count("Context: part of the survey's national figure") == 1


def test_a_survey_s_forces_are_listed_in_order_never_ranked(client: TestClient) -> None:
    rows = client.get("/v1/disclosures/pa-2014/forces", params={"limit": 100}).json()["data"]
    html = page(client, "/forces")
    table = html[html.index('<table class="survey-forces stack">') : html.index("</table>")]
    names = re.findall(r'<th scope="row">(?:<a [^>]+>)?([^<]+)', table)
    assert names == [str(escape(r["name"])) for r in rows]
    assert table.count("Reported as refusing to answer") == 4
    assert table.count("No figure retrieved") == 21
    assert '<meter min="0" max="88" value="88" aria-label="Greater Manchester Police: 88">' in table
    assert '<meter min="0" max="88" value="55" aria-label="Kent Police: 55">' in table
    text = text_of(html)
    assert (
        "43 forces asked: 18 with figures here, 4 reported as refusing, 21 with no figure" in text
    )
    assert "listed in alphabetical order, not ranked" in text


def test_an_unknown_force_is_a_404_page_or_problem(client: TestClient) -> None:
    assert "No force called “kent”" in page(client, "/forces/kent", 404)
    problem = client.get("/forces/kent", headers={"accept": "application/json"})
    assert (problem.status_code, problem.json()["type"]) == (404, "/problems/not-found")
