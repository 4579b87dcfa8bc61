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
from dataclasses import replace
from pathlib import Path

import pandas as pd
import streamlit as st

from emss import auth, charts, compare, tables
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
from emss.store import Store
from emss.targets import Target, TargetsError, load_targets, rag_text

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
    ("pages/6_Definitions.py", "Definitions"),
    ("pages/7_Report.py", "Report"),
    ("pages/8_Upload.py", "Upload"),
    ("pages/9_History.py", "History"),
)

# The page that shows every figure of an area (its label is the area's code).
AREA_PAGES = {label: path for path, label in PAGES if label in load_catalogue().areas}

# Accessibility and legibility fixes to Streamlit's own styles (WCAG 2.2 AA):
# - captions are drawn at 60% opacity, 3.88:1 on white and 3.81:1 on the sidebar, below the
#   4.5:1 small text needs; the GOV.UK secondary text colour #505A5F reads as secondary at 7:1;
# - a figure tile's label and its comparison are cut with an ellipsis ("· Illus…"): they wrap.
_PAGE_CSS = """<style>
[data-testid="stCaptionContainer"] { opacity: 1; color: #505A5F; }
[data-testid="stMetric"] .stMarkdownEllipsis,
[data-testid="stMetric"] .stMarkdownEllipsis * {
  white-space: normal; overflow: visible; text-overflow: clip;
}
</style>"""

TILE_WIDTH = 300  # pixels: wide enough for a headline's label and its comparison

# Session-state keys: every key the app keeps in st.session_state, and the widgets' keys
# that tests and benchmarks drive.
STATE_FILTERS = "emss_filters"  # the current Filters (not a widget: survives a page change)
STATE_FILTER_NOTES = "emss_filter_notes"  # notes on a link's unusable values, shown once
STATE_EDITOR = "emss_editor"  # the identity a password sign-in gave this session
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


@st.cache_data(show_spinner=False, max_entries=16)
def _snapshots_in_use(root: str, version: tuple) -> pd.DataFrame:
    return _database(root).active_snapshots()


def snapshots_in_use() -> pd.DataFrame:
    """The snapshots whose figures are in view, newest first (the banner and provenance)."""
    return _snapshots_in_use(*_key())


def provenance_lines() -> list[str]:
    """Where the figures come from (``tables.provenance_lines``)."""
    return tables.provenance_lines(snapshots_in_use())


@st.cache_data(show_spinner=False, max_entries=256)
def _debt_movements(root: str, version: tuple, quarter: Quarter, *choice) -> pd.DataFrame:
    return _database(root).debt_movements(quarter, *choice)


def debt_movements(
    quarter: Quarter,
    partners: Sequence[str] | None = None,
    collectors: Sequence[str] | None = None,
    sectors: Sequence[str] | None = None,
) -> pd.DataFrame:
    args = tuple(tuple(x) if x else None for x in (partners, collectors, sectors))
    return _debt_movements(*_key(), quarter, *args)


@st.cache_data(show_spinner=False, max_entries=256)
def _debt_sector_chart(
    root: str, version: tuple, quarter: Quarter, *choice: tuple[str, ...]
) -> PreparedChart:
    return charts.prepared_debt_sector(_database(root).debt_movements(quarter, *choice), quarter)


def debt_sector_chart(
    quarter: Quarter, partners: Sequence[str], collectors: Sequence[str], sectors: Sequence[str]
) -> PreparedChart:
    """The quarter's movement by sector for the partners, collectors and sectors chosen."""
    return _debt_sector_chart(*_key(), quarter, tuple(partners), tuple(collectors), tuple(sectors))


@st.cache_data(show_spinner=False, max_entries=256)
def _debt_trend_chart(
    root: str, version: tuple, first: Quarter, last: Quarter, partners: tuple[str, ...]
) -> PreparedChart | None:
    return charts.prepared_debt_trend(_database(root).debt_trend(first, last, partners or None))


