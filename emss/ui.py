"""The Streamlit glue every page shares: setup, navigation, filters, caching, components.

With ``ui_areas`` (the area and Debt pages' pieces) and ``ui_signin`` (sign-in), the only
modules in ``emss`` that import streamlit; what they lay out comes from plain modules
(``filters``, ``tables``, ``charts``, ``debt``, ``report``). A page of figures is::

    def draw(filters: Filters) -> None: ...

    ui.filtered_page("Debt collection", draw)

which sets the page up, shows where the figures come from, and draws the navigation, the
filters in the sidebar, whether any figure is illustrative and ``draw(filters)`` in one
fragment: a filter change reruns only that. It stops with a plain sentence when the store
holds nothing to show. A page without the filters starts with ``ui.page_setup(title)``.

The filters are kept in one non-widget session key (so they survive a change of page, when
Streamlit drops the state of widgets the new page has not drawn yet) and written to the URL
(so a pasted link reopens the same view). A link's values are read once, when a session
starts; a value that cannot be used falls back to the default with a note saying so.
"""

from __future__ import annotations

import atexit
import functools
import gc
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st
from streamlit.dataframe_util import convert_anything_to_arrow_bytes

from emss import compare, ingest, projects, projects_view, tables
from emss.catalogue import PARTNER_NAMES, PARTNERS, load_catalogue
from emss.charts import PreparedChart
from emss.export import to_csv
from emss.filters import (
    COMPARISONS,
    VIEW_LABELS,
    VIEW_PARTNERS,
    Filters,
    filters_from_params,
)
from emss.quarters import Quarter
from emss.queries import Database
from emss.store import Store, StoreError
from emss.targets import Target, TargetsError, load_targets
from emss.text import markdown_literal
from emss.ui_signin import editor, guard_uploads

if TYPE_CHECKING:
    from streamlit.delta_generator import DeltaGenerator

    from emss.report import Chart, Report

APP_DIR = Path(__file__).resolve().parent.parent
NAVIGATION_HEADING = "**EMSS performance**"

# The navigation, in order: (page file relative to app.py, label). First the pages drawn
# from the filters, whose links carry them; then the pages that use none.
FIGURE_PAGES = (
    ("app.py", "Overview"),
    ("pages/1_ESC.py", "ESC"),
    ("pages/2_FSC.py", "FSC"),
    ("pages/3_People.py", "People"),
    ("pages/4_Customer.py", "Customer"),
    ("pages/5_Debt_collection.py", "Debt collection"),
    ("pages/6_Projects.py", "Projects"),
    ("pages/8_Report.py", "Report"),
)
REFERENCE_PAGES = (
    ("pages/7_Definitions.py", "Definitions"),
    ("pages/9_Upload.py", "Upload"),
    ("pages/10_History.py", "History"),
)
PAGES = FIGURE_PAGES + REFERENCE_PAGES

# The page that shows every figure of an area (its label is the area's code).
AREA_PAGES = {label: path for path, label in PAGES if label in load_catalogue().areas}

