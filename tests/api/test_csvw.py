"""Every CSV answer links to CSVW metadata carrying its columns, citation and licence."""

import csv
import io

from fastapi.testclient import TestClient

from service.api.reply import CSV_TABLES
from service.openapi import EXAMPLE_REQUESTS
from service.paging import Cursor
from service.schemas import AggregateRow
from tests.citations import ANSWER, LICENCE_LINE

DESCRIBED_BY = '</v1/csvw/{}>; rel="describedby"; type="application/csvm+json"'


def test_a_csv_page_links_to_its_metadata_beside_its_pages(client: TestClient) -> None:
    response = client.get("/v1/figures?format=csv&limit=2")
    after = Cursor(("met-2010", 1, "met-2010.officers.disciplined")).encode()
    assert response.headers["link"] == (
        f'</v1/figures?cursor={after}&format=csv&limit=2>; rel="next", '
        + DESCRIBED_BY.format("figures")
    )
    json_page = client.get("/v1/figures?limit=2")
    assert "describedby" not in json_page.headers["link"]


def test_a_csv_table_links_to_its_metadata(client: TestClient) -> None:
    response = client.get("/v1/aggregates?by=platform&format=csv")
    assert response.headers["link"] == DESCRIBED_BY.format("aggregates")


def test_the_metadata_names_every_column_the_licence_and_the_citation(
    client: TestClient,
) -> None:
    response = client.get("/v1/csvw/aggregates")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/csvm+json"
    assert response.headers["etag"]
    document = response.json()
    assert document["@context"] == ["http://www.w3.org/ns/csvw", {"@language": "en"}]
    assert document["url"] == "http://testserver/v1/aggregates?format=csv"
    assert document["dc:license"] == [{"@id": "https://creativecommons.org/licenses/by/4.0/"}]
    columns = document["tableSchema"]["columns"]
    assert [c["name"] for c in columns] == list(AggregateRow.model_fields)
    types = {c["name"]: c["datatype"] for c in columns}
    assert (types["year"], types["value"], types["disputed"], types["label"]) == (
        "integer",
        "integer",
        "boolean",
        "string",
    )
    met_2013 = next(c for c in document["dc:bibliographicCitation"] if "met-2013 " in c)
    assert met_2013.startswith(ANSWER + "; reported by The Guardian")
    assert met_2013.endswith(LICENCE_LINE)
    # the header in the CSV's own download lines up with the metadata's columns
    csv_header = client.get("/v1/aggregates?by=platform&format=csv").text.split("\r\n")[0]
    assert csv_header.split(",") == [c["name"] for c in columns]


def test_unknown_csv_resource_is_a_422(client: TestClient) -> None:
    response = client.get("/v1/csvw/spreadsheets")
    assert response.status_code == 422
    assert "figures" in response.json()["errors"][0]["allowed"]


def test_every_csv_answer_links_to_metadata_that_exists(client: TestClient) -> None:
    """Issue 23: /v1/measures, /v1/notes and /v1/revisions in CSV linked to a 422, a
    figure's history in CSV to a 404. Every operation that offers CSV is asked for it (with
    its documented example request) and its describedby link followed."""
    document = client.get("/openapi.json").json()
    offering_csv = sorted(
        operation["operationId"]
        for item in document["paths"].values()
        for operation in item.values()
        if "text/csv" in operation.get("responses", {}).get("200", {}).get("content", {})
    )
    assert len(offering_csv) == len(CSV_TABLES) == 15
    followed = {}
    for operation_id in offering_csv:
        url = EXAMPLE_REQUESTS[operation_id]
        answer = client.get(url, headers={"Accept": "text/csv"})
        assert answer.status_code == 200, url
        links = {
            part.split(";")[1].strip(): part.split(";")[0].strip(" <>")
            for part in answer.headers["link"].split(", ")
        }
        metadata = client.get(links['rel="describedby"'])
        assert metadata.status_code == 200, links
        assert metadata.headers["content-type"] == "application/csvm+json"
        columns = [c["name"] for c in metadata.json()["tableSchema"]["columns"]]
        assert answer.text.split("\r\n")[0].split(",") == columns, url
        followed[operation_id] = links['rel="describedby"']
    assert followed["getFigureHistory"] == "/v1/csvw/figure-history"
    assert followed["listRevisions"] == "/v1/csvw/revisions"


def csv_operations(client: TestClient) -> dict[str, str]:
    """Every operation that offers CSV, with its documented example request as a whole
    download (no limit or offset: every row)."""
    document = client.get("/openapi.json").json()
    found = {}
    for item in document["paths"].values():
        for operation in item.values():
            content = operation.get("responses", {}).get("200", {}).get("content", {})
            if "text/csv" in content:
                path, _, query = EXAMPLE_REQUESTS[operation["operationId"]].partition("?")
                kept = [p for p in query.split("&") if p.split("=")[0] not in ("limit", "offset")]
                found[operation["operationId"]] = path + ("?" + "&".join(kept) if kept else "")
    return found


