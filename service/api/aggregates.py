from typing import Annotated

from fastapi import APIRouter, Query, Response

from service import queries
from service.api.deps import (
    DimensionsDep,
    DisclosureParam,
    FormatParam,
    MeasureParam,
    ReplyDep,
    SessionDep,
    StateDep,
    disclosure_or_flagship,
    list_responses,
    model_columns,
)
from service.errors import InvalidParameter
from service.models import AggregatePublic, AggregateRow
from service.taxonomy import DIMENSIONS

router = APIRouter(tags=["aggregates"])

GROUPINGS = [
    *DIMENSIONS,
    *(f"{a},{b}" for i, a in enumerate(DIMENSIONS) for b in DIMENSIONS[i + 1 :]),
]


def parse_by(value: str) -> list[str]:
    dims = [d.strip() for d in value.split(",")]
    if (
        not 1 <= len(dims) <= 2
        or len(set(dims)) != len(dims)
        or any(d not in DIMENSIONS for d in dims)
    ):
        raise InvalidParameter(
            "by",
            value,
            list(DIMENSIONS),
            detail=f"by must be one dimension or two separated by a comma, from: "
            f"{', '.join(DIMENSIONS)}.",
        )
    return dims


@router.get(
    "/aggregates",
    operation_id="getAggregates",
    summary="Figures of one measure grouped by one or two dimensions",
    description="The main endpoint for charts. Rows are the figures of one measure broken "
    "down by exactly the `by` dimensions (within any filters), each with its exact value, "
    "or min/max, or only a qualifier; ranges are never turned into numbers. Without "
    "`measure`, the disclosure's declared headline measure for that grouping is used. Also "
    "returned: the stated total, the checks that cover these figures evaluated now, the "
    "sources, a citation and the dataset revision. Figures are never added across "
    "disclosures. CSV returns the rows.",
    response_model=AggregatePublic,
    responses=list_responses(400, 404, 406, 422, 503),
)
def get_aggregates(
    session: SessionDep,
    state: StateDep,
    reply: ReplyDep,
    dimensions: DimensionsDep,
    by: Annotated[
        str,
        Query(
            description="One dimension, or two joined by a comma: "
            "platform, outcome, staff_type, staff_type,outcome, year ...",
            max_length=40,
        ),
    ],
    disclosure: DisclosureParam = None,
    measure: MeasureParam = None,
    format: FormatParam = None,
) -> Response:
    dims = parse_by(by)
    filters = dimensions.values
    disclosure_id = disclosure_or_flagship(session, state, disclosure)
    return reply.table(
        lambda: queries.aggregate(session, disclosure_id, dims, measure, filters),
        lambda payload: payload.rows,
        model_columns(AggregateRow),
    )
