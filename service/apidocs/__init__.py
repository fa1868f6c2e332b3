"""The API documentation at /docs: Swagger UI served from the service itself.

Swagger UI's files come from the fastapi-offline package (its static/ folder), our page and
its start-up script are files beside this module; nothing is loaded from another host, and
the page's policy allows scripts, styles, images and fetches from 'self' only.
"""

import functools
from html import escape
from importlib import resources
from string import Template

from fastapi import APIRouter, Request, Response

from service.errors import NotFound

DOCS_PATH = "/docs"
ASSETS_PATH = f"{DOCS_PATH}/assets"
#: Swagger UI's stylesheet draws its icons as data: images; everything else is same-origin.
DOCS_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
HTML_TYPE = "text/html; charset=utf-8"
#: name -> (package, folder in it, media type)
ASSETS: dict[str, tuple[str, str, str]] = {
    "swagger-ui-bundle.js": ("fastapi_offline", "static", "text/javascript; charset=utf-8"),
    "swagger-ui.css": ("fastapi_offline", "static", "text/css; charset=utf-8"),
    "favicon.png": ("fastapi_offline", "static", "image/png"),
    "swagger-init.js": ("service.apidocs", ".", "text/javascript; charset=utf-8"),
}
#: The asset URLs carry no version, so browsers keep them for an hour, not forever.
ASSET_CACHE = "public, max-age=3600"

router = APIRouter(include_in_schema=False)


@functools.cache
def asset_bytes(name: str) -> bytes:
    package, folder, _ = ASSETS[name]
    return resources.files(package).joinpath(folder, name).read_bytes()


@functools.cache
def _template() -> Template:
    page = resources.files("service.apidocs").joinpath("swagger.html")
    return Template(page.read_text(encoding="utf-8"))


def docs_page(title: str, root_path: str) -> bytes:
    """The page; `root_path` is the prefix the service is mounted under, if any."""
    return (
        _template()
        .substitute(
            title=title,
            assets=f"{root_path}{ASSETS_PATH}",
            openapi_url=f"{root_path}/openapi.json",
        )
        .encode()
    )


@router.get(DOCS_PATH)
def swagger_ui(request: Request) -> Response:
    title = escape(f"{request.app.title} - Swagger UI")
    return Response(
        docs_page(title, request.scope.get("root_path", "")),
        media_type=HTML_TYPE,
        headers={"content-security-policy": DOCS_CSP},
    )


@router.get(f"{ASSETS_PATH}/{{name}}")
def swagger_asset(name: str) -> Response:
    if name not in ASSETS:
        raise NotFound("documentation asset", name)
    return Response(
        asset_bytes(name),
        media_type=ASSETS[name][2],
        headers={"cache-control": ASSET_CACHE},
    )
