from typing import Annotated

from fastapi import APIRouter, Path, Query, Response
from sqlmodel import Session

from service import paging
from service.api.deps import (
    SORT_DESCRIPTION,
    CaseSort,
    DisclosureFilterDep,
    KeysetPageDep,
    QueryTextParam,
    SessionDep,
    list_responses,
    sort_column,
    taking_filters,
)
from service.api.reply import ReplyDep, TableReplyDep, csv_table
from service.dimensions import NO_FILTERS
from service.errors import problem_responses
from service.reads import cases
from service.reads.common import Filters
from service.schemas import CasePublic, Page
from service.taxonomy import CASE_FILTERS

router = APIRouter(tags=["cases"])
CASES = csv_table("cases", CasePublic, "one individually documented case")


@router.get(
    "/cases",
    operation_id="listCases",
    summary="List individually documented cases",
    description="Cases described one by one in the sources: a documented sample, not the "
    "basis of the aggregates. `in_foi_answer` says whether a case is known to be counted "
    "in the disclosure. No names, ages or home areas are held. `q` searches summaries and "
    "notes; `sort` orders by one field. Follow `next` (a cursor) to read every page, however deep: "
    "`offset` goes at most 10,000 deep, and `count` stops at 10,000 (`count_exact` false).",
    response_model=Page[CasePublic],
    responses=list_responses(400, 406, 422, 503),
)
@taking_filters(CASE_FILTERS)
def list_cases(
    reply: TableReplyDep,
    disclosure: DisclosureFilterDep,
    page: KeysetPageDep,
    filters: Filters = NO_FILTERS,
    q: QueryTextParam = None,
    sort: Annotated[CaseSort | None, Query(description=SORT_DESCRIPTION)] = None,
) -> Response:
    if sort is not None and page.cursor is not None:
        raise paging.refused("cursor", "cursor pages the default order; with sort, page by offset.")

    def read(
        session: Session, limit: int, offset: int, cursor: paging.Cursor | None
    ) -> paging.Window:
        return cases.list_cases(
            session,
            disclosure=disclosure,
            filters=filters,
            q=q,
            sort=sort_column(sort),
            limit=limit,
            offset=offset,
            cursor=cursor,
        )

    return reply.rows(read, page, CASES, keyset=sort is None)


@router.get(
    "/cases/{case_id}",
    operation_id="getCase",
    summary="One documented case",
    description="A case by its stable id, e.g. met-2013.case-4.",
    response_model=CasePublic,
    responses=problem_responses(400, 404, 406, 422, 503),
)
def get_case(
    session: SessionDep,
    reply: ReplyDep,
    case_id: str = Path(description="Case id.", max_length=200),
) -> Response:
    return reply.one(lambda: cases.get_case(session, case_id))
