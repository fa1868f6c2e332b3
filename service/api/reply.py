"""Reply: a read response built once per revision and request, then served from memory.

A route hands Reply a function that builds its public model; Reply negotiates JSON or CSV
(or, for an answer with one representation, takes it as it is), encodes the body, gives it
a strong ETag and stores it in the revision's cache under a caching.Key, where
middleware.FastPath finds it next time by what the request asked.
"""

import csv
import functools
import io
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated, Any

import anyio.to_thread
import orjson
from fastapi import Depends, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel
from sqlmodel import Session, SQLModel, select

from service import revisions, urls
from service.api import csv_columns
from service.api.csv_columns import CsvColumn
from service.api.deps import BomParam, FormatParam, Paging, SessionDep, StateDep
from service.caching import (
    CSV,
    JSON,
    ONE,
    PINNED_CACHE_CONTROL,
    Asked,
    Entry,
    Key,
    entry_response,
    make_entry,
    make_etag,
    request_keys,
)
from service.errors import NotAcceptable
from service.paging import CHUNK_ROWS, Cursor, Window
from service.state import AppState
from service.tables import Revision

#: A list read in index order from a session: (session, limit, offset, cursor) -> a page.
ReadRows = Callable[[Session, int, int, Cursor | None], Window]


@dataclass(frozen=True)
class CsvTable:
    """What a CSV answer holds: its name (/v1/csvw/{name} describes it), the model of one
    row, and what a row is. A route that answers in CSV declares its table beside itself
    with `csv_table`, and hands it to Reply: a CSV answer can only link to metadata that
    exists."""

    name: str
    model: type[SQLModel]
    row: str
    #: The one path that answers it, when it has one (a figure's history has one per figure).
    path: str | None
    #: Fields of the model left out of the CSV (long text and lists that have their own
    #: place).
    omit: tuple[str, ...] = ()
    #: A list field's separator when it is not `;` (csv_columns.SEPARATOR).
    separators: tuple[tuple[str, str], ...] = ()
    #: The columns whose values name one row (CSVW `primaryKey`).
    key: tuple[str, ...] = ()
    #: (column, table): the column holds the key of another table's row (CSVW
    #: `foreignKeys`); that table's CSV links here (`related`).
    references: tuple[tuple[str, str], ...] = ()

    @property
    def related(self) -> list["CsvTable"]:
        """The tables whose rows point at this one's: a check's terms, for the checks."""
        return [t for t in CSV_TABLES.values() if any(n == self.name for _, n in t.references)]

    @functools.cached_property
    def flat(self) -> list[CsvColumn]:
        """The columns, every cell a plain value (csv_columns: no JSON inside a cell)."""
        return csv_columns.columns(self.model.model_fields, self.omit, dict(self.separators))

    @property
    def columns(self) -> list[str]:
        return [c.name for c in self.flat]

    def csv(self, rows: Sequence[dict[str, Any]], *, header: bool = True) -> bytes:
        """Rows as the API dumps them, as this table's CSV (only the columns that are not a
        field of the row as it is are worked out)."""
        made = [c for c in self.flat if c.path != (c.name,) or c.separator is not None]
        if made:
            rows = [row | {c.name: c.cell(row) for c in made} for row in rows]
        return csv_bytes(rows, self.columns, header=header)


#: Every CSV table the routes declared, by name: what /v1/csvw/{table} serves.
CSV_TABLES: dict[str, CsvTable] = {}


def csv_table(
    name: str,
    model: type[SQLModel],
    row: str,
    *,
    path: str | None = "",
    omit: tuple[str, ...] = (),
    separators: tuple[tuple[str, str], ...] = (),
    key: tuple[str, ...] = (),
    references: tuple[tuple[str, str], ...] = (),
) -> CsvTable:
    """Declare the CSV table of a route (once per name); its path is /v1/{name} unless
    given (None when the route has a path per item); `omit` names fields left out,
    `separators` (field, separator) a list's separator other than `;`, `key` the columns
    that name a row and `references` (column, table) a column holding another table's key."""
    if name in CSV_TABLES:
        raise ValueError(f"CSV table {name!r} is declared twice")
    where = urls.api(name) if path == "" else path
    table = CSV_TABLES[name] = CsvTable(name, model, row, where, omit, separators, key, references)
    table.flat  # noqa: B018  # a field the CSV rule cannot write fails here, at import
    named = {*key, *(c for c, _ in references)} - set(table.columns)
    if named or any(CSV_TABLES.get(t) is None or not CSV_TABLES[t].key for _, t in references):
        raise ValueError(f"CSV table {name!r}: a key names a column or table it lacks")
    return table


