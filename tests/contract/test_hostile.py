"""Hostile input: every request in the table gets exactly the status and problem type it
must, and the whole table, run against one database, changes no row, leaves the dataset
revision alone and logs nothing at ERROR level."""

import logging
from dataclasses import dataclass, field

import httpx2
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from service.caching import API_CSP, is_rendered
from tests.readonly import Snapshot

SQLI = "' OR '1'='1' --"
SQLI_UNION = "1 UNION SELECT id, revision FROM disclosure"
LONG = "a" * 2100
#: Signs of a stack trace or database error text in a response (the request's own SQL-ish
#: input may be echoed back in a problem's detail; these may not).
LEAKS = ("Traceback", 'File "', "sqlalchemy", "[SQL:", "psycopg", "sqlite3", "Error:")


@dataclass(frozen=True)
class Hostile:
    method: str
    url: str
    status: int
    problem: str | None  # the problem `type` slug; None when the answer is not a problem
    headers: dict[str, str | bytes] = field(default_factory=dict)
    body: bytes | None = None


TABLE: dict[str, Hostile] = {
    # SQL injection in every filter and every id
    "sqli-disclosure": Hostile("GET", f"/v1/figures?disclosure={SQLI}", 422, "invalid-parameter"),
    "sqli-measure": Hostile("GET", f"/v1/figures?measure={SQLI}", 422, "invalid-parameter"),
    "sqli-staff-type": Hostile("GET", f"/v1/figures?staff_type={SQLI}", 422, "invalid-parameter"),
    "sqli-outcome": Hostile("GET", f"/v1/cases?outcome={SQLI}", 422, "invalid-parameter"),
    "sqli-platform": Hostile("GET", f"/v1/cases?platform={SQLI}", 422, "invalid-parameter"),
    "sqli-allegation": Hostile("GET", f"/v1/figures?allegation={SQLI}", 422, "invalid-parameter"),
    "sqli-rank": Hostile("GET", f"/v1/figures?rank={SQLI}", 422, "invalid-parameter"),
    "sqli-year": Hostile("GET", "/v1/cases?year=2011 OR 1=1", 422, "invalid-parameter"),
    "sqli-disputed": Hostile("GET", f"/v1/figures?disputed={SQLI}", 422, "invalid-parameter"),
    "sqli-status": Hostile("GET", f"/v1/checks?status={SQLI}", 422, "invalid-parameter"),
    "sqli-by": Hostile(
        "GET", "/v1/aggregates?by=platform;DROP TABLE figure", 422, "invalid-parameter"
    ),
    "sqli-aggregate-measure": Hostile(
        "GET", f"/v1/aggregates?by=platform&measure={SQLI_UNION}", 422, "invalid-parameter"
    ),
    "sqli-sources-disclosure": Hostile(  # the comma makes it two disclosures
        "GET", f"/v1/sources?disclosure={SQLI_UNION}", 400, "cannot-combine-disclosures"
    ),
    "sqli-outcomes-disclosure": Hostile(
        "GET", f"/v1/outcomes?disclosure={SQLI}", 422, "invalid-parameter"
    ),
    "sqli-disclosure-id": Hostile("GET", f"/v1/disclosures/{SQLI}", 404, "not-found"),
    "sqli-figure-id": Hostile("GET", f"/v1/figures/met-2013{SQLI}", 404, "not-found"),
    "sqli-case-id": Hostile("GET", f"/v1/cases/{SQLI_UNION}", 404, "not-found"),
    "sqli-check-id": Hostile("GET", f"/v1/checks/met-2013.K1{SQLI}", 404, "not-found"),
    "sqli-problem-slug": Hostile("GET", f"/problems/{SQLI}", 404, "not-found"),
    # path traversal in ids
    "traversal-figure": Hostile("GET", "/v1/figures/..%2F..%2Fetc%2Fpasswd", 404, "not-found"),
    "traversal-case": Hostile("GET", "/v1/cases/%2e%2e%2f%2e%2e%2fseed", 404, "not-found"),
    "traversal-check-backslash": Hostile("GET", "/v1/checks/..%5C..%5Cwin.ini", 404, "not-found"),
    "traversal-problem": Hostile("GET", "/problems/..%2f..%2fetc%2fpasswd", 404, "not-found"),
    # very long query strings and headers, and bodies
    "long-query": Hostile("GET", f"/v1/figures?measure={LONG}", 414, "uri-too-long"),
    "long-id": Hostile("GET", f"/v1/figures/{LONG}", 414, "uri-too-long"),
    "long-header": Hostile(
        "GET", "/v1/meta", 431, "headers-too-large", headers={"x-padding": "h" * 9000}
    ),
    "many-headers": Hostile(
        "GET",
        "/v1/meta",
        431,
        "headers-too-large",
        headers={f"x-h{i}": "v" * 40 for i in range(250)},
    ),
    "body-on-get": Hostile("GET", "/v1/figures", 413, "payload-too-large", body=b"{}"),
    "body-on-post": Hostile("POST", "/v1/figures", 413, "payload-too-large", body=b"a=1"),
    "chunked-body": Hostile(
        "GET",
        "/v1/meta",
        413,
        "payload-too-large",
        headers={"transfer-encoding": "chunked"},
        body=b"0\r\n\r\n",
    ),
    # repeated and unknown parameters
    "repeated-limit": Hostile("GET", "/v1/figures?limit=1&limit=2", 400, "repeated-parameter"),
    "repeated-disclosure": Hostile(
        "GET", "/v1/cases?disclosure=met-2013&disclosure=met-2013", 400, "repeated-parameter"
    ),
    "unknown-parameter": Hostile("GET", "/v1/figures?platfrom=facebook", 400, "unknown-parameter"),
    "combined-disclosures": Hostile(
        "GET",
        "/v1/aggregates?by=platform&disclosure=met-2013,met-2014",
        400,
        "cannot-combine-disclosures",
    ),
    # non-UTF-8 and NUL bytes
    "non-utf8-query": Hostile("GET", "/v1/figures?measure=%ff%fe", 422, "invalid-parameter"),
    "non-utf8-id": Hostile("GET", "/v1/figures/%ff%fe", 404, "not-found"),
    "non-utf8-header": Hostile(
        "GET", "/v1/meta", 200, None, headers={"x-note": b"\xff\xfe caf\xe9"}
    ),
    "nul-in-query": Hostile("GET", "/v1/figures?disclosure=met-2013%00", 422, "invalid-parameter"),
    "nul-in-figure-id": Hostile(
        "GET", "/v1/figures/met-2013.officers.dismissed%00", 404, "not-found"
    ),
    "nul-in-disclosure-id": Hostile("GET", "/v1/disclosures/met-2013%00", 404, "not-found"),
    "newline-in-case-id": Hostile("GET", "/v1/cases/met-2013.case-4%0D%0AX: y", 404, "not-found"),
    # limit and offset: negative, zero, huge, non-numeric
    "limit-negative": Hostile("GET", "/v1/figures?limit=-1", 422, "invalid-parameter"),
    "limit-zero": Hostile("GET", "/v1/figures?limit=0", 200, None),
    "limit-over-cap": Hostile("GET", "/v1/figures?limit=501", 422, "invalid-parameter"),
    "limit-huge": Hostile(
        "GET", "/v1/figures?limit=99999999999999999999999", 422, "invalid-parameter"
    ),
    "limit-word": Hostile("GET", "/v1/cases?limit=ten", 422, "invalid-parameter"),
    "limit-float": Hostile("GET", "/v1/cases?limit=1.5", 422, "invalid-parameter"),
    "limit-empty": Hostile("GET", "/v1/cases?limit=", 422, "invalid-parameter"),
    "limit-fullwidth-digit": Hostile("GET", "/v1/cases?limit=%EF%BC%91", 422, "invalid-parameter"),
    "offset-negative": Hostile("GET", "/v1/figures?offset=-5", 422, "invalid-parameter"),
    "offset-zero": Hostile("GET", "/v1/figures?offset=0", 200, None),
    "offset-huge": Hostile("GET", "/v1/checks?offset=10000000000", 422, "invalid-parameter"),
    "offset-hex": Hostile("GET", "/v1/checks?offset=0x10", 422, "invalid-parameter"),
    "offset-nan": Hostile("GET", "/v1/checks?offset=NaN", 422, "invalid-parameter"),
    # strict integers (issue 17): ASCII digits only, no sign, no underscore, no fraction
    "limit-underscore": Hostile("GET", "/v1/figures?limit=1_0", 422, "invalid-parameter"),
    "limit-zero-fraction": Hostile("GET", "/v1/figures?limit=5.0", 422, "invalid-parameter"),
    "limit-plus": Hostile("GET", "/v1/figures?limit=%2B5", 422, "invalid-parameter"),
    "limit-spaces": Hostile("GET", "/v1/figures?limit=%205", 422, "invalid-parameter"),
    "offset-underscore": Hostile("GET", "/v1/cases?offset=1_0", 422, "invalid-parameter"),
    "offset-plus": Hostile("GET", "/v1/cases?offset=%2B1", 422, "invalid-parameter"),
    "year-plus": Hostile("GET", "/v1/cases?year=%2B2011", 422, "invalid-parameter"),
    "year-fraction": Hostile("GET", "/v1/cases?year=2011.0", 422, "invalid-parameter"),
    "maxwidth-underscore": Hostile(
        "GET",
        "/oembed?url=http://testserver/v1/embed/figures/met-2013.officers.dismissed&maxwidth=4_00",
        422,
        "invalid-parameter",
    ),
    # conditional requests (issue 17): a non-matching If-Match is 412, not ignored
    "if-match-mismatch": Hostile(
        "GET", "/v1/meta", 412, "precondition-failed", headers={"if-match": '"nope"'}
    ),
    "if-match-weak": Hostile(
        "GET", "/v1/figures", 412, "precondition-failed", headers={"if-match": 'W/"x"'}
    ),
    "if-match-any": Hostile("GET", "/v1/meta", 200, None, headers={"if-match": "*"}),
    # the Host header (issue 17): only the allowed names are served
    "host-evil": Hostile("GET", "/v1/meta", 400, "bad-host", headers={"host": "evil.example"}),
    "host-evil-redirect": Hostile(
        "GET", "/v1/figures/", 400, "bad-host", headers={"host": "evil.example"}
    ),
    "host-evil-oembed": Hostile(
        "GET",
        "/oembed?url=http://evil.example/v1/embed/figures/met-2013.officers.dismissed",
        400,
        "bad-host",
        headers={"host": "evil.example:8000"},
    ),
    "host-empty": Hostile("GET", "/v1/meta", 400, "bad-host", headers={"host": ""}),
    "host-with-userinfo": Hostile(
        "GET", "/v1/meta", 400, "bad-host", headers={"host": "testserver@evil.example"}
    ),
    "host-allowed-with-port": Hostile(
        "GET", "/v1/meta", 200, None, headers={"host": "localhost:8000"}
    ),
    # unknown format and odd Accept values
    "format-xml": Hostile("GET", "/v1/figures?format=xml", 422, "invalid-parameter"),
    "format-upper": Hostile("GET", "/v1/figures?format=CSV", 422, "invalid-parameter"),
    "format-on-object": Hostile("GET", "/v1/meta?format=csv", 400, "unknown-parameter"),
    "accept-xml": Hostile(
        "GET", "/v1/figures", 406, "not-acceptable", headers={"accept": "application/xml"}
    ),
    "accept-html": Hostile(
        "GET", "/v1/cases", 406, "not-acceptable", headers={"accept": "text/html"}
    ),
    "accept-nothing": Hostile(
        "GET", "/v1/figures", 406, "not-acceptable", headers={"accept": "*/*;q=0"}
    ),
    "accept-bad-q": Hostile(
        "GET", "/v1/figures", 406, "not-acceptable", headers={"accept": "text/csv;q=abc"}
    ),
    "accept-csv-on-object": Hostile(
        "GET", "/v1/meta", 406, "not-acceptable", headers={"accept": "text/csv"}
    ),
    "accept-garbage": Hostile(
        "GET", "/v1/meta", 406, "not-acceptable", headers={"accept": ";;;,,,/"}
    ),
    # HEAD, OPTIONS and every unsupported method
    "head": Hostile("HEAD", "/v1/figures", 200, None),
    "options": Hostile("OPTIONS", "/v1/figures", 204, None),
    **{
        f"method-{m.lower()}": Hostile(m, "/v1/figures", 405, "method-not-allowed")
        for m in ("POST", "PUT", "PATCH", "DELETE", "TRACE", "CONNECT", "PROPFIND")
    },
    "method-delete-id": Hostile(
        "DELETE", "/v1/figures/met-2013.officers.dismissed", 405, "method-not-allowed"
    ),
    "method-put-meta": Hostile("PUT", "/v1/meta", 405, "method-not-allowed"),
    # unknown paths
    "unknown-path": Hostile("GET", "/v1/figures.php", 404, "not-found"),
    "admin-path": Hostile("GET", "/admin", 404, "not-found"),
}


