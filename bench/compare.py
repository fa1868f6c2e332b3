"""`make bench-compare`: two builds, or two servers, side by side with the reference.

`make bench` measures this tree against the stack's limit; this measures what a change
did, in one run, so that the machine's load falls on both sides alike:

- `--before DIR`: the service from another checkout (e.g. `git worktree add ../before
  main`), run as `make run` runs it (`met-foi serve`) with DIR first on PYTHONPATH;
- this tree, as `make run` runs it;
- `--granian`: this tree under Granian (`granian --interface asgi --factory`, one worker,
  uvloop), when it is installed in .venv (it is not a requirement).

Each round runs the reference (bench/reference.py), then every variant, on each URL; every
number is a median over the rounds, and its ratio is to the reference runs of the same
rounds. Server CPU µs per request counts the server's processes (children included), so it
holds up when other work shares the cores. Prints a Markdown table; writes nothing else.
"""

import argparse
import os
import statistics
import sys
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench

ORIGIN = {"Origin": "https://desk.example"}


@dataclass
class Row:
    label: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    expect: int = 200
    #: Sent with If-None-Match naming the server's own ETag (its base URL is in the key).
    revalidate: bool = False
    #: Per server name: its samples, and the reference sample run just before each.
    samples: dict[str, list[bench.Sample]] = field(default_factory=dict)
    references: dict[str, list[bench.Sample]] = field(default_factory=dict)


def variants(args: argparse.Namespace, env: dict[str, str]) -> list[bench.Server]:
    servers = []
    port = 8941
    if args.before:
        before = Path(args.before).resolve()
        servers.append(
            bench.Server(
                "before",
                bench.service_argv(port),
                port,
                bench.AGGREGATES,
                {**env, "PYTHONPATH": str(before)},
                cwd=before,
            )
        )
    after = bench.service_argv(port + 1)
    servers.append(bench.Server("after", after, port + 1, bench.AGGREGATES, env))
    if args.granian:
        argv = [
            str(bench.BIN / "granian"),
            "--interface",
            "asgi",
            "--factory",
            "service.main:create_app",
            "--host",
            bench.HOST,
            "--port",
            str(port + 2),
            "--workers",
            "1",
            "--loop",
            "uvloop",
            "--log-level",
            "warning",
        ]
        servers.append(bench.Server("after, Granian", argv, port + 2, bench.AGGREGATES, env))
    return servers


def rows() -> list[Row]:
    page = f"/figures/{bench.FIGURE_ID}"
    return [
        Row(f"warm JSON {bench.AGGREGATES}", bench.AGGREGATES),
        Row(f"warm JSON {bench.AGGREGATES}, with Origin", bench.AGGREGATES, ORIGIN),
        Row(f"warm JSON, brotli {bench.AGGREGATES}", bench.AGGREGATES, bench.BROTLI),
        Row(f"warm JSON /v1/figures/{bench.FIGURE_ID}", f"/v1/figures/{bench.FIGURE_ID}"),
        Row("warm JSON /v1/cases", "/v1/cases"),
        Row("CSV /v1/figures?format=csv", "/v1/figures?format=csv"),
        Row(f"304 {bench.AGGREGATES}", bench.AGGREGATES, expect=304, revalidate=True),
        Row(f"SVG {bench.CHART}", bench.CHART),
        Row(f"page {page}, as a browser asks", page, bench.BROWSER),
    ]


