"""The Streamlit glue every page shares: setup, navigation, filters, provenance, caching.

The only module in ``emss`` that imports streamlit. A page starts with::

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

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from secrets import token_hex

import altair as alt
import pandas as pd
import streamlit as st

from emss import auth, charts, compare, ingest
from emss.catalogue import PARTNER_NAMES, PARTNERS, Catalogue, DebtSpec, Metric
from emss.charts import ILLUSTRATIVE, REPORTED
from emss.export import to_csv
from emss.quarters import Quarter, QuarterError
from emss.queries import Database
from emss.store import Store, StoreError
from emss.targets import Target, TargetsError, load_targets, rag_text
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
    ("pages/6_Definitions.py", "Definitions"),
    ("pages/7_Report.py", "Report"),
    ("pages/8_Upload.py", "Upload"),
    ("pages/9_History.py", "History"),
)

# The page that shows every figure of an area.
AREA_PAGES = {
    "ESC": "pages/1_ESC.py",
    "FSC": "pages/2_FSC.py",
    "People": "pages/3_People.py",
    "Customer": "pages/4_Customer.py",
}

# The partner views and the partners each one shows.
VIEWS: dict[str, tuple[str, ...]] = {
    "LCC": ("LCC",),
    "NCC": ("NCC",),
    "Councils": ("LCC", "NCC"),
    "EMSS": ("EMSS",),
}
VIEW_LABELS = {
    "LCC": "Leicestershire (LCC)",
    "NCC": "Nottingham City (NCC)",
    "Councils": "Both councils side by side",
    "EMSS": "EMSS as a whole",
}
COMPARISONS = {"previous": "Previous quarter", "year_ago": "Same quarter last year"}
DEFAULT_VIEW = "EMSS"
DEFAULT_COMPARISON = "previous"

# Query-string names of the filters.
PARAM_QUARTER = "quarter"
PARAM_VIEW = "view"
PARAM_COMPARISON = "compare"
PARAM_FIRST = "from"
PARAM_LAST = "to"

_STATE = "emss_filters"  # the non-widget session key holding the current Filters
_WIDGET = "emss_filter_"  # prefix of the filter widgets' keys


@dataclass(frozen=True)
class Filters:
    """The view every page shows: one quarter, one partner view, a comparison, a trend range."""

    quarter: Quarter
    view: str
    partners: tuple[str, ...]
    comparison: str
    first: Quarter
    last: Quarter

    @property
    def comparison_quarter(self) -> Quarter:
        return compare.comparison_quarter(self.quarter, self.comparison)

    @property
    def comparison_label(self) -> str:
        return COMPARISONS[self.comparison].lower()

    def params(self) -> dict[str, str]:
        """The filters as query-string values."""
        return {
            PARAM_QUARTER: str(self.quarter),
            PARAM_VIEW: self.view,
            PARAM_COMPARISON: self.comparison,
            PARAM_FIRST: str(self.first),
            PARAM_LAST: str(self.last),
        }


def default_filters(quarters: Sequence[Quarter]) -> Filters:
    """Latest quarter with data, EMSS as a whole, against the previous quarter, all quarters."""
    return Filters(
        quarter=quarters[-1],
        view=DEFAULT_VIEW,
        partners=VIEWS[DEFAULT_VIEW],
        comparison=DEFAULT_COMPARISON,
        first=quarters[0],
        last=quarters[-1],
    )


def filters_from_params(
    params: Mapping[str, str], quarters: Sequence[Quarter]
) -> tuple[Filters, list[str]]:
    """Filters from a link's query string, and a note for each value that could not be used.

    ``quarters`` are the quarters with data, oldest first; a value that is not one of the
    choices falls back to its default.
    """
    filters = default_filters(quarters)
    notes: list[str] = []

    def quarter_param(name: str, what: str, default: Quarter) -> Quarter:
        text = params.get(name)
        if text is None:
            return default
        try:
            quarter = Quarter.parse(text)
        except QuarterError:
            notes.append(f'The link\'s {what} "{text}" is not a quarter; showing {default}.')
            return default
        if quarter not in quarters:
            notes.append(f"The link's {what} {quarter} has no figures; showing {default}.")
            return default
        return quarter

    quarter = quarter_param(PARAM_QUARTER, "quarter", filters.quarter)
    first = quarter_param(PARAM_FIRST, "first quarter of the trend", filters.first)
    last = quarter_param(PARAM_LAST, "last quarter of the trend", filters.last)
    if first > last:
        notes.append(
            f"The link's trend range starts ({first}) after it ends ({last}); "
            f"showing {filters.first} to {filters.last}."
        )
        first, last = filters.first, filters.last

    view = params.get(PARAM_VIEW, filters.view)
    matches = [v for v in VIEWS if v.lower() == view.lower()]
    if not matches:
        notes.append(
            f'The link\'s partner view "{view}" is not one of {", ".join(VIEWS)}; '
            f"showing {VIEW_LABELS[filters.view]}."
        )
    view = matches[0] if matches else filters.view

    comparison = params.get(PARAM_COMPARISON, filters.comparison)
    if comparison not in COMPARISONS:
        notes.append(
            f'The link\'s comparison "{comparison}" is not one of {", ".join(COMPARISONS)}; '
            f"showing the {COMPARISONS[filters.comparison].lower()}."
        )
        comparison = filters.comparison

    return (
        Filters(quarter, view, VIEWS[view], comparison, first, last),
        notes,
    )


# --- data ------------------------------------------------------------------------------


@st.cache_resource(show_spinner=False)
def _database(root: str) -> Database:
    return Database(Store(root))


def database() -> Database:
    """The shared Database over the store named by EMSS_DATA_DIR (one per store folder)."""
    return _database(str(Store.default().root))


# Query results are cached per store folder and manifest version: a new snapshot (from this
# process or another) changes the version, so the next page run reads the new figures.


@st.cache_data(show_spinner=False, max_entries=256)
def _summary(
    root: str, version: tuple, quarter: Quarter, partners: tuple[str, ...], comparison: str
) -> pd.DataFrame:
    return compare.summarise(_database(root), quarter, partners, comparison)


@st.cache_data(show_spinner=False, max_entries=256)
def _debt_movements(root: str, version: tuple, quarter: Quarter, *choice) -> pd.DataFrame:
    return _database(root).debt_movements(quarter, *choice)


@st.cache_data(show_spinner=False, max_entries=16)
def _snapshots_in_use(root: str, version: tuple) -> pd.DataFrame:
    return _database(root).active_snapshots()


def snapshots_in_use() -> pd.DataFrame:
    """The snapshots whose figures are in view, newest first (the banner and provenance)."""
    return _snapshots_in_use(*_key())


def _key() -> tuple[str, tuple]:
    db = database()
    return str(db.store.root), db.version


def summary(filters: Filters, comparison: str | None = None) -> pd.DataFrame:
    """The quarter's figures to show for the filters' partner view (``compare.summarise``).

    In the "EMSS as a whole" view a metric that has no EMSS figure (a rate reported per
    council) is shown with the figures of its parts instead.
    """
    comparison = comparison or filters.comparison
    if filters.view != "EMSS":
        return _summary(*_key(), filters.quarter, filters.partners, comparison)
    return _whole_summary(*_key(), filters.quarter, comparison)


@st.cache_data(show_spinner=False, max_entries=256)
def _whole_summary(root: str, version: tuple, quarter: Quarter, comparison: str) -> pd.DataFrame:
    return compare.prefer_whole(_summary(root, version, quarter, PARTNERS, comparison))


def debt_movements(
    quarter: Quarter,
    partners: Sequence[str] | None = None,
    collectors: Sequence[str] | None = None,
    sectors: Sequence[str] | None = None,
) -> pd.DataFrame:
    args = tuple(tuple(x) if x else None for x in (partners, collectors, sectors))
    return _debt_movements(*_key(), quarter, *args)


def debt_sector_chart(
    quarter: Quarter, partners: Sequence[str], collectors: Sequence[str], sectors: Sequence[str]
) -> PreparedChart:
    """The quarter's movement by sector for the partners, collectors and sectors chosen."""
    return _debt_sector_chart(*_key(), quarter, tuple(partners), tuple(collectors), tuple(sectors))


