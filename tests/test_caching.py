"""service.caching's response cache: a byte budget with least-recently-used eviction, a
pending revision that is warmed before it is served, and FastPath's single flight."""

import shutil
from pathlib import Path
from typing import Any

import anyio
import httpx2
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from service import caching
from service.api import reply
from service.caching import ENTRY_OVERHEAD, ONE, Asked, Entry, Key, ResponseCache, entry_bytes
from service.config import Settings
from service.main import ServiceApp, create_app
from service.seed import load_packages
from tests.conftest import MET_2013, edit_csv
from tests.processes import wait_until


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(caching, "clock", fake)
    return fake


def k(path: str) -> Key:
    """A key of an answer with one representation at `path`."""
    return Key(Asked(path, "", ""), ONE)


def entry(body: bytes, etag: str = '"e"') -> Entry:
    return Entry(body=body, media_type="application/json", etag=etag)


def service_of(client: TestClient) -> Any:
    app = client.app
    assert isinstance(app, ServiceApp)
    return app.service


def test_an_entry_is_charged_its_body_headers_key_and_overhead() -> None:
    one = Entry(body=b"x" * 1000, media_type="text/csv", etag='"abc"', extra_headers=(("l", "v"),))
    assert entry_bytes(k("/v1/k"), one) == 1000 + 2 * (8 + 5 + 64 + 2) + 5 + ENTRY_OVERHEAD


def test_the_cache_stays_within_its_byte_budget_and_keeps_the_hot_entry() -> None:
    cache = ResponseCache(max_entries=10_000, max_bytes=100_000)
    cache.set_revision("r1")
    cache.put("r1", k("hot"), entry(b"h" * 5000))
    for i in range(500):
        cache.put("r1", k(f"/v1/figures?offset={i}"), entry(b"x" * 3000))
        assert cache.get(k("hot")) is not None  # used between every fill: never evicted
        assert cache.bytes <= 100_000
    assert 20 <= len(cache) <= 100_000 // 3000
    assert cache.bytes == sum(
        entry_bytes(k, e) for k, e in [*cache._entries.items(), *cache._pending.items()]
    )
    assert cache.get(k("/v1/figures?offset=0")) is None  # the coldest went first
    assert cache.get(k("/v1/figures?offset=499")) is not None
    cache.put("r1", k("huge"), entry(b"z" * 200_000))  # larger than the whole budget
    assert cache.get(k("huge")) is None
    assert cache.get(k("hot")) is not None


def test_distinct_requests_keep_the_app_cache_within_its_budget(
    settings: Settings, engine: Engine
) -> None:
    """Issue 17 item 2: 2,400 distinct pages grew a worker by 232 MB; the cache counted
    entries (4,096), not bytes."""
    budget = 256 * 1024
    app = create_app(settings.model_copy(update={"cache_max_bytes": budget}), engine)
    with TestClient(app) as client:
        cache = service_of(client).cache
        built = 0
        for limit in range(60, 500, 20):
            for fmt in ("json", "csv"):
                response = client.get(f"/v1/figures?limit={limit}&offset=1&format={fmt}")
                assert response.status_code == 200
                built += len(response.content)
                assert cache.bytes <= budget
        assert built > 4 * budget  # the traffic would have overflowed it several times
        assert 0 < cache.bytes <= budget
        assert len(cache) < 44


@pytest.mark.usefixtures("clock")
def test_a_new_revision_is_pending_until_promoted_and_serves_the_old_meanwhile() -> None:
    cache = ResponseCache(max_entries=100, max_bytes=1_000_000, grace_seconds=5)
    assert cache.set_revision("r1") is True  # the first revision is served at once
    cache.put("r1", k("k"), entry(b"old"))
    assert cache.set_revision("r2") is False
    assert (cache.revision, cache.pending_revision) == ("r1", "r2")
    cache_hit = cache.get(k("k"))
    assert cache_hit is not None
    assert cache_hit.body == b"old"
    cache.put("r2", k("k"), entry(b"new"))
    cache.put("r1", k("other"), entry(b"old-only"))
    assert cache.hot_keys(5) == [k("other"), k("k")]
    assert cache.promote("r2") is True
    assert cache.revision == "r2"
    promoted = cache.get(k("k"))
    assert promoted is not None
    assert promoted.body == b"new"
    assert cache.get(k("other")) is None
    assert cache.promote("r2") is False


