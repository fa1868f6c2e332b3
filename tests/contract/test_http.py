"""HTTP contract around every read: errors, negotiation, caching, CORS, pagination."""

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from service.paging import Cursor
from service.seed import load_packages
from tests.conftest import MET_2013, edit_csv

# ---------------------------------------------------------------- errors


def test_unknown_query_parameter_is_a_400_naming_it(client: TestClient) -> None:
    response = client.get("/v1/cases?platfrom=facebook")
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    allowed = [
        "bom",
        "cursor",
        "disclosure",
        "format",
        "limit",
        "offset",
        "outcome",
        "platform",
        "q",
        "revision",
        "sort",
        "staff_type",
        "year",
    ]
    assert response.json() == {
        "type": "/problems/unknown-parameter",
        "title": "Unknown query parameter",
        "status": 400,
        "detail": "Unknown query parameter 'platfrom'; this endpoint takes: "
        + ", ".join(allowed)
        + ".",
        "instance": "/v1/cases",
        "errors": [{"parameter": "platfrom", "message": "unknown parameter", "allowed": allowed}],
    }


def test_repeated_parameter_is_a_400(client: TestClient) -> None:
    response = client.get("/v1/figures?outcome=dismissed&outcome=cleared")
    assert response.status_code == 400
    assert response.json()["type"] == "/problems/repeated-parameter"
    assert response.json()["detail"] == (
        "Query parameter 'outcome' is given more than once; give each at most once."
    )


def test_unknown_filter_value_is_a_422_listing_the_allowed_values(client: TestClient) -> None:
    response = client.get("/v1/cases?platform=myspace")
    assert response.status_code == 422
    problem = response.json()
    assert problem["type"] == "/problems/invalid-parameter"
    assert problem["detail"] == "Invalid value for: platform."
    [error] = problem["errors"]
    assert error["parameter"] == "platform"
    assert error["allowed"] == [
        "facebook",
        "twitter",
        "linkedin",
        "youtube",
        "friends_reunited",
        "instagram",
        "snapchat",
        "tiktok",
        "whatsapp",
        "text_messages",
        "dating_site",
        "dating_apps",
        "website",
        "other",
        "unspecified",
    ]


def test_filters_shared_through_a_dependency_list_their_values_too(client: TestClient) -> None:
    response = client.get("/v1/figures?outcome=sacked")
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["parameter"] == "outcome"
    assert error["allowed"][:3] == [
        "dismissed",
        "resigned_or_retired_before_dismissal",
        "resigned_or_retired",
    ]


def test_unknown_disclosure_is_a_422_listing_the_known_ones(client: TestClient) -> None:
    response = client.get("/v1/figures?disclosure=met-1999")
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["parameter"] == "disclosure"
    assert "met-2013" in error["allowed"]


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("limit=501", "limit"),
        ("limit=-1", "limit"),
        ("offset=-5", "offset"),
        ("limit=ten", "limit"),
        ("year=20111", "year"),
        ("format=xml", "format"),
        ("disputed=perhaps", "disputed"),
    ],
)
def test_out_of_range_parameters_are_422(client: TestClient, query: str, parameter: str) -> None:
    response = client.get(f"/v1/figures?{query}")
    assert response.status_code == 422
    assert [e["parameter"] for e in response.json()["errors"]] == [parameter]


def test_unknown_path_is_a_404_problem(client: TestClient) -> None:
    response = client.get("/v1/nothing-here")
    assert response.status_code == 404
    assert response.json() == {
        "type": "/problems/not-found",
        "title": "Not found",
        "status": 404,
        "detail": "No endpoint at /v1/nothing-here; see /openapi.json.",
        "instance": "/v1/nothing-here",
    }


def test_writes_are_405_with_allow(client: TestClient) -> None:
    response = client.post("/v1/figures")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET"
    assert response.json()["type"] == "/problems/method-not-allowed"


def test_an_accept_we_cannot_serve_is_a_406(client: TestClient) -> None:
    response = client.get("/v1/figures", headers={"Accept": "application/xml"})
    assert response.status_code == 406
    assert response.json()["detail"] == (
        "This endpoint can answer with: application/json, text/csv; charset=utf-8."
    )
    single = client.get("/v1/figures/met-2013.all.dismissed", headers={"Accept": "text/csv"})
    assert single.status_code == 406
    assert single.json()["detail"] == "This endpoint can answer with: application/json."


def test_problem_types_are_documented(client: TestClient) -> None:
    assert client.get("/problems/unknown-parameter").json() == {
        "type": "/problems/unknown-parameter",
        "title": "Unknown query parameter",
        "status": 400,
        "description": "A query parameter this endpoint does not take; nothing was filtered by it.",
    }
    assert client.get("/problems/nonsense").status_code == 404


# ---------------------------------------------------------------- caching and CORS


