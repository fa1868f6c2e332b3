"""Real processes for the deployment tests: a private PostgreSQL cluster and app servers.

Nothing here is mocked: PostgreSQL is initdb'd into a temp folder and run with pg_ctl on
a free port (as the postgres user when we are root), and the app runs as `met-foi`
subprocesses that talk HTTP on their own ports.
"""

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import httpx

from tests.machine import PG_BIN

T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until(check: Callable[[], T | None], seconds: float, what: str) -> T:
    """Poll `check` until it returns something truthy; fail after `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {seconds} s: {what}")
        time.sleep(0.1)


@contextlib.contextmanager
def served(database_url: str, log: Path, **env: str) -> Iterator[str]:
    """`met-foi serve` on a free loopback port and that database, as `make run` starts it;
    yields its base URL once /healthz answers (within 60 s), and stops it afterwards."""
    port = free_port()
    environment = {
        **os.environ,
        "APP_DATABASE_URL": database_url,
        "APP_REVISION_CHECK_SECONDS": "0",
        **env,
    }
    environment.pop("APP_PUBLIC_BASE_URL", None)
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "service", "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=environment,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"

    def healthy() -> bool | None:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited:\n{log.read_text()}")
        try:
            return httpx.get(f"{base}/healthz", timeout=2).status_code == 200 or None
        except httpx.TransportError:
            return None

    try:
        wait_until(healthy, 60, f"the server to start (log: {log})")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def accepts_connections(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


class PrivatePostgres:
    """A throwaway PostgreSQL 15 cluster that a test may stop and start at will."""

    def __init__(self) -> None:
        # Not under pytest's tmp_path: its parents are private to root, and the server
        # runs as postgres.
        self.root = Path(tempfile.mkdtemp(prefix="met-foi-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self.as_postgres = os.geteuid() == 0
        if self.as_postgres:
            shutil.chown(self.root, "postgres", "postgres")
        self._run(
            PG_BIN / "initdb",
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        )

    def _run(self, program: Path, *args: str) -> None:
        command = [str(program), *args]
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=60)

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self._run(
            PG_BIN / "pg_ctl",
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.root / "server.log"),
            "-w",
            "-t",
            "30",
            "start",
        )

    def stop(self) -> None:
        self._run(PG_BIN / "pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def processes(self) -> list[int]:
        """The postmaster and every process it started (backends, checkpointer ...)."""
        postmaster = int((self.data / "postmaster.pid").read_text().split()[0])
        found = [postmaster]
        for status in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError, ValueError, IndexError):
                # the fields after the parenthesised command: state, ppid, ...
                if int(status.read_text().rsplit(")", 1)[1].split()[1]) == postmaster:
                    found.append(int(status.parent.name))
        return found

    @contextlib.contextmanager
    def frozen(self) -> Iterator[None]:
        """SIGSTOP the whole cluster: connections stay open and every packet is still
        acknowledged by the kernel, but nothing answers. SIGCONT on the way out."""
        stopped = self.processes()
        for pid in stopped:
            os.kill(pid, signal.SIGSTOP)
        try:
            yield
        finally:
            for pid in stopped:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGCONT)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


def app_environment(**settings: str | float) -> dict[str, str]:
    """This environment without any APP_ setting, plus the given ones (as APP_*)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("APP_") and k != "DATABASE_URL"}
    env.update({f"APP_{k.upper()}": str(v) for k, v in settings.items()})
    return env


class AppProcess:
    """`met-foi <command>` in a subprocess, logging to files, on its own port."""

    def __init__(self, workdir: Path, name: str, command: str = "start", **settings: Any) -> None:
        self.port = free_port()
        self.stdout_path = workdir / f"{name}.out"
        self.stderr_path = workdir / f"{name}.err"
        settings = {"host": "127.0.0.1", "port": self.port, **settings}
        self.environment = app_environment(**settings)
        # `serve` takes its address as options; `start` reads APP_HOST and APP_PORT.
        where = ["--host", "127.0.0.1", "--port", str(self.port)] if command == "serve" else []
        with self.stdout_path.open("wb") as out, self.stderr_path.open("wb") as err:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "service", command, *where],
                env=self.environment,
                cwd=workdir,
                stdout=out,
                stderr=err,
            )
        self.http = httpx.Client(base_url=f"http://127.0.0.1:{self.port}", timeout=15)

    def get(self, path: str, **headers: str) -> httpx.Response:
        return self.http.get(path, headers=headers)

    def wait_ready(self, seconds: float = 45) -> None:
        def ready() -> bool:
            if self.process.poll() is not None:
                raise AssertionError(f"app exited early:\n{self.logs()}")
            try:
                return self.get("/readyz").status_code == 200
            except httpx.TransportError:
                return False

        wait_until(ready, seconds, f"app on port {self.port} ready")

    def logs(self) -> str:
        return self.stdout_path.read_text() + self.stderr_path.read_text()

    def request_log(self) -> list[dict[str, Any]]:
        """The JSON request lines (APP_LOG_FORMAT=json) written so far."""
        lines = self.stdout_path.read_text().splitlines()
        return [json.loads(line) for line in lines if line.startswith('{"time"')]

    def terminate(self, seconds: float = 20) -> int:
        self.http.close()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(seconds)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise


@contextlib.contextmanager
def running_app(workdir: Path, name: str, **settings: Any) -> Iterator[AppProcess]:
    """`met-foi serve` with these settings, once it is ready; stopped afterwards."""
    app = AppProcess(workdir, name, command="serve", **settings)
    try:
        app.wait_ready()
        yield app
    finally:
        app.terminate()
