"""The fast path: a warm response, served by the HTTP layer from the per-revision cache
without routing or SQL, is byte for byte the response FastAPI built on the miss; it finds
answers by what the routes kept, at any path.

Every GET route under /v1 is exercised in every format it serves (JSON, CSV by ?format= and
by Accept), as HEAD, paginated, and as a 304 revalidation. Each variant starts with an empty
response cache, so the first request is a miss and the second a hit.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.engine import Engine

from service.caching import BY_FORMAT, NOT_KEPT, ONE, ONE_FORM, Asked, Key, asked_of
from service.config import Settings
from service.main import create_app
from tests.conftest import seeded_revision
from tests.test_caching import get_at_once, service_of, stores

# A real id for every path parameter a /v1 route takes; a new route with a parameter not
# listed here fails test_every_v1_route_is_covered until it is added.
PATH_IDS = {
    "disclosure_id": "met-2013",
    "figure_id": "met-2013.officers.dismissed",
    "case_id": "met-2013.case-1",
    "check_id": "met-2013.K1",
    "table": "figures",
    "force_id": "kent-police",
    "revision_id": seeded_revision(),
}
#: Answers that are never kept: a package's zip is streamed from the stored files, so a
#: package of any size never has to fit in memory (it still has an ETag and answers 304).
STREAMED = {"/v1/disclosures/{disclosure_id}/datapackage.zip"}
# Query parameters a route requires, with a value it accepts.
REQUIRED_QUERY = {"by": "platform", "measure": "investigated"}
REQUEST_ID = "fast-path-test"


@dataclass(frozen=True)
class Route:
    path: str
    query: tuple[str, ...]
    required: tuple[str, ...]


def _v1_get_routes() -> list[Route]:
    """Every GET operation under /v1, from the app's own OpenAPI document."""
    app = create_app(Settings(database_url="sqlite://", revision_check_seconds=0))
    routes = []
    for path, operations in app.openapi()["paths"].items():
        if not path.startswith("/v1/") or "get" not in operations:
            continue
        params = [p for p in operations["get"].get("parameters", []) if p["in"] == "query"]
        routes.append(
            Route(
                path,
                tuple(p["name"] for p in params),
                tuple(p["name"] for p in params if p.get("required")),
            )
        )
    return routes


def _url(route: Route) -> str:
    path = re.sub(r"\{(\w+)\}", lambda m: PATH_IDS[m.group(1)], route.path)
    query = "&".join(f"{name}={REQUIRED_QUERY[name]}" for name in route.required)
    return f"{path}?{query}" if query else path


@dataclass
class Variant:
    name: str
    method: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    revalidate: bool = False


def _variants(route: Route) -> list[Variant]:
    url = _url(route)
    join = "&" if "?" in url else "?"
    names = set(route.query)
    variants = [
        Variant("json", "GET", url),
        Variant("json-by-format", "GET", f"{url}{join}format=json")
        if "format" in names
        else Variant("json-by-accept", "GET", url, {"accept": "application/json"}),
        Variant("head", "HEAD", url),
        Variant("not-modified", "GET", url, revalidate=True),
        Variant("gzip", "GET", url, {"accept-encoding": "gzip"}),
        Variant("identity", "GET", url, {"accept-encoding": "identity"}),
        Variant("gzip-not-modified", "GET", url, {"accept-encoding": "gzip"}, revalidate=True),
        Variant("cross-origin", "GET", url, {"origin": "https://desk.example"}),
    ]
    if "format" in names:
        variants += [
            Variant("csv-by-format", "GET", f"{url}{join}format=csv"),
            Variant("csv-by-accept", "GET", url, {"accept": "text/csv"}),
            Variant("csv-head", "HEAD", f"{url}{join}format=csv"),
            Variant("csv-not-modified", "GET", f"{url}{join}format=csv", revalidate=True),
        ]
    if "offset" in names:
        variants += [
            Variant("second-page", "GET", f"{url}{join}limit=1&offset=1"),
            Variant("second-page-csv", "GET", f"{url}{join}limit=1&offset=1&format=csv"),
        ]
    return variants


ROUTES = [r for r in _v1_get_routes() if r.path not in STREAMED]


