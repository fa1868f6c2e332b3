"""citation.bibtex: CSL-JSON items as BibTeX, special characters escaped, URLs kept."""

from service.citation import bibtex
from service.schemas import CslDate, CslItem


def test_bibtex_escapes_what_latex_would_read_and_keeps_the_url() -> None:
    item = CslItem(
        id="met 2013/x",
        type="article-newspaper",
        title="50% of {cases} & #1 a_b $ ~ \\",
        container_title="The Paper",
        URL="https://example.org/a_b?x={1}",
        issued=CslDate(date_parts=[[2013, 4]], raw="2013-04 (inferred)", circa=True),
    )
    assert bibtex([item]) == (
        "@article{met-2013-x,\n"
        "  title = {50\\% of \\{cases\\} \\& \\#1 a\\_b \\$ \\~{} \\textbackslash{}},\n"
        "  journal = {The Paper},\n"
        "  year = {2013},\n"
        "  month = {4},\n"
        "  date = {2013-04 (inferred)},\n"
        "  url = {https://example.org/a_b?x=%7B1%7D}\n"
        "}\n"
    )


def test_bibtex_of_a_dataset_names_publisher_version_licence_and_answer() -> None:
    item = CslItem(
        id="met-2013.all.dismissed",
        type="dataset",
        title="Officers and civilian staff dismissed: 7",
        publisher="Police social-media misconduct FOI API",
        version="abc",
        URL="/v1/figures/met-2013.all.dismissed",
        issued=CslDate(date_parts=[[2026, 11, 1]], raw="2026-11-01", circa=False),
        license="https://creativecommons.org/licenses/by/4.0/",
        note="Metropolitan Police Service FOI answer",
    )
    assert bibtex([item, item]).split("\n\n")[0] == (
        "@misc{met-2013.all.dismissed,\n"
        "  title = {Officers and civilian staff dismissed: 7},\n"
        "  publisher = {Police social-media misconduct FOI API},\n"
        "  version = {abc},\n"
        "  year = {2026},\n"
        "  month = {11},\n"
        "  url = {/v1/figures/met-2013.all.dismissed},\n"
        "  note = {Licence: https://creativecommons.org/licenses/by/4.0/},\n"
        "  addendum = {Metropolitan Police Service FOI answer}\n"
        "}"
    )
