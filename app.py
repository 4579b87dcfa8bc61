"""EMSS performance dashboard: the entry point and the Overview page.

Run with ``streamlit run app.py``. The other views are the files in ``pages/``; every page
starts with ``ui.page_setup``, which draws the navigation, the shared filters and the
provenance.
"""

import streamlit as st

from emss import compare, tables, ui
from emss.filters import headline_label

filters = ui.page_setup("Overview")
db = ui.database()
rows = ui.summary(filters)
set_targets = ui.targets()

st.caption(
    f"Headline figures for {filters.quarter.label}, compared with the "
    f"{filters.comparison_label} ({filters.comparison_quarter}). Each area's page has every "
    "figure with its trend."
)

for code, name in db.catalogue.areas.items():
    st.header(name, divider="gray")
    headline = tables.headlines(rows, code)
    if headline.empty:
        st.markdown(f"No {name} figures were reported for {filters.quarter}.")
    else:
        with st.container(horizontal=True):  # tiles wrap onto a new row rather than shrink
            for row in headline.to_dict("records"):
                with st.container(width=ui.TILE_WIDTH):
                    label = headline_label(row, filters)
                    ui.figure_tile(row, label, set_targets.get(row["metric"]))
    st.page_link(
        ui.AREA_PAGES[code],
        label=f"All {code} figures",
        icon=":material/arrow_forward:",
        query_params=filters.params(),
    )

st.header(f"What moved most since {filters.comparison_quarter}", divider="gray")
st.caption(
    "Ranked by the change relative to the earlier figure, so that figures in different units "
    "can be compared. Volumes (neither better nor worse when they change) are left out."
)
improved, worsened = st.columns(2, gap="large")
for column, which, heading in (
    (improved, "improved", "Biggest improvements"),
    (worsened, "worsened", "Biggest deteriorations"),
):
    with column:
        st.markdown(f"**{heading}**")
        moved = compare.biggest_changes(rows, which)
        if moved.empty:
            st.markdown(f"No figure {which} against {filters.comparison_quarter}.")
        else:
            st.dataframe(tables.changes_table(moved), hide_index=True, width="stretch")

st.header("Where these figures come from", divider="gray")
st.markdown("\n".join(f"- {line}" for line in ui.provenance_lines()))
