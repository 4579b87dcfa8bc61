"""The area pages, the Overview's figures and the Debt page's cached pieces: every figure of
an area in one table, the figure chosen in full (tiles, notes, trend chart, the invoices on
hold behind it), the Overview's headlines, the Debt page's tables and charts, and warming
those caches after a commit.

Streamlit glue built on ``emss.ui`` (its caches, page frame and shared components); ``ui``
imports nothing from here.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from emss import charts, charts_debt, debt, projects, tables, ui_lineage
from emss.catalogue import DEBT, Metric
from emss.export import to_csv
from emss.filters import Filters, figure_label, filters_from_params
from emss.projects import ProjectCounts
from emss.quarters import Quarter
from emss.targets import Target
from emss.ui import (
    STATE_FILTERS,
    WIDGET_CHARTS,
    Drawable,
    _database,
    _drawable,
    _key,
    _project_changes,
    csv_download,
    database,
    disclosure,
    figure_tiles,
    filtered_page,
    partner_name,
    show_chart,
    summary_at,
    targets,
)

# The FSC figure whose invoices a computed snapshot can list (the page's drill-down).
ON_HOLD_METRIC = "fsc_invoices_on_hold_90d"
ON_HOLD_HEADINGS = {
    "invoice_id": "Invoice ID",
    "invoice_number": "Invoice number",
    "supplier": "Supplier",
    "amount_gbp": st.column_config.NumberColumn("Amount (£)", format="localized"),
    "hold_name": "Hold",
    "hold_date": st.column_config.DateColumn("Held since", format="D MMM YYYY"),
    "days_on_hold": "Days on hold",
}


@dataclass(frozen=True)
class DebtTables:
    """What the Debt page shows for a choice: each partner's total (``debt.totals``), the
    subtotalled table (``tables.debt_table``), that table's CSV, and the snapshot behind
    each movement (quarter, partner, collector, sector, snapshot_id: its lineage)."""

    totals: pd.DataFrame
    table: pd.DataFrame
    csv: str
    sources: pd.DataFrame


@st.cache_resource(show_spinner=False, max_entries=256)
def _debt_tables(root: str, version: tuple, quarter: Quarter, *choice) -> DebtTables | None:
    movements = _database(root).debt_movements(quarter, *choice)
    if movements.empty:
        return None
    table = tables.debt_table(movements)
    sources = movements.assign(quarter=str(quarter))[[*DEBT.identity, "snapshot_id"]]
    return DebtTables(debt.totals(movements), table, to_csv(table), sources)


def debt_tables(
    quarter: Quarter,
    partners: Sequence[str] | None = None,
    collectors: Sequence[str] | None = None,
    sectors: Sequence[str] | None = None,
) -> DebtTables | None:
    """The quarter's debt movements for a choice, as the Debt page shows them; None when
    none were reported."""
    args = tuple(tuple(x) if x else None for x in (partners, collectors, sectors))
    return _debt_tables(*_key(), quarter, *args)


@st.cache_resource(show_spinner=False, max_entries=256)
def _debt_sector_chart(
    root: str, version: tuple, quarter: Quarter, *choice: tuple[str, ...]
) -> Drawable:
    movements = _database(root).debt_movements(quarter, *choice)
    return _drawable(charts_debt.prepared_debt_sector(movements, quarter))


def debt_sector_chart(
    quarter: Quarter, partners: Sequence[str], collectors: Sequence[str], sectors: Sequence[str]
) -> Drawable:
    """The quarter's movement by sector for the partners, collectors and sectors chosen."""
    return _debt_sector_chart(*_key(), quarter, tuple(partners), tuple(collectors), tuple(sectors))


@st.cache_resource(show_spinner=False, max_entries=256)
def _debt_trend_chart(
    root: str, version: tuple, filters: Filters, partners: tuple[str, ...]
) -> Drawable | None:
    trend = _database(root).debt_trend(filters.first, filters.last, partners or None)
    return _drawable(charts_debt.prepared_debt_trend(trend, filters.quarter))


def debt_trend_chart(filters: Filters, partners: Sequence[str]) -> Drawable | None:
    """Each partner's total movement over the filters' range, its title stating the chosen
    quarter's; None when there is none."""
    return _debt_trend_chart(*_key(), filters, tuple(partners))


@st.cache_resource(show_spinner=False, max_entries=512)
def _trend(
    root: str,
    version: tuple,
    key: str,
    partners: tuple[str, ...],
    filters: Filters,
    target: Target | None,
) -> Drawable | None:
    db = _database(root)
    series = db.series((key,), partners, filters.first, filters.last)
    return _drawable(
        charts.prepared_trend(
            series,
            db.catalogue[key],
            target,
            filters.first,
            filters.last,
            filters.quarter,
            filters.comparison_quarter,
        )
    )