def csv_bytes(
    rows: Sequence[dict[str, Any]], columns: Sequence[str], *, header: bool = True
) -> bytes:
    """Flat CSV: nulls empty, booleans true/false; a list or an object is refused (a
    CsvTable flattens them first: csv_columns)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    if header:
        writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(c)) for c in columns])
    return out.getvalue().encode()


#: What `?bom=1` puts before a CSV: Excel then reads it as UTF-8, not as its local code page.
UTF8_BOM = "\ufeff".encode()

#: A text cell starting with one of these is run as a formula by spreadsheets (OWASP's
#: "CSV injection"); such cells get a leading apostrophe. Numbers are left as they are.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list | dict):
        raise TypeError(f"no JSON inside a CSV cell: {value!r:.60}")
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _dump(model: BaseModel) -> dict[str, Any]:
    return model.model_dump(mode="json", by_alias=True)


def json_bytes(model: BaseModel) -> bytes:
    """A model as the API encodes JSON: field aliases, no whitespace."""
    return orjson.dumps(_dump(model))


class Reply:
    """Builds a read response once per revision and request, and stores it."""

    def __init__(
        self, request: Request, session: Session, state: AppState, asked: Asked | None = None
    ) -> None:
        self.request = request
        self.session = session
        #: What a CSV answer starts with: UTF8_BOM when the request asked `bom=1`.
        self.bom = b""
        self.state = state
        #: Where the answer's absolute URLs start (service.urls.base_url); part of the key.
        self.base = urls.base_url(request.scope, state.settings.public_base_url)
        keys = request_keys(
            request.url.path,
            request.scope.get("query_string", b""),
            request.headers.get("accept"),
            self.base,
        )
        #: What the answer is kept under: the request itself, or what a page understood of
        #: it (`asked`).
        self.asked = asked or keys.asked
        #: The format negotiated (caching.FORMATS), None when none the request accepts can
        #: be served; ONE once the answer is known to have one representation (raw, stream).
        self.variant = None if keys.negotiated is None else keys.negotiated.variant
        #: The revision the answer is read from, and whether the request pinned it.
        self.revision = revisions.read_id(session)
        self.pinned = revisions.is_pinned(session)
        #: False for a pinned answer that also shows the newest revision (a pinned card's
        #: "corrected since" line): it is kept only while that revision is the newest.
        self.immutable = self.pinned
        self.latest = revisions.newest_id(session)
        state.tracker.observe(self.latest)
        #: What each chunk's session of a streamed answer is told (`reading`): the revision
        #: read, and for a pinned answer its number.
        self._chunk_info: dict[str, Any] = {"revision_id": self.revision}
        if self.pinned:
            self._chunk_info.update(revision_seq=session.info["revision_seq"], pinned=True)

    @property
    def format(self) -> str:
        """json or csv, as negotiated; 406 when the request accepts neither."""
        if self.variant is None:
            raise NotAcceptable([JSON, CSV])
        return self.variant

    @property
    def key(self) -> Key:
        return Key(self.asked, self.format)

    def one(self, build: Callable[[], SQLModel]) -> Response:
        """A single object; JSON only."""
        if self.format != "json":
            raise NotAcceptable([JSON])
        return self._store(orjson.dumps(_dump(build())), JSON)

    def table(
        self,
        build: Callable[[], SQLModel],
        rows: Callable[[Any], Sequence[SQLModel]],
        table: CsvTable,
    ) -> Response:
        """An object whose `rows` can also be served as CSV."""
        payload = build()
        if self.format == "csv":
            body = self.bom + table.csv([_dump(r) for r in rows(payload)])
            return self._store(body, CSV, self._link_header([self._described_by(table)]))
        return self._store(orjson.dumps(_dump(payload)), JSON)

    def page(
        self,
        build: Callable[[], tuple[Sequence[SQLModel], int] | Window]
        | Callable[[], tuple[Sequence[SQLModel], int, Sequence[SQLModel]]],
        paging: Paging,
        table: CsvTable,
        *,
        also: str = "",
    ) -> Response:
        """A page of `build`'s items; with `also`, build gives a third list that the JSON
        envelope carries under that name (a series' groups), which CSV leaves out."""
        limit, offset = paging.limit, paging.offset
        built = build()
        also_items: Sequence[SQLModel] = ()
        if isinstance(built, Window):  # read in index order: cursor links
            window = built
            after, before = self._cursor_url(window.next), self._cursor_url(window.prev)
        else:
            items, count, *more = built
            window = Window(items, count)
            also_items = more[0] if more else ()
            after, before = self._links(limit, offset, window.count)
        data = [_dump(i) for i in window.items]
        links = [f'<{u}>; rel="{rel}"' for u, rel in ((after, "next"), (before, "prev")) if u]
        if self.format == "csv":
            header = self._link_header([*links, self._described_by(table)])
            return self._store(self.bom + table.csv(data), CSV, header)
        envelope = {
            "data": data,
            "count": window.count,
            "count_exact": window.count_exact,
            "limit": None if paging.whole else limit,
            "offset": offset,
            "next": after,
            "prev": before,
        }
        if also:
            envelope[also] = [_dump(i) for i in also_items]
        body = orjson.dumps(envelope)
        return self._store(body, JSON, self._link_header(links))

    def rows(self, read: ReadRows, paging: Paging, table: CsvTable, *, keyset: bool) -> Response:
        """A list read from the database in order: a page, or for a download without
        `limit` every matching row. A whole list that fits in one chunk is an answer like
        any other (kept in the cache); a longer one is streamed, CHUNK_ROWS at a time, each
        chunk read with a session of its own from the revision the first was read from.
        `keyset`: the list is in index order, so each chunk starts after the last one's
        cursor (else, in a chosen sort order, after as many rows as were sent)."""
        if not paging.whole:
            return self.page(
                lambda: read(self.session, paging.limit, paging.offset, paging.cursor),
                paging,
                table,
            )
        first = read(self.session, CHUNK_ROWS, paging.offset, paging.cursor)
        if first.next is None if keyset else len(first.items) < CHUNK_ROWS:
            return self.page(lambda: Window(first.items, len(first.items)), paging, table)
        links = [self._described_by(table)] if self.format == "csv" else []
        return self.stream(
            self._row_chunks(first, read, paging, table, keyset=keyset),
            CSV if self.format == "csv" else JSON,
            dict(self._link_header(links)),
        )

    def _row_chunks(
        self, first: Window, read: ReadRows, paging: Paging, table: CsvTable, *, keyset: bool
    ) -> Iterator[bytes]:
        """The body of a whole list, a chunk at a time: CSV rows, or the JSON envelope with
        `count` the rows sent (exact)."""
        window, offset, cursor, sent = first, paging.offset, paging.cursor, 0
        yield self.bom + table.csv([]) if self.format == "csv" else b'{"data":['
        while True:
            data = [_dump(i) for i in window.items]
            if self.format == "csv":
                yield table.csv(data, header=False)
            elif data:
                yield (b"," if sent else b"") + b",".join(orjson.dumps(d) for d in data)
            sent += len(data)
            if not (window.next is not None if keyset else len(data) == CHUNK_ROWS):
                break
            if keyset:
                cursor, offset = window.next, 0
            else:
                offset += len(data)
            window = self._read_chunk(read, offset, cursor)
        if self.format != "csv":
            tail = {"count": sent, "count_exact": True, "limit": None, "offset": paging.offset}
            yield b"]," + orjson.dumps({**tail, "next": None, "prev": None})[1:]

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A short-lived session reading the revision of this answer: a streamed answer
        takes one per chunk and gives its connection back before the chunk is sent."""
        with Session(self.state.engine) as session:
            session.info.update(self._chunk_info)
            yield session

    def _read_chunk(self, read: ReadRows, offset: int, cursor: Cursor | None) -> Window:
        """The next chunk, from the revision the stream began with. An unpinned stream reads
        the newest rows (the live indexes) and checks afterwards that no revision was
        published meanwhile; if one was, it reads this chunk and the rest pinned."""
        with self.reading() as session:
            window = read(session, CHUNK_ROWS, offset, cursor)
            if "revision_seq" in self._chunk_info:
                return window
            if revisions.latest_id(session) == self.revision:
                return window
            seq = session.exec(select(Revision.seq).where(Revision.id == self.revision)).one()
            self._chunk_info.update(revision_seq=seq, pinned=True)
            session.info.update(self._chunk_info)
            return read(session, CHUNK_ROWS, offset, cursor)

    def raw(
        self,
        build: Callable[[], bytes],
        media_type: str,
        extra_headers: tuple[tuple[str, str], ...] = (),
    ) -> Response:
        """Bytes of an answer with one representation (a page, an embed, a feed, a file) under
        the same cache, ETag and 304 rules as JSON: whatever the request accepts."""
        self.variant = ONE
        entry = self.state.cache.get(self.key)
        if entry is not None:
            return self._respond(entry)
        return self._store(build(), media_type, extra_headers)

    def stream(
        self,
        chunks: Iterator[bytes],
        media_type: str,
        extra_headers: dict[str, str],
        *,
        negotiated: bool = True,
    ) -> StreamingResponse:
        """An answer too large to keep (a data package, a whole list), streamed as it is
        built, with the ETag, Cache-Control and Dataset-Revision every other answer has;
        `negotiated=False` for one with one representation (a data package).

        The request's session is closed when the route returns (deps.get_session); each
        chunk is built in a worker thread after waiting its turn for a connection like a
        request (admission.Admission.turn), and reads with a session of its own
        (`reading`), so a client that reads slowly holds no connection and no thread."""
        admission = self.request.scope.get("admission")

        async def body() -> AsyncIterator[bytes]:
            try:
                while True:
                    if admission is None:
                        chunk = await anyio.to_thread.run_sync(next, chunks, None)
                    else:
                        async with admission.turn():
                            chunk = await anyio.to_thread.run_sync(next, chunks, None)
                    if chunk is None:
                        return
                    if chunk:
                        yield chunk
            finally:
                close = getattr(chunks, "close", None)
                if close is not None:  # a generator: its `finally` and `with` blocks run
                    close()

        if not negotiated:
            self.variant = ONE
        headers = {
            "etag": make_etag(self.etag_basis, self.key),
            "cache-control": self.cache_control,
            "dataset-revision": self.revision,
            **extra_headers,
        }
        return StreamingResponse(body(), media_type=media_type, headers=headers)

    def _described_by(self, table: CsvTable) -> str:
        """A CSV's metadata (citation, licence, columns): a CSVW document, as RFC 8288 and
        the CSV on the Web primer point to it; then the CSVs whose rows point at this one's
        (a check's terms, from the checks), as `related`."""
        links = [f'<{urls.csvw(table.name)}>; rel="describedby"; type="application/csvm+json"']
        links += [
            f'<{urls.with_query(t.path, {"format": "csv"})}>; rel="related"; type="text/csv"'
            for t in table.related
            if t.path
        ]
        return ", ".join(links)

    @staticmethod
    def _link_header(links: list[str]) -> tuple[tuple[str, str], ...]:
        return (("link", ", ".join(links)),) if links else ()

    def _links(self, limit: int, offset: int, count: int) -> tuple[str | None, str | None]:
        def url(new_offset: int) -> str:
            params = dict(self.request.query_params)
            params["offset"] = str(new_offset)
            params["limit"] = str(limit)
            return urls.with_query(self.request.url.path, sorted(params.items()))

        after = url(offset + limit) if limit > 0 and offset + limit < count else None
        before = url(max(0, min(offset - limit, count - limit))) if offset > 0 else None
        return after, before

    def _cursor_url(self, cursor: Cursor | None) -> str | None:
        if cursor is None:
            return None
        params = {k: v for k, v in self.request.query_params.items() if k != "offset"}
        params["cursor"] = cursor.encode()
        return urls.with_query(self.request.url.path, sorted(params.items()))

    def _store(
        self, body: bytes, media_type: str, extra: tuple[tuple[str, str], ...] = ()
    ) -> Response:
        endpoint = self.request.scope.get("endpoint")
        entry = make_entry(
            body,
            media_type,
            make_etag(self.etag_basis, self.key),
            (*extra, ("dataset-revision", self.revision)),
            negotiated=self.variant != ONE,
            route=self.state.route_templates.get(endpoint, ""),
            cache_control=self.cache_control,
        )
        self._keep(self.key, entry)
        return self._respond(entry)

    def _keep(self, key: Key, entry: Entry) -> None:
        if self.immutable and self.pinned_by_full_id():
            self.state.cache.put_pinned(key, entry)
        else:
            # A prefix may become ambiguous when a revision is published: kept only until then.
            self.state.cache.put(self.latest, key, entry)

    def also_under(self, asked: Asked) -> None:
        """Keep the answer just given under another Asked too (a page asked with its
        defaults left out), unless that one already has it."""
        entry = self.state.cache.get(self.key)
        key = Key(asked, self.key.variant)
        if entry is not None and key != self.key and self.state.cache.get(key) is None:
            self._keep(key, entry)

    @property
    def cache_control(self) -> str:
        """Immutable for an answer pinned to a revision; else the service's max-age."""
        if self.immutable:
            return PINNED_CACHE_CONTROL
        return f"public, max-age={self.state.settings.cache_max_age}"

    @property
    def etag_basis(self) -> str:
        """What the answer depends on: its revision, and the newest one too for a pinned
        answer that shows it."""
        if self.pinned and not self.immutable:
            return f"{self.revision}:{self.latest}"
        return self.revision

    def pinned_by_full_id(self) -> bool:
        return self.request.query_params.get("revision", "").lower() == self.revision

    def _respond(self, entry: Entry) -> Response:
        """The entry in the coding the request accepts, as FastPath would send it."""
        return entry_response(entry, self.request.headers.get("accept-encoding"))


def get_reply(request: Request, session: SessionDep, state: StateDep) -> Reply:
    return Reply(request, session, state)


ReplyDep = Annotated[Reply, Depends(get_reply)]


def get_table_reply(
    reply: ReplyDep,
    format: FormatParam = None,  # noqa: ARG001
    bom: BomParam = False,
) -> Reply:
    """A Reply for a route that also answers in CSV: declares `format`, which the cache key
    reads from the query string, and `bom`."""
    reply.bom = UTF8_BOM if bom else b""
    return reply


TableReplyDep = Annotated[Reply, Depends(get_table_reply)]
