"""Dependencies shared by the /v1 routers: session, parameters, negotiation and replies."""

import csv
import io
from collections.abc import Callable, Iterator, Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeAlias
from urllib.parse import urlencode

import orjson
from fastapi import Depends, Query, Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from sqlmodel import Session, SQLModel

from service.caching import CSV, JSON, Entry, cache_key, entry_response, make_etag
from service.errors import (
    InvalidParameter,
    NotAcceptable,
    RepeatedParameter,
    UnknownParameter,
    problem_responses,
)
from service.queries import Filters, dataset_revision, resolve_disclosure
from service.state import AppState
from service.taxonomy import CODES, DIMENSIONS

MAX_LIMIT = 500
MAX_OFFSET = 1_000_000_000


def _codes_enum(name: str, codes: Sequence[str]) -> type[StrEnum]:
    return StrEnum(name, {code: code for code in codes})  # type: ignore[return-value]


if TYPE_CHECKING:
    StaffType: TypeAlias = str
    Outcome: TypeAlias = str
    Platform: TypeAlias = str
    Allegation: TypeAlias = str
    Rank: TypeAlias = str
else:
    StaffType = _codes_enum("StaffType", CODES["staff_type"])
    Outcome = _codes_enum("Outcome", CODES["outcome"])
    Platform = _codes_enum("Platform", CODES["platform"])
    Allegation = _codes_enum("Allegation", CODES["allegation"])
    Rank = _codes_enum("Rank", CODES["rank"])


def get_state(request: Request) -> AppState:
    state: AppState = request.app.state.app
    return state


StateDep = Annotated[AppState, Depends(get_state)]


def get_session(state: StateDep) -> Iterator[Session]:
    with Session(state.engine) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


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


_QUERY_NAMES: dict[int, list[str]] = {}


def _query_names(route: APIRoute) -> list[str]:
    """Every query parameter a route takes, through its dependencies (computed once)."""
    names = _QUERY_NAMES.get(id(route))
    if names is None:
        found: set[str] = set()
        stack: list[Dependant] = [route.dependant]
        while stack:
            dependant = stack.pop()
            found.update(p.alias for p in dependant.query_params)
            stack.extend(dependant.dependencies)
        names = _QUERY_NAMES[id(route)] = sorted(found)
    return names


FormatParam = Annotated[
    Literal["json", "csv"] | None,
    Query(description="Response format; overrides the Accept header. Default json."),
]
DisclosureParam = Annotated[
    str | None,
    Query(
        description="Disclosure id, e.g. met-2013. Exactly one; defaults to the flagship "
        "disclosure where a route needs one.",
        max_length=100,
    ),
]
LimitParam = Annotated[
    int, Query(ge=0, le=MAX_LIMIT, description=f"Page size, at most {MAX_LIMIT}.")
]
OffsetParam = Annotated[
    int, Query(ge=0, le=MAX_OFFSET, description="Items to skip before the page starts.")
]
StaffTypeParam = Annotated[StaffType | None, Query(description="Staff type code.")]
OutcomeParam = Annotated[Outcome | None, Query(description="Outcome code (see /v1/outcomes).")]
PlatformParam = Annotated[Platform | None, Query(description="Platform code (see /v1/platforms).")]
AllegationParam = Annotated[Allegation | None, Query(description="Allegation category code.")]
YearParam = Annotated[int | None, Query(ge=1900, le=2100, description="Calendar year.")]
RankParam = Annotated[Rank | None, Query(description="Rank code.")]
MeasureParam = Annotated[
    str | None, Query(description="Measure name, e.g. people_by_outcome.", max_length=100)
]


def list_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route that also answers in CSV: the 200's text/csv form, and the
    problem bodies for these statuses."""
    csv_form = {"schema": {"type": "string", "description": "RFC 4180 CSV with a header row."}}
    return {200: {"content": {"text/csv": csv_form}}, **problem_responses(*statuses)}


class DimensionFilters:
    """The six dimension filters of a route, as one dependency; `values` holds those given."""

    def __init__(
        self,
        staff_type: StaffTypeParam = None,
        outcome: OutcomeParam = None,
        platform: PlatformParam = None,
        allegation: AllegationParam = None,
        year: YearParam = None,
        rank: RankParam = None,
    ) -> None:
        self.values = dimension_filters(
            staff_type=staff_type,
            outcome=outcome,
            platform=platform,
            allegation=allegation,
            year=year,
            rank=rank,
        )


DimensionsDep = Annotated[DimensionFilters, Depends()]


def dimension_filters(**values: Any) -> Filters:
    return {
        k: (v.value if isinstance(v, StrEnum) else v) for k, v in values.items() if v is not None
    }


def disclosure_or_flagship(session: Session, state: AppState, value: str | None) -> str:
    return resolve_disclosure(session, value, state.settings.flagship_disclosure)


def optional_disclosure(session: Session, value: str | None) -> str | None:
    return None if value is None else resolve_disclosure(session, value, "")


def csv_bytes(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> bytes:
    """Flat CSV: nulls empty, booleans true/false, nested values as compact JSON."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(c)) for c in columns])
    return out.getvalue().encode()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return orjson.dumps(value).decode()
    return str(value)


