"""Per-revision response cache, content negotiation, cache keys and ETags.

A read response depends only on the dataset revision and the normalised request (path,
sorted query, negotiated format), so it is encoded once and kept as bytes. FastPath in
service.middleware serves hits before any routing; a miss goes through FastAPI, whose route
stores what it built. The cache is bounded by bytes (body, headers, key and a fixed
per-entry overhead) as well as by entries, and drops the least recently used first.

A new revision does not empty the cache at once (a stampede of misses): it becomes the
*pending* revision, whose answers are stored beside the current ones while the revision
watcher rebuilds the hottest keys (service.main.warm_cache); then it is promoted in one step.
Until then, for at most `grace_seconds`, hits keep getting the previous revision's answers.
Nothing here knows the data layer: the revision is told to the cache
(service.state.RevisionTracker).
"""

import functools
import gzip
import hashlib
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode

import brotli
from starlette.responses import Response

from service import __version__

JSON = "application/json"
CSV = "text/csv; charset=utf-8"
FORMATS = {"json": JSON, "csv": CSV}
Header = tuple[bytes, bytes]
#: What an entry costs beyond its bytes: the Entry, its OrderedDict node, the key and body
#: objects, and the encoded-headers tuple (measured with tracemalloc, rounded up).
ENTRY_OVERHEAD = 1024

#: Bodies smaller than this are sent as they are: compressing them saves a packet at most.
COMPRESS_MIN_BYTES = 1024
#: Compressed once per revision, on the miss: brotli's quality 9 takes ~10 ms for a 125 KB
#: CSV page where 11 takes ~86 ms for 7 % less; gzip 6 is zlib's own default.
BROTLI_QUALITY = 9
GZIP_LEVEL = 6
#: The codings we send, best first: on an equal q, brotli (smaller) wins.
CODINGS = ("br", "gzip")
#: An answer pinned to a revision never changes (RFC 8246's immutable: not even revalidated).
PINNED_CACHE_CONTROL = "public, max-age=31536000, immutable"

clock = time.monotonic


def weighted(header: str) -> list[tuple[str, float]]:
    """An Accept or Accept-Encoding header's items, lower-cased, each with its q-value
    (1 when absent, 0 when unreadable), in the header's order."""
    items = []
    for item in header.split(","):
        token, *params = (p.strip() for p in item.split(";"))
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        items.append((token.lower(), q))
    return items


def negotiate(accept: str | None, format_param: str | None) -> str | None:
    """'json' or 'csv' for this request, or None when nothing it accepts can be served.

    ?format= wins over Accept. Unknown ?format= values are left to parameter validation.
    """
    if format_param in FORMATS:
        return format_param
    if not accept or not accept.strip():
        return "json"
    best, best_q = None, 0.0
    for media, q in weighted(accept):
        if media in ("application/json", "application/*", "*/*", "application/problem+json"):
            candidate = "json"
        elif media in ("text/csv", "text/*"):
            candidate = "csv"
        else:
            continue
        # Prefer JSON on a tie, so */* and a bare Accept keep the default.
        if q > best_q or (q == best_q and candidate == "json" and q > 0):
            best, best_q = candidate, q
    return best if best_q > 0 else None


#: The media types that make a refusal of a CSV request problem+json rather than text.
PROBLEM_JSON_TYPES = ("application/problem+json", "application/json")


def problem_as_text(accept: str | None, format_param: str | None) -> bool:
    """Whether a refusal is sent as plain text: the request asked for CSV (`format=csv`,
    or CSV negotiated from Accept) and its Accept names no JSON type. A spreadsheet, pandas
    or curl then shows the reason as it is; a client that names problem+json or JSON gets
    problem+json."""
    asked_csv = format_param == "csv" or (format_param is None and negotiate(accept, None) == "csv")
    return asked_csv and not any(
        media in PROBLEM_JSON_TYPES and q > 0 for media, q in weighted(accept or "")
    )


def normalised_query(query_string: bytes | str) -> str:
    text = query_string.decode("latin-1") if isinstance(query_string, bytes) else query_string
    return urlencode(sorted(parse_qsl(text, keep_blank_values=True)))


