"""Reads and aggregations. Functions take a session and return public models.

Nothing here imports FastAPI: invalid input is reported by raising the typed errors in
service.errors, which the web layer turns into problem responses.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, String, cast, distinct, func, or_, tuple_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from service import __version__, citation, composition, paging, reading, revisions, search, urls
from service.checks import evaluate
from service.errors import CannotCombine, InvalidParameter, NoHeadline, NotFound
from service.measures import MEASURES
from service.models import (
    AggregateDefault,
    AggregatePublic,
    AggregateRow,
    Case,
    CasePublic,
    Check,
    CheckPublic,
    CheckTerm,
    CheckTermPublic,
    DatasetMeta,
    Disclosure,
    DisclosureDetail,
    DisclosurePublic,
    Figure,
    FigurePublic,
    FigureReport,
    LicencePublic,
    MeasurePublic,
    MetaPublic,
    Note,
    NotePublic,
    ReportPublic,
    SeriesGroup,
    SeriesPoint,
    Source,
    SourcePublic,
    TaxonomyCount,
    TaxonomyEntry,
)
from service.taxonomy import DIMENSIONS, ORDER, TAXONOMIES, Term

Filters = dict[str, str | int]
T = TypeVar("T")


# ---------------------------------------------------------------- one row by id


def by_id(session: Session, table: type[T], identifier: str) -> T | None:
    """The row with this id in the revision the session reads."""
    return session.exec(select(table).where(col(table.id) == identifier)).first()  # type: ignore[attr-defined]


# ---------------------------------------------------------------- disclosures


def disclosure_ids(session: Session) -> list[str]:
    return list(session.exec(select(Disclosure.id).order_by(Disclosure.id)).all())


def resolve_disclosure(session: Session, value: str | None, flagship: str) -> str:
    """The disclosure a request is about; one only, and one that exists."""
    if value is None:
        return flagship
    if "," in value:
        raise CannotCombine(value.split(","))
    known = disclosure_ids(session)
    if value not in known:
        raise InvalidParameter("disclosure", value, known)
    return value


def _disclosure_public(d: Disclosure) -> dict[str, Any]:
    data = d.model_dump(
        exclude={"licence_id", "licence_title", "licence_url", "aggregate_defaults"}
    )
    data["licence"] = licence_public(d)
    return data


def licence_public(d: Disclosure) -> LicencePublic:
    return LicencePublic(id=d.licence_id, title=d.licence_title, url=d.licence_url)


def list_disclosures(session: Session) -> list[DisclosurePublic]:
    return [
        DisclosurePublic(**_disclosure_public(d))
        for d in session.exec(select(Disclosure).order_by(Disclosure.id)).all()
    ]


def get_disclosure(session: Session, disclosure_id: str) -> DisclosureDetail:
    d = by_id(session, Disclosure, disclosure_id)
    if d is None:
        raise NotFound("disclosure", disclosure_id)
    sources = session.exec(
        select(Source).where(Source.disclosure_id == d.id).order_by(col(Source.position))
    ).all()
    notes = session.exec(
        select(Note).where(Note.disclosure_id == d.id).order_by(col(Note.position))
    ).all()
    return DisclosureDetail(
        **_disclosure_public(d),
        sources=[source_public(s) for s in sources],
        notes=[note_public(n) for n in notes],
        aggregates=[AggregateDefault.model_validate(a) for a in d.aggregate_defaults],
    )


def note_public(n: Note) -> NotePublic:
    return NotePublic(
        id=n.id,
        disclosure=n.disclosure_id,
        kind=n.kind,
        topic=n.topic,
        text=n.text,
        sources=n.sources,
    )


def list_notes(session: Session, disclosure: str | None) -> list[NotePublic]:
    query = select(Note).order_by(col(Note.disclosure_id), col(Note.position))
    if disclosure is not None:
        query = query.where(Note.disclosure_id == disclosure)
    return [note_public(n) for n in session.exec(query).all()]


def source_public(s: Source) -> SourcePublic:
    return SourcePublic(
        id=s.id,
        disclosure=s.disclosure_id,
        publisher=s.publisher,
        title=s.title,
        url=s.url,
        date=s.date,
        kind=s.kind,
        note=s.note,
    )


def list_sources(session: Session, disclosure: str | None) -> list[SourcePublic]:
    query = select(Source).order_by(col(Source.disclosure_id), col(Source.position))
    if disclosure is not None:
        query = query.where(Source.disclosure_id == disclosure)
    return [source_public(s) for s in session.exec(query).all()]


def meta(session: Session, flagship: str) -> MetaPublic:
    disclosures = session.exec(select(Disclosure).order_by(Disclosure.id)).all()
    return MetaPublic(
        api_version="1",
        service_version=__version__,
        revision=revisions.read_id(session),
        flagship_disclosure=flagship,
        datasets=[
            DatasetMeta(
                id=d.id,
                version=d.version,
                revision=d.revision,
                last_updated=d.last_updated,
                licence=licence_public(d),
                figures=d.figure_count,
                cases=d.case_count,
                checks=d.check_count,
                sources=d.source_count,
            )
            for d in disclosures
        ],
    )


# ---------------------------------------------------------------- figures


@dataclass
class FigureContext:
    """What building public figures needs beyond the figure rows themselves."""

    reports: dict[str, list[FigureReport]] = field(default_factory=dict)
    sources: dict[str, Source] = field(default_factory=dict)
    disclosures: dict[str, Disclosure] = field(default_factory=dict)
    #: Where the absolute URLs start (service.urls.base_url).
    base_url: str = ""
    #: The dataset revision the figures are read from, which citations quote.
    revision: str = ""
    #: The figures that parts-only reports name, to say what such a source gave.
    parts: dict[str, Figure] = field(default_factory=dict)

    @classmethod
    def load(
        cls, session: Session, figures: Sequence[Figure], base_url: str = ""
    ) -> "FigureContext":
        ids = [f.id for f in figures]
        context = cls(base_url=base_url, revision=revisions.read_id(session))
        if not ids:
            return context
        for report in session.exec(
            select(FigureReport)
            .where(col(FigureReport.figure_id).in_(ids))
            .order_by(col(FigureReport.position))
        ).all():
            context.reports.setdefault(report.figure_id, []).append(report)
        named = {p for rs in context.reports.values() for r in rs for p in r.parts}
        if named:
            context.parts = {
                f.id: f for f in session.exec(select(Figure).where(col(Figure.id).in_(named)))
            }
        disclosure_ids = {f.disclosure_id for f in figures}
        context.sources = {
            s.id: s
            for s in session.exec(
                select(Source).where(col(Source.disclosure_id).in_(disclosure_ids))
            ).all()
        }
        context.disclosures = {
            d.id: d
            for d in session.exec(
                select(Disclosure).where(col(Disclosure.id).in_(disclosure_ids))
            ).all()
        }
        return context

    def gave(self, report: FigureReport) -> str:
        """What a parts-only report's source gave: '6 officers and 2 staff'."""
        if report.kind != "parts" or not all(p in self.parts for p in report.parts):
            return ""
        return citation.parts_given([self.parts[p] for p in report.parts])

    def disputed(self, figure_id: str) -> bool:
        return reading.disputed((r.value, r.min, r.max) for r in self.reports.get(figure_id, []))


