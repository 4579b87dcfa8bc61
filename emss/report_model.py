"""The quarterly report's model (``Report``: sections of blocks) and the words its sentences
are made of (``report.toml``), with the helpers every section writes with.

A section is a sequence of blocks: numbered paragraphs whose sentences are written from the
data (with the figures' uploaded notes as commentary), subheadings, bullet lists, tables and
charts (a Vega-Lite spec, alt text written from the data and the data table behind it).
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

import pandas as pd

from emss import compare
from emss.catalogue import PARTNER_PHRASES, WHOLE, Catalogue, load_catalogue
from emss.compare import format_value, missing
from emss.errors import EmssError
from emss.quarters import Quarter
from emss.queries import Database

REPORT_FILE = Path(__file__).with_name("report.toml")


CHART_WIDTH = 520  # pixels: a chart drawn outside a page needs a fixed width


class ReportError(EmssError, ValueError):
    """A report that cannot be written for the choice made; the message says why."""


class NoDataError(ReportError):
    """No figures are held for the quarter asked for."""


# --- the model ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sentence:
    text: str
    metric: str | None = None
    partner: str | None = None
    status: str | None = None
    figure_illustrative: bool = False
    comparison_illustrative: bool = False


@dataclass(frozen=True)
class Paragraph:
    """A numbered paragraph ("3.2"); ``notes`` are the uploaded commentary on its figures."""

    sentences: tuple[Sentence, ...]
    notes: tuple[str, ...] = ()
    number: str = ""

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.sentences)


@dataclass(frozen=True)
class Subheading:
    text: str


@dataclass(frozen=True)
class Bullets:
    items: tuple[str, ...]


@dataclass(frozen=True)
class Row:
    cells: tuple[str, ...]
    total: bool = False


@dataclass(frozen=True)
class Table:
    title: str
    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    numeric: tuple[bool, ...]
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Chart:
    """A figure of the report: ``alt`` describes it with its figures (files written);
    ``named`` is what a screen reader hears on the page that previews it, where the table
    of its figures follows it: no figure, so a filter change swaps the drawn chart's data
    rather than drawing it anew."""

    key: str
    title: str
    spec: dict
    alt: str
    table: Table

    @property
    def named(self) -> str:
        return f"Chart: {self.title}. Its figures are in the table after it."


Block = Paragraph | Subheading | Bullets | Table | Chart


@dataclass(frozen=True)
class Section:
    number: int
    key: str
    title: str
    blocks: tuple[Block, ...]

    @property
    def heading(self) -> str:
        return f"{self.number} {self.title}"


@dataclass(frozen=True)
class FrontSheet:
    """The report's first page, as the Joint Committee report opens: who it is for, its
    subject, the date it was written, its summary and the recommendations (its paragraphs 1-2)."""

    body: str
    subject: str
    date: str
    summary: str
    requested: str
    recommendations: tuple[str, ...]


def file_stem(quarter: Quarter, partners: Sequence[str], comparison: Quarter) -> str:
    """A file name for a report: emss-report-2023-24-q3, then the councils of a view
    without EMSS as a whole (-lcc) and a comparison other than the previous quarter
    (-vs-2022-23-q3)."""
    parts = ["emss-report", quarter.slug.lower()]
    if WHOLE not in partners:
        parts += [p.lower() for p in partners]
    if comparison != quarter.previous:
        parts += ["vs", comparison.slug.lower()]
    return "-".join(parts)


@dataclass(frozen=True)
class Report:
    title: str
    quarter: Quarter
    comparison: Quarter
    partners: tuple[str, ...]
    introduction: tuple[str, ...]
    sections: tuple[Section, ...]
    front: FrontSheet | None = None

    def section(self, key: str) -> Section:
        for section in self.sections:
            if section.key == key:
                return section
        raise KeyError(key)

    def blocks(self, kind: type) -> list:
        """Every block of one kind, in order."""
        return [b for s in self.sections for b in s.blocks if isinstance(b, kind)]

    @property
    def charts(self) -> list[Chart]:
        return self.blocks(Chart)

    @property
    def sentences(self) -> list[Sentence]:
        return [s for p in self.blocks(Paragraph) for s in p.sentences]

    @property
    def file_stem(self) -> str:
        return file_stem(self.quarter, self.partners, self.comparison)


# --- words ----------------------------------------------------------------------------------


@cache
def load_words() -> dict:
    """The report's sections and sentence templates (report.toml)."""
    return tomllib.loads(REPORT_FILE.read_text(encoding="utf-8"))


@dataclass
class Context:
    db: Database
    words: dict
    quarter: Quarter
    earlier: Quarter
    partners: tuple[str, ...]
    frame: pd.DataFrame
    stated: dict[str, list[dict]]

    @property
    def catalogue(self) -> Catalogue:
        return self.db.catalogue

    @property
    def when(self) -> str:
        """The comparison quarter as a sentence names it: "Q2" within the year."""
        if self.earlier.start_year == self.quarter.start_year:
            return self.earlier.short
        return str(self.earlier)

    @property
    def first(self) -> Quarter:
        """The first quarter a chart shows."""
        return self.quarter.shift(1 - int(self.words["trend_quarters"]))