def test_a_repeated_request_gets_a_304(client: TestClient) -> None:
    first = client.get("/v1/aggregates?by=platform")
    etag = first.headers["etag"]
    # Strong (no W/ prefix); the test client accepts brotli, so it is the -br representation's.
    assert re.fullmatch(r'"[0-9a-f]{32}-br"', etag)
    assert first.headers["cache-control"] == "public, max-age=300"
    assert first.headers["vary"] == "Accept, Accept-Encoding, Origin"
    again = client.get("/v1/aggregates?by=platform", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    other = client.get("/v1/aggregates?by=platform", headers={"If-None-Match": '"stale"'})
    assert other.status_code == 200


def test_parameter_order_does_not_change_the_etag(client: TestClient) -> None:
    a = client.get("/v1/figures?outcome=dismissed&staff_type=police_officer")
    b = client.get("/v1/figures?staff_type=police_officer&outcome=dismissed")
    assert a.headers["etag"] == b.headers["etag"]
    assert a.content == b.content


def test_json_and_csv_have_different_etags(client: TestClient) -> None:
    json_etag = client.get("/v1/cases").headers["etag"]
    csv_etag = client.get("/v1/cases", headers={"Accept": "text/csv"}).headers["etag"]
    assert json_etag != csv_etag


def test_changed_data_gives_a_new_etag(
    client: TestClient, engine: Engine, tmp_path_factory: pytest.TempPathFactory
) -> None:
    import shutil

    before = client.get("/v1/figures/met-2013.officers.dismissed")
    package = tmp_path_factory.mktemp("changed") / "met-2013"
    shutil.copytree(MET_2013, package)
    edit_csv(package / "notes.csv", 2, "text", "Reworded note.")
    load_packages(engine, [package])
    # Until the process re-reads the revision (every APP_REVISION_CHECK_SECONDS), the
    # cached response still stands; then the next request is built afresh.
    stale = client.get(
        "/v1/figures/met-2013.officers.dismissed", headers={"If-None-Match": before.headers["etag"]}
    )
    assert stale.status_code == 304
    client.app.state.app.tracker.refresh()  # type: ignore[attr-defined]
    after = client.get(
        "/v1/figures/met-2013.officers.dismissed", headers={"If-None-Match": before.headers["etag"]}
    )
    assert after.status_code == 200
    assert after.headers["etag"] != before.headers["etag"]
    assert after.json()["citation"] != before.json()["citation"]


def test_cors_is_open_for_reads_without_credentials(client: TestClient) -> None:
    response = client.get("/v1/meta", headers={"Origin": "https://example.org"})
    assert response.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in response.headers
    assert "ETag" in response.headers["access-control-expose-headers"]
    cached = client.get("/v1/meta", headers={"Origin": "https://example.org"})
    assert cached.headers["access-control-allow-origin"] == "*"
    # Only a browser acting cross-origin reads them; the answer says it varies on Origin.
    plain = client.get("/v1/meta")
    assert "access-control-allow-origin" not in plain.headers
    assert "access-control-expose-headers" not in plain.headers
    assert plain.headers["vary"].endswith(", Origin")
    preflight = client.options(
        "/v1/meta",
        headers={"Origin": "https://example.org", "Access-Control-Request-Method": "GET"},
    )
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-methods"] == "GET, HEAD, OPTIONS"


def test_head_has_the_headers_and_no_body(client: TestClient) -> None:
    for _ in range(2):  # once through FastAPI, once from the cache
        response = client.head("/v1/aggregates?by=outcome")
        assert response.status_code == 200
        assert response.content == b""
        assert response.headers["etag"]
        assert int(response.headers["content-length"]) > 0


def test_request_id_is_echoed_or_made(client: TestClient) -> None:
    given = client.get("/v1/meta", headers={"X-Request-Id": "desk-42"})
    assert given.headers["x-request-id"] == "desk-42"
    made = client.get("/v1/meta", headers={"X-Request-Id": "<script>"})
    assert len(made.headers["x-request-id"]) == 32


# ---------------------------------------------------------------- pagination


def _after(position: int, figure_id: str, backward: bool = False) -> str:
    """The URL of met-2013's figures, 15 a page, after (or before) this figure."""
    cursor = Cursor(("met-2013", position, figure_id), backward).encode()
    return f"/v1/figures?cursor={cursor}&disclosure=met-2013&limit=15"


def test_pagination_edges(client: TestClient) -> None:
    empty = client.get("/v1/figures?disclosure=met-2013&limit=0")
    assert empty.json() == {
        "data": [],
        "count": 40,
        "count_exact": True,
        "limit": 0,
        "offset": 0,
        "next": None,
        "prev": None,
    }
    assert "link" not in empty.headers

    first = client.get("/v1/figures?disclosure=met-2013&limit=15")
    ids = [f["id"] for f in first.json()["data"]]
    assert first.headers["link"] == f'<{_after(14, ids[-1])}>; rel="next"'
    assert (first.json()["next"], first.json()["prev"]) == (_after(14, ids[-1]), None)

    second = client.get(_after(14, ids[-1])).json()
    ids = [f["id"] for f in second["data"]]
    assert (len(ids), second["offset"]) == (15, 0)
    assert (second["next"], second["prev"]) == (_after(29, ids[-1]), _after(15, ids[0], True))

    third = client.get(second["next"])
    last = [f["id"] for f in third.json()["data"]]
    assert last[-1] == "met-2013.outcome-named.final-written-warning"
    assert len(last) == 10
    assert third.headers["link"] == f'<{_after(30, last[0], True)}>; rel="prev"'
    assert client.get(third.json()["prev"]).json()["data"] == second["data"]

    by_offset = client.get("/v1/figures?disclosure=met-2013&limit=15&offset=30").json()
    assert by_offset["data"] == third.json()["data"]
    assert (by_offset["next"], by_offset["prev"]) == (None, _after(30, last[0], True))

    beyond = client.get("/v1/figures?disclosure=met-2013&limit=15&offset=100")
    assert beyond.json() == {
        "data": [],
        "count": 40,
        "count_exact": True,
        "limit": 15,
        "offset": 100,
        "next": None,
        "prev": None,
    }


@pytest.mark.parametrize("path", ["/v1/cases", "/v1/figures"])
def test_an_offset_deeper_than_10000_is_refused_naming_the_cursor(
    client: TestClient, path: str
) -> None:
    assert client.get(f"{path}?offset=10000").status_code == 200
    deep = client.get(f"{path}?offset=10001")
    assert deep.status_code == 400
    assert deep.headers["content-type"] == "application/problem+json"
    assert deep.json()["detail"] == (
        "offset is at most 10,000; deeper pages are reached with cursor= (follow each page's "
        "next link, in the Link header and the body's `next`)."
    )
    assert deep.json()["errors"][0]["parameter"] == "offset"


@pytest.mark.parametrize(
    ("query", "detail"),
    [
        (
            "cursor=not-a-cursor",
            "'not-a-cursor' is not a cursor of this list: follow the next or prev link of a "
            "page, or leave cursor out for the first page.",
        ),
        (
            f"cursor={Cursor(('met-2013', 1, 'x')).encode()}&offset=5",
            "Give cursor or offset, not both.",
        ),
        (
            f"cursor={Cursor(('met-2013', 1, 'x')).encode()}&sort=year",
            "cursor pages the default order; with sort, page by offset.",
        ),
    ],
    ids=["garbage", "with-offset", "with-sort"],
)
def test_a_bad_cursor_is_a_400_naming_it(client: TestClient, query: str, detail: str) -> None:
    for path in ("/v1/cases", "/v1/figures"):
        response = client.get(f"{path}?{query}")
        assert response.status_code == 400, response.text
        assert response.json()["detail"] == detail
        assert response.json()["errors"][0]["parameter"] == "cursor"


def test_cases_paginate_in_the_database(client: TestClient) -> None:
    page = client.get("/v1/cases?disclosure=met-2013&limit=2&offset=2").json()
    assert page["count"] == 4
    assert [c["id"] for c in page["data"]] == ["met-2013.case-3", "met-2013.case-4"]


def test_a_non_matching_if_match_is_412(client: TestClient) -> None:
    """Issue 17 item 10: RFC 9110 13.1.1; a mismatch used to be ignored."""
    etag = client.get("/v1/meta").headers["etag"]
    assert client.get("/v1/meta", headers={"if-match": etag}).status_code == 200
    assert client.get("/v1/meta", headers={"if-match": f'"x", {etag}'}).status_code == 200
    failed = client.get("/v1/meta", headers={"if-match": '"other"', "X-Request-Id": "m-1"})
    assert failed.status_code == 412
    assert failed.headers["content-type"] == "application/problem+json"
    assert failed.headers["x-request-id"] == "m-1"
    assert "etag" not in failed.headers
    assert failed.json() == {
        "type": "/problems/precondition-failed",
        "title": "Precondition failed",
        "status": 412,
        "detail": "If-Match names no current representation of this resource.",
        "instance": "/v1/meta",
    }
    weak = client.get("/v1/meta", headers={"if-match": f"W/{etag}"})
    assert weak.status_code == 412  # If-Match compares strongly


@pytest.mark.parametrize("value", ["1_0", "5.0", "+5", " 5", "5 ", "\uff10"])
def test_integer_parameters_take_ascii_digits_only(client: TestClient, value: str) -> None:
    response = client.get("/v1/figures", params={"limit": value})
    assert response.status_code == 422
    assert response.json()["errors"][0]["parameter"] == "limit"
    assert response.json()["errors"] == [
        {"parameter": "limit", "message": "limit must be a whole number in ASCII digits only."}
    ]
    assert client.get("/v1/figures", params={"limit": "05"}).json()["limit"] == 5