@dataclass(frozen=True)
class AreaFigures:
    """An area's figures for a choice of filters, ready to lay out (never changed after, and
    shared between sessions: read them, never change them): its summary rows, those rows
    per metric as a frame and as records, the table of every figure as HTML under its
    caption (without its "For" column when one partner is ``whose`` every row, said once
    in the caption instead) and its whole CSV, and the figure shown first (the first
    reported, reported before illustrative)."""

    rows: pd.DataFrame
    by_metric: dict[str, pd.DataFrame]
    records: dict[str, list[dict]]
    table_html: str
    glance_csv: str
    whose: str | None
    first: str | None


@st.cache_resource(show_spinner=False, max_entries=256)
def _area(root: str, version: tuple, area: str, filters: Filters) -> AreaFigures:
    db = _database(root)
    rows = summary_at(root, version, filters)
    rows = rows[rows["area"] == area]
    start = max(filters.first, filters.quarter.shift(1 - tables.SPARK_QUARTERS))
    keys = tuple(dict.fromkeys(rows["metric"]))
    series = db.series(keys, tuple(dict.fromkeys(rows["partner"])), start, filters.quarter)
    labels = [figure_label(row, filters) for row in rows.to_dict("records")]
    glance = tables.glance_table(rows, series, labels, db.catalogue)
    reported = rows[rows["value"].notna()].sort_values("value_illustrative", kind="stable")
    partners = glance["For"].unique()
    whose = partners[0] if len(partners) == 1 else None
    caption = (
        (f"Figures for {partner_name(whose)}, " if whose else "Figures for ")
        + f"{filters.quarter.label}, compared with the {filters.comparison_label} "
        f"({filters.comparison_quarter}). Trend charts: {filters.first} to {filters.last}."
    )
    table = glance.drop(columns="For") if whose else glance
    by_metric = dict(tuple(rows.groupby("metric", sort=False)))  # 1 ms; a filter a key: 9
    return AreaFigures(
        rows=rows,
        by_metric=by_metric,
        records={key: shown.to_dict("records") for key, shown in by_metric.items()},
        table_html=tables.static_table_html(
            table,
            f"Every {area} figure for {filters.quarter}",
            layout=tables.GLANCE,
            caption=caption,
        ),
        glance_csv=to_csv(glance),
        whose=whose,
        first=reported["metric"].iloc[0] if len(reported) else None,
    )


def metric_trend(
    metric: Metric, partners: Sequence[str], filters: Filters, target: Target | None
) -> None:
    """A metric's trend chart over the filters' range, or a sentence when there is none."""
    prepared = _trend(*_key(), metric.key, tuple(partners), filters, target)
    if prepared is None:
        st.markdown(f"No figures for {metric.label} from {filters.first} to {filters.last}.")
        return
    show_chart(prepared, f"{metric.key}-{filters.first.slug}-{filters.last.slug}")


def area_page(area: str) -> None:
    """An area's page: set up under the area's title, then every figure of the area."""
    filtered_page(database().catalogue.area_title(area), functools.partial(area_view, area))


def area_view(area: str, filters: Filters) -> None:
    """Every catalogue metric of an area in one table (figure, change, trend glyph), then
    the figure chosen in full: its tiles, notes, definition and trend chart.

    One chart at a time: each chart costs the browser far more than a table row, and the
    table already answers "how did each figure move"."""
    catalogue = database().catalogue
    figures = _area(*_key(), area, filters)
    if figures.first is None:
        st.info(f"No {catalogue.areas[area]} figures were reported for {filters.quarter}.")
    st.html(figures.table_html)  # ui.static_table's HTML, made once per choice
    csv_download(
        "Download CSV",
        figures.glance_csv,
        f"{area.lower()}-{filters.quarter.slug}.csv",
        key=f"download_{area.lower()}_glance",
    )
    metrics = catalogue.in_area(area)
    keys = [m.key for m in metrics]
    metric = st.selectbox(
        "Figure shown in full",
        metrics,
        index=keys.index(figures.first or keys[0]),
        format_func=lambda m: m.label,
        key=f"emss_area_figure_{area}",
    )
    shown = figures.by_metric.get(metric.key, figures.rows.iloc[:0])
    records = figures.records.get(metric.key, [])
    metric_view(metric, shown, records, filters, targets().get(metric.key))


