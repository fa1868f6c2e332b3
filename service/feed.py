"""The changes feed: each revision as an entry saying which figures it added, corrected or
removed, old and new reading in words; as Atom 1.0 (RFC 4287) and as JSON Feed 1.1.

Entry ids are URNs derived from the revision id (a UUID 5), so they never change, and
links start at APP_PUBLIC_BASE_URL when it is set (else they are paths).
"""

import uuid
from xml.etree import ElementTree

from service import urls
from service.history import Announced
from service.schemas import FigureChange, JsonFeed, JsonFeedItem, RevisionPublic

ATOM = "http://www.w3.org/2005/Atom"
ATOM_MEDIA_TYPE = "application/atom+xml"
JSON_FEED_MEDIA_TYPE = "application/feed+json"
TITLE = "Police social-media misconduct FOI API: changes to the data"
DESCRIPTION = (
    "Every revision of the data: which figures it added, corrected or removed, with the old "
    "and the new reading, and the note its packages give."
)
AUTHOR = "Police social-media misconduct FOI API"
#: Entries in a feed: the newest revisions; /v1/revisions lists every one.
FEED_ENTRIES = 50
#: Figure changes an entry lists; /v1/revisions/{id} lists every one.
FEED_CHANGES = 100
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "met-foi:revisions")


def entry_id(revision_id: str) -> str:
    return uuid.uuid5(_NAMESPACE, revision_id).urn


def change_words(change: FigureChange) -> str:
    """A figure's change as one sentence of a feed entry."""
    what = f"{change.label} ({change.figure})"
    before = change.before.reading if change.before else ""
    after = change.after.reading if change.after else ""
    if change.change == "added":
        return f"Added: {what}: {after}."
    if change.change == "removed":
        return f"Removed: {what}: was {before}."
    if before == after:
        return f"Changed: {what}: still {after}; changed: {', '.join(change.fields)}."
    return f"Corrected: {what}: {before}, now {after}."


def entry_title(revision: RevisionPublic) -> str:
    return f"Revision {revision.number} ({revision.id}): {revision.note}"


def entry_summary(revision: RevisionPublic) -> str:
    return (
        f"Figures: {revision.figures_added} added, {revision.figures_changed} changed, "
        f"{revision.figures_removed} removed."
    )


def entry_text(entry: Announced, base_url: str) -> str:
    revision = entry.revision
    packages = [
        f"{p.disclosure} ({p.change}, package revision {p.revision}): {' '.join(p.notes)}"
        for p in revision.packages
    ]
    changes = [change_words(c) for c in entry.changes] or ["No figure changed."]
    if entry.more:
        changes.append(
            f"And {entry.more} more: every change is at {base_url}{urls.revision(revision.id)}."
        )
    return "\n".join([entry_summary(revision), *packages, "", *changes])


def atom(entries: list[Announced], base_url: str, self_path: str) -> bytes:
    """The feed as Atom 1.0: newest entry first."""
    ElementTree.register_namespace("", ATOM)
    feed = ElementTree.Element(f"{{{ATOM}}}feed")

    def add(parent: ElementTree.Element, tag: str, text: str = "", **attrs: str) -> None:
        child = ElementTree.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        if text:
            child.text = text

    add(feed, "id", uuid.uuid5(_NAMESPACE, "feed").urn)
    add(feed, "title", TITLE)
    add(feed, "subtitle", DESCRIPTION)
    add(feed, "updated", entries[0].revision.published if entries else "1970-01-01T00:00:00Z")
    author = ElementTree.SubElement(feed, f"{{{ATOM}}}author")
    add(author, "name", AUTHOR)
    add(feed, "link", rel="self", type=ATOM_MEDIA_TYPE, href=f"{base_url}{self_path}")
    add(
        feed,
        "link",
        rel="alternate",
        type="application/json",
        href=base_url + urls.api("revisions"),
    )
    for announced in entries:
        revision = announced.revision
        entry = ElementTree.SubElement(feed, f"{{{ATOM}}}entry")
        add(entry, "id", entry_id(revision.id))
        add(entry, "title", entry_title(revision))
        add(entry, "published", revision.published)
        add(entry, "updated", revision.published)
        add(entry, "link", rel="alternate", href=base_url + urls.revision(revision.id))
        for package in revision.packages:
            add(entry, "category", term=package.disclosure)
        add(entry, "summary", entry_summary(revision))
        add(entry, "content", entry_text(announced, base_url), type="text")
    document: bytes = ElementTree.tostring(feed, encoding="utf-8", xml_declaration=True)
    return document


def json_feed(entries: list[Announced], base_url: str, self_path: str) -> JsonFeed:
    """The feed as JSON Feed 1.1, each item carrying its revision in `_revision`."""
    return JsonFeed(
        title=TITLE,
        description=DESCRIPTION,
        feed_url=f"{base_url}{self_path}",
        authors=[{"name": AUTHOR}],
        items=[
            JsonFeedItem(
                id=entry_id(e.revision.id),
                url=base_url + urls.revision(e.revision.id),
                title=entry_title(e.revision),
                summary=entry_summary(e.revision),
                content_text=entry_text(e, base_url),
                date_published=e.revision.published,
                tags=[p.disclosure for p in e.revision.packages],
                revision=e.revision,
            )
            for e in entries
        ],
    )