# Accessibility and legibility fixes to Streamlit's own styles (WCAG 2.2 AA):
# - captions are drawn at 60% opacity, 3.88:1 on white and 3.81:1 on the sidebar, below the
#   4.5:1 small text needs; the GOV.UK secondary text colour #505A5F reads as secondary at 7:1;
# - a picker shows one line of its chosen values and hides the rest: it grows to show them all;
# - figure tiles and static tables are the app's own HTML (tables.tile_html, html_table):
#   secondary text #505A5F, a change for the better #00703C (6.2:1), for the worse #B21E0B
#   (6.8:1), each beside an arrow and words;
# - on a phone a table's longest words ("(illustrative)", "(Leicestershire") add up to more
#   than the page is wide, so its words may break; an area's glance table (Figure, For when
#   it differs by row, Value, Change, Trend) keeps its short columns whole; wider tables (the
#   debt movements, History's) read as one block per row, their values in a line.
OVERVIEW_TILE_WIDTH = 184  # pixels: three a row beside the summary at 1440 px (two on a phone)
PAGE_CSS = f"""<style>
[data-testid="stCaptionContainer"] {{ opacity: 1; color: #505A5F; }}
.emss-caption {{ font-size: 0.875rem; color: #505A5F; margin: 0 0 0.5rem; }}
.emss-cards {{ display: flex; flex-direction: column; gap: 1rem; }}
.emss-card {{ border: 1px solid rgba(49, 51, 63, 0.2); border-radius: 0.5rem; padding: 1rem; }}
.emss-card p {{ margin: 0 0 0.75rem; }}
.emss-card p:last-child {{ margin: 0; }}
.emss-table {{ border-collapse: collapse; width: 100%; font-size: 0.875rem; }}
.emss-table :is(th, td) {{
  text-align: left; vertical-align: top; padding: 0.25rem 0.5rem; overflow-wrap: break-word;
  border-bottom: 1px solid rgba(49, 51, 63, 0.2);
}}
.emss-table th {{ color: #505A5F; font-weight: 600; }}
@media (min-width: 641px) {{ .emss-table :is(th, td):not(.emss-long) {{ white-space: nowrap; }} }}
.emss-tiles {{ display: flex; flex-direction: column; gap: 0.5rem; }}
.emss-tiles-grid, .emss-tiles-row {{ flex-flow: row wrap; }}
.emss-tiles-grid .emss-tile {{ flex: 0 0 {OVERVIEW_TILE_WIDTH}px; }}
.emss-tiles-row .emss-tile {{ flex: 1 1 14rem; max-width: 26rem; }}
.emss-tile {{ border: 1px solid rgba(49, 51, 63, 0.2); border-radius: 0.5rem; padding: 1rem; }}
.emss-tile p, .emss-tile-missing {{ margin: 0 0 0.25rem; }}
.emss-tile-label {{ font-weight: 600; }}
.emss-tile-value {{ font-size: 2.25rem; line-height: 1.25; }}
.emss-tiles-grid .emss-tile-value {{ font-size: 1.75rem; }}
.emss-tile-delta, .emss-tile-note {{ font-size: 0.875rem; }}
.emss-tile-note, .emss-tile-vs, .emss-gray {{ color: #505A5F; }}
.emss-green {{ color: #00703C; }}
.emss-red {{ color: #B21E0B; }}
[data-testid="stMultiSelect"] :has(> [data-testid="stMultiSelectTagsContainer"]) {{
  height: auto; max-height: none;
}}
[data-testid="stMultiSelect"] [data-testid="stMultiSelectTagsContainer"] {{
  height: auto; flex-wrap: wrap; overflow: visible; min-width: 0;
}}
[data-testid="stMultiSelect"] [data-testid="stMultiSelectTagsContainer"] span {{
  max-width: none; overflow: visible; text-overflow: clip;
}}
@media (max-width: 640px) {{
  [data-testid="stHorizontalBlock"]
    > [data-testid="stElementContainer"]:has(> :is([data-testid="stMultiSelect"], .stSelectbox)) {{
    flex-basis: 100%;
  }}
  .emss-tiles-grid .emss-tile {{ flex: 0 1 calc(50% - 0.25rem); }}
  .emss-table :is(th, td) {{ padding: 0.25rem; overflow-wrap: anywhere; }}
  .emss-glance th:first-child {{ min-width: 5rem; }}
  .emss-glance th:nth-child(2):nth-last-child(4) {{ min-width: 2.75rem; }}
  .emss-glance th:nth-last-child(3) {{ min-width: 3.5rem; }}
  .emss-glance th:nth-last-child(2) {{ min-width: 4.75rem; }}
  .emss-glance :is(td:last-child, td:nth-last-child(3)) {{ overflow-wrap: normal; }}
  .emss-stacked thead {{
    position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%);
  }}
  .emss-stacked :is(table, tbody) {{ display: block; }}
  .emss-stacked tbody tr {{
    display: flex; flex-wrap: wrap; column-gap: 0.5rem; padding: 0.25rem 0;
    border-bottom: 1px solid rgba(49, 51, 63, 0.2);
  }}
  .emss-stacked tbody td {{ display: block; border: none; }}
  .emss-debt tbody td:nth-child(6) {{ order: 1; flex-basis: 100%; }}
}}
</style>"""

PROJECTS_PAGE = next(path for path, label in PAGES if label == "Projects")

