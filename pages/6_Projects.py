"""Projects page: the EMSS Business Plan's projects in the quarter, what changed since the
comparison quarter, each project's history, and the list as a table and a CSV."""

import streamlit as st

from emss import projects, projects_view, ui
from emss.filters import Filters

CARDS = 60  # at most this many project cards on one page; beyond it, the table


def projects_page(filters: Filters) -> None:
    """The Projects page for the filters (``ui.filtered_page`` draws it in its fragment)."""
    spec = ui.database().catalogue.projects
    quarter, comparison = filters.quarter, filters.comparison_quarter

    st.caption(
        f"The projects of the EMSS Business Plan in {quarter.label}, {filters.view_label} "
        f"(a council's view shows its own projects and the EMSS-wide ones), compared with the "
        f"{filters.comparison_label} ({comparison}). Source: report {spec.source}."
    )
    since, any_listed = ui.projects_since(filters)
    with st.container(border=True):
        last = comparison == quarter.previous
        st.header("Since the last committee" if last else f"Since {comparison.label}")
        for sentence in since:
            st.markdown(sentence)

    if not any_listed:
        st.info(f"No Business Plan projects are recorded for {quarter}.")
        return

    with st.container(horizontal=True):
        themes = st.multiselect(
            "Themes",
            spec.themes,
            format_func=spec.theme_labels.__getitem__,
            placeholder="Every theme",
            key="projects_themes",
        )
        statuses = st.multiselect(
            "Status",
            [*spec.statuses, spec.not_stated],
            format_func=projects.words_label,
            placeholder="Any status",
            key="projects_statuses",
        )
        benefits = st.multiselect(
            "Benefits", spec.benefits, placeholder="Any benefit", key="projects_benefits"
        )
    shown = ui.projects_listing(filters, themes, statuses, benefits, CARDS)
    if not shown.count:
        st.info("No project matches the themes, statuses and benefits chosen.")
        return
    if shown.count > CARDS:
        st.info(
            f"{shown.count:,} projects match: the first {CARDS} are shown as cards. Choose a "
            "theme, status or benefit to narrow the list, or read them all in the table at the end."
        )
    for group in shown.groups:
        st.header(f"{group.label}: {group.count}", divider="gray")
        if group.more:
            st.caption(f"{group.more:,} more in the table at the end.")
        st.html(group.html)  # a theme's cards in one element: the page redraws fast

    st.header("A project's history", divider="gray")
    cards = shown.cards_by_name
    chosen = st.selectbox(
        "History of a project, quarter by quarter",
        list(cards),
        index=None,
        placeholder="Choose a project",
        key="projects_history",
    )
    if chosen is not None:  # read from the store only when asked for
        card = cards[chosen]
        st.html(
            projects_view.history_html(projects.history(ui.database(), card.theme, card.project))
        )

    st.header("All projects shown, as a table", divider="gray")
    ui.data_table(
        shown.table,
        name=f"projects-{quarter.slug}",
        label=f"Table of the {shown.count} projects shown, and a CSV",
        csv=shown.csv,
        key="projects",
    )


ui.filtered_page("Business Plan projects", projects_page)
