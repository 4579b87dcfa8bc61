"""The report's sections but debt: the summary, one per area and provenance."""

from __future__ import annotations

import pandas as pd

from emss import charts, compare, projects, projects_view, tables
from emss.catalogue import WHOLE, Metric
from emss.compare import format_date, format_value
from emss.quarters import quarter_range
from emss.report_debt import debt_partners
from emss.report_model import (
    CHART_WIDTH,
    Block,
    Bullets,
    Chart,
    Context,
    Paragraph,
    Row,
    Section,
    Sentence,
    Subheading,
    Table,
    cell,
    cell_notes,
    clause,
    figures_behind,
    mark,
    numbered,
    plain,
    sentence,
    unique,
    with_mark,
)
from emss.store import Snapshot
from emss.targets import load_targets, rag_text

SUMMARY_TOP = 3
NBSP = "\u2060\u00a0"  # a no-break space that no dash before it can break at either


def _by_quarter(ctx: Context, spec: dict) -> Table | None:
    """Rows for the comparison quarter and the quarter, a column per stated figure."""
    columns, stated = [], []
    for key, heading in spec["columns"]:
        for row in ctx.stated.get(key, []):
            suffix = "" if row["partner"] == WHOLE else f" ({row['partner']})"
            columns.append(heading + suffix)
            stated.append(row)
    if not stated:
        return None
    units = [ctx.catalogue[r["metric"]].unit.name for r in stated]
    rows = [
        Row(
            (str(ctx.earlier),)
            + tuple(
                cell(ctx, r["comparison_value"], u, r["comparison_illustrative"])
                for r, u in zip(stated, units, strict=True)
            )
        ),
        Row(
            (str(ctx.quarter),)
            + tuple(
                cell(ctx, r["value"], u, r["value_illustrative"])
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
        notes=cell_notes(ctx, rows),
    )


def _by_partner(ctx: Context, spec: dict, metrics: list[Metric]) -> Table | None:
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
                        cell(ctx, h["value"], metric.unit.name, h["value_illustrative"])
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
        notes=cell_notes(ctx, rows),
    )


# --- charts: emss.charts draws them; the report adds a fixed width and the data table ---


def _trend_figure(ctx: Context, key: str, spec: dict) -> Chart | None:
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
    return Chart(
        key=key,
        title=f"{metric.label}, {period}",
        spec=charts.trend_chart(data, metric, width=CHART_WIDTH),
        alt=text.description,
        table=figures_behind(
            ctx,
            metric.label,
            "Quarter",
            sorted(set(data["quarter"])),
            list(dict.fromkeys(data["partner"])),
            {(r["quarter"], r["partner"]): r for r in data.to_dict("records")},
            lambda r: cell(ctx, r["value"], unit, r["illustrative"]),
        ),
    )


# --- sections -------------------------------------------------------------------------------


def projects_section(ctx: Context, number: int, spec: dict) -> Section:
    """The Business Plan projects, as the Joint Committee report's paragraphs 3.5-3.11: what
    changed since the comparison quarter in sentences, then a table per theme (project,
    status with its shape, update)."""
    frame = projects.for_partners(projects.changes(ctx.db, ctx.quarter, ctx.earlier), ctx.partners)
    if not frame.empty and not frame["listed"].any():  # listed before, none this quarter
        blocks: list[Block] = [plain(f"No Business Plan projects are recorded for {ctx.quarter}.")]
        return Section(number, spec["key"], spec["title"], numbered(number, blocks))
    blocks = [
        plain(text) for text in projects_view.since_sentences(frame, ctx.quarter, ctx.earlier)
    ]
    not_stated = ctx.catalogue.projects.not_stated  # theme tables give status in words
    for theme in projects_view.theme_tables(frame):
        rows = tuple(
            Row(
                (
                    r["Project"],
                    # one line: the status is never broken across lines
                    projects.status_label(r["Status"].replace(not_stated, "")).replace(" ", NBSP),
                    r["Update"],
                )
            )
            for r in theme.rows.to_dict("records")
        )
        blocks.append(
            Table(
                title=f"{theme.label}, {ctx.quarter}",
                columns=("Project", "Status", "Update"),
                rows=rows,
                numeric=(False, False, False),
            )
        )
    return Section(number, spec["key"], spec["title"], numbered(number, blocks))


def area_section(ctx: Context, number: int, spec: dict) -> Section:
    metrics = ctx.catalogue.in_area(spec["area"])
    blocks: list[Block] = []
    for metric in metrics:
        stated = ctx.stated.get(metric.key, [])
        if stated:
            blocks.append(
                Paragraph(
                    tuple(sentence(ctx, row) for row in stated),
                    notes=unique(
                        [
                            tables.note_parts(row["note"])[0]
                            for row in stated
                            if not row["value_illustrative"]  # marked, not commented on
                        ]
                    ),
                )
            )
    if not blocks:
        blocks.append(plain(f"No {spec['title']} figures are held for {ctx.quarter} in this view."))
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
    return Section(number, spec["key"], spec["title"], numbered(number, blocks))


def _summary_item(ctx: Context, row: dict) -> str:
    metric = ctx.catalogue[row["metric"]]
    unit = metric.unit.name
    who = "" if row["partner"] == WHOLE else f" ({row['partner']})"
    text = f"{metric.label}{who}: {format_value(row['value'], unit)}, {clause(ctx, row, unit)}"
    return with_mark(
        text,
        mark(ctx.words, bool(row["value_illustrative"]), bool(row["comparison_illustrative"])),
    )


def summary_section(ctx: Context, number: int) -> Section:
    targets = load_targets(ctx.db.store.root, ctx.catalogue)
    blocks: list[Block] = [Subheading("Against targets")]
    if not targets:
        blocks.append(
            plain(
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
                            cell(ctx, r["value"], unit, r["value_illustrative"]),
                            format_value(target.target, unit, exact=True),
                            "Illustrative figure: not rated"
                            if r["value_illustrative"]
                            else rag_text(target.rag(r["value"])),
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
                    notes=cell_notes(ctx, rows),
                )
            )
        else:
            blocks.append(
                plain(f"None of the {len(targets)} targets set applies to a figure in this view.")
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
            blocks.append(
                plain(
                    f"No figure in this view reported for both {ctx.earlier} and {ctx.quarter} "
                    f"has {status}."
                )
            )
    left_out = int(
        (
            stated["value"].notna()
            & stated["comparison_value"].notna()
            & stated["comparison_change"].isna()
        ).sum()
    )
    if left_out:
        blocks.append(
            plain(
                f"{left_out} of the figures stated {'have' if left_out != 1 else 'has'} no "
                f"reported figure for {ctx.earlier} to compare with (one of the two is "
                "illustrative), so no improvement or deterioration is stated for "
                f"{'them' if left_out != 1 else 'it'}."
            )
        )
    return Section(number, "summary", "Summary", numbered(number, blocks))


def provenance_section(ctx: Context, number: int, sentences: list[Sentence]) -> Section:
    shown = {str(q) for q in quarter_range(min(ctx.first, ctx.earlier), ctx.quarter)}
    snapshots = [s for s in ctx.db.store.snapshots() if shown & set(s.quarters)]
    current = [s for s in snapshots if not s.withdrawn]
    blocks: list[Block] = [
        plain(
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
            plain(
                f"The figures for {ctx.quarter} were last updated on {format_date(latest.created)} "
                f"(snapshot {latest.id}, {latest.uploaded_by})."
            )
        )
    for s in snapshots:
        if s.withdrawn:
            blocks.append(
                plain(
                    f"Snapshot {s.id} was withdrawn on {format_date(s.withdrawn_at)} by "
                    f"{s.withdrawn_by}; its figures are not used."
                )
            )
    blocks.append(Subheading("Revisions"))
    revisions = _revisions(ctx)
    if revisions:
        blocks.append(plain(f"These figures for {ctx.quarter} or {ctx.earlier} have been revised:"))
        blocks.append(Bullets(revisions))
    else:
        blocks.append(
            plain(
                f"No figure for {ctx.quarter} or {ctx.earlier} has been revised since it was "
                "first reported."
            )
        )
    blocks.append(Subheading("Illustrative figures"))
    blocks.append(plain(_illustrative_text(ctx, current, sentences)))
    methods = _methods(ctx)
    if methods:
        blocks.append(Subheading("Calculated figures"))
        blocks.append(Bullets(methods))
    return Section(number, "provenance", "Provenance", numbered(number, blocks))


def _snapshot_table(snapshots: list[Snapshot]) -> Table:
    rows = [
        Row(
            (
                s.id,
                s.kind,
                format_date(s.created),
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


def _revisions(ctx: Context) -> tuple[str, ...]:
    revised = ctx.db.revised([ctx.quarter, ctx.earlier])
    in_view = set(ctx.partners) | {WHOLE} | set(debt_partners(ctx))
    revised = revised[revised["partner"].isin(in_view)]
    items = []
    for (dataset, quarter, partner, item), given in revised.groupby(
        ["dataset", "quarter", "partner", "item"], sort=False
    ):
        if dataset == "metrics":
            label, unit = ctx.catalogue[item].label, ctx.catalogue[item].unit.name
        else:
            label, unit = f"Debt movement, {item}", ctx.catalogue.debt.unit
        steps = [
            f"{format_value(g['value'], unit, exact=True)} in snapshot {g['snapshot_id']} "
            f"({format_date(g['created'])}, {g['uploaded_by']}"
            f"{', withdrawn' if g['withdrawn'] else ''})"
            for g in given.to_dict("records")
        ]
        items.append(f"{label}, {partner}, {quarter}: " + "; then ".join(steps) + ".")
    return tuple(items)


def _illustrative_text(ctx: Context, snapshots: list[Snapshot], sentences: list[Sentence]) -> str:
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
            f'"{marks["figure"]}" or "{marks["figures"]}"'
        )
    if comparisons:
        counted.append(
            f"{comparisons}{' more' if figures else ''} {'is' if comparisons == 1 else 'are'} "
            f'compared with an illustrative figure, marked "{marks["comparison"]}"'
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


def _methods(ctx: Context) -> tuple[str, ...]:
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
