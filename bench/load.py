"""`make load`: drive the running service on loopback with wrk and report the result.

Builds a migrated, seeded SQLite database in a temporary folder, starts `met-foi serve` on a
free loopback port, then runs wrk (installed from Debian when missing) with bench/load.lua
over a fixed mix of endpoints and formats, a quarter of them conditional requests that
should get 304. Prints requests/s, p50/p99 latency and the count of answers that were
neither 2xx nor 304, and exits non-zero when that count (or any socket error) is not zero.

It runs twice: steady state, then with a changed copy of met-2013 reseeded every
LOAD_RESEED_SECONDS (a new revision each time, which the server picks up within its
APP_REVISION_CHECK_SECONDS of 1 s, warming the hottest keys before it switches), and
reports both side by side.

Environment: LOAD_CONNECTIONS (32), LOAD_DURATION (60s), LOAD_THREADS (1: the server keeps a core),
LOAD_RESEED_SECONDS (3).
"""

import csv
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from email.message import Message
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "bench" / "load.lua"
BIN = Path(sys.executable).parent

#: (path, Accept); each is sent plain, and the first eight also with If-None-Match.
MIX: list[tuple[str, str]] = [
    ("/v1/aggregates?by=platform", ""),
    ("/v1/aggregates?by=staff_type,outcome", ""),
    ("/v1/meta", ""),
    ("/v1/figures?limit=50", ""),
    ("/v1/cases", "text/csv"),
    ("/v1/checks", ""),
    ("/v1/figures/met-2013.officers.written-warning", ""),
    ("/v1/outcomes?format=csv", ""),
    ("/v1/aggregates?by=staff_type,outcome&format=csv", ""),
    ("/v1/platforms", ""),
    ("/v1/disclosures/met-2013", ""),
    ("/v1/sources", ""),
    ("/v1/checks/met-2013.K1", ""),
    ("/v1/cases/met-2013.case-4", ""),
    ("/v1/figures?format=csv&limit=500", ""),
    ("/v1/disclosures", "text/csv"),
]
CONDITIONAL = 8


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    print("wrk not found; installing it from Debian", flush=True)
    subprocess.run(["apt-get", "update"], check=True)
    subprocess.run(["apt-get", "install", "-y", "wrk"], check=True)
    found = shutil.which("wrk")
    if not found:
        sys.exit("wrk is still not on PATH after apt-get install")
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def get(url: str, accept: str = "") -> tuple[int, Message]:
    request = urllib.request.Request(url, headers={"Accept": accept} if accept else {})
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.status, response.headers


def wait_ready(base: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"the service exited with {server.returncode} before it was ready")
        try:
            if get(base + "/readyz")[0] == 200:
                return
        except OSError:
            time.sleep(0.2)
    sys.exit("the service was not ready within 30 s")


def reseed_forever(env: dict[str, str], folder: Path, every: float, stop: threading.Event) -> int:
    """Load a changed met-2013 every `every` seconds until `stop`; returns the count."""
    package = folder / "reseed" / "met-2013"
    shutil.copytree(ROOT / "seed" / "met-2013", package)
    notes = package / "notes.csv"
    with notes.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    text = rows[0].index("text")
    loads = 0
    while not stop.wait(every):
        loads += 1
        rows[1][text] = f"Load-test correction {loads}."  # a new revision each time
        with notes.open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle, lineterminator="\n").writerows(rows)
        subprocess.run(
            [BIN / "met-foi", "seed", str(package)],
            env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, timeout=60,
        )  # fmt: skip
    return loads


def run_wrk(command: list[str]) -> dict[str, Any]:
    run = subprocess.run(command, capture_output=True, text=True)
    if run.returncode != 0:
        sys.exit(f"wrk failed ({run.returncode}):\n{run.stdout}{run.stderr}")
    print(run.stdout)
    line = next(x for x in run.stdout.splitlines() if x.startswith("LOAD-RESULT "))
    result: dict[str, Any] = json.loads(line.removeprefix("LOAD-RESULT "))
    return result


def summary(result: dict[str, Any]) -> dict[str, Any]:
    seconds = result["duration_us"] / 1e6
    return {
        "duration_s": round(seconds, 1),
        "requests": result["requests"],
        "requests_per_s": round(result["requests"] / seconds, 1),
        "p50_ms": result["p50_us"] / 1000,
        "p99_ms": result["p99_us"] / 1000,
        "max_ms": result["max_us"] / 1000,
        "statuses": result["statuses"],
        "non_2xx_or_304": result["unexpected_status"],
        "socket_errors": result["socket_errors"],
        "timeouts": result["timeouts"],
    }


def main() -> int:
    wrk = ensure_wrk()
    connections = os.environ.get("LOAD_CONNECTIONS", "32")
    duration = os.environ.get("LOAD_DURATION", "60s")
    threads = os.environ.get("LOAD_THREADS", "1")
    with tempfile.TemporaryDirectory(prefix="met-foi-load-") as folder:
        env = {
            **os.environ,
            "APP_DATABASE_URL": f"sqlite:///{Path(folder) / 'load.db'}",
            "APP_REVISION_CHECK_SECONDS": "1",
        }
        for step in ("migrate", "seed"):
            subprocess.run(
                [BIN / "met-foi", step], env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL
            )
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [BIN / "met-foi", "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,  # the request log, drained as a deployment's would be
        )
        try:
            wait_ready(base, server)
            specs = []
            for index, (path, accept) in enumerate(MIX):
                status, headers = get(base + path, accept)
                if status != 200:
                    sys.exit(f"{path} answered {status} before the load started")
                if "server" in headers or "content-security-policy" not in headers:
                    sys.exit(f"{path}: a Server header, or no Content-Security-Policy")
                etag = headers["etag"]
                specs.append(f"{path}|{accept}|")
                if index < CONDITIONAL:
                    specs.append(f"{path}|{accept}|{etag}")
            command = [
                wrk, f"-t{threads}", f"-c{connections}", f"-d{duration}", "--latency",
                "-s", str(SCRIPT), base, "--", *specs,
            ]  # fmt: skip
            print("$ " + " ".join(str(c) for c in command[:7]) + f" {base} -- <{len(specs)}>")
            steady = run_wrk(command)
            stop = threading.Event()
            loads: list[int] = []
            every = float(os.environ.get("LOAD_RESEED_SECONDS", "3"))
            reseeder = threading.Thread(
                target=lambda: loads.append(reseed_forever(env, Path(folder), every, stop))
            )
            reseeder.start()
            try:
                reseeding = run_wrk(command)
            finally:
                stop.set()
                reseeder.join(120)
        finally:
            server.terminate()
            server.wait(timeout=10)
    report = {
        "connections": int(connections),
        "mix": f"{len(specs)} requests ({len(MIX)} URLs, {CONDITIONAL} also as 304s)",
        "steady": summary(steady),
        "reseeding": {**summary(reseeding), "reseeds": loads[0] if loads else 0},
    }
    print(json.dumps(report, indent=2))
    bad = sum(
        r["unexpected_status"] + r["socket_errors"] + r["timeouts"] for r in (steady, reseeding)
    )
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
