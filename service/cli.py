"""The console script: met-foi start | serve | migrate | seed | diff | openapi."""

import argparse
import gc
import json
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from service.config import Settings, get_settings

if TYPE_CHECKING:
    from fastapi import FastAPI

    from service.seed.load import Publication

#: Any constant works; it only has to be the same in every replica.
START_LOCK_ID = 50_132_013


def seed(
    paths: list[Path],
    write_schemas: bool,
    settings: Settings | None = None,
    *,
    dry_run: bool = False,
) -> int:
    from service.seed.load import find_packages
    from service.seed.schema import write_schemas as rewrite

    settings = settings or get_settings()
    roots = paths or find_packages(settings.seed_dir)
    if write_schemas:
        for path in rewrite(roots):
            print(f"rewrote {path}")
        return 0
    publication = _publish(roots, settings, dry_run=dry_run)
    if publication is None:
        return 1
    for result in publication.results:
        print(result.summary())
    for line in publication.summary(dry_run=dry_run):
        print(line)
    return 0


def diff(paths: list[Path], settings: Settings | None = None) -> int:
    """Print which figures loading these packages would add, change or remove; write
    nothing. 0 whatever it finds; 1 when a package is invalid."""
    publication = _publish(paths, settings or get_settings(), dry_run=True)
    if publication is None:
        return 1
    for line in publication.change_lines() or ["no figure would change"]:
        print(line)
    return 0


def _publish(roots: list[Path], settings: Settings, *, dry_run: bool) -> "Publication | None":
    """Load the packages as one revision (a dry run writes nothing); None, once the
    reason is printed, when a package is invalid or the database fails."""
    from sqlalchemy.exc import SQLAlchemyError

    from service.db import build_engine
    from service.seed.load import publish_packages
    from service.seed.reader import PackageInvalid

    engine = build_engine(settings)
    try:
        return publish_packages(engine, roots, dry_run=dry_run)
    except PackageInvalid as exc:
        print(f"Nothing loaded: {len(exc.errors)} problem(s) found.", file=sys.stderr)
        for error in exc.errors:
            print(f"  {error}", file=sys.stderr)
    except SQLAlchemyError as exc:
        # One transaction: nothing was written. Say what failed, never the SQL or its data.
        reason = str(getattr(exc, "orig", None) or type(exc).__name__).splitlines()[0]
        print(f"Nothing loaded: the database failed during the load: {reason}", file=sys.stderr)
    finally:
        engine.dispose()
    return None


def openapi(write: Path | None, check: Path | None) -> int:
    from service.openapi import build_document

    text = json.dumps(build_document(), indent=2, ensure_ascii=False) + "\n"
    if write is not None:
        write.parent.mkdir(parents=True, exist_ok=True)
        write.write_text(text, encoding="utf-8")
        print(f"wrote {write}")
        return 0
    if check is not None:
        if not check.is_file() or check.read_text(encoding="utf-8") != text:
            print(f"{check} is stale; run `make openapi` and commit it.", file=sys.stderr)
            return 1
        print(f"{check} is up to date")
        return 0
    sys.stdout.write(text)
    return 0


def served_app() -> "FastAPI":
    """The app `serve` runs (in each worker): built, then every object made so far frozen
    out of the garbage collector's reach (gc.freeze). They live as long as the process, and
    a full collection walks them all, inside whichever request it falls in: 110 to 140 ms
    of one read's CPU at 10^6 cases on PostgreSQL (bench/RESULTS.md)."""
    from service.main import create_app

    app = create_app()
    gc.collect()
    gc.freeze()
    return app


def serve(host: str, port: int, workers: int) -> None:
    import uvicorn

    settings = get_settings()
    uvicorn.run(
        "service.cli:served_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=settings.log_level,
        # Our RequestLog writes the access line, in either format, off the request path.
        access_log=False,
        timeout_graceful_shutdown=settings.shutdown_grace_seconds,
        server_header=False,
        proxy_headers=False,
    )


