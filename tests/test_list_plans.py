"""At 10^4 rows, every list query the service sends is read from an index that serves its
filter and its order (migration 0005_live_indexes): no full scan of the table and no sort
of its rows, on SQLite and on PostgreSQL. The statements checked are the ones the reads
really send, captured as they run, and explained with their own parameters."""

import itertools
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, insert
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, select

from service import paging
from service.reads.cases import list_cases
from service.reads.figures import figure_window
from service.seed import load
from service.tables import Case, Disclosure, Figure

ROWS = 10_000


def _dimensions(i: int) -> dict[str, Any]:
    """Each value a test filters by is held by 2% to 8% of the rows, as a platform or a year
    is among a million cases; the others are common."""
    return {
        "staff_type": "civilian_staff" if i % 50 == 3 else "police_officer",
        "outcome": "dismissed" if i % 40 == 5 else "cleared",
        "platform": "twitter" if i % 50 == 1 else "facebook",
        "year": 2009 + i % 13,
    }


#: The synthetic disclosure's live rows matching the filters counted below.
MATCHING = {
    "twitter": sum(1 for i in range(ROWS) if i % 50 == 1),
    "twitter+2015": sum(1 for i in range(ROWS) if i % 50 == 1 and i % 13 == 6),
}


@pytest.fixture
def large(engine: Engine) -> Engine:
    """10^4 live cases and figures of one synthetic disclosure (and a closed version of
    every tenth row), analysed as a load leaves them."""
    cases: list[dict[str, Any]] = []
    figures: list[dict[str, Any]] = []
    for i in range(ROWS):
        dims = _dimensions(i)
        for rev_from, rev_to in ((2, None), (1, 2)) if i % 10 == 0 else ((1, None),):
            cases.append(
                {
                    "id": f"scale.case-{i}",
                    "disclosure_id": "scale",
                    "rev_from": rev_from,
                    "rev_to": rev_to,
                    "summary": f"Synthetic case {i}.",
                    "in_foi_answer": "yes",
                    "sources": [],
                    "position": i,
                    **dims,
                }
            )
            figures.append(
                {
                    "id": f"scale.figure-{i}",
                    "disclosure_id": "scale",
                    "rev_from": rev_from,
                    "rev_to": rev_to,
                    "measure": "cases_by_platform" if i % 50 == 7 else "people_by_outcome",
                    "label": f"Synthetic figure {i}",
                    "unit": "people",
                    "value": i,
                    "position": i,
                    **dims,
                }
            )
    with Session(engine) as session:
        flagship = session.exec(select(Disclosure).where(Disclosure.id == "met-2013")).one()
        session.add(Disclosure(**{**flagship.model_dump(), "id": "scale", "case_count": ROWS}))
        session.commit()
    with engine.begin() as connection:
        connection.execute(insert(Case), cases)
        connection.execute(insert(Figure), figures)
    with Session(engine) as session:
        # What a load ends with: statistics and, on PostgreSQL, the trigram indexes' pending
        # lists merged (the planner shuns a trigram index with a long one); no VACUUM.
        load._refresh_statistics(session)
        session.commit()
    return engine


