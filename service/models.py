"""SQLModel tables (created only by Alembic migrations) and the public response models.

Public models never inherit from tables: the API contract is what they declare, and a
column can be added to a table without a field appearing in /v1 by accident.
"""

from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import AliasChoices, BaseModel, SerializerFunctionWrapHandler, model_serializer
from pydantic import Field as PydanticField
from sqlalchemy import JSON, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from service.taxonomy import Allegation, Dimension, Outcome, Platform, Rank, StaffType

# ---------------------------------------------------------------- tables


class Disclosure(SQLModel, table=True):
    __tablename__ = "disclosures"

    id: str = Field(primary_key=True, max_length=100)
    title: str
    force: str
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
    revision: str = Field(max_length=64)
    last_updated: str


class Source(SQLModel, table=True):
    __tablename__ = "sources"

    id: str = Field(primary_key=True, max_length=100)
    disclosure_id: str = Field(foreign_key="disclosures.id", index=True, ondelete="CASCADE")
    publisher: str
    title: str
    url: str
    date: str
    kind: str
    note: str | None = None
    position: int


class Figure(SQLModel, table=True):
    __tablename__ = "figures"

    id: str = Field(primary_key=True, max_length=200)
    disclosure_id: str = Field(foreign_key="disclosures.id", index=True, ondelete="CASCADE")
    measure: str = Field(index=True, max_length=100)
    label: str
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


class FigureReport(SQLModel, table=True):
    __tablename__ = "figure_reports"
    __table_args__ = (UniqueConstraint("figure_id", "source_id"),)

    id: int | None = Field(default=None, primary_key=True)
    figure_id: str = Field(foreign_key="figures.id", index=True, ondelete="CASCADE")
    source_id: str = Field(foreign_key="sources.id", ondelete="CASCADE")
    value: int | None = None
    min: int | None = None
    max: int | None = None
    qualifier: str | None = None
    kind: str = "number"
    parts: list[str] = Field(default_factory=list, sa_type=JSON)
    note: str | None = None
    position: int


class Case(SQLModel, table=True):
    __tablename__ = "cases"
    # /v1/cases pages in this order; see migration 0002_cases_page_order.
    __table_args__ = (Index("ix_cases_page_order", "disclosure_id", "position", "id"),)

    id: str = Field(primary_key=True, max_length=200)
    disclosure_id: str = Field(foreign_key="disclosures.id", index=True, ondelete="CASCADE")
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
    position: int = Field(index=True)


class Check(SQLModel, table=True):
    __tablename__ = "checks"

    id: str = Field(primary_key=True, max_length=200)
    disclosure_id: str = Field(foreign_key="disclosures.id", index=True, ondelete="CASCADE")
    title: str
    note: str | None = None
    position: int


class CheckTerm(SQLModel, table=True):
    __tablename__ = "check_terms"

    id: int | None = Field(default=None, primary_key=True)
    check_id: str = Field(foreign_key="checks.id", index=True, ondelete="CASCADE")
    role: str = Field(max_length=10)
    figure_id: str = Field(foreign_key="figures.id", ondelete="CASCADE")
    source_id: str | None = Field(default=None, foreign_key="sources.id", ondelete="CASCADE")
    position: int


class Note(SQLModel, table=True):
    __tablename__ = "notes"

    id: str = Field(primary_key=True, max_length=200)
    disclosure_id: str = Field(foreign_key="disclosures.id", index=True, ondelete="CASCADE")
    kind: str
    topic: str
    text: str
    sources: list[str] = Field(default_factory=list, sa_type=JSON)
    position: int


# ---------------------------------------------------------------- public models


# A count as published: exact, a range, or only words. Declared field by field (not as a
# base class) so that JSON keys and CSV columns keep identity first and the reading after.
Value = Annotated[int | None, Field(description="Exact count; null unless exact and undisputed.")]
Min = Annotated[int | None, Field(description="Lowest possible count; equals value when exact.")]
Max = Annotated[int | None, Field(description="Highest possible count; null means no ceiling.")]
Qualifier = Annotated[
    str | None, Field(description="The source's words when vague or not numeric.")
]
Reading = Annotated[
    str,
    Field(
        description="The count as you would print it: 3, 17 to 18, at least 2, or the "
        "source's own words when it gave no number."
    ),
]


class CslDate(BaseModel):
    """A CSL-JSON date: the parts we know, the date as the source gave it, and whether it
    is approximate."""

    date_parts: list[list[int]] = PydanticField(
        validation_alias=AliasChoices("date-parts", "date_parts"), serialization_alias="date-parts"
    )
    raw: str
    circa: bool


