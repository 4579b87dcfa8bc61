"""Projects page: the EMSS Business Plan's projects in the quarter, what changed since the
comparison quarter, each project's history, and the list as a table and a CSV."""

import streamlit as st

from emss import export, projects, projects_view, ui

CARDS = 60  # at most this many project cards on one page; beyond it, the table
filters = ui.page_setup("Business Plan projects")
db = ui.database()
spec = db.catalogue.projects
quarter, comparison = filters.quarter, filters.comparison_quarter
in_view = projects.for_partners(ui.project_changes(filters), filters.partners)

st.caption(
    f"The projects of the EMSS Business Plan in {quarter.label}, {filters.view_label} "
    f"(a council's view shows its own projects and the EMSS-wide ones), compared with the "
    f"{filters.comparison_label} ({comparison}). Source: report {spec.source}."
)
with st.container(border=True):
    last = comparison == quarter.previous
    st.header("Since the last committee" if last else f"Since {comparison.label}")
    for sentence in projects_view.since_sentences(in_view, quarter, comparison):
        st.markdown(sentence)

if not in_view["listed"].any():
    st.info(f"No Business Plan projects are recorded for {quarter}.")
    st.stop()

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
shown = projects.for_benefits(
    projects.for_statuses(projects.for_themes(in_view, themes), statuses), benefits
)
if shown.empty:
    st.info("No project matches the themes, statuses and benefits chosen.")
    st.stop()

budget = CARDS  # cards drawn in all; the table below always holds every project shown
if len(shown) > CARDS:
    st.info(
        f"{len(shown):,} projects match: the first {CARDS} are shown as cards. Choose a theme, "
        "status or benefit to narrow the list, or read them all in the table at the end."
    )
for group in projects_view.theme_groups(shown):
    st.header(f"{group.label}: {len(group.projects)}", divider="gray")
    drawn, budget = group.projects[:budget], budget - len(group.projects[:budget])
    if len(drawn) < len(group.projects):
        st.caption(f"{len(group.projects) - len(drawn):,} more in the table at the end.")
    for row in drawn:
        card = projects_view.card(row, comparison)
        with st.container(border=True):
            st.markdown(card.markdown(quarter))
            history = st.expander(
                f"History of {card.title}, quarter by quarter",
                key=f"projects_history_{row['theme']}_{row['project_key']}",
                on_change="rerun",
            )
            with history:
                if history.open:
                    lines = projects_view.history_lines(
                        projects.history(db, row["theme"], row["project"])
                    )
                    for heading, update in lines:
                        st.markdown(f"**{heading}**  \n{update}")

st.header("All projects shown, as a table", divider="gray")
ui.data_table(
    projects_view.table(shown),
    name=f"projects-{quarter.slug}",
    label=f"Table of the {len(shown)} projects shown, and a CSV",
    csv=export.to_csv(shown[projects.RECORD_FIELDS]),
)
