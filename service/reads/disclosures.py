"""Disclosures: each FOI answer, its sources, notes and citation."""

from typing import Any

from sqlmodel import Session, col, select

from service import citation, revisions
from service.errors import CannotCombine, InvalidParameter, NotFound
from service.reads.common import by_id
from service.reads.notes import note_public
from service.schemas import (
    AggregateDefault,
    DisclosureDetail,
    DisclosurePublic,
    LicencePublic,
    SourcePublic,
)
from service.tables import Disclosure, FigureReport, Note, Source


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