def wait_for_database(settings: Settings) -> bool:
    """Ping until the database answers or db_wait_seconds have passed."""
    from sqlalchemy.exc import SQLAlchemyError

    from service.db import build_engine, ping

    engine = build_engine(settings)
    deadline = time.monotonic() + settings.db_wait_seconds
    attempt = 0
    try:
        while True:
            attempt += 1
            try:
                ping(engine)
            except SQLAlchemyError as exc:
                if time.monotonic() >= deadline:
                    print(
                        f"database still unreachable after {attempt} attempt(s): "
                        f"{type(exc).__name__}; giving up",
                        file=sys.stderr,
                    )
                    return False
                print(f"waiting for the database ({type(exc).__name__})", file=sys.stderr)
                time.sleep(1)
            else:
                return True
    finally:
        engine.dispose()


def prepare(settings: Settings) -> int:
    """Migrate, then seed unless turned off; one replica at a time on PostgreSQL."""
    from sqlalchemy import text

    from service.db import build_engine, migrate

    engine = build_engine(settings)
    try:
        with engine.connect() as lock:
            if not settings.is_sqlite:
                # Replicas starting together take turns; the second finds nothing to do.
                lock.execute(text("SELECT pg_advisory_lock(:id)"), {"id": START_LOCK_ID})
            migrate(settings.database_url)
            print("migrated to the latest schema", file=sys.stderr)
            if not settings.seed_on_start:
                print("APP_SEED_ON_START is off: seed packages not loaded", file=sys.stderr)
                return 0
            return seed([], write_schemas=False, settings=settings)
    finally:
        engine.dispose()


def _stop(code: int) -> Callable[[int, FrameType | None], None]:
    def handler(_signum: int, _frame: FrameType | None) -> None:
        raise SystemExit(code)

    return handler


def start() -> int:
    """What the container runs: wait for the database, migrate, seed, serve."""
    settings = get_settings()
    # As PID 1 a process ignores SIGTERM unless it handles it: stop cleanly while preparing.
    signal.signal(signal.SIGTERM, _stop(128 + signal.SIGTERM))
    if not wait_for_database(settings):
        return 1
    status = prepare(settings)
    if status != 0:
        return status
    # Uvicorn re-raises the SIGTERM it shut down gracefully on; that is a clean exit.
    signal.signal(signal.SIGTERM, _stop(0))
    serve(settings.host, settings.port, settings.workers)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="met-foi", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser(
        "start",
        help="wait for the database, migrate, seed (unless APP_SEED_ON_START=false) and "
        "serve with APP_HOST, APP_PORT, APP_WORKERS (what the Docker image runs)",
    )
    serve_cmd = commands.add_parser("serve", help="serve the API with uvicorn")
    serve_cmd.add_argument("--host", default="127.0.0.1")
    serve_cmd.add_argument("--port", type=int, default=8000)
    serve_cmd.add_argument("--workers", type=int, default=1)
    commands.add_parser("migrate", help="upgrade the database schema to the latest revision")
    seed_cmd = commands.add_parser("seed", help="validate and load data packages")
    seed_cmd.add_argument(
        "paths", nargs="*", type=Path, help="package folders (default: every package under seed/)"
    )
    seed_cmd.add_argument(
        "--write-schemas",
        action="store_true",
        help="rewrite the packages' Table Schemas from the service's",
    )
    seed_cmd.add_argument(
        "--dry-run",
        action="store_true",
        help="validate, and print what loading would change, without writing anything",
    )
    diff_cmd = commands.add_parser(
        "diff",
        help="print which figures loading these packages would add, change (old -> new "
        "reading) or remove; writes nothing",
    )
    diff_cmd.add_argument("paths", nargs="+", type=Path, help="package folders")
    api_cmd = commands.add_parser("openapi", help="print, write or check the OpenAPI schema")
    group = api_cmd.add_mutually_exclusive_group()
    group.add_argument("--write", type=Path)
    group.add_argument("--check", type=Path)

    args = parser.parse_args(argv)
    if args.command == "start":
        return start()
    if args.command == "serve":
        serve(args.host, args.port, args.workers)
    elif args.command == "migrate":
        from service.db import migrate

        migrate()
    elif args.command == "seed":
        return seed(args.paths, args.write_schemas, dry_run=args.dry_run)
    elif args.command == "diff":
        return diff(args.paths)
    elif args.command == "openapi":
        return openapi(args.write, args.check)
    return 0
