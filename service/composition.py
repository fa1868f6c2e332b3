"""What may stand together: the one rule every surface that shows several figures follows.

Figures stand side by side only when they count the same thing: the same measure, in the
same unit, for the same staff scope, over the same kind of period, broken down the same
way, in answer to the same requester's question. Such figures form a group; a request that
spans groups gets every group, each labelled with why it stands apart from the others, and
nothing is summed or lined up across groups. A figure that is a part of another (a year of
a four-year total, officers among officers and staff, a rank among all ranks) carries
`part_of`, the id of its total, wherever it is shown.

The rule reads only the figures, their disclosures and the checks' total/part relations;
it never looks at values, so a correction to a number never moves a figure between groups.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from service.tables import Disclosure, Figure
from service.taxonomy import KINDS

#: Units that count people, and the units each one counts within: officers and staff are
#: both people, so 75 officers may be a part of 87 people, never of 87 cases.
COUNTED_WITHIN: dict[str, frozenset[str]] = {
    "officers": frozenset({"officers", "people"}),
    "staff": frozenset({"staff", "people"}),
}

#: Dimensions a group is keyed on apart from staff scope and year (its own key parts). A
#: survey's figures about one force each are broken down by force; the figures of a
#: package about one force all have its force, which breaks nothing down.
BREAKDOWN_DIMENSIONS = ("force", *KINDS)
FIXABLE = ("staff_type", *BREAKDOWN_DIMENSIONS, "year")

SCOPE_WORDS = {
    "police_officer": "police officers",
    "civilian_staff": "civilian staff",
    "both": "officers and staff together",
}
PERIOD_WORDS = {
    "span": "a period of more than a year",
    "year": "one calendar year each",
    "unstated": "a period the answer does not state",
}


@dataclass(frozen=True, order=True)
class Key:
    """What makes two figures comparable: everything but the disclosure they come from."""

    measure: str
    unit: str
    scope: str
    period: str
    breakdown: tuple[str, ...]
    #: The requester, or for an unnamed one the disclosure: two unnamed requesters are
    #: never known to have asked the same question.
    requester: str


@dataclass
class Group:
    id: str
    label: str
    reason: str
    key: Key
    figures: list[str] = field(default_factory=list)
    disclosures: list[str] = field(default_factory=list)


@dataclass
class Composition:
    """The groups the figures fall into, in display order, and every part's total."""

    groups: list[Group]
    group_of: dict[str, str]
    part_of: dict[str, str]

    def group(self, group_id: str) -> Group:
        return next(g for g in self.groups if g.id == group_id)


def _unnamed(requester: str) -> bool:
    return "unnamed" in requester.lower() or "not stated" in requester.lower()


def is_survey(disclosure: Disclosure) -> bool:
    """Whether a disclosure is a survey of several forces."""
    return len(disclosure.forces) > 1


def _breakdown(figure: Figure, disclosure: Disclosure) -> tuple[str, ...]:
    return tuple(
        d
        for d in BREAKDOWN_DIMENSIONS
        if getattr(figure, d) is not None and (d != "force" or is_survey(disclosure))
    )


def key_of(figure: Figure, disclosure: Disclosure) -> Key:
    if figure.year is not None:
        period = "year"
    elif figure.period or disclosure.period_start:
        period = "span"
    else:
        period = "unstated"
    # Two surveys are never joined, even by one requester: each asked its own question of
    # forces that each searched their own records in their own way.
    own = _unnamed(disclosure.requester) or is_survey(disclosure)
    requester = disclosure.id if own else disclosure.requester
    return Key(
        measure=figure.measure,
        unit=figure.unit,
        scope=figure.staff_type or "both",
        period=period,
        breakdown=_breakdown(figure, disclosure),
        requester=requester,
    )


def _years(figure: Figure, disclosure: Disclosure) -> tuple[int | None, int | None]:
    """The first and last calendar year a figure covers, where known."""
    if figure.year is not None:
        return figure.year, figure.year
    found = [int(y) for y in re.findall(r"\b(?:19|20)\d\d\b", figure.period or "")]
    if len(found) >= 2:
        return min(found), max(found)
    start = disclosure.period_start
    end = disclosure.period_end
    return (int(start[:4]) if start else None, int(end[:4]) if end else None)


def _unit_within(part: Figure, total: Figure) -> bool:
    return total.unit in COUNTED_WITHIN.get(part.unit, frozenset({part.unit}))


def _same_count(part: Figure, total: Figure) -> bool:
    """Whether two distinct figures count in one answer and measure, the part in a unit the
    total counts within (officers within people, never cases)."""
    if part.id == total.id or (part.disclosure_id, part.measure) != (
        total.disclosure_id,
        total.measure,
    ):
        return False
    return _unit_within(part, total)


