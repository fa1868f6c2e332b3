"""Engine construction, time bounds on every query, SQLite pragmas, the readiness ping and
schema migration.

Every PostgreSQL query is bounded three ways: the server's statement_timeout (a slow
query), TCP keepalives and tcp_user_timeout (a peer that vanished from the network), and
QueryWatchdog, which shuts the socket of a query still waiting a second after the statement
timeout: a frozen server (SIGSTOP, a hung VM) still has its kernel acknowledge every packet,
so neither of the others ever fires. SQLite waits at most busy_timeout for a lock.
"""

import contextlib
import functools
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import create_engine

from service.config import BUNDLE_ROOT, Settings, get_settings

#: The dialect methods through which every query and the pool's pre-ping reach the socket.
BOUNDED_METHODS = ("do_execute", "do_execute_no_params", "do_executemany", "do_ping")


class QueryWatchdog:
    """Shuts down the socket of any connection whose query outlives `seconds`, so the
    blocked driver call fails at once (OperationalError, then a 503) and SQLAlchemy
    discards the connection. One daemon thread serves every connection of an engine."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._deadlines: dict[int, tuple[float, int]] = {}  # id(connection) -> (when, fd)
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None

    @contextlib.contextmanager
    def watching(self, dbapi_connection: Any) -> Iterator[None]:
        token = id(dbapi_connection)
        fd = dbapi_connection.pgconn.socket
        with self._wake:
            self._deadlines[token] = (time.monotonic() + self.seconds, fd)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="query-watchdog", daemon=True
                )
                self._thread.start()
            self._wake.notify()  # it may be sleeping until a later deadline, or for a minute
        try:
            yield
        finally:
            with self._wake:
                self._deadlines.pop(token, None)

    def _run(self) -> None:
        while True:
            with self._wake:
                now = time.monotonic()
                expired = [t for t, (when, _) in self._deadlines.items() if when <= now]
                for token in expired:
                    _, fd = self._deadlines.pop(token)
                    shut_socket(fd)
                nearest = min((w for w, _ in self._deadlines.values()), default=now + 60)
                self._wake.wait(max(0.05, nearest - now))


def shut_socket(fd: int) -> None:
    """Shut a connection's socket both ways without closing the driver's descriptor."""
    with contextlib.suppress(OSError), socket.socket(fileno=os.dup(fd)) as sock:
        sock.shutdown(socket.SHUT_RDWR)


def bound_queries(engine: Engine, watchdog: QueryWatchdog) -> None:
    dialect = engine.dialect
    for name in BOUNDED_METHODS:
        original: Callable[..., Any] = getattr(dialect, name)

        def bounded(target: Any, *args: Any, _original: Callable[..., Any] = original) -> Any:
            connection = getattr(target, "connection", target)  # a cursor, or the connection
            with watchdog.watching(connection):
                return _original(target, *args)

        setattr(dialect, name, functools.wraps(original)(bounded))


def build_engine(settings: Settings) -> Engine:
    url = make_url(settings.database_url)
    if settings.is_sqlite:
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        # A file's pool waits APP_DB_POOL_TIMEOUT like PostgreSQL's (not SQLAlchemy's 30 s);
        # an in-memory database has one connection per thread and no pool to wait for.
        pool = (
            {
                "pool_size": settings.db_pool_size,
                "max_overflow": settings.db_max_overflow,
                "pool_timeout": settings.db_pool_timeout,
            }
            if url.database and url.database != ":memory:"
            else {}
        )
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": settings.db_statement_timeout},
            hide_parameters=True,  # a database error must never print the data it was writing
            **pool,
        )
        event.listen(engine, "connect", functools.partial(_sqlite_pragmas, settings))
        return engine
    statement_ms = int(settings.db_statement_timeout * 1000)
    engine = create_engine(
        url,
        hide_parameters=True,
        pool_pre_ping=True,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout,
        connect_args={
            "connect_timeout": settings.db_connect_timeout,
            "options": f"-c statement_timeout={statement_ms}",
            "keepalives": 1,
            "keepalives_idle": 5,
            "keepalives_interval": 2,
            "keepalives_count": 3,
            "tcp_user_timeout": statement_ms + 1000,
        },
    )
    bound_queries(engine, QueryWatchdog(settings.db_statement_timeout + 1))
    return engine


def _sqlite_pragmas(settings: Settings, dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={int(settings.db_statement_timeout * 1000)}")
    cursor.close()


def ping(engine: Engine) -> None:
    """Raise if the database cannot answer a trivial query."""
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))


def migrate(database_url: str | None = None) -> None:
    """Upgrade the database (the configured one, or `database_url`) to the latest schema."""
    from alembic import command
    from alembic.config import Config

    settings = Settings(database_url=database_url) if database_url else get_settings()
    engine = build_engine(settings)
    config = Config(str(BUNDLE_ROOT / "alembic.ini"))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    engine.dispose()
