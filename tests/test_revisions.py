"""Revisions you can cite: three published revisions of met-2013 (the original, a
correction of one figure, a new figure), read pinned and unpinned over real HTTP through
the app: every read takes ?revision=, a pinned answer never changes, the corrected figure
has a history, the feeds announce each revision, and a pinned card says what was corrected.
"""

from collections.abc import Iterator
from functools import partial
from typing import Any

import feedparser
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from service import feed
from service.config import Settings
from service.db import build_engine
from service.main import create_app
from service.seed import find_packages, read_package
from service.seed.load import publish_packages
from service.tables import Revision
from tests.conftest import MET_2013, SEED_DIR, Databases, copy_package
from tests.revisions import (
    ADDED,
    ADDITION_NOTE,
    CORRECTED,
    CORRECTION_NOTE,
    Three,
    publish_three,
)

IMMUTABLE = "public, max-age=31536000, immutable"


def _first_note() -> str:
    """The note of the seeded met-2013: its package's one `changes` entry."""
    (change,) = read_package(MET_2013).disclosure.changes
    return change["note"]


LIVE = "public, max-age=300"
HOST = "http://testserver"


@pytest.fixture(scope="session")
def published_three(
    databases: Databases, tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, Three]:
    """The three revisions, published once a run into a database each test copies."""
    folder = tmp_path_factory.mktemp("three")
    return databases.built(lambda engine: publish_three(engine, partial(copy_package, folder)))


@pytest.fixture
def three_database_url(databases: Databases, published_three: tuple[str, Three]) -> str:
    return databases.copy_of(published_three[0])


@pytest.fixture
def three_engine(three_database_url: str) -> Iterator[Engine]:
    engine = build_engine(Settings(database_url=three_database_url))
    yield engine
    engine.dispose()


@pytest.fixture
def three(published_three: tuple[str, Three]) -> Three:
    return published_three[1]


@pytest.fixture
def history_client(three_database_url: str, three_engine: Engine) -> Iterator[TestClient]:
    settings = Settings(
        database_url=three_database_url, revision_check_seconds=0, seed_dir=SEED_DIR
    )
    with TestClient(create_app(settings, three_engine)) as client:
        yield client


def dismissed(client: TestClient, query: str = "") -> tuple[int, dict[str, str], object]:
    response = client.get(f"/v1/figures/{CORRECTED}{query}")
    body = response.json()
    return response.status_code, dict(response.headers), body.get("value")


# ---------------------------------------------------------------- pinning


def test_each_revision_answers_its_own_reading_and_says_which_it_is(
    history_client: TestClient, three: Three
) -> None:
    r1, r2, r3 = three.ids
    for revision, value in ((r1, 3), (r2, 4), (r3, 4)):
        response = history_client.get(f"/v1/figures/{CORRECTED}?revision={revision}")
        assert response.status_code == 200
        assert response.json()["value"] == value
        assert response.headers["dataset-revision"] == revision
        assert response.headers["cache-control"] == IMMUTABLE
    latest = history_client.get(f"/v1/figures/{CORRECTED}")
    assert latest.json()["value"] == 4
    assert latest.headers["dataset-revision"] == r3
    assert latest.headers["cache-control"] == LIVE


def test_a_prefix_of_eight_characters_pins_as_the_full_id_does(
    history_client: TestClient, three: Three
) -> None:
    r1 = three.ids[0]
    short = history_client.get(f"/v1/figures/{CORRECTED}?revision={r1[:8]}")
    upper = history_client.get(f"/v1/figures/{CORRECTED}?revision={r1.upper()}")
    full = history_client.get(f"/v1/figures/{CORRECTED}?revision={r1}")
    assert short.json() == full.json() == upper.json()
    assert short.headers["dataset-revision"] == r1


def test_a_figure_added_later_is_absent_from_earlier_revisions(
    history_client: TestClient, three: Three
) -> None:
    r1, r2, r3 = three.ids
    assert history_client.get(f"/v1/figures/{ADDED}?revision={r1}").status_code == 404
    assert history_client.get(f"/v1/figures/{ADDED}?revision={r2}").status_code == 404
    assert history_client.get(f"/v1/figures/{ADDED}?revision={r3}").json()["value"] == 1
    counts = [
        history_client.get(f"/v1/figures?disclosure=met-2013&revision={r}").json()["count"]
        for r in three.ids
    ]
    assert counts == [40, 40, 41]


def test_a_pinned_answer_is_the_same_bytes_and_etag_every_time(
    history_client: TestClient, three: Three
) -> None:
    url = f"/v1/aggregates?by=staff_type,outcome&revision={three.ids[0]}"
    first = history_client.get(url)
    again = history_client.get(url)
    assert first.content == again.content
    assert first.headers["etag"] == again.headers["etag"]
    revalidated = history_client.get(url, headers={"If-None-Match": first.headers["etag"]})
    assert revalidated.status_code == 304
    latest = history_client.get("/v1/aggregates?by=staff_type,outcome")
    assert latest.headers["etag"] != first.headers["etag"]


