"""Upload a quarter: check the CSV files, preview what would change, then store a snapshot."""

import streamlit as st

from emss import export, ingest, tables, ui

ui.page_setup("Upload a quarter", filters=False)
# The role is checked before any control that changes the figures exists: a page can be
# opened by its URL, so nothing below runs for anyone who is not an editor.
who = ui.require_editor("upload a quarter")
db = ui.database()
st.session_state.setdefault("upload_round", 0)  # bumped after a commit to clear the picker

stored = st.session_state.pop("upload_stored", None)
if stored:
    st.success(stored, icon=":material/check_circle:")
    st.page_link("app.py", label="See the new figures on the Overview", icon=":material/home:")

st.markdown(
    "Bring the quarter's CSV files: metrics and debt movements, together or apart, one "
    "quarter or several. They are checked first, then a preview shows every new figure and "
    "every revision. **Nothing is stored until you press the button under the preview.**"
)

quarter = tables.template_quarter(db.latest_quarter())
with st.expander(f"Templates for {quarter.label}"):
    st.markdown(
        "Each template lists every key with the value left empty. Fill in the values (leave a "
        "figure empty if it is not reported) and upload the file here."
    )
    with st.container(horizontal=True):
        for kind, label in (("metrics", "Metrics template"), ("debt", "Debt movements template")):
            st.download_button(
                label,
                export.template(quarter, kind),
                file_name=tables.template_file_name(quarter, kind),
                mime="text/csv",
                icon=":material/download:",
                key=f"upload_template_{kind}",
            )

limit = tables.upload_limit_mb()
files = st.file_uploader(
    f"CSV files (up to {limit} MB each)",
    type="csv",
    accept_multiple_files=True,
    max_upload_size=limit,
    key=f"upload_files_{st.session_state['upload_round']}",
    help="Metrics files have the header quarter,partner,metric,value,note; debt movement "
    "files quarter,partner,collector,sector,movement_gbp,note. The README describes both.",
)
if not files:
    st.stop()

with st.status(f"Reading and checking {len(files)} file(s)…", expanded=True) as status:
    validation = ingest.validate([(f.name, f.getvalue()) for f in files])
    for summary in validation.files:
        st.write(tables.file_outcome(summary))
    preview = ingest.preview(db, validation) if validation.ok else None
    status.update(
        label=validation.summary(),
        state="complete" if validation.ok else "error",
        expanded=not validation.ok,
    )

if not validation.ok:
    st.error(
        f"**Nothing was stored.** {validation.summary()}. Every problem is listed below with "
        "its file, line and column; correct the files and upload them again.",
        icon=":material/error:",
    )
    st.dataframe(
        validation.problems_frame(),
        hide_index=True,
        width="stretch",
        column_config={
            "file": "File",
            "line": st.column_config.NumberColumn("Line", format="%d"),
            "column": "Column",
            "value": "Value found",
            "problem": "What was expected",
        },
    )
    st.stop()

if validation.metrics.empty and validation.debt.empty:
    st.warning(
        "The files hold no figures: every value is empty, so there is nothing to store.",
        icon=":material/warning:",
    )
    st.stop()

st.header("Preview: nothing has been stored yet")
st.markdown(
    f"**Quarters covered:** {'; '.join(q.label for q in validation.quarters)}  \n"
    f"**Changes:** {preview.summary()}"
)
for warning in preview.warnings:
    st.warning(warning, icon=":material/warning:")

sections = (
    ("New figures", tables.preview_figures(preview, "new")),
    ("Revised figures (old → new)", tables.preview_figures(preview, "revision")),
    ("New debt movements", tables.preview_debt(preview, "new")),
    ("Revised debt movements (old → new)", tables.preview_debt(preview, "revision")),
)
for title, frame in sections:
    if not frame.empty:
        st.markdown(f"**{title}: {len(frame):,}**")
        st.dataframe(frame, hide_index=True, width="stretch")
if preview.count("revision"):
    st.caption(
        "A revision replaces the figure in use on every page; the earlier one stays in the "
        "History, and withdrawing this upload brings it back."
    )

if st.button(
    "Store this upload as a new snapshot",
    type="primary",
    icon=":material/save:",
    key="upload_store",
):
    snapshot = ingest.commit(db.store, validation, uploaded_by=who)
    st.session_state["upload_stored"] = (
        f"Stored {snapshot.rows:,} rows for {', '.join(snapshot.quarters)} as snapshot "
        f"{snapshot.id}, uploaded by {who}. Every page shows the new figures now."
    )
    st.session_state["upload_round"] += 1
    ui.follow_latest_quarter()
    st.rerun()
