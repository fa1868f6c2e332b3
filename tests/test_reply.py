"""service.api.reply: CSV cells a spreadsheet would run as formulas are neutralised."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine

from service.api.reply import csv_bytes
from tests.conftest import seeded_revision


def test_csv_cells_that_start_a_formula_are_prefixed_with_a_quote() -> None:
    """Issue 17 item 9: a cell starting with @ = + - (or a tab or CR) was written verbatim."""
    rows: list[dict[str, Any]] = [
        {"a": '=HYPERLINK("http://x")', "b": "+1", "c": "-2+3", "d": "@SUM(A1)"},
        {"a": "\tTAB", "b": "\rCR", "c": "plain", "d": None},
        {"a": -5, "b": 3, "c": True, "d": "=x;y"},
    ]
    assert csv_bytes(rows, ["a", "b", "c", "d"]).decode() == (
        "a,b,c,d\r\n"
        '"\'=HYPERLINK(""http://x"")",\'+1,\'-2+3,\'@SUM(A1)\r\n'
        "'\tTAB,\"'\rCR\",plain,\r\n"
        "-5,3,true,'=x;y\r\n"
    )


def test_a_list_never_reaches_a_csv_cell_as_json() -> None:
    """Issue 26: a list was written as compact JSON; a CsvTable joins it first."""
    with pytest.raises(TypeError, match="no JSON inside a CSV cell"):
        csv_bytes([{"sources": ["a", "b"]}], ["sources"])


def test_a_formula_in_the_database_is_served_inert_in_csv(
    client: TestClient, engine: Engine
) -> None:
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE figures SET note = :note WHERE id = 'met-2013.officers.dismissed'"),
            {"note": "=cmd|' /C calc'!A0"},
        )
    answer = client.get("/v1/figures?disclosure=met-2013&limit=500&format=csv")
    assert answer.status_code == 200
    line = next(x for x in answer.text.splitlines() if x.startswith("met-2013.officers.dismissed,"))
    assert "'=cmd|' /C calc'!A0" in line
    assert ",=cmd" not in line
    as_json = client.get("/v1/figures/met-2013.officers.dismissed").json()
    assert as_json["note"] == "=cmd|' /C calc'!A0"


#: One answer of each kind Reply writes outside the JSON API: pages, embeds (card, SVG,
#: chart, script, oEmbed), feeds, the data package zip, CSVW metadata and llms.txt.
EVERY_KIND = [
    "/",
    "/figures/met-2013.officers.dismissed",
    "/disclosures/met-2013",
    "/compare?measure=investigated",
    "/forces/kent-police",
    "/v1/embed/figures/met-2013.officers.dismissed",
    "/v1/embed/figures/met-2013.officers.dismissed.svg",
    "/v1/embed/aggregates.svg?by=platform",
    "/v1/embed.js",
    "/oembed?url=http://testserver/v1/embed/figures/met-2013.officers.dismissed",
    "/v1/changes.atom",
    "/v1/disclosures/met-2013/datapackage.zip",
    "/v1/csvw/figures",
    "/llms.txt",
    "/sitemap.xml",
]


def test_every_kind_of_answer_says_which_revision_it_was_read_from(client: TestClient) -> None:
    """Issue 23: pages, the zip and embeds sent no Dataset-Revision."""
    revision = seeded_revision()
    for url in EVERY_KIND:
        for _ in ("miss", "hit"):
            response = client.get(url)
            assert response.status_code == 200, url
            assert response.headers["dataset-revision"] == revision, url