def test_citations_quote_the_revision_read_and_pin_their_permalink(
    history_client: TestClient, three: Three
) -> None:
    r1 = three.ids[0]
    figure = history_client.get(f"/v1/figures/{CORRECTED}?revision={r1[:10]}").json()
    assert (
        f"revision {r1}, figure {CORRECTED}: {HOST}/figures/{CORRECTED}?revision={r1}."
        in (figure["citation"])
    )
    assert figure["cite"][0]["version"] == r1
    assert figure["cite"][0]["URL"] == f"{HOST}/figures/{CORRECTED}?revision={r1}"
    aggregate = history_client.get(f"/v1/aggregates?by=platform&revision={r1}").json()
    assert aggregate["dataset_revision"] == r1
    assert aggregate["revision"] == read_package(three.packages[0]).disclosure.revision


def test_a_package_revision_printed_by_an_older_citation_names_its_first_revision(
    history_client: TestClient, three: Three
) -> None:
    """Citations printed before revisions were kept name the package revision."""
    package_revision = read_package(MET_2013).disclosure.revision
    response = history_client.get(f"/v1/figures/{CORRECTED}?revision={package_revision}")
    assert response.status_code == 200
    assert response.headers["dataset-revision"] == three.ids[0]
    assert response.json()["value"] == 3


@pytest.mark.parametrize(
    ("given", "status"),
    [
        ("zzzzzzzz", 422),  # not hexadecimal
        ("abc1234", 422),  # too short
        ("0123456789abcdef0", 422),  # too long
        ("", 422),
        ("deadbeef", 404),
    ],
)
def test_a_revision_that_cannot_be_found_is_a_problem(
    history_client: TestClient, given: str, status: int
) -> None:
    for path in (f"/v1/figures/{CORRECTED}", "/v1/changes.atom", "/disclosures/met-2013"):
        response = history_client.get(
            f"{path}?revision={given}", headers={"Accept": "application/json"}
        )
        assert response.status_code == status, path
        assert response.headers["content-type"] == "application/problem+json"
        problem = response.json()
        assert problem["type"] == (
            "/problems/invalid-parameter" if status == 422 else "/problems/not-found"
        )


def test_a_prefix_two_revisions_share_is_a_409_naming_both(
    history_client: TestClient, three_engine: Engine, three: Three
) -> None:
    r1 = three.ids[0]
    twin = r1[:8] + "ffffffff" if not r1.endswith("ffffffff") else r1[:8] + "00000000"
    with Session(three_engine) as session:
        session.add(Revision(seq=99, id=twin, published="2026-12-05T00:00:00Z", note="twin"))
        session.commit()
    response = history_client.get(f"/v1/figures/{CORRECTED}?revision={r1[:8]}")
    assert response.status_code == 409
    problem = response.json()
    assert problem["type"] == "/problems/ambiguous-revision"
    assert problem["errors"] == [
        {"parameter": "revision", "message": "ambiguous prefix", "allowed": sorted([r1, twin])}
    ]
    assert history_client.get(f"/v1/figures/{CORRECTED}?revision={r1[:9]}").status_code == 200


# ---------------------------------------------------------------- revisions and history


def test_revisions_are_listed_newest_first_with_their_counts_and_notes(
    history_client: TestClient, three: Three
) -> None:
    r1, r2, r3 = three.ids
    listed = history_client.get("/v1/revisions").json()
    assert listed["count"] == 3
    summary = [
        (
            r["id"],
            r["number"],
            r["previous"],
            r["note"],
            r["figures_added"],
            r["figures_changed"],
            r["figures_removed"],
        )
        for r in listed["data"]
    ]
    assert summary == [
        (r3, 3, r2, f"met-2013: {ADDITION_NOTE}.", 1, 0, 0),
        (r2, 2, r1, f"met-2013: {CORRECTION_NOTE}.", 0, 1, 0),
        (r1, 1, None, f"met-2013: {_first_note()}", 40, 0, 0),
    ]
    assert listed["data"][1]["packages"] == [
        {
            "disclosure": "met-2013",
            "revision": read_package(three.packages[1]).disclosure.revision,
            "change": "changed",
            "notes": [CORRECTION_NOTE],
            "rows": {
                "disclosures": {"added": 0, "changed": 1, "removed": 0},
                "figures": {"added": 0, "changed": 1, "removed": 0},
                "figure_reports": {"added": 0, "changed": 5, "removed": 0},
            },
        }
    ]
    pinned = history_client.get(f"/v1/revisions?revision={r2}").json()
    assert [r["id"] for r in pinned["data"]] == [r2, r1]


