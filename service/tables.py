"""The SQLModel tables (created only by Alembic migrations) and `one_revision`, the hook
that makes every ORM read see one revision.

The public contract is not here: service.schemas declares the response models, which never
inherit from these tables, so a column can be added without a field appearing in /v1 by
accident.
"""

from typing import Any

from sqlalchemy import (
    JSON,
    ColumnElement,
    Index,
    LargeBinary,
    PrimaryKeyConstraint,
    UniqueConstraint,
    and_,
    event,
    or_,
    text,
)
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria
from sqlalchemy.orm.util import LoaderCriteriaOption
from sqlmodel import Field, SQLModel, col

from service.taxonomy import CASE_FILTERS, DIMENSIONS

# The data tables are append-only: each row is one version, live from the revision that
# published it (`rev_from`) until the one that replaced or removed it (`rev_to`, null while
# current). A row that does not change between revisions is stored once. Primary keys are
# (id, rev_from); nothing has a foreign key, since an id names every version of a row (the
# loader checks the references of each package before anything is written). Every ORM read
# sees exactly one revision: see `one_revision` at the end of this section.


class Versioned(SQLModel):
    """The revision range of one version of a row."""

    rev_from: int = 0
    rev_to: int | None = None


def versioned_key(*columns: str) -> PrimaryKeyConstraint:
    """A table's primary key: its id, then the revision the version starts at."""
    return PrimaryKeyConstraint(*columns, "rev_from")


#: The lists' order within the newest revision (migration 0005_live_indexes).
LIVE_ORDER = ("disclosure_id", "position", "id")


def live_indexes(
    table: str, *dimensions: str, pairs: tuple[tuple[str, str], ...] = ()
) -> tuple[Index, ...]:
    """Partial indexes over a table's newest rows (rev_to IS NULL): the page order, and one
    per filter dimension (and per pair of them, 0008) with the page order after it, so a
    filtered page is read in order."""
    live = text("rev_to IS NULL")
    return tuple(
        Index(name, *columns, sqlite_where=live, postgresql_where=live)
        for name, columns in (
            (f"ix_{table}_live_order", LIVE_ORDER),
            *((f"ix_{table}_live_{d}", (d, *LIVE_ORDER)) for d in dimensions),
            *((f"ix_{table}_live_{a}_{b}", (a, b, *LIVE_ORDER)) for a, b in pairs),
        )
    )


class Disclosure(Versioned, table=True):
    __tablename__ = "disclosures"
    __table_args__ = (versioned_key("id"),)

    id: str = Field(max_length=100)
    title: str
    force: str
    #: The ids of the forces it is about (service/forces.py): one, or a survey's many.
    forces: list[str] = Field(default_factory=list, sa_type=JSON)
    requester: str
    requester_note: str | None = None
    foi_reference: str | None = None
    answer_date: str | None = None
    first_coverage: str | None = None
    date_precision: str | None = None
    period_start: str | None = None
    period_end: str | None = None
    period_description: str
    request_subject: str
    counts: str
    comparability: list[str] = Field(default_factory=list, sa_type=JSON)
    aggregate_defaults: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    licence_id: str
    licence_title: str
    licence_url: str
    version: str
    #: The package revision: a hash of the package's files (service.seed.package).
    revision: str = Field(max_length=64)
    last_updated: str
    #: The package's own `changes` list ({date, note}), oldest first.
    changes: list[dict[str, str]] = Field(default_factory=list, sa_type=JSON)
    #: The package's rows, counted when it is loaded (so listing disclosures counts nothing).
    figure_count: int = 0
    case_count: int = 0
    check_count: int = 0
    source_count: int = 0


class Source(Versioned, table=True):
    __tablename__ = "sources"
    __table_args__ = (versioned_key("id"),)

    id: str = Field(max_length=100)
    disclosure_id: str = Field(index=True, max_length=100)
    publisher: str
    title: str
    url: str
    date: str
    kind: str
    note: str | None = None
    position: int


class Figure(Versioned, table=True):
    __tablename__ = "figures"
    __table_args__ = (
        versioned_key("id"),
        *live_indexes("figures", "measure", *DIMENSIONS, "force"),
    )

    id: str = Field(max_length=200)
    disclosure_id: str = Field(index=True, max_length=100)
    measure: str = Field(max_length=100)
    label: str
    #: The force it is about (service/forces.py); None for a survey's figure about all.
    force: str | None = Field(default=None, max_length=100)
    staff_type: str | None = None
    outcome: str | None = None
    platform: str | None = None
    allegation: str | None = None
    year: int | None = None
    rank: str | None = None
    period: str | None = None
    value: int | None = None
    min: int | None = None
    max: int | None = None
    qualifier: str | None = None
    unit: str
    derived: bool = False
    note: str | None = None
    position: int


