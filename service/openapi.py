"""The OpenAPI document: generated from the app (`generate`), finished with named enum
components and real response examples from a fresh database seeded from seed/
(`build_document`, run by `make openapi`), committed as openapi/openapi.json, and served
as is at /openapi.json (`committed_document`): one document, the same everywhere."""

import tempfile
from pathlib import Path
from typing import Any

import anyio

from service.config import Settings, get_settings
from service.errors import PROBLEM_MEDIA_TYPE, problem_openapi
from service.measures import MEASURE_IDS
from service.schemas import OEmbed
from service.taxonomy import GROUPINGS

OEMBED_FORMATS = ("json", "xml")

#: operationId -> the request whose real response is the 200 example.
EXAMPLE_REQUESTS: dict[str, str] = {
    "getMeta": "/v1/meta",
    "listDisclosures": "/v1/disclosures?limit=1",
    "getDisclosure": "/v1/disclosures/met-2013",
    "listSources": "/v1/sources?limit=2",
    "listFigures": "/v1/figures?limit=1",
    "getFigure": "/v1/figures/met-2013.officers.written-warning",
    "getAggregates": "/v1/aggregates?disclosure=met-2013&by=platform",
    "listOutcomes": "/v1/outcomes?limit=1",
    "listPlatforms": "/v1/platforms?limit=1",
    "listCases": "/v1/cases?limit=1",
    "getCase": "/v1/cases/met-2013.case-4",
    "listChecks": "/v1/checks?limit=1&status=gap",
    "getCheck": "/v1/checks/met-2013.K1",
    "getSeries": "/v1/series?measure=investigated&staff_type=police_officer&limit=2",
    "oembed": "/oembed?url=http://127.0.0.1:8000/v1/embed/figures/met-2013.all.dismissed",
    "healthz": "/healthz",
    "getProblemType": "/problems/unknown-parameter",
    "listMeasures": "/v1/measures?limit=1",
    "listNotes": "/v1/notes?limit=1",
    "listRevisions": "/v1/revisions?limit=1",
    "getRevision": "/v1/revisions/{revision}",
    "getFigureHistory": "/v1/figures/met-2013.officers.written-warning/history",
    "listForces": "/v1/forces?limit=1&offset=19",
    "getForce": "/v1/forces/kent-police",
    "listDisclosureForces": "/v1/disclosures/pa-2014/forces?limit=2&offset=11",
}

#: status -> a request that really produces that problem, for the error examples.
PROBLEM_REQUESTS: dict[int, str] = {
    400: "/v1/cases?platfrom=facebook",
    404: "/v1/figures/met-2013.officers.sacked",
    406: "/v1/meta?format=csv",
    422: "/v1/cases?platform=myspace",
}


def build_document() -> dict[str, Any]:
    from service.db import build_engine, migrate
    from service.main import create_app
    from service.seed.load import data_date, find_packages, publish_packages

    seed_dir = get_settings().seed_dir
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(
            database_url=f"sqlite:///{Path(folder) / 'openapi.db'}",
            revision_check_seconds=0,
            seed_dir=seed_dir,
            log_format="off",  # `met-foi openapi` prints the document on stdout
        )
        migrate(settings.database_url)
        engine = build_engine(settings)
        roots = find_packages(seed_dir)
        revision = publish_packages(engine, roots, now=data_date(roots)).revision
        assert revision is not None
        requests = {k: v.format(revision=revision.id) for k, v in EXAMPLE_REQUESTS.items()}
        app = create_app(settings, engine)
        document = generate(app, seed_dir)
        examples = anyio.run(_fetch, app, [*requests.values(), *PROBLEM_REQUESTS.values()])
        engine.dispose()
    for path_item in document["paths"].values():
        for operation in path_item.values():
            responses = operation.get("responses", {})
            url = requests.get(operation.get("operationId", ""))
            if url is not None and "200" in responses:
                content = responses["200"]["content"]
                content[next(iter(content))]["example"] = examples[url]
            for status, url in PROBLEM_REQUESTS.items():
                content = responses.get(str(status), {}).get("content", {})
                if PROBLEM_MEDIA_TYPE in content:
                    content[PROBLEM_MEDIA_TYPE]["example"] = examples[url]
    return document


async def _fetch(app: Any, urls: list[str]) -> dict[str, Any]:
    import httpx  # only where the document is generated: not on the service's start-up path

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
        return {url: (await client.get(url)).json() for url in urls}


def disclosure_ids(seed_dir: Path) -> list[str]:
    """The disclosure ids the schema lists: the seed packages' folder names, sorted (a
    package's folder is named after its disclosure id; the loader checks that)."""
    return sorted(p.parent.name for p in seed_dir.glob("*/datapackage.json"))


def generate(app: Any, seed_dir: Path) -> dict[str, Any]:
    """The app's schema, finished for client generators: errors as problem+json, the
    vocabularies our own code checks as named enum components, optional query parameters
    without a null alternative (a query string cannot send null), and every non-JSON body
    a string of its real media type."""
    from fastapi.openapi.utils import get_openapi

    schema = problem_openapi(
        get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
    )
    named = {
        "DisclosureId": ("A disclosure id (a seed data package).", disclosure_ids(seed_dir)),
        "Measure": ("A measure id; see /v1/measures.", list(MEASURE_IDS)),
        "Grouping": (
            "One dimension, or two distinct ones joined by a comma (outer grouping first).",
            list(GROUPINGS),
        ),
        "OEmbedFormat": ("oEmbed answer formats (oEmbed 1.0, section 2.2).", list(OEMBED_FORMATS)),
        "CheckStatus": (
            "What a check's evaluation found.",
            ["holds", "holds_within_range", "gap", "contradiction"],
        ),
        "Theme": ("Colour scheme of a card or chart.", ["light", "dark"]),
    }
    components = schema["components"]["schemas"]
    components["OEmbed"] = OEmbed.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, (description, values) in named.items():
        components[name] = {
            "type": "string",
            "enum": values,
            "title": name,
            "description": description,
        }
    schema["components"]["schemas"] = dict(sorted(components.items()))
    for path_item in schema["paths"].values():
        for operation in path_item.values():
            for parameter in operation.get("parameters", []):
                parameter["schema"] = _without_null(parameter["schema"])
            for response in operation.get("responses", {}).values():
                for media_type, content in response.get("content", {}).items():
                    if "json" not in media_type:
                        content.setdefault("schema", {"type": "string"})
    return schema


def _without_null(schema: dict[str, Any]) -> dict[str, Any]:
    """`anyOf: [X, null]` as X, keeping the description and default."""
    options = schema.get("anyOf")
    if not options:
        return schema
    kept = [o for o in options if o != {"type": "null"}]
    if len(kept) != 1:
        return schema
    rest = {k: v for k, v in schema.items() if k not in ("anyOf", "title")}
    return {**kept[0], **rest}
