"""Contract fuzzing: schemathesis drives every operation of the app's own OpenAPI schema,
in-process, with every default check (no 5xx, documented status codes, content types,
headers and response schemas, rejection of invalid input, unsupported methods).

The schema is loaded from the app itself (`GET /openapi.json` on an app whose database is
never touched: serving the schema needs none). The committed openapi/openapi.json is
generated from the same app and kept identical by `make openapi-check`, so this fuzzes
exactly the contract clients see. Calls go to an app on a fresh seeded database per
operation. A fixed seed (derandomize) and a bounded number of examples per operation keep
the run repeatable and short.
"""

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error, positive_data_acceptance
from schemathesis.config import SchemathesisConfig
from schemathesis.config._checks import NEGATIVE_DATA_REJECTION_EXPECTED_STATUSES
from sqlalchemy.engine import Engine

from service.config import Settings
from service.main import create_app
from service.middleware import API_CSP
from tests.contract.test_hostile import LEAKS
from tests.readonly import Snapshot

MAX_EXAMPLES = 40

#: Query parameters whose valid values depend on the loaded data, not on the schema: the
#: schema cannot list disclosure ids or measures without changing whenever data does, so a
#: well-typed but unknown value gets the documented 422 naming the known ones, and a comma
#: in `disclosure` gets the documented 400 "cannot-combine-disclosures".
DATA_DEPENDENT = {"disclosure", "measure", "by"}
DATA_DEPENDENT_TYPES = {"/problems/invalid-parameter", "/problems/cannot-combine-disclosures"}

#: A fixed seed for schemathesis's own choices; hypothesis is derandomized below. 414, 413
#: and 431 (URL, body or headers over the limits in service.limits) count as rejections.
CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": 20130411,
        "checks": {
            "negative_data_rejection": {
                "expected-statuses": [*NEGATIVE_DATA_REJECTION_EXPECTED_STATUSES, 413, 414, 431]
            }
        },
    }
)

schema = schemathesis.openapi.from_asgi(
    "/openapi.json",
    create_app(Settings(database_url="sqlite://", revision_check_seconds=0)),
    config=CONFIG,
)


@pytest.fixture
def seeded_app(settings: Settings, engine: Engine) -> Iterator[FastAPI]:
    """An app on a fresh seeded database; fuzzing it must not change a row."""
    app = create_app(settings, engine)
    before = Snapshot.take(engine)
    yield app
    assert Snapshot.take(engine) == before


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_every_operation_keeps_its_contract(
    case: schemathesis.Case[Any], seeded_app: FastAPI
) -> None:
    case.call_and_validate(
        app=seeded_app,
        excluded_checks=[positive_data_acceptance, not_a_server_error],
        additional_checks=[
            schema_valid_requests_are_accepted,
            no_server_error_but_oembed_501,
            no_internals_leak,
        ],
    )


def schema_valid_requests_are_accepted(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: schemathesis.Case[Any]
) -> bool | None:
    """schemathesis's positive_data_acceptance, except for the documented rejection of
    well-typed values that name no loaded disclosure, measure or grouping."""
    if response.status_code in (414, 431):
        return True  # the documented transport limits apply to schema-valid requests too
    if response.status_code in (404, 501) and case.operation.path == "/oembed":
        # A well-formed url that names no figure (404) and a format other than json (501)
        # are the oEmbed spec's own answers.
        return True
    if response.status_code in (400, 422) and _is_problem(response):
        body = response.json()
        named = {e["parameter"] for e in body.get("errors", [])}
        if body["type"] in DATA_DEPENDENT_TYPES and named and named <= DATA_DEPENDENT:
            return True
    result: bool | None = positive_data_acceptance(ctx, response, case)
    return result


def no_server_error_but_oembed_501(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: schemathesis.Case[Any]
) -> bool | None:
    """schemathesis's not_a_server_error, except oEmbed's own 501 for a format it does not
    implement (oEmbed 1.0, section 2.3.5)."""
    if response.status_code == 501 and case.operation.path == "/oembed":
        assert response.json()["type"] == "/problems/format-not-implemented"
        return True
    result: bool | None = not_a_server_error(ctx, response, case)
    return result


def no_internals_leak(
    ctx: schemathesis.CheckContext,  # noqa: ARG001 (schemathesis passes every check one)
    response: schemathesis.Response,
    case: schemathesis.Case[Any],
) -> None:
    """No stack trace, SQL text or server banner in any answer; security headers on all."""
    text = response.content.decode("utf-8", "replace")
    for marker in LEAKS:
        assert marker not in text, f"{marker!r} in the response body"
    assert "server" not in response.headers
    assert response.headers["x-content-type-options"] == ["nosniff"]
    assert response.headers["referrer-policy"] == ["no-referrer"]
    if response.status_code != 304:
        policy = response.headers["content-security-policy"]
        if case.operation.path.startswith("/v1/embed/"):
            assert "frame-ancestors" in policy[0]  # an embed's own policy
        else:
            assert policy == [API_CSP]


def _is_problem(response: schemathesis.Response) -> bool:
    return response.headers.get("content-type", [""])[0] == "application/problem+json"