def test_a_pending_revision_is_served_after_the_grace_even_if_never_warmed(
    clock: FakeClock,
) -> None:
    cache = ResponseCache(max_entries=100, max_bytes=1_000_000, grace_seconds=5)
    cache.set_revision("r1")
    cache.put("r1", k("k"), entry(b"old"))
    assert cache.set_revision("r2") is False
    clock.now += 4.9
    assert cache.set_revision("r2") is False
    clock.now += 0.2
    assert cache.set_revision("r2") is True
    assert (cache.revision, cache.pending_revision, cache.get(k("k"))) == ("r2", None, None)


def test_without_a_watcher_a_new_revision_is_switched_to_at_once() -> None:
    cache = ResponseCache(max_entries=100, max_bytes=1_000_000, grace_seconds=0)
    cache.set_revision("r1")
    cache.put("r1", k("k"), entry(b"old"))
    assert cache.set_revision("r2") is True
    assert cache.get(k("k")) is None


@pytest.fixture
def changed_package(tmp_path: Path) -> Path:
    package = tmp_path / "met-2013"
    shutil.copytree(MET_2013, package)
    edit_csv(package / "notes.csv", 2, "text", "Reworded for the warming test.")
    return package


HOT = ["/v1/meta", "/v1/figures?limit=5", "/v1/aggregates?by=platform&format=csv"]


def test_the_hottest_keys_are_rebuilt_before_a_new_revision_is_served(
    settings: Settings, engine: Engine, changed_package: Path
) -> None:
    """Issue 17 item 4: a new revision emptied the cache at once (a stampede of misses)."""
    app = create_app(settings.model_copy(update={"revision_check_seconds": 2}), engine)
    with TestClient(app) as client:
        cache = service_of(client).cache
        before = {path: client.get(path) for path in HOT}
        old = cache.revision
        keys = cache.hot_keys(10)
        assert len(keys) == 3
        load_packages(engine, [changed_package])
        wait_until(lambda: cache.revision != old, 15, "the new revision to be served")
        # No request has been made since the reload: the watcher built these.
        for key in keys:
            warmed = cache.get(key)
            assert warmed is not None, key
        after = {path: client.get(path) for path in HOT}
    for path in HOT:
        assert after[path].status_code == 200
        assert after[path].headers["etag"] != before[path].headers["etag"]
    assert after["/v1/meta"].json()["revision"] == cache.revision


def stores(monkeypatch: pytest.MonkeyPatch) -> list[Key]:
    """The keys Reply stores answers under from now on, in order."""
    stored: list[Key] = []
    original = reply.Reply._store

    def counting(self: reply.Reply, *args: Any, **kwargs: Any) -> Any:
        stored.append(self.key)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(reply.Reply, "_store", counting)
    return stored


def get_at_once(app: Any, url: str, times: int) -> list[httpx2.Response]:
    """`times` identical GETs of `url`, all in flight together."""
    responses: list[httpx2.Response] = []

    async def one(http: httpx2.AsyncClient) -> None:
        responses.append(await http.get(url))

    async def many() -> None:
        transport = httpx2.ASGITransport(app=app)
        async with httpx2.AsyncClient(transport=transport, base_url="http://testserver") as http:
            with anyio.fail_after(30):
                async with anyio.create_task_group() as group:
                    for _ in range(times):
                        group.start_soon(one, http)

    anyio.run(many)
    return responses


def test_concurrent_identical_misses_are_built_once(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 17 item 4: nothing coalesced identical misses."""
    stored = stores(monkeypatch)
    responses = get_at_once(client.app, "/v1/figures?limit=7&format=csv", 20)
    assert [r.status_code for r in responses] == [200] * 20
    assert len({r.content for r in responses}) == 1
    asked = Asked("/v1/figures", "format=csv&limit=7", "http://testserver")
    assert stored == [Key(asked, "csv")]