def debt_trend_chart(filters: Filters, partners: Sequence[str]) -> PreparedChart | None:
    """Each partner's total movement over the filters' range; None when there is none."""
    return _debt_trend_chart(*_key(), filters.first, filters.last, tuple(partners))


@st.cache_data(show_spinner=False, max_entries=256)
def _debt_sector_chart(
    root: str,
    version: tuple,
    quarter: Quarter,
    partners: tuple[str, ...],
    collectors: tuple[str, ...],
    sectors: tuple[str, ...],
) -> PreparedChart:
    db = _database(root)
    movements = db.debt_movements(quarter, partners, collectors, sectors)
    data = charts.debt_sector_data(movements, db.catalogue.debt)
    return prepare_chart(
        charts.debt_sector_chart(data),
        charts.debt_sector_text(data, str(quarter)),
        debt_sector_table(data),
    )


@st.cache_data(show_spinner=False, max_entries=256)
def _debt_trend_chart(
    root: str, version: tuple, first: Quarter, last: Quarter, partners: tuple[str, ...]
) -> PreparedChart | None:
    trend = _database(root).debt_trend(first, last, partners or None)
    if trend.empty:
        return None
    data = charts.debt_trend_data(trend)
    return prepare_chart(
        charts.debt_trend_chart(data), charts.debt_trend_text(data), debt_trend_table(data)
    )


