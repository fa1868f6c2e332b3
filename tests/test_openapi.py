"""The committed OpenAPI document is generated, complete and current."""

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.config import PROJECT_ROOT
from service.openapi import EXAMPLE_REQUESTS, build_document
from service.schemas import (
    AggregateRow,
    Dimensions,
    DimensionsOrNull,
    FigurePublic,
    SeriesPoint,
)
from service.taxonomy import CASE_FILTERS, DIMENSIONS, FILTER_DESCRIPTIONS

COMMITTED = PROJECT_ROOT / "openapi" / "openapi.json"


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return build_document()


def operations(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [op for item in document["paths"].values() for op in item.values()]


def test_committed_schema_matches_the_app(document: dict[str, Any]) -> None:
    committed = json.loads(COMMITTED.read_text(encoding="utf-8"))
    assert committed == document, "openapi/openapi.json is stale: run `make openapi`"


def test_every_operation_is_described(document: dict[str, Any]) -> None:
    ids = [op["operationId"] for op in operations(document)]
    assert len(ids) == len(set(ids))
    for operation in operations(document):
        assert operation["summary"], operation["operationId"]
        assert operation["description"], operation["operationId"]
        for parameter in operation.get("parameters", []):
            assert parameter.get("description"), (operation["operationId"], parameter["name"])


def test_every_json_read_has_an_example_from_the_seed_data(document: dict[str, Any]) -> None:
    json_reads = {
        op["operationId"]
        for op in operations(document)
        if "application/json" in op["responses"]["200"].get("content", {})
    } - {"readyz"}  # its body carries the live revision
    assert set(EXAMPLE_REQUESTS) == json_reads
    for operation in operations(document):
        if operation["operationId"] in json_reads:
            content = operation["responses"]["200"]["content"]["application/json"]
            assert "example" in content, operation["operationId"]
    figure = document["paths"]["/v1/figures/{figure_id}"]["get"]
    example = figure["responses"]["200"]["content"]["application/json"]["example"]
    assert (example["id"], example["min"], example["max"], example["disputed"]) == (
        "met-2013.officers.written-warning",
        17,
        18,
        True,
    )


def test_errors_are_declared_as_problem_json(document: dict[str, Any]) -> None:
    for path, item in document["paths"].items():
        for operation in item.values():
            for status, response in operation["responses"].items():
                if int(status) < 400:
                    continue
                if path.startswith("/v1/embed/figures/") and status == "404":
                    # a frame or an image shows a 404 card of its own type
                    assert list(response["content"]) in (
                        ["text/html", "application/problem+json"],
                        ["image/svg+xml", "application/problem+json"],
                    )
                elif "text/csv" in operation["responses"]["200"]["content"]:
                    # a refusal of a CSV request is plain text
                    assert list(response["content"]) == ["application/problem+json", "text/plain"]
                else:
                    assert list(response["content"]) == ["application/problem+json"]
    for operation in operations(document):
        if any(p["name"] == "format" and "csv" in str(p) for p in operation.get("parameters", [])):
            content = operation["responses"]["200"]["content"]
            assert set(content) == {"application/json", "text/csv"}, operation["operationId"]


def test_the_server_serves_the_committed_document(client: TestClient) -> None:
    served = client.get("/openapi.json")
    assert served.status_code == 200
    assert served.json() == json.loads(COMMITTED.read_text(encoding="utf-8"))
    examples = served.json()["paths"]["/v1/measures"]["get"]["responses"]["200"]["content"]
    assert examples["application/json"]["example"]["data"][0]["id"] == "action_not_broken_down"


def test_closed_vocabularies_are_named_enums(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    assert schemas["Grouping"]["enum"][:7] == [
        "staff_type", "outcome", "platform", "allegation", "year", "rank", "staff_type,outcome",
    ]  # fmt: skip
    assert len(schemas["Grouping"]["enum"]) == 36
    assert len(schemas["Measure"]["enum"]) == 34
    assert len(schemas["ForceId"]["enum"]) == 53  # service/forces.py
    assert schemas["OEmbedFormat"]["enum"] == ["json", "xml"]
    aggregates = document["paths"]["/v1/aggregates"]["get"]["parameters"]
    refs = {p["name"]: p["schema"].get("$ref", "").rsplit("/", 1)[-1] for p in aggregates}
    assert refs == {
        "by": "Grouping",
        "measure": "Measure",
        "disclosure": "DisclosureId",
        "format": "ListFormat",
        "staff_type": "StaffType",
        "outcome": "Outcome",
        "platform": "Platform",
        "allegation": "Allegation",
        "rank": "Rank",
        "year": "",
        "revision": "",
        "bom": "",
    }
    detail = schemas["DisclosureDetail"]["properties"]["aggregates"]
    assert detail["items"] == {"$ref": "#/components/schemas/AggregateDefault"}
    svg = document["paths"]["/v1/embed/aggregates.svg"]["get"]["responses"]["200"]
    assert svg["content"] == {"image/svg+xml": {"schema": {"type": "string"}}}


def test_dimension_filters_are_the_taxonomy_s_dimensions(document: dict[str, Any]) -> None:
    """The dimension parameters are generated from taxonomy.DIMENSIONS (service.dimensions):
    every operation that filters by a dimension takes all of them, side by side in the
    taxonomy's order, except /v1/cases, which takes those its indexes serve. A dimension
    added to the taxonomy but not to a route's parameters fails here."""
    taken = {}
    for operation in operations(document):
        names = [p["name"] for p in operation.get("parameters", [])]
        dims = [n for n in names if n in DIMENSIONS]
        if dims:
            start = names.index(dims[0])
            assert names[start : start + len(dims)] == dims, operation["operationId"]
            taken[operation["operationId"]] = dims
            for parameter in operation["parameters"]:
                if parameter["name"] in dims:
                    assert parameter["description"] == FILTER_DESCRIPTIONS[parameter["name"]]
    assert taken == {
        "listFigures": list(DIMENSIONS),
        "getAggregates": list(DIMENSIONS),
        "getSeries": list(DIMENSIONS),
        "embedAggregatesSvg": list(DIMENSIONS),
        "listCases": list(CASE_FILTERS),
    }


def test_the_response_models_dimensions_are_the_taxonomy_s_dimensions() -> None:
    """Figures, series points and aggregate rows take their dimension fields from one
    declaration (schemas.Dimensions); a dimension added to the taxonomy but not there fails
    here."""
    for model in (Dimensions, DimensionsOrNull, FigurePublic, SeriesPoint, AggregateRow):
        names = list(model.model_fields)
        start = names.index(DIMENSIONS[0])
        assert names[start : start + len(DIMENSIONS)] == list(DIMENSIONS), model.__name__
    assert all(not f.is_required() for f in DimensionsOrNull.model_fields.values())
