"""The quarterly performance report as a model, built from the data.

A ``Report`` is a title, an introduction and numbered sections: a summary (red/amber/green
against targets, the largest improvements and deteriorations), People, Customer, Employee
Service Centre, Finance Service Centre and Debt collection in the Joint Committee report's
order, and provenance. A section is a sequence of blocks: numbered paragraphs whose sentences
are written from the data (with the figures' uploaded notes as commentary), subheadings,
bullet lists, tables and charts (a Vega-Lite spec, alt text written from the data and the data
table behind it). ``emss.report_render`` writes the model out as Word, HTML or Markdown.

The words come from ``report.toml``. Code reads each metric's direction of good, unit and
origin from the catalogue and the data, never its key.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

import pandas as pd

from emss import charts, compare
from emss.catalogue import PARTNER_NAMES, PARTNERS, Catalogue, Metric
from emss.compare import format_value, missing
from emss.quarters import Quarter, quarter_range
from emss.queries import Database
from emss.store import Snapshot
from emss.targets import TARGETS_FILE, load_targets, rag_text

REPORT_FILE = Path(__file__).with_name("report.toml")
COMPARISONS = {"previous": "the previous quarter", "year_ago": "the same quarter a year earlier"}
CHART_WIDTH = 520  # pixels: a chart drawn outside a page needs a fixed width
SUMMARY_TOP = 3


class ReportError(ValueError):
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
    key: str
    title: str
    spec: dict
    alt: str
    table: Table


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
class Report:
    title: str
    quarter: Quarter
    comparison: Quarter
    partners: tuple[str, ...]
    introduction: tuple[str, ...]
    sections: tuple[Section, ...]

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
        """A file name for the report: emss-report-2023-24-q3, then the councils of a view
        without EMSS as a whole (-lcc) and a comparison other than the previous quarter
        (-vs-2022-23-q3)."""
        parts = ["emss-report", _slug(self.quarter)]
        if "EMSS" not in self.partners:
            parts += [p.lower() for p in self.partners]
        if self.comparison != self.quarter.previous:
            parts += ["vs", _slug(self.comparison)]
        return "-".join(parts)

    def outline(self) -> list[str]:
        """Each section's heading and what it holds: "2 People: 4 paragraphs, 1 chart"."""
        kinds = ((Paragraph, "paragraph"), (Bullets, "list"), (Table, "table"), (Chart, "chart"))
        lines = []
        for section in self.sections:
            counts = [
                (sum(isinstance(b, kind) for b in section.blocks), word) for kind, word in kinds
            ]
            held = [f"{n} {word}{'' if n == 1 else 's'}" for n, word in counts if n]
            lines.append(f"{section.heading}: {', '.join(held)}")
        return lines


def _slug(quarter: Quarter) -> str:
    """2023/24 Q3 as a file name has it: 2023-24-q3."""
    return str(quarter).replace("/", "-").replace(" ", "-").lower()


# --- words ----------------------------------------------------------------------------------


@cache
def load_words() -> dict:
    """The report's sections and sentence templates (report.toml)."""
    return tomllib.loads(REPORT_FILE.read_text(encoding="utf-8"))


@dataclass
class _Context:
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


def _stated(rows: list[dict]) -> list[dict]:
    """The figures a paragraph states for one metric: the EMSS figure when EMSS itself gave
    it (or it is calculated from figures given), otherwise each partner's."""
    present = [r for r in rows if not missing(r["value"])]
    whole = [r for r in present if r["partner"] == "EMSS" and r["origin"] != "summed"]
    parts = [r for r in present if r["partner"] != "EMSS"]
    return whole or parts or present


def _size(words: dict, difference: float, unit: str, *, exact: bool = False) -> str:
    size = abs(difference)
    if unit == "percent":
        if round(size, 1) == 0:
            return words["sizes"]["percent_tiny"]
        return words["sizes"]["percent"].format(points=size)
    return format_value(size, unit, exact=exact)


