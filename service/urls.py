"""Every URL the service prints, built here and nowhere else (as Datasette's url_builder).

Paths are root-relative; `absolute` puts them under the base URL, and `pinned` pins one to
the dataset revision it quotes. The one base-URL rule (`base_url`): APP_PUBLIC_BASE_URL when
set, else the request's own scheme and Host, which is safe because AllowedHosts has already
refused foreign hosts. So a citation pasted into an article always leads somewhere.
"""

import functools
from collections.abc import Iterable, Mapping
from urllib.parse import quote, urlencode

from starlette.requests import Request
from starlette.types import Scope

API = "/v1"
#: What every path of the API starts with.
API_PREFIX = f"{API}/"
CHANGES_ATOM = "/v1/changes.atom"
CHANGES_JSON = "/v1/changes.json"
#: Every check's total and parts, a row each (service/reads/check_terms.py).
CHECK_TERMS = "/v1/checks/terms"
EMBED_SCRIPT = "/v1/embed.js"
OEMBED = "/oembed"


def _segment(text: str) -> str:
    return quote(text, safe="")


def with_query(path: str, params: Mapping[str, str] | Iterable[tuple[str, str]]) -> str:
    """`path` with `params` as its query string, in the order given; no `?` when empty."""
    query = urlencode(list(params.items()) if isinstance(params, Mapping) else list(params))
    return f"{path}?{query}" if query else path


def pinned(url: str, revision: str) -> str:
    """`url` pinned to `revision` (unchanged when there is none): it keeps answering what
    was cited after a correction."""
    if not revision:
        return url
    return f"{url}{'&' if '?' in url else '?'}revision={revision}"


def absolute(base: str, path: str, revision: str = "") -> str:
    return pinned(f"{base}{path}", revision)


# ---------------------------------------------------------------- the API


def api(resource: str) -> str:
    """A collection of the API: `api("figures")` is /v1/figures."""
    return f"{API}/{resource}"


def figure(figure_id: str) -> str:
    return f"{API}/figures/{_segment(figure_id)}"


def figure_history(figure_id: str) -> str:
    return f"{figure(figure_id)}/history"


def disclosure(disclosure_id: str) -> str:
    return f"{API}/disclosures/{_segment(disclosure_id)}"


def force(force_id: str) -> str:
    return f"{API}/forces/{_segment(force_id)}"


def package(disclosure_id: str) -> str:
    """A disclosure's data package (zip with README and licence)."""
    return f"{disclosure(disclosure_id)}/datapackage.zip"


#: The revisions list; one revision is REVISIONS/{id} (revision()).
REVISIONS = f"{API}/revisions"


def revision(revision_id: str) -> str:
    return f"{REVISIONS}/{_segment(revision_id)}"


def csvw(table: str) -> str:
    """The CSVW metadata of a CSV table (service.api.csvw.TABLES names them)."""
    return f"{API}/csvw/{_segment(table)}"


# ---------------------------------------------------------------- pages for people


def figure_page(figure_id: str) -> str:
    return f"/figures/{_segment(figure_id)}"


def disclosure_page(disclosure_id: str) -> str:
    return f"/disclosures/{_segment(disclosure_id)}"


FORCES_PAGE = "/forces"


def force_page(force_id: str) -> str:
    return f"{FORCES_PAGE}/{_segment(force_id)}"


#: The lists and the search for people (service/web/lists.py).
FIGURES_PAGE = "/figures"
DISCLOSURES_PAGE = "/disclosures"
SEARCH_PAGE = "/search"
COMPARE = "/compare"


def compare_page(measure: str) -> str:
    """The comparison page opened on one measure."""
    return with_query(COMPARE, {"measure": measure})


# ---------------------------------------------------------------- embeds


def embed_figure(figure_id: str) -> str:
    return f"{API}/embed/figures/{_segment(figure_id)}"


def embed_figure_svg(figure_id: str) -> str:
    return f"{embed_figure(figure_id)}.svg"


def embed_chart(query: str) -> str:
    """The aggregate chart as SVG; `query` is its normalised query string."""
    return f"{API}/embed/aggregates.svg?{query}"


def oembed(base: str, target: str, fmt: str = "") -> str:
    """The oEmbed endpoint's answer for page or embed `target`, absolute under `base`."""
    params = {"url": target, **({"format": fmt} if fmt else {})}
    return f"{base}{with_query(OEMBED, params)}"


# ---------------------------------------------------------------- the base URL


def base_url(scope: Scope, public_base_url: str | None) -> str:
    """Where every absolute URL of an answer starts: the configured public URL, else the
    request's scheme and Host (AllowedHosts has vetted the Host)."""
    if public_base_url:
        return public_base_url
    host = next((v for k, v in scope["headers"] if k == b"host"), None)
    server = scope.get("server")
    root_path = scope.get("app_root_path", scope.get("root_path", ""))
    return _base_url(scope["scheme"], host, None if server is None else tuple(server), root_path)


@functools.lru_cache(maxsize=256)
def _base_url(
    scheme: str, host: bytes | None, server: tuple[str, int] | None, root_path: str
) -> str:
    """Starlette's Request.base_url, without the slash, memoised: the fast path asks it of
    every request, and a service answers to a few hosts."""
    scope: Scope = {
        "type": "http",
        "scheme": scheme,
        "server": server,
        "root_path": root_path,
        "path": "/",
        "query_string": b"",
        "headers": [] if host is None else [(b"host", host)],
    }
    return str(Request(scope).base_url).rstrip("/")
