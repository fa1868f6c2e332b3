"""What one running app holds: settings, engine, response cache and revision tracker."""

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from service.caching import ResponseCache
from service.config import Settings
from service.errors import Problem
from service.revisions import latest_id


class RevisionTracker:
    """Knows the dataset revision; re-reads it from the database when asked to."""

    def __init__(self, engine: Engine, cache: ResponseCache) -> None:
        self.engine = engine
        self.cache = cache

    @property
    def current(self) -> str | None:
        return self.cache.revision

    def observe(self, revision: str) -> None:
        self.cache.set_revision(revision)

    def refresh(self) -> str | None:
        """Read the revision now; keep the last known one if the database is away."""
        try:
            with Session(self.engine) as session:
                self.observe(latest_id(session))
        except SQLAlchemyError:
            pass
        return self.current


@dataclass
class AppState:
    settings: Settings
    engine: Engine
    cache: ResponseCache
    tracker: RevisionTracker
    #: When readiness was last checked, and the problem found then (None: ready).
    readiness: tuple[float, Problem | None] = field(default=(float("-inf"), None))
    #: 503s caused by the database, by kind (unavailable, pool_timeout), for the metrics.
    db_errors: dict[str, int] = field(default_factory=dict)
    #: service.metrics.Metrics when APP_METRICS is on (imported only then).
    metrics: Any = None
    #: Each endpoint's route template as the app serves it (prefix included).
    route_templates: dict[Any, str] = field(default_factory=dict)

    @classmethod
    def build(cls, settings: Settings, engine: Engine) -> "AppState":
        cache = ResponseCache(
            settings.cache_max_entries,
            settings.cache_max_bytes,
            grace_seconds=settings.revision_check_seconds,
        )
        return cls(settings, engine, cache, RevisionTracker(engine, cache))