# Session-state keys of the filters, and their widgets' keys that tests and benchmarks drive
# (the sign-in's are in emss.ui_signin).
STATE_FILTERS = "emss_filters"  # the current Filters (not a widget: survives a page change)
STATE_FILTER_NOTES = "emss_filter_notes"  # notes on a link's unusable values, shown once
WIDGET_YEAR = "emss_filter_year"
WIDGET_QUARTER = "emss_filter_quarter"
WIDGET_VIEW = "emss_filter_view"
WIDGET_COMPARISON = "emss_filter_comparison"
WIDGET_RANGE = "emss_filter_range"
WIDGET_CHARTS = "emss_charts"  # ui.disclosure: a page's charts (area pages, Debt)
WIDGET_PREVIEW = "emss_report_preview"  # ui.disclosure: the Report page's preview
WIDGET_CHART_DATA = "emss_chart_data"  # ui.disclosure: a chart's data table (+ "_" + its name)


# --- data ------------------------------------------------------------------------------


@st.cache_resource(show_spinner=False)
def _database(root: str) -> Database:
    return Database(Store(root))


def database() -> Database:
    """The shared Database over the store named by EMSS_DATA_DIR (one per store folder)."""
    return _database(str(Store.default_root()))


# Query results are cached per store folder and manifest version: a new snapshot (from this
# process or another) changes the version, so the next page run reads the new figures.


def _key() -> tuple[str, tuple]:
    db = database()
    return str(db.store.root), db.version


@st.cache_data(show_spinner=False, max_entries=16)
def _quarters(root: str, version: tuple) -> list[Quarter]:
    return _database(root).quarters_with_data()


def quarters_with_data() -> list[Quarter]:
    """``Database.quarters_with_data`` for the store, read once per store version."""
    return _quarters(*_key())


@st.cache_data(show_spinner=False, max_entries=256)
def _summary(
    root: str, version: tuple, quarter: Quarter, partners: tuple[str, ...], comparison: str
) -> pd.DataFrame:
    return compare.summarise(_database(root), quarter, partners, comparison)


@st.cache_data(show_spinner=False, max_entries=256)
def _whole_summary(root: str, version: tuple, quarter: Quarter, comparison: str) -> pd.DataFrame:
    return compare.prefer_whole(_summary(root, version, quarter, PARTNERS, comparison))


def summary_at(root: str, version: tuple, filters: Filters) -> pd.DataFrame:
    """The quarter's figures to show for the filters' partner view (``compare.summarise``);
    in the "EMSS as a whole" view, by ``compare.prefer_whole``. For the store's folder and
    version: what other cached functions build on."""
    if not filters.is_whole:
        return _summary(root, version, filters.quarter, filters.partners, filters.comparison)
    return _whole_summary(root, version, filters.quarter, filters.comparison)


@st.cache_data(show_spinner=False, max_entries=64)
def _project_changes(root: str, version: tuple, quarter: Quarter, comparison: Quarter):
    return projects.changes(_database(root), quarter, comparison)


def project_changes(filters: Filters) -> pd.DataFrame:
    """``projects.changes`` for the filters' quarter and comparison quarter (every partner)."""
    return _project_changes(*_key(), filters.quarter, filters.comparison_quarter)


def _projects_in_view(root: str, version: tuple, filters: Filters) -> pd.DataFrame:
    changes = _project_changes(root, version, filters.quarter, filters.comparison_quarter)
    return projects.for_partners(changes, filters.partners)


@st.cache_resource(show_spinner=False, max_entries=64)
def _projects_since(root: str, version: tuple, filters: Filters) -> tuple[list[str], bool]:
    in_view = _projects_in_view(root, version, filters)
    sentences = projects_view.since_sentences(in_view, filters.quarter, filters.comparison_quarter)
    return sentences, bool(in_view["listed"].any())


def projects_since(filters: Filters) -> tuple[list[str], bool]:
    """What changed in the filters' view of the projects, as sentences, and whether the
    quarter lists any project."""
    return _projects_since(*_key(), filters)


@st.cache_resource(show_spinner=False, max_entries=64)
def _projects_listing(
    root: str, version: tuple, filters: Filters, picks: tuple, cards: int
) -> projects_view.Listing:
    themes, statuses, benefits = picks
    in_view = _projects_in_view(root, version, filters)
    picked = projects.for_benefits(
        projects.for_statuses(projects.for_themes(in_view, themes), statuses), benefits
    )
    return projects_view.listing(picked, filters.quarter, filters.comparison_quarter, cards)