def _dump(model: SQLModel) -> dict[str, Any]:
    return model.model_dump(mode="json")


class Reply:
    """Builds a read response once per revision and request, and stores it."""

    def __init__(self, request: Request, session: Session, state: AppState) -> None:
        self.request = request
        self.state = state
        key = cache_key(
            request.url.path, request.scope.get("query_string", b""), request.headers.get("accept")
        )
        if key is None:
            raise NotAcceptable([JSON, CSV])
        self.key = key
        self.format = key.rsplit("#", 1)[1]
        self.revision = dataset_revision(session)
        state.tracker.observe(self.revision)

    def one(self, build: Callable[[], SQLModel]) -> Response:
        """A single object; JSON only."""
        if self.format != "json":
            raise NotAcceptable([JSON])
        return self._store(orjson.dumps(_dump(build())), JSON)

    def table(
        self,
        build: Callable[[], SQLModel],
        rows: Callable[[Any], Sequence[SQLModel]],
        columns: Sequence[str],
    ) -> Response:
        """An object whose `rows` can also be served as CSV."""
        payload = build()
        if self.format == "csv":
            return self._store(csv_bytes([_dump(r) for r in rows(payload)], columns), CSV)
        return self._store(orjson.dumps(_dump(payload)), JSON)

    def page(
        self,
        build: Callable[[], tuple[Sequence[SQLModel], int]],
        limit: int,
        offset: int,
        columns: Sequence[str],
    ) -> Response:
        items, count = build()
        data = [_dump(i) for i in items]
        links = self._links(limit, offset, count)
        if self.format == "csv":
            return self._store(csv_bytes(data, columns), CSV, links)
        body = orjson.dumps({"data": data, "count": count, "limit": limit, "offset": offset})
        return self._store(body, JSON, links)

    def raw(
        self,
        build: Callable[[], bytes],
        media_type: str,
        extra_headers: tuple[tuple[str, str], ...] = (),
        *,
        varies_with: str = "",
    ) -> Response:
        """Bytes of an embed (HTML, SVG, JS, oEmbed) under the same cache, ETag and 304
        rules as JSON. `varies_with` joins the key when the bytes depend on more than the
        path and query (the request's base URL for oEmbed)."""
        if varies_with:
            self.key = f"{self.key}@{varies_with}"
        entry = self.state.cache.get(self.key)
        if entry is not None:
            return entry_response(entry, self.state.settings.cache_max_age)
        return self._store(build(), media_type, extra_headers, negotiated=False)

    def _links(self, limit: int, offset: int, count: int) -> tuple[tuple[str, str], ...]:
        def url(new_offset: int) -> str:
            params = dict(self.request.query_params)
            params["offset"] = str(new_offset)
            params["limit"] = str(limit)
            return f"<{self.request.url.path}?{urlencode(sorted(params.items()))}>"

        links = []
        if limit > 0 and offset + limit < count:
            links.append(f'{url(offset + limit)}; rel="next"')
        if offset > 0:
            links.append(f'{url(max(0, min(offset - limit, count - limit)))}; rel="prev"')
        return (("link", ", ".join(links)),) if links else ()

    def _store(
        self,
        body: bytes,
        media_type: str,
        extra: tuple[tuple[str, str], ...] = (),
        *,
        negotiated: bool = True,
    ) -> Response:
        entry = Entry(
            body=body,
            media_type=media_type,
            etag=make_etag(self.revision, self.key),
            extra_headers=extra,
            negotiated=negotiated,
        )
        self.state.cache.put(self.revision, self.key, entry)
        return entry_response(entry, self.state.settings.cache_max_age)


def get_reply(request: Request, session: SessionDep, state: StateDep) -> Reply:
    return Reply(request, session, state)


ReplyDep = Annotated[Reply, Depends(get_reply)]


def model_columns(model: type[SQLModel]) -> list[str]:
    return list(model.model_fields)


def grouping(
    by: Annotated[
        str,
        Query(
            description="One dimension, or two joined by a comma: "
            "platform, outcome, staff_type, staff_type,outcome, year ...",
            max_length=40,
        ),
    ],
) -> list[str]:
    """The `by` dimensions: one, or two different ones joined by a comma."""
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


def requested_disclosure(
    session: SessionDep, state: StateDep, disclosure: DisclosureParam = None
) -> str:
    """The one disclosure a request is about (the flagship unless named), resolved once."""
    return resolve_disclosure(session, disclosure, state.settings.flagship_disclosure)


DisclosureDep = Annotated[str, Depends(requested_disclosure)]
