"""Dependencies shared by the routers: state, session, parameters and their checks."""

import inspect
import re
from collections.abc import Callable, Iterator, Sequence
from enum import Enum, StrEnum
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeAlias, TypeVar, get_args, get_origin

from fastapi import Depends, Query, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from pydantic import WithJsonSchema
from sqlmodel import Session

from service import dimensions, paging, revisions, urls
from service.caching import negotiate
from service.errors import (
    InvalidParameter,
    RepeatedParameter,
    UnknownParameter,
    problem_responses,
)
from service.forces import ForceId
from service.reads.disclosures import resolve_disclosure
from service.state import AppState
from service.taxonomy import CODE_ENUMS, DIMENSIONS, FILTER_DESCRIPTIONS, FIRST_YEAR, LAST_YEAR

MAX_LIMIT = 500
MAX_OFFSET = 1_000_000_000
F = TypeVar("F", bound=Callable[..., Any])


def schema_ref(name: str) -> WithJsonSchema:
    """Show a parameter checked by our own code as the named enum component `name`
    (service.openapi adds the component), keeping our own problem details for bad values."""
    return WithJsonSchema({"$ref": f"#/components/schemas/{name}"})


class ListFormat(StrEnum):
    json = "json"
    csv = "csv"


def get_state(request: Request) -> AppState:
    state: AppState = request.app.state.app
    return state


StateDep = Annotated[AppState, Depends(get_state)]


RevisionParam = Annotated[
    str | None,
    WithJsonSchema({"type": "string", "pattern": revisions.ID_PATTERN}),
    Query(
        description="Answer from this revision (see /v1/revisions): its id, or 8 or more of "
        "its first characters, or a package revision an earlier citation printed. A pinned "
        "answer never changes. Default: the newest revision.",
    ),
]


def get_session(state: StateDep, revision: RevisionParam = None) -> Iterator[Session]:
    """A session reading the newest revision, or the one `revision` names. Closed when the
    route returns (scope "function"), before the answer is sent: a slow client never holds
    its connection (issue 25); a streamed answer reads each chunk with a session of its own
    (Reply.stream)."""
    if revision is not None:
        check_revision(revision, "revision")
    with Session(state.engine) as session:
        if revision is not None:
            pin_session(session, revision, "revision")
        yield session


def check_revision(given: str, parameter: str) -> None:
    """422 for what cannot be a revision id or a prefix of one."""
    if not re.fullmatch(revisions.ID_PATTERN, given):
        raise InvalidParameter(
            parameter,
            given,
            detail=f"The revision in {parameter} must be a revision id, or 8 to 16 of its "
            "first characters: hexadecimal digits 0-9 and a-f.",
        )


def pin_session(session: Session, given: str, parameter: str) -> None:
    """Make the session read the revision `given` names (from the parameter `parameter`):
    422 for what cannot be an id, 404 for none, 409 for a prefix that names several."""
    check_revision(given, parameter)
    revisions.pin(session, revisions.resolve(session, given))


SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def public_base(request: Request, state: StateDep) -> str:
    """Where every absolute URL of the answer starts (service.urls.base_url):
    APP_PUBLIC_BASE_URL, else the request's own scheme and Host."""
    return urls.base_url(request.scope, state.settings.public_base_url)


PublicBaseDep = Annotated[str, Depends(public_base)]