def projects_listing(
    filters: Filters,
    themes: Sequence[str],
    statuses: Sequence[str],
    benefits: Sequence[str],
    cards: int,
) -> projects_view.Listing:
    """The projects of the filters' view with the themes, statuses and benefits picked
    (none picked: every one), at most ``cards`` of them as cards."""
    picks = (tuple(themes), tuple(statuses), tuple(benefits))
    return _projects_listing(*_key(), filters, picks, cards)


@st.cache_resource(show_spinner=False, max_entries=16)
def _in_use(root: str, version: tuple) -> tuple[list[str], bool]:
    snapshots = _database(root).active_snapshots()
    illustrative = bool((snapshots["kind"] == "illustrative").any())
    return tables.provenance_lines(snapshots), illustrative


def provenance_lines() -> list[str]:
    """Where the figures come from (``tables.provenance_lines`` of the snapshots in use)."""
    return _in_use(*_key())[0]


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
    return Drawable(prepared, *_data_apart(prepared.spec))


def _data_apart(spec: dict) -> tuple[dict, bytes]:
    """A spec with its inline rows named DATASET instead, and those rows as Arrow bytes: a
    chart drawn again from a spec equal but for its data keeps its view and swaps the data."""
    named = {key: value for key, value in spec.items() if key not in ("data", "width")}
    named["data"] = {"name": DATASET}
    rows = pd.DataFrame(spec["data"]["values"])
    return named, convert_anything_to_arrow_bytes(rows)


# Keyed on the store and its targets (report.inputs_version): a new snapshot or new targets,
# from this process or another, make the next run write the report afresh.
@st.cache_data(show_spinner=False, max_entries=16)
def _written(
    _db: Database, inputs: tuple, quarter: Quarter, partners: tuple[str, ...], comparison: str
) -> Report:
    from emss import report  # the report's modules load only for the report

    return report.build_report(_db, quarter, partners, comparison)


def _inputs(filters: Filters) -> tuple:
    from emss import report

    db = database()
    return db, report.inputs_version(db), filters.quarter, filters.partners, filters.comparison


def report_heading(filters: Filters) -> tuple[str, str]:
    """The title and file name stem of the report for the filters, without writing it
    (``report.heading``): raises what writing it would raise."""
    from emss import report
    from emss.report_model import file_stem

    quarter = filters.quarter
    title, chosen = report.heading(database(), quarter, filters.partners, filters.comparison)
    return title, file_stem(quarter, chosen, filters.comparison_quarter)


def written_report(filters: Filters) -> Report:
    """The report for the filters (``report.build_report``); raises what that raises."""
    return _written(*_inputs(filters))


def report_charts(filters: Filters) -> dict[str, tuple[dict, bytes]]:
    """The report's charts for the filters by key, each its spec and its rows apart
    (``_data_apart``), prepared once per report: what ``report_chart`` draws."""
    return _report_charts(*_inputs(filters))


@st.cache_resource(show_spinner=False, max_entries=16)
def _report_charts(
    _db: Database, inputs: tuple, quarter: Quarter, partners: tuple[str, ...], comparison: str
) -> dict[str, tuple[dict, bytes]]:
    from emss import report_render
    from emss.report_model import Chart

    built = _written(_db, inputs, quarter, partners, comparison)
    return {
        part.key: _data_apart(part.spec)
        for part in report_render.preview_parts(built)
        if isinstance(part, Chart)
    }


# Word and HTML files hold the charts as pictures: they are drawn in a process of their own
# (isolated.alone), only when someone asks for the file, and kept for the next who asks.
REPORT_SECONDS = 120.0  # a report is written in 2-5 s; the margin is for a busy machine


@st.cache_data(show_spinner=False, max_entries=16)
def _report_file(
    _db: Database,
    inputs: tuple,
    quarter: Quarter,
    partners: tuple[str, ...],
    comparison: str,
    fmt: str,
) -> bytes:
    from emss import isolated, report_render

    built = _written(_db, inputs, quarter, partners, comparison)
    if fmt == "md":  # no pictures
        return report_render.render(built, fmt)
    what = f"Writing the report as {report_render.FORMATS[fmt].name}"
    return isolated.alone(report_render.render, built, fmt, what=what, timeout=REPORT_SECONDS)


