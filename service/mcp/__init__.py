"""The MCP endpoint at /mcp: the same figures for AI assistants, quoted as published.

Built on the official `mcp` SDK (MCPServer over Streamable HTTP, stateless, JSON responses:
every POST is answered on its own, so any replica can take any request and no session
needs to stick). Read-only, no authentication: it is open data. It is routed inside the
FastAPI app, so middleware.stack() (request log, edge headers and CORS, abuse limits with
the rate limit) wraps it like every other request.

Every tool answer carries the reading in words, the range, the dispute, the qualifier and
the citation, all taken from service.queries and service.reading: an assistant is never
handed a bare number it could print as fact.

The SDK is imported, and its server started, on the first /mcp request (service.mcp.server):
importing it takes longer than starting the rest of the service, and most processes never
answer an MCP request.
"""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

from starlette.types import Receive, Scope, Send

from service.errors import ServiceUnavailable
from service.middleware import send_problem
from service.state import AppState

logger = logging.getLogger(__name__)


INSTRUCTIONS = """\
Figures from Metropolitan Police answers to Freedom of Information requests about officers
and staff disciplined for misusing social media. Every count is published as an exact number,
a range, a floor ("at least n") or only the source's words, and sources can disagree.

When you quote a figure:
- Quote its `reading` (or `words`) as given: "17 to 18", never one end of the range. When
  `disputed` is true, say that sources disagree and who reported what (the `words` field
  says it: "17 to 18: the Guardian reported 18; Evening Standard and the Independent
  reported 17"). Never pick one source's number as the fact.
- When a figure has only words (value, min and max all null), quote the words, e.g.
  "the vast majority", and do not turn them into a number or a percentage.
- When `derived` is true, say the number is arithmetic on the published figures.
- Always give the figure's `citation` (or the aggregate's) with the figure.
- Never add figures from different disclosures: they count different things over
  different periods (see each point's `comparability`).
Start with list_disclosures and list_measures, find figures with find_figures, read one
with get_figure, and a breakdown with aggregate.
"""

NEVER_ADD = (
    "Separate points from separate FOI answers: never add them, average them or draw one "
    "line through them; each counts different things over a different period."
)

#: What a compare answer says once, above its groups.
BY_GROUP = (
    "Figures of one group count the same thing and may be set side by side, never added; "
    "figures of different groups must not be compared as if they counted the same thing; a "
    "part names its total and is already counted in it."
)


class McpEndpoint:
    """The /mcp route. The SDK's server starts on the first request and stops with the app's
    lifespan, a fresh one for each run of it (the SDK's session manager runs once), its input
    schemas listing the measures and disclosures in the database when it started."""

    def __init__(self, state: AppState) -> None:
        self.state = state
        self._handle: Callable[[Scope, Receive, Send], Any] | None = None
        self._task: asyncio.Task[None] | None = None
        self._stop: asyncio.Event | None = None
        self._lock: asyncio.Lock | None = None

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        self._stop, self._lock = asyncio.Event(), asyncio.Lock()
        try:
            yield
        finally:
            stop, task = self._stop, self._task
            self._handle = self._task = self._stop = self._lock = None
            stop.set()
            if task is not None:
                await task

    async def _started(self) -> Callable[[Scope, Receive, Send], Any] | None:
        if self._handle is not None or self._lock is None:
            return self._handle
        async with self._lock:
            if self._handle is None and (self._task is None or self._task.done()):
                ready = asyncio.Event()
                self._task = asyncio.create_task(self._serve(ready))
                await ready.wait()
        return self._handle

    async def _serve(self, ready: asyncio.Event) -> None:
        stop = self._stop
        try:
            from service.mcp.server import running

            async with running(self.state) as handle:
                self._handle = handle
                ready.set()
                if stop is not None:
                    await stop.wait()
        except Exception:
            logger.exception("the MCP server did not start; /mcp answers 503 until it does")
        finally:
            self._handle = None
            ready.set()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        handle = await self._started()
        if handle is None:
            await send_problem(send, scope, ServiceUnavailable())
            return
        await handle(scope, receive, send)
