"""The edge in front (deploy/nginx.conf), run from Debian's nginx in front of a real app
process on loopback: slowloris connections are cut, answers are compressed, malformed HTTP
never reaches the app, and the rate limit sees the client's address, not the proxy's.

Only the upstream address, the listen address and the temp folders of the committed config
are changed for the test; every wait is bounded.
"""

import gzip
import json
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from service.config import PROJECT_ROOT
from tests.machine import NGINX, require_nginx
from tests.processes import AppProcess, accepts_connections, free_port, wait_until

pytestmark = pytest.mark.processes

CONFIG = PROJECT_ROOT / "deploy" / "nginx.conf"


class Proxy:
    def __init__(self, workdir: Path, upstream_port: int) -> None:
        self.port = free_port()
        self.root = workdir / "nginx"
        self.root.mkdir()
        text = CONFIG.read_text()
        for old, new in (
            # Debian's nginx (1.22) has no `resolve`; the test's upstream is an address.
            ("server api:8000 resolve;", f"server 127.0.0.1:{upstream_port};"),
            ("listen 80;", f"listen 127.0.0.1:{self.port};"),
            ("http {", "http {\n" + self.temp_paths()),
        ):
            assert text.count(old) == 1, old
            text = text.replace(old, new)
        (self.root / "nginx.conf").write_text(text)
        self.stderr = self.root / "stderr.log"
        with self.stderr.open("wb") as err:
            self.process = subprocess.Popen(
                [
                    str(NGINX),
                    "-p",
                    str(self.root),
                    "-c",
                    str(self.root / "nginx.conf"),
                    "-g",
                    f"daemon off; pid {self.root}/nginx.pid; error_log {self.root}/error.log;",
                ],
                stdout=subprocess.DEVNULL,
                stderr=err,
            )
        wait_until(lambda: self.up(), 15, "nginx to listen")

    def up(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"nginx exited: {self.stderr.read_text()}")
        return accepts_connections(self.port)

    def temp_paths(self) -> str:
        return "".join(
            f"    {kind}_temp_path {self.root / kind};\n"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )

    def client(self, source: str = "127.0.0.1") -> httpx.Client:
        transport = httpx.HTTPTransport(local_address=source)
        return httpx.Client(
            base_url=f"http://127.0.0.1:{self.port}", transport=transport, timeout=15
        )

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def edge(tmp_path: Path, database_url: str) -> Iterator[tuple[Proxy, AppProcess]]:
    require_nginx()
    app = AppProcess(
        tmp_path,
        "behind-proxy",
        command="serve",
        database_url=database_url,
        revision_check_seconds=0,
        rate_limit_per_minute=2,
        trusted_proxies="127.0.0.1",
        # As compose requires: its links are the same whichever Host reached it.
        public_base_url="https://data.example.org",
    )
    proxy = None
    try:
        app.wait_ready()
        proxy = Proxy(tmp_path, app.port)
        yield proxy, app
    finally:
        if proxy is not None:
            proxy.stop()
        app.terminate()


def test_a_slowloris_connection_is_cut_by_the_proxy(edge: tuple[Proxy, AppProcess]) -> None:
    """Issue 17 item 7: headers sent one byte a second kept uvicorn's connections open."""
    proxy, _ = edge
    header = b"GET /v1/meta HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 60
    cut = False
    with socket.create_connection(("127.0.0.1", proxy.port), timeout=5) as sock:
        deadline = time.monotonic() + 30  # client_header_timeout is 10 s
        for byte in header:
            if time.monotonic() > deadline:
                break
            try:
                sock.sendall(bytes([byte]))
                sock.settimeout(1)
                if sock.recv(1024) == b"":
                    cut = True
                    break
            except TimeoutError:
                continue  # nothing yet: still open, send the next byte
            except (BrokenPipeError, ConnectionResetError):
                cut = True
                break
    assert cut, "the proxy kept a header trickling in for 30 s open"


def test_answers_are_gzipped_for_clients_that_accept_it(edge: tuple[Proxy, AppProcess]) -> None:
    proxy, app = edge
    direct = app.get("/v1/figures?limit=500&format=csv")
    with proxy.client("127.0.0.4") as client:
        raw = client.get("/v1/figures?limit=500&format=csv", headers={"Accept-Encoding": "gzip"})
        plain = client.get("/v1/meta", headers={"Accept-Encoding": "identity"})
    assert raw.status_code == 200
    assert raw.headers["content-encoding"] == "gzip"
    # The app sent it gzipped itself (compressed once per revision); nginx passed it on.
    assert raw.headers.get_list("vary") == ["Accept, Accept-Encoding, Origin"]
    assert raw.headers["content-type"] == "text/csv; charset=utf-8"
    assert raw.content == direct.content  # httpx decoded it
    assert "content-encoding" not in plain.headers
    assert json.loads(plain.content)["api_version"]
    assert len(gzip.compress(direct.content)) < len(direct.content)


def test_malformed_http_is_answered_by_the_proxy(edge: tuple[Proxy, AppProcess]) -> None:
    """Issue 17 item 10: malformed requests never reach uvicorn (whose 400 is plain text)."""
    proxy, app = edge
    with socket.create_connection(("127.0.0.1", proxy.port), timeout=10) as sock:
        sock.sendall(b"GET /v1/meta HTTP/1.1\r\nHost: 127.0.0.1\r\nBad Header\r\n\r\n")
        answer = sock.recv(4096)
    assert answer.startswith(b"HTTP/1.1 400 Bad Request\r\n")
    assert b"Server: nginx\r\n" in answer  # server_tokens off: the name, no version
    assert app.logs().count("GET /v1/meta") == 0


def test_the_rate_limit_counts_the_client_behind_the_proxy(
    edge: tuple[Proxy, AppProcess],
) -> None:
    """APP_TRUSTED_PROXIES=127.0.0.1 and nginx's X-Forwarded-For: clients on 127.0.0.2 and
    127.0.0.3 have a budget each, though both reach the app from the proxy's address; a
    forged X-Forwarded-For is replaced by the proxy."""
    proxy, _ = edge
    with proxy.client("127.0.0.2") as first, proxy.client("127.0.0.3") as second:
        forged = {"X-Forwarded-For": "203.0.113.7"}
        assert [first.get("/v1/meta", headers=forged).status_code for _ in range(3)] == [
            200,
            200,
            429,
        ]
        assert second.get("/v1/meta").status_code == 200
        assert second.get("/v1/meta").headers["ratelimit"].startswith('"default";r=0;')
