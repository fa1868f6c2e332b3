"""Notes: what a disclosure's sources say beside its figures."""

from sqlmodel import Session, col, select

from service.schemas import NotePublic
from service.tables import Note


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
