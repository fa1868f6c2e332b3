"""One error shape: RFC 9457 problem details, with a stable `type` per kind of problem."""

import logging
from collections.abc import Sequence
from typing import Any

from sqlmodel import Field, SQLModel

logger = logging.getLogger("service")

PROBLEM_MEDIA_TYPE = "application/problem+json"
#: How a refusal of a CSV request is written (caching.problem_as_text).
PLAIN_TEXT = "text/plain"

#: slug -> (status, title, what it means). The type URI is /problems/<slug>.
PROBLEM_TYPES: dict[str, tuple[int, str, str]] = {
    "bad-request": (400, "Bad request", "The request could not be understood."),
    "unknown-parameter": (
        400,
        "Unknown query parameter",
        "A query parameter this endpoint does not take; nothing was filtered by it.",
    ),
    "repeated-parameter": (
        400,
        "Repeated query parameter",
        "A query parameter was given more than once.",
    ),
    "cannot-combine-disclosures": (
        400,
        "Disclosures cannot be combined",
        "Different FOI answers count different things, so their figures are never added.",
    ),
    "bad-host": (
        400,
        "Host not served",
        "The request's Host header names a host this service does not answer for "
        "(APP_ALLOWED_HOSTS), so no link is ever built from it.",
    ),
    "page-by-cursor": (
        400,
        "Page by cursor",
        "This page of a list is reached with cursor= (the next and prev links), not this way.",
    ),
    "not-found": (404, "Not found", "No resource has that id."),
    "no-headline-measure": (
        404,
        "No headline measure",
        "The disclosure declares no headline measure for this grouping; name one with measure=.",
    ),
    "forbidden-origin": (
        403,
        "Origin not allowed",
        "A browser page from another site may not call the MCP endpoint (DNS-rebinding "
        "protection): its Origin is not this service's nor one of APP_ALLOWED_HOSTS.",
    ),
    "method-not-allowed": (405, "Method not allowed", "This API is read-only."),
    "unsupported-media-type": (
        415,
        "Unsupported media type",
        "The MCP endpoint takes JSON-RPC messages as application/json.",
    ),
    "ambiguous-revision": (
        409,
        "Ambiguous revision",
        "The revision prefix names more than one revision; give more of its characters.",
    ),
    "not-acceptable": (
        406,
        "Not acceptable",
        "The Accept header or format asks for a type we cannot serve.",
    ),
    "precondition-failed": (
        412,
        "Precondition failed",
        "If-Match names no current representation of the resource (RFC 9110 13.1.1).",
    ),
    "invalid-parameter": (
        422,
        "Invalid parameter",
        "A parameter's value is not one this endpoint accepts.",
    ),
    "format-not-implemented": (
        501,
        "Format not implemented",
        "oEmbed answers json and xml; another format is not implemented (oEmbed 1.0, 2.3.5).",
    ),
    "payload-too-large": (
        413,
        "Payload too large",
        "This read-only API takes no request body; a request carrying one is refused unread.",
    ),
    "uri-too-long": (
        414,
        "URI too long",
        "The path and query string together are longer than the service accepts.",
    ),
    "rate-limited": (
        429,
        "Too many requests",
        "This client has used its request allowance; retry after the Retry-After seconds.",
    ),
    "headers-too-large": (
        431,
        "Request header fields too large",
        "The request's headers together are larger than the service accepts.",
    ),
    "internal-error": (500, "Internal error", "A bug on our side; it has been logged."),
    "service-unavailable": (
        503,
        "Service unavailable",
        "The database cannot be reached; retry after a while.",
    ),
    "overloaded": (
        503,
        "Overloaded",
        "Every database connection of this process is busy; retry after the Retry-After seconds.",
    ),
}


def problem_type(slug: str) -> str:
    return f"/problems/{slug}"


class ParameterError(SQLModel):
    parameter: str
    message: str
    allowed: list[str] | None = None


class ProblemDetail(SQLModel):
    type: str = Field(description="Stable URI reference naming the kind of problem.")
    title: str
    status: int
    detail: str
    instance: str | None = Field(default=None, description="The request path.")
    errors: list[ParameterError] | None = None


