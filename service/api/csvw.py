"""/v1/csvw/{resource}: what a CSV download holds, whom to cite and under which licence.

A CSV file has no place for a citation or a licence, so every CSV answer points here in a
`Link: <...>; rel="describedby"` header, as the W3C's CSV on the Web recommends. The
document is CSVW metadata: the columns with their types and meanings, the licence, and
one printable citation per disclosure.
"""

import types
import typing
from enum import StrEnum
from typing import Any, Literal, get_args

import orjson
from fastapi import APIRouter, Path, Response
from pydantic.fields import FieldInfo
from sqlmodel import SQLModel

from service import queries
from service.api.deps import PublicBaseDep, SessionDep
from service.api.reply import ReplyDep
from service.citation import API_NAME
from service.errors import problem_responses
from service.models import (
    AggregateRow,
    CasePublic,
    CheckPublic,
    DisclosurePublic,
    FigurePublic,
    SeriesPoint,
    SourcePublic,
    TaxonomyEntry,
)

router = APIRouter(tags=["meta"])

CSVW_TYPE = "application/csvm+json"
#: Each CSV resource: the model of one of its rows, and what a row is.
RESOURCES: dict[str, tuple[type[SQLModel], str]] = {
    "figures": (FigurePublic, "one disclosed figure with every source's report"),
    "aggregates": (AggregateRow, "one figure of an aggregate's grouping"),
    "series": (SeriesPoint, "one disclosure's figure of a measure, a point of its own"),
    "cases": (CasePublic, "one individually documented case"),
    "checks": (CheckPublic, "one reconciliation check, evaluated"),
    "sources": (SourcePublic, "one publication that reported a disclosure"),
    "disclosures": (DisclosurePublic, "one FOI answer"),
    "outcomes": (TaxonomyEntry, "one outcome code with its counts"),
    "platforms": (TaxonomyEntry, "one platform code with its counts"),
}
CsvResource = StrEnum("CsvResource", {name: name for name in RESOURCES})  # type: ignore[misc]


def datatype(annotation: Any) -> str:
    """The CSVW datatype of a column, from its field's type."""
    union = typing.get_origin(annotation) in (typing.Union, types.UnionType)
    kinds = {a for a in get_args(annotation) if a is not type(None)} if union else {annotation}
    if kinds == {bool}:
        return "boolean"
    if kinds == {int}:
        return "integer"
    if kinds == {str} or all(typing.get_origin(k) is Literal for k in kinds):
        return "string"
    return "json"


def column(name: str, field: FieldInfo) -> dict[str, str]:
    spec = {"name": name, "titles": name, "datatype": datatype(field.annotation)}
    if field.description:
        spec["dc:description"] = field.description
    return spec


@router.get(
    "/csvw/{resource}",
    operation_id="getCsvMetadata",
    summary="What a CSV download holds, whom to cite, and its licence",
    description="CSV on the Web (CSVW) metadata for a CSV answer: its columns with types and "
    "meanings, the licence, and one printable citation per disclosure. Every CSV answer "
    'links here with `Link: <...>; rel="describedby"`.',
    response_class=Response,
    responses={
        200: {
            "description": "CSVW metadata (JSON-LD), for CSV on the Web tools.",
            "content": {CSVW_TYPE: {"schema": {"type": "object"}}},
        },
        **problem_responses(400, 404, 422, 503),
    },
)
def get_csv_metadata(
    session: SessionDep,
    reply: ReplyDep,
    base: PublicBaseDep,
    resource: CsvResource = Path(description="The CSV resource, as in /v1/<resource>."),
) -> Response:
    model, row = RESOURCES[resource.value]

    def build() -> bytes:
        disclosures = queries.disclosure_citations(session, base)
        licences = sorted({d.licence_url for d, _ in disclosures})
        document = {
            "@context": ["http://www.w3.org/ns/csvw", {"@language": "en"}],
            "url": f"{base}/v1/{resource.value}?format=csv",
            "dc:title": f"{API_NAME}: /v1/{resource.value} as CSV, one row per {row}",
            "dc:publisher": API_NAME,
            "dc:license": [{"@id": url} for url in licences],
            "dc:bibliographicCitation": [text for _, text in disclosures],
            "tableSchema": {
                "columns": [column(name, field) for name, field in model.model_fields.items()]
            },
        }
        return orjson.dumps(document)

    return reply.raw(build, CSVW_TYPE)