def published_reading(figure: Figure, disputed: bool) -> dict[str, Any]:
    return reading.published(
        figure.value, figure.min, figure.max, figure.qualifier, is_disputed=disputed
    )


def with_words(published: dict[str, Any]) -> dict[str, Any]:
    """A published reading plus its `reading` text."""
    words = reading.headline(
        published["value"], published["min"], published["max"], published["qualifier"]
    )
    return {**published, "reading": words}


def figure_citation(figure: Figure, published: dict[str, Any], context: FigureContext) -> str:
    return citation.figure_citation(
        figure.id,
        figure.label,
        figure.derived,
        published,
        context.reports.get(figure.id, []),
        context.sources,
        context.disclosures[figure.disclosure_id],
        context.base_url,
        context.revision,
        context.parts,
    )


def figure_public(figure: Figure, context: FigureContext, *, cited: bool = True) -> FigurePublic:
    """The public figure; `cited=False` leaves its citation empty (comparing two revisions
    of a figure needs everything but the citation, which names the revision)."""
    disputed = context.disputed(figure.id)
    published = published_reading(figure, disputed)
    words = with_words(published)
    page_url = urls.absolute(context.base_url, urls.figure_page(figure.id), context.revision)
    reports = context.reports.get(figure.id, [])
    d = context.disclosures[figure.disclosure_id]
    title = f"{figure.label}: {words['reading']}"
    short = (
        citation.figure_short_citation(
            figure.derived, words["reading"], reports, context.sources, d, page_url
        )
        if cited
        else ""
    )
    return FigurePublic(
        id=figure.id,
        disclosure=figure.disclosure_id,
        measure=figure.measure,
        label=figure.label,
        force=figure.force,
        **{dim: getattr(figure, dim) for dim in DIMENSIONS},
        period=figure.period,
        unit=figure.unit,
        derived=figure.derived,
        disputed=disputed,
        note=figure.note,
        **words,
        reports=[
            ReportPublic(
                source=r.source_id,
                publisher=context.sources[r.source_id].publisher,
                value=r.value,
                min=r.min,
                max=r.max,
                qualifier=r.qualifier,
                reading=reading.report_headline(
                    r.kind, r.value, r.min, r.max, r.qualifier, context.gave(r)
                ),
                kind=r.kind,  # type: ignore[arg-type]  # the loader checks it
                parts=r.parts,
                note=r.note,
            )
            for r in context.reports.get(figure.id, [])
        ],
        page_url=page_url,
        json_url=urls.absolute(context.base_url, urls.figure(figure.id), context.revision),
        citation=figure_citation(figure, published, context) if cited else "",
        cite=citation.figure_csl(
            figure.id,
            title,
            context.reports.get(figure.id, []),
            context.sources,
            context.disclosures[figure.disclosure_id],
            context.base_url,
            context.revision,
        )
        if cited
        else [],
        cite_short=short,
        cite_short_csl=citation.short_csl(figure.id, title, short, d) if cited else [],
    )


def get_figure(session: Session, figure_id: str, base_url: str) -> FigurePublic:
    figure = by_id(session, Figure, figure_id)
    if figure is None:
        raise NotFound("figure", figure_id)
    return figure_public(figure, FigureContext.load(session, [figure], base_url))


def list_figures(
    session: Session,
    *,
    disclosure: str | None,
    measure: str | None,
    dimensions: Filters,
    disputed: bool | None,
    limit: int,
    offset: int,
    q: str | None = None,
    sort: str | None = None,
    base_url: str,
) -> tuple[list[FigurePublic], int]:
    window = figure_window(
        session,
        disclosure=disclosure,
        measure=measure,
        dimensions=dimensions,
        disputed=disputed,
        limit=limit,
        offset=offset,
        q=q,
        sort=sort,
        base_url=base_url,
    )
    return list(window.items), window.count


