from fastapi import APIRouter, Response

from service.api.deps import DisclosureFilterDep, PageDep, SessionDep, list_responses
from service.api.reply import TableReplyDep, csv_table
from service.reads import notes
from service.schemas import NotePublic, Page

router = APIRouter(tags=["notes"])
NOTES = csv_table("notes", NotePublic, "one note of a disclosure")


@router.get(
    "/notes",
    operation_id="listNotes",
    summary="List notes",
    description="The notes a disclosure's figures and cases refer to by id: conflicts "
    "between sources and how they were resolved, and other caveats, in package order. "
    "With `disclosure`, only that disclosure's notes.",
    response_model=Page[NotePublic],
    responses=list_responses(400, 406, 422, 503),
)
def list_notes(
    session: SessionDep,
    reply: TableReplyDep,
    disclosure: DisclosureFilterDep,
    page: PageDep,
) -> Response:
    def build() -> tuple[list[NotePublic], int]:
        items = notes.list_notes(session, disclosure)
        return items[page.offset : page.offset + page.limit], len(items)

    return reply.page(build, page, NOTES)
