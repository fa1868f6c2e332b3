"""Prometheus metrics for operators (APP_METRICS=true), served on /metrics.

Nothing here runs in the request path: the RequestLog layer already queues one record per
request for the request log's writer thread (service/request_log.py), and that thread,
after writing the lines, counts the same records here and samples the gauges (cache size,
pool use, revision). prometheus_client is imported only when metrics are on. With several
workers, set PROMETHEUS_MULTIPROC_DIR (an empty directory) and every worker's counts are
summed on scrape (prometheus_client's multiprocess mode).
"""

import os
from typing import Any

from service.request_log import Record
from service.state import AppState

#: Seconds; a warm hit takes well under a millisecond, a cold query tens of milliseconds.
LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)


class Metrics:
    """The process's metrics, created once; `watch` points them at the running app."""

    def __init__(self) -> None:
        import prometheus_client as prom

        self.prom = prom
        self.registry = prom.CollectorRegistry(auto_describe=True)
        self.requests = prom.Counter(
            "met_foi_requests",
            "HTTP requests answered, by route template, method and status.",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.latency = prom.Histogram(
            "met_foi_request_duration_seconds",
            "Time from the request reaching the app to its last byte leaving it.",
            ["route"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.cache_lookups = prom.Counter(
            "met_foi_cache_lookups",
            "Response-cache lookups by the fast path: hit or miss.",
            ["result"],
            registry=self.registry,
        )
        self.cache_evictions = prom.Counter(
            "met_foi_cache_evictions",
            "Responses dropped from the cache to stay within its bounds.",
            registry=self.registry,
        )
        self.db_errors = prom.Counter(
            "met_foi_database_errors",
            "Requests answered 503 because of the database: unavailable or pool_timeout.",
            ["kind"],
            registry=self.registry,
        )
        self.cache_bytes = self._live("met_foi_cache_bytes", "Bytes charged to the response cache.")
        self.cache_entries = self._live("met_foi_cache_entries", "Responses held in the cache.")
        self.pool_checked_out = self._live(
            "met_foi_db_pool_checked_out", "Database connections in use."
        )
        self.pool_size = self._live(
            "met_foi_db_pool_size", "Database connections the pool keeps open."
        )
        self.revision = prom.Gauge(
            "met_foi_dataset_revision",
            "1 for the dataset revision the process serves (the label), else 0.",
            ["revision"],
            multiprocess_mode="livemax",
            registry=self.registry,
        )
        self.state: AppState | None = None
        self._seen_evictions = 0
        self._seen_db_errors: dict[str, int] = {}
        self._revision: str | None = None

    def _live(self, name: str, documentation: str) -> Any:
        """A gauge summed over the live workers in multiprocess mode."""
        return self.prom.Gauge(
            name, documentation, multiprocess_mode="livesum", registry=self.registry
        )

    def watch(self, state: AppState) -> None:
        self.state = state
        self._seen_evictions = state.cache.evictions
        self._seen_db_errors = dict(state.db_errors)

    def count(self, records: list[Record]) -> None:
        """The request records the writer thread has just written."""
        requests, latency, lookups = self.requests, self.latency, self.cache_lookups
        templates = self.state.route_templates if self.state is not None else {}
        for record in records:
            _, _, _, method, _, _, _, status, seconds, _, route, cache = record
            if not isinstance(route, str):
                route = templates.get(route, "unmatched")
            requests.labels(route, method, str(status)).inc()
            latency.labels(route).observe(seconds)
            if cache:
                lookups.labels(cache).inc()
        self.sample()

    def sample(self) -> None:
        state = self.state
        if state is None:
            return
        cache = state.cache
        self.cache_bytes.set(cache.bytes)
        self.cache_entries.set(len(cache))
        if cache.evictions > self._seen_evictions:
            self.cache_evictions.inc(cache.evictions - self._seen_evictions)
            self._seen_evictions = cache.evictions
        for kind, total in list(state.db_errors.items()):
            seen = self._seen_db_errors.get(kind, 0)
            if total > seen:
                self.db_errors.labels(kind).inc(total - seen)
                self._seen_db_errors[kind] = total
        pool: Any = state.engine.pool
        if hasattr(pool, "checkedout"):
            self.pool_checked_out.set(pool.checkedout())
            self.pool_size.set(pool.size())
        revision = cache.revision
        if revision != self._revision:
            if self._revision is not None:
                self.revision.labels(self._revision).set(0)
            if revision is not None:
                self.revision.labels(revision).set(1)
            self._revision = revision

    def render(self) -> tuple[bytes, str]:
        """The exposition text: this process's, or every worker's in multiprocess mode."""
        self.sample()
        prom = self.prom
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            from prometheus_client import multiprocess

            registry = prom.CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
            return prom.generate_latest(registry), prom.CONTENT_TYPE_LATEST
        return prom.generate_latest(self.registry), prom.CONTENT_TYPE_LATEST


_metrics: Metrics | None = None


def metrics_for(state: AppState) -> Metrics:
    """The process's Metrics (created on first use), now watching `state`; its counts are
    fed by the request log's writer."""
    global _metrics
    from service.request_log import WRITER

    if _metrics is None:
        _metrics = Metrics()
        WRITER.observers.append(_metrics.count)
    _metrics.watch(state)
    return _metrics