def _clause(ctx: _Context, row: dict, unit: str) -> str | None:
    """ ", up 11.0 percentage points from 72.0% in Q2, an improvement" without the comma;
    None when there is no figure to compare with."""
    status = row["comparison_status"]
    if status is None or missing(status):
        return None
    difference = row["comparison_change"]
    direction = "same" if status == "no change" else ("up" if difference > 0 else "down")
    pct = row["comparison_change_pct"]
    return ctx.words["clauses"][status][direction].format(
        size=_size(ctx.words, difference, unit),
        pct="" if missing(pct) else f" ({abs(pct):.1f}%)",
        earlier=format_value(row["comparison_value"], unit),
        when=ctx.when,
    )


def _mark(words: dict, figure: bool, comparison: bool) -> str:
    marks = words["marks"]
    if figure:
        return marks["figures"] if comparison else marks["figure"]
    return marks["comparison"] if comparison else ""


def _ends(text: str, mark: str) -> str:
    return f"{text} {mark}." if mark else f"{text}."


def _sentence(ctx: _Context, row: dict) -> Sentence:
    metric = ctx.catalogue[row["metric"]]
    unit = metric.unit.name
    template = ctx.words["phrases"].get(metric.key, ctx.words["fallback_phrase"])
    text = template.format(
        value=format_value(row["value"], unit),
        whom=ctx.words["partners"][row["partner"]],
        quarter=str(ctx.quarter),
        label=metric.label,
    )
    clause = _clause(ctx, row, unit)
    figure = bool(row["value_illustrative"])
    comparison = clause is not None and bool(row["comparison_illustrative"])
    if clause:
        text = f"{text}, {clause}"
    return Sentence(
        text=_ends(text, _mark(ctx.words, figure, comparison)),
        metric=metric.key,
        partner=row["partner"],
        status=None if clause is None else row["comparison_status"],
        figure_illustrative=figure,
        comparison_illustrative=comparison,
    )


def _unique(texts: list) -> tuple[str, ...]:
    return tuple(dict.fromkeys(t for t in texts if isinstance(t, str) and t.strip()))


def _numbered(number: int, blocks: list[Block]) -> tuple[Block, ...]:
    out, n = [], 0
    for block in blocks:
        if isinstance(block, Paragraph):
            n += 1
            block = replace(block, number=f"{number}.{n}")
        out.append(block)
    return tuple(out)


def _plain(text: str) -> Paragraph:
    return Paragraph((Sentence(text),))


# --- tables ---------------------------------------------------------------------------------


def _cell(ctx: _Context, value: float | None, unit: str, illustrative: object) -> str:
    text = format_value(value, unit, exact=True)
    return f"{text} {ctx.words['marks']['cell']}" if illustrative and not missing(value) else text


def _cell_notes(ctx: _Context, rows: list[Row]) -> tuple[str, ...]:
    marker = " " + ctx.words["marks"]["cell"]
    marked = any(cell.endswith(marker) for row in rows for cell in row.cells)
    return (ctx.words["marks"]["cell_note"],) if marked else ()


def _by_quarter(ctx: _Context, spec: dict) -> Table | None:
    """Rows for the comparison quarter and the quarter, a column per stated figure."""
    columns, stated = [], []
    for key, heading in spec["columns"]:
        for row in ctx.stated.get(key, []):
            suffix = "" if row["partner"] == "EMSS" else f" ({row['partner']})"
            columns.append(heading + suffix)
            stated.append(row)
    if not stated:
        return None
    units = [ctx.catalogue[r["metric"]].unit.name for r in stated]
    rows = [
        Row(
            (str(ctx.earlier),)
            + tuple(
                _cell(ctx, r["comparison_value"], u, r["comparison_illustrative"])
                for r, u in zip(stated, units, strict=True)
            )
        ),
        Row(
            (str(ctx.quarter),)
            + tuple(
                _cell(ctx, r["value"], u, r["value_illustrative"])
                for r, u in zip(stated, units, strict=True)
            )
        ),
        Row(
            ("Change",)
            + tuple(
                compare.format_change(r["comparison_change"], u)
                for r, u in zip(stated, units, strict=True)
            ),
            total=True,
        ),
    ]
    return Table(
        title=f"{spec['title']}, {ctx.earlier} and {ctx.quarter}",
        columns=("Quarter", *columns),
        rows=tuple(rows),
        numeric=(False,) + (True,) * len(columns),
        notes=_cell_notes(ctx, rows),
    )


