"""Pages for people: the home page, a page per disclosure and per figure, and a comparison.

Server-rendered HTML from Jinja2 templates (autoescaped), with one stylesheet and one small
script served by the service itself, under a strict CSP. Every count's words come from the
public models (`reading`, `citation`, `cite`) and service.reading; nothing is re-worded here.
Pages are cached per revision like the API (ETag, 304, Cache-Control), keyed by the
parameters they understand, so an unknown parameter cannot grow the cache.
"""

import functools
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Request, Response
from sqlmodel import Session, select

from service import caching, history, reading, revisions, urls
from service.api.deps import SessionDep, StateDep
from service.api.reply import Reply
from service.citation import answer_name, bibtex
from service.embed.card import Card, card_height, card_iframe, esc
from service.errors import NotFound, Problem
from service.reads.aggregates import aggregate
from service.reads.checks import evaluate_checks
from service.reads.common import Filters
from service.reads.disclosures import cite_disclosure, get_disclosure, list_disclosures
from service.reads.figures import every_figure, get_figure
from service.reads.measures import list_measures, measure_ids
from service.reads.series import series
from service.schemas import (
    AggregateRow,
    CheckPublic,
    DisclosurePublic,
    FigurePublic,
    MeasurePublic,
    SeriesGroup,
    SeriesPoint,
)
from service.state import AppState
from service.tables import Revision
from service.taxonomy import CODES, DIMENSION_LABELS, DIMENSIONS, KINDS, LABELS
from service.web import discovery

if TYPE_CHECKING:
    import jinja2

