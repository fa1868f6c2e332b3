"""The SVG card and the aggregate chart through the app: numbers as bars, ranges as ranges,
open floors as fading bands and words as words."""

import xml.etree.ElementTree as ET

from fastapi.testclient import TestClient

from tests.embed.documents import IMAGE_ACCEPT, SVG, WARNING, svg_rows, svg_texts


def test_svg_card_has_the_reading_reports_and_citation(client: TestClient) -> None:
    response = client.get(f"/v1/embed/figures/{WARNING}.svg", headers={"accept": IMAGE_ACCEPT})
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/svg+xml; charset=utf-8"
    root = ET.fromstring(response.content)
    assert root.get("role") == "img"
    assert (
        root.findtext(f"{SVG}title")
        == "Police officers given a written warning: 17 to 18 officers."
    )
    assert svg_texts(response.content, "value") == ["17 to 18 officers"]
    assert svg_texts(response.content, "label") == ["Police officers given a written warning"]
    assert " ".join(svg_texts(response.content, "disputed")) == (
        "Sources disagree: The Guardian: 18 · Evening Standard: 17 · The Independent: 17"
    )
    assert " ".join(svg_texts(response.content, "citation")) == (
        "Source: Metropolitan Police Service FOI answer to Parliament Street (UK think tank), "
        "as reported by The Guardian, Evening Standard, The Independent."
    )


def test_chart_by_platform_draws_numbers_as_bars_and_qualifiers_as_words(
    client: TestClient,
) -> None:
    response = client.get("/v1/embed/aggregates.svg?by=platform", headers={"accept": IMAGE_ACCEPT})
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/svg+xml; charset=utf-8"
    rows = svg_rows(response.content)
    assert list(rows) == [
        f["figure"] for f in client.get("/v1/aggregates?by=platform").json()["rows"]
    ]
    assert rows["met-2013.platform.facebook"] == {
        "shape": None,
        "width": None,
        "value": None,
        "words": "“the vast majority” (no number given)",
        "aside": None,
        "title": "Cases involving Facebook",
    }
    assert rows["met-2013.platform.dating-site"]["shape"] is None
    assert rows["met-2013.platform.twitter"]["shape"] == "bar"
    assert rows["met-2013.platform.twitter"]["value"] == "2"
    assert rows["met-2013.platform.linkedin"]["value"] == "1"
    # Bars are to scale: Twitter's 2 is exactly twice LinkedIn's 1.
    twitter, linkedin = (rows[f"met-2013.platform.{p}"]["width"] for p in ("twitter", "linkedin"))
    assert twitter == 2 * linkedin  # type: ignore[operator]
    assert rows["met-2013.platform.unspecified"]["shape"] == "open"
    assert rows["met-2013.platform.unspecified"]["value"] == "at least 2"
    assert rows["met-2013.platform.unspecified"]["aside"] == "“a number of”"
    title = ET.fromstring(response.content).findtext(f"{SVG}title")
    assert title == "Cases by platform, Metropolitan Police Service"
    revision = client.get("/v1/aggregates?by=platform").json()["revision"]
    assert f"revision {revision}." in " ".join(svg_texts(response.content, "citation"))


def test_chart_draws_ranges_as_ranges(client: TestClient) -> None:
    by_outcome = svg_rows(
        client.get("/v1/embed/aggregates.svg?by=outcome&staff_type=police_officer").content
    )
    assert by_outcome[WARNING]["shape"] == "range"
    assert by_outcome[WARNING]["value"] == "17 to 18"
    assert by_outcome[WARNING]["aside"] == "sources disagree"
    assert by_outcome["met-2013.officers.dismissed"]["shape"] == "bar"
    both = client.get("/v1/embed/aggregates.svg?by=staff_type,outcome").content
    assert svg_texts(both, "title") == ["People by outcome and staff type"]
    assert svg_texts(both, "subtitle") == [
        "Metropolitan Police Service, since 2009 · counted in officers and staff"
    ]
    by_year = svg_rows(client.get("/v1/embed/aggregates.svg?by=year").content)
    assert by_year == {
        "met-2013.officers.dismissed-2011": {
            "shape": "range",
            "width": 330.0,
            "value": "0 to 3",
            "words": None,
            "aside": None,
            "title": "Police officers dismissed in 2011",
        }
    }


def test_chart_rejects_bad_groupings_with_problem_json(client: TestClient) -> None:
    bad = client.get("/v1/embed/aggregates.svg?by=colour")
    assert bad.status_code == 422
    assert bad.headers["content-type"] == "application/problem+json"
    assert bad.json()["errors"][0]["parameter"] == "by"
    missing = client.get("/v1/embed/aggregates.svg")
    assert missing.status_code == 422
