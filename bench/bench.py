"""`make bench`: our read path side by side with the stack's limit and with a peer.

One run, on loopback, with one load generator (wrk) and one connection count:

- the reference: a bare Starlette route returning pre-encoded bytes as large as our
  /v1/aggregates?by=platform body (bench/reference.py);
- our service as users run it: `met-foi serve` (what `make run` runs; uvicorn, 1 worker,
  uvloop, httptools), request logging on, once in each format: text (the default) and json
  (what the image sets), stdout drained to /dev/null as a deployment's would be;
- Datasette serving the same 2013 figures from SQLite, for the equivalent GROUP BY (SQL
  JSON) and for its facet view.

wrk runs with one thread, so on a 2-core machine the server keeps a core. Runs alternate
reference and target (A B A B ...) and repeat; each target is reported as a ratio to the
reference runs next to it. Writes bench/RESULTS.md.
"""

import argparse
import http.client
import os
import platform
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench"
BIN = ROOT / ".venv" / "bin"
DATASETTE = ROOT / "bench" / ".venv-datasette" / "bin" / "datasette"
HOST = "127.0.0.1"
CLK_TCK = os.sysconf("SC_CLK_TCK")
FIGURE_ID = "met-2013.officers.dismissed"
AGGREGATES = "/v1/aggregates?by=platform"
CHART = "/v1/embed/aggregates.svg?by=platform"
GZIP = {"Accept-Encoding": "gzip"}
BROTLI = {"Accept-Encoding": "br"}
#: What Chromium sends for a page (it gets the brotli bytes).
BROWSER = {"Accept-Encoding": "gzip, deflate, br, zstd"}
DATASETTE_SQL = (
    "select platform, count(*) as figures, sum(value) as value, sum(min) as min, "
    "sum(max) as max, group_concat(qualifier) as qualifier from figures "
    "where disclosure_id = 'met-2013' and measure = 'cases_by_platform' "
    "group by platform order by platform"
)


# ---------------------------------------------------------------- servers


def http_get(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, Any]:
    connection = http.client.HTTPConnection(HOST, port, timeout=5)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        response.read()
        return response.status, response
    finally:
        connection.close()


