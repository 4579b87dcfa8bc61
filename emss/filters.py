"""The filters every page shares, as plain data: the quarter, the partner view, the
comparison and the trend range; their query-string form; and how a figure is labelled in a
view. No Streamlit here (``emss.ui`` draws the widgets and keeps the filters in the session).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from emss import compare
from emss.catalogue import VIEWS, WHOLE, load_catalogue
from emss.quarters import Quarter, QuarterError

VIEW_LABELS = {code: view.label for code, view in VIEWS.items()}
VIEW_PARTNERS = {code: view.partners for code, view in VIEWS.items()}
COMPARISONS = compare.COMPARISON_LABELS
DEFAULT_VIEW = WHOLE
DEFAULT_COMPARISON = "previous"

# Query-string names of the filters (a public contract: pasted links use them).
PARAM_QUARTER = "quarter"
PARAM_VIEW = "view"
PARAM_COMPARISON = "compare"
PARAM_FIRST = "from"
PARAM_LAST = "to"


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

    @property
    def is_whole(self) -> bool:
        """True in the "EMSS as a whole" view."""
        return self.view == WHOLE

    @property
    def view_label(self) -> str:
        return VIEW_LABELS[self.view]

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
        partners=VIEW_PARTNERS[DEFAULT_VIEW],
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

    return Filters(quarter, view, VIEW_PARTNERS[view], comparison, first, last), notes


def figure_label(row: Mapping, filters: Filters) -> str:
    """A figure's partner as a tile names it: "EMSS-wide" for an organisation-wide metric
    when a council is chosen, else the partner's short name."""
    if row["emss_wide"] and not filters.is_whole:
        return "EMSS-wide"
    return row["partner"]


def headline_label(row: Mapping, filters: Filters) -> str:
    """A headline tile's label: the metric, and whose figure it is unless that is the view."""
    if filters.is_whole and row["partner"] == WHOLE:
        return row["label"]
    return f"{row['label']} ({figure_label(row, filters)})"


def area_title(area: str) -> str:
    """An area's full name as the catalogue gives it: "ESC" → "Employee Service Centre"."""
    return load_catalogue().areas[area]
