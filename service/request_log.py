"""One JSON line per request on stdout when APP_LOG_FORMAT=json.

Pure ASGI and outermost, so it sees the final status and the X-Request-Id the HTTP layer
chose (or echoed), and times cached answers as well as routed ones.
"""

import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime

import orjson
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send


def write_stdout(line: bytes) -> None:
    sys.stdout.buffer.write(line + b"\n")
    sys.stdout.flush()


class RequestLog:
    def __init__(
        self, app: ASGIApp, log_format: str, write: Callable[[bytes], None] = write_stdout
    ) -> None:
        self.app = app
        self.enabled = log_format == "json"
        self.write = write

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self.enabled or scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        request_id = ""

        async def send_and_note(message: Message) -> None:
            nonlocal status, request_id
            if message["type"] == "http.response.start":
                status = message["status"]
                request_id = Headers(raw=message.get("headers", [])).get("x-request-id", "")
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            record = {
                "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
                "method": scope["method"],
                "path": scope["path"],
                "status": status,
                "duration_ms": round((time.perf_counter() - started) * 1000, 3),
                "request_id": request_id,
            }
            self.write(orjson.dumps(record))