def _by_partner(ctx: _Context, spec: dict, metrics: list[Metric]) -> Table | None:
    """A row per metric of the section, a column per partner in the view with a figure."""
    keys = {m.key for m in metrics}
    frame = ctx.frame[ctx.frame["metric"].isin(keys) & ctx.frame["value"].notna()]
    partners = [p for p in ctx.partners if p in set(frame["partner"])]
    if not partners:
        return None
    found = {(r["metric"], r["partner"]): r for r in frame.to_dict("records")}
    rows = []
    for metric in metrics:
        hits = [found.get((metric.key, p)) for p in partners]
        if any(hits):
            rows.append(
                Row(
                    (metric.label,)
                    + tuple(
                        _cell(ctx, h["value"], metric.unit.name, h["value_illustrative"])
                        if h
                        else "—"
                        for h in hits
                    )
                )
            )
    return Table(
        title=f"{spec['title']}, {ctx.quarter}",
        columns=("Measure", *partners),
        rows=tuple(rows),
        numeric=(False,) + (True,) * len(partners),
        notes=_cell_notes(ctx, rows),
    )


# --- charts: emss.charts draws them; the report adds a fixed width and the data table ---


def _trend_figure(ctx: _Context, key: str, spec: dict) -> Chart | None:
    """The trend of a section's chosen metric for the partners its paragraph states."""
    metric = ctx.catalogue[spec["metric"]]
    partners = [r["partner"] for r in ctx.stated.get(metric.key, [])]
    if not partners:
        return None
    series = ctx.db.series([metric.key], partners, ctx.first, ctx.quarter)
    data = charts.trend_data(series.dropna(subset=["value"]), metric)
    if data.empty:
        return None
    period = f"{ctx.first} to {ctx.quarter}"
    text = charts.trend_text(data, metric, period)
    unit = metric.unit.name
    found = {(r["quarter"], r["partner"]): r for r in data.to_dict("records")}
    shown = list(dict.fromkeys(data["partner"]))
    rows = [
        Row(
            (quarter,)
            + tuple(
                _cell(ctx, found[(quarter, p)]["value"], unit, found[(quarter, p)]["illustrative"])
                if (quarter, p) in found
                else "—"
                for p in shown
            )
        )
        for quarter in sorted(set(data["quarter"]))
    ]
    return Chart(
        key=key,
        title=f"{metric.label}, {period}",
        spec=charts.trend_chart(data, metric).properties(width=CHART_WIDTH).to_dict(),
        alt=text.description,
        table=Table(
            title=f"{metric.label}: the figures behind the chart",
            columns=("Quarter", *shown),
            rows=tuple(rows),
            numeric=(False,) + (True,) * len(shown),
            notes=_cell_notes(ctx, rows),
        ),
    )


def _debt_figure(ctx: _Context, movements: pd.DataFrame) -> Chart:
    """The quarter's movement by sector, a bar per council."""
    data = charts.debt_sector_data(movements, ctx.catalogue.debt)
    text = charts.debt_sector_text(data, str(ctx.quarter))
    shown = list(dict.fromkeys(data["partner"]))
    found = {(r["partner"], r["sector"]): r for r in data.to_dict("records")}
    rows = [
        Row(
            (sector,)
            + tuple(
                _cell(
                    ctx,
                    found[(p, sector)]["movement_gbp"],
                    "gbp",
                    found[(p, sector)]["illustrative"],
                )
                if (p, sector) in found
                else "—"
                for p in shown
            )
        )
        for sector in dict.fromkeys(data["sector"])
    ]
    return Chart(
        key="debt",
        title=f"{ctx.words['debt']['chart_title']}, {ctx.quarter}",
        spec=charts.debt_sector_chart(data).properties(width=CHART_WIDTH).to_dict(),
        alt=text.description,
        table=Table(
            title=f"{ctx.words['debt']['chart_title']}: the figures behind the chart",
            columns=("Sector", *shown),
            rows=tuple(rows),
            numeric=(False,) + (True,) * len(shown),
            notes=_cell_notes(ctx, rows),
        ),
    )


# --- sections -------------------------------------------------------------------------------