class FigureReport(Versioned, table=True):
    __tablename__ = "figure_reports"
    __table_args__ = (UniqueConstraint("figure_id", "source_id", "rev_from"),)

    id: int | None = Field(default=None, primary_key=True)
    disclosure_id: str = Field(index=True, max_length=100)
    figure_id: str = Field(index=True, max_length=200)
    source_id: str = Field(max_length=100)
    value: int | None = None
    min: int | None = None
    max: int | None = None
    qualifier: str | None = None
    kind: str = "number"
    parts: list[str] = Field(default_factory=list, sa_type=JSON)
    note: str | None = None
    position: int


class Case(Versioned, table=True):
    __tablename__ = "cases"
    # /v1/cases pages the newest revision in this order (migration 0005_live_indexes).
    __table_args__ = (
        versioned_key("id"),
        *live_indexes(
            "cases", *CASE_FILTERS, pairs=(("platform", "year"), ("staff_type", "outcome"))
        ),
    )

    id: str = Field(max_length=200)
    disclosure_id: str = Field(index=True, max_length=100)
    staff_type: str | None = None
    rank: str | None = None
    year: int | None = None
    platform: str | None = None
    allegation: str | None = None
    outcome: str | None = None
    summary: str
    in_foi_answer: str
    sources: list[str] = Field(default_factory=list, sa_type=JSON)
    note: str | None = None
    position: int


class Check(Versioned, table=True):
    __tablename__ = "checks"
    __table_args__ = (versioned_key("id"),)

    id: str = Field(max_length=200)
    disclosure_id: str = Field(index=True, max_length=100)
    title: str
    note: str | None = None
    position: int


class CheckTerm(Versioned, table=True):
    __tablename__ = "check_terms"

    id: int | None = Field(default=None, primary_key=True)
    disclosure_id: str = Field(index=True, max_length=100)
    check_id: str = Field(index=True, max_length=200)
    role: str = Field(max_length=10)
    figure_id: str = Field(max_length=200)
    source_id: str | None = Field(default=None, max_length=100)
    position: int


class Note(Versioned, table=True):
    __tablename__ = "notes"
    __table_args__ = (versioned_key("id"),)

    id: str = Field(max_length=200)
    disclosure_id: str = Field(index=True, max_length=100)
    kind: str
    topic: str
    text: str
    sources: list[str] = Field(default_factory=list, sa_type=JSON)
    position: int


class Revision(SQLModel, table=True):
    """One published state of the whole dataset: which packages a load changed, and why."""

    __tablename__ = "revisions"

    seq: int = Field(primary_key=True)
    id: str = Field(unique=True, max_length=16)
    published: str = Field(description="When it was published: ISO 8601, UTC.")
    note: str
    #: Each package the load added or changed: {disclosure, revision, change, notes}.
    packages: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    figures_added: int = 0
    figures_changed: int = 0
    figures_removed: int = 0


class PackageFile(SQLModel, table=True):
    """A file of a published package, stored once by its content (zlib-compressed)."""

    __tablename__ = "package_files"

    digest: str = Field(primary_key=True, max_length=64)
    size: int
    data: bytes = Field(sa_type=LargeBinary)


class PackageManifest(SQLModel, table=True):
    """Which files, under which paths, make up one package revision."""

    __tablename__ = "package_manifests"

    disclosure_id: str = Field(primary_key=True, max_length=100)
    package_revision: str = Field(primary_key=True, max_length=64)
    path: str = Field(primary_key=True, max_length=200)
    digest: str = Field(max_length=64)
    position: int


#: The tables whose rows are versions, in the order the loader writes them.
VERSIONED: tuple[type[Versioned], ...] = (
    Disclosure,
    Source,
    Figure,
    Case,
    Note,
    Check,
    FigureReport,
    CheckTerm,
)


def live_in(table: type[Versioned], seq: int | None) -> ColumnElement[bool]:
    """The rows of `table` live in revision number `seq`; None is the newest revision."""
    rev_from, rev_to = table.rev_from, table.rev_to
    if seq is None:
        return col(rev_to).is_(None)
    return and_(col(rev_from) <= seq, or_(col(rev_to).is_(None), col(rev_to) > seq))


def _criteria(seq: int | None) -> tuple[LoaderCriteriaOption, ...]:
    return tuple(
        with_loader_criteria(table, live_in(table, seq), include_aliases=True)
        for table in VERSIONED
    )


_NEWEST = _criteria(None)


@event.listens_for(Session, "do_orm_execute")
def one_revision(execute: ORMExecuteState) -> None:
    """Every ORM read of a session sees one revision: the newest, or the number in
    `session.info["revision_seq"]`; the loader turns this off with
    `session.info["all_revisions"]` to read every version."""
    info = execute.session.info
    if not execute.is_select or info.get("all_revisions"):
        return
    seq = info.get("revision_seq")
    execute.statement = execute.statement.options(*(_NEWEST if seq is None else _criteria(seq)))
