"""Every CSV answer links to CSVW metadata carrying its columns, citation and licence."""

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
