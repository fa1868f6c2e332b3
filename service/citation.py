"""Citations: one printable line per figure and per response, and the same as CSL-JSON.

A source is credited only with what it printed. Outlets whose report is a number, a range
or words printed the figure; a source that gave only the parts is named as having printed
the parts; one that named the category without a count is not credited with the figure.
Every citation carries the FOI answer, the dataset revision, a permalink and the licence.
"""

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from service import reading, urls
from service.schemas import CslDate, CslItem
from service.tables import Disclosure, Figure, FigureReport, Source
from service.taxonomy import DIMENSIONS, LABELS

API_NAME = "Police social-media misconduct FOI API"


def licence_name(licence_id: str) -> str:
    """The licence as people write it: 'CC BY 4.0' for the SPDX id 'CC-BY-4.0'."""
    return licence_id.replace("-", " ")


def licence_words(licence_id: str, url: str) -> str:
    """The licence sentence every citation, card and chart carries."""
    return f"Licence: {licence_name(licence_id)} ({url})"


def without_licence(citation: str, licence_id: str, url: str) -> str:
    """A citation without its closing licence sentence, for a chart that prints the licence
    on a line of its own."""
    return citation.removesuffix(f" {licence_words(licence_id, url)}.")


def period_words(d: Disclosure) -> str:
    if d.period_start and d.period_end:
        return f"covering {d.period_start} to {d.period_end}"
    # "2009 to early 2013: ..." reads as a period; "Not stated ..." does not.
    described = d.period_description
    return f"covering {described}" if described[:1].isdigit() else f"period: {described}"


def answer_name(force: str, forces: Sequence[str], requester: str, *, short: bool = False) -> str:
    """Whose answer it is: one force's answer to a requester (`short`: without the
    requester), or a requester's survey of several forces (whose `force` says which)."""
    if len(forces) > 1:
        return f"{requester} FOI survey of {force[:1].lower()}{force[1:]}"
    return f"{force} FOI answer" if short else f"{force} FOI answer to {requester}"


def answer_words(d: Disclosure) -> str:
    """The FOI answer (answer_name), for what period, with its reference if known."""
    reference = f", reference {d.foi_reference}" if d.foi_reference else ""
    return f"{answer_name(d.force, d.forces, d.requester)}, {period_words(d)}{reference}"


def source_words(s: Source, said: str = "") -> str:
    """A source as a citation names it; `said` is what it printed, when that is not the
    figure's own reading (a floor of 1 under our 1 to 4, the words under our 0 to 92)."""
    printed = f"{said}; " if said else ""
    return f"{s.publisher} ({printed}“{s.title}”, {s.date}, {s.url})"


def _unique(sources: Sequence[Source]) -> list[Source]:
    return list({s.id: s for s in sources}.values())


def parts_given(parts: Sequence[Figure]) -> str:
    """What a source that printed only the parts gave, by name: '6 officers and 2 staff',
    or where the parts share a unit, what sets each apart: '383 officers (constable), ...'."""
    words = []
    distinct_units = len({p.unit for p in parts}) == len(parts)
    varying = [d for d in DIMENSIONS if len({getattr(p, d) for p in parts}) > 1]
    for part in parts:
        said = f"{reading.headline(part.value, part.min, part.max, part.qualifier)} {part.unit}"
        if not distinct_units and varying:
            names = (
                LABELS.get(d, {}).get(str(getattr(part, d)), str(getattr(part, d))) for d in varying
            )
            said += f" ({', '.join(n.lower() for n in names)})"
        words.append(said)
    return reading.listed(words)


def _said(
    reports: Sequence[FigureReport], printing: Sequence[FigureReport], headline: str
) -> dict[str, str]:
    """What each of the `printing` reports' sources said, by source id, where it is not
    `headline` (none without one), words in quotation marks; none when the `reports`
    disagree, as the citation then lists what each source printed (disagreement)."""
    said: dict[str, str] = {}
    if reading.disputed((r.value, r.min, r.max) for r in reports):
        return said
    for r in printing:
        words = reading.headline(r.value, r.min, r.max, r.qualifier)
        if headline and words != headline:
            said[r.source_id] = f"“{words}”" if r.kind == "words" else words
    return said


def _parts_gave(giving: Sequence[FigureReport], known: dict[str, Figure]) -> dict[str, str]:
    """What each parts-only source gave, by source id (parts_given), where every part it
    printed is among the `known` figures; the others are said to have given "the parts"."""
    return {
        r.source_id: parts_given([known[p] for p in r.parts])
        for r in giving
        if r.parts and all(p in known for p in r.parts)
    }