#: Paths whose one type the path names (a feed, a script, oEmbed).
SINGLE_PATHS = frozenset({"/v1/embed.js", "/oembed", "/v1/changes.atom", "/v1/changes.json"})


def single_representation(path: str) -> bool:
    """Embeds (HTML, SVG, JS, oEmbed JSON), the changes feeds and package downloads have one
    type each, named by the path: the Accept header a browser sends for a frame, an image or
    a script, or a feed reader sends, must not change or refuse them."""
    return path.startswith("/v1/embed/") or path in SINGLE_PATHS or path.endswith(".zip")


@functools.lru_cache(maxsize=4096)
def cache_key(path: str, query_string: bytes | str, accept: str | None, base: str) -> str | None:
    """The normalised request and the base URL its links start with (every answer prints
    absolute URLs: service.urls), or None when no format it accepts can be served.

    A pure function of its arguments, memoised so a warm request skips the parsing.
    """
    query = normalised_query(query_string)
    if single_representation(path):
        return f"{path}?{query}#embed@{base}"
    fmt = negotiate(accept, dict(parse_qsl(query)).get("format"))
    if fmt is None:
        return None
    return f"{path}?{query}#{fmt}@{base}"


def key_parts(key: str) -> tuple[str, str, str, str]:
    """A cache key's path, query, kind (json, csv, html, embed) and base URL."""
    target, _, rest = key.partition("#")
    kind, _, base = rest.partition("@")
    path, _, query = target.partition("?")
    return path, query, kind, base


#: The pages for people (service.web): the fast path serves them warm like /v1.
PAGE_PATHS = frozenset({"/", "/compare", "/forces"})
PAGE_PREFIXES = ("/disclosures/", "/figures/", "/forces/")


def is_page(path: str) -> bool:
    return path in PAGE_PATHS or path.startswith(PAGE_PREFIXES)


@functools.lru_cache(maxsize=4096)
def page_key(path: str, query_string: bytes | str, base: str) -> str:
    """A page's cache key: its path, its normalised parameters and the base URL its links
    and snippets use. Memoised like cache_key."""
    return f"{path}?{normalised_query(query_string)}#html@{base}"


def make_etag(revision: str, key: str) -> str:
    """A strong ETag: the code version, the dataset revision and the normalised request."""
    text = f"{__version__}\0{revision}\0{key}"
    return '"' + hashlib.sha256(text.encode()).hexdigest()[:32] + '"'


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    candidates = [c.strip() for c in if_none_match.split(",")]
    return "*" in candidates or etag in candidates or f"W/{etag}" in candidates


@functools.lru_cache(maxsize=256)
def accepted_codings(accept_encoding: str | None) -> tuple[str, ...]:
    """The codings of CODINGS this Accept-Encoding allows, preferred first (RFC 9110 12.5.3:
    q-values, `*` for any coding not named, q=0 refuses). Memoised: clients send a few."""
    if not accept_encoding:
        return ()
    weights = dict(weighted(accept_encoding))
    star = weights.get("*", 0.0)
    ranked = [(weights.get(c, star), -i, c) for i, c in enumerate(CODINGS)]
    return tuple(c for q, _, c in sorted(ranked, reverse=True) if q > 0)


@dataclass(frozen=True, slots=True)
class Entry:
    body: bytes
    media_type: str
    etag: str
    extra_headers: tuple[tuple[str, str], ...] = ()
    negotiated: bool = True  # chosen by Accept, so caches must vary on it
    # The body brotli- and gzip-compressed, when it is large enough and they are smaller.
    br: bytes | None = None
    gzip: bytes | None = None
    route: str = ""  # the template of the route that built it, for the metrics
    cache_control: str = ""  # "" for the service's default max-age
    # Encoded headers by (max_age, coding), filled on first use by encoded_headers().
    encoded: dict[tuple[int, str], tuple[Header, ...]] = field(
        default_factory=dict, compare=False, repr=False
    )


