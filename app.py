"""EMSS performance dashboard: the entry point and the Overview page.

Run with ``streamlit run app.py``. The other views are the files in ``pages/``; every page
starts with ``ui.page_setup``, which draws the navigation, the shared filters and the
provenance.

The Overview answers "how did we do, and where should I look" on one screen: the headline
figures the catalogue marks (the same in every partner view), debt and projects, and what
moved most, compared only where EMSS reported both figures.
"""

import streamlit as st

from emss import debt, projects, tables, ui
from emss.filters import headline_label

filters = ui.page_setup("Overview", name_view=True)
db = ui.database()
rows = ui.summary(filters)
set_targets = ui.targets()
earlier = filters.comparison_quarter

st.caption(
    f"{filters.quarter.label} against the {filters.comparison_label} ({earlier}), compared "
    "only where EMSS reported both figures."
)

with st.container(horizontal=True, gap="small"):  # tiles wrap onto a new row, never shrink
    for row in tables.headlines(rows, db.catalogue).to_dict("records"):
        with st.container(width=ui.OVERVIEW_TILE_WIDTH):
            ui.figure_tile(
                row,
                f"{row['area']} · {headline_label(row, filters)}",
                set_targets.get(row["metric"]),
            )
with st.container(horizontal=True):
    for code, path in ui.AREA_PAGES.items():
        st.page_link(
            path,
            label=f"All {code} figures",
            icon=":material/arrow_forward:",
            query_params=filters.params(),
        )

debt_column, projects_column, moved_column = st.columns([1, 1, 2], gap="medium")
with debt_column:
    st.subheader("Debt collection", divider="gray")
    councils = debt.partners_in_view(filters.partners, db.catalogue.debt)
    movements = ui.debt_movements(filters.quarter, councils) if councils else None
    if movements is None or movements.empty:
        st.markdown(f"No debt movements are held for {filters.quarter} in this view.")
    else:
        st.markdown(
            "\n".join(
                f"- **{line.label}**: {line.value}, {line.words}"
                for line in tables.debt_headlines(movements, filters.quarter)
            )
        )
with projects_column:
    st.subheader("Projects", divider="gray")
    listed = projects.for_partners(projects.changes(db, filters.quarter, earlier), filters.partners)
    if listed.empty:
        st.markdown(f"No Business Plan projects are recorded for {filters.quarter}.")
    else:
        counted = tables.project_headlines(projects.counts(listed), earlier)
        with st.container(horizontal=True):
            for line in counted:
                with st.container(width="content"):
                    st.metric(line.label, line.value, help=line.words or None)
        if counted[-1].words:
            st.caption(counted[-1].words)
    if ui.PROJECTS_PAGE:
        st.page_link(
            ui.PROJECTS_PAGE,
            label="All projects",
            icon=":material/arrow_forward:",
            query_params=filters.params(),
        )
with moved_column:
    st.subheader(f"What moved most since {earlier}", divider="gray")
    moved = tables.moved_most(rows)
    for which, heading in (("worsened", "Worse"), ("improved", "Better"), ("volumes", "Volumes")):
        if moved[which]:
            st.markdown(f"**{heading}**\n" + "\n".join(f"- {line}" for line in moved[which]))
    if not any(moved.values()):
        st.markdown(f"No figure reported for both {earlier} and {filters.quarter} changed.")
    left_out = tables.not_compared(rows)
    if left_out:
        st.caption(
            f"{left_out} figure{'s have' if left_out != 1 else ' has'} no reported {earlier} "
            "figure to compare with (one of the two is illustrative), so "
            f"{'they are' if left_out != 1 else 'it is'} not compared."
        )

st.subheader("Where these figures come from", divider="gray")
st.markdown("\n".join(f"- {line}" for line in ui.provenance_lines()))
