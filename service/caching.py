"""Per-revision response cache, content negotiation, cache keys and ETags.

A read response depends only on the dataset revision and the normalised request (path,
sorted query, base URL: an Asked) and, for the API's reads, the negotiated format, so it is
encoded once and kept as bytes under a Key. FastPath in service.middleware serves hits
before any routing; a miss goes through FastAPI, whose route stores what it built
(service.api.reply.Reply). Which Key a request's answer is under is learned from what was
stored for its Asked (a Rule, as an HTTP cache learns Vary), never from the shape of a
path. The cache is bounded by bytes (body, headers, key and a fixed per-entry overhead) as
well as by entries, and drops the least recently used first.

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
from typing import NamedTuple
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
#: Compressed once per revision, on the miss, which waits for it: brotli's quality 6 takes
#: 1.4 ms for a 133 KB CSV of 500 figures, 2.3 ms for a 270 KB JSON page of 50, 0.5 ms for a
#: 42 KB disclosure page, where quality 9 took 12.6, 17.6 and 9.8 ms for bodies 0.7 to 3.1 %
#: smaller (and 11 is ~7 times 9); gzip 6 is zlib's own default.
BROTLI_QUALITY = 6
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


class Asked(NamedTuple):
    """A request as the cache knows it before it knows the answer's type (an HTTP cache's
    primary key): the path, the normalised query and the base URL the answer's links start
    with (every answer prints absolute URLs: service.urls)."""

    path: str
    query: str
    base: str


class Key(NamedTuple):
    """One answer in the cache: what was asked, and which of its representations this is
    (a FORMATS name; ONE for an answer with one representation; MCP for a tool's answer).
    Printed, as its ETag hashes it: `path?query#variant@base`."""

    asked: Asked
    variant: str

    def __str__(self) -> str:
        return f"{self.asked.path}?{self.asked.query}#{self.variant}@{self.asked.base}"


#: The variant of an answer with one representation (a page, an embed, a feed, a file): the
#: Accept header a browser sends for a frame, an image or a script must not change or refuse
#: it.
ONE = ""
#: The variant of an MCP tool's answer (service.mcp): kept with the rest, never served here.
MCP = "mcp"

#: What an Asked's answers vary on, as the producer stored them (service.api.reply.Reply):
#: like an HTTP cache's Vary, learned from the stored answers, not from the path.
BY_FORMAT = "format"  # JSON or CSV, chosen by ?format= or Accept (the Key's variant)
ONE_FORM = "one"  # nothing: Key(asked, ONE)
NOT_KEPT = "not kept"  # answered 200 and kept nothing (health, metrics, static files, streams)
Rule = str


class RequestKeys(NamedTuple):
    """A request's Asked, and its Key under each rule: `negotiated` is None when no format
    it accepts can be served."""

    asked: Asked
    one: Key
    negotiated: Key | None


@functools.lru_cache(maxsize=4096)
def request_keys(
    path: str, query_string: bytes | str, accept: str | None, base: str
) -> RequestKeys:
    """The keys a request may find its answer under. A pure function of its arguments,
    memoised so a warm request skips the parsing."""
    query = normalised_query(query_string)
    asked = Asked(path, query, base)
    fmt = negotiate(accept, dict(parse_qsl(query)).get("format"))
    return RequestKeys(asked, Key(asked, ONE), None if fmt is None else Key(asked, fmt))


def asked_of(path: str, query_string: bytes | str, base: str) -> Asked:
    """An Asked made by a route: a page's path and the parameters it understood."""
    return request_keys(path, query_string, None, base).asked


def key_for(keys: RequestKeys, rule: Rule | None) -> Key | None:
    """The key a request's answer is kept under by the rule its Asked's answers follow;
    None when there is none to look up (not kept, unknown, or no format it accepts)."""
    if rule == BY_FORMAT:
        return keys.negotiated
    return keys.one if rule == ONE_FORM else None


def rule_of(key: Key) -> Rule | None:
    """What a stored answer says its Asked's answers vary on (None for an MCP answer)."""
    if key.variant in FORMATS:
        return BY_FORMAT
    return ONE_FORM if key.variant == ONE else None


def make_etag(revision: str, key: Key) -> str:
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
    cache_control: str = ""
    #: Its response headers in each coding it holds ("" for identity), encoded once by
    #: make_entry: a hit sends a block as it is, nothing added to it nor looked up in it.
    blocks: dict[str, tuple[Header, ...]] = field(default_factory=dict, compare=False, repr=False)


#: For answers a browser renders (HTML, SVG, XML, JavaScript) that set no policy of their
#: own: nothing may load from them, nothing may frame them. JSON and CSV need none.
API_CSP = "default-src 'none'; frame-ancestors 'none'"
#: The media types a browser renders as a document or runs (XML too: an XHTML element in a
#: feed runs its script); every other answer is data, and nosniff keeps it so.
RENDERED_TYPES = frozenset(
    {
        "text/html",
        "application/xhtml+xml",
        "image/svg+xml",
        "text/javascript",
        "application/javascript",
        "text/xml",
        "application/xml",
    }
)


def is_rendered(media_type: str) -> bool:
    """Whether a browser renders or runs an answer of this type, so it needs a CSP."""
    media = media_type.partition(";")[0].strip().lower()
    return media in RENDERED_TYPES or media.endswith("+xml")


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
    """An entry with its compressed bodies and their header blocks, built once per revision
    (on the miss); `compressed=False` for one never sent over HTTP (an MCP tool's answer),
    which gets neither."""
    br = gz = None
    if compressed and len(body) >= COMPRESS_MIN_BYTES:
        br = brotli.compress(body, quality=BROTLI_QUALITY)
        gz = gzip.compress(body, GZIP_LEVEL, mtime=0)
        br = br if len(br) < len(body) else None
        gz = gz if len(gz) < len(body) else None
    entry = Entry(body, media_type, etag, extra_headers, negotiated, br, gz, route, cache_control)
    if compressed:
        for coding in ("", *(c for c in CODINGS if body_in(entry, c) is not body)):
            entry.blocks[coding] = tuple(
                (k.encode("latin-1"), v.encode("latin-1")) for k, v in cache_headers(entry, coding)
            )
    return entry


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


def key_bytes(key: Key) -> int:
    asked = key.asked
    return len(asked.path) + len(asked.query) + len(asked.base) + len(key.variant)


def entry_bytes(key: Key, entry: Entry) -> int:
    """What an entry is charged against the byte budget: its bodies (identity and
    compressed), headers (as text and once encoded, per coding), key and ENTRY_OVERHEAD."""
    headers = len(entry.media_type) + len(entry.etag) + 64  # content-length, cache-control
    headers += sum(len(k) + len(v) for k, v in entry.extra_headers)
    bodies = len(entry.body)
    for compressed in (entry.br, entry.gzip):
        if compressed is not None:
            bodies += len(compressed)
            headers += headers // 2 + 48  # its own encoded headers, content-encoding, vary
    return bodies + 2 * headers + key_bytes(key) + ENTRY_OVERHEAD


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
        self._entries: OrderedDict[Key, Entry] = OrderedDict()
        self._pending: OrderedDict[Key, Entry] = OrderedDict()
        self._pinned: OrderedDict[Key, Entry] = OrderedDict()
        #: What each Asked's answers vary on, as the stored answers said (rule_of), or
        #: NOT_KEPT: at most max_entries, least recently learned dropped first. It outlives
        #: the revisions, so a new revision's first misses are known for what they are.
        self._rules: OrderedDict[Asked, Rule] = OrderedDict()
        self._pending_since = 0.0
        self._lock = threading.Lock()
        self.evictions = 0  # entries dropped to stay within the bounds, ever

    def __len__(self) -> int:
        return len(self._entries) + len(self._pending) + len(self._pinned)

    def rule(self, asked: Asked) -> Rule | None:
        """What `asked`'s answers vary on, or None when no answer to it was seen."""
        return self._rules.get(asked)

    def learn(self, asked: Asked, rule: Rule) -> None:
        with self._lock:
            self._learn(asked, rule)

    def _learn(self, asked: Asked, rule: Rule) -> None:
        if self._rules.get(asked) != rule:
            self._rules[asked] = rule
            if len(self._rules) > self.max_entries:
                self._rules.popitem(last=False)

    def get(self, key: Key) -> Entry | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
                return entry
            entry = self._pinned.get(key)
            if entry is not None:
                self._pinned.move_to_end(key)
            return entry

    def put_pinned(self, key: Key, entry: Entry) -> None:
        """Keep an answer pinned to a revision by its full id: it is the same whatever the
        current revision is."""
        size = entry_bytes(key, entry)
        rule = rule_of(key)
        with self._lock:
            if rule is not None:
                self._learn(key.asked, rule)
            if size > self.max_bytes:
                return
            old = self._pinned.pop(key, None)
            if old is not None:
                self.bytes -= entry_bytes(key, old)
            self._pinned[key] = entry
            self.bytes += size
            self._shrink()

    def put(self, revision: str, key: Key, entry: Entry) -> None:
        """Keep an answer of `revision` (dropped unless it is the current or pending one),
        and learn from its key what its Asked's answers vary on."""
        size = entry_bytes(key, entry)
        rule = rule_of(key)
        with self._lock:
            if rule is not None:
                self._learn(key.asked, rule)
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
        """Forget every answer and what each varies on (the revisions stay known): the next
        request of each is a miss again, as on a fresh start."""
        with self._lock:
            for entries in (self._entries, self._pending, self._pinned):
                entries.clear()
            self._rules.clear()
            self.bytes = 0

    def hot_keys(self, count: int) -> list[Key]:
        """The `count` most recently used keys of the current revision, hottest first."""
        with self._lock:
            keys: list[Key] = []
            for key in reversed(self._entries):
                if len(keys) >= count:
                    break
                keys.append(key)
            return keys

    def _drop_pending(self) -> None:
        self.bytes -= sum(entry_bytes(k, e) for k, e in self._pending.items())
        self._pending = OrderedDict()

    def _switch(self, revision: str, entries: "OrderedDict[Key, Entry]") -> None:
        self.revision = revision
        self._entries = entries
        self._pending = OrderedDict()
        self.pending_revision = None
        self.bytes = sum(entry_bytes(k, e) for k, e in (*entries.items(), *self._pinned.items()))


def cache_headers(entry: Entry, coding: str = "") -> list[tuple[str, str]]:
    """An entry's response headers in `coding` ("" for identity), in the one order a miss
    and a hit send them. Every answer varies on Origin: the CORS headers are sent only to a
    request that has one (service.middleware.EdgeHeaders), and a cache that kept an answer
    without them must not give it to a browser acting cross-origin (Fetch 3.2.5)."""
    vary = [
        *(("Accept",) if entry.negotiated else ()),
        *(("Accept-Encoding",) if entry.br is not None or entry.gzip is not None else ()),
        "Origin",
    ]
    own_csp = any(k == "content-security-policy" for k, _ in entry.extra_headers)
    return [
        ("content-length", str(len(body_in(entry, coding)))),
        ("content-type", entry.media_type),
        *((("content-encoding", coding),) if coding else ()),
        ("etag", coded_etag(entry.etag, coding)),
        ("cache-control", entry.cache_control),
        ("vary", ", ".join(vary)),
        *entry.extra_headers,
        *(
            (("content-security-policy", API_CSP),)
            if not own_csp and is_rendered(entry.media_type)
            else ()
        ),
    ]


def encoded_headers(entry: Entry, coding: str = "") -> tuple[Header, ...]:
    """An entry's header block in `coding`, as make_entry encoded it."""
    return entry.blocks[coding]


def entry_response(entry: Entry, accept_encoding: str | None = None) -> Response:
    coding = coding_for(entry, accept_encoding)
    response = Response(content=body_in(entry, coding))
    response.raw_headers = list(encoded_headers(entry, coding))
    return response
