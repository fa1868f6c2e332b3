"""What counts as a total and its own part, worked out here from the public answers alone
(the checks' total/part terms and the figures' dimensions), not from service.composition:
the tests of every surface that shows several figures check its `part_of` against it. Any
httpx client will do: a TestClient, or one with the base URL of a running service."""

from typing import Any

import httpx
from fastapi.testclient import TestClient

Http = TestClient | httpx.Client

#: Dimensions a narrower figure fixes where its total leaves them open.
DIMENSIONS = ("force", "staff_type", "outcome", "platform", "allegation", "year", "rank")
#: A part's unit, and the units a total of it may count in.
WITHIN = {"officers": {"officers", "people"}, "staff": {"staff", "people"}}


def all_figures(client: Http) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    while True:
        page = client.get("/v1/figures", params={"limit": 200, "offset": len(found)}).json()
        found += page["data"]
        if len(found) >= page["count"]:
            return found


def _within(part: dict[str, Any], total: dict[str, Any]) -> bool:
    return total["unit"] in WITHIN.get(part["unit"], {part["unit"]})


def _narrower(part: dict[str, Any], total: dict[str, Any]) -> bool:
    fixed = [d for d in DIMENSIONS if total[d] is not None]
    return all(part[d] == total[d] for d in fixed) and any(
        part[d] is not None for d in DIMENSIONS if total[d] is None
    )


def own_parts(client: Http) -> set[tuple[str, str]]:
    """Every (part, total) pair of one measure: a check's part and total, or a figure of the
    same answer that fixes every dimension its total fixes and one more."""
    figures = {f["id"]: f for f in all_figures(client)}
    pairs = set()
    checks = client.get("/v1/checks", params={"limit": 200}).json()["data"]
    for check in checks:
        total = figures[check["total"]["figure"]]
        for term in check["parts"]:
            part = figures[term["figure"]]
            if part["measure"] == total["measure"] and _within(part, total):
                pairs.add((part["id"], total["id"]))
    for part in figures.values():
        for total in figures.values():
            if (
                part["id"] != total["id"]
                and (part["disclosure"], part["measure"]) == (total["disclosure"], total["measure"])
                and _within(part, total)
                and _narrower(part, total)
            ):
                pairs.add((part["id"], total["id"]))
    return pairs


def breaches(shown: dict[str, str | None], pairs: set[tuple[str, str]]) -> list[str]:
    """What is wrong with figures shown together ({figure: its part_of}): a total and its
    own part where the part names no total, or a part_of that names no total of it."""
    wrong = [
        f"{part} shown with its total {total} without part_of"
        for part, total in sorted(pairs)
        if part in shown and total in shown and not shown[part]
    ]
    wrong += [
        f"{figure} names {named}, which is not a total of it"
        for figure, named in sorted(shown.items())
        if named and (figure, named) not in pairs
    ]
    return wrong
