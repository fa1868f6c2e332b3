from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response

from service.api.deps import (
    DisclosureFilterDep,
    PageDep,
    SessionDep,
    list_responses,
    schema_ref,
)
from service.api.reply import ReplyDep, TableReplyDep, csv_table
from service.errors import NotFound, problem_responses
from service.reads.checks import evaluate_checks
from service.reads.disclosures import disclosure_ids
from service.schemas import CheckPublic, Page

router = APIRouter(tags=["checks"])
CHECKS = csv_table("checks", CheckPublic, "one reconciliation check, evaluated")

Status = Literal["holds", "holds_within_range", "gap", "contradiction"]


def _all_checks(session: SessionDep, disclosure: str | None) -> list[CheckPublic]:
    ids = [disclosure] if disclosure else disclosure_ids(session)
    return [c for d in ids for c in evaluate_checks(session, d)]


@router.get(
    "/checks",
    operation_id="listChecks",
    summary="Reconciliation checks, evaluated now",
    description="Each declared relation (a total and the parts that should add up to it) "
    "evaluated from the stored figures with range arithmetic: `holds`, `holds_within_range`, "
    "`gap` (parts fall short; `gap` gives the size when exact) or `contradiction` (parts "
    "exceed the total). Results are computed, never stored, so a corrected figure re-runs "
    "every check.",
    response_model=Page[CheckPublic],
    responses=list_responses(400, 406, 422, 503),
)
def list_checks(
    session: SessionDep,
    reply: TableReplyDep,
    disclosure: DisclosureFilterDep,
    page: PageDep,
    status: Annotated[
        Status | None, schema_ref("CheckStatus"), Query(description="Only checks with this status.")
    ] = None,
) -> Response:
    def build() -> tuple[list[CheckPublic], int]:
        checks = _all_checks(session, disclosure)
        if status is not None:
            checks = [c for c in checks if c.status == status]
        return checks[page.offset : page.offset + page.limit], len(checks)

    return reply.page(build, page, CHECKS)


@router.get(
    "/checks/{check_id}",
    operation_id="getCheck",
    summary="One reconciliation check, evaluated now",
    description="A check by its stable id, e.g. met-2013.K2.",
    response_model=CheckPublic,
    responses=problem_responses(400, 404, 406, 422, 503),
)
def get_check(
    session: SessionDep,
    reply: ReplyDep,
    check_id: str = Path(description="Check id.", max_length=200),
) -> Response:
    def build() -> CheckPublic:
        disclosure = check_id.split(".", 1)[0]
        if disclosure not in disclosure_ids(session):
            raise NotFound("check", check_id)
        found = [c for c in evaluate_checks(session, disclosure) if c.id == check_id]
        if not found:
            raise NotFound("check", check_id)
        return found[0]

    return reply.one(build)
