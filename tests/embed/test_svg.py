"""The SVG card and the aggregate chart through the app, tested by geometry: a range is a
bar to its minimum and a band to its maximum on the chart's own axis, a floor a bar and a
fade, words a marked pill, our arithmetic marked; the licence on every image."""

import xml.etree.ElementTree as ET

import pytest
from fastapi.testclient import TestClient

from tests.embed.documents import (
    IMAGE_ACCEPT,
    SVG,
    WARNING,
    svg_legend,
    svg_rows,
    svg_texts,
    svg_ticks,
)


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
        "Source: Metropolitan Police Service FOI answer (first reported 2013), as reported by "
        "The Guardian (18), Evening Standard (17) and The Independent (17); via Police "
        "social-media misconduct FOI API."
    )


OFFICERS = "/v1/embed/aggregates.svg?by=outcome&staff_type=police_officer"
PLATFORMS = "/v1/embed/aggregates.svg?by=platform"
#: Issue 24: what the platform chart says of its counts, in its heading and its description.
NO_TOTAL = (
    "These counts stand against no total: the answer does not say what they count out of, "
    "and one case may involve several platforms, so they overlap and do not add up."
)
LICENCE = "Licence: CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/)"


def _at(ticks: dict[int, float], n: float) -> float:
    """Where the chart's own axis puts the count n: read from its 0 and top ticks."""
    top = max(ticks)
    return round(ticks[0] + (ticks[top] - ticks[0]) * n / top, 1)


def test_chart_draws_a_range_as_a_bar_to_its_minimum_and_a_band_to_its_maximum(
    client: TestClient,
) -> None:
    body = client.get(OFFICERS).content
    ticks = svg_ticks(body)
    # A round scale: 0 to 25 (the largest count, cleared) in steps of 5.
    assert list(ticks) == [0, 5, 10, 15, 20, 25]
    rows = svg_rows(body)
    warning = rows[WARNING]
    assert set(warning["marks"]) == {"bar", "band"}
    bar, band = warning["marks"]["bar"], warning["marks"]["band"]
    # The solid bar runs from 0 to 17, exactly 17/25 of the scale; the band from 17 to 18.
    assert bar == (ticks[0], _at(ticks, 17))
    assert (bar[1] - bar[0]) / (ticks[25] - ticks[0]) == pytest.approx(17 / 25, abs=1e-3)
    assert band == (_at(ticks, 17), _at(ticks, 18))
    assert warning["value"] == "17 to 18"
    assert warning["aside"] == "sources disagree"
    # The largest sanction now looks it: longer than management action's 6 and dismissal's 3.
    action = rows["met-2013.officers.management-action"]["marks"]["bar"]
    dismissed = rows["met-2013.officers.dismissed"]["marks"]["bar"]
    assert action == (ticks[0], _at(ticks, 6))
    assert dismissed == (ticks[0], _at(ticks, 3))
    assert bar[1] - bar[0] > action[1] - action[0] > dismissed[1] - dismissed[0]
    assert rows["met-2013.officers.cleared"]["marks"] == {"bar": (ticks[0], ticks[25])}


def test_chart_marks_our_arithmetic_with_a_pattern_a_dagger_and_a_legend_entry(
    client: TestClient,
) -> None:
    body = client.get(OFFICERS).content
    ticks = svg_ticks(body)
    derived = svg_rows(body)["met-2013.officers.outcome-not-stated"]
    assert derived["marks"] == {"bar derived": (ticks[0], _at(ticks, 6))}
    assert derived["value"] == "6 †"
    root = ET.fromstring(body)
    fills = {r.get("class"): r.get("fill") for r in root.iter(f"{SVG}rect")}
    assert fills["bar derived"] == "url(#derived)"
    assert fills["bar"] != fills["bar derived"]
    legend = svg_legend(body)
    assert legend["derived"] == (
        "Dotted bar, †: our arithmetic from the disclosed figures; no source printed this number"
    )
    # Only the marks drawn are explained: no fade or words on this chart.
    assert list(legend) == ["solid", "band", "derived"]
    desc = root.findtext(f"{SVG}desc") or ""
    assert (
        "No stated outcome: 6 (our arithmetic from the disclosed figures; no source printed "
        "this number)" in desc
    )