# --- the page frame --------------------------------------------------------------------


def page_setup(title: str, *, filters: bool = True) -> Filters | None:
    """Set the page up; return the shared filters (None when ``filters`` is False).

    Draws the navigation, the provenance and, on pages that show figures (``filters``), the
    filters and the illustrative-data banner. With ``filters=True`` and nothing in the
    store, says so and stops the page; pages without filters (upload, history) still run
    on an empty store.
    """
    st.set_page_config(page_title=f"{title} · EMSS performance", layout="wide")
    try:  # a damaged store or a bad setting: one sentence on every page, no traceback
        ingest.max_upload_bytes()
        quarters = database().quarters_with_data()
    except (StoreError, ingest.SettingError) as error:
        st.error(str(error), icon=":material/error:")
        st.stop()
    current = _current_filters(quarters) if quarters else None
    navigation = st.sidebar.container()  # drawn first, filled once the filters are known
    chosen = _filter_widgets(current, quarters) if filters and current else None
    if chosen is not None:
        st.session_state[_STATE] = current = chosen
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
    for note in st.session_state.pop("emss_filter_notes", []):
        st.warning(markdown_literal(note), icon=":material/link_off:")
    if filters:
        _illustrative_banner()
    return chosen


def _current_filters(quarters: list[Quarter]) -> Filters:
    """The session's filters; on the session's first run, read from the link."""
    current = st.session_state.get(_STATE)
    if current is None:
        current, notes = filters_from_params(st.query_params.to_dict(), quarters)
        st.session_state["emss_filter_notes"] = notes
        st.session_state[_STATE] = current
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
            key=_WIDGET + "quarter",
        )
        views = list(VIEWS)
        view = st.radio(
            "Partner",
            views,
            index=views.index(current.view),
            format_func=VIEW_LABELS.__getitem__,
            key=_WIDGET + "view",
        )
        comparisons = list(COMPARISONS)
        comparison = st.radio(
            "Compare with",
            comparisons,
            index=comparisons.index(current.comparison),
            format_func=COMPARISONS.__getitem__,
            key=_WIDGET + "comparison",
        )
        if len(quarters) > 1:
            first, last = st.select_slider(
                "Quarters in the trend charts",
                quarters,
                value=(current.first, current.last),
                format_func=str,
                key=_WIDGET + "range",
            )
        else:
            first = last = quarters[0]
    return Filters(quarter, view, VIEWS[view], comparison, first, last)