def debt_trend_chart(filters: Filters, partners: Sequence[str]) -> PreparedChart | None:
    """Each partner's total movement over the filters' range; None when there is none."""
    return _debt_trend_chart(*_key(), filters.first, filters.last, tuple(partners))


@st.cache_data(show_spinner=False, max_entries=512)
def _trend(
    root: str,
    version: tuple,
    key: str,
    partners: tuple[str, ...],
    first: Quarter,
    last: Quarter,
    target: Target | None,
) -> PreparedChart | None:
    db = _database(root)
    series = db.series((key,), partners, first, last)
    return charts.prepared_trend(series, db.catalogue[key], target, first, last)


# Keyed on the store and its targets (report.inputs_version): a new snapshot or new targets,
# from this process or another, make the next run write the report afresh.
@st.cache_data(show_spinner=False, max_entries=16)
def _written(
    _db: Database, inputs: tuple, quarter: Quarter, partners: tuple[str, ...], comparison: str
) -> tuple:
    from emss import report, report_render  # the drawing libraries load only for the report

    built = report.build_report(_db, quarter, partners, comparison)
    return built, report_render.render_all(built)


def written_report(filters: Filters) -> tuple:
    """The report for the filters, and its files by format (``report_render.render_all``).

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


def page_setup(title: str, *, filters: bool = True) -> Filters | None:
    """Set the page up; return the shared filters (None when ``filters`` is False).

    Draws the navigation, the provenance and, on pages that show figures (``filters``), the
    filters and the illustrative-data banner. With ``filters=True`` and nothing in the
    store, says so and stops the page; pages without filters (upload, history) still run
    on an empty store.
    """
    st.set_page_config(page_title=f"{title} · EMSS performance", layout="wide")
    st.html(_PAGE_CSS)
    db = database()
    quarters = db.quarters_with_data()
    current = _current_filters(quarters) if quarters else None
    navigation = st.sidebar.container()  # drawn first, filled once the filters are known
    chosen = _filter_widgets(current, quarters) if filters and current else None
    if chosen is not None:
        st.session_state[STATE_FILTERS] = current = chosen
        st.query_params.update(chosen.params())
    with navigation:
        _navigation(current)
    _provenance()
    st.title(title)
    if filters and not quarters:
        st.info(
            "There are no figures to show yet: the data store is empty. "
            "Figures appear here once a quarter's return has been uploaded."
        )
        st.stop()
    for note in st.session_state.pop(STATE_FILTER_NOTES, []):
        st.warning(note, icon=":material/link_off:")
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


def show_chart(prepared: PreparedChart, name: str) -> None:
    text = prepared.text
    st.markdown(f"**{text.title}**")
    st.vega_lite_chart(prepared.spec, width="stretch", alt=text.title)
    st.caption(text.caption)
    data_table(
        prepared.table,
        name=name,
        label="Data table and description",
        description=text.description,
        csv=prepared.csv,
    )


# --- figures ---------------------------------------------------------------------------


def figure_tile(row: Mapping, label: str, target: Target | None = None) -> None:
    """One figure: value, change against the comparison quarter, RAG status when a target is
    set, and what is illustrative; a plain sentence when it was not reported."""
    quarter = row["quarter"]
    if compare.missing(row["value"]):
        st.markdown(f"**{label}**: not reported for {quarter}.")
        return
    illustrative = bool(row["value_illustrative"])
    colour, arrow = tables.delta_style(row["comparison_status"], row["comparison_change"])
    compared = f"vs {row['comparison_quarter']}"
    if row["comparison_illustrative"]:
        compared += " (illustrative)"
    st.metric(
        f"{label} · Illustrative" if illustrative else label,
        compare.format_value(row["value"], row["unit"]),
        tables.delta_text(row),
        delta_color=colour,
        delta_arrow=arrow,
        delta_description=compared if tables.delta_text(row) else None,
        help=f"{row['label']}, {quarter}" + (f", {compared}" if tables.delta_text(row) else ""),
        border=True,
    )
    if tables.delta_text(row) is None:
        st.caption(f"No {row['comparison_quarter']} figure to compare with.")
    if target is not None:
        st.caption(
            f"{rag_text(target.rag(row['value']))} "
            f"(target {compare.format_value(target.target, row['unit'])})"
        )


def metric_trend(
    metric: Metric, partners: Sequence[str], filters: Filters, target: Target | None
) -> None:
    """A metric's trend chart over the filters' range, or a sentence when there is none."""
    prepared = _trend(*_key(), metric.key, tuple(partners), filters.first, filters.last, target)
    if prepared is None:
        st.markdown(f"No figures for {metric.label} from {filters.first} to {filters.last}.")
        return
    show_chart(prepared, f"{metric.key}-{filters.first.slug}-{filters.last.slug}")


def area_page(area: str) -> None:
    """An area's page: set up under the area's title, then every figure of the area."""
    filters = page_setup(database().catalogue.area_title(area))
    area_view(area, filters)


def area_view(area: str, filters: Filters) -> None:
    """Every catalogue metric of an area: figures, comparison, notes and trend."""
    catalogue = database().catalogue
    rows = summary(filters)
    rows = rows[rows["area"] == area]
    set_targets = targets()
    st.caption(
        f"Figures for {filters.quarter.label}, compared with the {filters.comparison_label} "
        f"({filters.comparison_quarter}). Trend charts: {filters.first} to {filters.last}."
    )
    if rows["value"].isna().all():
        st.info(f"No {catalogue.areas[area]} figures were reported for {filters.quarter}.")
    for metric in catalogue.in_area(area):
        shown = rows[rows["metric"] == metric.key]
        st.header(metric.label, divider="gray")
        if metric.is_emss_wide and not filters.is_whole:
            st.caption("**EMSS-wide**: reported for EMSS as a whole, not per council.")
        left, right = st.columns([2, 3], gap="large")
        with left:
            for column, row in zip(st.columns(len(shown)), shown.to_dict("records"), strict=True):
                with column:
                    figure_tile(row, figure_label(row, filters), set_targets.get(metric.key))
            for row in shown.to_dict("records"):
                if row["note"]:
                    st.caption(f"**Note, {figure_label(row, filters)}:** {row['note']}")
            about = metric.description
            if metric.standard:
                about += f" Standard: {metric.standard}."
            st.caption(f"{about} Source: report {metric.source}.")
        with right:
            metric_trend(metric, shown["partner"].tolist(), filters, set_targets.get(metric.key))


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
        email = st.user.get("email")
        if st.user.get("is_logged_in") and auth.is_editor(email, auth.editors(secrets)):
            return str(email)
        return None
    return st.session_state.get(STATE_EDITOR) if mode == "password" else None


def require_editor(action: str) -> str:
    """The editor's identity; anyone else gets the way to sign in (or to enable editing) and
    the page stops there, before any control that changes the figures exists.

    ``action`` completes "Sign in to …", e.g. "upload a quarter".
    """
    who = editor()
    if who is not None:
        with st.container(horizontal=True, vertical_alignment="center"):
            st.caption(f"Editing as **{who}**.")
            st.button("Sign out", key=WIDGET_SIGN_OUT, on_click=_sign_out)
        return who
    secrets = _secrets()
    mode = auth.editing_mode(secrets)
    if mode == "none":
        st.info(auth.HOW_TO_ENABLE, icon=":material/lock:")
    elif mode == "oidc" and st.user.get("is_logged_in"):
        st.warning(
            f"You are signed in as {st.user.get('email')}, which is not on this dashboard's "
            f"list of editors, so you cannot {action}. Anyone can view the figures; to edit, "
            "ask the dashboard's administrator to add your email to `editors`.",
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
            st.session_state[STATE_EDITOR] = auth.password_sign_in(name, given, expected)
        except auth.SignInError as refused:
            st.error(str(refused), icon=":material/error:")
            return
        st.rerun()


def _sign_out() -> None:
    if auth.editing_mode(_secrets()) == "oidc":
        st.logout()
    st.session_state.pop(STATE_EDITOR, None)
