"""Shared by the reads: one row by id, a figure as published (FigureContext,
figure_public), what may stand together (composition_of), and the SQL pieces lists share.

Nothing in service.reads imports FastAPI: invalid input is reported by raising the typed
errors in service.errors, which the web layer turns into problem responses.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, func, or_
from sqlmodel import Session, col, select

from service import citation, composition, paging, reading, revisions, urls
from service.schemas import FigurePublic, ReportPublic
from service.tables import Case, CheckTerm, Disclosure, Figure, FigureReport, Source
from service.taxonomy import DIMENSIONS

Filters = dict[str, str | int]


T = TypeVar("T")


def by_id(session: Session, table: type[T], identifier: str) -> T | None:
    """The row with this id in the revision the session reads."""
    return session.exec(select(table).where(col(table.id) == identifier)).first()  # type: ignore[attr-defined]


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


def matching(figures: Iterable[Figure], by: Sequence[str], filters: Filters) -> list[Figure]:
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