class StatementCounter:
    """Counts SQL statements run on a real engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.count = 0

    def __call__(self, *_: Any) -> None:
        self.count += 1

    def __enter__(self) -> "StatementCounter":
        event.listen(self.engine, "before_cursor_execute", self)
        return self

    def __exit__(self, *_: Any) -> None:
        event.remove(self.engine, "before_cursor_execute", self)


@pytest.fixture
def fresh_client(settings: Settings, engine: Engine) -> Iterator[Any]:
    """One app on the test's database, its response cache emptied at each call: the next
    request of any URL is a miss again, as on a fresh app (built once: a new app's first
    request builds FastAPI's routes, which costs more than the request)."""
    with TestClient(create_app(settings, engine)) as client:
        cache = service_of(client).cache

        def make() -> TestClient:
            cache.clear()
            return client

        yield make


def _snapshot(response: Any) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    return response.status_code, list(response.headers.raw), response.content


def test_every_v1_route_is_covered() -> None:
    paths = {r.path for r in ROUTES}
    assert {
        "/v1/meta",
        "/v1/disclosures",
        "/v1/disclosures/{disclosure_id}",
        "/v1/sources",
        "/v1/figures",
        "/v1/figures/{figure_id}",
        "/v1/aggregates",
        "/v1/outcomes",
        "/v1/platforms",
        "/v1/cases",
        "/v1/cases/{case_id}",
        "/v1/checks",
        "/v1/checks/{check_id}",
        "/v1/csvw/{table}",
    } <= paths
    for route in ROUTES:
        _url(route)  # raises KeyError for a path or required parameter without a value


@pytest.mark.parametrize("route", ROUTES, ids=[r.path for r in ROUTES])
def test_cached_response_is_byte_identical_to_the_miss(
    route: Route, engine: Engine, fresh_client: Any
) -> None:
    for variant in _variants(route):
        headers = {"x-request-id": REQUEST_ID, **variant.headers}
        if variant.revalidate:
            etag = fresh_client().get(variant.url, headers=headers).headers["etag"]
            headers["if-none-match"] = etag
        client = fresh_client()
        with StatementCounter(engine) as miss_sql:
            miss = client.request(variant.method, variant.url, headers=headers)
        with StatementCounter(engine) as hit_sql:
            hit = client.request(variant.method, variant.url, headers=headers)

        where = f"{variant.name} {variant.method} {variant.url}"
        assert miss_sql.count > 0, f"{where}: the first request should be built from SQL"
        assert hit_sql.count == 0, f"{where}: the second request should come from the cache"
        assert _snapshot(hit) == _snapshot(miss), where
        expected_status = 304 if variant.revalidate else 200
        assert miss.status_code == expected_status, where
        names = [k.decode() for k, _ in miss.headers.raw]
        assert len(names) == len(set(names)), f"{where}: a header is repeated: {names}"
        if variant.method == "HEAD" or variant.revalidate:
            assert miss.content == b"", where
        else:
            assert miss.content, where
            # The bytes on the wire: the client decodes a compressed body.
            assert miss.headers["content-length"] == str(miss.num_bytes_downloaded), where
        if variant.revalidate:
            assert "content-type" not in miss.headers, where
            assert "content-length" not in miss.headers, where
            assert "content-encoding" not in miss.headers, where
        assert miss.headers["x-request-id"] == REQUEST_ID
        assert miss.headers["cache-control"] == "public, max-age=300"
        assert miss.headers["etag"].startswith('"')


def test_csv_and_json_of_one_resource_are_cached_apart(fresh_client: Any) -> None:
    client = fresh_client()
    as_json = client.get("/v1/aggregates?by=platform")
    as_csv = client.get("/v1/aggregates?by=platform", headers={"accept": "text/csv"})
    again_json = client.get("/v1/aggregates?by=platform")
    assert as_json.headers["content-type"] == "application/json"
    assert as_csv.headers["content-type"] == "text/csv; charset=utf-8"
    assert as_csv.content.startswith(b"staff_type,outcome,platform,")
    assert again_json.content == as_json.content
    assert as_json.headers["etag"] != as_csv.headers["etag"]


def test_query_order_does_not_split_the_cache(engine: Engine, fresh_client: Any) -> None:
    client = fresh_client()
    first = client.get("/v1/cases?limit=2&offset=1")
    with StatementCounter(engine) as sql:
        second = client.get("/v1/cases?offset=1&limit=2")
    assert sql.count == 0
    assert second.content == first.content
    assert second.headers["etag"] == first.headers["etag"]


# ---------------------------------------------------------------- pages for people

FIGURE_PAGE = "/figures/met-2013.officers.dismissed"
PAGES = [
    "/",
    "/disclosures/met-2013",
    "/disclosures/met-2013?outcome=dismissed&sort=-count",
    FIGURE_PAGE,
    f"{FIGURE_PAGE}?embed=script&theme=dark",
    f"{FIGURE_PAGE}?revision={seeded_revision()}",
    "/compare?measure=investigated",
]


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("coding", ["identity", "gzip", "br"])
def test_a_warm_page_is_served_without_routing_or_sql_byte_for_byte(
    url: str, coding: str, engine: Engine, fresh_client: Any
) -> None:
    client = fresh_client()
    headers = {"x-request-id": REQUEST_ID, "accept-encoding": coding}
    with StatementCounter(engine) as miss_sql:
        miss = client.get(url, headers=headers)
    with StatementCounter(engine) as hit_sql:
        hit = client.get(url, headers=headers)
    assert miss.status_code == 200
    assert miss_sql.count > 0
    assert hit_sql.count == 0, f"{url}: the second request should come from the fast path"
    assert _snapshot(hit) == _snapshot(miss)
    assert miss.headers["content-type"] == "text/html; charset=utf-8"
    assert miss.headers.get("content-encoding", "identity") == coding
    assert miss.headers["vary"] == "Accept-Encoding, Origin"
    with StatementCounter(engine) as revalidate_sql:
        again = client.get(url, headers={**headers, "if-none-match": miss.headers["etag"]})
    assert (again.status_code, again.content, revalidate_sql.count) == (304, b"", 0)


def test_a_page_asked_with_its_defaults_left_out_is_the_same_entry(
    engine: Engine, fresh_client: Any
) -> None:
    client = fresh_client()
    explicit = client.get(f"{FIGURE_PAGE}?embed=iframe&theme=light&version=live")
    with StatementCounter(engine) as sql:
        plain = client.get(FIGURE_PAGE)  # the route finds the built page, then keeps an alias
    with StatementCounter(engine) as warm_sql:
        again = client.get(FIGURE_PAGE)
    assert plain.content == again.content == explicit.content
    assert plain.headers["etag"] == again.headers["etag"] == explicit.headers["etag"]
    assert sql.count == 1  # the latest revision, to find the built page under its key
    assert warm_sql.count == 0


def test_unknown_page_parameters_never_add_a_cache_entry(fresh_client: Any) -> None:
    client = fresh_client()
    cache = client.app.state.app.cache
    client.get(FIGURE_PAGE)
    kept = len(cache)
    for n in range(20):
        assert client.get(f"{FIGURE_PAGE}?utm_source=x{n}").status_code == 200
        assert client.get(f"{FIGURE_PAGE}?theme=nonsense{n}").status_code == 200
    assert len(cache) == kept


def test_a_page_built_on_a_miss_reads_the_newest_revision_once(
    engine: Engine, fresh_client: Any
) -> None:
    newest: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if "FROM revisions ORDER BY revisions.seq DESC" in " ".join(statement.split()):
            newest.append(statement)

    client = fresh_client()
    event.listen(engine, "before_cursor_execute", record)
    try:
        assert client.get(FIGURE_PAGE).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert len(newest) == 1


# ---------------------------------------------------------------- any path

#: Answers a route builds through Reply outside /v1 and the pages: the fast path knows no
#: paths, so it serves them warm like the rest.
ELSEWHERE = [
    "/llms.txt",
    "/robots.txt",
    "/sitemap.xml",
    f"/oembed?url=http://testserver/v1/embed/figures/{FIGURE_PAGE.rpartition('/')[2]}",
]


@pytest.mark.parametrize("url", ELSEWHERE)
def test_an_answer_kept_at_any_path_is_served_warm_without_routing_or_sql(
    url: str, engine: Engine, fresh_client: Any
) -> None:
    client = fresh_client()
    headers = {"x-request-id": REQUEST_ID, "accept-encoding": "gzip"}
    miss = client.get(url, headers=headers)
    with StatementCounter(engine) as hit_sql:
        hit = client.get(url, headers=headers)
    assert miss.status_code == 200
    assert hit_sql.count == 0, f"{url}: the second request should come from the fast path"
    assert _snapshot(hit) == _snapshot(miss)


def asked(url: str) -> Asked:
    path, _, query = url.partition("?")
    return asked_of(path, query, "http://testserver")


def test_what_an_answer_varies_on_is_learned_from_what_was_kept(fresh_client: Any) -> None:
    """The rule FastPath looks a request up by comes from the stored answer (JSON or CSV by
    format, or one representation), and a 200 that kept nothing is sent straight on after
    its first answer."""
    client = fresh_client()
    cache = service_of(client).cache
    urls = {
        "/v1/meta": BY_FORMAT,
        "/v1/aggregates?by=platform&format=csv": BY_FORMAT,
        FIGURE_PAGE: ONE_FORM,
        "/v1/embed.js": ONE_FORM,
        "/llms.txt": ONE_FORM,
        "/healthz": NOT_KEPT,
        "/static/web.css": NOT_KEPT,
    }
    assert [cache.rule(asked(url)) for url in urls] == [None] * len(urls)
    for url in urls:
        assert client.get(url).status_code == 200, url
    assert {url: cache.rule(asked(url)) for url in urls} == urls
    # A refusal teaches nothing: the next request is looked at afresh.
    assert client.get("/v1/figures/no-such-figure").status_code == 404
    assert cache.rule(asked("/v1/figures/no-such-figure")) is None


def test_concurrent_identical_misses_of_a_page_are_built_once(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page is coalesced like /v1: the fast path needs no list of page paths."""
    service_of(client).cache.clear()
    stored = stores(monkeypatch)
    responses = get_at_once(client.app, FIGURE_PAGE, 10)
    assert [r.status_code for r in responses] == [200] * 10
    # Built once, under the parameters the page understood (their defaults).
    understood = asked(f"{FIGURE_PAGE}?embed=iframe&theme=light&version=live")
    assert stored == [Key(understood, ONE)]