def _provenance() -> None:
    with st.sidebar:
        st.divider()
        st.caption("**Provenance**\n\n" + "\n".join(f"- {line}" for line in provenance_lines()))


def when(created: str) -> str:
    """An ISO UTC timestamp as people read it: "19 Jan 2024, 14:05 UTC"."""
    moment = dt.datetime.fromisoformat(created.replace("Z", "+00:00"))
    return f"{moment.day} {moment:%b %Y, %H:%M} UTC"


def _illustrative_banner() -> None:
    if (snapshots_in_use()["kind"] == "illustrative").any():
        st.warning(
            "**Illustrative data.** Some figures here are generated to show how the dashboard "
            "works; they were not reported by EMSS. Charts draw them hollow on a dashed line "
            'and tables mark them "Illustrative".',
            icon=":material/science:",
        )


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


@dataclass(frozen=True)
class PreparedChart:
    """A chart ready to draw: its Vega-Lite spec, what is said about it, its table and CSV.

    Building an Altair chart and turning it into a spec costs tens of milliseconds, so the
    trend charts are prepared once per store version and filters and kept in the cache.
    """

    spec: dict
    text: charts.ChartText
    table: pd.DataFrame
    csv: str


def prepare_chart(
    chart_: alt.TopLevelMixin, text: charts.ChartText, table: pd.DataFrame
) -> PreparedChart:
    return PreparedChart(chart_.to_dict(), text, table, to_csv(table))


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


def delta_style(status: str | None, change: float | None) -> tuple[str, str]:
    """st.metric's delta colour and arrow: green when the figure improved, red when it
    worsened, grey for a volume or no change (the catalogue's direction of good, through
    ``compare.status``); the arrow follows the sign.

    Both are given explicitly because Streamlit reads a delta's direction from a leading
    "-", and the minus sign we write is U+2212.
    """
    colour = {"improved": "green", "worsened": "red"}.get(status or "", "gray")
    if compare.missing(change) or status in (None, "no change"):
        return colour, "off"
    return colour, "up" if change > 0 else "down"


def delta_text(row: Mapping) -> str | None:
    """The change against the comparison quarter as the report writes it, with its status in
    words for a metric that has a direction of good: "+11.0 pp Improved", "−146 (−20.0%)"."""
    change = row["comparison_change"]
    if compare.missing(change):
        return None
    text = compare.format_change(change, row["unit"])
    if not compare.missing(row["comparison_change_pct"]):
        text += f" ({compare.format_change_pct(row['comparison_change_pct'])})"
    status = row["comparison_status"]
    if status in ("improved", "worsened"):
        text += f" {compare.STATUS_WORDS[status]}"
    return text


def figure_tile(row: Mapping, label: str, target: Target | None = None) -> None:
    """One figure: value, change against the comparison quarter, RAG status when a target is
    set, and what is illustrative; a plain sentence when it was not reported."""
    quarter = row["quarter"]
    if compare.missing(row["value"]):
        st.markdown(f"**{label}**: not reported for {quarter}.")
        return
    illustrative = bool(row["value_illustrative"])
    colour, arrow = delta_style(row["comparison_status"], row["comparison_change"])
    compared = f"vs {row['comparison_quarter']}"
    if row["comparison_illustrative"]:
        compared += " (illustrative)"
    st.metric(
        f"{label} · Illustrative" if illustrative else label,
        compare.format_value(row["value"], row["unit"]),
        delta_text(row),
        delta_color=colour,
        delta_arrow=arrow,
        delta_description=compared if delta_text(row) else None,
        help=f"{row['label']}, {quarter}" + (f", {compared}" if delta_text(row) else ""),
        border=True,
    )
    if delta_text(row) is None:
        st.caption(f"No {row['comparison_quarter']} figure to compare with.")
    if target is not None:
        st.caption(
            f"{rag_text(target.rag(row['value']))} "
            f"(target {compare.format_value(target.target, row['unit'])})"
        )


def targets() -> dict[str, Target]:
    """The targets set for this store; a targets file that cannot be read is reported once
    on the page and no RAG status is shown."""
    try:
        return load_targets(database().store.root)
    except TargetsError as problem:
        st.error(f"Targets are not shown: {problem}", icon=":material/error:")
        return {}