@dataclass(frozen=True)
class Credit:
    """Who printed a figure and who printed only its parts, in the package's order."""

    printed: list[Source]
    parts_only: list[Source]
    #: What each printing source said, by source id, where it differs from the figure.
    said: dict[str, str]
    #: What each parts-only source gave, by source id: '6 officers and 2 staff'.
    gave: dict[str, str]

    ARITHMETIC = reading.DERIVED

    @classmethod
    def of(
        cls,
        reports: Sequence[FigureReport],
        sources: dict[str, Source],
        headline: str = "",
        part_figures: dict[str, Figure] | None = None,
    ) -> "Credit":
        """The credit of a figure read as `headline` from its `reports`: a source that printed
        it (a number, a range or words) is credited with the figure, even where it printed
        the parts too; one that printed only the parts, with what it gave of `part_figures`."""
        printing = [r for r in reports if r.kind in reading.PRINTED_KINDS]
        printed = _unique([sources[r.source_id] for r in printing])
        ids = {s.id for s in printed}
        giving = [r for r in reports if r.kind == "parts" and r.source_id not in ids]
        parts = _unique([sources[r.source_id] for r in giving])
        said = _said(reports, printing, headline)
        return cls(printed, parts, said, _parts_gave(giving, part_figures or {}))

    def _gave(self, s: Source) -> str:
        """A parts-only source, each on its own so that none reads as printing the total."""
        given = self.gave.get(s.id, "the parts")
        name = reading.publisher_in_sentence(s.publisher)
        return f"{name} gave {given}, not this number (“{s.title}”, {s.date}, {s.url})"

    def words(self, derived: bool) -> str:
        gave = "; ".join(map(self._gave, self.parts_only))
        if derived:
            return reading.derived_from_parts(gave) if self.parts_only else self.ARITHMETIC
        names = "; ".join(source_words(s, self.said.get(s.id, "")) for s in self.printed)
        return f"printed by {names}; {gave}" if self.parts_only else f"printed by {names}"


def drawn_first(reports: Iterable[FigureReport], sources: dict[str, Source]) -> list[Source]:
    """The sources of these reports for a source line: first those that printed the drawn
    numbers (most of them first), then those that gave only words, then only parts; a
    source that named a category without a count is not credited."""
    tally: dict[str, list[int]] = {}
    rank = {"number": 0, "range": 0, "words": 1, "parts": 2}
    for r in reports:
        if r.kind not in rank:
            continue
        counts = tally.setdefault(r.source_id, [0, 0, 0])
        counts[rank[r.kind]] += 1
    return sorted(
        (sources[i] for i in tally),
        key=lambda s: (*(-n for n in tally[s.id]), s.position),
    )


def disagreement(reports: Sequence[FigureReport], sources: dict[str, Source]) -> str:
    said = ", ".join(
        f"{sources[r.source_id].publisher} {reading.number_words(r.value, r.min, r.max)}"
        for r in reports
        if reading.has_number(r.value, r.min, r.max)
    )
    return f" (sources disagree: {said})"


def figure_citation(
    figure_id: str,
    label: str,
    derived: bool,
    published: dict[str, Any],
    reports: Sequence[FigureReport],
    sources: dict[str, Source],
    d: Disclosure,
    base_url: str,
    revision: str,
    part_figures: dict[str, Figure] | None = None,
) -> str:
    """One line to print under a quoted figure, quoting dataset revision `revision`;
    `part_figures` are the figures parts-only sources printed, to say what each gave."""
    text = reading.words(
        published["value"], published["min"], published["max"], published["qualifier"]
    )
    if reading.disputed((r.value, r.min, r.max) for r in reports):
        text += disagreement(reports, sources)
    headline = reading.headline(
        published["value"], published["min"], published["max"], published["qualifier"]
    )
    credit = Credit.of(reports, sources, headline, part_figures).words(derived)
    return (
        f"{label}: {text}. {answer_words(d)}; {credit}. Dataset {d.id} v{d.version}, "
        f"revision {revision}, figure {figure_id}: "
        f"{urls.absolute(base_url, urls.figure_page(figure_id), revision)}. "
        f"{licence_words(d.licence_id, d.licence_url)}."
    )


def _year(text: str | None) -> str:
    """The year a date we hold starts with ('2013-04-11 (approximate, inferred)': 2013)."""
    head = (text or "")[:4]
    return head if head.isdigit() else ""


