"""The public contract: the response models of /v1 (and of the feeds, health and oEmbed).

Public models never inherit from the tables (service.tables): the API contract is what they
declare, and a column can be added to a table without a field appearing in /v1 by accident.
"""

from typing import TYPE_CHECKING, Annotated, Any, Generic, Literal, TypeVar

from pydantic import (
    AliasChoices,
    BaseModel,
    SerializerFunctionWrapHandler,
    create_model,
    model_serializer,
)
from pydantic import Field as PydanticField
from sqlmodel import Field, SQLModel

from service import reading, urls
from service.forces import ForceId
from service.taxonomy import Allegation, Dimension, Outcome, Platform, Rank, StaffType

#: The `derived` field's meaning, in the words of service.reading.
DERIVED_DESCRIPTION = reading.sentence(reading.DERIVED)

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


class Dimensions(SQLModel):
    """A count's place in each dimension (service.taxonomy.DIMENSIONS, in that order): a
    code, or null where the count is not broken down by it.

    A model takes them by inheriting this; fields of its own that come before them stand in
    a base class listed after this one (`class FigurePublic(Dimensions, FigureHead)`), as
    pydantic orders fields base by base, from the last base listed to the class itself."""

    staff_type: StaffType | None
    outcome: Outcome | None
    platform: Platform | None
    allegation: Allegation | None
    year: int | None
    rank: Rank | None


def _null_when_left_out(model: type[SQLModel], name: str) -> type[SQLModel]:
    """`model`'s fields again, each null when left out."""
    fields: dict[str, Any] = {n: (f.annotation, None) for n, f in model.model_fields.items()}
    return create_model(name, __base__=SQLModel, **fields)


if TYPE_CHECKING:
    DimensionsOrNull = Dimensions
else:
    #: Dimensions, each null when left out (an aggregate's row).
    DimensionsOrNull = _null_when_left_out(Dimensions, "DimensionsOrNull")


class FigureHead(SQLModel):
    """What a figure's fields start with, before its dimensions."""

    id: str
    disclosure: str
    measure: str
    label: str
    force: ForceId | None = Field(
        description="The force it is about (see /v1/forces); null for a survey's figure "
        "about every force it asked."
    )


