"""/v1/outcomes and /v1/platforms: the taxonomies with their counts."""

from fastapi.testclient import TestClient


def test_outcomes_are_in_severity_order_with_counts_per_staff_type(client: TestClient) -> None:
    body = client.get("/v1/outcomes").json()
    assert body["count"] == 17
    assert [o["code"] for o in body["data"]][:3] == [
        "dismissed",
        "resigned_or_retired_before_dismissal",
        "resigned_or_retired",
    ]
    dismissed = body["data"][0]
    assert (dismissed["label"], dismissed["order"]) == ("Dismissed", 1)
    assert [(c["staff_type"], c["value"]) for c in dismissed["counts"]] == [
        ("police_officer", 3),
        ("civilian_staff", 4),
        (None, 7),
    ]
    warnings = next(o for o in body["data"] if o["code"] == "written_warning")
    assert [
        (c["staff_type"], c["value"], c["min"], c["max"], c["disputed"]) for c in warnings["counts"]
    ] == [("police_officer", None, 17, 18, True), ("civilian_staff", 4, 4, 4, False)]
    never = next(o for o in body["data"] if o["code"] == "reflective_practice")
    assert never["counts"] == []


def test_platforms_carry_the_platform_figures(client: TestClient) -> None:
    body = client.get("/v1/platforms").json()
    counts = {
        p["code"]: [(c["value"], c["min"], c["qualifier"]) for c in p["counts"]]
        for p in body["data"]
    }
    assert counts["facebook"] == [(None, None, "the vast majority")]
    assert counts["twitter"] == [(2, 2, None)]
    assert counts["unspecified"] == [(None, 2, "a number of")]
    assert counts["instagram"] == []