def _area_section(ctx: _Context, number: int, spec: dict) -> Section:
    metrics = ctx.catalogue.in_area(spec["area"])
    blocks: list[Block] = []
    for metric in metrics:
        stated = ctx.stated.get(metric.key, [])
        if stated:
            blocks.append(
                Paragraph(
                    tuple(_sentence(ctx, row) for row in stated),
                    notes=_unique([row["note"] for row in stated]),
                )
            )
    if not blocks:
        blocks.append(
            _plain(f"No {spec['title']} figures are held for {ctx.quarter} in this view.")
        )
    for table_spec in spec.get("tables", []):
        if table_spec["kind"] == "by_quarter":
            table = _by_quarter(ctx, table_spec)
        else:
            table = _by_partner(ctx, table_spec, metrics)
        if table:
            blocks.append(table)
    if "chart" in spec:
        chart = _trend_figure(ctx, spec["key"], spec["chart"])
        if chart:
            blocks.append(chart)
    return Section(number, spec["key"], spec["title"], _numbered(number, blocks))


def _debt_partners(ctx: _Context) -> list[str]:
    """The councils whose debt the view covers: all of them for EMSS as a whole."""
    whole = "EMSS" in ctx.partners
    return [p for p in ctx.catalogue.debt.partners if whole or p in ctx.partners]


def _debt_section(ctx: _Context, number: int, spec: dict) -> Section:
    words = ctx.words["debt"]
    partners = _debt_partners(ctx)
    movements = ctx.db.debt_movements(ctx.quarter, partners=partners) if partners else None
    if movements is None or movements.empty:
        blocks: list[Block] = [_plain(words["none"].format(quarter=ctx.quarter))]
        return Section(number, spec["key"], spec["title"], _numbered(number, blocks))
    totals = ctx.db.debt_totals(ctx.quarter)
    totals = totals[totals["partner"].isin(partners)]
    by_collector = ctx.db.debt_totals(ctx.quarter, by=("partner", "collector"))
    blocks = []
    for total in totals.to_dict("records"):
        mine = movements[movements["partner"] == total["partner"]]
        blocks.append(_debt_paragraph(ctx, total, mine))
        blocks.append(_debt_table(ctx, total, mine, by_collector))
    blocks.append(_debt_figure(ctx, movements))
    return Section(number, spec["key"], spec["title"], _numbered(number, blocks))


def _debt_paragraph(ctx: _Context, totals: dict, rows: pd.DataFrame) -> Paragraph:
    words = ctx.words["debt"]
    partner = totals["partner"]
    whom = ctx.words["partners"][partner]
    total = float(totals["movement_gbp"])
    illustrative = bool(totals["illustrative"])
    status = compare.status(total, words["better"])
    direction = "same" if status == "no change" else ("up" if total > 0 else "down")
    text = words["total"].format(
        whom=whom,
        moved=words["moved"][direction],
        size=format_value(abs(total), "gbp", exact=True),
        quarter=ctx.quarter,
        verdict=words["verdicts"][status],
    )
    sentences = [
        Sentence(
            _ends(text, _mark(ctx.words, illustrative, False)),
            partner=partner,
            status=status,
            figure_illustrative=illustrative,
        )
    ]
    top = rows.loc[rows["movement_gbp"].abs().idxmax()]
    notes = []
    if top["movement_gbp"] != 0:
        largest = words["largest"].format(
            whom=whom,
            movement=format_value(top["movement_gbp"], "gbp", exact=True),
            sector=top["sector"],
            collector=top["collector"],
        )
        sentences.append(
            Sentence(
                _ends(largest, _mark(ctx.words, bool(top["illustrative"]), False)),
                partner=partner,
                figure_illustrative=bool(top["illustrative"]),
            )
        )
        notes.append(top["note"])
    return Paragraph(tuple(sentences), notes=_unique(notes))


