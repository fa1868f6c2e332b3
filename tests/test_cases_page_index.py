"""/v1/cases pages in (disclosure_id, position, id) order; an index in that order keeps an
uncached deep page from sorting the whole table (migration 0002_cases_page_order)."""

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

from tests.conftest import BACKEND


def test_cases_have_an_index_in_page_order(engine: Engine) -> None:
    indexes = {i["name"]: i["column_names"] for i in inspect(engine).get_indexes("cases")}
    assert indexes["ix_cases_page_order"] == ["disclosure_id", "position", "id"]


def test_a_cases_page_is_read_in_index_order_without_a_sort(engine: Engine) -> None:
    if BACKEND != "sqlite":
        pytest.skip("PostgreSQL's planner picks by table size: four rows are a sequential scan")
    query = (
        "EXPLAIN QUERY PLAN SELECT * FROM cases "
        "ORDER BY disclosure_id, position, id LIMIT 50 OFFSET 2"
    )
    with engine.connect() as connection:
        plan = [row[-1] for row in connection.execute(text(query))]
    assert plan == ["SCAN cases USING INDEX ix_cases_page_order"]
