"""The corrupt-package table: ways to break a copy of met-2013, each with a line the loader
prints about it.

test_reader and test_package check our loader against it, and test_standard runs it
through `frictionless validate` too, so one table says what both validators make of it.
"""

import csv
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import edit_csv


def edit_descriptor(root: Path, change: Callable[[dict[str, Any]], Any]) -> None:
    path = root / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    change(descriptor)
    path.write_text(json.dumps(descriptor), encoding="utf-8")


Rows = list[list[str]]


def edit_rows(path: Path, change: Callable[[Rows], Rows]) -> None:
    """Rewrite a copied CSV file's rows; rows[0] is the header."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows(change(rows))


def drop_column(path: Path, column: str) -> None:
    def drop(rows: Rows) -> Rows:
        index = rows[0].index(column)
        return [r[:index] + r[index + 1 :] for r in rows]

    edit_rows(path, drop)


def add_column(path: Path, column: str, value: str) -> None:
    edit_rows(path, lambda rows: [[*rows[0], column], *([*r, value] for r in rows[1:])])


def move_resource(root: Path, index: int, path: str) -> None:
    """Point a resource at the same file by another path."""
    (root / "data").mkdir()
    edit_descriptor(root, lambda d: d["resources"][index].update(path=path))


#: A bad cell or header: the first error the loader prints is the one made (later ones
#: follow from it, e.g. unknown ids).
BAD_TABLES = [
    pytest.param(
        lambda p: drop_column(p / "figures.csv", "unit"),
        "met-2013/figures.csv: missing column 'unit'; expected columns: id, measure, label, "
        "staff_type, outcome, platform, allegation, year, rank, period, value, min, max, "
        "qualifier, unit, derived, note",
        id="missing-column",
    ),
    pytest.param(
        lambda p: edit_csv(p / "figures.csv", 4, "outcome", "sacked"),
        "met-2013/figures.csv row 4, column 'outcome': unknown value 'sacked'; expected one "
        "of: dismissed, resigned_or_retired_before_dismissal, resigned_or_retired, "
        "final_written_warning, written_warning, first_written_warning, formal_warning, "
        "formal_misconduct, reprimand, management_action, management_advice, "
        "words_of_advice, reflective_practice, no_disciplinary_action, cleared, "
        "under_investigation, not_stated",
        id="unknown-enum-value",
    ),
    pytest.param(
        lambda p: edit_csv(p / "figures.csv", 5, "id", "met-2013.officers.dismissed"),
        "met-2013/figures.csv row 5: duplicate id 'met-2013.officers.dismissed'; first used "
        "on row 4",
        id="duplicate-id",
    ),
    pytest.param(
        lambda p: edit_csv(p / "figures.csv", 2, "value", "-75"),
        "met-2013/figures.csv row 2, column 'value': -75 is below the minimum of 0",
        id="negative-count",
    ),
    pytest.param(
        lambda p: edit_csv(p / "figures.csv", 2, "value", "seventy-five"),
        "met-2013/figures.csv row 2, column 'value': 'seventy-five' is not a whole number",
        id="not-a-number",
    ),
    pytest.param(
        lambda p: edit_csv(p / "cases.csv", 3, "in_foi_answer", "maybe"),
        "met-2013/cases.csv row 3, column 'in_foi_answer': unknown value 'maybe'; expected one "
        "of: yes, probable, uncertain, no",
        id="unknown-in-foi-answer",
    ),
    # Cases `frictionless validate` rejects, added from its verdicts (test_standard).
    pytest.param(
        lambda p: edit_csv(p / "figures.csv", 2, "unit", ""),
        "met-2013/figures.csv row 2, column 'unit': is empty; a value is required",
        id="required-cell-empty",
    ),
    pytest.param(
        lambda p: edit_csv(p / "figures.csv", 4, "outcome", " dismissed"),
        "met-2013/figures.csv row 4, column 'outcome': has white space at the start or end; "
        "remove it",
        id="space-around-a-code",
    ),
    pytest.param(
        lambda p: edit_rows(p / "checks.csv", lambda rows: [*rows[:2], [], *rows[2:]]),
        "met-2013/checks.csv row 3: is blank; delete the row",
        id="blank-row",
    ),
    pytest.param(
        lambda p: edit_rows(p / "checks.csv", lambda rows: [rows[0], [*rows[1], ""], *rows[2:]]),
        "met-2013/checks.csv row 2: has 4 cells but the header has 3 columns",
        id="extra-cell",
    ),
    pytest.param(
        lambda p: edit_rows(p / "checks.csv", lambda rows: [rows[0], rows[1][:2], *rows[2:]]),
        "met-2013/checks.csv row 2, column 'note': is missing: the row has only 2 of its 3 cells",
        id="missing-cell",
    ),
    pytest.param(
        lambda p: add_column(p / "checks.csv", "colour", "red"),
        "met-2013/checks.csv: unknown column 'colour'; expected columns: id, title, note",
        id="extra-column",
    ),
    pytest.param(
        lambda p: edit_rows(p / "checks.csv", lambda rows: [[*r, r[1]] for r in rows]),
        "met-2013/checks.csv: column 'title' appears 2 times; expected columns: id, title, note",
        id="repeated-column",
    ),
    pytest.param(
        lambda p: edit_rows(p / "checks.csv", lambda rows: [[r[1], r[0], r[2]] for r in rows]),
        "met-2013/checks.csv: columns out of order; expected columns, in this order: id, "
        "title, note",
        id="columns-out-of-order",
    ),
]

#: A descriptor property the Data Package standard defines, broken: the first error the
#: loader prints is the one made.
BAD_DESCRIPTORS = [
    pytest.param(
        lambda p: edit_descriptor(p, lambda d: d.update(name="Met-2013")),
        "met-2013/datapackage.json: 'name' 'Met-2013' must be lower-case letters, digits, "
        "'.', '-' and '_', starting with a letter or digit",
        id="name-not-lower-case",
    ),
    pytest.param(
        lambda p: edit_descriptor(p, lambda d: d.update(version=1)),
        "met-2013/datapackage.json: 'version' must be a string",
        id="version-not-a-string",
    ),
    pytest.param(
        lambda p: edit_descriptor(p, lambda d: d.update(profile="nonsense")),
        "met-2013/datapackage.json: 'profile' must be 'data-package'",
        id="unknown-profile",
    ),
    pytest.param(
        lambda p: edit_descriptor(p, lambda d: d.update(licenses="CC-BY-4.0")),
        "met-2013/datapackage.json: 'licenses' must be a list of objects",
        id="licenses-not-a-list",
    ),
    pytest.param(
        lambda p: edit_descriptor(p, lambda d: d.update(keywords="police")),
        "met-2013/datapackage.json: unknown key 'keywords'; expected keys: profile, name, "
        "title, version, last_updated, licenses, disclosure, aggregates, sources, resources, "
        "changes",
        id="keywords-not-a-list",
    ),
    pytest.param(
        lambda p: move_resource(p, 3, "data/../checks.csv"),
        "met-2013/datapackage.json: resource 'checks' has path 'data/../checks.csv'; it must "
        "be a file name in the package folder",
        id="path-with-dot-dot",
    ),
    pytest.param(
        lambda p: edit_descriptor(p, lambda d: d["resources"].append(d["resources"][3])),
        "met-2013/datapackage.json: resource 'checks' is declared twice",
        id="resource-twice",
    ),
    pytest.param(
        lambda p: edit_descriptor(
            p, lambda d: d["resources"][3].update(dialect={"delimiter": ";"})
        ),
        "met-2013/datapackage.json: resource 'checks' has unknown key 'dialect'; expected keys: "
        "name, path, profile, format, mediatype, encoding, schema",
        id="resource-dialect",
    ),
]


def parts_report(path: Path, row: int, parts: str) -> None:
    """Turn a number report into one that printed only the given parts."""
    for column, value in (("kind", "parts"), ("value", ""), ("parts", parts)):
        edit_csv(path, row, column, value)


#: A rule across rows or files: the error is among those the loader prints.
ROW_PROBLEMS = [
    pytest.param(
        lambda p: edit_csv(p / "figure_reports.csv", 2, "source", "times2013"),
        "met-2013/figure_reports.csv row 2, column 'source': unknown source 'times2013'; "
        "expected one of: direct2lawyers2013, guardian2013, idg_via_parliamentstreet, "
        "independent2013, standard2013",
        id="report-unknown-source",
    ),
    pytest.param(
        lambda p: edit_csv(p / "figure_reports.csv", 2, "figure", "met-2013.officers.sacked"),
        "met-2013/figure_reports.csv row 2, column 'figure': unknown figure "
        "'met-2013.officers.sacked'",
        id="report-unknown-figure",
    ),
    pytest.param(
        lambda p: edit_csv(p / "figures.csv", 13, "min", "4"),
        "met-2013/figures.csv row 13: min 4 is greater than max 3",
        id="min-greater-than-max",
    ),
    pytest.param(
        lambda p: edit_csv(p / "figures.csv", 5, "value", "18"),
        "met-2013/figures.csv row 5: give either value or min/max, not both",
        id="value-and-range",
    ),
    pytest.param(
        lambda p: edit_csv(p / "figure_reports.csv", 11, "max", "2"),
        "met-2013/figure_reports.csv row 11: give either value or min/max, not both",
        id="report-value-and-range",
    ),
    pytest.param(
        lambda p: edit_csv(p / "figures.csv", 11, "value", ""),
        "met-2013/figures.csv row 11: no value, min, max or qualifier; a figure must say something",
        id="figure-says-nothing",
    ),
    pytest.param(
        lambda p: edit_csv(p / "figure_reports.csv", 2, "value", "76"),
        "met-2013/figure_reports.csv row 2: guardian2013 reports 76, which the figure's "
        "published reading (75) excludes",
        id="report-contradicts-figure",
    ),
    pytest.param(
        lambda p: edit_csv(p / "figure_reports.csv", 11, "value", "2"),
        "met-2013/figure_reports.csv row 11: guardian2013 reports 2, which the figure's "
        "published reading (3) excludes",
        id="report-below-figure",
    ),
    pytest.param(
        lambda p: edit_csv(p / "figures.csv", 4, "derived", "true"),
        "met-2013/figure_reports.csv: figure 'met-2013.officers.dismissed' is derived but a "
        "source reports a number for it; derived means no source printed it",
        id="derived-but-reported",
    ),
    pytest.param(
        lambda p: edit_csv(p / "figures.csv", 11, "derived", "false"),
        "met-2013/figures.csv: figure 'met-2013.officers.outcome-not-stated' has no source "
        "that printed it; add a number, range or words report in figure_reports.csv or mark "
        "it derived",
        id="unreported",
    ),
    pytest.param(
        lambda p: edit_csv(p / "figure_reports.csv", 2, "kind", "range"),
        "met-2013/figure_reports.csv row 2, column 'kind': kind range but the row gives number",
        id="kind-disagrees-with-columns",
    ),
    pytest.param(
        lambda p: edit_csv(p / "figure_reports.csv", 2, "kind", "named_without_count"),
        "met-2013/figure_reports.csv row 2, column 'kind': kind named_without_count gives no "
        "value, min or max",
        id="named-without-count-with-a-number",
    ),
    pytest.param(
        lambda p: edit_csv(p / "figure_reports.csv", 2, "parts", "met-2013.officers.dismissed"),
        "met-2013/figure_reports.csv row 2, column 'parts': parts are given for, and only for, "
        "kind parts",
        id="parts-on-a-number",
    ),
    pytest.param(
        lambda p: parts_report(p / "figure_reports.csv", 2, "met-2013.officers.sacked"),
        "met-2013/figure_reports.csv row 2, column 'parts': 'met-2013.officers.sacked' is not "
        "another figure here",
        id="parts-name-an-unknown-figure",
    ),
    pytest.param(
        lambda p: edit_csv(p / "figures.csv", 4, "id", "met-2031.officers.dismissed"),
        "met-2013/figures.csv row 4, column 'id': id 'met-2031.officers.dismissed' must "
        "start with 'met-2013.'",
        id="figure-prefix",
    ),
    pytest.param(
        lambda p: edit_csv(p / "cases.csv", 2, "id", "case-1"),
        "met-2013/cases.csv row 2, column 'id': id 'case-1' must start with 'met-2013.'",
        id="case-prefix",
    ),
    pytest.param(
        lambda p: edit_csv(p / "cases.csv", 5, "sources", "guardian2013; times2013"),
        "met-2013/cases.csv row 5, column 'sources': unknown source 'times2013'; expected one "
        "of: direct2lawyers2013, guardian2013, idg_via_parliamentstreet, independent2013, "
        "standard2013",
        id="case-source",
    ),
    pytest.param(
        lambda p: edit_csv(p / "checks.csv", 2, "id", "K1"),
        "met-2013/checks.csv row 2, column 'id': id 'K1' must start with 'met-2013.'",
        id="check-prefix",
    ),
    pytest.param(
        lambda p: edit_csv(p / "notes.csv", 2, "id", "met-2013-C1"),
        "met-2013/notes.csv row 2, column 'id': id 'met-2013-C1' must start with 'met-2013.'",
        id="note-prefix",
    ),
    pytest.param(
        lambda p: edit_csv(p / "notes.csv", 2, "sources", "times2013"),
        "met-2013/notes.csv row 2, column 'sources': unknown source 'times2013'; expected one "
        "of: direct2lawyers2013, guardian2013, idg_via_parliamentstreet, independent2013, "
        "standard2013",
        id="note-source",
    ),
    pytest.param(
        lambda p: edit_csv(p / "check_terms.csv", 3, "check", "met-2013.K99"),
        "met-2013/check_terms.csv row 3, column 'check': unknown check 'met-2013.K99'",
        id="term-unknown-check",
    ),
    pytest.param(
        lambda p: edit_csv(p / "check_terms.csv", 2, "figure", "met-2013.officers.sacked"),
        "met-2013/check_terms.csv row 2, column 'figure': unknown figure "
        "'met-2013.officers.sacked'",
        id="term-unknown-figure",
    ),
    pytest.param(
        lambda p: edit_csv(p / "check_terms.csv", 3, "source", "bbc2011"),
        "met-2013/check_terms.csv row 3, column 'source': 'bbc2011' has no report on figure "
        "'met-2013.officers.dismissed'",
        id="term-source-without-report",
    ),
    pytest.param(
        lambda p: edit_csv(p / "check_terms.csv", 3, "role", "total"),
        "met-2013/check_terms.csv: check 'met-2013.K1' needs exactly one total term",
        id="two-totals",
    ),
    pytest.param(
        lambda p: edit_csv(p / "check_terms.csv", 8, "check", "met-2013.K1"),
        "met-2013/check_terms.csv: check 'met-2013.K1' needs exactly one total term",
        id="total-moved-away",
    ),
    # Three corrupt files that used to end in a traceback (issue 17).
    pytest.param(
        lambda p: edit_csv(p / "notes.csv", 2, "topic", "bad\x00topic"),
        "met-2013/notes.csv row 2, column 'topic': holds a NUL character",
        id="nul-in-a-cell",
    ),
    pytest.param(
        lambda p: (p / "notes.csv").write_bytes((p / "notes.csv").read_bytes() + b"\xff\n"),
        "met-2013/notes.csv row 12: byte 0xff is not UTF-8; save as UTF-8",
        id="not-utf8",
    ),
    pytest.param(
        lambda p: edit_csv(p / "notes.csv", 3, "text", "x" * 131_073),
        "met-2013/notes.csv row 3: cannot be read as CSV: field larger than field limit (131072)",
        id="cell-over-the-field-limit",
    ),
]

#: Every case, for the differential test against `frictionless validate`.
CORRUPT_PACKAGES = [*BAD_TABLES, *ROW_PROBLEMS, *BAD_DESCRIPTORS]
