"""EMSS performance dashboard: the entry point and the Overview page.

Run with ``streamlit run app.py``. The other views are the files in ``pages/``; a page of
figures is a function of the shared filters given to ``ui.filtered_page``, which draws the
navigation, the filters and the provenance around it.

The Overview answers "how did we do, and where should I look" on one screen: the headline
figures the catalogue marks (the same in every partner view), debt and projects, and what
moved most, compared only where EMSS reported both figures.
"""

import streamlit as st

from emss import tables, ui, ui_areas
from emss.filters import Filters, headline_label


def overview(filters: Filters) -> None:
    """The Overview for the filters (``ui.filtered_page`` draws it in its fragment)."""
    shown = ui_areas.overview(filters)
    set_targets = ui.targets()
    earlier = filters.comparison_quarter

    tiles_column, summary_column = st.columns([3.2, 2], gap="medium")
    with tiles_column:  # tiles wrap, never shrink; two a row on a phone (ui.PAGE_CSS)
        ui.figure_tiles(
            [
                (row, headline_label(row, filters), set_targets.get(row["metric"]))
                for row in shown.headlines
            ],
            short=True,
        )
    with summary_column:  # a Markdown element a part: each element costs the browser a redraw
        moved = (
            "\n".join(f"- {line}" for line in shown.moved)
            if shown.moved
            else f"No figure reported for both {earlier} and {filters.quarter} changed."
        )
        st.markdown(f"**What moved most since {earlier}**\n\n{moved}")
        left_out = shown.not_compared
        st.caption(
            "Compared only where EMSS reported both figures"
            + (
                f": {left_out} figure{'s' if left_out != 1 else ''} not compared, its "
                f"{earlier} figure or its own being illustrative."
                if left_out
                else "."
            )
        )
        debt = (
            f"No debt movements are held for {filters.quarter} in this view."
            if shown.debt is None
            else "\n".join(f"- **{line.label}**: {line.value}, {line.words}" for line in shown.debt)
        )
        listed = (
            tables.projects_line(shown.projects, earlier)
            if shown.projects.listed
            else f"No Business Plan projects are recorded for {filters.quarter}."
        )
        st.markdown(f"**Debt collection**\n\n{debt}\n\n**Business Plan projects**\n\n{listed}")
        st.page_link(
            ui.PROJECTS_PAGE,
            label="All projects",
            icon=":material/arrow_forward:",
            query_params=filters.params(),
        )

    st.header("Where these figures come from", divider="gray")
    st.markdown("\n".join(f"- {line}" for line in ui.provenance_lines()))


ui.filtered_page("Overview", overview, name_view=True)