class Answered(Protocol):
    """What the short citation reads of a disclosure (the table or its public model)."""

    @property
    def force(self) -> str: ...
    @property
    def forces(self) -> Sequence[str]: ...
    @property
    def requester(self) -> str: ...
    @property
    def answer_date(self) -> str | None: ...
    @property
    def first_coverage(self) -> str | None: ...


def short_answer(d: Answered) -> str:
    """The FOI answer in a few words (a force's answer, or a requester's survey of several
    forces), with its year, or when the press first reported it (most answers are undated
    in every source), or neither when that is unknown too."""
    name = answer_name(d.force, d.forces, d.requester, short=True)
    if year := _year(d.answer_date):
        return f"{name} ({year})"
    if year := _year(d.first_coverage):
        return f"{name} (first reported {year})"
    return name


#: A report as the short citation reads it: kind, publisher, value, min, max, qualifier.
ShortReport = tuple[str, str, reading.Number, reading.Number, reading.Number, str | None]


@dataclass(frozen=True)
class ShortCredit:
    """Who a short citation credits, each publisher once: those that printed the figure,
    each with what it printed where that is not the figure's own reading (so a dispute's
    sources are never credited with its range); for our arithmetic, the publishers of its
    parts, and never "as reported by". Embeds link each name; `text` is the plain form."""

    phrase: str
    #: (publisher, what it printed in brackets, or "")
    names: list[tuple[str, str]]

    @classmethod
    def of(cls, reports: Iterable[ShortReport], headline: str, derived: bool) -> "ShortCredit":
        reports = list(reports)
        if derived:
            parts = [(publisher, "") for kind, publisher, *_ in reports if kind == "parts"]
            named = list(dict.fromkeys(parts))
            if not named:
                return cls(f"; {reading.DERIVED}", [])
            return cls(f"; {reading.DERIVED_CREDIT}", named)
        printed = []
        for kind, publisher, value, low, high, qualifier in reports:
            if kind not in reading.PRINTED_KINDS:
                continue
            said = reading.headline(value, low, high, qualifier)
            shown = f"“{said}”" if kind == "words" else said
            printed.append((publisher, "" if said == headline else f" ({shown})"))
        named = list(dict.fromkeys(printed))
        return cls(", as reported by" if named else "", named)

    def text(self, name: Callable[[str], str] = str, plain: Callable[[str], str] = str) -> str:
        """The credit as text; an embed passes `name` to link each publisher and `plain` to
        escape the rest."""
        if not self.names:
            return plain(self.phrase)
        names = [name(p) + plain(said) for p, said in self.names]
        return f"{plain(self.phrase)} {reading.listed(names)}"


def short_lead(answer: str, credit: str) -> str:
    """The short citation up to its link, which an embed makes a link of its own."""
    return f"{answer}{credit}; via {API_NAME}"


def short_citation(answer: str, credit: str, page_url: str) -> str:
    """The short citation: the answer, who printed it, this service, and the page."""
    return f"{short_lead(answer, credit)}, {page_url}"


def figure_short_citation(
    derived: bool,
    headline: str,
    reports: Sequence[FigureReport],
    sources: dict[str, Source],
    d: Disclosure,
    page_url: str,
) -> str:
    """The short citation of a figure read as `headline`; `page_url` is its page, pinned to
    the revision read like the full citation's link."""
    said = (
        (r.kind, sources[r.source_id].publisher, r.value, r.min, r.max, r.qualifier)
        for r in reports
    )
    credit = ShortCredit.of(said, headline, derived).text()
    return short_citation(short_answer(d), credit, page_url)


def short_csl(figure_id: str, title: str, cite_short: str, d: Disclosure) -> list[CslItem]:
    """The short citation `cite_short` (figure_short_citation) as CSL-JSON: one dataset item
    whose `note` is its answer and credit, published by this service at the pinned page it
    links, without the full form's version, licence and an item per source."""
    lead, page_url = cite_short.rsplit(", ", 1)
    return [_dataset_item(figure_id, title, page_url, d, lead.removesuffix(f"; via {API_NAME}"))]


def _dataset_item(
    item_id: str, title: str, url: str, d: Disclosure, note: str, **full: str
) -> CslItem:
    """A CSL-JSON dataset item published by this service; `full` adds version and licence."""
    return CslItem(
        id=item_id,
        type="dataset",
        title=title,
        publisher=API_NAME,
        URL=url,
        issued=_issued(d.last_updated),
        note=note,
        **full,
    )


