"""Pages to find things: every figure as a list with facets and sorting (/figures), every
disclosure (/disclosures), and a search of figures, cases, notes and sources (/search).

/figures takes the query string of /v1/figures, checked by the same rules, so a page's
state is a URL a reader can share and the API answers the same URL with the same figures.
A client that asks for JSON or CSV (Accept, or `format`) is sent to the API's answer; a
bad parameter is a 400 page for people and problem+json for a client that asked for JSON.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from sqlmodel import Session

from service import forces, paging, urls
from service.api.deps import (
    FIGURE_SORT_FIELDS,
    MAX_LIMIT,
    FigureSort,
    SessionDep,
    StateDep,
    sort_column,
)
from service.errors import InvalidParameter, UnknownParameter
from service.reads.cases import list_cases
from service.reads.common import Filters
from service.reads.disclosures import disclosure_ids, get_disclosure, list_disclosures
from service.reads.figures import facet_counts, figure_selection, figure_window
from service.reads.measures import list_measures, measure_ids
from service.reads.notes import list_notes
from service.schemas import CasePublic, FigurePublic, NotePublic, SourcePublic
from service.taxonomy import CODES, DIMENSION_LABELS, DIMENSIONS, LABELS
from service.web.pages import (  # the pages' one way to render, cache and refuse
    PageError,
    base_url,
    dimension_words,
    marks,
    newest_first,
    page,
    refusal,
    render,
    wants_json,
)

router = APIRouter(include_in_schema=False)

#: What /figures shows when the query string sets no limit (as /v1/figures pages).
PAGE_SIZE = 50
#: The longest search text, as /v1 takes it (service.api.deps.QueryTextParam).
MAX_Q = 100
#: Booleans as FastAPI reads them in /v1 query strings.
TRUE, FALSE = ("1", "true", "on", "yes"), ("0", "false", "off", "no")
#: How many of each kind a search page shows before linking to the whole list.
SEARCH_SHOWN = 20
#: The figure table's columns: heading and the `sort` field it orders by ("" for none).
COLUMNS = (
    ("Figure", "label"),
    ("Count", "count"),
    ("Disclosure", "disclosure"),
    ("Measure", "measure"),
    ("Year", "year"),
    ("Breakdown", ""),
)
FACET_NAMES = {
    "disclosure": "Disclosure",
    "measure": "Measure",
    "force": "Force",
    **DIMENSION_LABELS,
}


def invalid(name: str, value: str, allowed: Sequence[str] | None, detail: str) -> PageError:
    """A value /v1 refuses too: the same status and problem as there."""
    problem = InvalidParameter(name, value, allowed, detail=detail)
    return PageError(
        problem.status, f"The list cannot be shown with {name}={value}", detail, problem
    )


def read_params(request: Request, allowed: Sequence[str]) -> dict[str, str]:
    """The query string as one value per name; an unknown or repeated name is refused."""
    pairs = request.query_params.multi_items()
    unknown = sorted({k for k, _ in pairs if k not in allowed})
    if unknown:
        detail = f"Unknown query parameter {', '.join(unknown)}; this page takes: "
        detail += ", ".join(allowed) + "."
        problem = UnknownParameter(unknown, list(allowed))
        raise PageError(problem.status, "Unknown query parameter", detail, problem)
    params: dict[str, str] = {}
    for name, value in pairs:
        if name == "q" and value == "":  # a search form sent empty: no search
            continue
        if name in params:
            detail = f"{name} is given more than once; give it once."
            raise invalid(name, value, None, detail)
        params[name] = value
    return params


def read_int(params: Mapping[str, str], name: str, low: int, high: int, default: int) -> int:
    given = params.get(name)
    if given is None:
        return default
    detail = f"{name} must be a whole number from {low} to {high}."
    try:
        number = int(given)
    except ValueError:
        raise invalid(name, given, None, detail) from None
    if not low <= number <= high:
        raise invalid(name, given, None, detail)
    return number


def read_q(params: Mapping[str, str]) -> str | None:
    q = params.get("q")
    if q is not None and not 1 <= len(q) <= MAX_Q:
        raise invalid("q", q[:20], None, f"The search text must be 1 to {MAX_Q} characters.")
    return q


@dataclass(frozen=True)
class FigureQuery:
    """/figures' query string as /v1/figures reads it."""

    given: dict[str, str]
    disclosure: str | None
    measure: str | None
    dimensions: Filters
    disputed: bool | None
    q: str | None
    sort: str | None
    limit: int
    offset: int

    def selection(
        self,
    ) -> tuple[str | None, str | None, Filters, bool | None, str | None]:
        """The filters, in figure_selection's order."""
        return self.disclosure, self.measure, self.dimensions, self.disputed, self.q

    def link(self, **changes: str | None) -> str:
        """This page with some parameters changed (None removes one); a change of filter
        or order goes back to the first page."""
        params = {**self.given, **changes}
        if set(changes) - {"offset"}:
            params.pop("offset", None)
        kept = {k: v for k, v in params.items() if v is not None}
        return urls.with_query(urls.FIGURES_PAGE, kept)

    def api(self, fmt: str = "") -> str:
        params = {k: v for k, v in self.given.items() if k != "format"}
        return urls.with_query(urls.api("figures"), {**params, **({"format": fmt} if fmt else {})})