def _debt_table(
    ctx: _Context, totals: dict, rows: pd.DataFrame, by_collector: pd.DataFrame
) -> Table:
    partner = totals["partner"]
    out = []
    for collector in dict.fromkeys(rows["collector"]):
        theirs = rows[rows["collector"] == collector]
        for r in theirs.to_dict("records"):
            note = r["note"] if isinstance(r["note"], str) else ""
            out.append(
                Row(
                    (
                        collector,
                        r["sector"],
                        _cell(ctx, r["movement_gbp"], "gbp", r["illustrative"]),
                        note,
                    )
                )
            )
        subtotal = by_collector[
            (by_collector["partner"] == partner) & (by_collector["collector"] == collector)
        ].iloc[0]
        out.append(
            Row(
                (
                    f"{collector} total",
                    "",
                    _cell(ctx, subtotal["movement_gbp"], "gbp", subtotal["illustrative"]),
                    "",
                ),
                total=True,
            )
        )
    out.append(
        Row(
            (
                "Total movement",
                "",
                _cell(ctx, totals["movement_gbp"], "gbp", totals["illustrative"]),
                "",
            ),
            total=True,
        )
    )
    return Table(
        title=f"Debt open for collection, past due: movement in {ctx.quarter}, "
        f"{PARTNER_NAMES[partner]} ({partner})",
        columns=("Collector", "Sector", "Movement", "Comments"),
        rows=tuple(out),
        numeric=(False, False, True, False),
        notes=(ctx.catalogue.debt.description, *_cell_notes(ctx, out)),
    )


def _summary_item(ctx: _Context, row: dict) -> str:
    metric = ctx.catalogue[row["metric"]]
    unit = metric.unit.name
    who = "" if row["partner"] == "EMSS" else f" ({row['partner']})"
    text = f"{metric.label}{who}: {format_value(row['value'], unit)}, {_clause(ctx, row, unit)}"
    return _ends(
        text,
        _mark(ctx.words, bool(row["value_illustrative"]), bool(row["comparison_illustrative"])),
    )


def _summary_section(ctx: _Context, number: int) -> Section:
    targets = load_targets(ctx.db.store.root, ctx.catalogue)
    blocks: list[Block] = [Subheading("Against targets")]
    if not targets:
        blocks.append(
            _plain(
                "No targets are configured, so no figure has a red, amber or green status. "
                "The report names service standards but no target values; EMSS can set "
                "targets in targets.toml in the data folder."
            )
        )
    else:
        rows = []
        for r in ctx.frame[ctx.frame["value"].notna()].to_dict("records"):
            target = targets.get(r["metric"])
            if target:
                unit = r["unit"]
                rows.append(
                    Row(
                        (
                            r["label"],
                            r["partner"],
                            _cell(ctx, r["value"], unit, r["value_illustrative"]),
                            format_value(target.target, unit, exact=True),
                            rag_text(target.rag(r["value"])),
                        )
                    )
                )
        if rows:
            blocks.append(
                Table(
                    title=f"Figures against targets, {ctx.quarter}",
                    columns=("Measure", "Partner", "Figure", "Target", "Status"),
                    rows=tuple(rows),
                    numeric=(False, False, True, True, False),
                    notes=_cell_notes(ctx, rows),
                )
            )
        else:
            blocks.append(
                _plain(f"None of the {len(targets)} targets set applies to a figure in this view.")
            )
    # Columns given: a quarter holding only debt movements states no figure.
    stated = pd.DataFrame(
        [r for rows in ctx.stated.values() for r in rows], columns=ctx.frame.columns
    )
    for status, heading in (("improved", "improvements"), ("worsened", "deteriorations")):
        blocks.append(Subheading(f"Largest {heading} since {ctx.earlier}"))
        movers = compare.biggest_changes(stated, status, SUMMARY_TOP).to_dict("records")
        if movers:
            blocks.append(Bullets(tuple(_summary_item(ctx, r) for r in movers)))
        else:
            blocks.append(_plain(f"No figure in this view has {status} since {ctx.earlier}."))
    return Section(number, "summary", "Summary", _numbered(number, blocks))


def _date(created: str) -> str:
    day = dt.datetime.fromisoformat(created)
    return f"{day.day} {day:%B %Y}"