def report_file(filters: Filters, fmt: str) -> bytes:
    """The report for the filters as a file in ``fmt`` (``report_render.render``)."""
    return _report_file(*_inputs(filters), fmt)


def targets() -> dict[str, Target]:
    """The targets set for this store; a targets file that cannot be read is reported once
    on the page and no RAG status is shown."""
    try:
        return load_targets(database().store.root)
    except TargetsError as problem:
        st.error(f"Targets are not shown: {problem}", icon=":material/error:")
        return {}


# --- the page frame --------------------------------------------------------------------


def page_setup(title: str) -> None:
    """Set up a page without the filters (upload, history, definitions): the navigation,
    the provenance and the title. It runs on an empty store too."""
    _frame_without_filters(title, _page_frame(title))


def _frame_without_filters(title: str, quarters: list[Quarter]) -> None:
    with st.sidebar:
        _navigation(_current_filters(quarters) if quarters else None)
    _provenance()
    st.title(title)
    _link_notes()


def _link_notes() -> None:
    """What could not be used of the link the session was opened with, said once."""
    for note in st.session_state.pop(STATE_FILTER_NOTES, []):
        st.warning(markdown_literal(note), icon=":material/link_off:")


def filtered_page(title: str, draw: Callable[[Filters], None], *, name_view: bool = False) -> None:
    """A page of figures: set up, then the navigation, the filters and ``draw(filters)``
    in one fragment, so that a change of filter (or of any widget ``draw`` makes) runs
    and redraws only them, not the page's frame. ``name_view`` adds the partner view and
    the quarter to the title. On an empty store, says so and stops."""
    quarters = _page_frame(title)
    if not quarters:
        _frame_without_filters(title, quarters)
        st.info(
            "There are no figures to show yet: the data store is empty. "
            "Figures appear here once a quarter's return has been uploaded."
        )
        st.stop()
    with st.sidebar:  # what a change of filter leaves as it is, drawn once
        st.markdown(NAVIGATION_HEADING)
        figure_links = st.container()  # the fragment's: these links carry the filters
        _page_links(REFERENCE_PAGES, None)
        st.divider()
        st.markdown("**Filters**")
        filter_box = st.container()  # the fragment's
        st.divider()
        provenance = st.container()  # the fragment's: an upload may come between its runs
    if not name_view:
        st.title(title)
    _figures(title, draw, name_view, figure_links, filter_box, provenance)


def _page_frame(title: str) -> list[Quarter]:
    """What every page's full run draws first; the quarters with data (a damaged store or
    a bad setting: one sentence, no traceback, and the page stops)."""
    st.set_page_config(page_title=f"{title} · EMSS performance", layout="wide")
    _freeze_start_up_objects()
    st.html(PAGE_CSS)
    try:
        guard_uploads(editor_session=editor() is not None)
        return quarters_with_data()
    except (StoreError, ingest.SettingError) as error:
        st.error(str(error), icon=":material/error:")
        st.stop()


@st.fragment
def _figures(
    title: str,
    draw: Callable[[Filters], None],
    name_view: bool,
    figure_links: DeltaGenerator,
    filter_box: DeltaGenerator,
    provenance: DeltaGenerator,
) -> None:
    """``filtered_page``'s fragment: the filters into ``filter_box``, the links that carry
    them into ``figure_links``, where the figures come from into ``provenance``, then the
    title naming the view (``name_view``), the notes on the link, the illustrative-data
    banner and ``draw``. What it leaves to the page's run is not sent again on a change of
    filter: each element is browser work."""
    try:  # a fragment's own run reads the store afresh: an upload may have come since
        quarters = quarters_with_data()
    except StoreError as error:
        st.error(str(error), icon=":material/error:")
        return
    if not quarters:  # withdrawn since the page's run: the whole page says so
        st.rerun()
    with filter_box:
        chosen = _filter_widgets(_current_filters(quarters), quarters)
    with figure_links:
        _page_links(FIGURE_PAGES, chosen)
    with provenance:
        _provenance_caption()
    st.session_state[STATE_FILTERS] = chosen
    params = chosen.params()
    if any(st.query_params.get(name) != value for name, value in params.items()):
        st.query_params.update(params)  # a message to the browser: only on a change
    if name_view:
        st.title(f"{title}: {chosen.view_label}, {chosen.quarter}")
    _link_notes()
    _illustrative_banner()
    draw(chosen)


