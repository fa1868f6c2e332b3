"""A count as published: an exact number, a range, a floor, or only words.

A source may print "3", "17 or 18" (two sources disagreeing), "a number of" or "the vast
majority". Every surface (the JSON and CSV, cards, charts, checks and the loader) reads such
a count through this module, so its arithmetic and its words are written once.

A count is an Interval [low, high]: an exact count has low == high, a missing ceiling is
None, and words with no number are [0, None].
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

Number = int | None


@dataclass(frozen=True, slots=True)
class Interval:
    low: int
    high: int | None

    @classmethod
    def of(cls, value: Number, low: Number, high: Number) -> "Interval":
        """The interval a reading allows; words with no number allow anything."""
        if value is not None:
            return cls(value, value)
        return cls(low or 0, high)

    @classmethod
    def stated(cls, value: Number, low: Number, high: Number) -> "Interval | None":
        """The interval a reading states, or None when it gives words only."""
        if not has_number(value, low, high):
            return None
        return cls.of(value, low, high)

    @property
    def exact(self) -> bool:
        return self.high == self.low

    def overlaps(self, other: "Interval") -> bool:
        return (self.high is None or other.low <= self.high) and (
            other.high is None or self.low <= other.high
        )

    def __add__(self, other: "Interval") -> "Interval":
        high = None if self.high is None or other.high is None else self.high + other.high
        return Interval(self.low + other.low, high)


#: What a source printed about a figure. Only number, range and words are a reading of the
#: figure itself; "parts" means the source printed the part figures and never this number,
#: "named_without_count" that it named the category but gave no count.
#: What a derived figure is, in the words of every surface: citations, cards, charts, pages,
#: MCP answers, /llms.txt and the API's field descriptions.
DERIVED = "our arithmetic from the disclosed figures; no source printed this number"
#: The same, where a mark or a short tag stands for it.
DERIVED_SHORT = "our arithmetic"
#: How a derived figure's sources are credited: with the parts they printed.
DERIVED_CREDIT = "our arithmetic from the parts printed by"


def sentence(words: str) -> str:
    """`words` as a sentence of their own: capitalised, with a full stop."""
    return words[:1].upper() + words[1:] + "."


def derived_from_parts(gave: str) -> str:
    """A derived figure's credit naming what each source gave."""
    return f"{DERIVED_SHORT} from the parts: {gave}"


REPORT_KINDS = ("number", "range", "words", "parts", "named_without_count")
PRINTED_KINDS = ("number", "range", "words")


def kind_of(value: Number, low: Number, high: Number) -> str:
    """The kind a reading's columns make it: number, range or words."""
    if value is not None:
        return "number"
    return "range" if low is not None or high is not None else "words"


def report_headline(
    kind: str, value: Number, low: Number, high: Number, qualifier: str | None, gave: str = ""
) -> str:
    """What a source's report says, as you would print it; `gave` names the parts a
    parts-only source printed ('6 officers and 2 staff')."""
    if kind == "parts":
        return f"gave {gave}, not this number" if gave else "gave the parts, not this number"
    if kind == "named_without_count":
        return "named it without a count"
    return headline(value, low, high, qualifier)


def has_number(value: Number, low: Number, high: Number) -> bool:
    return value is not None or low is not None or high is not None


def number_words(value: Number, low: Number, high: Number) -> str | None:
    """3, 17 to 18, at least 2, at most 4; None when no number is given."""
    if value is not None:
        return str(value)
    if low is not None and high is not None:
        return f"{low} to {high}"
    if low is not None:
        return f"at least {low}"
    if high is not None:
        return f"at most {high}"
    return None


def headline(value: Number, low: Number, high: Number, qualifier: str | None) -> str:
    """What to print as the count: the number or range, else the source's own words."""
    return number_words(value, low, high) or qualifier or "no figure given"


def words(value: Number, low: Number, high: Number, qualifier: str | None) -> str:
    """The whole reading a reader can quote: '2 (“a number of”)', or the words alone."""
    numbers = number_words(value, low, high)
    if numbers is None:
        return f"“{qualifier}” (no number given)" if qualifier else "no figure given"
    return f"{numbers} (“{qualifier}”)" if qualifier else numbers


def publisher_in_sentence(publisher: str) -> str:
    """'The Guardian' as it reads mid-sentence: 'the Guardian'."""
    return "the " + publisher[4:] if publisher.startswith("The ") else publisher


def listed(names: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def reported(
    reports: Iterable[tuple[str, Number, Number, Number, str | None]],
    gave: Iterable[tuple[str, str]] = (),
) -> str:
    """Who printed what, sources that agree grouped together, in report order, then who gave
    only the parts (publisher, what it gave): 'the Guardian reported 18; Evening Standard
    and the Independent reported 17', '...; the Guardian gave 6 officers and 2 staff, not
    this number'."""
    said: dict[str, list[str]] = {}
    for publisher, value, low, high, qualifier in reports:
        said.setdefault(words(value, low, high, qualifier), []).append(
            publisher_in_sentence(publisher)
        )
    lines = [f"{listed(names)} reported {text}" for text, names in said.items()]
    lines += [f"{publisher_in_sentence(p)} {given}" for p, given in gave]
    return "; ".join(lines)


def span(low: int, high: int | None) -> str:
    """An amount known to lie in [low, high]: '6', '1 to 4', '2 to no limit'."""
    if high == low:
        return str(low)
    return f"{low} to {'no limit' if high is None else high}"


def between(low: int | None, high: int | None) -> str:
    """A difference known to lie in [low, high], either end possibly open."""
    if low is None:
        return f"at most {high}"
    if high is None:
        return f"at least {low}"
    return f"between {low} and {high}"


def disputed(readings: Iterable[tuple[Number, Number, Number]]) -> bool:
    """Whether sources' (value, min, max) readings disagree; words-only reports do not count."""
    numbers = {r for r in readings if has_number(*r)}
    return len(numbers) > 1


def published(
    value: Number, low: Number, high: Number, qualifier: str | None, *, is_disputed: bool
) -> dict[str, Any]:
    """The reading as served: an undisputed exact count has min = max = value, so charts
    always get an interval; a disputed one is served as its range, never one source's number."""
    if value is not None and not is_disputed:
        return {"value": value, "min": value, "max": value, "qualifier": qualifier}
    return {"value": None, "min": low, "max": high, "qualifier": qualifier}
