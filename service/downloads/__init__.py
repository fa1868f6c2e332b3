"""A disclosure's data package as a zip, for any revision: the package's own files exactly
as they were published (so `met-foi seed` on the unzipped folder gives the same package
revision, and `frictionless validate` reads it), a README with the citation and the
licence, and LICENSE.

The zip is written as it is sent, a file at a time, from the stored (compressed) files:
its size never has to fit in memory. Its bytes depend only on the revision (fixed times and
order), so its ETag is strong.
"""

import functools
import io
import stat
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlmodel import Session, col, select

from service import queries, revisions, urls
from service.citation import licence_name
from service.errors import NotFound
from service.models import Disclosure, PackageFile, PackageManifest, Revision

if TYPE_CHECKING:
    import jinja2

HERE = Path(__file__).parent
ZIP_MEDIA_TYPE = "application/zip"
#: Compressed bytes read from a stored file at a time.
CHUNK = 256 * 1024


@dataclass(frozen=True)
class StoredPackage:
    """A package revision's files as stored, in the package's order."""

    disclosure: Disclosure
    revision: Revision
    citation: str
    files: list[tuple[str, str]]  # (path, digest)


def stored_package(session: Session, disclosure_id: str, base_url: str) -> StoredPackage:
    """The package of `disclosure_id` in the revision the session reads; 404 when the
    disclosure is not in it or its files were never stored (a database migrated from before
    downloads, not seeded since)."""
    disclosure = queries.by_id(session, Disclosure, disclosure_id)
    if disclosure is None:
        raise NotFound("disclosure", disclosure_id)
    files = session.exec(
        select(PackageManifest.path, PackageManifest.digest)
        .where(
            PackageManifest.disclosure_id == disclosure.id,
            PackageManifest.package_revision == disclosure.revision,
        )
        .order_by(col(PackageManifest.position))
    ).all()
    if not files:
        raise NotFound("stored package of disclosure", disclosure_id)
    read = revisions.read_id(session)
    revision = session.exec(select(Revision).where(Revision.id == read)).one()
    citation = queries.cite_disclosure(session, disclosure_id, base_url)
    return StoredPackage(disclosure, revision, citation, [(p, d) for p, d in files])


def _time(published: str) -> tuple[int, int, int, int, int, int]:
    """A zip entry's time from an ISO 8601 instant (zip times have no zone: it is UTC)."""
    date, _, clock = published.rstrip("Z").partition("T")
    year, month, day = (int(x) for x in date.split("-"))
    hour, minute, second = (int(x) for x in (clock or "0:0:0").split(":"))
    return (year, month, day, hour, minute, second)


class _Sink(io.RawIOBase):
    """Where the zip is written: it keeps what was written until it is taken."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: object) -> int:
        chunk = bytes(data)  # type: ignore[call-overload]
        self._chunks.append(chunk)
        return len(chunk)

    def take(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        return data


@functools.cache
def _templates() -> "jinja2.Environment":
    import jinja2

    # Markdown and plain text, never HTML: nothing to escape.
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE), autoescape=False, keep_trailing_newline=True
    )


def readme(package: StoredPackage, base_url: str) -> str:
    d = package.disclosure
    return (
        _templates()
        .get_template("README.md.jinja")
        .render(
            d=d,
            revision=package.revision,
            citation=package.citation,
            licence=licence_name(d.licence_id),
            files=[path for path, _ in package.files],
            url=urls.absolute(base_url, urls.package(d.id), package.revision.id),
        )
    )


def licence(package: StoredPackage) -> str:
    d = package.disclosure
    return (
        _templates()
        .get_template("LICENSE.jinja")
        .render(d=d, licence=licence_name(d.licence_id), citation=package.citation)
    )


def member(name: str, stamp: tuple[int, int, int, int, int, int]) -> zipfile.ZipInfo:
    """A zip member: deflated, dated `stamp`, a regular file readable by all (0644; a bare
    ZipInfo leaves the mode 0, which unzip turns into 0600 or less)."""
    info = zipfile.ZipInfo(name, date_time=stamp)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = (stat.S_IFREG | 0o644) << 16
    return info


def zip_chunks(
    reading: Callable[[], AbstractContextManager[Session]], package: StoredPackage, base_url: str
) -> Iterator[bytes]:
    """The zip, a piece at a time: the package's files under a folder named after the
    disclosure, then README.md and LICENSE. Each stored file is read with a session of its
    own from `reading` (Reply.reading), given back before its bytes are sent: a slow client
    holds no connection. Every member is readable by all (mode 0644)."""
    folder = package.disclosure.id
    stamp = _time(package.revision.published)
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path, digest in package.files:
            info = member(f"{folder}/{path}", stamp)
            with reading() as session:
                stored = session.get(PackageFile, digest)
                assert stored is not None  # the loader stores a file before its manifest row
                session.expunge(stored)
            inflate = zlib.decompressobj()
            with archive.open(info, "w", force_zip64=stored.size > 2**31) as out:
                for start in range(0, len(stored.data), CHUNK):
                    out.write(inflate.decompress(stored.data[start : start + CHUNK]))
                    yield sink.take()
                out.write(inflate.flush())
            yield sink.take()
        for name, text in (("README.md", readme(package, base_url)), ("LICENSE", licence(package))):
            archive.writestr(member(f"{folder}/{name}", stamp), text.encode())
    yield sink.take()