def test_chart_by_platform_marks_words_floors_and_the_overlap(client: TestClient) -> None:
    response = client.get(PLATFORMS, headers={"accept": IMAGE_ACCEPT})
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/svg+xml; charset=utf-8"
    body = response.content
    rows = svg_rows(body)
    assert list(rows) == [
        f["figure"] for f in client.get("/v1/aggregates?by=platform").json()["rows"]
    ]
    # Facebook's words get a visible marker, never an empty track or an invented bar.
    facebook = rows["met-2013.platform.facebook"]
    assert set(facebook["marks"]) == {"words-marker"}
    assert facebook["words"] == "“the vast majority” (no number given)"
    assert (facebook["value"], facebook["title"]) == (None, "Cases involving Facebook")
    assert set(rows["met-2013.platform.dating-site"]["marks"]) == {"words-marker"}
    # Issue 24: a words-only row is a small marker of one fixed size (14 px) with its words,
    # never a bar as wide as the scale (Facebook's "vast majority" was as long as the axis).
    ticks = svg_ticks(body)
    assert facebook["marks"]["words-marker"] == (ticks[0], ticks[0] + 14)
    assert rows["met-2013.platform.dating-site"]["marks"]["words-marker"] == (
        ticks[0],
        ticks[0] + 14,
    )
    assert ticks[1] - ticks[0] > 14
    # The longest solid bar is Twitter's 2, drawn to scale against LinkedIn's 1.
    assert list(ticks) == [0, 1, 2, 3]
    solid = {f: r["marks"]["bar"] for f, r in rows.items() if "bar" in r["marks"]}
    assert max(solid, key=lambda f: solid[f][1] - solid[f][0]) == "met-2013.platform.twitter"
    assert solid["met-2013.platform.twitter"] == (ticks[0], ticks[2])
    assert solid["met-2013.platform.linkedin"] == (ticks[0], ticks[1])
    assert rows["met-2013.platform.twitter"]["value"] == "2"
    # "At least 2" read from "a number of": no solid bar (no source printed 2), an open
    # circle at 2 and a fade from 2 running on to the track's end.
    unspecified = rows["met-2013.platform.unspecified"]
    assert unspecified["marks"] == {
        "fade": (ticks[2], ticks[3]),
        "floor-marker": (ticks[2], ticks[2]),
    }
    assert unspecified["value"] == "at least 2"
    assert unspecified["aside"] == "“a number of”"
    # The platform counts count cases out of a base the answer never states: no check sets
    # them against a total (research K6 is a note), and the chart says so in words.
    assert " ".join(svg_texts(body, "overlap")) == NO_TOTAL
    legend = svg_legend(body)
    assert list(legend) == ["solid", "floor", "words"]
    assert legend["floor"] == (
        "Open circle and fade: at least this many, our reading of the source's words (a "
        "plural such as “a number of”); no source printed the number"
    )
    assert legend["words"] == "Small dashed square: the source gave words, not a number"
    assert svg_texts(body, "unit") == ["Number of cases"]
    root = ET.fromstring(body)
    assert root.findtext(f"{SVG}title") == "Cases by platform, Metropolitan Police Service"
    desc = root.findtext(f"{SVG}desc") or ""
    assert desc.startswith(
        "Facebook: “the vast majority” (no number given); Twitter / X: 2; LinkedIn: 1; "
        "YouTube: 1; Friends Reunited: 1; Dating website: “no count in the FOI answer” (no "
        "number given); Unspecified: at least 2 (“a number of”). Counted in cases. "
        f"{NO_TOTAL} Metropolitan Police Service FOI answer to Parliament Street"
    )
    assert desc.endswith(f"{LICENCE}.")
    revision = client.get("/v1/aggregates?by=platform").json()["dataset_revision"]
    assert f"revision {revision}:" in desc  # the full citation, pinned, in the description


