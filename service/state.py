"""What one running app holds: settings, engine, response cache and revision tracker."""

from dataclasses import dataclass

from sqlalchemy.engine import Engine

from service.caching import ResponseCache, RevisionTracker
from service.config import Settings


@dataclass
class AppState:
    settings: Settings
    engine: Engine
    cache: ResponseCache
    tracker: RevisionTracker

    @classmethod
    def build(cls, settings: Settings, engine: Engine) -> "AppState":
        cache = ResponseCache(settings.cache_max_entries)
        return cls(settings, engine, cache, RevisionTracker(engine, cache))