def _provenance_section(ctx: _Context, number: int, sentences: list[Sentence]) -> Section:
    shown = {str(q) for q in quarter_range(min(ctx.first, ctx.earlier), ctx.quarter)}
    snapshots = [s for s in ctx.db.store.snapshots() if shown & set(s.quarters)]
    current = [s for s in snapshots if not s.withdrawn]
    blocks: list[Block] = [
        _plain(
            "The figures come from these snapshots of the data store. A snapshot is never "
            "changed once stored: a later one revises it, and a withdrawn one stops counting."
        ),
        _snapshot_table(current),
    ]
    latest = max(
        (s for s in current if str(ctx.quarter) in s.quarters), key=lambda s: s.seq, default=None
    )
    if latest:
        blocks.append(
            _plain(
                f"The figures for {ctx.quarter} were last updated on {_date(latest.created)} "
                f"(snapshot {latest.id}, {latest.uploaded_by})."
            )
        )
    for s in snapshots:
        if s.withdrawn:
            blocks.append(
                _plain(
                    f"Snapshot {s.id} was withdrawn on {_date(s.withdrawn_at)} by "
                    f"{s.withdrawn_by}; its figures are not used."
                )
            )
    blocks.append(Subheading("Revisions"))
    revisions = _revisions(ctx)
    if revisions:
        blocks.append(
            _plain(f"These figures for {ctx.quarter} or {ctx.earlier} have been revised:")
        )
        blocks.append(Bullets(revisions))
    else:
        blocks.append(
            _plain(
                f"No figure for {ctx.quarter} or {ctx.earlier} has been revised since it was "
                "first reported."
            )
        )
    blocks.append(Subheading("Illustrative figures"))
    blocks.append(_plain(_illustrative_text(ctx, current, sentences)))
    methods = _methods(ctx)
    if methods:
        blocks.append(Subheading("Calculated figures"))
        blocks.append(Bullets(methods))
    return Section(number, "provenance", "Provenance", _numbered(number, blocks))


def _snapshot_table(snapshots: list[Snapshot]) -> Table:
    rows = [
        Row(
            (
                s.id,
                s.kind,
                _date(s.created),
                s.uploaded_by,
                f"{s.quarters[0]} to {s.quarters[-1]}" if len(s.quarters) > 1 else s.quarters[0],
                "; ".join(f"{f.name} (SHA-256 {f.sha256[:12]})" for f in s.sources) or "—",
            )
        )
        for s in snapshots
    ]
    return Table(
        title="Source snapshots",
        columns=("Snapshot", "Kind", "Stored", "Uploaded by", "Quarters", "Source files"),
        rows=tuple(rows),
        numeric=(False,) * 6,
    )


def _revisions(ctx: _Context) -> tuple[str, ...]:
    revised = ctx.db.revised([ctx.quarter, ctx.earlier])
    in_view = set(ctx.partners) | {"EMSS"} | set(_debt_partners(ctx))
    revised = revised[revised["partner"].isin(in_view)]
    items = []
    for (dataset, quarter, partner, item), given in revised.groupby(
        ["dataset", "quarter", "partner", "item"], sort=False
    ):
        if dataset == "metrics":
            label, unit = ctx.catalogue[item].label, ctx.catalogue[item].unit.name
        else:
            label, unit = f"Debt movement, {item}", "gbp"
        steps = [
            f"{format_value(g['value'], unit, exact=True)} in snapshot {g['snapshot_id']} "
            f"({_date(g['created'])}, {g['uploaded_by']}{', withdrawn' if g['withdrawn'] else ''})"
            for g in given.to_dict("records")
        ]
        items.append(f"{label}, {partner}, {quarter}: " + "; then ".join(steps) + ".")
    return tuple(items)


def _illustrative_text(ctx: _Context, snapshots: list[Snapshot], sentences: list[Sentence]) -> str:
    figures = sum(s.figure_illustrative for s in sentences)
    comparisons = sum(s.comparison_illustrative and not s.figure_illustrative for s in sentences)
    illustrative = [s for s in snapshots if s.kind == "illustrative"]
    if not illustrative and not figures and not comparisons:
        return "No figure in this report is illustrative: every figure is one EMSS reported."
    marks = ctx.words["marks"]
    where = ", ".join(f"{s.id} ({s.uploaded_by})" for s in illustrative)
    counted = []
    if figures:
        counted.append(
            f"{figures} {'is' if figures == 1 else 'are'} illustrative, marked "
            f"{marks['figure']} or {marks['figures']}"
        )
    if comparisons:
        counted.append(
            f"{comparisons}{' more' if figures else ''} {'is' if comparisons == 1 else 'are'} "
            f"compared with an illustrative figure, marked {marks['comparison']}"
        )
    stated = f"the {len(sentences)} figures stated for {ctx.quarter}"
    return (
        f"Illustrative figures were generated to give the charts a history; EMSS did not "
        f"report them. They come from snapshot{'s' if len(illustrative) > 1 else ''} {where}. "
        + (
            f"Of {stated}, {'; '.join(counted)}. "
            if counted
            else f"None of {stated} is illustrative or compared with an illustrative figure. "
        )
        + f"In tables, cells marked {marks['cell']} are illustrative; in charts, hollow points."
    )


