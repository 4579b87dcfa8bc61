"""Report page: the quarterly performance report for the chosen quarter, partner view and
comparison, previewed as it will read, with its downloads as Word, HTML or Markdown."""

import streamlit as st

from emss import report_render, ui
from emss.errors import EmssError

filters = ui.page_setup("Report")


st.caption(
    f"The quarterly performance report for {filters.quarter.label}, "
    f"{filters.view_label}, compared with the {filters.comparison_label} "
    f"({filters.comparison_quarter}). Choose the quarter, partner and comparison in the sidebar."
)
try:
    with st.spinner("Writing the report and drawing its charts…"):
        built, files, preview = ui.written_report(filters)
except EmssError as problem:
    st.error(f"The report cannot be written: {problem}", icon=":material/error:")
    st.stop()

st.header(built.title, divider="gray")
with st.container(horizontal=True):
    for fmt, kind in report_render.FORMATS.items():
        st.download_button(
            f"Download {kind.name} ({kind.suffix})",
            files[fmt],
            file_name=report_render.file_name(built, fmt),
            mime=kind.mime,
            on_click="ignore",
            icon=":material/download:",
            key=f"report_download_{fmt}",
        )
st.caption(
    "Word (A4) and HTML hold the charts as pictures with their descriptions; the Markdown file "
    "gives each chart as its description and the table of its figures. The command line "
    "writes the same report: `python -m emss report --help`."
)

st.markdown("**The report as it will read**")
with st.container(border=True):
    st.html(preview)