def make_entry(
    body: bytes,
    media_type: str,
    etag: str,
    extra_headers: tuple[tuple[str, str], ...] = (),
    *,
    negotiated: bool = True,
    route: str = "",
    cache_control: str = "",
    compressed: bool = True,
) -> Entry:
    """An entry with its compressed bodies, built once per revision (on the miss);
    `compressed=False` for one never sent over HTTP as it is (an MCP tool's answer)."""
    br = gz = None
    if compressed and len(body) >= COMPRESS_MIN_BYTES:
        br = brotli.compress(body, quality=BROTLI_QUALITY)
        gz = gzip.compress(body, GZIP_LEVEL, mtime=0)
        br = br if len(br) < len(body) else None
        gz = gz if len(gz) < len(body) else None
    return Entry(body, media_type, etag, extra_headers, negotiated, br, gz, route, cache_control)


def coding_for(entry: Entry, accept_encoding: str | None) -> str:
    """The coding to send `entry` in ("" for identity): the client's preferred one we hold."""
    if entry.br is None and entry.gzip is None:
        return ""
    for coding in accepted_codings(accept_encoding):
        if (entry.br if coding == "br" else entry.gzip) is not None:
            return coding
    return ""


def body_in(entry: Entry, coding: str) -> bytes:
    found = entry.br if coding == "br" else entry.gzip if coding == "gzip" else None
    return entry.body if found is None else found


def coded_etag(etag: str, coding: str) -> str:
    """Each coding is its own representation, so its own ETag: `"abc"` becomes `"abc-br"`."""
    return f'{etag[:-1]}-{coding}"' if coding else etag


def entry_bytes(key: str, entry: Entry) -> int:
    """What an entry is charged against the byte budget: its bodies (identity and
    compressed), headers (as text and once encoded, per coding), key and ENTRY_OVERHEAD."""
    headers = len(entry.media_type) + len(entry.etag) + 64  # content-length, cache-control
    headers += sum(len(k) + len(v) for k, v in entry.extra_headers)
    bodies = len(entry.body)
    for compressed in (entry.br, entry.gzip):
        if compressed is not None:
            bodies += len(compressed)
            headers += headers // 2 + 48  # its own encoded headers, content-encoding, vary
    return bodies + 2 * headers + len(key) + ENTRY_OVERHEAD