def measure(
    args: argparse.Namespace, reference: bench.Server, servers: list[bench.Server], table: list[Row]
) -> None:
    """Warm every answer, then for each round, URL and server: the reference, then it."""
    everyone = [reference, *servers]
    try:
        for server in everyone:
            server.start()
        sent: dict[tuple[str, str], dict[str, str]] = {}
        for row in table:  # warm every answer on every server
            for server in servers:
                headers = sent[row.label, server.name] = dict(row.headers)
                if row.revalidate:
                    _, response = bench.http_get(server.port, row.path)
                    headers["If-None-Match"] = response.getheader("etag")
                status, _ = bench.http_get(server.port, row.path, headers)
                if status != row.expect:
                    raise RuntimeError(f"{server.name} {row.label}: {status}, not {row.expect}")
                url = f"http://{bench.HOST}:{server.port}{row.path}"
                bench.run_wrk(server, url, 1, args.connections, args.threads, headers)
        ref_url = f"http://{bench.HOST}:{reference.port}/reference"
        for round_ in range(args.rounds):
            for row in table:
                for server in servers:
                    ref = bench.run_wrk(
                        reference, ref_url, args.duration, args.connections, args.threads
                    )
                    url = f"http://{bench.HOST}:{server.port}{row.path}"
                    headers = sent[row.label, server.name]
                    got = bench.run_wrk(
                        server, url, args.duration, args.connections, args.threads, headers
                    )
                    if got.bad:
                        print(f"  {server.name} {row.label}: {got.bad} errors", flush=True)
                    row.samples.setdefault(server.name, []).append(got)
                    row.references.setdefault(server.name, []).append(ref)
                    print(
                        f"round {round_ + 1} {server.name} {row.label}: {got.rps:,.0f} req/s "
                        f"({got.rps / ref.rps:.2f} x ref), {got.cpu_us:.0f} µs CPU "
                        f"({got.cpu_us / ref.cpu_us:.2f} x ref)",
                        flush=True,
                    )
    finally:
        for server in everyone:
            server.stop()


def report(
    args: argparse.Namespace,
    load_before: str,
    body_bytes: str,
    servers: list[bench.Server],
    table: list[Row],
    cold: dict[str, bench.ColdStart],
) -> None:
    def med(samples: list[bench.Sample], attribute: str) -> float:
        return statistics.median(getattr(s, attribute) for s in samples)

    names = [s.name for s in servers]
    print()
    print(
        f"Load average {load_before} before, {bench.load_average()} after; wrk -t{args.threads} "
        f"-c{args.connections} -d{args.duration:g}s, {args.rounds} rounds; reference body "
        f"{body_bytes} bytes."
    )
    print()
    heads = " | ".join(f"{n}: rps x ref, p99 x ref, CPU µs (x ref)" for n in names)
    print(f"| answer | {heads} |")
    print("|---|" + "---:|" * len(names))
    for row in table:
        cells = []
        for name in names:
            got, ref = row.samples[name], row.references[name]
            rps = statistics.median(g.rps / r.rps for g, r in zip(got, ref, strict=True))
            p99 = med(got, "p99_ms") / med(ref, "p99_ms")
            cpu, ref_cpu = med(got, "cpu_us"), med(ref, "cpu_us")
            cells.append(f"{rps:.2f}, {p99:.2f}, {cpu:.0f} ({cpu / ref_cpu:.2f})")
        print(f"| {row.label} | " + " | ".join(cells) + " |")
    print()
    print("| server | spawn to first 200, s | x reference | CPU s by then | x reference |")
    print("|---|---:|---:|---:|---:|")
    ref = cold["reference"]
    for name, start in cold.items():
        print(
            f"| {name} | {start.wall:.3f} | {start.wall / ref.wall:.2f} "
            f"| {start.cpu:.3f} | {start.cpu / ref.cpu:.2f} |"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--before", help="a checkout of the build to compare with")
    parser.add_argument("--granian", action="store_true", help="add this tree on Granian")
    parser.add_argument(
        "--duration", type=float, default=float(os.environ.get("BENCH_DURATION", 5))
    )
    parser.add_argument("--rounds", type=int, default=int(os.environ.get("BENCH_ROUNDS", 3)))
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--cold-starts", type=int, default=3)
    parser.add_argument("--only", default="", help="measure only answers whose label has this")
    args = parser.parse_args()
    load_before = bench.load_average()

    service_db, _ = bench.prepare_data()
    env = {
        "APP_DATABASE_URL": f"sqlite:///{service_db}",
        "APP_LOG_FORMAT": "text",
        "PYTHONDONTWRITEBYTECODE": "",  # as `make serve` starts it
    }
    servers = variants(args, env)
    first = servers[-1]
    first.start()
    _, response = bench.http_get(first.port, bench.AGGREGATES)
    body_bytes = response.getheader("content-length")
    first.stop()
    reference = bench.Server(
        "reference",
        bench.reference_argv(8940),
        8940,
        "/reference",
        {"BENCH_REFERENCE_BYTES": body_bytes},
    )
    everyone = [reference, *servers]
    cold = bench.cold_starts(everyone, args.cold_starts)
    table = [row for row in rows() if args.only in row.label]
    measure(args, reference, servers, table)
    report(args, load_before, body_bytes, servers, table, cold)
    return 0


if __name__ == "__main__":
    sys.exit(main())
