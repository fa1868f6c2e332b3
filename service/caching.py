"""Per-revision response cache, content negotiation, cache keys and ETags.

A read response depends only on the dataset revision and the normalised request (path,
sorted query, negotiated format), so it is encoded once and kept as bytes. FastPath in
service.middleware serves hits before any routing; a miss goes through FastAPI, whose route
stores what it built. A new revision empties the cache in one step. Nothing here knows the
data layer: the revision is told to the cache (service.state.RevisionTracker).
"""

import functools
import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode

from starlette.responses import Response

JSON = "application/json"
CSV = "text/csv; charset=utf-8"
FORMATS = {"json": JSON, "csv": CSV}
Header = tuple[bytes, bytes]


def negotiate(accept: str | None, format_param: str | None) -> str | None:
    """'json' or 'csv' for this request, or None when nothing it accepts can be served.

    ?format= wins over Accept. Unknown ?format= values are left to parameter validation.
    """
    if format_param in FORMATS:
        return format_param
    if not accept or not accept.strip():
        return "json"
    best, best_q = None, 0.0
    for item in accept.split(","):
        media, *params = (p.strip() for p in item.split(";"))
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        media = media.lower()
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


def normalised_query(query_string: bytes | str) -> str:
    text = query_string.decode("latin-1") if isinstance(query_string, bytes) else query_string
    return urlencode(sorted(parse_qsl(text, keep_blank_values=True)))


def single_representation(path: str) -> bool:
    """Embeds (HTML, SVG, JS, oEmbed JSON) have one type each, named by the path: the Accept
    header a browser sends for a frame, an image or a script must not change or refuse them."""
    return path.startswith("/v1/embed/") or path in ("/v1/embed.js", "/oembed")


@functools.lru_cache(maxsize=4096)
def cache_key(path: str, query_string: bytes | str, accept: str | None) -> str | None:
    """The normalised request, or None when no format it accepts can be served.

    A pure function of its arguments, memoised so a warm request skips the parsing.
    """
    query = normalised_query(query_string)
    if single_representation(path):
        return f"{path}?{query}#embed"
    fmt = negotiate(accept, dict(parse_qsl(query)).get("format"))
    if fmt is None:
        return None
    return f"{path}?{query}#{fmt}"


def make_etag(revision: str, key: str) -> str:
    return '"' + hashlib.sha256(f"{revision}\0{key}".encode()).hexdigest()[:32] + '"'


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    candidates = [c.strip() for c in if_none_match.split(",")]
    return "*" in candidates or etag in candidates or f"W/{etag}" in candidates


@dataclass(frozen=True, slots=True)
class Entry:
    body: bytes
    media_type: str
    etag: str
    extra_headers: tuple[tuple[str, str], ...] = ()
    negotiated: bool = True  # chosen by Accept, so caches must vary on it
    # Encoded headers by max_age, filled on first use by encoded_headers().
    encoded: dict[int, tuple[Header, ...]] = field(default_factory=dict, compare=False, repr=False)


class ResponseCache:
    """Encoded responses of one revision, least recently used dropped first."""

    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self.revision: str | None = None
        self._entries: OrderedDict[str, Entry] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> Entry | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, revision: str, key: str, entry: Entry) -> None:
        with self._lock:
            if revision != self.revision:
                return
            self._entries[key] = entry
            if len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def set_revision(self, revision: str) -> bool:
        """Switch to `revision`, dropping every entry if it changed; True when it did."""
        with self._lock:
            if revision == self.revision:
                return False
            self.revision = revision
            self._entries = OrderedDict()
            return True


def cache_headers(entry: Entry, max_age: int) -> list[tuple[str, str]]:
    return [
        ("content-type", entry.media_type),
        ("etag", entry.etag),
        ("cache-control", f"public, max-age={max_age}"),
        *((("vary", "Accept"),) if entry.negotiated else ()),
        *entry.extra_headers,
    ]


def encoded_headers(entry: Entry, max_age: int) -> tuple[Header, ...]:
    """An entry's response headers, encoded once, in the one order a miss and a hit send them."""
    encoded = entry.encoded.get(max_age)
    if encoded is None:
        encoded = entry.encoded[max_age] = (
            (b"content-length", str(len(entry.body)).encode()),
            *((k.encode(), v.encode()) for k, v in cache_headers(entry, max_age)),
        )
    return encoded


def entry_response(entry: Entry, max_age: int) -> Response:
    response = Response(content=entry.body)
    response.raw_headers = list(encoded_headers(entry, max_age))
    return response