def figure_window(
    session: Session,
    *,
    disclosure: str | None,
    measure: str | None,
    dimensions: Filters,
    disputed: bool | None,
    limit: int,
    offset: int,
    q: str | None = None,
    sort: str | None = None,
    base_url: str = "",
    cursor: paging.Cursor | None = None,
) -> paging.Window:
    """A page of figures, filtered, ordered and paged in SQL (disputed too: see
    disputed_in_sql); only the page's figures are built."""
    cursor = where_cursor_is_now(session, Figure, cursor)
    query = figure_selection(session, disclosure, measure, dimensions, disputed, q)
    if measure is not None or dimensions or q is not None or disputed is not None:
        count, exact = paging.capped_count(session, query, col(Figure.id))
    else:  # every figure of the disclosure (or all): counted when the packages were loaded
        counted = select(func.coalesce(func.sum(Disclosure.figure_count), 0))
        if disclosure is not None:
            counted = counted.where(Disclosure.id == disclosure)
        count, exact = session.exec(counted).one(), True
    order = [col(Figure.disclosure_id), col(Figure.position), col(Figure.id)]
    if sort is not None:  # no index serves a chosen order: pages by offset only
        figures = list(
            session.exec(
                query.order_by(*sorted_by(Figure, sort), *order).offset(offset).limit(limit)
            ).all()
        )
        after = before = None
    else:
        figures, after, before = paging.keyset_page(
            session,
            query,
            order,
            lambda f: (f.disclosure_id, f.position, f.id),
            limit=limit,
            offset=offset,
            cursor=cursor,
        )
    context = FigureContext.load(session, figures, base_url)
    return paging.Window([figure_public(f, context) for f in figures], count, exact, after, before)


def figure_selection(
    session: Session,
    disclosure: str | None,
    measure: str | None,
    dimensions: Filters,
    disputed: bool | None,
    q: str | None,
) -> Any:
    """The figures a list's filters select, as a query (the list and its facets share it)."""
    query = select(Figure)
    if disclosure is not None:
        query = query.where(Figure.disclosure_id == disclosure)
    if measure is not None:
        # A measure of another disclosure matches nothing here; only an unknown one is wrong.
        # One index lookup tells which; listing the known measures reads every figure.
        stored = select(Figure.id).where(Figure.measure == measure).limit(1)
        if session.exec(stored).first() is None:
            raise InvalidParameter("measure", measure, measures(session, None))
        query = query.where(Figure.measure == measure)
    for dim, value in dimensions.items():
        query = query.where(getattr(Figure, dim) == value)
    if q is not None:
        query = query.where(text_match(q, Figure.label, Figure.note))
    if disputed is not None:
        # The disputed figures are few: their ids are read first and then looked up by
        # key, which every database plans as an index lookup (as an IN subquery, PostgreSQL
        # scanned the figures once the reports outnumbered its estimate).
        ids = list(session.exec(disagreeing_ids()).all())
        query = query.where(col(Figure.id).in_(ids) if disputed else col(Figure.id).not_in(ids))
    return query


#: The columns a figure list is faceted by, as the list filters them.
FIGURE_FACETS = ("disclosure_id", "measure", "force", *DIMENSIONS)


def figure_facets(session: Session, query: Any) -> dict[str, list[tuple[str, int]]]:
    """For each facet column, how many of the figures `query` selects (figure_selection)
    have each value (empty values left out), in value order; and under "disputed", how
    many the sources disagree on and how many they agree on."""
    found: dict[str, list[tuple[str, int]]] = {}
    for name in FIGURE_FACETS:
        column = getattr(Figure, name)
        grouped = (
            query.with_only_columns(column, func.count())
            .where(column.is_not(None))
            .group_by(column)
            .order_by(column)
        )
        found[name] = [(str(value), n) for value, n in session.execute(grouped).all()]
    everyone = session.execute(query.with_only_columns(func.count())).scalar_one()
    counted = query.with_only_columns(func.count()).where(disputed_in_sql())
    disagreeing = session.execute(counted).scalar_one()
    found["disputed"] = [
        (value, n) for value, n in (("true", disagreeing), ("false", everyone - disagreeing)) if n
    ]
    return found


def where_cursor_is_now(
    session: Session, table: type[Case] | type[Figure], cursor: paging.Cursor | None
) -> paging.Cursor | None:
    """The cursor at its row's place in the revision read. A cursor names a row by its
    place (disclosure, position, id) when the page was read; a load that adds or removes
    rows before it renumbers the rows after, and the old place would repeat or skip a row
    at the page's edge. A row since removed keeps its old place."""
    if cursor is None:
        return None
    position = session.exec(select(table.position).where(table.id == cursor.key[2])).first()
    if position is None or position == cursor.key[1]:
        return cursor
    return paging.Cursor((cursor.key[0], position, cursor.key[2]), cursor.backward)


def disputed_in_sql() -> ColumnElement[bool]:
    """A figure's sources disagree: its reports with a number give more than one
    (value, min, max), as reading.disputed decides in Python. The disputed figures are few,
    so they are found from the reports and then looked up by id."""
    return col(Figure.id).in_(disagreeing_ids())