def test_no_csv_answer_holds_json_in_a_cell(client: TestClient) -> None:
    """Issue 26: a list or an object was written into a cell as JSON (cases' and notes'
    sources, checks' total and parts, the taxonomies' counts, a disclosure's licence). Every
    CSV operation, asked for every row, now has only plain cells, and its metadata declares
    each list column's separator."""
    walked = {}
    for operation_id, url in csv_operations(client).items():
        answer = client.get(url, headers={"Accept": "text/csv"})
        assert answer.status_code == 200, url
        header, *rows = list(csv.reader(io.StringIO(answer.text)))
        json_cells = [(header[i], c) for r in rows for i, c in enumerate(r) if c[:1] in ("[", "{")]
        assert json_cells == [], url
        table = answer.headers["link"].split("/v1/csvw/")[1].split(">")[0]
        metadata = client.get(f"/v1/csvw/{table}").json()["tableSchema"]["columns"]
        walked[operation_id] = (
            len(rows),
            {c["name"]: c["separator"] for c in metadata if "separator" in c},
        )
    assert len(walked) == 15
    assert walked["listNotes"] == (78, {"sources": ";"})
    assert walked["listCases"] == (19, {"sources": ";"})
    assert walked["listChecks"][1] == {"parts": ";"}
    assert walked["listOutcomes"] == (17, {"counts": ";", "totals": ";", "breakdown": ";"})
    assert walked["listDisclosures"] == (11, {"forces": ";", "comparability": "\n"})
    assert walked["listMeasures"][1] == {"units": ";", "disclosures": ";", "dimensions": ";"}
    assert walked["getFigureHistory"] == (1, {"fields": ";"})
    assert walked["listRevisions"] == (1, {"packages": ";"})


def test_a_list_cell_splits_into_the_json_list(client: TestClient) -> None:
    """A CSVW reader splits a list cell on its separator and gets the JSON answer's list."""
    as_json = client.get("/v1/notes?disclosure=met-2013").json()["data"]
    as_csv = list(
        csv.DictReader(io.StringIO(client.get("/v1/notes?disclosure=met-2013&format=csv").text))
    )
    assert [r["sources"].split(";") if r["sources"] else [] for r in as_csv] == [
        n["sources"] for n in as_json
    ]
    assert as_csv[0]["sources"] == "idg_via_parliamentstreet;independent2013;standard2013"
    disclosures = client.get("/v1/disclosures?format=csv").text
    met_2013 = next(r for r in csv.DictReader(io.StringIO(disclosures)) if r["id"] == "met-2013")
    comparability = client.get("/v1/disclosures/met-2013").json()["comparability"]
    assert met_2013["comparability"].split("\n") == comparability
    assert (met_2013["forces"], met_2013["licence_id"], met_2013["licence_url"]) == (
        "metropolitan-police-service",
        "CC-BY-4.0",
        "https://creativecommons.org/licenses/by/4.0/",
    )


def test_a_check_in_csv_has_its_total_as_columns_and_its_parts_as_ids(client: TestClient) -> None:
    rows = csv.DictReader(io.StringIO(client.get("/v1/checks?disclosure=met-2013&format=csv").text))
    k1 = next(r for r in rows if r["id"] == "met-2013.K1")
    assert {k: v for k, v in k1.items() if k.startswith(("total_", "parts"))} == {
        "total_figure": "met-2013.officers.complaint-proven",
        "total_label": "Police officers with a proven complaint",
        "total_source": "",
        "total_value": "38",
        "total_min": "38",
        "total_max": "38",
        "total_qualifier": "",
        "parts": "met-2013.officers.dismissed;met-2013.officers.written-warning;"
        "met-2013.officers.management-action;met-2013.officers.resigned-or-retired;"
        "met-2013.officers.management-advice",
        "parts_min": "38",
        "parts_max": "38",
    }
    metadata = client.get("/v1/csvw/checks").json()["tableSchema"]["columns"]
    parts = next(c for c in metadata if c["name"] == "parts")
    assert parts["dc:description"] == (
        "In CSV: the `figure` of each, separated by ';'; the JSON answer of the same URL has "
        "each in full."
    )
    total_value = next(c for c in metadata if c["name"] == "total_value")
    assert (total_value["datatype"], total_value["dc:description"]) == (
        "integer",
        "Of total: Exact count; null unless exact and undisputed.",
    )
