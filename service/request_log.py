"""One line per request, in text or JSON, written off the request path.

The RequestLog layer (service/middleware.py) only appends a tuple of what it already holds
to a deque; a daemon thread formats and writes the lines in batches. A deque's append is
atomic under the GIL and takes no lock, where `logging`'s QueueHandler would build a
LogRecord and take a Queue's lock per request: microseconds on a path that costs tens.

    text: 127.0.0.1:51234 - "GET /v1/meta?x=1 HTTP/1.1" 200 0.412ms 3f2a…
    json: {"time": "…", "method": "GET", "path": "/v1/meta", "status": 200,
           "duration_ms": 0.412, "request_id": "3f2a…"}
"""

import atexit
import contextlib
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import orjson

#: (format, wall time, client, method, path, query, http version, status, seconds, id,
#: route (a cache hit's template, or the endpoint routed to), cache lookup ("hit", "miss", ""))
Record = tuple[str, float, tuple[str, int] | None, str, str, bytes, str, int, float, str, Any, str]
#: How often the writer wakes to drain what has queued up.
DRAIN_SECONDS = 0.05


def text_line(record: Record) -> bytes:
    _, _, client, method, path, query, version, status, seconds, request_id, _, _ = record
    peer = f"{client[0]}:{client[1]}" if client else "-"
    target = f"{path}?{query.decode('latin-1')}" if query else path
    return (
        f'{peer} - "{method} {target} HTTP/{version}" {status} {seconds * 1000:.3f}ms {request_id}'
    ).encode()


def json_line(record: Record) -> bytes:
    _, wall, _, method, path, _, _, status, seconds, request_id, _, _ = record
    return orjson.dumps(
        {
            "time": datetime.fromtimestamp(wall, UTC).isoformat(timespec="milliseconds"),
            "method": method,
            "path": path,
            "status": status,
            "duration_ms": round(seconds * 1000, 3),
            "request_id": request_id,
        }
    )


def no_line(_record: Record) -> bytes:
    return b""


#: APP_LOG_FORMAT=off still queues the records: the metrics count them.
FORMATTERS: dict[str, Callable[[Record], bytes]] = {
    "text": text_line,
    "json": json_line,
    "off": no_line,
}


def write_stdout(lines: bytes) -> None:
    # Resolved per batch, so a test capturing sys.stdout sees the lines.
    sys.stdout.buffer.write(lines)
    sys.stdout.flush()


class RequestLogWriter:
    """The process's queue of request records and the thread that writes them."""

    def __init__(self, write: Callable[[bytes], None] = write_stdout) -> None:
        self.records: deque[Record] = deque()
        self.write = write
        self._lock = threading.Lock()  # one drainer at a time keeps the lines in order
        self._thread: threading.Thread | None = None
        #: Called with each batch of records once written (service.metrics counts them).
        self.observers: list[Callable[[list[Record]], None]] = []
        #: False: no thread; whoever owns the writer calls flush() (the test suite does).
        self.background = True

    def append(self, record: Record) -> None:
        self.records.append(record)
        if self._thread is None:
            self._start()

    def _start(self) -> None:
        if not self.background:
            return
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="request-log", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            time.sleep(DRAIN_SECONDS)
            self.flush()

    def flush(self) -> None:
        """Format and write every queued record now (tests, and shutdown, call this)."""
        with self._lock:
            records = self.records
            batch = []
            while records:
                batch.append(records.popleft())
            if not batch:
                return
            lines = [line for record in batch if (line := FORMATTERS[record[0]](record))]
            if lines:
                # stdout closed or gone: a log line is not worth a crash.
                with contextlib.suppress(OSError, ValueError):
                    self.write(b"\n".join(lines) + b"\n")
            for observe in self.observers:
                observe(batch)


WRITER = RequestLogWriter()
atexit.register(WRITER.flush)