def test_a_chart_in_two_units_draws_one_axis_per_unit(client: TestClient) -> None:
    """Issue 24: the 2023 complaints by allegation and year mixed complaints and reports on
    one axis; each unit now has a panel and a scale of its own."""
    body = client.get(
        "/v1/embed/aggregates.svg",
        params={"disclosure": "met-2023-inkl-507-complaints", "by": "allegation,year"},
    ).content
    units = [
        r["unit"]
        for r in client.get(
            "/v1/aggregates",
            params={"disclosure": "met-2023-inkl-507-complaints", "by": "allegation,year"},
        ).json()["rows"]
    ]
    assert sorted(set(units)) == ["complaints", "reports"]
    assert svg_texts(body, "panel") == [f"Counted in {u}" for u in dict.fromkeys(units)]
    assert svg_texts(body, "unit") == [f"Number of {u}" for u in dict.fromkeys(units)]
    # Two axes, each starting at 0.
    root = ET.fromstring(body)
    zeros = [
        t
        for t in root.iter(f"{SVG}text")
        if t.get("class") == "tick" and t.get("data-value") == "0"
    ]
    assert len(zeros) == 2


def test_an_at_least_from_a_plural_is_never_called_the_number_given(client: TestClient) -> None:
    """openDemocracy's final written warnings are "officers", read as at least 2."""
    body = client.get(
        "/v1/embed/aggregates.svg",
        params={
            "disclosure": "met-2022-opendemocracy-ico-redacted-cases",
            "by": "outcome",
            "measure": "people_by_outcome",
            "staff_type": "police_officer",
            "platform": "whatsapp",
        },
    ).content
    rows = svg_rows(body)
    (row,) = rows.values()
    assert set(row["marks"]) == {"fade", "floor-marker"}
    assert row["value"] == "at least 2"
    assert list(svg_legend(body)) == ["floor"]
    assert "the number given" not in " ".join(svg_legend(body).values())


def test_only_a_chart_whose_rows_a_check_cannot_add_up_says_so(client: TestClient) -> None:
    assert svg_texts(client.get(OFFICERS).content, "overlap") == []
    assert svg_texts(client.get("/v1/embed/aggregates.svg?by=staff_type").content, "overlap") == []
    # One platform alone has nothing to add up.
    one = client.get("/v1/embed/aggregates.svg?by=platform&platform=twitter").content
    assert svg_texts(one, "overlap") == []
    # Platforms named without counts (the Guardian's 2022 list) have no counts to add up.
    named = client.get(
        "/v1/embed/aggregates.svg?disclosure=met-2022-guardian&by=platform&measure=platform_named"
    ).content
    assert len(svg_rows(named)) == 8
    assert svg_texts(named, "overlap") == []


def test_a_part_of_the_total_the_chart_does_not_draw_is_named(client: TestClient) -> None:
    """Issue 24 fact-check: met-2010's outcome chart states 28 officers facing proceedings
    and draws 18, 5 and 1; the other 4 (charged with misconduct, no outcome) were nowhere
    on it, so its rows read as 4 short. Check K2 names them, and so does the chart."""
    body = client.get("/v1/embed/aggregates.svg?disclosure=met-2010&by=outcome").content
    assert [r["value"] for r in svg_rows(body).values()] == ["18", "5", "1"]
    line = (
        "Also counted in the total, not drawn: Police officers facing a formal misconduct "
        "charge, 4 (check met-2010.K2)."
    )
    assert " ".join(svg_texts(body, "undrawn")) == line
    assert line in (ET.fromstring(body).findtext(f"{SVG}desc") or "")
    # Where every part of the total's check is drawn, or none is, nothing is said.
    for query in ("by=staff_type", "by=outcome", "disclosure=met-2022-londonworld&by=year"):
        assert svg_texts(client.get(f"/v1/embed/aggregates.svg?{query}").content, "undrawn") == []


DAILY_MAIL = "met-2021-daily-mail-277"
DAILY_MAIL_LABEL = (
    "Allegations of social-media misuse, or officers accused of it (the report does not make "
    "clear which), since 2015"
)