#: /v1/figures' parameters, and `revision`, which every read takes.
FIGURE_PARAMS = (
    "disclosure",
    "measure",
    "force",
    *DIMENSIONS,
    "disputed",
    "q",
    "sort",
    "limit",
    "offset",
    "cursor",
    "format",
    "revision",
)


def read_known(params: Mapping[str, str], name: str, known: Sequence[str]) -> str | None:
    """A disclosure or measure id, one that exists."""
    value = params.get(name)
    if value is not None and value not in known:
        raise invalid(name, value, known, f"No {name} is called {value}.")
    return value


def read_dimensions(params: Mapping[str, str]) -> Filters:
    dimensions: Filters = {}
    force = params.get("force")
    if force is not None:
        if force not in forces.BY_ID:
            raise invalid("force", force, forces.IDS, f"No force has the id {force}.")
        dimensions["force"] = force
    for dim in DIMENSIONS:
        value = params.get(dim)
        if value is None:
            continue
        if dim == "year":
            dimensions[dim] = read_int(params, dim, 1900, 2100, 0)
        elif value in CODES[dim]:
            dimensions[dim] = value
        else:
            raise invalid(dim, value, CODES[dim], f"No {dim} is called {value}.")
    return dimensions


def read_choice(params: Mapping[str, str], name: str, allowed: Sequence[str]) -> str | None:
    value = params.get(name)
    if value is not None and value not in allowed:
        raise invalid(name, value, allowed, f"{name} is one of {', '.join(allowed)}.")
    return value


def read_figure_query(request: Request, session: Session) -> FigureQuery:
    params = read_params(request, FIGURE_PARAMS)
    if "cursor" in params:
        detail = "This page pages by offset; the cursor is for /v1/figures."
        raise invalid("cursor", params["cursor"][:20], None, detail)
    disputed = read_choice(
        {k: v.lower() for k, v in params.items() if k == "disputed"}, "disputed", [*TRUE, *FALSE]
    )
    read_choice(params, "format", ["json", "csv"])
    sort = read_choice(params, "sort", [v for f in FIGURE_SORT_FIELDS for v in (f, f"-{f}")])
    return FigureQuery(
        given=params,
        disclosure=read_known(params, "disclosure", disclosure_ids(session)),
        measure=read_known(params, "measure", measure_ids(session, None)),
        dimensions=read_dimensions(params),
        disputed=None if disputed is None else disputed in TRUE,
        q=read_q(params),
        sort=sort,
        limit=read_int(params, "limit", 0, MAX_LIMIT, PAGE_SIZE),
        offset=read_int(params, "offset", 0, paging.MAX_OFFSET, 0),
    )


def facet_label(name: str, value: str, measures: Mapping[str, str]) -> str:
    if name == "measure":
        return measures.get(value, value)
    if name == "disputed":
        return "sources disagree" if value.lower() in TRUE else "sources agree"
    if name in LABELS:
        return LABELS[name].get(value, value)
    if name == "force" and value in forces.BY_ID:
        return forces.BY_ID[value].name
    return value


def figure_facets(session: Session, query: FigureQuery) -> list[dict[str, Any]]:
    """Every facet of the selected figures: each value with its count and the link that
    picks it (or, when picked, drops it)."""
    selected = figure_selection(session, *query.selection())
    counted = facet_counts(session, selected)
    measures = {m.id: m.label for m in list_measures(session, None)}
    out = []
    for column, values in counted.items():
        name = "disclosure" if column == "disclosure_id" else column
        if not values:
            continue
        options = []
        for value, n in values:
            if name == "disputed":
                picked = query.disputed is not None and query.disputed == (value == "true")
            else:
                picked = query.given.get(name) == value
            options.append(
                {
                    "label": facet_label(name, value, measures),
                    "count": n,
                    "selected": picked,
                    "href": query.link(**{name: None if picked else value}),
                }
            )
        title = FACET_NAMES.get(name, "Sources")
        out.append({"param": name, "name": title, "options": options})
    return out


def columns(query: FigureQuery) -> list[dict[str, str]]:
    """Each column's heading, the link that sorts by it (again: the other way round) and
    its aria-sort."""
    out = []
    for heading, field_name in COLUMNS:
        state = "none"
        if query.sort == field_name:
            state = "ascending"
        elif query.sort == f"-{field_name}":
            state = "descending"
        flip = f"-{field_name}" if state == "ascending" else field_name
        out.append(
            {
                "heading": heading,
                "field": field_name,
                "href": query.link(sort=flip) if field_name else "",
                "state": state,
            }
        )
    return out