def test_one_revision_lists_the_figures_it_changed_before_and_after(
    history_client: TestClient, three: Three
) -> None:
    r2 = three.ids[1]
    detail = history_client.get(f"/v1/revisions/{r2[:8]}").json()
    assert detail["id"] == r2
    assert [(c["figure"], c["change"], c["fields"]) for c in detail["changes"]] == [
        (CORRECTED, "changed", ["value", "min", "max", "reading", "reports"])
    ]
    change = detail["changes"][0]
    assert (change["before"]["reading"], change["after"]["reading"]) == ("3", "4")
    assert (change["before"]["value"], change["after"]["value"]) == (3, 4)
    assert history_client.get(f"/v1/revisions/{r2}?revision={three.ids[0]}").status_code == 404
    assert history_client.get("/v1/revisions/nothex!!").status_code == 422


def test_the_corrected_figure_has_a_history_with_each_reading_and_note(
    history_client: TestClient, three: Three
) -> None:
    r1, r2, _ = three.ids
    entries = history_client.get(f"/v1/figures/{CORRECTED}/history").json()["data"]

    def before(e: dict[str, Any]) -> str | None:
        return e["previous"]["reading"] if e["previous"] else None

    assert [
        (e["revision"], e["change"], before(e), e["reading"]["reading"], e["note"]) for e in entries
    ] == [
        (r1, "added", None, "3", _first_note()),
        (r2, "changed", "3", "4", CORRECTION_NOTE),
    ]
    pinned = history_client.get(f"/v1/figures/{CORRECTED}/history?revision={r1}").json()
    assert [e["revision"] for e in pinned["data"]] == [r1]
    added = history_client.get(f"/v1/figures/{ADDED}/history").json()["data"]
    assert [(e["revision"], e["change"]) for e in added] == [(three.ids[2], "added")]
    assert history_client.get("/v1/figures/met-2013.nothing/history").status_code == 404


# ---------------------------------------------------------------- the feeds