class Problem(Exception):
    """An error that becomes a problem response; subclasses fix the kind."""

    slug = "bad-request"

    def __init__(
        self,
        detail: str,
        *,
        errors: Sequence[ParameterError] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = list(errors) if errors else None
        self.headers = headers or {}

    @classmethod
    def of(cls, slug: str, detail: str, headers: dict[str, str] | None = None) -> "Problem":
        """A problem of a kind that needs no subclass of its own."""
        problem = cls(detail, headers=headers)
        problem.slug = slug
        return problem

    @property
    def status(self) -> int:
        return PROBLEM_TYPES[self.slug][0]

    def body(self, instance: str | None) -> dict[str, Any]:
        status, title, _ = PROBLEM_TYPES[self.slug]
        problem = ProblemDetail(
            type=problem_type(self.slug),
            title=title,
            status=status,
            detail=self.detail,
            instance=instance,
            errors=self.errors,
        )
        return problem.model_dump(exclude_none=True)


def problem_text(body: dict[str, Any]) -> str:
    """A problem's body as plain text (a refusal of a CSV request that accepts no JSON):
    the status and title, the detail, each parameter's error, and the type's URL."""
    lines = [f"{body['status']} {body['title']}: {body['detail']}"]
    for error in body.get("errors", []):
        allowed = error.get("allowed")
        also = f" (allowed: {', '.join(allowed)})" if allowed else ""
        lines.append(f"{error['parameter']}: {error['message']}{also}")
    lines.append(f"type: {body['type']}")
    return "\n".join(lines) + "\n"


class NotFound(Problem):
    slug = "not-found"

    def __init__(self, kind: str, identifier: str) -> None:
        super().__init__(f"No {kind} has the id {identifier!r}.")


class AmbiguousRevision(Problem):
    slug = "ambiguous-revision"

    def __init__(self, given: str, matches: Sequence[str]) -> None:
        super().__init__(
            f"The revision {given!r} could be any of {', '.join(matches)}; give more of its "
            "characters.",
            errors=[
                ParameterError(
                    parameter="revision", message="ambiguous prefix", allowed=list(matches)
                )
            ],
        )


class NoHeadline(Problem):
    slug = "no-headline-measure"

    def __init__(self, disclosure: str, grouping: str, measures: Sequence[str]) -> None:
        message = (
            f"{disclosure} declares no headline measure for by={grouping}; "
            "choose one with measure=."
            if grouping
            else f"{disclosure} declares no chart; choose a measure with measure=."
        )
        super().__init__(
            message,
            errors=[ParameterError(parameter="measure", message=message, allowed=list(measures))],
        )


class InvalidParameter(Problem):
    slug = "invalid-parameter"

    def __init__(
        self,
        parameter: str,
        value: object,
        allowed: Sequence[str] | None = None,
        *,
        detail: str | None = None,
    ) -> None:
        message = detail or f"{value!r} is not a valid value for {parameter}."
        super().__init__(
            message,
            errors=[
                ParameterError(
                    parameter=parameter,
                    message=message,
                    allowed=list(allowed) if allowed is not None else None,
                )
            ],
        )


class UnknownParameter(Problem):
    slug = "unknown-parameter"

    def __init__(self, names: Sequence[str], allowed: Sequence[str]) -> None:
        listed = ", ".join(repr(n) for n in names)
        super().__init__(
            f"Unknown query parameter {listed}; this endpoint takes: {', '.join(allowed)}.",
            errors=[
                ParameterError(parameter=n, message="unknown parameter", allowed=list(allowed))
                for n in names
            ],
        )


class RepeatedParameter(Problem):
    slug = "repeated-parameter"

    def __init__(self, names: Sequence[str]) -> None:
        super().__init__(
            f"Query parameter {', '.join(repr(n) for n in names)} is given more than once; "
            "give each at most once.",
            errors=[ParameterError(parameter=n, message="given more than once") for n in names],
        )


class CannotCombine(Problem):
    slug = "cannot-combine-disclosures"

    def __init__(self, disclosures: Sequence[str]) -> None:
        super().__init__(
            f"This request names {len(disclosures)} disclosures "
            f"({', '.join(disclosures)}). Each FOI answer counts different things over "
            "different periods, so figures are never added or grouped across them; ask for "
            "one disclosure at a time, or see one measure across disclosures as separate "
            "points, each with its comparability notes, at /v1/series?measure=<measure>.",
            errors=[ParameterError(parameter="disclosure", message="name exactly one disclosure")],
        )


class NotAcceptable(Problem):
    slug = "not-acceptable"

    def __init__(self, offered: Sequence[str]) -> None:
        super().__init__(f"This endpoint can answer with: {', '.join(offered)}.")


class FormatNotImplemented(Problem):
    slug = "format-not-implemented"

    def __init__(self, requested: str) -> None:
        super().__init__(
            f"format={requested!r} is not implemented; this oEmbed endpoint answers json or xml.",
            errors=[
                ParameterError(
                    parameter="format", message="not implemented", allowed=["json", "xml"]
                )
            ],
        )


class PayloadTooLarge(Problem):
    slug = "payload-too-large"

    def __init__(self, limit: int) -> None:
        super().__init__(
            f"This API only answers GET and HEAD and reads no request body; send none "
            f"(at most {limit} bytes are tolerated)."
        )


class UriTooLong(Problem):
    slug = "uri-too-long"

    def __init__(self, length: int, limit: int) -> None:
        super().__init__(
            f"The path and query string are {length} bytes long; at most {limit} are accepted."
        )


class HeadersTooLarge(Problem):
    slug = "headers-too-large"

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"The request headers total {size} bytes; at most {limit} are accepted.")