class ResponseCache:
    """Encoded responses of one revision (and of the pending next one, while it is being
    warmed), and answers pinned to a revision (which never change, so they outlive the
    revision that was current when they were built); least recently used dropped first,
    within `max_entries` and `max_bytes` for all of them together."""

    def __init__(self, max_entries: int, max_bytes: int, grace_seconds: float = 0.0) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.grace_seconds = grace_seconds
        self.revision: str | None = None
        self.pending_revision: str | None = None
        self.bytes = 0  # current and pending entries together
        self._entries: OrderedDict[str, Entry] = OrderedDict()
        self._pending: OrderedDict[str, Entry] = OrderedDict()
        self._pinned: OrderedDict[str, Entry] = OrderedDict()
        self._pending_since = 0.0
        self._lock = threading.Lock()
        self.evictions = 0  # entries dropped to stay within the bounds, ever

    def __len__(self) -> int:
        return len(self._entries) + len(self._pending) + len(self._pinned)

    def get(self, key: str) -> Entry | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
                return entry
            entry = self._pinned.get(key)
            if entry is not None:
                self._pinned.move_to_end(key)
            return entry

    def put_pinned(self, key: str, entry: Entry) -> None:
        """Keep an answer pinned to a revision by its full id: it is the same whatever the
        current revision is."""
        size = entry_bytes(key, entry)
        with self._lock:
            if size > self.max_bytes:
                return
            old = self._pinned.pop(key, None)
            if old is not None:
                self.bytes -= entry_bytes(key, old)
            self._pinned[key] = entry
            self.bytes += size
            self._shrink()

    def put(self, revision: str, key: str, entry: Entry) -> None:
        size = entry_bytes(key, entry)
        with self._lock:
            if revision == self.revision:
                target = self._entries
            elif revision == self.pending_revision:
                target = self._pending
            else:
                return
            if size > self.max_bytes:
                return
            old = target.pop(key, None)
            if old is not None:
                self.bytes -= entry_bytes(key, old)
            target[key] = entry
            self.bytes += size
            self._shrink()

    def _shrink(self) -> None:
        """Evict until within both bounds: pinned answers first (rarely asked again), then
        the outgoing revision's entries while a pending one is warming, then the least
        recently used."""
        while self.bytes > self.max_bytes or len(self) > self.max_entries:
            victims = self._pinned or self._entries or self._pending
            key, entry = victims.popitem(last=False)
            self.bytes -= entry_bytes(key, entry)
            self.evictions += 1

    def set_revision(self, revision: str) -> bool:
        """Learn that `revision` is the newest; True when the cache now serves it.

        The first revision, and any when grace_seconds is 0, is switched to at once. Else it
        becomes pending, and is switched to by promote(), or here once it has been pending
        for grace_seconds.
        """
        with self._lock:
            if revision == self.revision:
                return False
            if self.revision is None or self.grace_seconds <= 0:
                self._switch(revision, OrderedDict())
                return True
            if revision != self.pending_revision:
                self._drop_pending()
                self.pending_revision = revision
                self._pending_since = clock()
                return False
            if clock() - self._pending_since < self.grace_seconds:
                return False
            self._switch(revision, self._pending)
            return True

    def promote(self, revision: str) -> bool:
        """Serve the pending `revision` now (its warmed entries kept); False when it is no
        longer the pending one."""
        with self._lock:
            if revision != self.pending_revision:
                return False
            self._switch(revision, self._pending)
            return True

    def clear(self) -> None:
        """Forget every answer (the revisions stay known): the next request of each is a
        miss again, as on a fresh start."""
        with self._lock:
            for entries in (self._entries, self._pending, self._pinned):
                entries.clear()
            self.bytes = 0

    def hot_keys(self, count: int) -> list[str]:
        """The `count` most recently used keys of the current revision, hottest first."""
        with self._lock:
            keys: list[str] = []
            for key in reversed(self._entries):
                if len(keys) >= count:
                    break
                keys.append(key)
            return keys

    def _drop_pending(self) -> None:
        self.bytes -= sum(entry_bytes(k, e) for k, e in self._pending.items())
        self._pending = OrderedDict()

    def _switch(self, revision: str, entries: "OrderedDict[str, Entry]") -> None:
        self.revision = revision
        self._entries = entries
        self._pending = OrderedDict()
        self.pending_revision = None
        self.bytes = sum(entry_bytes(k, e) for k, e in (*entries.items(), *self._pinned.items()))


def cache_headers(entry: Entry, max_age: int, coding: str = "") -> list[tuple[str, str]]:
    vary = [
        *(("Accept",) if entry.negotiated else ()),
        *(("Accept-Encoding",) if entry.br is not None or entry.gzip is not None else ()),
    ]
    return [
        ("content-type", entry.media_type),
        *((("content-encoding", coding),) if coding else ()),
        ("etag", coded_etag(entry.etag, coding)),
        ("cache-control", entry.cache_control or f"public, max-age={max_age}"),
        *((("vary", ", ".join(vary)),) if vary else ()),
        *entry.extra_headers,
    ]


def encoded_headers(entry: Entry, max_age: int, coding: str = "") -> tuple[Header, ...]:
    """An entry's response headers in `coding` ("" for identity), encoded once, in the one
    order a miss and a hit send them."""
    encoded = entry.encoded.get((max_age, coding))
    if encoded is None:
        encoded = entry.encoded[max_age, coding] = (
            (b"content-length", str(len(body_in(entry, coding))).encode()),
            *((k.encode(), v.encode()) for k, v in cache_headers(entry, max_age, coding)),
        )
    return encoded


def entry_response(entry: Entry, max_age: int, accept_encoding: str | None = None) -> Response:
    coding = coding_for(entry, accept_encoding)
    response = Response(content=body_in(entry, coding))
    response.raw_headers = list(encoded_headers(entry, max_age, coding))
    return response