def check_query_params(request: Request) -> None:
    """Reject parameters the route does not take, and repeated ones: a typo must not
    silently return everything."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    allowed = _query_names(route)
    keys = [k for k, _ in request.query_params.multi_items()]
    unknown = sorted({k for k in keys if k not in allowed})
    if unknown:
        raise UnknownParameter(unknown, allowed)
    repeated = sorted({k for k in keys if keys.count(k) > 1})
    if repeated:
        raise RepeatedParameter(repeated)
    _check_integers(request, route)


def _check_integers(request: Request, route: APIRoute) -> None:
    for name in _integer_names(route):
        value = request.query_params.get(name)
        if value is not None and not (value.isascii() and value.isdigit()):
            # int() and pydantic also take "+5", "1_0", "5.0", " 5" and non-ASCII digits.
            raise InvalidParameter(
                name, value, detail=f"{name} must be a whole number in ASCII digits only."
            )


_QUERY_NAMES: dict[int, list[str]] = {}
_INTEGER_NAMES: dict[int, list[str]] = {}


def _dependants(route: Any) -> list[Dependant]:
    """A route's dependant and all of its dependencies', depth first."""
    found: list[Dependant] = []
    stack = [getattr(route, "dependant", None)]
    while stack:
        dependant = stack.pop()
        if dependant is not None:
            found.append(dependant)
            stack.extend(dependant.dependencies)
    return found


def allowed_values(request: Request, name: str) -> list[str] | None:
    """The closed list of values the parameter `name` takes on this route, if it has one."""
    params = [
        p
        for d in _dependants(request.scope.get("route"))
        for p in (*d.query_params, *d.path_params)
        if p.alias == name
    ]
    for param in params:
        stack: list[Any] = [param.field_info.annotation]
        while stack:
            kind = stack.pop()
            if isinstance(kind, type) and issubclass(kind, Enum):
                return [str(m.value) for m in kind]
            if get_origin(kind) is Literal:
                return [str(a) for a in get_args(kind)]
            stack.extend(get_args(kind))
    return None


def _integer_names(route: APIRoute) -> list[str]:
    """The query parameters of a route that take an integer (computed once)."""
    names = _INTEGER_NAMES.get(id(route))
    if names is None:
        names = _INTEGER_NAMES[id(route)] = sorted(
            {
                p.alias
                for d in _dependants(route)
                for p in d.query_params
                if p.field_info.annotation in (int, int | None)
            }
        )
    return names


def _query_names(route: APIRoute) -> list[str]:
    """Every query parameter a route takes, through its dependencies (computed once)."""
    names = _QUERY_NAMES.get(id(route))
    if names is None:
        found = {p.alias for d in _dependants(route) for p in d.query_params}
        names = _QUERY_NAMES[id(route)] = sorted(found)
    return names


FormatParam = Annotated[
    ListFormat | None,
    Query(description="Response format; overrides the Accept header. Default json."),
]
BomParam = Annotated[
    bool,
    Query(
        description="With CSV: start with a UTF-8 byte-order mark (`bom=1`), so that Excel "
        "opens the file as UTF-8 when it is double-clicked. Default false."
    ),
]
DisclosureParam = Annotated[
    str | None,
    schema_ref("DisclosureId"),
    Query(
        description="Disclosure id, e.g. met-2013. Exactly one; defaults to the flagship "
        "disclosure where a route needs one.",
        max_length=100,
    ),
]
#: A page's size when `limit` is left out of a paged JSON answer.
DEFAULT_LIMIT = 50
LimitParam = Annotated[
    int | None,
    Query(
        ge=0,
        le=MAX_LIMIT,
        description=f"Page size, at most {MAX_LIMIT}. Without it, a download (`format=csv`, "
        "`format=json` or `Accept: text/csv`) gives every matching row, streamed; a plain "
        f"JSON request a page of {DEFAULT_LIMIT}.",
    ),
]
OffsetParam = Annotated[
    int,
    Query(
        ge=0,
        le=MAX_OFFSET,
        description=f"Items to skip before the page starts, at most {paging.MAX_OFFSET:,}: "
        "deeper pages are reached by the `cursor` of a page's next link (a deeper offset is "
        "a 400 page-by-cursor problem that says so).",
        # What a client may send; validation stops at MAX_OFFSET, so that an offset past
        # paging.MAX_OFFSET gets the 400 that names the cursor, not a bare 422.
        json_schema_extra={"maximum": paging.MAX_OFFSET},
    ),
]


def dimension_query(name: str) -> Any:
    """A dimension's query parameter: its codes (a named enum), or a year."""
    description = FILTER_DESCRIPTIONS[name]
    if dimensions.is_coded(name):
        return Annotated[CODE_ENUMS[name] | None, Query(description=description)]
    return Annotated[int | None, Query(ge=FIRST_YEAR, le=LAST_YEAR, description=description)]


ForceParam = Annotated[
    ForceId | None,
    Query(description="Force id (see /v1/forces): only figures about that force."),
]
MeasureParam = Annotated[
    str | None,
    schema_ref("Measure"),
    Query(description="Measure id, e.g. people_by_outcome (see /v1/measures).", max_length=100),
]


QueryTextParam = Annotated[
    str | None,
    Query(
        description="Free text: only items whose label, summary or note contains it, "
        "ignoring case.",
        min_length=1,
        max_length=100,
    ),
]

#: `count` orders by a figure's reading: the low end of its range, then the high end.
FIGURE_SORT_FIELDS = (
    "id",
    "disclosure",
    "measure",
    "label",
    "year",
    "value",
    "min",
    "max",
    "count",
)
CASE_SORT_FIELDS = ("id", "disclosure", "year", "staff_type", "outcome", "platform")


def _sort_enum(name: str, fields: Sequence[str]) -> type[StrEnum]:
    values = [v for f in fields for v in (f, f"-{f}")]
    return StrEnum(name, {v: v for v in values})  # type: ignore[return-value]


if TYPE_CHECKING:
    FigureSort: TypeAlias = StrEnum
    CaseSort: TypeAlias = StrEnum
else:
    FigureSort = _sort_enum("FigureSort", FIGURE_SORT_FIELDS)
    CaseSort = _sort_enum("CaseSort", CASE_SORT_FIELDS)
SORT_DESCRIPTION = (
    "Order by this field, or descending with a leading `-`; empty values last. Ties keep "
    "the default order (disclosure, then the item's place in its package)."
)


def sort_column(sort: StrEnum | None) -> str | None:
    """The sort as the queries take it: a table column, `-` for descending."""
    if sort is None:
        return None
    return sort.value.replace("disclosure", "disclosure_id")


