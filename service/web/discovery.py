"""How search engines and dataset catalogues find the data: schema.org `Dataset` JSON-LD for
the home and disclosure pages (Google Dataset Search reads it), `/sitemap.xml` listing every
page for people, and `/robots.txt` allowing them and naming the sitemap.

Every URL is absolute, from service.urls under the one base-URL rule, and every fact comes
from the disclosure as loaded: nothing here is typed in by hand.
"""

import json
from collections.abc import Iterable, Sequence
from typing import Any
from xml.sax.saxutils import escape

from fastapi import APIRouter, Request, Response
from markupsafe import Markup

from service import caching, forces, urls
from service.api.deps import SessionDep, StateDep
from service.api.reply import Reply
from service.citation import API_NAME
from service.reads.disclosures import list_disclosures
from service.reads.figures import figure_ids
from service.reads.measures import list_measures
from service.schemas import DisclosurePublic

router = APIRouter(include_in_schema=False)

SITEMAP = "/sitemap.xml"
ROBOTS = "/robots.txt"
XML_TYPE = "application/xml; charset=utf-8"
TEXT_TYPE = "text/plain; charset=utf-8"

#: What each download of a disclosure is, for a catalogue: (name, format, media type).
DISTRIBUTIONS = (
    ("Figures (CSV)", "csv", "text/csv"),
    ("Figures (JSON)", "json", "application/json"),
    ("Data package with README and licence (zip)", "zip", "application/zip"),
)


def distribution_url(disclosure_id: str, fmt: str) -> str:
    """A download of a disclosure's figures, whole: CSV, JSON or the data package zip."""
    if fmt == "zip":
        return urls.package(disclosure_id)
    query = {"disclosure": disclosure_id, **({"format": "csv"} if fmt == "csv" else {})}
    return urls.with_query(urls.api("figures"), query)


def temporal_coverage(d: DisclosurePublic) -> str | None:
    """The period as an ISO 8601 interval; an end the answer does not date is open ("..");
    None when the answer dates neither end (a catalogue then shows no period, not a guess)."""
    if d.period_start is None and d.period_end is None:
        return None
    return f"{d.period_start or '..'}/{d.period_end or '..'}"


def dataset(d: DisclosurePublic, base: str) -> dict[str, Any]:
    """One disclosure as a schema.org Dataset: the Met's answer (its creator), compiled and
    published by this service under the package's licence."""
    page = urls.absolute(base, urls.disclosure_page(d.id))
    found: dict[str, Any] = {
        "@type": "Dataset",
        "@id": page,
        "name": d.title,
        "description": f"{d.counts} Period: {d.period_description}. {d.request_subject}",
        "url": page,
        "identifier": d.id,
        "version": d.version,
        "dateModified": d.last_updated,
        "license": d.licence.url,
        "isAccessibleForFree": True,
        "creator": {"@type": "Organization", "name": d.force},
        "publisher": {"@type": "Organization", "name": API_NAME, "url": f"{base}/"},
        "temporalCoverage": temporal_coverage(d),
        "distribution": [
            {
                "@type": "DataDownload",
                "name": name,
                "encodingFormat": media_type,
                "contentUrl": urls.absolute(base, distribution_url(d.id, fmt)),
            }
            for name, fmt, media_type in DISTRIBUTIONS
        ],
    }
    return {k: v for k, v in found.items() if v is not None}


def json_ld(node: dict[str, Any]) -> Markup:
    """`node` as the body of a <script type="application/ld+json">: "<" escaped, so no text
    in the data can close the element."""
    text = json.dumps({"@context": "https://schema.org", **node}, ensure_ascii=False, indent=1)
    return Markup(text.replace("<", "\\u003c"))


def disclosure_json_ld(d: DisclosurePublic, base: str) -> Markup:
    return json_ld(dataset(d, base))


def home_json_ld(disclosures: Sequence[DisclosurePublic], base: str) -> Markup:
    """The home page: the catalogue of every disclosure, each a Dataset in full."""
    return json_ld(
        {
            "@type": "DataCatalog",
            "name": API_NAME,
            "url": f"{base}/",
            "dataset": [dataset(d, base) for d in disclosures],
        }
    )


# ---------------------------------------------------------------- sitemap and robots


def sitemap(entries: Iterable[tuple[str, str]]) -> bytes:
    """A sitemaps.org 0.9 urlset of (absolute URL, last modified date or "")."""
    items = "".join(
        f"<url><loc>{escape(loc)}</loc>"
        + (f"<lastmod>{escape(modified)}</lastmod>" if modified else "")
        + "</url>\n"
        for loc, modified in entries
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"{items}</urlset>\n"
    ).encode()


def _reply(request: Request, session: SessionDep, state: StateDep) -> Reply:
    base = urls.base_url(request.scope, state.settings.public_base_url)
    return Reply(request, session, state, caching.asked_of(request.url.path, "", base))


@router.get(SITEMAP)
def get_sitemap(request: Request, session: SessionDep, state: StateDep) -> Response:
    """Every page for people: the home page, the comparison of each measure, the lists and
    each disclosure, each figure and each force."""
    reply = _reply(request, session, state)

    def build() -> bytes:
        base = reply.base
        disclosures = {d.id: d for d in list_disclosures(session)}
        newest = max((d.last_updated for d in disclosures.values()), default="")
        entries = [(f"{base}/", newest), (urls.absolute(base, urls.COMPARE), "")]
        entries += [
            (urls.absolute(base, urls.compare_page(m.id)), "") for m in list_measures(session, None)
        ]
        entries.append((urls.absolute(base, urls.DISCLOSURES_PAGE), newest))
        for d in disclosures.values():
            entries.append((urls.absolute(base, urls.disclosure_page(d.id)), d.last_updated))
        entries.append((urls.absolute(base, urls.FIGURES_PAGE), newest))
        entries += [
            (urls.absolute(base, urls.figure_page(figure)), disclosures[disclosure].last_updated)
            for figure, disclosure in figure_ids(session)
        ]
        entries.append((urls.absolute(base, urls.FORCES_PAGE), newest))
        entries += [(urls.absolute(base, urls.force_page(f)), "") for f in forces.IDS]
        return sitemap(entries)

    return reply.raw(build, XML_TYPE)


@router.get(ROBOTS)
def get_robots(request: Request, session: SessionDep, state: StateDep) -> Response:
    """Every page may be crawled; the sitemap lists them."""
    reply = _reply(request, session, state)
    text = f"User-agent: *\nAllow: /\n\nSitemap: {urls.absolute(reply.base, SITEMAP)}\n"
    return reply.raw(text.encode, TEXT_TYPE)
