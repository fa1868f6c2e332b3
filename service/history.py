"""What changed between revisions: each revision's figure changes, a figure's history and
the list of revisions, all derived from the versions of the rows themselves.

A figure changed in a revision when a version of it, or of one of its reports, starts or
ends there and the figure as published (its reading, reports, labels and notes) differs
from the revision before. The loader, `met-foi diff`, /v1/revisions, the changes feed and
each figure's history all ask this one module.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlmodel import Session, col, or_, select

from service import revisions
from service.errors import NotFound
from service.reads.common import FigureContext, figure_public
from service.schemas import (
    FigureChange,
    FigureHistoryEntry,
    FigurePublic,
    FigureReading,
    RevisionDetail,
    RevisionPackage,
    RevisionPublic,
)
from service.tables import Figure, FigureReport, Revision

#: What a figure's change is judged on: everything it publishes but its citation, which
#: names the revision and so differs in every one.
NOT_COMPARED = {"citation", "cite", "cite_short", "cite_short_csl", "page_url", "json_url"}


def changes_in(
    session: Session, seq: int, only: Iterable[str] | None = None, limit: int | None = None
) -> list[FigureChange]:
    """Every figure (or those of `only`, or the first `limit` in package order) that
    changed in revision number `seq`."""
    touched = _touched(session, [seq], only)[:limit]
    if not touched:
        return []
    before = _published(session, seq - 1, touched) if seq > 1 else {}
    after = _published(session, seq, touched)
    found = []
    for figure_id in touched:
        change = _change(figure_id, before.get(figure_id), after.get(figure_id))
        if change is not None:
            found.append(change)
    return found


def change_counts(session: Session, seq: int) -> tuple[int, int, int]:
    """How many figures revision number `seq` added, changed and removed: what changes_in
    would list, counted without building the figures that only came or went (a first load
    of ten thousand figures builds none)."""
    touched = _touched(session, [seq], None)
    if not touched:
        return 0, 0, 0
    before = _live(session, seq - 1, touched) if seq > 1 else set()
    after = _live(session, seq, touched)
    both = sorted(before & after)
    changed = 0
    if both:
        old, new = _published(session, seq - 1, both), _published(session, seq, both)
        changed = sum(_change(i, old[i], new[i]) is not None for i in both)
    return len(after - before), changed, len(before - after)


def _live(session: Session, seq: int, ids: list[str]) -> set[str]:
    with revisions.reading_at(session, seq):
        return set(session.exec(select(Figure.id).where(col(Figure.id).in_(ids))).all())


def _touched(session: Session, seqs: Sequence[int], only: Iterable[str] | None) -> list[str]:
    """Ids of figures with a version of theirs or of a report starting or ending in `seqs`,
    in package order."""
    ids = None if only is None else list(only)
    with revisions.every_version(session):
        figures = select(Figure.id, Figure.disclosure_id, Figure.position).where(
            or_(col(Figure.rev_from).in_(seqs), col(Figure.rev_to).in_(seqs))
        )
        reports = select(FigureReport.figure_id).where(
            or_(col(FigureReport.rev_from).in_(seqs), col(FigureReport.rev_to).in_(seqs))
        )
        if ids is not None:
            figures = figures.where(col(Figure.id).in_(ids))
            reports = reports.where(col(FigureReport.figure_id).in_(ids))
        placed = {f: (d, p) for f, d, p in session.exec(figures).all()}
        rest = set(session.exec(reports).all()) - set(placed)
        if rest:
            # A figure whose reports changed but whose own row did not: place it by any version.
            for f, d, p in session.exec(
                select(Figure.id, Figure.disclosure_id, Figure.position).where(
                    col(Figure.id).in_(rest)
                )
            ).all():
                placed.setdefault(f, (d, p))
    return sorted(placed, key=lambda f: (*placed[f], f))


def _published(session: Session, seq: int, ids: list[str]) -> dict[str, FigurePublic]:
    """The figures with these ids as revision number `seq` published them."""
    with revisions.reading_at(session, seq):
        figures = session.exec(select(Figure).where(col(Figure.id).in_(ids))).all()
        context = FigureContext.load(session, figures)
        return {f.id: figure_public(f, context, cited=False) for f in figures}


def _reading(figure: FigurePublic) -> FigureReading:
    return FigureReading.model_validate(figure.model_dump(include=set(FigureReading.model_fields)))


def _changed_fields(before: FigurePublic, after: FigurePublic) -> list[str]:
    old = before.model_dump(exclude=NOT_COMPARED)
    new = after.model_dump(exclude=NOT_COMPARED)
    return [name for name in new if old[name] != new[name]]


def _change(
    figure_id: str, before: FigurePublic | None, after: FigurePublic | None
) -> FigureChange | None:
    if before is None or after is None:
        shown = after or before
        if shown is None:
            return None
        change: Literal["added", "changed", "removed"] = "added" if before is None else "removed"
        fields: list[str] = []
    else:
        shown, change, fields = after, "changed", _changed_fields(before, after)
        if not fields:
            return None
    return FigureChange(
        figure=figure_id,
        disclosure=shown.disclosure,
        label=shown.label,
        change=change,
        before=None if before is None else _reading(before),
        after=None if after is None else _reading(after),
        fields=fields,
    )


# ---------------------------------------------------------------- a figure's history


def figure_history(session: Session, figure_id: str) -> list[FigureHistoryEntry]:
    """Each revision, up to the one the session reads, in which the figure changed, oldest
    first; 404 for an id that no revision ever had."""
    with revisions.every_version(session):
        bounds: list[tuple[int, int | None]] = [
            *session.exec(select(Figure.rev_from, Figure.rev_to).where(Figure.id == figure_id)),
            *session.exec(
                select(FigureReport.rev_from, FigureReport.rev_to).where(
                    FigureReport.figure_id == figure_id
                )
            ),
        ]
    if not bounds:
        raise NotFound("figure", figure_id)
    up_to = revisions.read_seq(session)
    seqs = sorted({s for pair in bounds for s in pair if s is not None})
    seqs = [s for s in seqs if up_to is None or s <= up_to]
    by_seq = {r.seq: r for r in session.exec(select(Revision).where(col(Revision.seq).in_(seqs)))}
    entries = []
    for seq in seqs:
        for change in changes_in(session, seq, [figure_id]):
            revision = by_seq[seq]
            entries.append(
                FigureHistoryEntry(
                    revision=revision.id,
                    number=revision.seq,
                    published=revision.published,
                    note=package_note(revision, change.disclosure),
                    change=change.change,
                    reading=change.after,
                    previous=change.before,
                    fields=change.fields,
                )
            )
    return entries


def package_note(revision: Revision, disclosure: str) -> str:
    """What a revision says of one package: its notes, else the revision's own note."""
    for package in revision.packages:
        if package["disclosure"] == disclosure:
            return " ".join(package["notes"])
    return revision.note