def figure_label(row: Mapping, filters: Filters) -> str:
    """A figure's partner as a tile names it: "EMSS-wide" for an organisation-wide metric
    when a council is chosen, else the partner's short name."""
    if row["emss_wide"] and filters.view != "EMSS":
        return "EMSS-wide"
    return row["partner"]


def headline_label(row: Mapping, filters: Filters) -> str:
    """A headline tile's label: the metric, and whose figure it is unless that is the view."""
    if filters.view == "EMSS" and row["partner"] == "EMSS":
        return row["label"]
    return f"{row['label']} ({figure_label(row, filters)})"


def trend_table(data: pd.DataFrame, metric: Metric) -> pd.DataFrame:
    """A trend chart's data as a table: exact figures and whether each is illustrative."""
    return pd.DataFrame(
        {
            "Quarter": data["quarter"],
            "Partner": data["partner"],
            metric.label: [
                compare.format_value(v, metric.unit.name, exact=True) for v in data["value"]
            ],
            "Value": data["value"],
            "Figure": data["figure"],
            "Note": data["note"],
        }
    )


def metric_trend(
    metric: Metric, partners: Sequence[str], filters: Filters, target: Target | None
) -> None:
    """A metric's trend chart over the filters' range, or a sentence when there is none."""
    prepared = _trend(*_key(), metric.key, tuple(partners), filters.first, filters.last, target)
    if prepared is None:
        st.markdown(f"No figures for {metric.label} from {filters.first} to {filters.last}.")
        return
    name = f"{metric.key}-{filters.first}-{filters.last}".replace("/", "-").replace(" ", "")
    show_chart(prepared, name)


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
    metric = _database(root).catalogue[key]
    data = charts.trend_data(_database(root).series((key,), partners, first, last), metric)
    if data.empty:
        return None
    return prepare_chart(
        charts.trend_chart(data, metric, target),
        charts.trend_text(data, metric, f"{first} to {last}"),
        trend_table(data, metric),
    )


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
        st.subheader(metric.label, divider="gray")
        if metric.is_emss_wide and filters.view != "EMSS":
            st.caption("**EMSS-wide**: reported for EMSS as a whole, not per council.")
        left, right = st.columns([2, 3], gap="large")
        with left:
            for column, row in zip(st.columns(len(shown)), shown.to_dict("records"), strict=True):
                with column:
                    figure_tile(row, figure_label(row, filters), set_targets.get(metric.key))
            for row in shown.to_dict("records"):
                if row["note"]:
                    st.caption(
                        f"**Note, {figure_label(row, filters)}:** {markdown_literal(row['note'])}"
                    )
            about = metric.description
            if metric.standard:
                about += f" Standard: {metric.standard}."
            st.caption(f"{about} Source: report {metric.source}.")
        with right:
            metric_trend(metric, shown["partner"].tolist(), filters, set_targets.get(metric.key))


# --- the overview ----------------------------------------------------------------------

HEADLINES_PER_AREA = 4
TILE_WIDTH = 300  # pixels: wide enough for a headline's label and its comparison
ILLUSTRATIVE_WORD = "Includes illustrative"


def headlines(rows: pd.DataFrame, area: str, n: int = HEADLINES_PER_AREA) -> pd.DataFrame:
    """An area's headline figures: metrics with a figure, in catalogue order, reported
    before illustrative ones, until ``n`` figures are chosen (a metric's figures for
    several partners stay together)."""
    shown = rows[(rows["area"] == area) & rows["value"].notna()]
    illustrative = shown.groupby("metric", sort=False)["value_illustrative"].all()
    chosen: list[str] = []
    for metric in [*illustrative[~illustrative].index, *illustrative[illustrative].index]:
        if (shown["metric"].isin(chosen)).sum() >= n:
            break
        chosen.append(metric)
    return shown[shown["metric"].isin(chosen)].sort_values(
        "metric", key=lambda keys: keys.map(chosen.index), kind="stable"
    )