def metric_view(
    metric: Metric, shown: pd.DataFrame, records: list[dict], filters: Filters, target
) -> None:
    """One metric in full: its figures (``shown``, and as ``records``), comparison, notes,
    definition and trend chart."""
    st.header(metric.label, divider="gray")
    if metric.is_emss_wide and not filters.is_whole:
        st.caption("**EMSS-wide**: reported for EMSS as a whole, not per council.")
    sources, notes = [metric.source], []
    for row in records:
        note, source = tables.note_parts(row["note"])
        if note:
            notes.append((figure_label(row, filters), note))
        sources.append(source)
    about = metric.description
    if metric.standard:
        about += f" Standard: {metric.standard}."
    about += f" Source: report {', '.join(dict.fromkeys(filter(None, sources)))}."
    # At the page's width, side by side, then the chart under them: no columns, whose
    # layout cost the browser more than the tiles (a tenth of a filter change's work).
    figure_tiles(
        [(row, figure_label(row, filters), target) for row in records],
        below=tables.notes_html(notes, about),
    )
    trend = disclosure(f"Trend chart, {filters.first} to {filters.last}", WIDGET_CHARTS)
    if trend is not None:
        with trend:
            metric_trend(metric, shown["partner"].tolist(), filters, target)
    ui_lineage.behind(shown)  # the page's width: file names and SHA-256 are long
    if metric.key == ON_HOLD_METRIC:
        on_hold_invoices(filters)


@st.cache_data(show_spinner=False, max_entries=64)
def _on_hold(root: str, version: tuple, quarter: Quarter) -> pd.DataFrame:
    from emss.sources import stored

    return stored.on_hold_invoices(_database(root).store, quarter)


def on_hold_invoices(filters: Filters) -> None:
    """The invoices on hold over 90 days behind the figure, per council, when a computed
    snapshot lists them for the quarter."""
    from emss.sources import stored

    frame = _on_hold(*_key(), filters.quarter)
    frame = frame[frame["partner"].isin(filters.partners)] if not filters.is_whole else frame
    if frame.empty:
        return
    st.markdown(f"**The invoices on hold over 90 days at the end of {filters.quarter}**")
    for partner, held in frame.groupby("partner", sort=False):
        with st.expander(f"{partner_name(partner)}: {len(held):,} invoices"):
            st.dataframe(
                held.drop(columns=["snapshot_id", "partner"]),
                hide_index=True,
                width="stretch",
                column_config=ON_HOLD_HEADINGS,
            )
            csv_download(
                "Download CSV",
                functools.partial(stored.on_hold_csv, held),
                f"on-hold-{partner.lower()}-{filters.quarter.slug}.csv",
                key=f"download_on_hold_{partner}",
            )
    st.caption(
        "From the Payables export computed into the quarter's figures (newest computed "
        f"snapshot {frame['snapshot_id'].iloc[0]})."
    )


@dataclass(frozen=True)
class Overview:
    """What the Overview shows for a choice of filters (never changed after): the headline
    figures' rows, what moved most as sentences, how many figures were not compared, each
    council's debt headline (None when no movement is held) and the projects' counts."""

    headlines: list[dict]
    moved: list[str]
    not_compared: int
    debt: list[tables.Headline] | None
    projects: ProjectCounts


@st.cache_resource(show_spinner=False, max_entries=256)
def _overview(root: str, version: tuple, filters: Filters) -> Overview:
    db = _database(root)
    rows = summary_at(root, version, filters)
    councils = tuple(debt.partners_in_view(filters.partners, db.catalogue.debt))
    held = _debt_tables(root, version, filters.quarter, councils, None, None) if councils else None
    changes = _project_changes(root, version, filters.quarter, filters.comparison_quarter)
    listed = projects.for_partners(changes, filters.partners)
    return Overview(
        headlines=tables.headlines(rows, db.catalogue).to_dict("records"),
        moved=tables.moved_most(rows),
        not_compared=tables.not_compared(rows),
        debt=None if held is None else tables.debt_headlines(held.totals),
        projects=projects.counts(listed),
    )


def overview(filters: Filters) -> Overview:
    """The Overview's figures for the filters, prepared once per store version."""
    return _overview(*_key(), filters)


def warm_caches() -> None:
    """Prepare what the first visitor after a commit would wait for (the Overview, and the
    default view of every area, its table and first chart): call right after a commit or
    withdrawal."""
    quarters = database().quarters_with_data()
    if not quarters:
        return
    current = st.session_state.get(STATE_FILTERS) or filters_from_params({}, quarters)[0]
    overview(current)
    for area in database().catalogue.areas:
        figures = _area(*_key(), area, current)
        if figures.first is not None:
            shown = figures.by_metric[figures.first]
            partners = tuple(shown["partner"])
            _trend(*_key(), figures.first, partners, current, targets().get(figures.first))
    ui_lineage.warm()
