"""A check's terms, one row each: the total and every part, with the report it uses.

The checks CSV gives a check's parts as figure ids only (csv_columns: a list of objects is
each one's id); a part that uses one source's report (met-2013.K1 counts the Guardian's 18
written warnings, not the figure's disputed 17 to 18) needs its own row to say so. The rows
are cut from the evaluated checks themselves, so they agree with the JSON of /v1/checks.
"""

from collections.abc import Iterable
from typing import Literal

from sqlmodel import Field, Session, SQLModel

from service.reads.checks import evaluate_checks
from service.reads.disclosures import disclosure_ids
from service.schemas import CheckPublic, CheckTermPublic, Max, Min, Qualifier, Value

#: What a term is to its check: the total, or one of the parts that should add up to it.
Role = Literal["total", "part"]


class CheckTermRow(SQLModel):
    check: str = Field(description="The check's id (/v1/checks/{check_id}).")
    disclosure: str
    role: Role = Field(
        description="total (one per check, the check's `total`) or part (one of its `parts`)."
    )
    position: int = Field(
        description="0 for the total; for a part its place in the check's `parts`, from 1."
    )
    figure: str = Field(description="The figure's id.")
    label: str
    source: str | None = Field(
        description="The source whose report the check uses; null (empty in CSV) when it uses "
        "the figure's published reading."
    )
    value: Value
    min: Min
    max: Max
    qualifier: Qualifier


def _row(check: CheckPublic, role: Role, position: int, term: CheckTermPublic) -> CheckTermRow:
    return CheckTermRow(
        check=check.id,
        disclosure=check.disclosure,
        role=role,
        position=position,
        **term.model_dump(),
    )


def term_rows(checks: Iterable[CheckPublic]) -> list[CheckTermRow]:
    """Each check's total, then its parts in order."""
    return [
        row
        for check in checks
        for row in (
            _row(check, "total", 0, check.total),
            *(_row(check, "part", i, part) for i, part in enumerate(check.parts, 1)),
        )
    ]


def all_checks(session: Session, disclosure: str | None) -> list[CheckPublic]:
    """Every check (of one disclosure, when given), evaluated now, in the order of /v1/checks."""
    ids = [disclosure] if disclosure else disclosure_ids(session)
    return [c for d in ids for c in evaluate_checks(session, d)]
