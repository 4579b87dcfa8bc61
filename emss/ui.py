"""The Streamlit glue every page shares: setup, navigation, caching, components, sign-in.

The only module in ``emss`` that imports streamlit; what it lays out comes from plain
modules (``filters``, ``tables``, ``charts``, ``debt``, ``report``). A page starts with::

    filters = ui.page_setup("ESC")

which sets the page up, draws the navigation and the filters in the sidebar, shows where the
figures come from and whether any are illustrative, and stops with a plain sentence when the
store holds nothing to show.

The filters are kept in one non-widget session key (so they survive a change of page, when
Streamlit drops the state of widgets the new page has not drawn yet) and written to the URL
(so a pasted link reopens the same view). A link's values are read once, when a session
starts; a value that cannot be used falls back to the default with a note saying so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from secrets import token_hex

import pandas as pd
import streamlit as st
from streamlit.dataframe_util import convert_anything_to_arrow_bytes
from streamlit.runtime.scriptrunner import get_script_run_ctx

from emss import auth, charts, compare, debt, ingest, tables, upload_guard
from emss.catalogue import PARTNER_NAMES, PARTNERS, VIEWS, Metric, load_catalogue
from emss.charts import PreparedChart
from emss.export import to_csv
from emss.filters import (
    COMPARISONS,
    VIEW_LABELS,
    VIEW_PARTNERS,
    Filters,
    figure_label,
    filters_from_params,
)
from emss.quarters import Quarter
from emss.queries import Database
from emss.store import Store, StoreError
from emss.targets import Target, TargetsError, load_targets
from emss.text import markdown_literal

APP_DIR = Path(__file__).resolve().parent.parent

# The navigation, in order: (page file relative to app.py, label). Pages not (yet) present
# in the repository are left out of the navigation.
PAGES = (
    ("app.py", "Overview"),
    ("pages/1_ESC.py", "ESC"),
    ("pages/2_FSC.py", "FSC"),
    ("pages/3_People.py", "People"),
    ("pages/4_Customer.py", "Customer"),
    ("pages/5_Debt_collection.py", "Debt collection"),
    ("pages/6_Projects.py", "Projects"),
    ("pages/7_Definitions.py", "Definitions"),
    ("pages/8_Report.py", "Report"),
    ("pages/9_Upload.py", "Upload"),
    ("pages/10_History.py", "History"),
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

# The page that shows every figure of an area (its label is the area's code).
AREA_PAGES = {label: path for path, label in PAGES if label in load_catalogue().areas}

# Accessibility and legibility fixes to Streamlit's own styles (WCAG 2.2 AA):
# - captions are drawn at 60% opacity, 3.88:1 on white and 3.81:1 on the sidebar, below the
#   4.5:1 small text needs; the GOV.UK secondary text colour #505A5F reads as secondary at 7:1;
# - a figure tile's label and its comparison are cut with an ellipsis ("· Illus…"): they wrap;
# - a table's long words (a trend's glyphs, a heading) widen a phone's page, and a picker's
#   chosen values scroll sideways in one line: both wrap too.
PAGE_CSS = """<style>
[data-testid="stCaptionContainer"] { opacity: 1; color: #505A5F; }
[data-testid="stMetric"] .stMarkdownEllipsis,
[data-testid="stMetric"] .stMarkdownEllipsis * {
  white-space: normal; overflow: visible; text-overflow: clip;
}
[data-testid="stTable"] th, [data-testid="stTable"] td { overflow-wrap: anywhere; }
[data-testid="stMultiSelectTagsContainer"] { flex-wrap: wrap; overflow-x: visible; }
[data-testid="stMultiSelectTagsContainer"] [data-baseweb="tag"],
[data-testid="stMultiSelectTagsContainer"] [data-baseweb="tag"] span {
  max-width: none; overflow: visible; text-overflow: clip;
}
@media (max-width: 640px) {
  [data-testid="stTable"] table { table-layout: fixed; width: 100%; }
}
</style>"""

TILE_WIDTH = 300  # pixels: wide enough for a headline's label and its comparison
OVERVIEW_TILE_WIDTH = 184  # three a row beside the summary at 1440 px (one a row on a phone)
# The Projects page, once the navigation lists it (None until then).
PROJECTS_PAGE = next(
    (path for path, label in PAGES if label == "Projects" and (APP_DIR / path).exists()), None
)

# Session-state keys: every key the app keeps in st.session_state, and the widgets' keys
# that tests and benchmarks drive.
STATE_FILTERS = "emss_filters"  # the current Filters (not a widget: survives a page change)
STATE_FILTER_NOTES = "emss_filter_notes"  # notes on a link's unusable values, shown once
STATE_EDITOR = "emss_editor"  # the identity a password sign-in gave this session
STATE_SESSION_KEY = "emss_session_key"  # a random key per session for the password throttle
WIDGET_QUARTER = "emss_filter_quarter"
WIDGET_VIEW = "emss_filter_view"
WIDGET_COMPARISON = "emss_filter_comparison"
WIDGET_RANGE = "emss_filter_range"
WIDGET_SIGN_IN_NAME = "emss_sign_in_name"
WIDGET_SIGN_IN_PASSWORD = "emss_sign_in_password"
WIDGET_SIGN_IN = "emss_sign_in"
WIDGET_SIGN_OUT = "emss_sign_out"


# --- data ------------------------------------------------------------------------------


@st.cache_resource(show_spinner=False)
def _database(root: str) -> Database:
    return Database(Store(root))


def database() -> Database:
    """The shared Database over the store named by EMSS_DATA_DIR (one per store folder)."""
    return _database(str(Store.default().root))


# Query results are cached per store folder and manifest version: a new snapshot (from this
# process or another) changes the version, so the next page run reads the new figures.


def _key() -> tuple[str, tuple]:
    db = database()
    return str(db.store.root), db.version


@st.cache_data(show_spinner=False, max_entries=256)
def _summary(
    root: str, version: tuple, quarter: Quarter, partners: tuple[str, ...], comparison: str
) -> pd.DataFrame:
    return compare.summarise(_database(root), quarter, partners, comparison)


@st.cache_data(show_spinner=False, max_entries=256)
def _whole_summary(root: str, version: tuple, quarter: Quarter, comparison: str) -> pd.DataFrame:
    return compare.prefer_whole(_summary(root, version, quarter, PARTNERS, comparison))


def summary(filters: Filters, comparison: str | None = None) -> pd.DataFrame:
    """The quarter's figures to show for the filters' partner view (``compare.summarise``);
    in the "EMSS as a whole" view, by ``compare.prefer_whole``."""
    comparison = comparison or filters.comparison
    if not filters.is_whole:
        return _summary(*_key(), filters.quarter, filters.partners, comparison)
    return _whole_summary(*_key(), filters.quarter, comparison)


@st.cache_data(show_spinner=False, max_entries=64)
def _project_changes(root: str, version: tuple, quarter: Quarter, comparison: Quarter):
    from emss import projects

    return projects.changes(_database(root), quarter, comparison)


def project_changes(filters: Filters) -> pd.DataFrame:
    """``projects.changes`` for the filters' quarter and comparison quarter (every partner)."""
    return _project_changes(*_key(), filters.quarter, filters.comparison_quarter)


@st.cache_data(show_spinner=False, max_entries=16)
def _snapshots_in_use(root: str, version: tuple) -> pd.DataFrame:
    return _database(root).active_snapshots()


def snapshots_in_use() -> pd.DataFrame:
    """The snapshots whose figures are in view, newest first (the banner and provenance)."""
    return _snapshots_in_use(*_key())


def provenance_lines() -> list[str]:
    """Where the figures come from (``tables.provenance_lines``)."""
    return tables.provenance_lines(snapshots_in_use())


@dataclass(frozen=True)
class DebtTables:
    """What the Debt page shows for a choice: each partner's total (``debt.totals``), the
    subtotalled table (``tables.debt_table``) and that table's CSV."""

    totals: pd.DataFrame
    table: pd.DataFrame
    csv: str


@st.cache_resource(show_spinner=False, max_entries=256)
def _debt_tables(root: str, version: tuple, quarter: Quarter, *choice) -> DebtTables | None:
    movements = _database(root).debt_movements(quarter, *choice)
    if movements.empty:
        return None
    table = tables.debt_table(movements)
    return DebtTables(debt.totals(movements), table, to_csv(table))


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


# Prepared charts and tables are shared between sessions (st.cache_resource, not copied on
# every run as st.cache_data would) and never changed after they are made.


@dataclass(frozen=True)
class Drawable:
    """A prepared chart with its data already in the form Streamlit sends to the browser
    (Arrow bytes), so a rerun does not convert the chart's rows again."""

    prepared: PreparedChart
    spec: dict  # the spec, its data named DATASET rather than inline
    data: bytes


DATASET = "figures"


def _drawable(prepared: PreparedChart | None) -> Drawable | None:
    if prepared is None:
        return None
    spec = {key: value for key, value in prepared.spec.items() if key != "data"}
    spec["data"] = {"name": DATASET}
    rows = pd.DataFrame(prepared.spec["data"]["values"])
    return Drawable(prepared, spec, convert_anything_to_arrow_bytes(rows))


@st.cache_resource(show_spinner=False, max_entries=256)
def _debt_sector_chart(
    root: str, version: tuple, quarter: Quarter, *choice: tuple[str, ...]
) -> Drawable:
    movements = _database(root).debt_movements(quarter, *choice)
    return _drawable(charts.prepared_debt_sector(movements, quarter))


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
    return _drawable(charts.prepared_debt_trend(trend, filters.quarter))


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


@st.cache_resource(show_spinner=False, max_entries=256)
def _glance(root: str, version: tuple, area: str, filters: Filters) -> pd.DataFrame:
    db = _database(root)
    rows = _area_rows(root, version, area, filters)
    start = max(filters.first, filters.quarter.shift(1 - tables.SPARK_QUARTERS))
    keys = tuple(dict.fromkeys(rows["metric"]))
    series = db.series(keys, tuple(dict.fromkeys(rows["partner"])), start, filters.quarter)
    labels = [figure_label(row, filters) for row in rows.to_dict("records")]
    return tables.glance_table(rows, series, labels, db.catalogue)


def _area_rows(root: str, version: tuple, area: str, filters: Filters) -> pd.DataFrame:
    if filters.is_whole:
        rows = _whole_summary(root, version, filters.quarter, filters.comparison)
    else:
        rows = _summary(root, version, filters.quarter, filters.partners, filters.comparison)
    return rows[rows["area"] == area]


# Keyed on the store and its targets (report.inputs_version): a new snapshot or new targets,
# from this process or another, make the next run write the report afresh.
@st.cache_data(show_spinner=False, max_entries=16)
def _written(
    _db: Database, inputs: tuple, quarter: Quarter, partners: tuple[str, ...], comparison: str
) -> tuple:
    from emss import report, report_render  # the drawing libraries load only for the report

    built = report.build_report(_db, quarter, partners, comparison)
    return built, *report_render.render_with_preview(built)


def written_report(filters: Filters) -> tuple:
    """The report for the filters, its files by format and its preview as HTML
    (``report_render.render_with_preview``).

    Raises what ``report.build_report`` raises."""
    from emss import report

    db = database()
    return _written(
        db, report.inputs_version(db), filters.quarter, filters.partners, filters.comparison
    )


def targets() -> dict[str, Target]:
    """The targets set for this store; a targets file that cannot be read is reported once
    on the page and no RAG status is shown."""
    try:
        return load_targets(database().store.root)
    except TargetsError as problem:
        st.error(f"Targets are not shown: {problem}", icon=":material/error:")
        return {}


# --- the page frame --------------------------------------------------------------------


def page_setup(title: str, *, filters: bool = True, name_view: bool = False) -> Filters | None:
    """Set the page up; return the shared filters (None when ``filters`` is False).

    Draws the navigation, the provenance and, on pages that show figures (``filters``), the
    filters and the illustrative-data banner; ``name_view`` adds the partner view and the
    quarter to the heading. With ``filters=True`` and nothing in the
    store, says so and stops the page; pages without filters (upload, history) still run
    on an empty store.
    """
    st.set_page_config(page_title=f"{title} · EMSS performance", layout="wide")
    st.html(PAGE_CSS)
    try:  # a damaged store or a bad setting: one sentence on every page, no traceback
        _guard_uploads(editor_session=editor() is not None)
        quarters = database().quarters_with_data()
    except (StoreError, ingest.SettingError) as error:
        st.error(str(error), icon=":material/error:")
        st.stop()
    current = _current_filters(quarters) if quarters else None
    navigation = st.sidebar.container()  # drawn first, filled once the filters are known
    chosen = _filter_widgets(current, quarters) if filters and current else None
    if chosen is not None:
        st.session_state[STATE_FILTERS] = current = chosen
        st.query_params.update(chosen.params())
    with navigation:
        _navigation(current)
    _provenance()
    named = chosen is not None and name_view
    st.title(f"{title}: {chosen.view_label}, {chosen.quarter}" if named else title)
    if filters and not quarters:
        st.info(
            "There are no figures to show yet: the data store is empty. "
            "Figures appear here once a quarter's return has been uploaded."
        )
        st.stop()
    for note in st.session_state.pop(STATE_FILTER_NOTES, []):
        st.warning(markdown_literal(note), icon=":material/link_off:")
    if filters:
        _illustrative_banner()
    return chosen


def _current_filters(quarters: list[Quarter]) -> Filters:
    """The session's filters; on the session's first run, read from the link."""
    current = st.session_state.get(STATE_FILTERS)
    if current is None:
        current, notes = filters_from_params(st.query_params.to_dict(), quarters)
        st.session_state[STATE_FILTER_NOTES] = notes
        st.session_state[STATE_FILTERS] = current
        return current
    # A store that changed since (withdrawal) may have lost a chosen quarter.
    if current.quarter not in quarters:
        current = replace(current, quarter=quarters[-1])
    if current.first not in quarters or current.last not in quarters:
        current = replace(current, first=quarters[0], last=quarters[-1])
    return current


def _navigation(current: Filters | None) -> None:
    params = current.params() if current else None
    st.markdown("**EMSS performance**")
    for path, label in PAGES:
        if (APP_DIR / path).exists():
            st.page_link(path, label=label, query_params=params)


def _filter_widgets(current: Filters, quarters: list[Quarter]) -> Filters:
    """The filters in the sidebar, started from ``current``; returns what they now say."""
    newest_first = list(reversed(quarters))
    with st.sidebar:
        st.divider()
        st.markdown("**Filters**")
        quarter = st.selectbox(
            "Quarter",
            newest_first,
            index=newest_first.index(current.quarter),
            format_func=lambda q: q.label,
            key=WIDGET_QUARTER,
        )
        views = list(VIEWS)
        view = st.radio(
            "Partner",
            views,
            index=views.index(current.view),
            format_func=VIEW_LABELS.__getitem__,
            key=WIDGET_VIEW,
        )
        comparisons = list(COMPARISONS)
        comparison = st.radio(
            "Compare with",
            comparisons,
            index=comparisons.index(current.comparison),
            format_func=COMPARISONS.__getitem__,
            key=WIDGET_COMPARISON,
        )
        if len(quarters) > 1:
            first, last = st.select_slider(
                "Quarters in the trend charts",
                quarters,
                value=(current.first, current.last),
                format_func=str,
                key=WIDGET_RANGE,
            )
        else:
            first = last = quarters[0]
    return Filters(quarter, view, VIEW_PARTNERS[view], comparison, first, last)


def _provenance() -> None:
    with st.sidebar:
        st.divider()
        st.caption("**Provenance**\n\n" + "\n".join(f"- {line}" for line in provenance_lines()))


def _illustrative_banner() -> None:
    if (snapshots_in_use()["kind"] == "illustrative").any():
        st.warning(
            "**Illustrative data.** Some figures here are generated to show how the dashboard "
            "works; they were not reported by EMSS. Charts draw them hollow on a dashed line "
            'and tables mark them "Illustrative".',
            icon=":material/science:",
        )


def follow_latest_quarter() -> None:
    """After a commit or withdrawal: every page opens on the latest quarter with data,
    keeping the session's partner view and comparison."""
    current = st.session_state.get(STATE_FILTERS)
    quarters = database().quarters_with_data()
    if current is not None and quarters:
        st.session_state[STATE_FILTERS] = replace(current, quarter=quarters[-1], last=quarters[-1])


# --- pieces pages share ----------------------------------------------------------------


def data_table(
    frame: pd.DataFrame,
    *,
    name: str,
    label: str = "Data table",
    description: str | None = None,
    csv: str | None = None,
) -> None:
    """A chart's data a click away: its description in words, the table and a CSV download
    (formula-safe; ``csv`` when it has been written already)."""
    with st.expander(label):
        if description:
            st.markdown(description)
        st.dataframe(frame, hide_index=True, width="stretch")
        st.download_button(
            "Download CSV",
            to_csv(frame) if csv is None else csv,
            file_name=f"{name}.csv",
            mime="text/csv",
            key=f"download_{name}",
        )


def partner_name(partner: str) -> str:
    return PARTNER_NAMES.get(partner, partner)


def show_chart(chart: Drawable, name: str) -> None:
    """A chart under its title, with its caption and its data table and description."""
    text = chart.prepared.text
    st.markdown(f"**{text.title}**")
    # A fresh top-level dict each run: Streamlit takes the datasets out of the spec it gets.
    spec = {**chart.spec, "datasets": {DATASET: chart.data}}
    st.vega_lite_chart(spec, width="stretch", alt=text.title)
    st.caption(text.caption)
    data_table(
        chart.prepared.table,
        name=name,
        label="Data table and description",
        description=text.description,
        csv=chart.prepared.csv,
    )


# --- figures ---------------------------------------------------------------------------


def figure_tile(
    row: Mapping, label: str, target: Target | None = None, *, short: bool = False
) -> None:
    """One figure (``tables.tile``): value, change against the comparison quarter or why there
    is none, RAG status for a reported figure with a target; a sentence when not reported.
    ``short``: the Overview's small tile."""
    if compare.missing(row["value"]):
        st.markdown(f"**{label}**: not reported for {row['quarter']}.")
        return
    shown = tables.tile(row, label, target, short=short)
    with st.container(border=True, gap="small"):
        # The label as text that wraps (a metric's own label is cut to one line).
        st.markdown(f"**{shown.label}**")
        st.metric(
            shown.label,
            shown.value,
            shown.delta,
            delta_color=shown.colour,
            delta_arrow=shown.arrow,
            delta_description=shown.compared,
            label_visibility="collapsed",
            help=shown.help,
        )
        for line in (shown.caption, shown.rag):
            if line:
                st.caption(line)


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
    filters = page_setup(database().catalogue.area_title(area))
    area_view(area, filters)


def area_view(area: str, filters: Filters) -> None:
    """Every catalogue metric of an area in one table (figure, change, trend glyph), then
    the figure chosen in full: its tiles, notes, definition and trend chart.

    One chart at a time: each chart costs the browser far more than a table row, and the
    table already answers "how did each figure move"."""
    catalogue = database().catalogue
    rows = _area_rows(*_key(), area, filters)
    st.caption(
        f"Figures for {filters.quarter.label}, compared with the {filters.comparison_label} "
        f"({filters.comparison_quarter}). Trend charts: {filters.first} to {filters.last}."
    )
    if rows["value"].isna().all():
        st.info(f"No {catalogue.areas[area]} figures were reported for {filters.quarter}.")
    glance = _glance(*_key(), area, filters)
    st.table(glance, hide_index=True, alt=f"Every {area} figure for {filters.quarter}")
    st.download_button(
        "Download CSV",
        to_csv(glance),
        file_name=f"{area.lower()}-{filters.quarter.slug}.csv",
        mime="text/csv",
        key=f"download_{area.lower()}_glance",
    )
    metrics = catalogue.in_area(area)
    reported = rows[rows["value"].notna()].sort_values("value_illustrative", kind="stable")
    first = reported["metric"].iloc[0] if len(reported) else metrics[0].key
    metric = st.selectbox(
        "Figure shown in full",
        metrics,
        index=[m.key for m in metrics].index(first),
        format_func=lambda m: m.label,
        key=f"emss_area_figure_{area}",
    )
    metric_view(metric, rows[rows["metric"] == metric.key], filters, targets().get(metric.key))


def metric_view(metric: Metric, shown: pd.DataFrame, filters: Filters, target) -> None:
    """One metric in full: its figures, comparison, notes, definition and trend chart."""
    st.header(metric.label, divider="gray")
    if metric.is_emss_wide and not filters.is_whole:
        st.caption("**EMSS-wide**: reported for EMSS as a whole, not per council.")
    left, right = st.columns([2, 3], gap="large")
    with left:
        figures = shown.to_dict("records")
        for row in figures:  # one above the other: side by side, their changes were cut short
            figure_tile(row, figure_label(row, filters), target)
        sources = [metric.source]
        for row in figures:
            note, source = tables.note_parts(row["note"])
            if note:
                st.caption(f"**Note, {figure_label(row, filters)}:** {markdown_literal(note)}")
            sources.append(source)
        about = metric.description
        if metric.standard:
            about += f" Standard: {metric.standard}."
        st.caption(f"{about} Source: report {', '.join(dict.fromkeys(filter(None, sources)))}.")
    with right:
        metric_trend(metric, shown["partner"].tolist(), filters, target)
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
            st.download_button(
                "Download CSV",
                stored.on_hold_csv(held),
                file_name=f"on-hold-{partner.lower()}-{filters.quarter.slug}.csv",
                mime="text/csv",
                key=f"download_on_hold_{partner}",
            )
    st.caption(
        "From the Payables export computed into the quarter's figures (newest computed "
        f"snapshot {frame['snapshot_id'].iloc[0]})."
    )


def warm_caches() -> None:
    """Prepare what the first visitor after a commit would wait for (the default view of
    every area, its table and first chart): call right after a commit or withdrawal."""
    quarters = database().quarters_with_data()
    if not quarters:
        return
    current = st.session_state.get(STATE_FILTERS) or filters_from_params({}, quarters)[0]
    for area in database().catalogue.areas:
        rows = _area_rows(*_key(), area, current)
        _glance(*_key(), area, current)
        shown = rows[rows["value"].notna()]
        if not shown.empty:
            key = shown["metric"].iloc[0]
            partners = tuple(shown.loc[shown["metric"] == key, "partner"])
            _trend(*_key(), key, partners, current, targets().get(key))


# --- editing: who may upload and withdraw (the rules are in emss.auth) -----------------


def _secrets() -> dict:
    try:
        return st.secrets.to_dict()
    except FileNotFoundError:  # no secrets.toml anywhere: nothing is configured
        return {}


def editor() -> str | None:
    """The signed-in editor's identity (email, or name for a password sign-in), else None."""
    secrets = _secrets()
    mode = auth.editing_mode(secrets)
    if mode == "oidc":
        return auth.signed_in_editor(st.user, auth.editors(secrets))
    return st.session_state.get(STATE_EDITOR) if mode == "password" else None


UPLOADS_PER_SESSION = 8  # files of the largest size one session may hold on the server


def _guard_uploads(*, editor_session: bool) -> None:
    """Let this session leave files on the server only while an editor is signed in to it
    (see emss.upload_guard); a viewer's session holds none."""
    guard = upload_guard.guard(UPLOADS_PER_SESSION * ingest.max_upload_bytes())
    context = get_script_run_ctx()
    if guard is None or context is None:
        return
    if editor_session:
        guard.allow(context.session_id)
    else:
        guard.disallow(context.session_id)


def require_editor(action: str) -> str:
    """The editor's identity; anyone else gets the way to sign in (or to enable editing) and
    the page stops there, before any control that changes the figures exists.

    ``action`` completes "Sign in to …", e.g. "upload a quarter".
    """
    who = editor()
    if who is not None:
        _guard_uploads(editor_session=True)  # signed in during this run: its picker must work
        with st.container(horizontal=True, vertical_alignment="center"):
            st.caption(f"Editing as **{markdown_literal(who)}**.")
            st.button("Sign out", key=WIDGET_SIGN_OUT, on_click=_sign_out)
        return who
    secrets = _secrets()
    mode = auth.editing_mode(secrets)
    if mode == "none":
        st.info(auth.HOW_TO_ENABLE, icon=":material/lock:")
    elif mode == "oidc" and st.user.get("is_logged_in"):
        st.warning(
            f"You are signed in as {markdown_literal(st.user.get('email'))}, which is not on "
            f"this dashboard's list of editors, so you cannot {action}. Anyone can view the "
            "figures; to edit, ask the dashboard's administrator to add your email to `editors`.",
            icon=":material/lock:",
        )
        st.button("Sign out", key=WIDGET_SIGN_OUT, on_click=st.logout)
    elif mode == "oidc":
        st.info(f"Sign in to {action}. Only editors can change the figures.")
        st.button("Sign in", key=WIDGET_SIGN_IN, type="primary", on_click=st.login)
    else:
        _password_form(action, auth.editor_password(secrets) or "")
    st.stop()


def _password_form(action: str, expected: str) -> None:
    with st.form("emss_sign_in_form"):
        st.markdown(f"**Sign in to {action}.** Only editors can change the figures.")
        name = st.text_input("Your name (recorded with every change)", key=WIDGET_SIGN_IN_NAME)
        given = st.text_input("Editor password", type="password", key=WIDGET_SIGN_IN_PASSWORD)
        submitted = st.form_submit_button("Sign in", type="primary")
    if submitted:
        try:
            st.session_state.setdefault(STATE_SESSION_KEY, token_hex(8))
            keys = (
                f"session:{st.session_state[STATE_SESSION_KEY]}",
                f"address:{st.context.ip_address}",
            )
            st.session_state[STATE_EDITOR] = auth.password_sign_in(
                name, given, expected, throttle=auth.PASSWORD_THROTTLE, keys=keys
            )
        except auth.SignInError as refused:
            st.error(str(refused), icon=":material/error:")
            return
        st.rerun()


def _sign_out() -> None:
    if auth.editing_mode(_secrets()) == "oidc":
        st.logout()
    st.session_state.pop(STATE_EDITOR, None)
