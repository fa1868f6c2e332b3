"""Admission: cold work waits for a database connection before it takes a worker thread.

Every request that reaches FastAPI (a cache miss, a page, an MCP call) needs a database
connection and, for its sync dependencies and route, a thread from anyio's pool. Left
alone, a burst of misses takes all the threads while they wait for the few connections, and
the requests holding a connection then wait for a thread for their next step: a deadlock
that SQLAlchemy's pool timeout only breaks one request at a time. Admission lets at most as
many requests in as the pool has connections; the others wait here, on the event loop, in a
queue of QUEUE_PER_CONNECTION per connection, for at most APP_DB_POOL_TIMEOUT. A request
that finds the queue full, or waits it out, is answered 503 `overloaded` with Retry-After at
once. Cache hits are answered by FastPath outside it, so they never wait behind misses.

A request leaves the queue's slot when its answer starts: by then the route has returned
and closed its session (api.deps.get_session), so a client that reads slowly holds neither a
slot nor a connection. A streamed answer (api.reply.Reply.stream) waits its `turn` again
for each chunk it reads from the database.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
import anyio.to_thread
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.config import Settings
from service.errors import Overloaded
from service.middleware import UNLIMITED_PATHS, send_problem
from service.state import AppState

#: Requests that may wait for a connection, per connection: with a miss taking ~10 ms, a
#: full queue is worked off well within the pool timeout.
QUEUE_PER_CONNECTION = 4
#: Paths that never touch the database (or must answer during a burst: the probes).
EXEMPT_PREFIXES = ("/static/", "/docs")
EXEMPT_PATHS = UNLIMITED_PATHS | {"/openapi.json"}


def pool_capacity(settings: Settings) -> int:
    """Connections one process may hold at once: the pool and its overflow."""
    return settings.db_pool_size + settings.db_max_overflow


class Admission:
    def __init__(self, app: ASGIApp, state: AppState) -> None:
        settings = state.settings
        self.app = app
        #: Refusals are counted with the pool's own timeouts (the metrics' pool_timeout).
        self.db_errors = state.db_errors
        self.capacity = pool_capacity(settings)
        self.queue_limit = self.capacity * QUEUE_PER_CONNECTION
        self.wait_seconds = settings.db_pool_timeout
        self._slots: anyio.Semaphore | None = None  # made on the event loop, on first use

    @property
    def slots(self) -> anyio.Semaphore:
        if self._slots is None:
            # Never more requests in than threads to run them: each needs one at a time.
            threads = anyio.to_thread.current_default_thread_limiter().total_tokens
            self.capacity = min(self.capacity, int(threads))
            self._slots = anyio.Semaphore(self.capacity)
        return self._slots

    @property
    def waiting(self) -> int:
        return 0 if self._slots is None else self._slots.statistics().tasks_waiting

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or path in EXEMPT_PATHS or path.startswith(EXEMPT_PREFIXES):
            await self.app(scope, receive, send)
            return
        slots = self.slots
        if slots.value == 0 and self.waiting >= self.queue_limit:
            await self.refuse(scope, send)
            return
        with anyio.move_on_after(self.wait_seconds) as waited:
            await slots.acquire()
        if waited.cancelled_caught:
            await self.refuse(scope, send)
            return
        held = True

        async def send_and_leave(message: Message) -> None:
            nonlocal held
            if held and message["type"] == "http.response.start":
                held = False
                slots.release()
            await send(message)

        scope["admission"] = self
        try:
            await self.app(scope, receive, send_and_leave)
        finally:
            if held:
                slots.release()

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        """A slot for one chunk of a streamed answer, waited for like a request (at most
        APP_DB_POOL_TIMEOUT; then TimeoutError ends the stream, which the client sees cut)."""
        with anyio.fail_after(self.wait_seconds):
            await self.slots.acquire()
        try:
            yield
        finally:
            self.slots.release()

    async def refuse(self, scope: Scope, send: Send) -> None:
        self.db_errors["pool_timeout"] = self.db_errors.get("pool_timeout", 0) + 1
        await send_problem(send, scope, Overloaded())