def changes_table(moved: pd.DataFrame) -> pd.DataFrame:
    """``compare.biggest_changes`` as people read it."""
    return pd.DataFrame(
        {
            "Figure": moved["label"],
            "Partner": moved["partner"],
            "Now": [
                compare.format_value(v, u)
                for v, u in zip(moved["value"], moved["unit"], strict=True)
            ],
            "Was": [
                compare.format_value(v, u)
                for v, u in zip(moved["comparison_value"], moved["unit"], strict=True)
            ],
            "Change": [
                compare.format_change(c, u)
                for c, u in zip(moved["comparison_change"], moved["unit"], strict=True)
            ],
            "Relative change": [compare.format_change_pct(p) for p in moved["relative_change"]],
            "Figures": [
                ILLUSTRATIVE_WORD if a or b else "Reported"
                for a, b in zip(
                    moved["value_illustrative"], moved["comparison_illustrative"], strict=True
                )
            ],
        }
    )


PROVENANCE_SNAPSHOTS = 5  # the newest snapshots named; the History page lists them all


def provenance_lines(most: int = PROVENANCE_SNAPSHOTS) -> list[str]:
    """Where the figures come from: the last update and the newest snapshots in use."""
    snapshots = snapshots_in_use()
    if snapshots.empty:
        return ["No figures uploaded yet."]
    lines = [f"Last updated {when(snapshots['created'].iloc[0])}."] + [
        f"Snapshot {row.id}: {row.kind}, {when(row.created)}, "
        f"by {markdown_literal(row.uploaded_by)}."
        for row in snapshots.head(most).itertuples()
    ]
    if len(snapshots) > most:
        lines.append(f"{len(snapshots) - most:,} earlier snapshots in use: see History.")
    return lines


# --- debt collection -------------------------------------------------------------------

DIRECTION_WORDS = {1: "▲ Debt grew", -1: "▼ Debt fell", 0: "No change"}


def debt_partners(filters: Filters, spec: DebtSpec) -> tuple[str, ...]:
    """The councils whose debt the view shows: the chosen council, else every council."""
    chosen = tuple(p for p in filters.partners if p in spec.partners)
    return chosen or spec.partners


def direction(movement: float) -> str:
    return DIRECTION_WORDS[(movement > 0) - (movement < 0)]


def debt_table(movements: pd.DataFrame) -> pd.DataFrame:
    """The movements as a table, each collector's rows followed by their total and each
    partner's by theirs; exact amounts, the direction in words, notes and what is
    illustrative."""

    def line(partner, collector, sector, amount, note, illustrative) -> dict:
        return {
            "Partner": partner,
            "Collector": collector,
            "Sector": sector,
            "Movement": compare.format_change(amount, "gbp", exact=True),
            "Direction": direction(amount),
            "Note": "" if compare.missing(note) else note,
            "Figure": ILLUSTRATIVE if illustrative else REPORTED,
            "movement_gbp": amount,
        }

    def total(label: str, rows: pd.DataFrame, partner: str, collector: str) -> dict:
        amount = float(rows["movement_gbp"].sum())
        return line(partner, collector, label, amount, None, rows["illustrative"].any())

    records = []
    for partner, by_partner in movements.groupby("partner", sort=False):
        for collector, rows in by_partner.groupby("collector", sort=False):
            records += [
                line(partner, collector, r.sector, r.movement_gbp, r.note, r.illustrative)
                for r in rows.itertuples()
            ]
            records.append(total(f"Total, {collector}", rows, partner, collector))
        records.append(total(f"Total, {partner}", by_partner, partner, "All collectors"))
    return pd.DataFrame(records)


def debt_totals_by_partner(movements: pd.DataFrame) -> pd.DataFrame:
    """Each partner's total movement over the rows given, in their order."""
    return movements.groupby("partner", sort=False, as_index=False).agg(
        movement_gbp=("movement_gbp", "sum"), illustrative=("illustrative", "any")
    )


