from fastapi import APIRouter, Response

from service.api.deps import (
    DimensionsDep,
    DisclosureDep,
    GroupingDep,
    MeasureParam,
    PublicBaseDep,
    SessionDep,
    list_responses,
)
from service.api.reply import TableReplyDep, csv_table
from service.reads import aggregates
from service.schemas import AggregatePublic, AggregateRow

router = APIRouter(tags=["aggregates"])
AGGREGATE_ROWS = csv_table("aggregates", AggregateRow, "one figure of an aggregate's grouping")


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
    reply: TableReplyDep,
    by: GroupingDep,
    disclosure: DisclosureDep,
    dimensions: DimensionsDep,
    base: PublicBaseDep,
    measure: MeasureParam = None,
) -> Response:
    filters = dimensions.values
    return reply.table(
        lambda: aggregates.aggregate(session, disclosure, by, measure, filters, base),
        lambda payload: payload.rows,
        AGGREGATE_ROWS,
    )