def _fixes_alike(part: Figure, total: Figure) -> bool:
    """Whether every dimension the total fixes is fixed alike in the part."""
    return all(
        getattr(total, dim) is None or getattr(part, dim) == getattr(total, dim) for dim in FIXABLE
    )


def _fixes_more(part: Figure, total: Figure) -> bool:
    """Whether the part fixes a dimension the total leaves open."""
    return any(getattr(total, dim) is None and getattr(part, dim) is not None for dim in FIXABLE)


def _year_within(part: Figure, total: Figure, disclosures: dict[str, Disclosure]) -> bool:
    """Whether a part that counts one year of a total over a period counts a year inside
    that period (where its ends are known); true of every other pair."""
    if part.year is None or total.year is not None:
        return True
    start, end = _years(total, disclosures[total.disclosure_id])
    return not ((start is not None and part.year < start) or (end is not None and part.year > end))


def refines(part: Figure, total: Figure, disclosures: dict[str, Disclosure]) -> bool:
    """Whether `part` counts a subset of what `total` counts, from their dimensions alone:
    the same answer and measure, every dimension the total fixes fixed alike in the part,
    and the part narrower (more dimensions fixed, or one year of the total's period)."""
    return (
        _same_count(part, total)
        and _fixes_alike(part, total)
        and _fixes_more(part, total)
        and _year_within(part, total, disclosures)
    )


def _fixed(figure: Figure) -> int:
    return sum(getattr(figure, d) is not None for d in FIXABLE)


def _totals(
    figure: Figure, pool: dict[str, Figure], named: list[str], disclosures: dict[str, Disclosure]
) -> list[Figure]:
    """Every figure of `pool` that `figure` is a part of: first the totals the checks name
    it a part of (`named`, those of its measure in a unit it counts within), then those
    its dimensions make it a part of (see `refines`)."""
    totals = [
        pool[t]
        for t in named
        if t in pool and pool[t].measure == figure.measure and _unit_within(figure, pool[t])
    ]
    return totals + [
        t for t in pool.values() if t not in totals and refines(figure, t, disclosures)
    ]


def parts(
    selected: Sequence[Figure],
    candidates: Iterable[Figure],
    check_totals: dict[str, list[str]],
    disclosures: dict[str, Disclosure],
) -> dict[str, str]:
    """Each selected figure that is a part of another figure of its measure, mapped to its
    nearest total: one shown beside it if there is one, else the narrowest.

    `check_totals` maps a figure to the totals the checks name it a part of; `candidates`
    are the figures that may be totals (every figure of these measures in these answers).
    """
    pool = {f.id: f for f in candidates} | {f.id: f for f in selected}
    shown = {f.id for f in selected}
    found: dict[str, str] = {}
    for figure in selected:
        if totals := _totals(figure, pool, check_totals.get(figure.id, []), disclosures):
            best = max(totals, key=lambda t: (t.id in shown, _fixed(t), t.id))
            found[figure.id] = best.id
    return found


def _group_label(key: Key, disclosure: Disclosure) -> str:
    who = SCOPE_WORDS[key.scope] if key.unit in ("officers", "staff", "people") else key.unit
    if key.unit not in ("officers", "staff", "people") and key.scope != "both":
        who = f"{key.unit} ({SCOPE_WORDS[key.scope]})"
    by = " and ".join(d.replace("_", " ") for d in key.breakdown)
    broken = f", by {by}" if by else ""
    if key.requester != disclosure.id:
        asked = key.requester
    elif is_survey(disclosure):
        asked = f"{disclosure.requester}, in survey {disclosure.id}"
    else:
        asked = f"the unnamed requester of {disclosure.id}"
    return f"{who[:1].upper()}{who[1:]}, {PERIOD_WORDS[key.period]}{broken}; asked by {asked}"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40].strip("-")


def group_id(key: Key) -> str:
    """A readable id that names what the group counts, the same in every answer:
    investigated.officers.span.parliament-street-uk-think-tank."""
    words = [key.measure, key.unit]
    if key.unit not in ("officers", "staff", "people") and key.scope != "both":
        words.append(key.scope)
    words.append(key.period)
    if key.breakdown:
        words.append("by-" + "-".join(key.breakdown))
    return ".".join([*(_slug(w) for w in words), _slug(key.requester)])


def _apart(key: Key, other: Key) -> set[str]:
    """The parts of two keys that differ (scope only when the units agree)."""
    found = {
        name
        for name in ("measure", "unit", "period", "breakdown", "requester")
        if getattr(key, name) != getattr(other, name)
    }
    if key.unit == other.unit and key.scope != other.scope:
        found.add("scope")
    return found


