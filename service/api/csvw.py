"""/v1/csvw/{table}: what a CSV download holds, whom to cite and under which licence.

A CSV file has no place for a citation or a licence, so every CSV answer points here in a
`Link: <...>; rel="describedby"` header, as the W3C's CSV on the Web recommends. The
document is CSVW metadata: the columns with their types and meanings, the licence, and
one printable citation per disclosure.
"""

import types
import typing
from typing import Any, Literal, get_args

import orjson
from fastapi import APIRouter, Path, Response

from service.api.csv_columns import CsvColumn
from service.api.deps import SessionDep
from service.api.reply import CSV_TABLES, ReplyDep
from service.citation import API_NAME
from service.errors import InvalidParameter, problem_responses
from service.reads.disclosures import disclosure_citations

router = APIRouter(tags=["meta"])

CSVW_TYPE = "application/csvm+json"


def datatype(annotation: Any) -> str:
    """The CSVW datatype of a column, from its field's type."""
    union = typing.get_origin(annotation) in (typing.Union, types.UnionType)
    kinds = {a for a in get_args(annotation) if a is not type(None)} if union else {annotation}
    if kinds == {bool}:
        return "boolean"
    if kinds == {int}:
        return "integer"
    if all(
        typing.get_origin(k) is Literal or (isinstance(k, type) and issubclass(k, str))
        for k in kinds
    ):  # text, a closed list of words, or a code (a StrEnum)
        return "string"
    return "json"


def column(c: CsvColumn) -> dict[str, str]:
    """A column's CSVW description; a list's cell is text with its `separator`."""
    kind = "string" if c.separator else datatype(c.field.annotation)
    spec = {"name": c.name, "titles": c.name, "datatype": kind}
    if c.separator:
        spec["separator"] = c.separator
    if c.description:
        spec["dc:description"] = c.description
    return spec


@router.get(
    "/csvw/{table}",
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
    table_name: str = Path(
        alias="table",
        description="The CSV table, as a CSV answer's describedby link names it.",
        max_length=100,
    ),
) -> Response:
    table = CSV_TABLES.get(table_name)
    if table is None:
        raise InvalidParameter("table", table_name, sorted(CSV_TABLES))

    def build() -> bytes:
        disclosures = disclosure_citations(session, reply.base)
        licences = sorted({d.licence_url for d, _ in disclosures})
        document = {
            "@context": ["http://www.w3.org/ns/csvw", {"@language": "en"}],
            **({"url": f"{reply.base}{table.path}?format=csv"} if table.path else {}),
            "dc:title": f"{API_NAME}: {table.name} as CSV, one row per {table.row}",
            "dc:publisher": API_NAME,
            "dc:license": [{"@id": url} for url in licences],
            "dc:bibliographicCitation": [text for _, text in disclosures],
            "tableSchema": {"columns": [column(c) for c in table.flat]},
        }
        return orjson.dumps(document)

    return reply.raw(build, CSVW_TYPE)