def pages_of(query: FigureQuery, count: int) -> dict[str, str]:
    links = {}
    if query.offset > 0:
        links["previous"] = query.link(offset=str(max(0, query.offset - query.limit)) or None)
    if query.limit and query.offset + query.limit < count:
        links["next"] = query.link(offset=str(query.offset + query.limit))
    return links


def asks_for_data(request: Request, params: Mapping[str, str]) -> bool:
    return "format" in params or wants_json(request)


@router.get(urls.FIGURES_PAGE)
def figures_page(request: Request, session: SessionDep, state: StateDep) -> Response:
    base = base_url(request, state)
    try:
        query = read_figure_query(request, session)
    except PageError as error:
        return refusal(request, error)
    if asks_for_data(request, query.given):
        return RedirectResponse(query.api(query.given.get("format", "")), status_code=303)

    def build() -> bytes:
        disclosure, measure, dimensions, disputed, q = query.selection()
        window = figure_window(
            session,
            disclosure=disclosure,
            measure=measure,
            dimensions=dimensions,
            disputed=disputed,
            q=q,
            sort=sort_column(FigureSort(query.sort)) if query.sort else None,
            limit=query.limit,
            offset=query.offset,
            base_url=base,
        )
        figures: list[FigurePublic] = list(window.items)
        measures = {m.id: m.label for m in list_measures(session, None)}
        filters = [
            (FACET_NAMES.get(k, "Sources"), facet_label(k, v, measures), query.link(**{k: None}))
            for k, v in query.given.items()
            if k in ("disclosure", "measure", "force", *DIMENSIONS, "disputed")
        ]
        return render(
            "figures.html",
            figures=figures,
            count=window.count,
            exact=window.count_exact,
            query=query,
            facets=figure_facets(session, query),
            filters=filters,
            columns=columns(query),
            pages=pages_of(query, window.count),
            downloads=[("CSV", query.api("csv")), ("JSON", query.api())],
            hidden={k: v for k, v in query.given.items() if k not in ("q", "offset")},
            marks=marks,
            dimension_words=dimension_words,
        )

    return page(request, session, state, build, query.given)


@router.get(urls.DISCLOSURES_PAGE)
def disclosures_page(request: Request, session: SessionDep, state: StateDep) -> Response:
    try:
        params = read_params(request, ("limit", "offset", "format", "revision"))
        limit = read_int(params, "limit", 0, MAX_LIMIT, PAGE_SIZE)
        offset = read_int(params, "offset", 0, paging.MAX_OFFSET, 0)
    except PageError as error:
        return refusal(request, error)
    if asks_for_data(request, params):
        return RedirectResponse(urls.with_query(urls.api("disclosures"), params), 303)

    def build() -> bytes:
        every = newest_first(list_disclosures(session))
        return render(
            "disclosures.html", disclosures=every[offset : offset + limit], total=len(every)
        )

    return page(request, session, state, build, params)


@dataclass(frozen=True)
class Found:
    """What a search found of each kind, the first SEARCH_SHOWN of each."""

    figures: list[FigurePublic]
    figure_count: int
    cases: list[CasePublic]
    case_count: int
    notes: list[NotePublic]
    note_count: int
    sources: list[SourcePublic]
    source_count: int


def contains(q: str, *texts: str | None) -> bool:
    return any(q.lower() in (t or "").lower() for t in texts)


def search(session: Session, q: str, base: str) -> Found:
    window = figure_window(
        session,
        disclosure=None,
        measure=None,
        dimensions={},
        disputed=None,
        q=q,
        limit=SEARCH_SHOWN,
        offset=0,
        base_url=base,
    )
    cases = list_cases(session, disclosure=None, filters={}, limit=SEARCH_SHOWN, offset=0, q=q)
    # Notes and sources are a few dozen per disclosure: read whole and matched here.
    notes = [n for n in list_notes(session, None) if contains(q, n.topic, n.text)]
    sources = [
        s
        for d in list_disclosures(session)
        for s in get_disclosure(session, d.id).sources
        if contains(q, s.publisher, s.title, s.note)
    ]
    return Found(
        list(window.items),
        window.count,
        list(cases.items),
        cases.count,
        notes[:SEARCH_SHOWN],
        len(notes),
        sources[:SEARCH_SHOWN],
        len(sources),
    )


@router.get(urls.SEARCH_PAGE)
def search_page(request: Request, session: SessionDep, state: StateDep) -> Response:
    base = base_url(request, state)
    try:
        params = read_params(request, ("q", "revision"))
        q = read_q(params)
    except PageError as error:
        return refusal(request, error)

    def build() -> bytes:
        found = search(session, q, base) if q else None
        titles = {d.id: d.title for d in list_disclosures(session)}
        return render(
            "search.html",
            q=q or "",
            found=found,
            titles=titles,
            shown=SEARCH_SHOWN,
            all_figures=urls.with_query(urls.FIGURES_PAGE, {"q": q or ""}),
            all_cases=urls.with_query(urls.api("cases"), {"q": q or ""}),
            marks=marks,
            dimension_words=dimension_words,
        )

    return page(request, session, state, build, params)
