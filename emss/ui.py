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

import pandas as pd
import streamlit as st

from emss import auth, compare
from emss.catalogue import PARTNER_NAMES
from emss.export import to_csv
from emss.quarters import Quarter, QuarterError
from emss.queries import Database
from emss.store import Store

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
        return self.quarter.previous if self.comparison == "previous" else self.quarter.year_ago

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


@st.cache_data(show_spinner=False, max_entries=128)
def _summary(
    root: str, version: tuple, quarter: str, partners: tuple[str, ...], comparison: str
) -> pd.DataFrame:
    return compare.summarise(_database(root), Quarter.parse(quarter), partners, comparison)


def summary(filters: Filters, partners: Sequence[str] | None = None) -> pd.DataFrame:
    """``compare.summarise`` for the filters (or other partners), cached per store version."""
    db = database()
    return _summary(
        str(db.store.root),
        db.version,
        str(filters.quarter),
        tuple(partners or filters.partners),
        filters.comparison,
    )


# --- the page frame --------------------------------------------------------------------


def page_setup(title: str, *, filters: bool = True) -> Filters | None:
    """Set the page up; return the shared filters (None when ``filters`` is False).

    Draws the navigation, the filters (when asked), the provenance and the illustrative-data
    banner. With ``filters=True`` and nothing in the store, says so and stops the page; pages
    without filters (upload, history) still run on an empty store.
    """
    st.set_page_config(page_title=f"{title} · EMSS performance", layout="wide")
    db = database()
    quarters = db.quarters_with_data()
    current = _current_filters(quarters) if quarters else None
    _navigation(current)
    chosen = _filter_widgets(current, quarters) if filters and current else None
    if chosen is not None:
        st.session_state[_STATE] = chosen
        st.query_params.from_dict(chosen.params())
    _provenance(db)
    st.title(title)
    if filters and not quarters:
        st.info(
            "There are no figures to show yet: the data store is empty. "
            "Figures appear here once a quarter's return has been uploaded."
        )
        st.stop()
    for note in st.session_state.pop("emss_filter_notes", []):
        st.warning(note, icon=":material/link_off:")
    _illustrative_banner(db)
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
    with st.sidebar:
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


def _provenance(db: Database) -> None:
    snapshots = db.active_snapshots()
    with st.sidebar:
        st.divider()
        if snapshots.empty:
            st.caption("No figures uploaded yet.")
            return
        lines = [f"**Last updated** {when(snapshots['created'].iloc[0])}", "", "**Snapshots**"]
        lines += [
            f"- {row.id} ({row.kind}, {when(row.created)}, {row.uploaded_by})"
            for row in snapshots.itertuples()
        ]
        st.caption("\n".join(lines))


def when(created: str) -> str:
    """An ISO UTC timestamp as people read it: "19 Jan 2024, 14:05 UTC"."""
    moment = dt.datetime.fromisoformat(created.replace("Z", "+00:00"))
    return f"{moment.day} {moment:%b %Y, %H:%M} UTC"


def _illustrative_banner(db: Database) -> None:
    snapshots = db.active_snapshots()
    if (snapshots["kind"] == "illustrative").any():
        st.warning(
            "**Illustrative data.** Some figures here are generated to show how the dashboard "
            "works; they were not reported by EMSS. Charts draw them hollow on a dashed line "
            'and tables mark them "Illustrative".',
            icon=":material/science:",
        )


# --- pieces pages share ----------------------------------------------------------------


def data_table(frame: pd.DataFrame, *, name: str, label: str = "Data table") -> None:
    """A chart's data a click away: the table and a CSV download (formula-safe)."""
    with st.expander(label):
        st.dataframe(frame, hide_index=True, width="stretch")
        st.download_button(
            "Download CSV",
            to_csv(frame),
            file_name=f"{name}.csv",
            mime="text/csv",
            key=f"download_{name}",
        )


def partner_name(partner: str) -> str:
    return PARTNER_NAMES.get(partner, partner)


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
        email = st.user.get("email")
        if st.user.get("is_logged_in") and auth.is_editor(email, auth.editors(secrets)):
            return str(email)
        return None
    return st.session_state.get(_EDITOR) if mode == "password" else None


def require_editor(action: str) -> str:
    """The editor's identity; anyone else gets the way to sign in (or to enable editing) and
    the page stops there, before any control that changes the figures exists.

    ``action`` completes "Sign in to …", e.g. "upload a quarter".
    """
    who = editor()
    if who is not None:
        with st.container(horizontal=True, vertical_alignment="center"):
            st.caption(f"Editing as **{who}**.")
            st.button("Sign out", key="emss_sign_out", on_click=_sign_out)
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
            st.session_state[_EDITOR] = auth.password_sign_in(name, given, expected)
        except auth.SignInError as refused:
            st.error(str(refused), icon=":material/error:")
            return
        st.rerun()


def _sign_out() -> None:
    if auth.editing_mode(_secrets()) == "oidc":
        st.logout()
    st.session_state.pop(_EDITOR, None)