def list_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route that also answers in CSV: the 200's text/csv form, and the
    problem bodies for these statuses."""
    csv_form = {"schema": {"type": "string", "description": "RFC 4180 CSV with a header row."}}
    return {200: {"content": {"text/csv": csv_form}}, **problem_responses(*statuses)}


class DimensionFilters:
    """The dimension filters of a route (one query parameter per taxonomy.DIMENSIONS), as
    one dependency; `values` holds those given."""

    __signature__ = inspect.Signature(dimensions.parameters(DIMENSIONS, dimension_query))

    def __init__(self, **given: Any) -> None:
        self.values = dimensions.given(given)


DimensionsDep = Annotated[DimensionFilters, Depends()]


def taking_filters(names: Sequence[str]) -> Callable[[F], F]:
    """A route whose `filters` parameter becomes a query parameter per dimension of `names`
    (in its place, among the route's own parameters), handed the filters given."""
    return dimensions.taking_filters("filters", dimensions.parameters(names, dimension_query))


def asks_download(request: Request) -> bool:
    """A request for a list as a download: `format` given (csv or json), or CSV negotiated
    from Accept. Without `limit`, it gets every matching row."""
    given = request.query_params.get("format")
    return given is not None or negotiate(request.headers.get("accept"), None) == "csv"


class Paging:
    """A page of a list: `limit` items after skipping `offset` (at most paging.MAX_OFFSET),
    or, for a download without `limit` (`whole`), every item after `offset`."""

    def __init__(self, request: Request, limit: LimitParam = None, offset: OffsetParam = 0) -> None:
        paging.check_offset(offset)
        self.whole = limit is None and asks_download(request)
        #: A whole list read in memory is sliced with this: larger than any list.
        self.limit = paging.WHOLE if self.whole else DEFAULT_LIMIT if limit is None else limit
        self.offset = offset
        self.cursor: paging.Cursor | None = None


PageDep = Annotated[Paging, Depends()]

CursorParam = Annotated[
    str | None,
    Query(
        description="Where the page starts: the cursor in the `next` or `prev` link of "
        "another page of the same list. Reaches any page, however deep, in index order.",
        min_length=1,
        max_length=500,
    ),
]


class KeysetPaging(Paging):
    """A page of a list read in index order: after or before a `cursor`, or by `offset`."""

    def __init__(
        self,
        request: Request,
        limit: LimitParam = None,
        offset: OffsetParam = 0,
        cursor: CursorParam = None,
    ) -> None:
        super().__init__(request, limit, offset)
        if cursor is not None:
            if offset:
                raise paging.refused("cursor", "Give cursor or offset, not both.")
            self.cursor = paging.Cursor.decode(cursor)
            if self.cursor.backward and self.whole:  # a prev link by hand: the page before
                self.whole, self.limit = False, DEFAULT_LIMIT


KeysetPageDep = Annotated[KeysetPaging, Depends()]


def disclosure_filter(session: SessionDep, disclosure: DisclosureParam = None) -> str | None:
    """The disclosure a list is filtered to, or None for all; 422 for an unknown id."""
    return None if disclosure is None else resolve_disclosure(session, disclosure, "")


DisclosureFilterDep = Annotated[str | None, Depends(disclosure_filter)]


def disclosure_or_flagship(
    session: SessionDep, state: StateDep, disclosure: DisclosureParam = None
) -> str:
    """The disclosure a route answers about: the one asked for, else the flagship; 422 for
    an unknown id. Resolved once per request, however many parts of the route use it."""
    return resolve_disclosure(session, disclosure, state.settings.flagship_disclosure)


DisclosureDep = Annotated[str, Depends(disclosure_or_flagship)]


def grouping(
    by: Annotated[
        str,
        schema_ref("Grouping"),
        Query(
            description="One dimension, or two joined by a comma: "
            "platform, outcome, staff_type, staff_type,outcome, year ...",
            max_length=40,
        ),
    ],
) -> list[str]:
    """`by` as a list of one or two distinct dimensions."""
    dims = [d.strip() for d in by.split(",")]
    if (
        not 1 <= len(dims) <= 2
        or len(set(dims)) != len(dims)
        or any(d not in DIMENSIONS for d in dims)
    ):
        raise InvalidParameter(
            "by",
            by,
            list(DIMENSIONS),
            detail=f"by must be one dimension or two separated by a comma, from: "
            f"{', '.join(DIMENSIONS)}.",
        )
    return dims


GroupingDep = Annotated[list[str], Depends(grouping)]


def chart_grouping(
    by: Annotated[
        str | None,
        schema_ref("Grouping"),
        Query(
            description="One dimension, or two joined by a comma: "
            "platform, outcome, staff_type, staff_type,outcome, year ... Leave it out, with "
            "`measure`, to chart the measure's figure that is broken down by nothing (an "
            "answer with a single figure, such as the Daily Mail's 277); leave both out for "
            "the disclosure's first declared grouping.",
            max_length=40,
        ),
    ] = None,
) -> list[str]:
    """`by` for a chart: as for aggregates, or none at all (a chart of one figure)."""
    return [] if by is None else grouping(by)


ChartGroupingDep = Annotated[list[str], Depends(chart_grouping)]
