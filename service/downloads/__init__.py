"""A disclosure's data package as a zip, for any revision: its figures and each source's
report as tidy CSVs in the API's one CSV convention (figures.csv is the API's
`/v1/figures?format=csv&disclosure=...`, written by the same writer), described by a
generated `datapackage.json`; a README with the citation and the licence; LICENSE; and under
`source/` the package's own files exactly as they were published (so `met-foi seed` on that
folder gives the same package revision, and `frictionless validate` reads it).

The zip is written as it is sent, a file at a time, from the stored (compressed) files:
its size never has to fit in memory. Its bytes depend only on the revision (fixed times and
order), so its ETag is strong.
"""

import functools
import io
import stat
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
from sqlmodel import Session, col, select

from service import paging, revisions, urls
from service.api.csv_columns import SEPARATOR
from service.api.csvw import datatype
from service.api.reply import csv_bytes
from service.citation import licence_name
from service.errors import NotFound
from service.reads.common import by_id
from service.reads.disclosures import cite_disclosure
from service.reads.figures import figure_window
from service.schemas import ReportPublic
from service.tables import Disclosure, PackageFile, PackageManifest, Revision

if TYPE_CHECKING:
    import jinja2
    from pydantic.fields import FieldInfo

    from service.api.reply import CsvTable

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
    #: The tidy tables and their descriptor, (name, bytes), read before the zip is sent.
    tables: list[tuple[str, bytes]]


#: The folder of the zip that holds the package as published.
SOURCE = "source"
#: reports.csv: one row per source's report of a figure (`parts` as ids separated by `;`,
#: as every CSV list: api.csv_columns).
REPORT_COLUMNS = ["figure", *ReportPublic.model_fields]
FRICTIONLESS_TYPES = {"string": "string", "integer": "integer", "boolean": "boolean"}


def stored_package(
    session: Session, disclosure_id: str, base_url: str, figures: "CsvTable"
) -> StoredPackage:
    """The package of `disclosure_id` in the revision the session reads; 404 when the
    disclosure is not in it or its files were never stored (a database migrated from before
    downloads, not seeded since)."""
    disclosure = by_id(session, Disclosure, disclosure_id)
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
    citation = cite_disclosure(session, disclosure_id, base_url)
    tables = tidy_tables(session, disclosure, base_url, figures)
    return StoredPackage(disclosure, revision, citation, [(p, d) for p, d in files], tables)


def tidy_tables(
    session: Session, disclosure: Disclosure, base_url: str, figures: "CsvTable"
) -> list[tuple[str, bytes]]:
    """figures.csv as the API writes it, reports.csv, and a datapackage.json that describes
    both (a package holds at most 20,000 figures: seed.schema.ROW_LIMITS)."""
    window = figure_window(
        session,
        disclosure=disclosure.id,
        measure=None,
        dimensions={},
        disputed=None,
        limit=paging.WHOLE,
        offset=0,
        base_url=base_url,
    )
    rows = [f.model_dump(mode="json", by_alias=True) for f in window.items]
    reports = [
        {
            "figure": f.id,
            **r.model_dump(mode="json", by_alias=True),
            "parts": SEPARATOR.join(r.parts),
        }
        for f in window.items
        for r in f.reports
    ]
    figure_fields = figures.model.model_fields
    report_fields = {"figure": None, **ReportPublic.model_fields}
    descriptor = {
        "profile": "tabular-data-package",
        "name": disclosure.id,
        "title": disclosure.title,
        "version": disclosure.version,
        "licenses": [
            {
                "name": disclosure.licence_id,
                "title": disclosure.licence_title,
                "path": disclosure.licence_url,
            }
        ],
        "resources": [
            _resource("figures", figures.columns, figure_fields, "id", None),
            _resource("reports", REPORT_COLUMNS, report_fields, None, "figure"),
        ],
    }
    return [
        ("datapackage.json", orjson.dumps(descriptor, option=orjson.OPT_INDENT_2) + b"\n"),
        ("figures.csv", figures.csv(rows)),
        ("reports.csv", csv_bytes(reports, REPORT_COLUMNS)),
    ]


def _resource(
    name: str,
    columns: list[str],
    fields: "Mapping[str, FieldInfo | None]",
    key: str | None,
    figure_key: str | None,
) -> dict[str, Any]:
    """A Table Schema resource whose fields are the CSV's columns, typed as in the CSVW
    metadata (api.csvw.datatype)."""
    schema: dict[str, Any] = {
        "fields": [_field(column, fields[column]) for column in columns],
        "missingValues": [""],
    }
    if key is not None:
        schema["primaryKey"] = [key]
    if figure_key is not None:
        schema["foreignKeys"] = [
            {"fields": [figure_key], "reference": {"resource": "figures", "fields": ["id"]}}
        ]
    return {
        "name": name,
        "path": f"{name}.csv",
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "schema": schema,
    }


def _field(column: str, field: "FieldInfo | None") -> dict[str, Any]:
    if field is None:  # reports.csv's figure: the figure's id
        return {"name": column, "type": "string", "description": "The figure's id."}
    kind = datatype(field.annotation)
    spec: dict[str, Any] = {"name": column, "type": FRICTIONLESS_TYPES.get(kind, "string")}
    if kind == "boolean":
        spec |= {"trueValues": ["true"], "falseValues": ["false"]}
    if field.description:
        spec["description"] = field.description
    return spec


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
            tables=[name for name, _ in package.tables],
            source=SOURCE,
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
        for name, data in package.tables:
            archive.writestr(member(f"{folder}/{name}", stamp), data)
            yield sink.take()
        for path, digest in package.files:
            info = member(f"{folder}/{SOURCE}/{path}", stamp)
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