# ---------------------------------------------------------------- the revisions


def _visible(session: Session) -> Any:
    """Revisions up to the one the session reads: a pinned answer never lists a later one."""
    query = select(Revision)
    up_to = revisions.read_seq(session)
    if up_to is not None:
        query = query.where(Revision.seq <= up_to)
    return query


def list_revisions(session: Session, limit: int, offset: int) -> tuple[list[RevisionPublic], int]:
    """The revisions, newest first, up to the one the session reads."""
    rows = session.exec(_visible(session).order_by(col(Revision.seq).desc())).all()
    ids = {r.seq: r.id for r in rows}
    page = rows[offset : offset + limit]
    return [revision_public(r, ids.get(r.seq - 1)) for r in page], len(rows)


def revision_public(revision: Revision, previous: str | None) -> RevisionPublic:
    return RevisionPublic(
        id=revision.id,
        number=revision.seq,
        published=revision.published,
        previous=previous,
        note=revision.note,
        packages=[RevisionPackage.model_validate(p) for p in revision.packages],
        figures_added=revision.figures_added,
        figures_changed=revision.figures_changed,
        figures_removed=revision.figures_removed,
    )


def revision_detail(session: Session, given: str) -> RevisionDetail:
    """One revision, named by id or prefix, with every figure that changed in it; a pinned
    session does not see revisions after its own."""
    revision = revisions.resolve(session, given)
    up_to = revisions.read_seq(session)
    if up_to is not None and revision.seq > up_to:
        raise NotFound("revision", given)
    previous = session.exec(select(Revision.id).where(Revision.seq == revision.seq - 1)).first()
    return RevisionDetail(
        **revision_public(revision, previous).model_dump(),
        changes=changes_in(session, revision.seq),
    )


@dataclass(frozen=True)
class Announced:
    """A revision as the changes feed announces it: the first changes, and how many more."""

    revision: RevisionPublic
    changes: list[FigureChange]
    more: int


def recent(session: Session, count: int, changes: int) -> list[Announced]:
    """The newest `count` revisions up to the one the session reads, each with its first
    `changes` figure changes (a first load of thousands of figures is not read whole)."""
    rows = session.exec(_visible(session).order_by(col(Revision.seq).desc()).limit(count + 1)).all()
    ids = {r.seq: r.id for r in rows}
    found = []
    for r in rows[:count]:
        listed = changes_in(session, r.seq, limit=changes)
        total = r.figures_added + r.figures_changed + r.figures_removed
        found.append(
            Announced(revision_public(r, ids.get(r.seq - 1)), listed, max(0, total - len(listed)))
        )
    return found
