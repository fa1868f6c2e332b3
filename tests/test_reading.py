"""service.reading: a count as published, its interval arithmetic and its words."""

import pytest

from service import reading
from service.reading import Interval


@pytest.mark.parametrize(
    ("value", "low", "high", "allowed", "stated"),
    [
        (3, None, None, Interval(3, 3), Interval(3, 3)),
        (None, 17, 18, Interval(17, 18), Interval(17, 18)),
        (None, 2, None, Interval(2, None), Interval(2, None)),
        (None, None, 4, Interval(0, 4), Interval(0, 4)),
        (None, None, None, Interval(0, None), None),
    ],
)
def test_a_reading_allows_an_interval_and_states_one_only_with_a_number(
    value: int | None, low: int | None, high: int | None, allowed: Interval, stated: Interval | None
) -> None:
    assert Interval.of(value, low, high) == allowed
    assert Interval.stated(value, low, high) == stated


def test_intervals_add_and_an_open_ceiling_stays_open() -> None:
    assert Interval(3, 3) + Interval(17, 18) == Interval(20, 21)
    assert Interval(3, 3) + Interval(2, None) == Interval(5, None)
    assert Interval(3, 3).exact
    assert not Interval(17, 18).exact


@pytest.mark.parametrize(
    ("a", "b", "overlap"),
    [
        (Interval(17, 18), Interval(18, 18), True),
        (Interval(17, 18), Interval(19, 20), False),
        (Interval(2, None), Interval(75, 75), True),
        (Interval(0, 4), Interval(5, None), False),
        (Interval(5, None), Interval(0, 4), False),
    ],
)
def test_overlap_is_symmetric_and_open_ended(a: Interval, b: Interval, overlap: bool) -> None:
    assert a.overlaps(b) is overlap
    assert b.overlaps(a) is overlap


@pytest.mark.parametrize(
    ("value", "low", "high", "qualifier", "headline", "words"),
    [
        (7, None, None, None, "7", "7"),
        (None, 17, 18, None, "17 to 18", "17 to 18"),
        (None, 2, None, "a number of", "at least 2", "at least 2 (“a number of”)"),
        (None, None, 4, None, "at most 4", "at most 4"),
        (
            None,
            None,
            None,
            "the vast majority",
            "the vast majority",
            "“the vast majority” (no number given)",
        ),
        (None, None, None, None, "no figure given", "no figure given"),
    ],
)
def test_the_words_of_a_reading(
    value: int | None,
    low: int | None,
    high: int | None,
    qualifier: str | None,
    headline: str,
    words: str,
) -> None:
    assert reading.headline(value, low, high, qualifier) == headline
    assert reading.words(value, low, high, qualifier) == words


def test_spans_and_differences_in_words() -> None:
    assert reading.span(6, 6) == "6"
    assert reading.span(1, 4) == "1 to 4"
    assert reading.span(2, None) == "2 to no limit"
    assert reading.between(-1, 3) == "between -1 and 3"
    assert reading.between(None, 3) == "at most 3"
    assert reading.between(2, None) == "at least 2"


def test_sources_disagree_only_on_numbers() -> None:
    assert reading.disputed([(18, None, None), (17, None, None), (17, None, None)])
    assert not reading.disputed([(7, None, None), (7, None, None)])
    assert not reading.disputed([(None, None, None), (3, None, None)])  # words do not disagree
    assert not reading.disputed([])


def test_a_disputed_exact_count_is_served_as_its_range() -> None:
    assert reading.published(18, 17, 18, None, is_disputed=True) == {
        "value": None,
        "min": 17,
        "max": 18,
        "qualifier": None,
    }
    assert reading.published(3, None, None, None, is_disputed=False) == {
        "value": 3,
        "min": 3,
        "max": 3,
        "qualifier": None,
    }
