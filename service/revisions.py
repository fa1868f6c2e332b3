"""Revisions: the published states of the dataset, and which one a session reads.

A revision is one load that changed at least one package. Its id is a hash of the
revision before it and of every package's revision (a hash of its files), so the same
history gives the same ids anywhere. A session reads the newest revision unless it is
pinned to one (service.tables.one_revision applies the choice to every read).

A request names a revision by its id or an unambiguous prefix of 8 or more characters. The
ids that citations printed before revisions were kept were package revisions; those are
accepted too, and name the first revision that published that package revision.
"""

import hashlib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from sqlalchemy import func
from sqlmodel import Session, col, select

from service.errors import AmbiguousRevision, NotFound
from service.tables import Disclosure, Revision

#: What a revision's note says for a package that gave no `changes` entry of its own.
NO_NOTE = "no note given"
#: A revision id or a prefix of one: 8 to 16 hexadecimal characters.
ID_PATTERN = r"^[0-9a-fA-F]{8,16}$"
ID_LENGTH = 16
#: What a database with nothing published yet reports as its revision.
NOTHING_PUBLISHED = "0" * ID_LENGTH


def revision_id(previous: str | None, packages: Mapping[str, str]) -> str:
    """The id of a revision that follows `previous` and holds these package revisions."""
    digest = hashlib.sha256((previous or "").encode())
    for disclosure_id, package_revision in sorted(packages.items()):
        digest.update(f"\0{disclosure_id}:{package_revision}".encode())
    return digest.hexdigest()[:ID_LENGTH]


def file_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def latest(session: Session) -> Revision | None:
    return session.exec(select(Revision).order_by(col(Revision.seq).desc()).limit(1)).first()


def latest_id(session: Session) -> str:
    """The newest revision's id: what an unpinned read answers from."""
    found = session.exec(select(Revision.id).order_by(col(Revision.seq).desc()).limit(1)).first()
    return found or NOTHING_PUBLISHED


def resolve(session: Session, given: str) -> Revision:
    """The revision `given` names: a revision id or a package revision, or a prefix of 8 or
    more characters of one; 404 when it names none, 409 when it names more than one."""
    prefix = given.lower()
    found = {
        r.seq: r for r in session.exec(select(Revision).where(col(Revision.id).startswith(prefix)))
    }
    with every_version(session):
        first_published = session.exec(
            select(Disclosure.revision, func.min(Disclosure.rev_from))
            .where(col(Disclosure.revision).startswith(prefix))
            .group_by(Disclosure.revision)
        ).all()
    for _, seq in first_published:
        if seq not in found:
            revision = session.get(Revision, seq)
            if revision is not None:
                found[seq] = revision
    if not found:
        raise NotFound("revision", given)
    if len(found) > 1:
        raise AmbiguousRevision(given, sorted(r.id for r in found.values()))
    return next(iter(found.values()))


def pin(session: Session, revision: Revision) -> None:
    """Make every later read of `session` answer from `revision`."""
    session.info.update(revision_seq=revision.seq, revision_id=revision.id, pinned=True)


def is_pinned(session: Session) -> bool:
    return bool(session.info.get("pinned"))


def read_id(session: Session) -> str:
    """The id of the revision this session reads: the pinned one, else the newest (read
    once, so every part of one answer names the same revision)."""
    found = session.info.get("revision_id")
    if found is None:
        found = session.info["revision_id"] = latest_id(session)
    return str(found)


def newest_id(session: Session) -> str:
    """The newest revision's id, which names the cache bucket an answer goes in: the one
    the session reads unless it is pinned (then read_id's query is not repeated)."""
    return latest_id(session) if is_pinned(session) else read_id(session)


def read_seq(session: Session) -> int | None:
    """The number of the revision this session is pinned to; None for the newest."""
    seq = session.info.get("revision_seq")
    return None if seq is None else int(seq)


@contextmanager
def reading_at(session: Session, seq: int) -> Iterator[None]:
    """Read revision number `seq` for a while (to compare two revisions), then go back."""
    saved = {k: session.info[k] for k in ("revision_seq",) if k in session.info}
    session.info["revision_seq"] = seq
    try:
        yield
    finally:
        session.info.pop("revision_seq", None)
        session.info.update(saved)


@contextmanager
def every_version(session: Session) -> Iterator[None]:
    """Read every version of every row for a while (a row's history), then go back."""
    session.info["all_revisions"] = True
    try:
        yield
    finally:
        session.info.pop("all_revisions", None)


@contextmanager
def reading_newest(session: Session) -> Iterator[None]:
    """Read the newest revision for a while (a pinned card checking whether its figure was
    corrected since), then go back to the pinned one."""
    keys = ("revision_seq", "revision_id", "pinned")
    saved = {k: session.info.pop(k) for k in keys if k in session.info}
    try:
        yield
    finally:
        for key in keys:
            session.info.pop(key, None)
        session.info.update(saved)