HERE = Path(__file__).parent
STATIC_DIR = HERE / "static"
HTML_TYPE = "text/html; charset=utf-8"
#: Everything a page loads comes from the service; the card preview is a same-origin frame.
PAGE_CSP = (
    "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-src 'self'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
PAGE_HEADERS = (("content-security-policy", PAGE_CSP),)
#: Columns the figure table sorts by; a leading "-" sorts descending.
SORTS = ("label", "measure", "count", "period")
#: A check's status as a heading; its explanation (service.checks) says the rest.
CHECK_STATUS = {
    "holds": "Adds up",
    "holds_within_range": "Adds up within the ranges",
    "gap": "Gap: the parts fall short of the total",
    "contradiction": "Contradiction",
}


@functools.cache
def environment() -> "jinja2.Environment":
    """The templates, loaded on the first page built: Jinja2 is not on the start-up path."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=jinja2.select_autoescape(["html"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # The words every surface uses for a number we derived (service.reading).
    env.globals["derived_sentence"] = reading.sentence(reading.DERIVED)
    env.globals["derived_words"] = reading.DERIVED
    env.globals["derived_short"] = reading.DERIVED_SHORT
    env.globals["answer_name"] = answer_name
    return env


router = APIRouter(include_in_schema=False)


class PageError(Exception):
    """A page that cannot be shown: rendered as a friendly HTML page with this status."""

    def __init__(
        self, status: int, title: str, detail: str, problem: Problem | None = None
    ) -> None:
        super().__init__(detail)
        self.status, self.title, self.detail = status, title, detail
        #: What a client that asked for JSON gets instead (problem+json, as under /v1).
        self.problem = problem

    @classmethod
    def unknown(cls, kind: str, identifier: str) -> "PageError":
        return cls(
            404,
            f"No {kind} called “{identifier}”",
            "It may have been renamed, or the link may be mistyped.",
            NotFound(kind, identifier),
        )


# ---------------------------------------------------------------- what a page shows


def marks(figure: FigurePublic | SeriesPoint | AggregateRow) -> list[str]:
    """Short tags beside a count, so a range, a dispute or words are never read as a number."""
    found = []
    if not reading.has_number(figure.value, figure.min, figure.max):
        found.append("words only, no number")
    elif figure.value is None:
        found.append("range")
    if figure.disputed:
        found.append("sources disagree")
    if figure.derived:
        found.append(reading.DERIVED_SHORT)
    return found


def dimension_words(figure: FigurePublic | SeriesPoint) -> list[str]:
    out = []
    for dim in DIMENSIONS:
        value = getattr(figure, dim)
        if value is not None:
            out.append(str(value) if dim == "year" else LABELS[dim].get(value, value))
    return out


def chart_alt(
    session: Session,
    disclosure: str,
    by: str,
    base: str,
    measure: str | None = None,
    filters: Filters | None = None,
) -> str:
    """The text alternative of a chart: its measure and every row's label and reading."""
    dims = by.split(",") if by else []
    agg = aggregate(session, disclosure, dims, measure, dict(filters or {}), base)
    rows = "; ".join(f"{row.label}: {row.reading}" for row in agg.rows)
    total = f" Stated total: {agg.total.label}: {agg.total.reading}." if agg.total else ""
    grouping = " by " + by.replace(",", " and ").replace("_", " ") if by else " of one figure"
    return f"Bar chart{grouping}: {rows}.{total}"


@dataclass(frozen=True)
class Chart:
    src: str
    alt: str
    by: str


#: The dimension an undeclared chart is drawn by, first choice first: a kind, then the year,
#: then the staff type.
CHART_BY = (*KINDS, "year", "staff_type")


def undeclared_charts(
    session: Session, disclosure: str, base: str, every: Sequence[FigurePublic]
) -> list[Chart]:
    """Charts for an answer whose package declares none, so that every answer with figures
    broken down by anything can be charted: each measure by the dimension its figures vary
    in (else the first it has), with the dimensions all its figures share as filters.
    `every` is every figure of the disclosure, as the page read them."""
    found = []
    for measure in measure_ids(session, disclosure):
        figures = [f for f in every if f.measure == measure]
        by, shared = chart_dimensions(figures)
        if by is not None:
            filters = {d: v for d, v in shared.items() if d != by}
            found.append(measure_chart(session, disclosure, measure, by, filters, base))
        elif any(all(getattr(f, d) is None for d in DIMENSIONS) for f in figures):
            # Broken down by nothing (the Daily Mail's 277): the figure is charted alone.
            found.append(measure_chart(session, disclosure, measure, "", {}, base))
    return found


def chart_dimensions(figures: Sequence[FigurePublic]) -> tuple[str | None, dict[str, Any]]:
    """The dimension to chart one measure's figures by (the first in CHART_BY they vary in,
    else the first they all share; None when they share none), and the value of each
    dimension they all share."""
    values = {d: {getattr(f, d) for f in figures} for d in DIMENSIONS}
    shared = {d: next(iter(v)) for d, v in values.items() if len(v) == 1 and None not in v}
    varying = [d for d in CHART_BY if len(values[d]) > 1 and None not in values[d]]
    by = varying[0] if varying else next((d for d in CHART_BY if d in shared), None)
    return by, shared


def measure_chart(
    session: Session, disclosure: str, measure: str, by: str, filters: dict[str, Any], base: str
) -> Chart:
    """The chart of one measure of a disclosure by `by` ("" for its figure alone), filtered
    to `filters`."""
    params = {"disclosure": disclosure, **({"by": by} if by else {}), "measure": measure}
    return Chart(
        urls.embed_chart(urlencode({**params, **filters})),
        chart_alt(session, disclosure, by, base, measure, filters),
        by,
    )


def charts(
    session: Session,
    disclosure: str,
    groupings: Iterable[str],
    base: str,
    every: Sequence[FigurePublic],
) -> list[Chart]:
    declared = [
        Chart(
            urls.embed_chart(urlencode({"disclosure": disclosure, "by": by})),
            chart_alt(session, disclosure, by, base),
            by,
        )
        for by in groupings
    ]
    return declared or undeclared_charts(session, disclosure, base, every)


@dataclass(frozen=True)
class FigureChart:
    """A figure among its siblings: the chart, the same rows as a table, and their CSV."""

    chart: Chart
    rows: list[AggregateRow]
    total: AggregateRow | None
    csv: str


def figure_chart(session: Session, figure: FigurePublic, base: str) -> FigureChart | None:
    """The chart a figure stands in: its measure in its disclosure, by the first dimension it
    is broken down by (in CHART_BY order), filtered to its other dimensions. None for a
    figure broken down by nothing (its number is the picture)."""
    dims = [d for d in CHART_BY if getattr(figure, d) is not None]
    if not dims:
        return None
    by, filters = dims[0], {d: getattr(figure, d) for d in dims[1:]}
    try:
        agg = aggregate(session, figure.disclosure, [by], figure.measure, filters, base)
    except Problem:  # a grouping the disclosure cannot give: the number alone
        return None
    params = {"disclosure": figure.disclosure, "by": by, "measure": figure.measure}
    params.update({d: str(v) for d, v in filters.items()})
    return FigureChart(
        Chart(
            urls.embed_chart(urlencode(params)),
            chart_alt(session, figure.disclosure, by, base, figure.measure, filters),
            by,
        ),
        agg.rows,
        agg.total,
        urls.with_query(urls.api("aggregates"), {**params, "format": "csv"}),
    )


def newest_first(disclosures: Sequence[DisclosurePublic]) -> list[DisclosurePublic]:
    """By the date the answer was given (else first reported, else the period's end)."""

    def when(d: DisclosurePublic) -> str:
        return d.answer_date or d.first_coverage or d.period_end or ""

    return sorted(disclosures, key=lambda d: (when(d), d.id), reverse=True)


def revision_words(revision: Revision | None, titles: dict[str, str]) -> list[str]:
    """What a revision changed, one plain sentence per package it added or changed."""
    if revision is None:
        return []
    out = []
    for package in revision.packages:
        title = titles.get(package["disclosure"], package["disclosure"])
        notes = [n for n in package.get("notes", []) if n != revisions.NO_NOTE]
        verb = "Added" if package.get("change") == "added" else "Updated"
        said = " ".join(notes) if notes else "Its package says nothing about what changed."
        out.append(f"{verb}: {title}. {said}")
    return out


def headline_figures(figures: Sequence[FigurePublic]) -> list[FigurePublic]:
    """A disclosure's totals: figures broken down by nothing but staff type."""
    return [
        f for f in figures if all(getattr(f, d) is None for d in DIMENSIONS if d != "staff_type")
    ]


def downloads(disclosure: str) -> list[tuple[str, str]]:
    figures = urls.api("figures")
    chosen = {"disclosure": disclosure, "limit": "500"}
    return [
        ("Figures (CSV)", urls.with_query(figures, {**chosen, "format": "csv"})),
        ("Figures (JSON)", urls.with_query(figures, chosen)),
        ("Disclosure with sources and notes (JSON)", urls.disclosure(disclosure)),
        ("Checks (JSON)", urls.with_query(urls.api("checks"), {"disclosure": disclosure})),
        (
            "Cases (CSV)",
            urls.with_query(urls.api("cases"), {**chosen, "format": "csv"}),
        ),
        ("Data package with README and licence (zip)", urls.package(disclosure)),
    ]


# ---------------------------------------------------------------- facets and sorting


def read_facets(request: Request, present: Sequence[FigurePublic]) -> dict[str, str]:
    """The dimension filters a disclosure page was asked for, checked against the codes."""
    chosen: dict[str, str] = {}
    for dim in DIMENSIONS:
        value = request.query_params.get(dim)
        if value is None or value == "":
            continue
        known = {str(getattr(f, dim)) for f in present if getattr(f, dim) is not None}
        if value not in known and value not in CODES.get(dim, ()):
            raise PageError(400, "Unknown filter value", f"No {dim} is called “{value}”.")
        chosen[dim] = value
    return chosen


def facets(
    figures: Sequence[FigurePublic], chosen: dict[str, str], sort: str
) -> list[dict[str, Any]]:
    """Each dimension the figures use, with each value's count and the link that toggles it."""
    out = []
    for dim in DIMENSIONS:
        counts: dict[str, int] = {}
        for f in figures:
            value = getattr(f, dim)
            if value is not None:
                counts[str(value)] = counts.get(str(value), 0) + 1
        if not counts:
            continue
        values = []
        for value, count in sorted(counts.items()):
            params = {**chosen}
            selected = params.get(dim) == value
            if selected:
                del params[dim]
            else:
                params[dim] = value
            label = value if dim == "year" else LABELS[dim].get(value, value)
            values.append(
                {
                    "label": label,
                    "count": count,
                    "selected": selected,
                    "href": "?" + urlencode({**params, **({"sort": sort} if sort else {})}),
                }
            )
        out.append({"name": DIMENSION_LABELS[dim], "options": values})
    return out


def chosen_filters(chosen: dict[str, str], sort: str) -> list[tuple[str, str, str]]:
    """Each filter in force: its dimension, its value's label and the link that removes it."""
    kept = {"sort": sort} if sort else {}
    return [
        (
            DIMENSION_LABELS[dim],
            value if dim == "year" else LABELS[dim].get(value, value),
            "?" + urlencode({**{k: v for k, v in chosen.items() if k != dim}, **kept}),
        )
        for dim, value in chosen.items()
    ]


def read_sort(request: Request) -> str:
    sort = request.query_params.get("sort") or ""
    if sort and sort.lstrip("-") not in SORTS:
        raise PageError(400, "Unknown sort", f"The table cannot be sorted by “{sort}”.")
    return sort


def sorted_figures(figures: list[FigurePublic], sort: str) -> list[FigurePublic]:
    if not sort:
        return figures
    field = sort.lstrip("-")

    def key(f: FigurePublic) -> Any:
        if field == "count":
            low = reading.Interval.of(f.value, f.min, f.max)
            return (not reading.has_number(f.value, f.min, f.max), low.low, low.high or 0)
        return (getattr(f, field) or "").lower()

    return sorted(figures, key=key, reverse=sort.startswith("-"))


def sort_links(chosen: dict[str, str], sort: str) -> dict[str, str]:
    """For each sortable column, the link that sorts by it (again: the other way round)."""
    return {
        field: "?" + urlencode({**chosen, "sort": f"-{field}" if sort == field else field})
        for field in SORTS
    }


# ---------------------------------------------------------------- the cache and the answer


def base_url(request: Request, state: AppState) -> str:
    """Where the page's absolute URLs start (service.urls.base_url)."""
    return urls.base_url(request.scope, state.settings.public_base_url)


def wants_json(request: Request) -> bool:
    accept = request.headers.get("accept", "").lower()
    return "json" in accept and "text/html" not in accept


def render(template: str, **context: Any) -> bytes:
    return environment().get_template(template).render(**context).encode()


def error_page(request: Request, error: PageError) -> Response:
    body = render(
        "error.html",
        title=error.title,
        detail=error.detail,
        status=error.status,
        path=request.url.path,
    )
    return Response(
        body,
        status_code=error.status,
        media_type=HTML_TYPE,
        headers={"content-security-policy": PAGE_CSP, "cache-control": "no-store"},
    )


def refusal(request: Request, error: PageError) -> Response:
    """A page that cannot be shown: problem+json to a client that asked for JSON, else a
    page for people with the same status."""
    if error.problem is not None and wants_json(request):
        raise error.problem from None
    return error_page(request, error)


def page(
    request: Request,
    session: Session,
    state: AppState,
    build: Callable[[], bytes],
    params: dict[str, str] | None = None,
) -> Response:
    """A page built once per revision and (path, understood parameters, base URL), then
    served from the response cache with the API's ETag and Cache-Control: by the fast path
    in front of the app (service.middleware.FastPath), which finds it by the request's own
    parameters."""
    params = dict(params or {})
    if revisions.is_pinned(session):
        params["revision"] = request.query_params["revision"]
    path, base = request.url.path, base_url(request, state)
    reply = Reply(request, session, state, caching.asked_of(path, urlencode(params), base))
    try:
        response = reply.raw(build, HTML_TYPE, PAGE_HEADERS)
    except PageError as error:
        return refusal(request, error)
    # Asked with fewer parameters than understood (defaults left out, as a plain link to the
    # page does): keep it under the request's own parameters too, so the fast path finds it.
    # Only understood parameters with the values used: an unknown one never adds an entry.
    asked = parse_qsl(request.url.query, keep_blank_values=True)
    if len({k for k, _ in asked}) == len(asked) and all(params.get(k) == v for k, v in asked):
        reply.also_under(caching.asked_of(path, request.url.query, base))
    return response


# ---------------------------------------------------------------- routes


@router.get("/")
def home(request: Request, session: SessionDep, state: StateDep) -> Response:
    base = base_url(request, state)

    def build() -> bytes:
        disclosures = []
        listed = newest_first(list_disclosures(session))
        flagship = state.settings.flagship_disclosure
        # The flagship answer is what people come for: it leads; the rest, newest first.
        listed.sort(key=lambda d: d.id != flagship)
        for d in listed:
            detail = get_disclosure(session, d.id)
            groupings = [a.by for a in detail.aggregates if a.by == "outcome"] or [
                a.by for a in detail.aggregates[:1]
            ]
            every = every_figure(session, disclosure=d.id, base_url=base)
            disclosures.append(
                {
                    "d": d,
                    "headlines": headline_figures(every),
                    "charts": charts(session, d.id, groupings, base, every),
                    "downloads": [*downloads(d.id)[:2], downloads(d.id)[-1]],
                }
            )
        revision = session.exec(
            select(Revision).where(Revision.id == revisions.read_id(session))
        ).first()
        titles = {d.id: d.title for d in listed}
        return render(
            "home.html",
            disclosures=disclosures,
            json_ld=discovery.home_json_ld(listed, base),
            revision=revision,
            changes=revision_words(revision, titles),
            pinned=revisions.is_pinned(session),
            marks=marks,
        )

    return page(request, session, state, build)


def _disclosure_context(
    request: Request, session: Session, base: str, disclosure_id: str
) -> dict[str, Any]:
    try:
        detail = get_disclosure(session, disclosure_id)
    except NotFound:
        raise PageError.unknown("disclosure", disclosure_id) from None
    figures = every_figure(session, disclosure=disclosure_id, base_url=base)
    chosen = read_facets(request, figures)
    sort = read_sort(request)
    shown = [f for f in figures if all(str(getattr(f, k)) == v for k, v in chosen.items())]
    checks: list[CheckPublic] = evaluate_checks(session, disclosure_id)
    return {
        "d": detail,
        "figures": sorted_figures(shown, sort),
        "total": len(figures),
        "facets": facets(shown, chosen, sort),
        "chosen": chosen_filters(chosen, sort),
        "sort": sort,
        "sort_links": sort_links(chosen, sort),
        "charts": charts(session, disclosure_id, [a.by for a in detail.aggregates], base, figures),
        "checks": checks,
        "check_status": CHECK_STATUS,
        "downloads": downloads(disclosure_id),
        "citation": cite_disclosure(session, disclosure_id, base),
        "json_ld": discovery.disclosure_json_ld(detail, base),
        "marks": marks,
        "dimension_words": dimension_words,
    }


@router.get("/disclosures/{disclosure_id}")
def disclosure_page(
    request: Request, session: SessionDep, state: StateDep, disclosure_id: str
) -> Response:
    base = base_url(request, state)
    params = {k: v for k, v in request.query_params.items() if k in (*DIMENSIONS, "sort")}
    return page(
        request,
        session,
        state,
        lambda: render(
            "disclosure.html", **_disclosure_context(request, session, base, disclosure_id)
        ),
        params,
    )


#: The embed builder's choices, the first of each the default (a pinned page pins).
EMBED_KINDS = {
    "iframe": "Card (iframe)",
    "script": "Number in your sentence (embed.js)",
    "svg": "Image (SVG)",
    "oembed": "oEmbed URL (for a CMS)",
}
EMBED_THEMES = ("light", "dark")
EMBED_VERSIONS = ("live", "pinned")


@dataclass(frozen=True)
class Snippet:
    """One embed the builder offers: a form, a theme, live or pinned."""

    kind: str
    theme: str
    version: str
    text: str
    #: What the preview shows: a card's address (iframe), an image's, or "" for the text.
    preview: str
    height: int

    @property
    def key(self) -> str:
        return f"{self.kind}-{self.theme}-{self.version}"

    @property
    def label(self) -> str:
        version = "pinned" if self.version == "pinned" else "live"
        return f"{EMBED_KINDS[self.kind]}, {self.theme}, {version}"


def embed_snippets(card: Card, live: Card, base: str) -> list[Snippet]:
    """Every embed a publisher may paste, by form, theme and version: `card` is the figure
    pinned to the revision the page shows, `live` the figure as it is now."""
    f = card.figure
    out = []
    for version, shown in (("live", live), ("pinned", card)):
        pin = card.revision if version == "pinned" else ""
        page_url = urls.absolute(base, urls.figure_page(f.id), pin)
        for theme in EMBED_THEMES:
            query = {"theme": theme}
            card_url = urls.pinned(urls.with_query(base + urls.embed_figure(f.id), query), pin)
            svg_url = urls.pinned(urls.with_query(base + urls.embed_figure_svg(f.id), query), pin)
            height = card_height(shown)
            revision = f' data-revision="{card.revision}"' if pin else ""
            texts = {
                "iframe": (card_iframe(card_url, f.label, 480, height), card_url),
                "script": (
                    f'<span data-figure="{esc(f.id)}"{revision}>{esc(shown.figure.reading)}'
                    f'</span>\n<script src="{base}{urls.EMBED_SCRIPT}" async></script>',
                    "",
                ),
                "svg": (
                    f'<img src="{esc(svg_url)}" alt="{esc(f.label)}: {esc(shown.figure.reading)}">',
                    svg_url,
                ),
                "oembed": (urls.oembed(base, page_url), card_url),
            }
            for kind, (text, preview) in texts.items():
                out.append(Snippet(kind, theme, version, text, preview, height))
    return out


def builder_choice(request: Request, pinned: bool) -> dict[str, str]:
    """The builder's form, theme and version as asked (unknown values: the defaults)."""
    asked = request.query_params
    kind = asked.get("embed", "")
    theme = asked.get("theme", "")
    version = asked.get("version", "")
    return {
        "embed": kind if kind in EMBED_KINDS else "iframe",
        "theme": theme if theme in EMBED_THEMES else "light",
        "version": version if version in EMBED_VERSIONS else ("pinned" if pinned else "live"),
    }


@router.get("/figures/{figure_id}")
def figure_page(request: Request, session: SessionDep, state: StateDep, figure_id: str) -> Response:
    base = base_url(request, state)
    pinned = revisions.is_pinned(session)
    choice = builder_choice(request, pinned)

    def build() -> bytes:
        try:
            figure = get_figure(session, figure_id, base)
        except NotFound:
            raise PageError.unknown("figure", figure_id) from None
        detail = get_disclosure(session, figure.disclosure)
        revision = revisions.read_id(session)
        now: FigurePublic | None = figure
        if pinned:
            with revisions.reading_newest(session):
                try:
                    now = get_figure(session, figure_id, base)
                except NotFound:
                    now = None
        card = Card(figure, detail, revision, pinned=True, now=now)
        live = Card(now or figure, detail, revision)
        sources = {s.id: s for s in detail.sources}
        csl, csl_short = (
            [item.model_dump(mode="json", by_alias=True) for item in items]
            for items in (figure.cite, figure.cite_short_csl)
        )
        return render(
            "figure.html",
            f=figure,
            d=detail,
            revision=revision,
            published=session_revision(session),
            pinned=pinned,
            card=card,
            words=reading.words(figure.value, figure.min, figure.max, figure.qualifier),
            sources=sources,
            printed_kinds=reading.PRINTED_KINDS,
            checks=evaluate_checks(session, figure.disclosure, [figure.id]),
            check_status=CHECK_STATUS,
            chart=figure_chart(session, figure, base),
            live_url=urls.absolute(base, urls.figure_page(figure.id)),
            bibtex=bibtex(figure.cite),
            bibtex_short=bibtex(figure.cite_short_csl),
            csl=json.dumps(csl, indent=2, ensure_ascii=False),
            csl_short=json.dumps(csl_short, indent=2, ensure_ascii=False),
            history=history.figure_history(session, figure.id),
            snippets=embed_snippets(card, live, base),
            choice=choice,
            kinds=EMBED_KINDS,
            themes=EMBED_THEMES,
            marks=marks,
            dimension_words=dimension_words,
        )

    return page(request, session, state, build, choice)


def session_revision(session: Session) -> str:
    """When the revision the session reads was published ("" before anything was)."""
    found = session.exec(
        select(Revision.published).where(Revision.id == revisions.read_id(session))
    ).first()
    return found or ""


def widest_measure(measures: Sequence[MeasurePublic]) -> MeasurePublic | None:
    """The measure the compare page opens on: the one most disclosures have."""
    return max(measures, key=lambda m: (len(m.disclosures), m.figure_count), default=None)


@router.get("/compare")
def compare_page(request: Request, session: SessionDep, state: StateDep) -> Response:
    base = base_url(request, state)
    measure = request.query_params.get("measure") or ""
    staff_type = request.query_params.get("staff_type") or ""
    if staff_type not in CODES["staff_type"]:
        staff_type = ""
    params = {k: v for k, v in (("measure", measure), ("staff_type", staff_type)) if v}

    def build() -> bytes:
        measures = list_measures(session, None)
        if measure:
            chosen = next((m for m in measures if m.id == measure), None)
            if chosen is None:
                raise PageError(400, "Unknown measure", f"No measure is called “{measure}”.")
        else:
            chosen = widest_measure(measures)
        shown: list[tuple[SeriesGroup, list[SeriesPoint]]] = []
        labels: dict[str, str] = {}
        if chosen is not None:
            filters: Filters = {"staff_type": staff_type} if staff_type else {}
            points, _, groups = series(
                session, chosen.id, filters, limit=1000, offset=0, base_url=base
            )
            labels = {p.figure: p.label for p in points}
            shown = [(g, [p for p in points if p.group == g.id]) for g in groups]
        titles = {d.id: d.title for d in list_disclosures(session)}
        return render(
            "compare.html",
            measures=measures,
            chosen=chosen,
            staff_type=staff_type,
            staff_types=[(code, LABELS["staff_type"][code]) for code in CODES["staff_type"]],
            groups=shown,
            labels=labels,
            titles=titles,
            marks=marks,
            dimension_words=dimension_words,
        )

    return page(request, session, state, build, params)