def _by(breakdown: tuple[str, ...]) -> str:
    dims = " and ".join(d.replace("_", " ") for d in breakdown)
    return f"broken down by {dims}" if dims else "not broken down"


def _measure_clause(key: Key, _nearest: Sequence[Key]) -> str:
    return f"it counts {key.measure.replace('_', ' ')}"


def _unit_clause(key: Key, nearest: Sequence[Key]) -> str:
    units = sorted({o.unit for o in nearest if o.unit != key.unit})
    return f"it counts {key.unit}, where the others count {' or '.join(units)}"


def _scope_clause(key: Key, _nearest: Sequence[Key]) -> str:
    return f"it covers {SCOPE_WORDS[key.scope]}"


def _period_clause(key: Key, nearest: Sequence[Key]) -> str:
    periods = sorted({PERIOD_WORDS[o.period] for o in nearest if o.period != key.period})
    return f"it covers {PERIOD_WORDS[key.period]}, where the others cover {' or '.join(periods)}"


def _breakdown_clause(key: Key, nearest: Sequence[Key]) -> str:
    others_by = sorted({_by(o.breakdown) for o in nearest if o.breakdown != key.breakdown})
    return f"it is {_by(key.breakdown)}, where the others are {' or '.join(others_by)}"


def _requester_clause(_key: Key, _nearest: Sequence[Key]) -> str:
    return "it answers another request"


#: Each way a group may differ from its nearest groups, in the order a reason names them,
#: with the clause that says how it differs.
_CLAUSES = (
    ("measure", _measure_clause),
    ("unit", _unit_clause),
    ("scope", _scope_clause),
    ("period", _period_clause),
    ("breakdown", _breakdown_clause),
    ("requester", _requester_clause),
)


def _differs(key: Key, others: Sequence[Key]) -> str:
    """Why this group stands apart: how it differs from the groups nearest to it (those it
    differs from in the fewest ways), one clause per way."""
    apart = {other: _apart(key, other) for other in others}
    fewest = min(len(a) for a in apart.values())
    nearest = [o for o, a in apart.items() if len(a) == fewest]
    ways = set().union(*(apart[o] for o in nearest))
    return "; ".join(clause(key, nearest) for way, clause in _CLAUSES if way in ways)


def _first_years(
    selected: Sequence[Figure], disclosures: dict[str, Disclosure]
) -> tuple[dict[str, Key], dict[Key, tuple[int, str]]]:
    """Each figure's key, and for each key the first year its figures cover (9999 where
    none is known) with the answer that covers it, which orders the groups."""
    keys: dict[str, Key] = {}
    first: dict[Key, tuple[int, str]] = {}
    for figure in selected:
        d = disclosures[figure.disclosure_id]
        key = key_of(figure, d)
        keys[figure.id] = key
        start, _ = _years(figure, d)
        here = (start if start is not None else 9999, d.id)
        first[key] = min(first.get(key, here), here)
    return keys, first


def _reason(
    key: Key, others: Sequence[Key], members: Sequence[Figure], part_of: dict[str, str]
) -> str:
    """Why a group stands apart from the others, and what never to do with its figures:
    add a part to its total, or add figures from separate answers."""
    reason = (
        f"Stands apart from the other groups: {_differs(key, others)}."
        if others
        else "The only group: its figures count the same thing."
    )
    if any(f.id in part_of for f in members):
        reason += " Some of its figures are parts of a total (see part_of): never add them to it."
    if len({f.disclosure_id for f in members}) > 1:
        reason += " Its figures come from separate answers: set them side by side, never add them."
    return reason


def compose(
    selected: Sequence[Figure],
    candidates: Iterable[Figure],
    check_totals: dict[str, list[str]],
    disclosures: dict[str, Disclosure],
) -> Composition:
    """The groups `selected` falls into, ordered by the first year each covers, and the
    total of every part (see `parts`)."""
    keys, first = _first_years(selected, disclosures)
    ordered = sorted(first, key=lambda k: (first[k], k))
    part_of = parts(selected, candidates, check_totals, disclosures)
    groups: list[Group] = []
    ids: dict[Key, str] = {}
    for key in ordered:
        members = [f for f in selected if keys[f.id] == key]
        others = [k for k in ordered if k != key]
        label = _group_label(key, disclosures[members[0].disclosure_id])
        reason = _reason(key, others, members, part_of)
        group = Group(id=group_id(key), label=label, reason=reason, key=key)
        group.figures = [f.id for f in members]
        group.disclosures = sorted({f.disclosure_id for f in members})
        groups.append(group)
        ids[key] = group.id
    return Composition(
        groups=groups,
        group_of={fid: ids[key] for fid, key in keys.items()},
        part_of=part_of,
    )
