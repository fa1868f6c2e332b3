from typing import Annotated

from fastapi import APIRouter, Path, Query, Response
from sqlmodel import Session

from service import history, paging
from service.api.deps import (
    SORT_DESCRIPTION,
    DimensionsDep,
    DisclosureFilterDep,
    FigureSort,
    ForceParam,
    KeysetPageDep,
    MeasureParam,
    PageDep,
    PublicBaseDep,
    QueryTextParam,
    SessionDep,
    list_responses,
    sort_column,
)
from service.api.reply import ReplyDep, TableReplyDep, csv_table
from service.dimensions import given
from service.errors import problem_responses
from service.reads import figures
from service.schemas import FigureHistoryEntry, FigurePublic, Page

router = APIRouter(tags=["figures"])
#: Each source's report and the long citation are not CSV cells: a row links to its JSON
#: (`json_url`: reports, citation, CSL-JSON), the CSVW metadata cites every disclosure, and
#: the data package zip has them as reports.csv.
FIGURES = csv_table(
    "figures",
    FigurePublic,
    "one disclosed figure",
    omit=("reports", "citation", "cite", "cite_short_csl"),
)
FIGURE_HISTORY = csv_table(
    "figure-history",
    FigureHistoryEntry,
    "one revision of one figure: what it read then",
    path=None,
)


@router.get(
    "/figures",
    operation_id="listFigures",
    summary="List disclosed figures",
    description="Every disclosed statistic with its dimensions, its published reading "
    "(exact value, or min/max, or only a qualifier), whether sources disagree, what each "
    "source reported, and a citation. Dimension filters match exactly; an empty dimension "
    "on a figure means it is not broken down by it. `force` keeps the figures about one "
    "force, from its own answers and from surveys of every force. `q` searches labels and "
    "notes; `sort` orders by one field (`count`: by the reading, the low end of a range "
    "first, words-only figures last).",
    response_model=Page[FigurePublic],
    responses=list_responses(400, 406, 422, 503),
)
def list_figures(
    reply: TableReplyDep,
    disclosure: DisclosureFilterDep,
    dimensions: DimensionsDep,
    page: KeysetPageDep,
    base: PublicBaseDep,
    measure: MeasureParam = None,
    force: ForceParam = None,
    disputed: bool | None = Query(
        None, description="Only figures whose sources disagree (true) or agree (false)."
    ),
    q: QueryTextParam = None,
    sort: Annotated[FigureSort | None, Query(description=SORT_DESCRIPTION)] = None,
) -> Response:
    if sort is not None and page.cursor is not None:
        raise paging.refused("cursor", "cursor pages the default order; with sort, page by offset.")
    filters = dimensions.values | given({"force": force})

    def read(
        session: Session, limit: int, offset: int, cursor: paging.Cursor | None
    ) -> paging.Window:
        return figures.figure_window(
            session,
            disclosure=disclosure,
            measure=measure,
            dimensions=filters,
            disputed=disputed,
            q=q,
            sort=sort_column(sort),
            limit=limit,
            offset=offset,
            cursor=cursor,
            base_url=base,
        )

    return reply.rows(read, page, FIGURES, keyset=sort is None)


@router.get(
    "/figures/{figure_id}",
    operation_id="getFigure",
    summary="One figure with every source's report",
    description="A figure by its stable id, e.g. met-2013.officers.dismissed.",
    response_model=FigurePublic,
    responses=problem_responses(400, 404, 406, 422, 503),
)
def get_figure(
    session: SessionDep,
    reply: ReplyDep,
    base: PublicBaseDep,
    figure_id: str = Path(description="Figure id.", max_length=200),
) -> Response:
    return reply.one(lambda: figures.get_figure(session, figure_id, base))


@router.get(
    "/figures/{figure_id}/history",
    operation_id="getFigureHistory",
    summary="A figure's history across revisions",
    description="Each revision in which the figure was added, changed or removed, oldest "
    "first: its reading from then on, the reading before, which fields changed, and the "
    "note its package gave. Pinned with `revision`, the history stops at that revision.",
    response_model=Page[FigureHistoryEntry],
    responses=list_responses(400, 404, 406, 409, 422, 503),
)
def get_figure_history(
    session: SessionDep,
    reply: TableReplyDep,
    page: PageDep,
    figure_id: str = Path(description="Figure id.", max_length=200),
) -> Response:
    def build() -> tuple[list[FigureHistoryEntry], int]:
        entries = history.figure_history(session, figure_id)
        return entries[page.offset : page.offset + page.limit], len(entries)

    return reply.page(build, page, FIGURE_HISTORY)
