"""`make load`: drive the running service on loopback with wrk and report the result.

Builds a migrated, seeded SQLite database in a temporary folder, starts `met-foi serve` on a
free loopback port, then runs wrk (installed from Debian when missing) with bench/load.lua
over a fixed mix of endpoints and formats, a quarter of them conditional requests that
should get 304. Prints requests/s, p50/p99 latency and the count of answers that were
neither 2xx nor 304, and exits non-zero when that count (or any socket error) is not zero.

Environment: LOAD_CONNECTIONS (32), LOAD_DURATION (60s), LOAD_THREADS (2).
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from email.message import Message
from pathlib import Path

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


def main() -> int:
    wrk = ensure_wrk()
    connections = os.environ.get("LOAD_CONNECTIONS", "32")
    duration = os.environ.get("LOAD_DURATION", "60s")
    threads = os.environ.get("LOAD_THREADS", "2")
    with tempfile.TemporaryDirectory(prefix="met-foi-load-") as folder:
        env = {
            **os.environ,
            "APP_DATABASE_URL": f"sqlite:///{Path(folder) / 'load.db'}",
            "APP_LOG_LEVEL": "warning",
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
            run = subprocess.run(command, capture_output=True, text=True)
            if run.returncode != 0:
                sys.exit(f"wrk failed ({run.returncode}):\n{run.stdout}{run.stderr}")
            output = run.stdout
        finally:
            server.terminate()
            server.wait(timeout=10)
    print(output)
    line = next(x for x in output.splitlines() if x.startswith("LOAD-RESULT "))
    result = json.loads(line.removeprefix("LOAD-RESULT "))
    seconds = result["duration_us"] / 1e6
    report = {
        "connections": int(connections),
        "duration_s": round(seconds, 1),
        "mix": f"{len(specs)} requests ({len(MIX)} URLs, {CONDITIONAL} also as 304s)",
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
    print(json.dumps(report, indent=2))
    bad = result["unexpected_status"] + result["socket_errors"] + result["timeouts"]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