@contextmanager
def sent(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    """The statements (and their parameters) sent to `engine` inside the block."""
    statements: list[tuple[str, Any]] = []

    def record(_c: Connection, _cur: Any, statement: str, parameters: Any, *_: Any) -> None:
        statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _pg_nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from _pg_nodes(child)


def plan_of(connection: Connection, statement: str, parameters: Any) -> list[str]:
    """One line per plan step, naming the access path: SQLite's EXPLAIN QUERY PLAN details,
    or PostgreSQL's node type with the relation and index it reads."""
    if connection.dialect.name == "sqlite":
        rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
        return [row[-1] for row in rows]
    found = connection.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {statement}", parameters)
    raw = found.scalar_one()
    tree = (json.loads(raw) if isinstance(raw, str) else raw)[0]["Plan"]
    steps = []
    for node in _pg_nodes(tree):
        step = " ".join(
            str(node[k]) for k in ("Node Type", "Relation Name", "Index Name") if k in node
        )
        if node["Node Type"] == "Sort":  # what it sorts: the tables under it
            step += " of " + ",".join(
                sorted({n["Relation Name"] for n in _pg_nodes(node) if "Relation Name" in n})
            )
        steps.append(f"{step} {node['Plan Rows']}")
    return steps


def plans(engine: Engine, table: str, read: Callable[[Session], Any]) -> list[list[str]]:
    """The plan of every statement `read` sends that reads `table`."""
    with sent(engine) as statements, Session(engine) as session:
        read(session)
    with engine.connect() as connection:
        return [plan_of(connection, s, p) for s, p in statements if f"FROM {table}" in s]


def assert_served_by_index(
    found: list[list[str]], table: str, index: str, *, sorts_found: bool = False
) -> None:
    """Every statement reads `table` through an index, never scanning the table or sorting
    more than 1% of it, and the page (at least) reads through `index` (or one of a|b).
    `sorts_found`: rows looked up by id may be sorted (SQLite gives no estimate of them)."""
    assert found, "no statement read the table"
    for plan in found:
        steps = " | ".join(plan)
        found_by_key = ("USING INDEX sqlite_autoindex", "USING INTEGER PRIMARY KEY (rowid=?)")
        # A text search's walk (TEXT_WALK cases read in page order, as a subquery)
        # may be sorted again: at most that many rows.
        walk = any(step.startswith("SCAN anon_") for step in plan)
        if not (sorts_found and any(f"SEARCH {table} {k}" in steps for k in found_by_key)):
            assert walk or "TEMP B-TREE FOR ORDER BY" not in steps, steps  # SQLite sorting
        assert f"Seq Scan {table}" not in steps, steps
        assert not any(s.startswith(f"SCAN {table}") and "INDEX" not in s for s in plan), steps
        for step in plan:  # PostgreSQL: "Sort of <tables> <estimated rows>"
            if step.startswith("Sort of ") and table in step.split()[2].split(","):
                assert int(step.split()[-1]) <= ROWS // 100, steps
    assert any(i in " ".join(plan) for plan in found for i in index.split("|")), found


def _cases(**kwargs: Any) -> Callable[[Session], Any]:
    arguments: dict[str, Any] = {"disclosure": None, "filters": {}, "limit": 50, "offset": 0}
    return lambda session: list_cases(session, **{**arguments, **kwargs})


@pytest.mark.parametrize(
    ("read", "index"),
    [
        (_cases(), "ix_cases_live_order"),
        (_cases(disclosure="scale"), "ix_cases_live_order"),
        (_cases(offset=9_000), "ix_cases_live_order"),
        (_cases(cursor=paging.Cursor(("scale", 9_500, "scale.case-9500"))), "ix_cases_live_order"),
        (
            _cases(cursor=paging.Cursor(("scale", 9_500, "scale.case-9500"), backward=True)),
            "ix_cases_live_order",
        ),
        (_cases(filters={"staff_type": "civilian_staff"}), "ix_cases_live_staff_type"),
        (_cases(filters={"outcome": "dismissed"}), "ix_cases_live_outcome"),
        (_cases(filters={"platform": "twitter"}), "ix_cases_live_platform"),
        (_cases(filters={"year": 2015}, disclosure="scale"), "ix_cases_live_year"),
        (_cases(filters={"platform": "twitter", "year": 2015}), "ix_cases_live_platform_year"),
        (
            _cases(filters={"staff_type": "civilian_staff", "outcome": "dismissed"}),
            "ix_cases_live_staff_type_outcome",
        ),
        (
            _cases(filters={"year": 2015, "platform": "twitter"}, disclosure="scale"),
            "ix_cases_live_platform_year",
        ),
        (_cases(q="Case 1234."), "ix_cases_live_summary_trigrams|cases_text VIRTUAL TABLE"),
    ],
    ids=[
        "first",
        "disclosure",
        "offset",
        "cursor",
        "cursor-back",
        "staff_type",
        "outcome",
        "platform",
        "year",
        "platform-year",
        "staff_type-outcome",
        "year-platform-disclosure",
        "q",
    ],
)
def test_each_cases_query_reads_an_index_in_page_order(
    large: Engine, read: Callable[[Session], Any], index: str
) -> None:
    # A text search finds its few rows by index, then sorts only them.
    found = plans(large, "cases", read)
    assert_served_by_index(found, "cases", index, sorts_found="trigrams" in index)


@pytest.mark.parametrize(
    ("filters", "index"),
    [
        ({"platform": "twitter", "year": 2015}, "ix_cases_live_platform_year"),
        (
            {"staff_type": "civilian_staff", "outcome": "dismissed"},
            "ix_cases_live_staff_type_outcome",
        ),
    ],
    ids=["platform-year", "staff_type-outcome"],
)
def test_two_filters_count_and_page_from_the_index_of_the_pair(
    large: Engine, filters: dict[str, Any], index: str
) -> None:
    """Migration 0008: the capped count and the page of two filters together both read the
    pair's index, not one dimension's index walked for rows that also match the other."""
    found = plans(large, "cases", _cases(filters=filters))
    assert len(found) == 2  # the count, then the page
    for plan in found:
        assert index in " ".join(plan), plan


def test_a_filtered_count_stops_at_the_cap(large: Engine) -> None:
    with Session(large) as session:
        twitter = list_cases(
            session, disclosure="scale", filters={"platform": "twitter"}, limit=1, offset=0
        )
        assert (twitter.count, twitter.count_exact) == (MATCHING["twitter"], True)
        both = list_cases(
            session,
            disclosure="scale",
            filters={"platform": "twitter", "year": 2015},
            limit=1,
            offset=0,
        )
        assert (both.count, both.count_exact) == (MATCHING["twitter+2015"], True)
        every = list_cases(
            session, disclosure=None, filters={"in_foi_answer": "yes"}, limit=1, offset=0
        )
        assert (every.count, every.count_exact) == (paging.COUNT_CAP, False)


def _figures(**kwargs: Any) -> Callable[[Session], Any]:
    arguments: dict[str, Any] = {
        "disclosure": None,
        "measure": None,
        "dimensions": {},
        "disputed": None,
        "limit": 50,
        "offset": 0,
    }
    return lambda session: figure_window(session, **{**arguments, **kwargs})


@pytest.mark.parametrize(
    ("read", "index"),
    [
        (_figures(), "ix_figures_live_order"),
        (_figures(offset=9_900), "ix_figures_live_order"),
        (
            _figures(cursor=paging.Cursor(("scale", 9_900, "scale.figure-9900"))),
            "ix_figures_live_order",
        ),
        (_figures(measure="cases_by_platform"), "ix_figures_live_measure"),
        (_figures(dimensions={"platform": "twitter"}), "ix_figures_live_platform"),
        (_figures(dimensions={"year": 2011}), "ix_figures_live_year"),
        # The few disputed figures are found from their reports, then looked up by id; only
        # they are sorted.
        (_figures(disputed=True), "figures_pkey|sqlite_autoindex_figures_1"),
    ],
    ids=["first", "offset", "cursor", "measure", "platform", "year", "disputed"],
)
def test_each_figures_query_reads_an_index_in_page_order(
    large: Engine, read: Callable[[Session], Any], index: str
) -> None:
    found = plans(large, "figures", read)
    assert_served_by_index(found, "figures", index, sorts_found="figures_pkey" in index)


def test_a_common_text_is_paged_and_counted_from_the_order_index(large: Engine) -> None:
    """Every live case holds "synthetic": its page and its count are read from the first
    cases in page order, never from the text index, which would list all 10^4 first."""
    found = plans(large, "cases", _cases(q="synthetic"))
    for plan in found:
        assert not any("trigrams" in s or "cases_text" in s for s in plan), plan
    assert_served_by_index(found, "cases", "ix_cases_live_order")
    with Session(large) as session:
        page = list_cases(session, disclosure=None, filters={}, limit=3, offset=0, q="SYN")
    assert ([c.id for c in page.items], page.count, page.count_exact) == (
        ["scale.case-0", "scale.case-1", "scale.case-2"],
        ROWS,
        True,
    )


def test_text_search_pages_give_each_match_once_by_either_path(large: Engine) -> None:
    """ "case 1" is held by cases 1, 10 to 19, 100 to 199 and 1000 to 1999: the first pages
    come from the walk in page order, the pages past case 1999 from the text index (the
    walk finds nothing there), and every page back by `prev` is the one before."""
    expected = [f"scale.case-{i}" for i in range(ROWS) if str(i).startswith("1")]
    seen: list[str] = []
    pages: list[paging.Window] = []
    cursor: paging.Cursor | None = None
    with Session(large) as session:
        while True:
            page = list_cases(
                session, disclosure=None, filters={}, limit=100, offset=0, q="case 1", cursor=cursor
            )
            pages.append(page)
            seen += [c.id for c in page.items]
            if page.next is None:
                break
            cursor = page.next
        for before, page in itertools.pairwise(pages):
            assert page.prev is not None
            back = list_cases(
                session,
                disclosure=None,
                filters={},
                limit=100,
                offset=0,
                q="case 1",
                cursor=page.prev,
            )
            assert [c.id for c in back.items] == [c.id for c in before.items]
    assert (pages[0].count, pages[0].count_exact) == (len(expected), True)
    assert seen == expected  # in page order: positions are the case numbers