def test_an_answer_of_one_figure_is_charted_alone_in_its_own_words(client: TestClient) -> None:
    """Issue 24: the Daily Mail's 277, broken down by nothing, could only be a card. Charted
    by its measure alone, it keeps its whole label and both of its units, and credits the
    one outlet that printed it."""
    response = client.get(
        "/v1/embed/aggregates.svg", params={"disclosure": DAILY_MAIL, "measure": "alleged_misuse"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/svg+xml; charset=utf-8"
    body = response.content
    ticks = svg_ticks(body)
    assert list(ticks) == [0, 50, 100, 150, 200, 250, 300]
    assert svg_rows(body) == {
        f"{DAILY_MAIL}.alleged-misuse": {
            "marks": {"bar": (ticks[0], _at(ticks, 277))},
            "value": "277",
            "words": None,
            "aside": None,
            "title": DAILY_MAIL_LABEL,
        }
    }
    assert " ".join(svg_texts(body, "figure-label")) == DAILY_MAIL_LABEL
    assert svg_texts(body, "title") == ["Alleged misuse"]
    assert svg_texts(body, "unit") == ["Number of allegations or officers"]
    assert " ".join(svg_texts(body, "subtitle")).endswith("counted in allegations or officers")
    assert list(svg_legend(body)) == ["solid"]
    assert svg_texts(body, "overlap") == []
    citation = " ".join(svg_texts(body, "citation"))
    assert citation == (
        "Source: Metropolitan Police Service FOI answer (first reported 2021), as reported by "
        "Personnel Today (reporting a Daily Mail investigation). Licence: CC BY 4.0."
    )
    desc = ET.fromstring(body).findtext(f"{SVG}desc") or ""
    assert desc.startswith(f"{DAILY_MAIL_LABEL}: 277. Counted in allegations or officers. ")
    # The disclosure's page shows that chart, and its text alternative gives the number.
    page = client.get(f"/disclosures/{DAILY_MAIL}").text
    assert (
        f'<img src="/v1/embed/aggregates.svg?disclosure={DAILY_MAIL}&amp;measure=alleged_misuse"'
        f' alt="Bar chart of one figure: {DAILY_MAIL_LABEL}: 277."'
    ) in page


def test_a_chart_without_by_or_measure_is_the_first_declared_grouping(
    client: TestClient,
) -> None:
    flagship = client.get("/v1/embed/aggregates.svg").content
    assert flagship == client.get(PLATFORMS).content
    response = client.get("/v1/embed/aggregates.svg", params={"disclosure": DAILY_MAIL})
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    (error,) = response.json()["errors"]
    assert (error["parameter"], error["allowed"]) == ("measure", ["alleged_misuse"])
    assert error["message"] == f"{DAILY_MAIL} declares no chart; choose a measure with measure=."


@pytest.mark.parametrize(
    "path",
    [
        OFFICERS,
        PLATFORMS,
        "/v1/embed/aggregates.svg?by=year&theme=dark",
        "/v1/embed/aggregates.svg?by=allegation&measure=allegation_category_named",
        f"/v1/embed/figures/{WARNING}.svg",
        "/v1/embed/figures/met-2013.platform.facebook.svg?theme=dark",
    ],
)
def test_every_chart_and_svg_card_carries_its_licence_beside_its_source(
    client: TestClient, path: str
) -> None:
    body = client.get(path).content
    if "aggregates" in path:
        # A chart's footer is short: the licence by name at the end of its source.
        assert " ".join(svg_texts(body, "citation")).endswith(". Licence: CC BY 4.0.")
    else:
        assert svg_texts(body, "licence") == [LICENCE]
        assert LICENCE not in " ".join(svg_texts(body, "citation"))  # once, on its line
    desc = ET.fromstring(body).findtext(f"{SVG}desc") or ""
    assert desc.endswith(f"{LICENCE}.")
    assert desc.count(LICENCE) == 1


def test_chart_draws_ranges_as_ranges(client: TestClient) -> None:
    both = client.get("/v1/embed/aggregates.svg?by=staff_type,outcome").content
    assert svg_texts(both, "title") == ["People by outcome and staff type"]
    assert svg_texts(both, "subtitle") == [
        "Metropolitan Police Service, 2009 to early 2013 · counted in officers and staff"
    ]
    by_year = client.get("/v1/embed/aggregates.svg?by=year").content
    ticks = svg_ticks(by_year)
    assert list(ticks) == [0, 1, 2, 3]
    # 0 to 3: no solid bar (the least is 0), a band over the whole of 0 to 3.
    assert svg_rows(by_year) == {
        "met-2013.officers.dismissed-2011": {
            "marks": {"band": (ticks[0], ticks[3])},
            "value": "0 to 3",
            "words": None,
            "aside": None,
            "title": "Police officers dismissed in 2011",
        }
    }
    assert list(svg_legend(by_year)) == ["band"]


def test_a_chart_of_words_alone_has_no_axis_and_no_empty_track(client: TestClient) -> None:
    body = client.get(
        "/v1/embed/aggregates.svg?by=allegation&measure=allegation_category_named"
    ).content
    rows = svg_rows(body)
    assert rows
    for row in rows.values():
        assert set(row["marks"]) == {"words-marker"}
        assert row["words"] == "“category named, no count given” (no number given)"
    assert svg_ticks(body) == {}
    assert list(svg_legend(body)) == ["words"]


def test_chart_rejects_bad_groupings_with_problem_json(client: TestClient) -> None:
    bad = client.get("/v1/embed/aggregates.svg?by=colour")
    assert bad.status_code == 422
    assert bad.headers["content-type"] == "application/problem+json"
    assert bad.json()["errors"][0]["parameter"] == "by"


def _footer(body: bytes) -> list[tuple[str, str]]:
    """The chart's footer lines, (class, text), and where its links go."""
    root = ET.fromstring(body)
    return [
        (t.get("class") or "", "".join(t.itertext()))
        for t in root.iter(f"{SVG}text")
        if t.get("class") in ("citation", "page-link")
    ]


@pytest.mark.parametrize(
    ("path", "source"),
    [
        (
            OFFICERS,
            "Source: Metropolitan Police Service FOI answer (first reported 2013), as reported "
            "by The Guardian, Evening Standard, The Independent and 2 more. Licence: CC BY 4.0.",
        ),
        (
            PLATFORMS,
            "Source: Metropolitan Police Service FOI answer (first reported 2013), as reported "
            "by Parliament Street (reproducing IDG News Service) and Evening Standard. "
            "Licence: CC BY 4.0.",
        ),
        (
            "/v1/embed/aggregates.svg?by=rank&disclosure=met-2023-inkl-507-complaints",
            "Source: Metropolitan Police Service FOI answer (first reported 2023), as reported "
            "by inkl (aggregator; the original outlet is not named in the copy). Licence: CC BY "
            "4.0.",
        ),
    ],
)
def test_a_chart_footer_is_three_lines_at_most_with_one_link_to_its_page(
    client: TestClient, path: str, source: str
) -> None:
    """Issue 26: the footer was the whole citation, about 14 underlined lines."""
    body = client.get(path).content
    footer = _footer(body)
    assert len(footer) <= 3
    assert [cls for cls, _ in footer][-1:] == ["page-link"]
    assert " ".join(text for cls, text in footer if cls == "citation") == source
    disclosure = "met-2023-inkl-507-complaints" if "inkl" in path else "met-2013"
    page = f"http://testserver/disclosures/{disclosure}"
    # The date of the data (the package's last_updated) leads the link's line when it fits.
    assert footer[-1][1] == (
        f"Full citation and sources: {page}"
        if "inkl" in path
        else f"Data as of 7 December 2026; full citation and sources: {page}"
    )
    links = [a.get("href") for a in ET.fromstring(body).iter(f"{SVG}a")]
    assert links == [page]
    # What the page credits is every source, in the order the footer names them.
    credited = client.get(path.replace("/v1/embed/aggregates.svg", "/v1/aggregates")).json()
    publishers = [s["publisher"] for s in credited["sources"]]
    credit = source.split("as reported by ", 1)[1].removesuffix(". Licence: CC BY 4.0.")
    named = [n for n in credit.replace(" and ", ", ").split(", ") if not n.endswith(" more")]
    if "(aggregator;" in credit:
        named = [credit]
    assert publishers[: len(named)] == named