def disagreeing_ids() -> Any:
    """The ids of the figures whose reports give more than one number (disputed_in_sql)."""
    r = FigureReport
    numbered = or_(col(r.value).is_not(None), col(r.min).is_not(None), col(r.max).is_not(None))
    reading_key: ColumnElement[str] = func.coalesce(cast(r.value, String), "")
    for bound in (r.min, r.max):
        reading_key = reading_key + "/" + func.coalesce(cast(bound, String), "")
    return (
        select(r.figure_id)
        .where(numbered)
        .group_by(col(r.figure_id))
        .having(func.count(distinct(reading_key)) > 1)
    )


def disputed_ids(session: Session, ids: Sequence[str]) -> set[str]:
    """Which of these figures the sources disagree on, from their reports' numbers alone."""
    numbers: dict[str, list[tuple[int | None, int | None, int | None]]] = {}
    for start in range(0, len(ids), IN_CHUNK):
        for figure_id, value, low, high in session.exec(
            select(
                FigureReport.figure_id, FigureReport.value, FigureReport.min, FigureReport.max
            ).where(col(FigureReport.figure_id).in_(ids[start : start + IN_CHUNK]))
        ):
            numbers.setdefault(figure_id, []).append((value, low, high))
    return {f for f, found in numbers.items() if reading.disputed(found)}


#: Ids bound in one IN (...): well inside SQLite's and PostgreSQL's limits on parameters.
IN_CHUNK = 5_000


def text_match(q: str, *columns: Any) -> ColumnElement[bool]:
    """Any of `columns` contains `q`, ignoring case (on SQLite, the case of ASCII letters);
    % and _ in q are literal."""
    needle = q.lower()
    return or_(*(func.lower(c).contains(needle, autoescape=True) for c in columns))


def sorted_by(table: Any, sort: str | None) -> list[Any]:
    """ORDER BY terms for `sort` (a field, `-field` for descending), nulls last; the caller
    appends the default order, which breaks ties stably."""
    if sort is None:
        return []
    descending = sort.startswith("-")
    if sort.lstrip("-") == "count":  # a figure's reading: its low end, then its high end
        low = func.coalesce(table.value, table.min)
        high = func.coalesce(table.value, table.max, table.min)
        return [low.is_(None), *(t.desc() if descending else t.asc() for t in (low, high))]
    column = getattr(table, sort.lstrip("-"))
    return [column.is_(None), column.desc() if sort.startswith("-") else column.asc()]


def figure_ids(session: Session) -> list[tuple[str, str]]:
    """Every figure's id and its disclosure's, by id (the sitemap lists their pages)."""
    rows = session.exec(select(Figure.id, Figure.disclosure_id).order_by(col(Figure.id)))
    return [(figure, disclosure) for figure, disclosure in rows.all()]


def list_measures(session: Session, disclosure: str | None) -> list[MeasurePublic]:
    """Every measure with figures (in one disclosure, if given), by id; counted in SQL."""
    dims = [getattr(Figure, d) for d in DIMENSIONS]
    query = (
        select(
            Figure.measure,
            Figure.disclosure_id,
            Figure.unit,
            func.count(),
            *(func.count(d) for d in dims),  # how many figures break down by each dimension
        )
        .group_by(Figure.measure, Figure.disclosure_id, Figure.unit)
        .order_by(col(Figure.measure), col(Figure.disclosure_id), col(Figure.unit))
    )
    if disclosure is not None:
        query = query.where(Figure.disclosure_id == disclosure)
    found: dict[str, list[tuple[Any, ...]]] = {}
    for row in session.exec(query).all():
        found.setdefault(row[0], []).append(tuple(row))
    declared = {m.code: m for m in MEASURES}
    result = []
    for measure, groups in found.items():
        term = declared.get(measure, Term(measure, measure, "Not described yet."))
        result.append(
            MeasurePublic(
                id=measure,
                label=term.label,
                meaning=term.meaning,
                units=sorted({g[2] for g in groups}),
                disclosures=list(dict.fromkeys(g[1] for g in groups)),
                dimensions=[d for i, d in enumerate(DIMENSIONS) if any(g[4 + i] for g in groups)],
                figure_count=sum(g[3] for g in groups),
            )
        )
    return result


def measures(session: Session, disclosure: str | None) -> list[str]:
    query = select(Figure.measure).distinct().order_by(Figure.measure)
    if disclosure is not None:
        query = query.where(Figure.disclosure_id == disclosure)
    return list(session.exec(query).all())


# ---------------------------------------------------------------- checks


def _term_public(term: CheckTerm, figure: Figure, context: FigureContext) -> CheckTermPublic:
    if term.source_id is not None:
        report = next(r for r in context.reports[figure.id] if r.source_id == term.source_id)
        published = reading.published(
            report.value, report.min, report.max, report.qualifier, is_disputed=False
        )
    else:
        published = published_reading(figure, context.disputed(figure.id))
    return CheckTermPublic(figure=figure.id, label=figure.label, source=term.source_id, **published)


def _interval(term: CheckTermPublic) -> reading.Interval:
    return reading.Interval.of(term.value, term.min, term.max)


