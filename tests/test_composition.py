"""service.composition on its own: what makes a group, which figure is a part of which,
and which total a part names when it has several."""

from typing import Any

from service.composition import compose, group_id, key_of, refines
from service.tables import Disclosure, Figure


def _disclosure(
    identifier: str, requester: str, start: str = "2009", end: str = "2012"
) -> Disclosure:
    return Disclosure(
        id=identifier,
        title=identifier,
        force="Metropolitan Police Service",
        requester=requester,
        period_start=start,
        period_end=end,
        period_description=f"{start} to {end}",
        request_subject="",
        counts="",
        licence_id="CC-BY-4.0",
        licence_title="",
        licence_url="",
        version="1.0.0",
        revision="0",
        last_updated="2026-12-07",
    )


def _figure(identifier: str, disclosure: str = "a", unit: str = "officers", **dims: Any) -> Figure:
    staff = {"officers": "police_officer", "staff": "civilian_staff"}.get(unit)
    return Figure(
        id=identifier,
        disclosure_id=disclosure,
        measure=dims.pop("measure", "people_by_outcome"),
        label=identifier,
        unit=unit,
        staff_type=dims.pop("staff_type", staff),
        position=0,
        **dims,
    )


DISCLOSURES = {
    "a": _disclosure("a", "Parliament Street"),
    "b": _disclosure("b", "Parliament Street", "2010", "2014"),
    "c": _disclosure("c", "an unnamed requester"),
    "d": _disclosure("d", "an unnamed requester"),
}


def test_the_same_named_requester_shares_a_group_and_unnamed_ones_never_do() -> None:
    figures = [
        _figure("a.x", "a", outcome="dismissed"),
        _figure("b.x", "b", outcome="dismissed"),
        _figure("c.x", "c", outcome="dismissed"),
        _figure("d.x", "d", outcome="dismissed"),
    ]
    composed = compose(figures, figures, {}, DISCLOSURES)
    assert composed.group_of == {
        "a.x": "people-by-outcome.officers.span.by-outcome.parliament-street",
        "b.x": "people-by-outcome.officers.span.by-outcome.parliament-street",
        "c.x": "people-by-outcome.officers.span.by-outcome.c",
        "d.x": "people-by-outcome.officers.span.by-outcome.d",
    }
    assert [g.reason for g in composed.groups] == [
        "Stands apart from the other groups: it answers another request. Its figures come "
        "from separate answers: set them side by side, never add them.",
        "Stands apart from the other groups: it answers another request.",
        "Stands apart from the other groups: it answers another request.",
    ]
    assert composed.part_of == {}


def test_a_year_within_the_period_is_a_part_and_one_outside_it_is_not() -> None:
    total = _figure("a.dismissed", outcome="dismissed")
    inside = _figure("a.dismissed-2011", outcome="dismissed", year=2011)
    outside = _figure("a.dismissed-2013", outcome="dismissed", year=2013)
    assert refines(inside, total, DISCLOSURES)
    assert not refines(outside, total, DISCLOSURES)
    # Staff are never a part of officers; both are a part of people.
    staff = _figure("a.staff-dismissed", unit="staff", outcome="dismissed")
    people = _figure("a.all-dismissed", unit="people", outcome="dismissed")
    assert not refines(staff, total, DISCLOSURES)
    assert refines(staff, people, DISCLOSURES)
    assert refines(total, people, DISCLOSURES)
    # Cases are never a part of people, however their dimensions line up.
    cases = _figure("a.cases", unit="cases", staff_type=None, outcome="dismissed", platform="x")
    assert not refines(cases, people, DISCLOSURES)


def test_a_part_names_the_total_shown_beside_it_else_the_narrowest() -> None:
    people = _figure("a.all-dismissed", unit="people", outcome="dismissed")
    officers = _figure("a.dismissed", outcome="dismissed")
    year = _figure("a.dismissed-2011", outcome="dismissed", year=2011)
    every = [people, officers, year]
    assert compose([year], every, {}, DISCLOSURES).part_of == {"a.dismissed-2011": "a.dismissed"}
    shown = compose([people, year], every, {}, DISCLOSURES).part_of
    assert shown == {"a.dismissed-2011": "a.all-dismissed"}
    # A check's part of a total of another measure is no part_of.
    other = _figure("a.investigated", measure="investigated")
    checks = {"a.dismissed": ["a.investigated"]}
    assert compose([officers], [officers, other], checks, DISCLOSURES).part_of == {}
    # Of the same measure, in a unit that holds it, it is.
    assert compose(
        [officers], [officers, people], {"a.dismissed": ["a.all-dismissed"]}, DISCLOSURES
    ).part_of == {"a.dismissed": "a.all-dismissed"}


def test_group_ids_name_what_they_count() -> None:
    key = key_of(_figure("c.rank", "c", measure="investigated", rank="constable"), DISCLOSURES["c"])
    assert group_id(key) == "investigated.officers.span.by-rank.c"