def _methods(ctx: _Context) -> tuple[str, ...]:
    origins = set(ctx.frame["origin"].dropna())
    items = []
    if "summed" in origins:
        items.append(
            "Where no EMSS total was given for a measure that adds up, the EMSS figure is the "
            "sum of the partners' figures."
        )
    if "derived" in origins:
        for metric in ctx.catalogue.derived:
            if (ctx.frame["metric"] == metric.key).any():
                items.append(f"{metric.label} is calculated, never uploaded: {metric.description}")
    return tuple(items)


# --- building -------------------------------------------------------------------------------


def _view_text(partners: Sequence[str]) -> str:
    names = [PARTNER_NAMES[p] for p in partners]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def inputs_version(db: Database) -> tuple:
    """What a report depends on besides its arguments: the store (its folder and manifest
    version) and the store's targets file. It changes with a new snapshot, a withdrawal or
    new targets, so a report cached on it is never stale."""
    try:
        stat = (db.store.root / TARGETS_FILE).stat()
        targets = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
    except FileNotFoundError:
        targets = None
    return str(db.store.root), db.version, targets


def build_report(
    db: Database,
    quarter: Quarter,
    partners: Sequence[str] = PARTNERS,
    comparison: str = "previous",
) -> Report:
    """The report for a quarter and a partner view, with changes against the previous
    quarter ("previous") or the same quarter a year earlier ("year_ago").

    Raises NoDataError when no figures are held for the quarter, ReportError for an empty
    partner choice or an unknown comparison, and emss.targets.TargetsError for a bad
    targets file.
    """
    chosen = tuple(p for p in PARTNERS if p in partners)
    if not chosen:
        raise ReportError("Choose at least one partner for the report.")
    if comparison not in COMPARISONS:
        raise ReportError(f'Unknown comparison "{comparison}" (expected previous or year_ago).')
    held = db.quarters_with_data()
    if quarter not in held:
        hint = f"the latest quarter with figures is {held[-1]}" if held else "the store is empty"
        raise NoDataError(f"No figures are held for {quarter}: {hint}.")
    words = load_words()
    # EMSS as a whole is reported with its parts where it has no figure of its own (a rate
    # per council), as the Joint Committee report does.
    scope = PARTNERS if "EMSS" in chosen else chosen
    frame = compare.summarise(db, quarter, scope, comparison)
    earlier = compare.comparison_quarter(quarter, comparison)
    records = frame.to_dict("records")
    by_metric: dict[str, list[dict]] = {}
    for row in records:
        by_metric.setdefault(row["metric"], []).append(row)
    ctx = _Context(
        db=db,
        words=words,
        quarter=quarter,
        earlier=earlier,
        partners=scope,
        frame=frame,
        stated={key: _stated(rows) for key, rows in by_metric.items()},
    )
    sections = [_summary_section(ctx, 1)]
    for spec in words["section"]:
        number = len(sections) + 1
        if spec.get("debt"):
            sections.append(_debt_section(ctx, number, spec))
        else:
            sections.append(_area_section(ctx, number, spec))
    stated = [
        s
        for section in sections
        for block in section.blocks
        if isinstance(block, Paragraph)
        for s in block.sentences
        if s.partner
    ]
    sections.append(_provenance_section(ctx, len(sections) + 1, stated))
    return Report(
        title=f"{words['title']}: {quarter.label}",
        quarter=quarter,
        comparison=earlier,
        partners=chosen,
        introduction=(
            f"This report covers {quarter.label} for {_view_text(chosen)}.",
            f"Changes are against {earlier}, {COMPARISONS[comparison]}.",
        ),
        sections=tuple(sections),
    )
