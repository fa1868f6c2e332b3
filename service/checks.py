"""Reconciliation checks: does a total agree with the sum of its parts?

Counts are reading.Interval values; a check compares a total with the sum of its parts
through the interval of total minus parts.
"""

from dataclasses import dataclass

from service.reading import Interval, between, span

HOLDS = "holds"
HOLDS_WITHIN_RANGE = "holds_within_range"
GAP = "gap"
CONTRADICTION = "contradiction"


@dataclass(frozen=True, slots=True)
class Outcome:
    status: str
    parts: Interval
    difference_min: int | None
    difference_max: int | None
    gap: int | None
    explanation: str


def evaluate(total: Interval, parts: list[Interval]) -> Outcome:
    summed = sum(parts, Interval(0, 0))
    # total - parts = [total.low - parts.high, total.high - parts.low]
    diff_min = None if summed.high is None else total.low - summed.high
    diff_max = None if total.high is None else total.high - summed.low
    exact = total.exact and summed.exact
    if exact and diff_min == 0:
        return Outcome(HOLDS, summed, 0, 0, None, "The parts add up exactly to the total.")
    return _inexact(summed, diff_min, diff_max, exact)


def _inexact(summed: Interval, diff_min: int | None, diff_max: int | None, exact: bool) -> Outcome:
    """A check whose parts do not add up exactly: a gap, a contradiction, or a range."""
    if diff_min is not None and diff_min > 0:
        gap = diff_min if exact else None
        size = str(diff_min) if exact else span(diff_min, diff_max)
        return Outcome(
            GAP, summed, diff_min, diff_max, gap, f"The parts fall short of the total by {size}."
        )
    if diff_max is not None and diff_max < 0:
        excess = span(-diff_max, None if diff_min is None else -diff_min)
        return Outcome(
            CONTRADICTION,
            summed,
            diff_min,
            diff_max,
            None,
            f"The parts exceed the total by {excess}; they cannot both be right.",
        )
    return Outcome(
        HOLDS_WITHIN_RANGE,
        summed,
        diff_min,
        diff_max,
        None,
        "The parts can add up to the total within the ranges given; the total "
        f"minus the parts is {between(diff_min, diff_max)}.",
    )