def test_the_atom_feed_has_an_entry_per_revision_with_old_and_new_readings(
    history_client: TestClient, three: Three
) -> None:
    r1, r2, r3 = three.ids
    response = history_client.get("/v1/changes.atom", headers={"Accept": "application/atom+xml"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/atom+xml"
    parsed = feedparser.parse(response.content)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert [e.link for e in parsed.entries] == [f"{HOST}/v1/revisions/{r}" for r in (r3, r2, r1)]
    correction = parsed.entries[1]
    assert correction.title == f"Revision 2 ({r2}): met-2013: {CORRECTION_NOTE}."
    assert correction.published == correction.updated
    assert [t.term for t in correction.tags] == ["met-2013"]
    assert (
        "Corrected: Police officers dismissed (met-2013.officers.dismissed): 3, now 4."
        in correction.content[0].value
    )
    assert (
        "Added: Civilian staff given a written warning in 2013 "
        f"({ADDED}): 1." in parsed.entries[0].content[0].value
    )
    assert len({e.id for e in parsed.entries}) == 3
    pinned = feedparser.parse(history_client.get(f"/v1/changes.atom?revision={r2}").content)
    assert [e.link for e in pinned.entries] == [f"{HOST}/v1/revisions/{r}" for r in (r2, r1)]


def test_the_json_feed_matches_the_atom_feed(history_client: TestClient, three: Three) -> None:
    response = history_client.get("/v1/changes.json")
    assert response.headers["content-type"] == "application/feed+json"
    body = response.json()
    assert body["version"] == "https://jsonfeed.org/version/1.1"
    atom = feedparser.parse(history_client.get("/v1/changes.atom").content)
    assert [i["id"] for i in body["items"]] == [e.id for e in atom.entries]
    assert [i["title"] for i in body["items"]] == [e.title for e in atom.entries]
    assert [i["_revision"]["id"] for i in body["items"]] == list(reversed(three.ids))


# ---------------------------------------------------------------- pinned embeds


def test_a_pinned_card_says_its_figure_was_corrected_and_links_to_the_current_one(
    history_client: TestClient, three: Three
) -> None:
    r1, r2, _ = three.ids
    old = history_client.get(f"/v1/embed/figures/{CORRECTED}?revision={r1}")
    assert old.status_code == 200
    assert (
        '<p class="corrected"><strong>Corrected since: now 4 officers.</strong> '
        f'<a href="{HOST}/figures/{CORRECTED}" target="_blank" rel="noopener noreferrer">'
        "See the figure now</a></p>"
    ) in old.text
    assert f"revision {r1} (pinned)" in old.text
    # It shows the newest revision too, so it is not immutable.
    assert old.headers["cache-control"] == LIVE
    current = history_client.get(f"/v1/embed/figures/{CORRECTED}?revision={r2}")
    assert "Corrected since" not in current.text
    svg = history_client.get(f"/v1/embed/figures/{CORRECTED}.svg?revision={r1}")
    assert "Corrected since: now 4 officers." in svg.text


def test_oembed_of_a_pinned_figure_url_embeds_the_pinned_card(
    history_client: TestClient, three: Three
) -> None:
    r1 = three.ids[0]
    url = f"http://testserver/figures/{CORRECTED}?revision={r1}"
    answer = history_client.get("/oembed", params={"url": url}).json()
    assert f'src="http://testserver/v1/embed/figures/{CORRECTED}?revision={r1}"' in answer["html"]
    live = history_client.get(
        "/oembed", params={"url": f"http://testserver/figures/{CORRECTED}"}
    ).json()
    assert answer["height"] > live["height"]  # the correction line
    bad = history_client.get("/oembed", params={"url": f"{url}zz"})
    assert bad.status_code == 422


NEW_IN_19 = (
    "met-2021-daily-mail-277",
    "met-2022-opendemocracy-ico-redacted-cases",
    "met-2023-inkl-507-complaints",
)


def test_the_three_later_disclosures_are_announced_as_one_revision(
    blank_database_url: str, blank_engine: Engine
) -> None:
    """The disclosures of issue 19 published on top of the six before them: one revision,
    one feed entry naming each package with its note and every figure it adds."""
    roots = find_packages(SEED_DIR)
    before = publish_packages(blank_engine, [r for r in roots if r.name not in NEW_IN_19])
    after = publish_packages(blank_engine, roots)
    assert before.revision is not None
    assert after.revision is not None
    added = [p for p in after.revision.packages if p["change"] == "added"]
    assert [p["disclosure"] for p in added] == list(NEW_IN_19)
    for package in added:
        assert package["notes"][0].startswith("First published: ")
    new_figures = sum(len(read_package(SEED_DIR / name).figures) for name in NEW_IN_19)
    assert after.revision.figures_added == new_figures
    settings = Settings(database_url=blank_database_url, revision_check_seconds=0)
    with TestClient(create_app(settings, blank_engine)) as client:
        feed = feedparser.parse(client.get("/v1/changes.atom").content)
    entry = feed.entries[0]
    assert entry.link == f"{HOST}/v1/revisions/{after.revision.id}"
    assert set(NEW_IN_19) <= {t.term for t in entry.tags}
    for name in NEW_IN_19:
        assert f"{name} (added, package revision " in entry.content[0].value
    assert (
        "Added: Constables with a complaint about their behaviour on social media, 2018 to "
        "2022 (met-2023-inkl-507-complaints.rank.constable): 383."
    ) in entry.content[0].value


def test_a_pinned_figure_page_says_what_it_shows_and_what_the_figure_reads_now(
    history_client: TestClient, three: Three
) -> None:
    r1, r2, _ = three.ids
    old = history_client.get(f"/figures/{CORRECTED}?revision={r1}").text
    assert (
        f'<p class="pinned" role="note">You are reading revision <code>{r1}</code> of the data, '
        "published "
    ) in old
    assert (
        "<strong>Corrected since: now 4 officers.</strong> "
        f'<a href="/figures/{CORRECTED}">See the figure now</a>.</p>'
    ) in old
    assert '<p class="reading"><span class="big">3</span>' in old
    # Its history stops at the revision it shows; the page now has both rows.
    assert old.count(f'<a href="/figures/{CORRECTED}?revision=') == 1
    now = history_client.get(f"/figures/{CORRECTED}").text
    assert '<p class="pinned"' not in now
    assert (
        f'<td data-label="Reading">3 → 4</td>\n<td data-label="Note">{CORRECTION_NOTE}</td>' in now
    )
    # Its embeds pin to the revision it shows by default.
    assert (
        f'data-variant="iframe-light-pinned" '
        f'data-preview="http://testserver/v1/embed/figures/{CORRECTED}'
    ) in old
    assert f'&amp;revision={r1}" data-kind="iframe"' in old
    assert '<input type="radio" name="version" value="pinned" checked>' in old
    assert history_client.get(f"/figures/{CORRECTED}?revision={r2}").status_code == 200


def test_a_feed_entry_lists_the_first_changes_and_says_how_many_more(
    history_client: TestClient, three: Three, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(feed, "FEED_CHANGES", 1)
    r1 = three.ids[0]
    parsed = feedparser.parse(history_client.get("/v1/changes.atom").content)
    first = parsed.entries[-1].content[0].value
    assert first.count("Added: ") == 1
    assert first.endswith(f"And 39 more: every change is at {HOST}/v1/revisions/{r1}.")
    assert len(history_client.get(f"/v1/revisions/{r1}").json()["changes"]) == 40
