from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from service import queries
from service.api.deps import (
    DimensionsDep,
    PageDep,
    PublicBaseDep,
    SessionDep,
    list_responses,
    schema_ref,
)
from service.api.reply import TableReplyDep, csv_table
from service.models import Page, SeriesPoint

router = APIRouter(tags=["series"])
SERIES_POINTS = csv_table(
    "series", SeriesPoint, "one disclosure's figure of a measure, a point of its own"
)


@router.get(
    "/series",
    operation_id="getSeries",
    summary="One measure across disclosures, as separate points",
    description="Every disclosure's figures of one measure, each as its own point with "
    "the period it covers, its reading (exact value, or min/max, or only a qualifier), "
    "what its disclosure counts and that disclosure's comparability notes. Points are "
    "never summed, interpolated or joined into one line: later FOI answers count "
    "different things over different periods. Dimension filters match exactly, and a "
    "dimension you do not filter on must be empty on the figure, except year: a figure "
    "for one year is a point of its own. For example `measure=investigated&"
    "staff_type=police_officer` gives every officer count. Points are ordered by the start "
    "of the period they cover (the figure's year, else its disclosure's period), then its "
    "end, then disclosure id, then the figure's order in its package. One grain at a time: "
    "by default a figure that is part of another point's total (a year of a multi-year "
    "total) is left out, and `grain=year` gives only the yearly figures; `part_of` names "
    "the total a point belongs to. Each disclosure's points form their own `group`: join "
    "points of one group if you must, never points of two. CSV returns the points, with "
    "comparability as a JSON list.",
    response_model=Page[SeriesPoint],
    responses=list_responses(400, 406, 422, 503),
)
def get_series(
    session: SessionDep,
    reply: TableReplyDep,
    measure: Annotated[
        str,
        schema_ref("Measure"),
        Query(description="Measure id, e.g. investigated (see /v1/measures).", max_length=100),
    ],
    dimensions: DimensionsDep,
    page: PageDep,
    base: PublicBaseDep,
    grain: Annotated[
        Literal["total", "year"],
        Query(
            description="total (default): a figure that is part of another point's total is "
            "left out, so a total never stands beside its own parts; year: only the figures "
            "for one calendar year."
        ),
    ] = "total",
) -> Response:
    filters = dimensions.values
    return reply.page(
        lambda: queries.series(
            session,
            measure,
            filters,
            grain=grain,
            limit=page.limit,
            offset=page.offset,
            base_url=base,
        ),
        page,
        SERIES_POINTS,
    )
