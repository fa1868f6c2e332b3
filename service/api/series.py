from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from service.api.deps import (
    DimensionsDep,
    ForceParam,
    PageDep,
    PublicBaseDep,
    SessionDep,
    list_responses,
    schema_ref,
)
from service.api.reply import TableReplyDep, csv_table
from service.dimensions import given
from service.reads import series
from service.schemas import SeriesPage, SeriesPoint

router = APIRouter(tags=["series"])
SERIES_POINTS = csv_table(
    "series",
    SeriesPoint,
    "one disclosure's figure of a measure, a point of its own",
    separators=(("comparability", "\n"),),  # sentences that hold semicolons: one a line
)


@router.get(
    "/series",
    operation_id="getSeries",
    summary="One measure across disclosures, as separate points",
    description="Every disclosure's figures of one measure, each as its own point with "
    "the period it covers, its reading (exact value, or min/max, or only a qualifier), "
    "what its disclosure counts and that disclosure's comparability notes. Points are "
    "never summed, interpolated or joined across groups. A group holds the figures that "
    "count the same thing: the same unit, staff scope, kind of period, breakdown and "
    "requester; `groups` lists every group of the request, with a label and the reason it "
    "stands apart, and each point names its `group`. A point that is a part of another "
    "figure (a year of a four-year total, officers among officers and staff, a rank among "
    "all ranks) names that total in `part_of`. Dimension filters match exactly; a dimension "
    "you do not filter on may hold anything, so no default hides a disclosure: "
    "`measure=investigated` gives every answer's investigated figures, in their groups. "
    "Groups are ordered by the first year they cover; within a group, points by the start "
    "of their period, then its end, then disclosure id, then the figure's order in its "
    "package. `grain=total` leaves out every part whose total is shown, `grain=year` keeps "
    "only the yearly figures. CSV returns the points (with `group` and `group_label`), "
    "comparability one note a line in its cell.",
    response_model=SeriesPage,
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
    force: ForceParam = None,
    grain: Annotated[
        Literal["all", "total", "year"],
        Query(
            description="all (default): every figure, each part naming its total in "
            "`part_of`; total: a figure that is part of another point's total is left out; "
            "year: only the figures for one calendar year."
        ),
    ] = "all",
) -> Response:
    filters = dimensions.values | given({"force": force})
    return reply.page(
        lambda: series.series(
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
        also="groups",
    )