def send(client: TestClient, case: Hostile) -> httpx2.Response:
    headers = {
        k.encode(): v if isinstance(v, bytes) else v.encode() for k, v in case.headers.items()
    }
    return client.request(
        case.method, case.url, headers=headers, content=case.body, follow_redirects=False
    )


def check(case: Hostile, response: httpx2.Response) -> None:
    assert response.status_code == case.status, response.text
    content_type = response.headers.get("content-type")
    if case.problem is None:
        assert content_type != "application/problem+json"
    else:
        assert content_type == "application/problem+json"
        body = response.json()
        assert body["type"] == f"/problems/{case.problem}"
        assert body["status"] == case.status
    text = response.text
    for leak in LEAKS:
        assert leak not in text
    assert "server" not in response.headers
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    # A CSP only where a browser renders the answer: a problem+json refusal is data.
    if content_type is not None and is_rendered(content_type):
        assert response.headers["content-security-policy"] == API_CSP
    else:
        assert "content-security-policy" not in response.headers


@pytest.mark.parametrize("name", list(TABLE))
def test_hostile_request_gets_its_exact_answer(client: TestClient, name: str) -> None:
    case = TABLE[name]
    check(case, send(client, case))


def test_the_table_is_big_enough() -> None:
    assert len(TABLE) >= 40


def test_the_whole_table_changes_nothing_and_logs_no_error(
    client: TestClient, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    before = Snapshot.take(engine)
    meta_before = client.get("/v1/meta").json()["revision"]
    with caplog.at_level(logging.DEBUG):
        for case in TABLE.values():
            check(case, send(client, case))
    assert Snapshot.take(engine) == before
    assert client.get("/v1/meta").json()["revision"] == meta_before == before.revision
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
