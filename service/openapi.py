"""The committed OpenAPI document: the app's schema plus response examples produced by
calling the app on a fresh database seeded from seed/."""

import tempfile
from pathlib import Path
from typing import Any

import anyio
import httpx

from service.config import Settings, get_settings
from service.errors import PROBLEM_MEDIA_TYPE

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
    from service.seed.load import find_packages, load_packages

    seed_dir = get_settings().seed_dir
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(
            database_url=f"sqlite:///{Path(folder) / 'openapi.db'}",
            revision_check_seconds=0,
            seed_dir=seed_dir,
        )
        migrate(settings.database_url)
        engine = build_engine(settings)
        load_packages(engine, find_packages(seed_dir))
        app = create_app(settings, engine)
        document = app.openapi()
        examples = anyio.run(_fetch, app, [*EXAMPLE_REQUESTS.values(), *PROBLEM_REQUESTS.values()])
        engine.dispose()
    for path_item in document["paths"].values():
        for operation in path_item.values():
            responses = operation.get("responses", {})
            url = EXAMPLE_REQUESTS.get(operation.get("operationId", ""))
            if url is not None and "200" in responses:
                responses["200"]["content"]["application/json"]["example"] = examples[url]
            for status, url in PROBLEM_REQUESTS.items():
                content = responses.get(str(status), {}).get("content", {})
                if PROBLEM_MEDIA_TYPE in content:
                    content[PROBLEM_MEDIA_TYPE]["example"] = examples[url]
    return document


async def _fetch(app: Any, urls: list[str]) -> dict[str, Any]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
        return {url: (await client.get(url)).json() for url in urls}
