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
from schemathesis.config import SchemathesisConfig
from schemathesis.config._checks import (
    NEGATIVE_DATA_REJECTION_EXPECTED_STATUSES,
    NOT_A_SERVER_ERROR_EXPECTED_STATUSES,
    POSITIVE_DATA_ACCEPTANCE_EXPECTED_STATUSES,
)
from sqlalchemy.engine import Engine

from service.caching import API_CSP, is_rendered
from service.config import Settings
from service.main import create_app
from service.paging import Cursor
from tests.contract.test_hostile import LEAKS
from tests.readonly import Snapshot

MAX_EXAMPLES = 40
#: A cursor is opaque: only one the service wrote is a position in a list (any other string
#: is a 400 page-by-cursor), so the fuzz pages from a real one.
CURSOR = Cursor(("met-2013", 1, "met-2013.officers.dismissed")).encode()

#: The lists paged by cursor: there `cursor` with `sort` or `offset` is a 400 page-by-cursor
#: problem, a rule between parameters that no JSON Schema of one parameter states, so a 400
#: counts as an answer to valid input there (and only there; the checks still hold it to
#: its documented problem+json or plain text).
PAGED_BY_CURSOR = ["/v1/figures", "/v1/cases"]
ACCEPTED = [*POSITIVE_DATA_ACCEPTANCE_EXPECTED_STATUSES, 414, 431]

#: A fixed seed for schemathesis's own choices; hypothesis is derandomized below. 414, 413
#: and 431 (URL, body or headers over the limits in service.limits) count as rejections.
#: oEmbed is the one operation with a 5xx by design: oEmbed 1.0 (section 2.3.5) requires
#: 501 for a format outside the schema's json and xml.
CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": 20130411,
        "parameters": {"query.cursor": CURSOR},
        "checks": {
            "negative_data_rejection": {
                "expected-statuses": [*NEGATIVE_DATA_REJECTION_EXPECTED_STATUSES, 413, 414, 431]
            },
            "positive_data_acceptance": {"expected-statuses": ACCEPTED},
        },
        "operations": [
            {
                "include-operation-id": "oembed",
                "checks": {
                    "not_a_server_error": {
                        "expected-statuses": [*NOT_A_SERVER_ERROR_EXPECTED_STATUSES, 501]
                    }
                },
            },
            {
                "include-path": PAGED_BY_CURSOR,
                "checks": {"positive_data_acceptance": {"expected-statuses": [*ACCEPTED, 400]}},
            },
        ],
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
    case.call_and_validate(app=seeded_app, additional_checks=[no_internals_leak])


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
    media = (response.headers.get("content-type") or [""])[0]
    if response.status_code != 304 and is_rendered(media):
        policy = response.headers["content-security-policy"]
        if case.operation.path.startswith("/v1/embed/"):
            assert "frame-ancestors" in policy[0]  # an embed's own policy
        else:
            assert policy == [API_CSP]
    else:  # JSON, CSV, problem+json: data a browser does not render
        assert "content-security-policy" not in response.headers