@dataclass
class Server:
    name: str
    argv: list[str]
    port: int
    probe: str
    env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None
    cwd: Path = ROOT
    #: CPU seconds the server had used when its first 200 arrived (set by start()).
    start_cpu: float = 0.0

    def start(self) -> float:
        """Spawn the server; return seconds from spawn to the first 200 on `probe`."""
        started = time.perf_counter()
        self.process = subprocess.Popen(
            self.argv,
            cwd=self.cwd,
            env={**os.environ, **self.env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = started + 30
        while time.perf_counter() < deadline:
            if self.process.poll() is not None:
                err = self.process.stderr.read().decode() if self.process.stderr else ""
                raise RuntimeError(f"{self.name} exited during start-up:\n{err}")
            try:
                status, _ = http_get(self.port, self.probe)
            except OSError:
                time.sleep(0.002)
                continue
            if status == 200:
                self.start_cpu = self.cpu_seconds()
                return time.perf_counter() - started
            time.sleep(0.002)
        raise RuntimeError(f"{self.name} gave no 200 on {self.probe} within 30 s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def cpu_seconds(self) -> float:
        """utime + stime of the server and its child processes (a server that runs its
        worker in a process of its own, as Granian does, is charged for it)."""
        children: dict[int, list[int]] = {}
        times: dict[int, int] = {}
        for stat_file in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat_file.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # ended meanwhile
            pid = int(stat_file.parent.name)
            children.setdefault(int(fields[1]), []).append(pid)
            times[pid] = int(fields[11]) + int(fields[12])
        total, todo = 0, [self.pid]
        while todo:
            pid = todo.pop()
            total += times.get(pid, 0)
            todo += children.get(pid, [])
        return total / CLK_TCK

    def memory_mb(self) -> tuple[float, float]:
        """(current RSS, peak RSS) in MB."""
        values = {}
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0]) / 1024
        return values["VmRSS"], values["VmHWM"]


def service_argv(port: int) -> list[str]:
    """What `make run` runs (uvicorn picks uvloop and httptools when installed, as here)."""
    return [str(BIN / "met-foi"), "serve", "--host", HOST, "--port", str(port)]


def reference_argv(port: int) -> list[str]:
    """The reference only: a bare Starlette route (bench/reference.py) under uvicorn with
    uvloop and httptools and no access log, the limit of this stack. Our service is never
    started this way: it runs as `make run` runs it (service_argv), request log on."""
    return [
        str(BIN / "uvicorn"),
        "reference:app",
        "--app-dir",
        str(ROOT / "bench"),
        "--host",
        HOST,
        "--port",
        str(port),
        "--workers",
        "1",
        "--loop",
        "uvloop",
        "--http",
        "httptools",
        "--no-access-log",
        "--log-level",
        "warning",
    ]


# ---------------------------------------------------------------- data


def prepare_data() -> tuple[Path, Path]:
    """A seeded service database and a Datasette file holding the same 2013 tables."""
    VAR.mkdir(parents=True, exist_ok=True)
    service_db = VAR / "service.db"
    for stale in VAR.glob("service.db*"):
        stale.unlink()
    env = {**os.environ, "APP_DATABASE_URL": f"sqlite:///{service_db}"}
    subprocess.run([str(BIN / "met-foi"), "migrate"], cwd=ROOT, env=env, check=True)
    subprocess.run(
        [str(BIN / "met-foi"), "seed", str(ROOT / "seed" / "met-2013")],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    peer_db = VAR / "met2013.db"
    peer_db.unlink(missing_ok=True)
    with sqlite3.connect(peer_db) as peer:
        peer.execute("ATTACH DATABASE ? AS src", (str(service_db),))
        for table in ("figures", "figure_reports", "cases"):
            peer.execute(f"CREATE TABLE {table} AS SELECT * FROM src.{table}")
        peer.commit()
        peer.execute("DETACH DATABASE src")
    return service_db, peer_db


# ---------------------------------------------------------------- load


@dataclass
class Sample:
    rps: float
    requests: int
    p50_ms: float
    p99_ms: float
    cpu_us: float
    bad: int


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(number) * UNITS[unit]


def run_wrk(
    server: Server,
    url: str,
    duration: float,
    connections: int,
    threads: int,
    headers: dict[str, str] | None = None,
) -> Sample:
    argv = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration:g}s", "--latency"]
    for key, value in (headers or {}).items():
        argv += ["-H", f"{key}: {value}"]
    cpu_before = server.cpu_seconds()
    out = subprocess.run([*argv, url], capture_output=True, text=True, check=True).stdout
    cpu = server.cpu_seconds() - cpu_before
    requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    bad_match = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    bad = int(bad_match.group(1)) if bad_match else 0
    if errors:
        bad += sum(int(g) for g in errors.groups())
    return Sample(
        rps=float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        requests=requests,
        p50_ms=_ms(re.search(r"\s50%\s+(\S+)", out).group(1)),  # type: ignore[union-attr]
        p99_ms=_ms(re.search(r"\s99%\s+(\S+)", out).group(1)),  # type: ignore[union-attr]
        cpu_us=cpu / requests * 1e6 if requests else 0.0,
        bad=bad,
    )


@dataclass
class Target:
    label: str
    server: Server
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    expect: int = 200
    samples: list[Sample] = field(default_factory=list)
    ratios: list[float] = field(default_factory=list)  # rps / the reference run beside it
    references: list[Sample] = field(default_factory=list)

    def url(self) -> str:
        return f"http://{HOST}:{self.server.port}{self.path}"

    def median(self, attribute: str, of: list[Sample] | None = None) -> float:
        return statistics.median(getattr(s, attribute) for s in (of or self.samples))


# ---------------------------------------------------------------- report


def machine() -> list[str]:
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    wrk = subprocess.run(["wrk", "-v"], capture_output=True, text=True)
    wrk_version = (wrk.stdout + wrk.stderr).split("\n")[0].strip()
    peer = subprocess.run([str(DATASETTE), "--version"], capture_output=True, text=True)
    versions = ", ".join(
        f"{name} {metadata.version(name)}"
        for name in ("fastapi", "starlette", "uvicorn", "uvloop", "httptools", "sqlalchemy")
    )
    return [
        f"- CPU: {cpu}, {os.cpu_count()} logical cores visible, shared by wrk and the server",
        f"- Memory: {mem_kb / 1024 / 1024:.1f} GiB; kernel {platform.release()}",
        f"- Python {platform.python_version()}; {versions}",
        f"- Load generator: {wrk_version}; peer: {peer.stdout.strip()}",
    ]


def replace_section(path: Path, name: str, lines: list[str]) -> None:
    """Write `lines` between this script's markers in `path`, keeping the other sections
    (make bench and make bench-scale each own one)."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    block = "\n".join([start, *lines, end])
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if start in text and end in text:
        text = text[: text.index(start)] + block + text[text.index(end) + len(end) :]
    elif name == "bench":
        text = block + "\n\n" + text.strip("\n") + "\n"
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(text.replace("\n\n\n", "\n\n"), encoding="utf-8")


def load_average() -> str:
    """The 1-minute load average: other work on the machine skews every number."""
    return Path("/proc/loadavg").read_text().split()[0]


def p99_ratio(target: "Target") -> float:
    """Median p99 of a target over the median p99 of the reference runs beside it."""
    return target.median("p99_ms") / target.median("p99_ms", target.references)


def _fmt(value: float, digits: int = 2) -> str:
    return f"{value:,.{digits}f}"


def write_results(
    path: Path,
    args: argparse.Namespace,
    reference: Target,
    targets: list[Target],
    cold: dict[str, "ColdStart"],
    memory: dict[str, tuple[float, float]],
    notes: list[str],
) -> list[str]:
    ref_rps = reference.median("rps")
    ref_p50 = reference.median("p50_ms")
    ref_p99 = reference.median("p99_ms")
    ref_cpu = reference.median("cpu_us")
    lines = [
        "# Benchmark results",
        "",
        f"A real run of `make bench` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC. Every ratio "
        "is to the reference (a bare Starlette route returning pre-encoded bytes of the "
        f"same size as our `{AGGREGATES}` body, {reference.headers.get('_bytes', '?')} "
        "bytes) measured in the same run; requests/s ratios pair each target run with "
        "the reference run just before it.",
        "",
        "## Machine",
        "",
        *machine(),
        f"- Settings: wrk `-t{args.threads} -c{args.connections} -d{args.duration:g}s "
        f"--latency`, {args.rounds} rounds, runs alternating reference and target; "
        "one uvicorn worker each, uvloop and httptools. Our service is started as `make run` "
        "starts it (`met-foi serve`, request log on: text, or `APP_LOG_FORMAT=json` as the "
        "image sets it, stdout to /dev/null); the reference and Datasette without an access "
        f"log. SQLite; loopback. 1-minute load average {args.load_before} before the run and "
        f"{load_average()} after (other work on the machine shares its 2 cores).",
        "",
        "## Throughput and latency (median of the rounds)",
        "",
        "| target | requests/s | x ref | p50 ms | x ref | p99 ms | x ref | CPU µs/req | x ref |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| reference (bare Starlette, pre-encoded bytes) | {_fmt(ref_rps, 0)} | 1.00 "
        f"| {_fmt(ref_p50)} | 1.00 | {_fmt(ref_p99)} | 1.00 | {_fmt(ref_cpu, 0)} | 1.00 |",
    ]
    for t in targets:
        rps, p50, p99, cpu = (t.median(a) for a in ("rps", "p50_ms", "p99_ms", "cpu_us"))
        lines.append(
            f"| {t.label} | {_fmt(rps, 0)} | {statistics.median(t.ratios):.2f} "
            f"| {_fmt(p50)} | {p50 / t.median('p50_ms', t.references):.2f} "
            f"| {_fmt(p99)} | {p99_ratio(t):.2f} "
            f"| {_fmt(cpu, 0)} | {cpu / t.median('cpu_us', t.references):.2f} |"
        )
    lines += [
        "",
        "## Start-up and memory",
        "",
        f"Cold start is process spawn to the first 200 on the measured URL (median of "
        f"{args.cold_starts}), in wall time and in the CPU time the server had used by then; "
        "for our service that first request is a cache miss. RSS is read from /proc after "
        "all load runs.",
        "",
        "| server | cold start s | x ref | CPU s | x ref | RSS after load MB | peak RSS MB "
        "| x ref |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    ref_cold = cold["reference"]
    for name, start in cold.items():
        rss, peak = memory[name]
        lines.append(
            f"| {name} | {start.wall:.3f} | {start.wall / ref_cold.wall:.2f} "
            f"| {start.cpu:.3f} | {start.cpu / ref_cold.cpu:.2f} "
            f"| {rss:.1f} | {peak:.1f} | {peak / memory['reference'][1]:.2f} |"
        )

    by_label = {t.label: t for t in targets}
    checks: list[tuple[str, bool, str]] = []
    for t in targets:
        if not t.server.name.startswith("service"):
            continue
        ratio, p99 = statistics.median(t.ratios), p99_ratio(t)
        # Issue 29's targets (stricter than issues 7 and 18's 0.9 and 1.3).
        checks.append((f"{t.label}: ≥ 0.95 of reference requests/s", ratio >= 0.95, f"{ratio:.2f}"))
        checks.append((f"{t.label}: p99 ≤ 1.2 x reference", p99 <= 1.2, f"{p99:.2f} x"))
        if "HTML page" in t.label:  # issue 15's own target for pages
            checks.append(
                (f"{t.label}: ≥ 0.8 of reference requests/s", ratio >= 0.8, f"{ratio:.2f}")
            )
    # Both are measured against the reference run beside them, so their quotient cancels
    # drift in the machine's background load; the quotient of raw medians is shown too.
    ours = by_label[f"text log: warm JSON {AGGREGATES}"]
    peer = by_label["Datasette SQL GROUP BY (JSON)"]
    times = statistics.median(ours.ratios) / statistics.median(peer.ratios)
    raw = ours.median("rps") / peer.median("rps")
    checks.append(
        (
            "aggregates ≥ 15 x Datasette's GROUP BY requests/s (quotient of their ratios "
            "to the reference)",
            times >= 15,
            f"{times:.1f} x (raw medians: {raw:.1f} x)",
        )
    )
    service_cold = cold["service"]
    checks.append(
        ("service cold start < 1.0 s", service_cold.wall < 1.0, f"{service_cold.wall:.3f} s")
    )
    cpu_times = service_cold.cpu / ref_cold.cpu
    checks.append(
        (
            "service spawn to first answer ≤ 2 x the reference's, by CPU (issue 29)",
            cpu_times <= 2,
            f"{cpu_times:.2f} x ({service_cold.cpu:.3f} s against {ref_cold.cpu:.3f} s)",
        )
    )
    rss = memory["service"][0]
    checks.append(("service RSS after the load < 100 MB", rss < 100, f"{rss:.1f} MB"))
    lines += [
        "",
        "## Targets (issues 7, 15, 18 and 29)",
        "",
        "| target | met | measured |",
        "|---|---|---|",
    ]
    lines += [f"| {name} | {'yes' if ok else '**no**'} | {value} |" for name, ok, value in checks]
    lines += ["", "## Notes", "", *[f"- {n}" for n in notes]]
    lines += [
        "",
        "## Every run",
        "",
        "| round | target | requests/s | reference requests/s | ratio |",
    ]
    lines += ["|---:|---|---:|---:|---:|"]
    for t in targets:
        for i, (s, r) in enumerate(zip(t.samples, t.references, strict=True)):
            lines.append(
                f"| {i + 1} | {t.label} | {_fmt(s.rps, 0)} | {_fmt(r.rps, 0)} "
                f"| {s.rps / r.rps:.2f} |"
            )
    replace_section(path, "bench", lines)
    return [f"{name}: {'met' if ok else 'MISSED'} ({value})" for name, ok, value in checks]


# ---------------------------------------------------------------- main


@dataclass
class ColdStart:
    """Medians from spawn to the first 200: wall seconds, and CPU seconds the server used
    (which a busy machine inflates far less than the wall time)."""

    wall: float
    cpu: float


def cold_starts(servers: list[Server], count: int) -> dict[str, ColdStart]:
    """Spawn to the first 200, per server, median of `count`."""
    cold: dict[str, ColdStart] = {}
    for server in servers:
        walls, cpus = [], []
        for _ in range(count):
            walls.append(server.start())
            cpus.append(server.start_cpu)
            server.stop()
        found = cold[server.name] = ColdStart(statistics.median(walls), statistics.median(cpus))
        print(f"cold start {server.name}: {found.wall:.3f} s, {found.cpu:.3f} s CPU", flush=True)
    return cold


def run_rounds(
    args: argparse.Namespace, ref_target: Target, targets: list[Target], notes: list[str]
) -> None:
    """Warm every URL, then alternate reference and target runs for each round."""
    for target in [ref_target, *targets]:
        if target.expect == 304:
            # Each server's own ETag: the base URL (its port) is part of the cache key.
            _, response = http_get(target.server.port, target.path)
            target.headers["If-None-Match"] = response.getheader("etag")
        headers = {k: v for k, v in target.headers.items() if not k.startswith("_")}
        got, _ = http_get(target.server.port, target.path, headers)
        if got != target.expect:
            raise RuntimeError(f"{target.label}: expected {target.expect}, got {got}")
        run_wrk(target.server, target.url(), 1, args.connections, args.threads, headers)
    for round_ in range(args.rounds):
        for target in targets:
            for t, sink in ((ref_target, target.references), (target, target.samples)):
                headers = {k: v for k, v in t.headers.items() if not k.startswith("_")}
                sample = run_wrk(
                    t.server, t.url(), args.duration, args.connections, args.threads, headers
                )
                if sample.bad:
                    notes.append(f"round {round_ + 1}, {t.label}: {sample.bad} errors")
                sink.append(sample)
                if t is ref_target:
                    ref_target.samples.append(sample)
            target.ratios.append(target.samples[-1].rps / target.references[-1].rps)
            print(
                f"round {round_ + 1} {target.label}: {target.samples[-1].rps:,.0f} req/s "
                f"({target.ratios[-1]:.2f} x ref)",
                flush=True,
            )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--duration", type=float, default=float(os.environ.get("BENCH_DURATION", 5))
    )
    parser.add_argument("--rounds", type=int, default=int(os.environ.get("BENCH_ROUNDS", 3)))
    parser.add_argument("--connections", type=int, default=32)
    # One wrk thread: on 2 cores the server keeps one to itself, as it would in production.
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--cold-starts", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "RESULTS.md")
    args = parser.parse_args()
    args.load_before = load_average()
    for tool in ("wrk", str(DATASETTE), str(BIN / "uvicorn")):
        if shutil.which(tool) is None:
            print(f"missing {tool}; run `make bench`, which installs it", file=sys.stderr)
            return 1

    service_db, peer_db = prepare_data()
    # As `make serve` starts it: writing its bytecode, so a start does not compile it all.
    service_env = {"APP_DATABASE_URL": f"sqlite:///{service_db}", "PYTHONDONTWRITEBYTECODE": ""}
    service = Server(
        "service", service_argv(8931), 8931, AGGREGATES, {**service_env, "APP_LOG_FORMAT": "text"}
    )
    service_json = Server(
        "service-json",
        service_argv(8934),
        8934,
        AGGREGATES,
        {**service_env, "APP_LOG_FORMAT": "json"},
    )
    peer_sql = f"/met2013.json?_shape=array&sql={quote(DATASETTE_SQL)}"
    peer = Server(
        "Datasette",
        [str(DATASETTE), "serve", "-i", str(peer_db), "--host", HOST, "--port", "8933"],
        8933,
        peer_sql,
    )

    # The reference body matches our aggregates body in size, so measure that first.
    service.start()
    _, response = http_get(service.port, AGGREGATES)
    body_bytes = int(response.getheader("content-length"))
    pinned = f"{AGGREGATES}&revision={response.getheader('dataset-revision')}"
    embed_status, _ = http_get(service.port, f"/v1/embed/figures/{FIGURE_ID}")
    page_status, _ = http_get(service.port, f"/figures/{FIGURE_ID}")
    service.stop()
    reference = Server(
        "reference",
        reference_argv(8932),
        8932,
        "/reference",
        {"BENCH_REFERENCE_BYTES": str(body_bytes)},
    )
    servers = [reference, service, peer]

    notes: list[str] = []
    cold = cold_starts(servers, args.cold_starts)
    service_metrics = Server(
        "service-metrics",
        service_argv(8935),
        8935,
        AGGREGATES,
        {**service_env, "APP_LOG_FORMAT": "text", "APP_METRICS": "true"},
    )
    servers += [service_json, service_metrics]

    ref_target = Target("reference", reference, "/reference", {"_bytes": str(body_bytes)})
    targets = [
        Target(f"text log: warm JSON {AGGREGATES}", service, AGGREGATES),
        Target(f"json log: warm JSON {AGGREGATES}", service_json, AGGREGATES),
        Target(f"text log: warm JSON pinned {pinned}", service, pinned),
        Target(f"text log: warm JSON, gzip {AGGREGATES}", service, AGGREGATES, GZIP),
        Target(f"text log: warm JSON, brotli {AGGREGATES}", service, AGGREGATES, BROTLI),
        Target(f"text log: warm JSON /v1/figures/{FIGURE_ID}", service, f"/v1/figures/{FIGURE_ID}"),
        Target("text log: warm JSON /v1/cases", service, "/v1/cases"),
        Target("text log: CSV export /v1/figures?format=csv", service, "/v1/figures?format=csv"),
        Target(f"text log: 304 revalidation {AGGREGATES}", service, AGGREGATES, {}, 304),
        Target(f"json log: 304 revalidation {AGGREGATES}", service_json, AGGREGATES, {}, 304),
        Target(f"text log, metrics on: warm JSON {AGGREGATES}", service_metrics, AGGREGATES),
        Target(f"text log: SVG chart {CHART}", service, CHART),
    ]
    if embed_status == 200:
        targets.append(
            Target("text log: HTML embed card", service, f"/v1/embed/figures/{FIGURE_ID}")
        )
    else:
        notes.append(
            f"/v1/embed/figures/{{id}} answered {embed_status} in this build, so the embed "
            "card was not measured."
        )
    if page_status == 200:
        page = f"/figures/{FIGURE_ID}"
        targets += [
            Target(f"text log: HTML page {page}", service, page),
            Target(f"text log: HTML page {page}, as a browser asks", service, page, BROWSER),
        ]
    else:
        notes.append(
            f"/figures/{{id}} answered {page_status} in this build, so pages were not measured."
        )
    targets += [
        Target("Datasette SQL GROUP BY (JSON)", peer, peer_sql),
        Target(
            "Datasette facet view (JSON)",
            peer,
            "/met2013/figures.json?measure=cases_by_platform&_facet=platform",
        ),
    ]
    notes += [
        f"Datasette's GROUP BY: `{DATASETTE_SQL}`, served with `datasette serve -i` "
        "(immutable) from a SQLite file holding the figures, figure_reports and cases "
        "tables copied from our seeded database.",
        "Our service answers warm reads from its per-revision cache of encoded responses "
        "before FastAPI's per-request work (service/middleware.py: FastPath); "
        "each URL was requested once, and loaded for 1 s, before the runs.",
        "Requests/s is the median of the rounds; its ratio is the median of the ratios "
        "of each run to the reference run just before it, so the two columns need not "
        "match the reference row exactly.",
        "The gzip and brotli runs send `Accept-Encoding` and get the compressed bytes kept "
        "beside the identity ones; the reference still sends its uncompressed body, as large "
        "as our identity body.",
        "The page runs ask for the figure page once with no `Accept-Encoding` (its 31 kB of "
        "HTML, four times the reference body) and once as Chromium asks for a page, getting "
        "the brotli bytes kept for it.",
        "The pinned run asks for the revision the other runs read (`?revision=`), answered "
        "from the cache's bucket for pinned reads with `Cache-Control: immutable`.",
        "wrk, the server and this script share the same cores, so absolute numbers are "
        "lower than on a dedicated load generator; the ratios are the comparison.",
    ]

    try:
        for server in servers:
            server.start()
        run_rounds(args, ref_target, targets, notes)
        memory = {s.name: s.memory_mb() for s in servers}
    finally:
        for server in servers:
            server.stop()

    verdicts = write_results(args.out, args, ref_target, targets, cold, memory, notes)
    print(f"wrote {args.out}")
    for line in verdicts:
        print(f"  {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
