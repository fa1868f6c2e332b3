"""The console script: met-foi serve | migrate | seed | openapi."""

import argparse
import json
import sys
from pathlib import Path

from service.config import PROJECT_ROOT, get_settings


def migrate(database_url: str | None = None) -> None:
    from alembic import command
    from alembic.config import Config

    from service.config import Settings
    from service.db import build_engine

    settings = Settings(database_url=database_url) if database_url else get_settings()
    engine = build_engine(settings)
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    engine.dispose()


def seed(paths: list[Path], write_schemas: bool) -> int:
    from service.db import build_engine
    from service.seed import PackageInvalid, find_packages, load_packages
    from service.seed import write_schemas as rewrite

    settings = get_settings()
    roots = paths or find_packages(settings.seed_dir)
    if write_schemas:
        for path in rewrite(roots):
            print(f"rewrote {path}")
        return 0
    engine = build_engine(settings)
    try:
        results = load_packages(engine, roots)
    except PackageInvalid as exc:
        print(f"Nothing loaded: {len(exc.errors)} problem(s) found.", file=sys.stderr)
        for error in exc.errors:
            print(f"  {error}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    for result in results:
        print(result.summary())
    return 0


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


def serve(host: str, port: int, workers: int) -> None:
    import uvicorn

    settings = get_settings()
    uvicorn.run(
        "service.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=settings.log_level,
        server_header=False,
        proxy_headers=False,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="met-foi", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
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
    api_cmd = commands.add_parser("openapi", help="print, write or check the OpenAPI schema")
    group = api_cmd.add_mutually_exclusive_group()
    group.add_argument("--write", type=Path)
    group.add_argument("--check", type=Path)

    args = parser.parse_args(argv)
    if args.command == "serve":
        serve(args.host, args.port, args.workers)
    elif args.command == "migrate":
        migrate()
    elif args.command == "seed":
        return seed(args.paths, args.write_schemas)
    elif args.command == "openapi":
        return openapi(args.write, args.check)
    return 0