@functools.cache  # once per process: asking gc how many are frozen walks them all (~13 ms)
def _freeze_start_up_objects() -> None:
    """At the server's first page run: put every object made so far (the imported
    libraries, Streamlit's own) in the garbage collector's permanent generation.
    Python's full collections, which it still makes now and then with Streamlit's own after
    each run switched off (.streamlit/config.toml), then walk only what pages made since:
    measured here, 5 ms instead of 30-80 ms, which a page's run had waited behind."""
    gc.freeze()
    atexit.register(gc.unfreeze)  # at exit, everything is collected as before


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
    st.markdown(NAVIGATION_HEADING)
    _page_links(PAGES, current)


def _page_links(pages: Sequence[tuple[str, str]], current: Filters | None) -> None:
    """Links to ``pages``, carrying the filters ``current`` (to a page opened in a new tab
    too: the session keeps them only in its own tab)."""
    params = current.params() if current else None
    for path, label in pages:
        st.page_link(path, label=label, query_params=params)


def _filter_widgets(current: Filters, quarters: list[Quarter]) -> Filters:
    """The filters in the sidebar, started from ``current``; returns what they now say."""
    quarter = _quarter_widgets(current.quarter, quarters)
    view = _one_of("Partner", VIEW_LABELS, current.view, WIDGET_VIEW)
    comparison = _one_of("Compare with", COMPARISONS, current.comparison, WIDGET_COMPARISON)
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


def _quarter_widgets(current: Quarter, quarters: list[Quarter]) -> Quarter:
    """The quarter in two steps: its financial year from a list (newest first), then one of
    that year's quarters with figures as a radio button, a click like the partner's. A new
    year keeps the quarter's number where that year has it, else takes its latest quarter."""
    years = sorted({q.start_year for q in quarters}, reverse=True)
    year = st.selectbox(
        "Financial year",
        years,
        index=years.index(current.start_year),
        format_func=lambda start: Quarter(start, 1).financial_year,
        key=WIDGET_YEAR,
    )
    in_year = [q for q in quarters if q.start_year == year]
    numbers = [q.number for q in in_year]  # a number, not a Quarter: it carries to a new year
    number = st.radio(
        "Quarter",
        numbers,
        index=numbers.index(current.number) if current.number in numbers else len(numbers) - 1,
        format_func=lambda number: Quarter(year, number).short,
        horizontal=True,
        help="; ".join(f"{q.short}: {q.months}" for q in in_year),
        key=WIDGET_QUARTER,
    )
    return Quarter(year, number)


def _one_of(label: str, labels: Mapping[str, str], current: str, key: str) -> str:
    """Radio buttons for the keys of ``labels``, shown by their labels, ``current`` chosen."""
    options = list(labels)
    return st.radio(
        label, options, index=options.index(current), format_func=labels.__getitem__, key=key
    )


def _provenance() -> None:
    with st.sidebar:
        st.divider()
        _provenance_caption()


def _provenance_caption() -> None:
    st.caption("**Provenance**\n\n" + "\n".join(f"- {line}" for line in provenance_lines()))


def _illustrative_banner() -> None:
    if _in_use(*_key())[1]:  # some figure in use is illustrative
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


def static_table(frame: pd.DataFrame, label: str, *, layout: str = "", caption: str = "") -> None:
    """A table of text shown whole (``tables.html_table``), ``caption`` above it, in one
    element; ``layout`` (tables.GLANCE, STACKED, DEBT_TABLE) is how it is laid out on a phone."""
    st.html(tables.static_table_html(frame, label, layout=layout, caption=caption))


def csv_download(
    label: str, csv: str | Callable[[], str], file_name: str, *, key: str, icon: str | None = None
) -> None:
    """A button that downloads ``csv`` (text, or what a function returns when clicked).

    The file is handed over only when clicked (Streamlit's deferred download) and the click
    does not rerun the page: a button holding its file would make the browser fetch that
    file again after every filter change (Streamlit checks each new link)."""
    st.download_button(
        label,
        csv if callable(csv) else lambda: csv,
        file_name=file_name,
        mime="text/csv",
        on_click="ignore",
        icon=icon,
        key=key,
    )


