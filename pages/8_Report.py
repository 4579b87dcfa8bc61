"""Report page: the quarterly performance report for the chosen quarter, partner view and
comparison, previewed as it will read, with its downloads as Word, HTML or Markdown."""

import functools

import streamlit as st

from emss import report_render, ui
from emss.errors import EmssError
from emss.filters import Filters


def report_page(filters: Filters) -> None:
    """The Report page for the filters (``ui.filtered_page`` draws it in its fragment)."""
    st.caption(
        f"The quarterly performance report for {filters.quarter.label}, "
        f"{filters.view_label}, compared with the {filters.comparison_label} "
        f"({filters.comparison_quarter}). "
        "Choose the quarter, partner and comparison in the sidebar."
    )
    try:  # the title and file names only: the report is written when it is read
        title, stem = ui.report_heading(filters)
    except EmssError as problem:
        st.error(f"The report cannot be written: {problem}", icon=":material/error:")
        return

    st.header(title, divider="gray")
    with st.container(horizontal=True):
        for fmt, kind in report_render.FORMATS.items():
            st.download_button(
                f"Download {kind.name} ({kind.suffix})",
                functools.partial(ui.report_file, filters, fmt),  # written when asked for
                file_name=report_render.file_name(stem, fmt),
                mime=kind.mime,
                on_click="ignore",
                icon=":material/download:",
                key=f"report_download_{fmt}",
            )
    st.caption(
        "Word (A4) and HTML hold the charts as pictures with their descriptions; the Markdown file "
        "gives each chart as its description and the table of its figures. A file is written when "
        "you ask for it: Word and HTML take a few seconds the first time. The command line "
        "writes the same report: `python -m emss report --help`."
    )

    preview = ui.disclosure("The report as it will read", ui.WIDGET_PREVIEW)
    if preview is None:
        return
    with preview:
        with st.spinner("Writing the report…"):  # report_heading raised what this would
            built = ui.written_report(filters)
        st.html(report_render.PREVIEW_STYLE)
        charts = ui.report_charts(filters)
        for part in report_render.preview_parts(built):
            if isinstance(part, str):
                st.html(f'<div class="emss-report">{part}</div>')
            else:
                ui.report_chart(part, charts)


ui.filtered_page("Report", report_page)