def debt_trend_table(data: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Quarter": data["quarter"],
            "Partner": data["partner"],
            "Total movement": [
                compare.format_change(v, "gbp", exact=True) for v in data["movement_gbp"]
            ],
            "movement_gbp": data["movement_gbp"],
            "Figure": data["figure"],
        }
    )


def debt_sector_table(data: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Partner": data["partner"],
            "Sector": data["sector"],
            "Movement": data["shown"],
            "Direction": data["direction"],
            "movement_gbp": data["movement_gbp"],
            "Figure": data["figure"],
        }
    )


# --- definitions -----------------------------------------------------------------------

BETTER_WORDS = {
    "higher": "Higher is better",
    "lower": "Lower is better",
    "neutral": "Neither (a volume)",
}


def catalogue_table(catalogue: Catalogue) -> pd.DataFrame:
    """Every metric's definition as people read it."""
    return pd.DataFrame(
        [
            {
                "Area": metric.area,
                "Metric": metric.label,
                "Key": metric.key,
                "Unit": metric.unit.name,
                "Direction of good": BETTER_WORDS[metric.better],
                "Reported for": ", ".join(metric.partners),
                "EMSS total": (
                    "Sum of the partners" if metric.adds_up and metric.contributors else ""
                ),
                "Derived from": (
                    f"{metric.derived.scale:g} × {metric.derived.numerator} ÷ "
                    f"{metric.derived.denominator}"
                    if metric.derived
                    else ""
                ),
                "Standard": metric.standard or "",
                "Description": metric.description,
                "Source": metric.source,
            }
            for metric in catalogue.metrics
        ]
    )


# --- editing: who may upload and withdraw (the rules are in emss.auth) -----------------

_EDITOR = "emss_editor"  # session key: the identity a password sign-in gave this session


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
    return st.session_state.get(_EDITOR) if mode == "password" else None


def require_editor(action: str) -> str:
    """The editor's identity; anyone else gets the way to sign in (or to enable editing) and
    the page stops there, before any control that changes the figures exists.

    ``action`` completes "Sign in to …", e.g. "upload a quarter".
    """
    who = editor()
    if who is not None:
        with st.container(horizontal=True, vertical_alignment="center"):
            st.caption(f"Editing as **{markdown_literal(who)}**.")
            st.button("Sign out", key="emss_sign_out", on_click=_sign_out)
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
        st.button("Sign out", key="emss_sign_out", on_click=st.logout)
    elif mode == "oidc":
        st.info(f"Sign in to {action}. Only editors can change the figures.")
        st.button("Sign in", key="emss_sign_in", type="primary", on_click=st.login)
    else:
        _password_form(action, auth.editor_password(secrets) or "")
    st.stop()


def _password_form(action: str, expected: str) -> None:
    with st.form("emss_sign_in_form"):
        st.markdown(f"**Sign in to {action}.** Only editors can change the figures.")
        name = st.text_input("Your name (recorded with every change)", key="emss_sign_in_name")
        given = st.text_input("Editor password", type="password", key="emss_sign_in_password")
        submitted = st.form_submit_button("Sign in", type="primary")
    if submitted:
        try:
            st.session_state.setdefault("emss_session_key", token_hex(8))
            keys = (
                f"session:{st.session_state['emss_session_key']}",
                f"address:{st.context.ip_address}",
            )
            st.session_state[_EDITOR] = auth.password_sign_in(
                name, given, expected, throttle=auth.PASSWORD_THROTTLE, keys=keys
            )
        except auth.SignInError as refused:
            st.error(str(refused), icon=":material/error:")
            return
        st.rerun()


def _sign_out() -> None:
    if auth.editing_mode(_secrets()) == "oidc":
        st.logout()
    st.session_state.pop(_EDITOR, None)


def follow_latest_quarter() -> None:
    """After a commit or withdrawal: every page opens on the latest quarter with data,
    keeping the session's partner view and comparison."""
    current = st.session_state.get(_STATE)
    quarters = database().quarters_with_data()
    if current is not None and quarters:
        st.session_state[_STATE] = replace(current, quarter=quarters[-1], last=quarters[-1])