def data_table(
    frame: pd.DataFrame,
    *,
    name: str,
    label: str = "Data table",
    csv: str | None = None,
    key: str | None = None,
) -> None:
    """A table a click away, in a data grid, with a CSV download (formula-safe; ``csv``
    when it has been written already). The grid is sent only once the reader opens it:
    a closed one would still cost the browser a grid on every rerun. ``key`` (by default
    ``name``) keeps it open across reruns."""
    table = st.expander(label, key=f"table_{key or name}", on_change="rerun")
    if not table.open:
        return
    with table:
        st.dataframe(frame, hide_index=True, width="stretch")
        csv_download(
            "Download CSV",
            functools.partial(to_csv, frame) if csv is None else csv,
            f"{name}.csv",
            key=f"download_{name}",
        )


def disclosure(label: str, key: str, *, kept_as: str | None = None) -> DeltaGenerator | None:
    """A disclosure whose contents are drawn only while it is open: charts, their data
    tables and the report's preview cost the browser more on each filter change than the
    rest of a page. Opened or closed, the disclosure stays so on every page for the session,
    as every disclosure kept under the same name (``kept_as``, else ``key``). Returns it when
    open."""
    kept = _remembered(kept_as or key)
    shown = st.expander(
        label,
        expanded=st.session_state.get(kept, False),
        key=key,
        on_change=_remember_open,
        args=(key, kept),
    )
    return shown if shown.open else None


def _remembered(name: str) -> str:
    return f"{name}_open"  # not a widget's key: kept when a page without it is shown


def _remember_open(key: str, kept: str) -> None:
    st.session_state[kept] = st.session_state[key]


def partner_name(partner: str) -> str:
    return PARTNER_NAMES.get(partner, partner)


def show_chart(chart: Drawable, name: str) -> None:
    """A chart under its title; under it its caption and, a click away, its description
    and data table (``tables.chart_data_html``, drawn only once asked for: a table of
    every point cost a filter change more than the chart); then its data as a CSV."""
    text = chart.prepared.text
    st.markdown(f"**{text.title}**")
    # A fresh top-level dict each run: Streamlit takes the datasets out of the spec it gets.
    spec = {**chart.spec, "datasets": {DATASET: chart.data}}
    st.vega_lite_chart(spec, width="stretch", alt=text.alt)
    st.caption(markdown_literal(text.caption))
    behind = disclosure(
        "Data table and description", f"{WIDGET_CHART_DATA}_{name}", kept_as=WIDGET_CHART_DATA
    )
    if behind is not None:
        behind.html(tables.chart_data_html(text, chart.prepared.table))
    csv_download("Download CSV", chart.prepared.csv, f"{name}.csv", key=f"download_{name}")


def report_chart(chart: Chart, prepared: Mapping[str, tuple[dict, bytes]]) -> None:
    """A chart of the report as the Report page previews it, drawn by the browser at the
    page's width (its title and data table are in the report's text around it), its data
    apart from its spec as on the other pages (``prepared``: ``report_charts``)."""
    spec, data = prepared[chart.key]
    st.vega_lite_chart({**spec, "datasets": {DATASET: data}}, width="stretch", alt=chart.named)


# --- figures ---------------------------------------------------------------------------


def figure_tiles(
    figures: Sequence[tuple[Mapping, str, Target | None]],
    *,
    short: bool = False,
    below: str = "",
) -> None:
    """Figures' tiles (``tables.tile``), each a row with its label and target, drawn as one
    HTML element (a Streamlit metric with its label and notes was four elements a tile):
    value, change against the comparison quarter or why there is none, RAG status for a
    reported figure with a target; a sentence for a figure not reported; side by side,
    sharing the width. ``short``: the Overview's small tiles. ``below``: HTML under the
    tiles, in the same element."""
    parts = [
        tables.unreported_html(label, row["quarter"])
        if compare.missing(row["value"])
        else tables.tile_html(tables.tile(row, label, target, short=short))
        for row, label, target in figures
    ]
    show_tiles(parts, "grid" if short else "row", below=below)


def show_tiles(parts: Sequence[str], layout: str, *, below: str = "") -> None:
    """Tiles (``tables.tile_html``) in one HTML element, laid out by ``layout``: "grid"
    small ones side by side, "row" sharing the width (ui.PAGE_CSS); ``below``: HTML under
    them."""
    st.html(f'<div class="emss-tiles emss-tiles-{layout}">{"".join(parts)}</div>{below}')