def evaluate_checks(
    session: Session, disclosure: str, only_figures: Iterable[str] | None = None
) -> list[CheckPublic]:
    """Every check of a disclosure (or those touching `only_figures`), evaluated now."""
    checks = session.exec(
        select(Check).where(Check.disclosure_id == disclosure).order_by(col(Check.position))
    ).all()
    terms: dict[str, list[CheckTerm]] = {}
    for term in session.exec(
        select(CheckTerm)
        .where(col(CheckTerm.check_id).in_([c.id for c in checks]))
        .order_by(col(CheckTerm.position))
    ).all():
        terms.setdefault(term.check_id, []).append(term)
    if only_figures is not None:
        wanted = set(only_figures)
        checks = [c for c in checks if any(t.figure_id in wanted for t in terms.get(c.id, []))]
    figure_ids = {t.figure_id for c in checks for t in terms[c.id]}
    figures = {
        f.id: f for f in session.exec(select(Figure).where(col(Figure.id).in_(figure_ids))).all()
    }
    context = FigureContext.load(session, list(figures.values()))
    results = []
    for check in checks:
        publics = [
            (t.role, _term_public(t, figures[t.figure_id], context)) for t in terms[check.id]
        ]
        total = next(p for role, p in publics if role == "total")
        parts = [p for role, p in publics if role == "part"]
        outcome = evaluate(_interval(total), [_interval(p) for p in parts])
        results.append(
            CheckPublic(
                id=check.id,
                disclosure=check.disclosure_id,
                title=check.title,
                note=check.note,
                status=outcome.status,
                total=total,
                parts=parts,
                parts_min=outcome.parts.low,
                parts_max=outcome.parts.high,
                difference_min=outcome.difference_min,
                difference_max=outcome.difference_max,
                gap=outcome.gap,
                explanation=outcome.explanation,
            )
        )
    return results


# ---------------------------------------------------------------- aggregates


def _sort_key(by: Sequence[str]) -> Any:
    def key(row: AggregateRow) -> tuple[int, ...]:
        values = []
        for dim in by:
            value = getattr(row, dim)
            values.append(value if dim == "year" else ORDER[dim].get(value, 999))
        return tuple(values)

    return key


def _matching(figures: Iterable[Figure], by: Sequence[str], filters: Filters) -> list[Figure]:
    """Figures broken down by exactly `by`, within `filters`, and by nothing else."""
    chosen = []
    for figure in figures:
        ok = True
        for dim in DIMENSIONS:
            value = getattr(figure, dim)
            if dim in filters:
                ok = value == filters[dim]
            elif dim in by:
                ok = value is not None
            else:
                ok = value is None
            if not ok:
                break
        if ok:
            chosen.append(figure)
    return chosen


def _row(figure: Figure, context: FigureContext, part_of: str | None = None) -> AggregateRow:
    disputed = context.disputed(figure.id)
    return AggregateRow(
        part_of=part_of,
        **{dim: getattr(figure, dim) for dim in DIMENSIONS},
        figure=figure.id,
        label=figure.label,
        unit=figure.unit,
        derived=figure.derived,
        disputed=disputed,
        **with_words(published_reading(figure, disputed)),
    )


def aggregate(
    session: Session,
    disclosure_id: str,
    by: list[str],
    measure: str | None,
    filters: Filters,
    base_url: str,
) -> AggregatePublic:
    d = by_id(session, Disclosure, disclosure_id)
    if d is None:
        raise NotFound("disclosure", disclosure_id)
    grouping = ",".join(by)
    declared = next((a for a in d.aggregate_defaults if a["by"] == grouping), None)
    known = measures(session, disclosure_id)
    if measure is None:
        if declared is None:
            raise NoHeadline(disclosure_id, grouping, known)
        measure = str(declared["measure"])
    elif measure not in measures(session, None):
        raise InvalidParameter("measure", measure, measures(session, None))
    if declared is not None and declared["measure"] == measure:
        filters = {**declared.get("filters", {}), **filters}
    wanted = {measure}
    if declared is not None and "total_measure" in declared:
        wanted.add(str(declared["total_measure"]))
    figures = session.exec(
        select(Figure)
        .where(Figure.disclosure_id == disclosure_id, col(Figure.measure).in_(wanted))
        .order_by(col(Figure.position))
    ).all()
    rows_figures = _matching((f for f in figures if f.measure == measure), by, filters)
    total_figure = None
    if declared is not None and declared["measure"] == measure and "total_measure" in declared:
        total_figure = next(
            iter(
                _matching(
                    (f for f in figures if f.measure == declared["total_measure"]), [], filters
                )
            ),
            None,
        )
    chosen = [*rows_figures, *([total_figure] if total_figure else [])]
    context = FigureContext.load(session, chosen, base_url)
    part_of = composition_of(session, chosen).part_of if chosen else {}
    rows = sorted((_row(f, context, part_of.get(f.id)) for f in rows_figures), key=_sort_key(by))
    # Credit only sources that printed a number, a range, words or the parts of these, and
    # first those that printed the numbers drawn.
    credited = citation.drawn_first(
        (r for f in chosen for r in context.reports.get(f.id, [])), context.sources
    )
    revision = revisions.read_id(session)
    return AggregatePublic(
        disclosure=disclosure_id,
        measure=measure,
        by=by,
        filters=filters,
        rows=rows,
        total=_row(total_figure, context, part_of.get(total_figure.id)) if total_figure else None,
        checks=evaluate_checks(session, disclosure_id, [f.id for f in chosen]),
        sources=[source_public(s) for s in credited],
        citation=citation.response_citation(credited, d, base_url, revision),
        cite=citation.dataset_csl(
            f"{d.id}.{measure}.by-{grouping.replace(',', '-')}",
            f"{d.title}: {grouped_title(measure, grouping)}",
            urls.disclosure_page(d.id),
            credited,
            d,
            base_url,
            revision,
        ),
        revision=d.revision,
        dataset_revision=revision,
    )