class CslItem(BaseModel):
    """One CSL-JSON item, as reference managers (Zotero, Mendeley, pandoc) import it."""

    id: str
    type: Literal["dataset", "article-newspaper", "webpage"]
    title: str
    container_title: str | None = PydanticField(
        default=None,
        validation_alias=AliasChoices("container-title", "container_title"),
        serialization_alias="container-title",
    )
    publisher: str | None = None
    version: str | None = None
    URL: str
    issued: CslDate
    license: str | None = None
    note: str | None = None

    @model_serializer(mode="wrap")
    def _without_nulls(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        return {k: v for k, v in data.items() if v is not None}


class SourcePublic(SQLModel):
    id: str
    disclosure: str
    publisher: str
    title: str
    url: str
    date: str
    kind: str = Field(description="news, reproduction, blog, disclosure_log or background.")
    note: str | None


class ReportPublic(SQLModel):
    source: str
    publisher: str
    kind: Literal["number", "range", "words", "parts", "named_without_count"] = Field(
        description="What the source printed: a number, a range, only words, only the parts "
        "(listed in `parts`) rather than this number, or the category named without a count."
    )
    value: Value
    min: Min
    max: Max
    qualifier: Qualifier
    reading: Reading
    parts: list[str] = Field(description="For kind parts: the part figures the source printed.")
    note: str | None


class FigurePublic(SQLModel):
    id: str
    disclosure: str
    measure: str
    label: str
    staff_type: StaffType | None
    outcome: Outcome | None
    platform: Platform | None
    allegation: Allegation | None
    year: int | None
    rank: Rank | None
    period: str | None
    value: Value
    min: Min
    max: Max
    qualifier: Qualifier
    reading: Reading
    unit: str
    derived: bool = Field(description="Our arithmetic; no source printed this number.")
    disputed: bool = Field(description="Sources report different numbers.")
    note: str | None
    reports: list[ReportPublic]
    citation: str = Field(
        description="One printable line: the reading, the FOI answer, the outlets that printed "
        "it (title, date, link), the dataset revision, a permalink and the licence."
    )
    cite: list[CslItem] = Field(
        description="The citation as CSL-JSON: the figure as a dataset item, then each source "
        "credited."
    )


class CheckTermPublic(SQLModel):
    figure: str
    label: str
    source: str | None = Field(description="Set when the check uses one source's report.")
    value: Value
    min: Min
    max: Max
    qualifier: Qualifier


class CheckPublic(SQLModel):
    id: str
    disclosure: str
    title: str
    note: str | None
    status: str = Field(description="holds, holds_within_range, gap or contradiction.")
    total: CheckTermPublic
    parts: list[CheckTermPublic]
    parts_min: int
    parts_max: int | None = Field(description="null when a part has no ceiling.")
    difference_min: int | None = Field(description="Least possible total minus parts.")
    difference_max: int | None = Field(description="Greatest possible total minus parts.")
    gap: int | None = Field(description="For status gap with exact numbers, its size.")
    explanation: str


class CasePublic(SQLModel):
    id: str
    disclosure: str
    staff_type: StaffType | None
    rank: Rank | None
    year: int | None
    platform: Platform | None
    allegation: Allegation | None
    outcome: Outcome | None
    summary: str
    in_foi_answer: str = Field(description="yes, probable, uncertain or no.")
    sources: list[str]
    note: str | None


class NotePublic(SQLModel):
    id: str
    disclosure: str
    kind: str
    topic: str
    text: str
    sources: list[str]


class LicencePublic(SQLModel):
    id: str
    title: str
    url: str


class DisclosurePublic(SQLModel):
    id: str
    title: str
    force: str
    requester: str
    requester_note: str | None
    foi_reference: str | None
    answer_date: str | None
    first_coverage: str | None
    date_precision: str | None
    period_start: str | None
    period_end: str | None
    period_description: str
    request_subject: str
    counts: str
    comparability: list[str]
    licence: LicencePublic
    version: str
    revision: str
    last_updated: str
    figure_count: int
    case_count: int
    check_count: int


class AggregateDefault(SQLModel):
    """A grouping whose headline measure a data package declares: what /v1/aggregates
    answers for `by` when no `measure` is given."""

    by: str = Field(description="The grouping, as `by` takes it, e.g. staff_type,outcome.")
    measure: str = Field(description="The headline measure for that grouping.")
    total_measure: str | None = Field(
        default=None, description="The measure of the stated total the rows belong to."
    )
    filters: dict[str, str | int] = Field(
        default_factory=dict,
        description="Dimension filters applied unless the request sets them.",
    )


class DisclosureDetail(DisclosurePublic):
    sources: list[SourcePublic]
    notes: list[NotePublic]
    aggregates: list[AggregateDefault] = Field(
        description="Groupings with a headline measure declared by the data package."
    )


class AggregateRow(SQLModel):
    staff_type: StaffType | None = None
    outcome: Outcome | None = None
    platform: Platform | None = None
    allegation: Allegation | None = None
    year: int | None = None
    rank: Rank | None = None
    figure: str
    label: str
    value: Value
    min: Min
    max: Max
    qualifier: Qualifier
    reading: Reading
    unit: str
    derived: bool
    disputed: bool


class AggregatePublic(SQLModel):
    disclosure: str
    measure: str
    by: list[Dimension]
    filters: dict[str, str | int]
    rows: list[AggregateRow]
    total: AggregateRow | None = Field(description="The stated total these rows belong to.")
    checks: list[CheckPublic]
    sources: list[SourcePublic]
    citation: str = Field(
        description="One printable line: the FOI answer, the outlets that reported these "
        "figures (title, date, link), the dataset revision, a permalink and the licence."
    )
    cite: list[CslItem] = Field(description="The citation as CSL-JSON.")
    revision: str


class TaxonomyCount(SQLModel):
    staff_type: StaffType | None
    figure: str
    part_of: str | None = Field(
        description="The figure id of the total this count is a part of, per the checks."
    )
    value: Value
    min: Min
    max: Max
    qualifier: Qualifier
    reading: Reading
    disputed: bool


class TaxonomyEntry(SQLModel):
    code: str
    label: str
    meaning: str
    order: int = Field(description="Display order; for outcomes, most severe first.")
    counts: list[TaxonomyCount] = Field(
        description="Every count, totals and breakdowns together, as before; do not add them "
        "up: a total and its own parts are both here."
    )
    totals: list[TaxonomyCount] = Field(
        description="Counts not broken down by staff type (officers and staff together)."
    )
    breakdown: list[TaxonomyCount] = Field(
        description="Counts per staff type; each names the total it is part of in `part_of`."
    )


class DatasetMeta(SQLModel):
    id: str
    version: str
    revision: str
    last_updated: str
    licence: LicencePublic
    figures: int
    cases: int
    checks: int
    sources: int


class MetaPublic(SQLModel):
    api_version: str
    service_version: str
    revision: str = Field(description="Revision of everything served; part of every ETag.")
    flagship_disclosure: str
    datasets: list[DatasetMeta]


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """The envelope of every paginated list."""

    data: list[T]
    count: int = Field(description="Items matching the request, across all pages.")
    limit: int
    offset: int


class SeriesPoint(SQLModel):
    """One figure of a measure, shown as its own point next to other disclosures'."""

    disclosure: str
    group: str = Field(
        description="Points of one group may be joined by a line; points of different groups "
        "never: they come from different FOI answers that count different things."
    )
    figure: str
    part_of: str | None = Field(
        description="The figure id of the total this point is a part of (a year of a "
        "multi-year total), per the disclosure's checks."
    )
    measure: str
    label: str
    period: str | None = Field(description="The period the figure covers, in words.")
    period_start: str | None = Field(
        description="The figure's year, else the start of its disclosure's period."
    )
    period_end: str | None = Field(
        description="The figure's year, else the end of its disclosure's period."
    )
    staff_type: StaffType | None
    outcome: Outcome | None
    platform: Platform | None
    allegation: Allegation | None
    year: int | None
    rank: Rank | None
    value: Value
    min: Min
    max: Max
    qualifier: Qualifier
    reading: Reading
    unit: str
    derived: bool = Field(description="Our arithmetic; no source printed this number.")
    disputed: bool = Field(description="Sources report different numbers.")
    counts: str = Field(description="What this figure's disclosure counts.")
    comparability: list[str] = Field(
        description="Why this disclosure's figures must not be added to other disclosures'."
    )
    citation: str


class MeasurePublic(SQLModel):
    """A measure: what a figure counts, whatever it is broken down by."""

    id: str
    label: str
    meaning: str = Field(description="What the measure counts, in plain English.")
    units: list[str] = Field(
        description="The units its figures count in (officers, staff, people, cases)."
    )
    disclosures: list[str] = Field(description="The disclosures with figures of it.")
    dimensions: list[Dimension] = Field(
        description="The dimensions its figures are broken down by, in display order."
    )
    figure_count: int


class Health(SQLModel):
    status: str = Field(description="Always ok.")


class Readiness(SQLModel):
    status: str = Field(description="Always ready; otherwise the answer is a 503 problem.")
    revision: str | None = Field(description="The dataset revision this process serves.")


class ProblemType(SQLModel):
    type: str
    title: str
    status: int
    description: str


class OEmbed(SQLModel):
    """An oEmbed 1.0 `rich` answer (section 2.3.4)."""

    version: str
    type: str
    title: str
    provider_name: str
    provider_url: str
    cache_age: int
    html: str = Field(
        description="The iframe of the figure's card, or for a chart its SVG as an <img> "
        "linked to the disclosure's page."
    )
    width: int
    height: int
