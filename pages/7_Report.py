"""Report page: the quarterly performance report for the chosen quarter, partner view and
comparison, to download as Word, HTML or Markdown, with an outline and a preview."""

import streamlit as st

from emss import report, report_render, ui
from emss.quarters import Quarter
from emss.queries import Database
from emss.targets import TargetsError

filters = ui.page_setup("Report")


# Keyed on the store and its targets (report.inputs_version): a new snapshot or new targets,
# from this process or another, make the next run write the report afresh.
@st.cache_data(show_spinner=False, max_entries=16)
def _written(
    _db: Database, inputs: tuple, quarter: Quarter, partners: tuple[str, ...], comparison: str
) -> tuple[report.Report, dict[str, bytes]]:
    built = report.build_report(_db, quarter, partners, comparison)
    return built, report_render.render_all(built)


db = ui.database()
st.caption(
    f"The quarterly performance report for {filters.quarter.label}, "
    f"{ui.VIEW_LABELS[filters.view]}, compared with the {filters.comparison_label} "
    f"({filters.comparison_quarter}). Choose the quarter, partner and comparison in the sidebar."
)
try:
    with st.spinner("Writing the report and drawing its charts…"):
        built, files = _written(
            db,
            report.inputs_version(db),
            filters.quarter,
            filters.partners,
            filters.comparison,
        )
except (report.ReportError, TargetsError) as problem:
    st.error(f"The report cannot be written: {problem}", icon=":material/error:")
    st.stop()

st.subheader(built.title, divider="gray")
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
    "Word and HTML hold the charts as pictures with their descriptions; the Markdown file "
    "gives each chart as its description and the table of its figures. The command line "
    "writes the same report: `python -m emss report --help`."
)

st.markdown("**What the report contains**")
st.markdown("\n".join(f"- {line}" for line in built.outline()))
with st.expander("Preview (the Markdown text)"):
    st.markdown(files["md"].decode("utf-8"))