#: A figure's own period when it names its years: "2009 to 2012", "2009 to early 2013".
_PERIOD_YEARS = re.compile(r"^(\d{4}) to (?:early |late |mid-)?(\d{4})$")


def _period_years(period: str | None) -> tuple[str, str] | None:
    """The first and last year a figure's own period names, when it reads as a span of
    years (the 2013 officer figures cover 2009 to 2012, their disclosure to early 2013)."""
    found = _PERIOD_YEARS.match(period or "")
    return None if found is None else (found[1], found[2])


def grouped_title(measure: str, grouping: str) -> str:
    """'people by outcome' for people_by_outcome grouped by outcome (not 'people by outcome by
    outcome'); 'investigated by platform' otherwise."""
    said = measure.replace("_", " ")
    by = grouping.replace("_", " ").replace(",", " and ")
    return said if said.endswith(f" by {by}") else f"{said} by {by}"


def disclosure_citations(
    session: Session, base_url: str, only: str | None = None
) -> list[tuple[Disclosure, str]]:
    """Each disclosure (or only one) with its printable citation, crediting the sources that
    printed one of its figures (or its parts); an answer of cases alone, which has no
    figures, credits every source it lists (what its cases cite)."""
    printing = set(
        session.exec(
            select(FigureReport.source_id).where(FigureReport.kind != "named_without_count")
        ).all()
    )
    sources = session.exec(select(Source).order_by(col(Source.position))).all()
    query = select(Disclosure).order_by(col(Disclosure.id))
    if only is not None:
        query = query.where(Disclosure.id == only)
    found = []
    for d in session.exec(query).all():
        own = [s for s in sources if s.disclosure_id == d.id]
        credited = [s for s in own if s.id in printing] or (own if d.figure_count == 0 else [])
        found.append(
            (d, citation.response_citation(credited, d, base_url, revisions.read_id(session)))
        )
    return found


def cite_disclosure(session: Session, disclosure_id: str, base_url: str) -> str:
    found = disclosure_citations(session, base_url, only=disclosure_id)
    if not found:
        raise NotFound("disclosure", disclosure_id)
    return found[0][1]


# ---------------------------------------------------------------- taxonomies


def taxonomy(session: Session, disclosure_id: str, dimension: str) -> list[TaxonomyEntry]:
    """Each code of a taxonomy with the disclosure's headline figures for it."""
    d = by_id(session, Disclosure, disclosure_id)
    if d is None:
        raise NotFound("disclosure", disclosure_id)
    declared = {a["by"]: a["measure"] for a in d.aggregate_defaults}
    measure = declared.get(f"staff_type,{dimension}") or declared.get(dimension)
    counts: dict[str, list[TaxonomyCount]] = {}
    if measure is not None:
        figures = session.exec(
            select(Figure)
            .where(Figure.disclosure_id == disclosure_id, Figure.measure == measure)
            .order_by(col(Figure.position))
        ).all()
        chosen = [
            *_matching(figures, ["staff_type", dimension], {}),
            *_matching(figures, [dimension], {}),
        ]
        context = FigureContext.load(session, chosen)
        part_of = parts_of(session, [f.id for f in chosen])
        for figure in chosen:
            disputed = context.disputed(figure.id)
            counts.setdefault(getattr(figure, dimension), []).append(
                TaxonomyCount(
                    staff_type=figure.staff_type,
                    figure=figure.id,
                    part_of=part_of.get(figure.id),
                    disputed=disputed,
                    **with_words(published_reading(figure, disputed)),
                )
            )
    return [
        TaxonomyEntry(
            code=t.code,
            label=t.label,
            meaning=t.meaning,
            order=i + 1,
            counts=counts.get(t.code, []),
            totals=[c for c in counts.get(t.code, []) if c.staff_type is None],
            breakdown=[c for c in counts.get(t.code, []) if c.staff_type is not None],
        )
        for i, t in enumerate(TAXONOMIES[dimension])
    ]


# ---------------------------------------------------------------- cases


def case_public(c: Case) -> CasePublic:
    return CasePublic(
        id=c.id,
        disclosure=c.disclosure_id,
        staff_type=c.staff_type,
        rank=c.rank,
        year=c.year,
        platform=c.platform,
        allegation=c.allegation,
        outcome=c.outcome,
        summary=c.summary,
        in_foi_answer=c.in_foi_answer,
        sources=c.sources,
        note=c.note,
    )


#: A text search first tests the text of at most this many cases of its list, in page order,
#: without the text index. A term most cases hold fills its page from them, where the index
#: would first list every case holding it (a million for a common word: seconds).
TEXT_WALK = 2_000


