"""Compressed answers (service.caching): brotli and gzip for bodies of 1 KiB or more,
chosen by Accept-Encoding, built once per revision beside the identity bytes, each with its
own ETag, and revalidated (304) per coding. Bodies are read off the wire and decompressed."""

import gzip

import brotli
import pytest
from fastapi.testclient import TestClient

from service.caching import (
    ENTRY_OVERHEAD,
    ONE,
    Asked,
    Entry,
    Key,
    accepted_codings,
    cache_headers,
    entry_bytes,
    make_entry,
)

URL = "/v1/figures?limit=20"


def raw_get(client: TestClient, url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and the undecoded body (the test client would decode it)."""
    with client.stream("GET", url, headers=headers) as response:
        return response.status_code, dict(response.headers), b"".join(response.iter_raw())


@pytest.mark.parametrize(
    ("accept_encoding", "codings"),
    [
        (None, ()),
        ("", ()),
        ("identity", ()),
        ("gzip", ("gzip",)),
        ("gzip, deflate, br, zstd", ("br", "gzip")),
        ("gzip;q=1.0, br;q=0.5", ("gzip", "br")),
        ("br;q=0, gzip", ("gzip",)),
        ("*", ("br", "gzip")),
        ("*;q=0.2, gzip;q=0", ("br",)),
        ("BR;Q=0.9", ("br",)),
        ("gzip;q=oops", ()),
    ],
)
def test_accept_encoding_names_the_codings_in_order_of_preference(
    accept_encoding: str | None, codings: tuple[str, ...]
) -> None:
    assert accepted_codings(accept_encoding) == codings


def test_each_coding_has_exact_headers_and_round_trips(client: TestClient) -> None:
    status, plain, identity = raw_get(client, URL, **{"accept-encoding": "identity"})
    assert status == 200
    assert len(identity) >= 1024
    etag = plain["etag"]
    assert "content-encoding" not in plain
    assert plain["vary"] == "Accept, Accept-Encoding, Origin"
    assert plain["content-length"] == str(len(identity))
    for coding, decompress in (("br", brotli.decompress), ("gzip", gzip.decompress)):
        status, headers, body = raw_get(client, URL, **{"accept-encoding": coding})
        assert status == 200
        assert headers["content-encoding"] == coding
        assert headers["etag"] == f'{etag[:-1]}-{coding}"'
        assert headers["vary"] == "Accept, Accept-Encoding, Origin"
        assert headers["content-type"] == "application/json"
        assert headers["content-length"] == str(len(body))
        assert len(body) < len(identity)
        assert decompress(body) == identity


def test_a_miss_and_a_hit_send_the_same_compressed_bytes(client: TestClient) -> None:
    miss = raw_get(client, URL, **{"accept-encoding": "gzip, br", "x-request-id": "a"})
    hit = raw_get(client, URL, **{"accept-encoding": "gzip, br", "x-request-id": "a"})
    assert miss == hit
    assert miss[1]["content-encoding"] == "br"


def test_revalidation_is_per_coding(client: TestClient) -> None:
    gzip_etag = raw_get(client, URL, **{"accept-encoding": "gzip"})[1]["etag"]
    status, headers, body = raw_get(
        client, URL, **{"accept-encoding": "gzip", "if-none-match": gzip_etag}
    )
    assert (status, headers["etag"], body) == (304, gzip_etag, b"")
    assert "content-encoding" not in headers
    assert headers["vary"] == "Accept, Accept-Encoding, Origin"
    # The gzip ETag does not name the brotli representation: it is sent in full.
    status, headers, body = raw_get(
        client, URL, **{"accept-encoding": "br", "if-none-match": gzip_etag}
    )
    assert (status, headers["content-encoding"]) == (200, "br")
    assert headers["etag"] == gzip_etag.replace("-gzip", "-br")
    assert brotli.decompress(body)


def test_an_svg_chart_is_compressed_and_varies_only_on_the_coding(client: TestClient) -> None:
    status, headers, body = raw_get(
        client, "/v1/embed/aggregates.svg?by=platform", **{"accept-encoding": "gzip"}
    )
    assert status == 200
    assert headers["content-encoding"] == "gzip"
    assert headers["vary"] == "Accept-Encoding, Origin"
    assert gzip.decompress(body).startswith(b"<svg")


def test_a_small_body_is_sent_as_it_is() -> None:
    small = make_entry(b'{"a": 1}', "application/json", '"e"')
    assert (small.br, small.gzip) == (None, None)
    assert ("vary", "Accept, Origin") in cache_headers(small)
    assert all(k != "content-encoding" for k, _ in cache_headers(small))
    assert list(small.blocks) == [""]


def test_compressed_bodies_count_in_the_byte_budget() -> None:
    body = b'{"figure": "met-2013.officers.dismissed", "value": 4}, ' * 100
    plain = Entry(body, "application/json", '"e"')
    both = make_entry(body, "application/json", '"e"')
    assert both.br is not None
    assert both.gzip is not None
    key = Key(Asked("/k", "", ""), ONE)
    assert entry_bytes(key, both) >= entry_bytes(key, plain) + len(both.br) + len(both.gzip)
    assert entry_bytes(key, plain) == len(body) + 2 * (16 + 3 + 64) + 2 + ENTRY_OVERHEAD