class RateLimited(Problem):
    slug = "rate-limited"

    def __init__(self, retry_after: int, per_minute: int) -> None:
        super().__init__(
            f"This client may make {per_minute} requests a minute (with short bursts); "
            f"retry in {retry_after} s.",
            headers={"Retry-After": str(retry_after)},
        )


class ServiceUnavailable(Problem):
    slug = "service-unavailable"

    def __init__(self, retry_after: int = 5) -> None:
        super().__init__(
            "The database cannot be reached just now, and this response is not cached.",
            headers={"Retry-After": str(retry_after)},
        )


class BadHost(Problem):
    slug = "bad-host"

    def __init__(self, host: str, reason: str = "") -> None:
        super().__init__(
            reason or f"This service does not answer for the host {host!r}; see APP_ALLOWED_HOSTS."
        )


class PreconditionFailed(Problem):
    slug = "precondition-failed"

    def __init__(self) -> None:
        super().__init__("If-Match names no current representation of this resource.")


class Overloaded(Problem):
    slug = "overloaded"

    def __init__(self, retry_after: int = 2) -> None:
        super().__init__(
            "Every database connection of this process is busy, and this response is not "
            "cached; retry shortly.",
            headers={"Retry-After": str(retry_after)},
        )


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` entry documenting problem bodies for these statuses.

    FastAPI files the model under application/json; service.main moves every 4xx/5xx
    body to application/problem+json when it builds the schema.
    """
    return {
        status: {
            "model": ProblemDetail,
            "description": " / ".join(t for s, t, _ in PROBLEM_TYPES.values() if s == status),
        }
        for status in statuses
    }


#: The types of an embed's own 404 card (a frame or an image cannot show problem+json).
EMBED_CARD_TYPES = ("text/html", "image/svg+xml")


def problem_openapi(schema: dict[str, Any]) -> dict[str, Any]:
    """Declare every error body as application/problem+json with the ProblemDetail shape;
    an embed's 404 card keeps its own type beside it."""
    ref = {"$ref": "#/components/schemas/ProblemDetail"}
    for path_item in schema.get("paths", {}).values():
        for operation in path_item.values():
            # A refusal of a CSV request is plain text (a spreadsheet shows it as it is).
            offers_csv = "text/csv" in operation.get("responses", {}).get("200", {}).get(
                "content", {}
            )
            for status, response in operation.get("responses", {}).items():
                if not status.isdigit() or int(status) < 400:
                    continue
                content = response.get("content", {})
                if any(card in content for card in EMBED_CARD_TYPES):
                    # an embed's own error card; limits can still answer problem+json
                    content[PROBLEM_MEDIA_TYPE] = {"schema": ref}
                else:
                    response["content"] = {PROBLEM_MEDIA_TYPE: {"schema": ref}}
                if offers_csv:
                    response["content"][PLAIN_TEXT] = {"schema": {"type": "string"}}
    schemas = schema.get("components", {}).get("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    return schema
