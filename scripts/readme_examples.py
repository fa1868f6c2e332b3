"""Fill README's curl examples with real responses, or check they are current.

An example is the text between `<!-- example: PATH [csv] -->` and `<!-- /example -->`;
it is rewritten as the curl command and the app's response for PATH on a fresh database
seeded from seed/. Usage: python -m scripts.readme_examples --write | --check
"""

import argparse
import json
import re
import sys
import tempfile
from pathlib import Path

import anyio
import httpx

from service.config import PROJECT_ROOT, Settings

README = PROJECT_ROOT / "README.md"
EXAMPLE = re.compile(
    r"<!-- example: (?P<path>\S+)(?P<csv> csv)? -->\n.*?<!-- /example -->", re.DOTALL
)


def render(path: str, csv: bool, status: int, body: str) -> str:
    accept = " -H 'Accept: text/csv'" if csv else ""
    language = "csv" if csv else "json"
    if csv:
        body = body.replace("\r\n", "\n")
    else:
        body = json.dumps(json.loads(body), indent=2, ensure_ascii=False)
    shown = f"HTTP {status}\n" if status != 200 else ""
    return (
        f"<!-- example: {path}{' csv' if csv else ''} -->\n"
        f"```sh\ncurl -s{accept} 'http://127.0.0.1:8000{path}'\n```\n"
        f"<details><summary>Output{' (' + str(status) + ')' if status != 200 else ''}"
        f"</summary>\n\n```{language}\n{shown}{body.rstrip()}\n```\n</details>\n"
        "<!-- /example -->"
    )


def fill(text: str) -> str:
    from service.db import build_engine, migrate
    from service.main import create_app
    from service.seed import find_packages, load_packages

    requests = [(m["path"], bool(m["csv"])) for m in EXAMPLE.finditer(text)]
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(
            database_url=f"sqlite:///{Path(folder) / 'readme.db'}", revision_check_seconds=0
        )
        migrate(settings.database_url)
        engine = build_engine(settings)
        load_packages(engine, find_packages(settings.seed_dir))
        responses = anyio.run(_fetch, create_app(settings, engine), requests)
        engine.dispose()
    return EXAMPLE.sub(
        lambda m: render(m["path"], bool(m["csv"]), *responses[(m["path"], bool(m["csv"]))]), text
    )


async def _fetch(
    app: object, requests: list[tuple[str, bool]]
) -> dict[tuple[str, bool], tuple[int, str]]:
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    out = {}
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as c:
        for path, csv in requests:
            response = await c.get(path, headers={"Accept": "text/csv"} if csv else {})
            out[(path, csv)] = (response.status_code, response.text)
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--write", action="store_true")
    group.add_argument("--check", action="store_true")
    args = parser.parse_args()
    text = README.read_text(encoding="utf-8")
    filled = fill(text)
    if args.write:
        README.write_text(filled, encoding="utf-8")
        return 0
    if filled != text:
        print("README examples are stale: run `make readme`", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