def list_cases(
    session: Session,
    *,
    disclosure: str | None,
    filters: Filters,
    limit: int,
    offset: int,
    q: str | None = None,
    sort: str | None = None,
    cursor: paging.Cursor | None = None,
) -> paging.Window:
    """A page of cases in (disclosure, position, id) order, read from the live-row index
    that serves its filter (migration 0005_live_indexes); `sort` orders by a field first."""
    cursor = where_cursor_is_now(session, Case, cursor)
    query = select(Case)
    if disclosure is not None:
        query = query.where(Case.disclosure_id == disclosure)
    for dim, value in filters.items():
        query = query.where(getattr(Case, dim) == value)
    order = [col(Case.disclosure_id), col(Case.position), col(Case.id)]
    walkable = q is not None and _walkable(session, q) and sort is None and offset == 0
    if q is not None and walkable:
        counted = _common_text_count(session, query, q, order)
        count, exact = counted if counted is not None else _text_count(session, query, q)
    elif q is not None:
        count, exact = _text_count(session, query, q)
    elif filters:
        count, exact = paging.capped_count(session, query, col(Case.id))
    else:  # every case of the disclosure (or all): counted when the packages were loaded
        counted_all = select(func.coalesce(func.sum(Disclosure.case_count), 0))
        if disclosure is not None:
            counted_all = counted_all.where(Disclosure.id == disclosure)
        count, exact = session.exec(counted_all).one(), True
    if sort is not None:  # no index serves a chosen order: pages by offset only
        if q is not None:
            query = query.where(search.case_text(session, q))
        rows = session.exec(
            query.order_by(*sorted_by(Case, sort), *order).offset(offset).limit(limit)
        ).all()
        return paging.Window([case_public(c) for c in rows], count, exact)
    if q is not None and walkable:
        page = _common_text_page(session, query, q, order, limit, cursor)
        if page is not None:
            return paging.Window([case_public(c) for c in page[0]], count, exact, *page[1:])
    if q is not None:
        query = query.where(search.case_text(session, q))
    rows, after, before = paging.keyset_page(
        session,
        query,
        order,
        lambda c: (c.disclosure_id, c.position, c.id),
        limit=limit,
        offset=offset,
        cursor=cursor,
    )
    return paging.Window([case_public(c) for c in rows], count, exact, after, before)


def _walkable(session: Session, q: str) -> bool:
    """Whether testing a case's text directly finds what the text index finds: always on
    PostgreSQL (both are its lower() and LIKE); on SQLite for ASCII text only, as its lower()
    folds only ASCII letters where FTS5 folds every letter."""
    return session.get_bind().dialect.name != "sqlite" or q.isascii()


def _text_count(session: Session, query: Any, q: str) -> tuple[int, bool]:
    return paging.capped_count(session, query.where(search.case_text(session, q)), col(Case.id))


def _holding(q: str, case: Any) -> ColumnElement[bool]:
    return text_match(q, case.summary, case.note)


def _walk(query: Any, order: list[Any], rows: int, backward: bool = False) -> tuple[Any, Any]:
    """The first `rows` cases of `query` in `order` (the last, backward) as a subquery read
    from the order index, and the Case entity over it. Its LIMIT keeps the text test outside
    it, so that no planner swaps the walk for the text index."""
    steps = [c.desc() for c in order] if backward else order
    prefix = query.order_by(*steps).limit(rows).subquery()
    return prefix, aliased(Case, prefix)


def _walked(session: Session, prefix: Any, case: Any, q: str) -> tuple[int, int]:
    """How many cases the walk read, and how many of them hold `q`: one pass."""
    read, holding = session.execute(
        select(func.count(), func.count().filter(_holding(q, case))).select_from(prefix)
    ).one()
    return int(read), int(holding)


def _common_text_count(
    session: Session, query: Any, q: str, order: list[Any]
) -> tuple[int, bool] | None:
    """The capped count of a text search from the list's first cases, without the text
    index, when they decide it: the whole list is in the first TEXT_WALK, or at least half of
    those hold `q`, so that a walk of twice the cap finds more than the cap (or the list's
    end). None when the text index must count."""
    for rows in (TEXT_WALK, 2 * (paging.COUNT_CAP + 1)):
        read, holding = _walked(session, *_walk(query, order, rows), q)
        if holding > paging.COUNT_CAP:
            return paging.COUNT_CAP, False
        if read < rows:  # the list's end
            return holding, True
        if holding * 2 < rows:
            return None
    return None


def _common_text_page(
    session: Session,
    query: Any,
    q: str,
    order: list[Any],
    limit: int,
    cursor: paging.Cursor | None,
) -> tuple[list[Case], paging.Cursor | None, paging.Cursor | None] | None:
    """The page of a text search from the TEXT_WALK cases after (or before) `cursor`, read in
    page order without the text index, when they hold the page (limit + 1 matches, or the
    list's end); None when the text index must find it."""
    backward = cursor is not None and cursor.backward
    if cursor is not None:
        keys = tuple_(*order)
        query = query.where(keys < tuple_(*cursor.key) if backward else keys > tuple_(*cursor.key))
    prefix, case = _walk(query, order, TEXT_WALK, backward)
    steps = [getattr(case, c.key) for c in order]
    matching = select(case).where(_holding(q, case))
    matching = matching.order_by(*(c.desc() for c in steps) if backward else steps)
    rows = list(session.exec(matching.limit(limit + 1)).all())
    if len(rows) <= limit:
        read = session.execute(select(func.count()).select_from(prefix)).scalar_one()
        if read == TEXT_WALK:
            return None
    more = len(rows) > limit
    rows = rows[:limit][::-1] if backward else rows[:limit]
    if not rows:
        return rows, None, None

    def key(c: Case) -> paging.Key:
        return (c.disclosure_id, c.position, c.id)

    further, earlier = (True, more) if backward else (more, cursor is not None)
    after = paging.Cursor(key(rows[-1])) if further else None
    before = paging.Cursor(key(rows[0]), backward=True) if earlier else None
    return rows, after, before


def get_case(session: Session, case_id: str) -> CasePublic:
    case = by_id(session, Case, case_id)
    if case is None:
        raise NotFound("case", case_id)
    return case_public(case)


# ---------------------------------------------------------------- series