def response_citation(
    sources: Sequence[Source], d: Disclosure, base_url: str, revision: str
) -> str:
    """One line to print under a chart or table of one disclosure's figures, quoting
    dataset revision `revision`."""
    said = f"; reported by {'; '.join(map(source_words, sources))}" if sources else ""
    return (
        f"{answer_words(d)}{said}. Dataset {d.id} v{d.version}, revision {revision}: "
        f"{urls.absolute(base_url, urls.disclosure_page(d.id), revision)}. "
        f"{licence_words(d.licence_id, d.licence_url)}."
    )


def _issued(text: str) -> CslDate:
    """The date parts the text starts with (all our dates start with a year), the text as
    given, and whether the source's date is approximate."""
    head = text.split(" ", 1)[0].split("-")
    parts = []
    for part in head:
        if not part.isdigit():
            break
        parts.append(int(part))
    circa = text != "-".join(head) or not parts
    return CslDate(date_parts=[parts] if parts else [], raw=text, circa=circa)


def source_csl(s: Source) -> CslItem:
    return CslItem(
        id=s.id,
        type="article-newspaper" if s.kind == "news" else "webpage",
        title=s.title,
        container_title=s.publisher,
        URL=s.url,
        issued=_issued(s.date),
    )


def dataset_csl(
    item_id: str,
    title: str,
    path: str,
    credited: Sequence[Source],
    d: Disclosure,
    base_url: str,
    revision: str,
) -> list[CslItem]:
    """CSL-JSON as reference managers import it: the dataset item (its version the
    revision quoted, its URL pinned to it), then each source it credits."""
    url = urls.absolute(base_url, path, revision)
    full = {"version": revision, "license": d.licence_url}
    dataset = _dataset_item(item_id, title, url, d, answer_words(d), **full)
    return [dataset, *(source_csl(s) for s in credited)]


def figure_csl(
    figure_id: str,
    title: str,
    reports: Sequence[FigureReport],
    sources: dict[str, Source],
    d: Disclosure,
    base_url: str,
    revision: str,
) -> list[CslItem]:
    credit = Credit.of(reports, sources)
    credited = [*credit.printed, *credit.parts_only]
    page = urls.figure_page(figure_id)
    return dataset_csl(figure_id, title, page, credited, d, base_url, revision)


#: Characters BibTeX reads as commands or groups, escaped in every field but the URL.
_BIBTEX_SPECIAL = {c: "\\" + c for c in "{}%&#$_"} | {"\\": r"\textbackslash{}", "~": r"\~{}"}
_BIBTEX_TYPES = {"dataset": "misc", "article-newspaper": "article", "webpage": "misc"}


def _bibtex_text(text: str) -> str:
    return "".join(_BIBTEX_SPECIAL.get(c, c) for c in text)


def _bibtex_date(item: CslItem) -> list[tuple[str, str]]:
    """year and month from the date parts; the date as given when it is approximate."""
    parts = item.issued.date_parts[0] if item.issued.date_parts else []
    fields = [(name, str(part)) for name, part in zip(("year", "month"), parts, strict=False)]
    if item.issued.circa or not parts:
        fields.append(("date", _bibtex_text(item.issued.raw)))
    return fields


def _bibtex_fields(item: CslItem) -> list[tuple[str, str]]:
    container = "journal" if item.type == "article-newspaper" else "howpublished"
    optional = [
        (container, item.container_title),
        ("publisher", item.publisher),
        ("version", item.version),
    ]
    return [
        ("title", _bibtex_text(item.title)),
        *((name, _bibtex_text(value)) for name, value in optional if value),
        *_bibtex_date(item),
        ("url", item.URL.replace("{", "%7B").replace("}", "%7D")),
        *((("note", _bibtex_text(f"Licence: {item.license}")),) if item.license else ()),
        *((("addendum", _bibtex_text(item.note)),) if item.note else ()),
    ]


def bibtex(items: Sequence[CslItem]) -> str:
    """The CSL-JSON items as BibTeX entries, for LaTeX users: the same fields, nothing added."""
    entries = []
    for item in items:
        key = re.sub(r"[^A-Za-z0-9:._-]", "-", item.id)
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in _bibtex_fields(item))
        entries.append(f"@{_BIBTEX_TYPES[item.type]}{{{key},\n{body}\n}}")
    return "\n\n".join(entries) + "\n"