def stated(rows: list[dict]) -> list[dict]:
    """The figures a paragraph states for one metric (``compare.for_whole``): the EMSS
    figure when EMSS itself gave it (or it is calculated from figures given), otherwise each
    partner's."""
    return compare.for_whole(rows, sums=False)


def _size(words: dict, difference: float, unit: str, *, exact: bool = False) -> str:
    size = abs(difference)
    if load_catalogue().units[unit].points:
        if round(size, 1) == 0:
            return words["sizes"]["points_tiny"]
        return words["sizes"]["points"].format(points=size)
    return format_value(size, unit, exact=exact)


def clause(ctx: Context, row: dict, unit: str) -> str | None:
    """ ", up 11.0 percentage points from 72.0% in Q2, an improvement" without the comma;
    "with no reported figure for Q2 to compare with" when one of the two is illustrative
    (``compare.comparable``); None when there is no figure to compare with."""
    status = row["comparison_status"]
    if status is None or missing(status):
        if missing(row["value"]) or missing(row["comparison_value"]):
            return None
        return ctx.words["clauses"]["not_compared"].format(when=ctx.when)
    difference = row["comparison_change"]
    direction = "same" if status == "no change" else ("up" if difference > 0 else "down")
    pct = row["comparison_change_pct"]
    return ctx.words["clauses"][status][direction].format(
        size=_size(ctx.words, difference, unit),
        pct="" if missing(pct) else f" ({abs(pct):.1f}%)",
        earlier=format_value(row["comparison_value"], unit),
        when=ctx.when,
    )


def mark(words: dict, figure: bool, comparison: bool) -> str:
    marks = words["marks"]
    if figure:
        return marks["figures"] if comparison else marks["figure"]
    return marks["comparison"] if comparison else ""


def with_mark(text: str, mark: str) -> str:
    """A sentence, its illustrative mark first, where the eye lands: "Illustrative figure: …"."""
    return f"{mark}: {text}." if mark else f"{text}."


def sentence(ctx: Context, row: dict) -> Sentence:
    metric = ctx.catalogue[row["metric"]]
    unit = metric.unit.name
    template = ctx.words["phrases"].get(metric.key, ctx.words["fallback_phrase"])
    text = template.format(
        value=format_value(row["value"], unit),
        whom=PARTNER_PHRASES[row["partner"]],
        quarter=str(ctx.quarter),
        label=metric.label,
    )
    change = clause(ctx, row, unit)
    figure = bool(row["value_illustrative"])
    compared = not missing(row["comparison_change"])
    comparison = compared and bool(row["comparison_illustrative"])
    if change:
        text = f"{text}, {change}"
    return Sentence(
        text=with_mark(text, mark(ctx.words, figure, comparison)),
        metric=metric.key,
        partner=row["partner"],
        status=row["comparison_status"] if compared else None,
        figure_illustrative=figure,
        comparison_illustrative=comparison,
    )


def unique(texts: list) -> tuple[str, ...]:
    return tuple(dict.fromkeys(t for t in texts if isinstance(t, str) and t.strip()))


def numbered(number: int, blocks: list[Block]) -> tuple[Block, ...]:
    out, n = [], 0
    for block in blocks:
        if isinstance(block, Paragraph):
            n += 1
            block = replace(block, number=f"{number}.{n}")
        out.append(block)
    return tuple(out)


def plain(text: str) -> Paragraph:
    return Paragraph((Sentence(text),))


def cell(
    ctx: Context, value: float | None, unit: str, illustrative: object, *, exact: bool = False
) -> str:
    """A table cell: the figure as the report writes it (£124m; ``exact``: £1,498,159), with
    the illustrative mark."""
    text = format_value(value, unit, exact=exact)
    return f"{text} {ctx.words['marks']['cell']}" if illustrative and not missing(value) else text


def cell_notes(ctx: Context, rows: list[Row]) -> tuple[str, ...]:
    marker = " " + ctx.words["marks"]["cell"]
    marked = any(cell.endswith(marker) for row in rows for cell in row.cells)
    return (ctx.words["marks"]["cell_note"],) if marked else ()


def figures_behind(
    ctx: Context,
    name: str,
    heading: str,
    keys: Iterable[str],
    shown: list[str],
    found: Mapping[tuple[str, str], dict],
    write: Callable[[dict], str],
) -> Table:
    """The table behind a chart: a row per key (``heading`` names them), a column per
    partner ``shown``; ``found[(key, partner)]`` written by ``write``, else "—"."""
    rows = [
        Row((key,) + tuple(write(found[(key, p)]) if (key, p) in found else "—" for p in shown))
        for key in keys
    ]
    return Table(
        title=f"{name}: the figures behind the chart",
        columns=(heading, *shown),
        rows=tuple(rows),
        numeric=(False,) + (True,) * len(shown),
        notes=cell_notes(ctx, rows),
    )