def _series_measure(session: Session, measure: str) -> None:
    known = measures(session, None)
    if measure in known:
        return
    detail = None
    prefix, _, rest = measure.partition("_")
    staff_type = {"officers": "police_officer", "staff": "civilian_staff"}.get(prefix)
    if staff_type is not None and rest in known:
        detail = (
            f"{measure!r} is not a measure. Measures are shared by officers and staff; "
            f"filter by staff type instead: measure={rest}&staff_type={staff_type}."
        )
    raise InvalidParameter("measure", measure, known, detail=detail)


def _series_filter(filters: Filters) -> list[ColumnElement[bool]]:
    """Dimensions named in filters must match; the others may hold anything, so that no
    default hides a figure: what may stand together is composition's to say."""
    return [col(getattr(Figure, dim)) == value for dim, value in filters.items()]


def composition_of(session: Session, figures: Sequence[Figure]) -> composition.Composition:
    """The groups these figures may stand in, and every part's total, from their
    disclosures, the other figures of their measures and the checks' total/part terms."""
    disclosure_ids = {f.disclosure_id for f in figures}
    disclosures = {
        d.id: d
        for d in session.exec(select(Disclosure).where(col(Disclosure.id).in_(disclosure_ids)))
    }
    candidates = session.exec(
        select(Figure).where(
            col(Figure.disclosure_id).in_(disclosure_ids),
            col(Figure.measure).in_({f.measure for f in figures}),
        )
    ).all()
    ids = {f.id for f in figures}
    terms = session.exec(
        select(CheckTerm).where(col(CheckTerm.disclosure_id).in_(disclosure_ids))
    ).all()
    totals = {t.check_id: t.figure_id for t in terms if t.role == "total"}
    check_totals: dict[str, list[str]] = {}
    for term in sorted(terms, key=lambda t: (t.check_id, t.position)):
        total = totals.get(term.check_id)
        if term.role == "part" and term.figure_id in ids and total is not None:
            check_totals.setdefault(term.figure_id, []).append(total)
    return composition.compose(figures, candidates, check_totals, disclosures)


def parts_of(session: Session, figure_ids: Iterable[str]) -> dict[str, str]:
    """Each of these figures that is a part of another figure of its measure, mapped to
    that total (see service.composition)."""
    ids = set(figure_ids)
    figures = session.exec(select(Figure).where(col(Figure.id).in_(ids))).all()
    return composition_of(session, figures).part_of if figures else {}


def _one_grain(figures: list[Figure], part_of: dict[str, str], grain: str) -> list[Figure]:
    """All figures (the default), only those that are no part of another shown, or only the
    yearly ones."""
    if grain == "year":
        return [f for f in figures if f.year is not None]
    if grain == "total":
        shown = {f.id for f in figures}
        return [f for f in figures if part_of.get(f.id) not in shown]
    return figures


def series(
    session: Session,
    measure: str,
    filters: Filters,
    *,
    grain: str = "all",
    limit: int,
    offset: int,
    base_url: str,
) -> tuple[list[SeriesPoint], int, list[SeriesGroup]]:
    """Every disclosure's figures of one measure, in the groups that may stand together.

    Groups are ordered by the first year they cover; within a group, points by the start
    of the period they cover, then its end, then disclosure id and the figure's place in
    its package. A line may join points of a group, never points of two groups; a part
    names its total in `part_of`.
    """
    _series_measure(session, measure)
    figures = list(
        session.exec(
            select(Figure).where(Figure.measure == measure, *_series_filter(filters))
        ).all()
    )
    composed = composition_of(session, figures)
    if grain != "all":
        figures = _one_grain(figures, composed.part_of, grain)
        composed = composition_of(session, figures)
    context = FigureContext.load(session, figures, base_url)
    rank = {g.id: n for n, g in enumerate(composed.groups)}

    def span(figure: Figure) -> tuple[str | None, str | None]:
        if figure.year is not None:
            return str(figure.year), str(figure.year)
        years = _period_years(figure.period)
        if years is not None:
            return years
        d = context.disclosures[figure.disclosure_id]
        return d.period_start, d.period_end

    def order(figure: Figure) -> tuple[Any, ...]:
        start, end = span(figure)
        return (
            rank[composed.group_of[figure.id]],
            start is None,
            start or "",
            end is None,
            end or "",
            figure.disclosure_id,
        )

    figures.sort(key=lambda f: (*order(f), f.position))
    points = []
    for figure in figures[offset : offset + limit]:
        d = context.disclosures[figure.disclosure_id]
        disputed = context.disputed(figure.id)
        published = published_reading(figure, disputed)
        start, end = span(figure)
        points.append(
            SeriesPoint(
                disclosure=figure.disclosure_id,
                group=composed.group_of[figure.id],
                group_label=composed.group(composed.group_of[figure.id]).label,
                figure=figure.id,
                part_of=composed.part_of.get(figure.id),
                measure=figure.measure,
                label=figure.label,
                period=figure.period or d.period_description,
                period_start=start,
                period_end=end,
                force=figure.force,
                **{dim: getattr(figure, dim) for dim in DIMENSIONS},
                **with_words(published),
                unit=figure.unit,
                derived=figure.derived,
                disputed=disputed,
                counts=d.counts,
                comparability=d.comparability,
                citation=figure_citation(figure, published, context),
            )
        )
    groups = [
        SeriesGroup(
            id=g.id,
            label=g.label,
            reason=g.reason,
            disclosures=g.disclosures,
            figures=g.figures,
        )
        for g in composed.groups
    ]
    return points, len(figures), groups