class FigurePublic(Dimensions, FigureHead):
    period: str | None
    value: Value
    min: Min
    max: Max
    qualifier: Qualifier
    reading: Reading
    unit: str
    derived: bool = Field(description=DERIVED_DESCRIPTION)
    disputed: bool = Field(description="Sources report different numbers.")
    note: str | None
    reports: list[ReportPublic]
    page_url: str = Field(
        description="The figure's page for people, pinned to the revision read: what a "
        "citation links to."
    )
    json_url: str = Field(description="This figure as JSON, pinned to the revision read.")
    citation: str = Field(
        description="One printable line: the reading, the FOI answer, the outlets that printed "
        "it (title, date, link), the dataset revision, a link to the figure's page and the "
        "licence."
    )
    cite: list[CslItem] = Field(
        description="The citation as CSL-JSON: the figure as a dataset item, then each source "
        "credited."
    )
    cite_short: str = Field(
        description="The short citation, to print under a chart: the FOI answer, who "
        "printed the figure (each with what it printed when the sources disagree; for our "
        "arithmetic, who printed its parts), this service and the figure's page, pinned to "
        "the revision read like `citation`.",
    )
    cite_short_csl: list[CslItem] = Field(
        description="The short citation as CSL-JSON: one dataset item whose `note` names the "
        "FOI answer and who printed the figure as `cite_short` does, with this service as "
        "publisher and the figure's pinned page as URL; no item per source."
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
    force: str = Field(description="The force it is about, or a survey's forces, in words.")
    forces: list[ForceId] = Field(
        description="The ids of the forces it is about (see /v1/forces): one, or every force "
        "a survey asked."
    )
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
    revision: str = Field(description="The package revision: a hash of the package's files.")
    last_updated: str
    figure_count: int
    case_count: int
    check_count: int


class ForcePublic(SQLModel):
    id: ForceId
    name: str
    region: str = Field(description="england_and_wales, scotland or northern_ireland.")
    note: str | None
    figure_count: int = Field(description="Figures about this force, in every answer.")
    disclosures: list[str] = Field(
        description="The answers with figures about it: its own, and surveys of every force."
    )
    page_url: str = Field(description="The force's page for people.")
    json_url: str = Field(description="The force as JSON, with every figure about it.")


class ForceAnswer(SQLModel):
    """One answer's figures about a force: never set beside another answer's on one line."""

    disclosure: str
    title: str
    requester: str
    period_description: str
    survey: bool = Field(description="A survey of several forces rather than the force's own.")
    figures: list[FigurePublic] = Field(description="Its figures about this force.")
    part_of: dict[str, str] = Field(
        description="Each figure that is a part of one of the survey's figures about every "
        "force: the id of that figure. Never add them, and never rank forces by them."
    )
    context: list[FigurePublic] = Field(
        description="The survey's figures about every force that these figures are parts of: "
        "context, with their own sources, never a sum or a rank."
    )


class ForceDetail(ForcePublic):
    answers: list[ForceAnswer] = Field(
        description="Every answer with figures about the force, oldest first; each stands "
        "apart from the others."
    )


class SurveyForce(SQLModel):
    """A force a survey asked, and what is known of its answer."""

    force: ForceId
    name: str
    status: Literal["figures", "refused", "no_figure_retrieved"] = Field(
        description="figures: the survey has figures about it; refused: a source says it "
        "refused to answer; no_figure_retrieved: asked, but no figure about it was found."
    )
    figures: list[str] = Field(description="The ids of the survey's figures about it.")


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


class AggregateRow(DimensionsOrNull):
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
    part_of: str | None = Field(
        default=None,
        description="The figure id of the total this row is a part of (the stated total, or "
        "another figure of the answer), per the checks or the dimensions; never add it to it.",
    )


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
    revision: str = Field(
        description="The disclosure's package revision (a hash of its files); "
        "`?revision=` takes it too."
    )
    dataset_revision: str = Field(
        description="The revision of the data this answer is read from, as its citation "
        "names it; pin any read to it with `?revision=`."
    )


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
    revision: str = Field(description="The package revision: a hash of the package's files.")
    last_updated: str
    licence: LicencePublic
    figures: int
    cases: int
    checks: int
    sources: int


class MetaPublic(SQLModel):
    api_version: str
    service_version: str
    revision: str = Field(
        description="The revision of the data this answer is read from (see /v1/revisions); "
        "part of every ETag."
    )
    flagship_disclosure: str
    datasets: list[DatasetMeta]


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """The envelope of every paginated list."""

    data: list[T]
    count: int = Field(
        description="Items matching the request, across all pages; when count_exact is "
        "false, more than this many match (counting stops at 10,000)."
    )
    count_exact: bool = Field(
        True, description="False when count is a floor: more than 10,000 items match."
    )
    limit: int | None = Field(description="The page size; null for a whole download.")
    offset: int
    next: str | None = Field(
        None, description="The next page's URL (also in the Link header), or null at the end."
    )
    prev: str | None = Field(
        None, description="The previous page's URL (also in the Link header), or null."
    )


class SeriesPointHead(SQLModel):
    """What a series point's fields start with, before its dimensions."""

    disclosure: str
    group: str = Field(
        description="The id of the group this point stands in (see `groups`): points of one "
        "group count the same thing (measure, unit, staff scope, period kind, breakdown, "
        "requester) and may stand side by side; points of different groups never."
    )
    group_label: str = Field(description="What the point's group counts, in words.")
    figure: str
    part_of: str | None = Field(
        description="The figure id of the total this point is a part of (a year of a "
        "multi-year total, officers among officers and staff, a rank among all ranks), per "
        "the disclosure's checks or its dimensions; never add a part to its total."
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
    force: ForceId | None = Field(
        description="The force it is about; null for a survey's figure about every force."
    )


class SeriesPoint(Dimensions, SeriesPointHead):
    """One figure of a measure, shown as its own point next to other disclosures'."""

    value: Value
    min: Min
    max: Max
    qualifier: Qualifier
    reading: Reading
    unit: str
    derived: bool = Field(description=DERIVED_DESCRIPTION)
    disputed: bool = Field(description="Sources report different numbers.")
    counts: str = Field(description="What this figure's disclosure counts.")
    comparability: list[str] = Field(
        description="Why this disclosure's figures must not be added to other disclosures'."
    )
    citation: str


class SeriesGroup(SQLModel):
    """Figures that count the same thing and so may stand side by side."""

    id: str = Field(description="Names what the group counts: measure.unit.period...")
    label: str
    reason: str = Field(description="Why this group stands apart from the others.")
    disclosures: list[str]
    figures: list[str] = Field(description="The figure ids of the group, whatever the page.")


class SeriesPage(Page[SeriesPoint]):
    """A page of series points, with every group the request spans."""

    groups: list[SeriesGroup] = Field(
        description="Every group of the whole request (not only this page), in order."
    )


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


class FigureReading(SQLModel):
    """A figure as one revision gave it."""

    label: str
    value: Value
    min: Min
    max: Max
    qualifier: Qualifier
    reading: Reading
    unit: str
    derived: bool = Field(description=DERIVED_DESCRIPTION)
    disputed: bool = Field(description="Sources report different numbers.")


ChangeKind = Literal["added", "changed", "removed"]


class FigureChange(SQLModel):
    """How one figure changed in a revision."""

    figure: str
    disclosure: str
    label: str
    change: ChangeKind
    before: FigureReading | None = Field(description="The figure before; null when added.")
    after: FigureReading | None = Field(description="The figure after; null when removed.")
    fields: list[str] = Field(
        description="The fields that changed (value, min, max, qualifier, reports, note ...); "
        "empty when the figure was added or removed."
    )


class RowCounts(SQLModel):
    added: int
    changed: int
    removed: int


class RevisionPackage(SQLModel):
    """A package a revision added or changed."""

    disclosure: str
    revision: str = Field(description="The package revision: a hash of the package's files.")
    change: Literal["added", "changed"]
    notes: list[str] = Field(
        description="What the package's own `changes` entries say of this version; "
        "'no note given' when it gave none."
    )
    rows: dict[str, RowCounts] = Field(
        description="Per table (figures, cases, sources ...), the rows added, changed and "
        "removed; tables with no change are left out."
    )


class RevisionPublic(SQLModel):
    """One published state of the dataset. Pin any read to it with ?revision=<id>."""

    id: str = Field(description="16 hexadecimal characters; any 8 or more of the start do.")
    number: int = Field(description="1 for the first revision, then one more each time.")
    published: str = Field(description="When it was published: ISO 8601, UTC.")
    previous: str | None = Field(description="The revision before it; null for the first.")
    note: str = Field(description="What changed, from the packages' own notes.")
    packages: list[RevisionPackage]
    figures_added: int
    figures_changed: int
    figures_removed: int


class RevisionDetail(RevisionPublic):
    changes: list[FigureChange] = Field(description="Every figure that changed, in order.")


class FigureHistoryEntry(SQLModel):
    """A revision in which a figure changed, and the figure as it then stood."""

    revision: str
    number: int
    published: str
    note: str = Field(description="What the figure's package said of this version.")
    change: ChangeKind
    reading: FigureReading | None = Field(description="The figure from then on; null if removed.")
    previous: FigureReading | None = Field(description="The figure before; null when added.")
    fields: list[str] = Field(description="The fields that changed; empty when added or removed.")


class JsonFeedItem(BaseModel):
    """A JSON Feed 1.1 item: one revision."""

    id: str
    url: str
    title: str
    summary: str
    content_text: str
    date_published: str
    tags: list[str] = PydanticField(description="The disclosures whose packages changed.")
    revision: RevisionPublic = PydanticField(
        validation_alias=AliasChoices("_revision", "revision"),
        serialization_alias="_revision",
        description=f"The revision itself, as {urls.REVISIONS} lists it (a JSON Feed "
        f"extension); {urls.REVISIONS}/{{id}} lists every figure it changed.",
    )


class JsonFeed(BaseModel):
    """A JSON Feed 1.1 (https://jsonfeed.org/version/1.1) of the revisions, newest first."""

    version: Literal["https://jsonfeed.org/version/1.1"] = "https://jsonfeed.org/version/1.1"
    title: str
    description: str
    feed_url: str
    authors: list[dict[str, str]]
    items: list[JsonFeedItem]


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
