from fastapi import APIRouter, Response

from service.api.deps import DisclosureFilterDep, PageDep, SessionDep, list_responses
from service.api.reply import TableReplyDep, csv_table
from service.reads import measures
from service.schemas import MeasurePublic, Page

router = APIRouter(tags=["measures"])
MEASURES = csv_table(
    "measures", MeasurePublic, "one measure, with the disclosures that have figures of it"
)


@router.get(
    "/measures",
    operation_id="listMeasures",
    summary="List measures",
    description="Every measure that figures are counted in (the values `measure` takes "
    "elsewhere), by id: its label, what it counts in plain English, the units of its "
    "figures, the disclosures that have it and the dimensions its figures are broken down "
    "by. With `disclosure`, only that disclosure's measures.",
    response_model=Page[MeasurePublic],
    responses=list_responses(400, 406, 422, 503),
)
def list_measures(
    session: SessionDep,
    reply: TableReplyDep,
    disclosure: DisclosureFilterDep,
    page: PageDep,
) -> Response:
    def build() -> tuple[list[MeasurePublic], int]:
        items = measures.list_measures(session, disclosure)
        return items[page.offset : page.offset + page.limit], len(items)

    return reply.page(build, page, MEASURES)
