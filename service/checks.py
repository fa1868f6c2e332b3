"""Range arithmetic and the evaluation of reconciliation checks.

A count is an interval [low, high]: exact counts have low == high, a missing ceiling
is None (unbounded), and words with no number are [0, None]. A check compares a total
with the sum of its parts through the interval of total minus parts.
"""

from dataclasses import dataclass

HOLDS = "holds"
HOLDS_WITHIN_RANGE = "holds_within_range"
GAP = "gap"
CONTRADICTION = "contradiction"


@dataclass(frozen=True, slots=True)
class Interval:
    low: int
    high: int | None

    @classmethod
    def of(cls, value: int | None, low: int | None, high: int | None) -> "Interval":
        if value is not None:
            return cls(value, value)
        return cls(low or 0, high)

    @property
    def exact(self) -> bool:
        return self.high == self.low

    def __add__(self, other: "Interval") -> "Interval":
        high = None if self.high is None or other.high is None else self.high + other.high
        return Interval(self.low + other.low, high)


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
    if diff_min is not None and diff_min > 0:
        gap = diff_min if exact else None
        size = str(diff_min) if exact else _span(diff_min, diff_max)
        return Outcome(
            GAP, summed, diff_min, diff_max, gap, f"The parts fall short of the total by {size}."
        )
    if diff_max is not None and diff_max < 0:
        excess = _span(-diff_max, None if diff_min is None else -diff_min)
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
        f"minus the parts is {_between(diff_min, diff_max)}.",
    )


def _span(low: int, high: int | None) -> str:
    if high == low:
        return str(low)
    return f"{low} to {_bound(high)}"


def _between(low: int | None, high: int | None) -> str:
    if low is None:
        return f"at most {high}"
    if high is None:
        return f"at least {low}"
    return f"between {low} and {high}"


def _bound(value: int | None) -> str:
    return "no limit" if value is None else str(value)
