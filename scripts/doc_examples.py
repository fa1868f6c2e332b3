"""Fill the generated parts of README.md and docs/*.md, or check they are current.

Two kinds of block, each kept between an opening and a closing comment:

- `<!-- example: PATH [csv] -->` ... `<!-- /example -->` becomes the curl command and the
  app's response for PATH, on a fresh database seeded from seed/;
- `<!-- seed-columns -->` ... `<!-- /seed-columns -->` becomes a table per seed CSV, from
  the schemas the loader validates packages against.

Usage: python -m scripts.doc_examples --write | --check
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
DOCS = PROJECT_ROOT / "docs"
EXAMPLE = re.compile(
    r"<!-- example: (?P<path>\S+)(?P<csv> csv)? -->\n.*?<!-- /example -->", re.DOTALL
)
SEED_COLUMNS = re.compile(r"<!-- seed-columns -->\n.*?<!-- /seed-columns -->", re.DOTALL)

Request = tuple[str, bool]


def pages() -> dict[Path, str]:
    """README.md and every docs/*.md, as they are on disk."""
    paths = [README, *sorted(DOCS.glob("*.md"))]
    return {path: path.read_text(encoding="utf-8") for path in paths}


def render(path: str, csv: bool, status: int, body: str) -> str:
    accept = " -H 'Accept: text/csv'" if csv else ""
    language = "csv" if csv else "json"
    if csv:
        body = body.replace("\r\n", "\n")
    else:
        body = json.dumps(json.loads(body), indent=2, ensure_ascii=False)
    shown = f"HTTP {status}\n" if status != 200 else ""
    # markdown="1" lets mkdocs (md_in_html) render the code block inside <details>.
    return (
        f"<!-- example: {path}{' csv' if csv else ''} -->\n"
        f"```sh\ncurl -s{accept} 'http://127.0.0.1:8000{path}'\n```\n"
        f'<details markdown="1"><summary>Output'
        f"{' (' + str(status) + ')' if status != 200 else ''}"
        f"</summary>\n\n```{language}\n{shown}{body.rstrip()}\n```\n</details>\n"
        "<!-- /example -->"
    )


def seed_columns() -> str:
    from service.seed import TABLES

    lines = ["<!-- seed-columns -->"]
    for table, spec in TABLES.items():
        lines += ["", f"### `{table}.csv`", ""]
        lines += ["| column | type | required | what it holds |", "|---|---|---|---|"]
        for field in spec["fields"]:
            required = "yes" if field.get("constraints", {}).get("required") else ""
            text = field["description"].replace("<", "&lt;").replace("|", "\\|")
            lines.append(f"| `{field['name']}` | {field['type']} | {required} | {text} |")
    return "\n".join([*lines, "", "<!-- /seed-columns -->"])


def fill(texts: dict[Path, str]) -> dict[Path, str]:
    """Every page with its generated blocks rewritten; one app answers all the examples."""
    requests = {
        (m["path"], bool(m["csv"])) for text in texts.values() for m in EXAMPLE.finditer(text)
    }
    responses = _responses(sorted(requests)) if requests else {}
    columns = seed_columns()

    def example(m: re.Match[str]) -> str:
        path, csv = m["path"], bool(m["csv"])
        return render(path, csv, *responses[(path, csv)])

    return {
        path: SEED_COLUMNS.sub(lambda _: columns, EXAMPLE.sub(example, text))
        for path, text in texts.items()
    }


def _responses(requests: list[Request]) -> dict[Request, tuple[int, str]]:
    from service.db import build_engine, migrate
    from service.main import create_app
    from service.seed.load import data_date, find_packages, publish_packages

    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(
            database_url=f"sqlite:///{Path(folder) / 'docs.db'}",
            revision_check_seconds=0,
            log_format="off",
        )
        migrate(settings.database_url)
        engine = build_engine(settings)
        roots = find_packages(settings.seed_dir)
        publish_packages(engine, roots, now=data_date(roots))
        responses = anyio.run(_fetch, create_app(settings, engine), requests)
        engine.dispose()
    return responses


async def _fetch(app: object, requests: list[Request]) -> dict[Request, tuple[int, str]]:
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
    texts = pages()
    filled = fill(texts)
    stale = [path for path in texts if filled[path] != texts[path]]
    if args.write:
        for path in stale:
            path.write_text(filled[path], encoding="utf-8")
            print(f"wrote {path.relative_to(PROJECT_ROOT)}")
        return 0
    for path in stale:
        print(f"{path.relative_to(PROJECT_ROOT)}: generated blocks are stale", file=sys.stderr)
    if stale:
        print("run `make docs-examples`", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
