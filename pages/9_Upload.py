"""Upload a quarter: the quarter's return (metrics, debt movements, projects) or source-system
exports; check them, preview what would change, then store one snapshot."""

import functools

import streamlit as st

from emss import (
    export,
    ingest,
    ingest_preview,
    isolated,
    projects,
    tables,
    ui,
    ui_areas,
    ui_lineage,
    ui_signin,
    uploads,
)
from emss.errors import EmssError
from emss.sources import compute, config, stored
from emss.store import StoreError
from emss.text import markdown_literal

ui.page_setup("Upload a quarter")
# The role is checked before any control that changes the figures exists: a page can be
# opened by its URL, so nothing below runs for anyone who is not an editor.
who = ui_signin.require_editor("upload a quarter")
db = ui.database()
st.session_state.setdefault("upload_round", 0)  # bumped after a commit to clear the pickers

done = st.session_state.pop("upload_stored", None)
if done:
    st.success(done, icon=":material/check_circle:")
    with st.container(horizontal=True):
        st.page_link("app.py", label="See the new figures on the Overview", icon=":material/home:")
        st.page_link("pages/6_Projects.py", label="See the projects", icon=":material/flag:")

RETURN, EXPORTS = "return", "exports"
kind = st.segmented_control(
    "What are you uploading?",
    [RETURN, EXPORTS],
    default=RETURN,
    format_func={
        RETURN: "The quarter's return (CSV files)",
        EXPORTS: "Source-system exports (Oracle, service desk)",
    }.__getitem__,
    key="upload_kind",
)


def show_problems(problems, summary: str, name: str) -> None:
    """Why nothing can be stored: the summary once, every problem, a download, next steps."""
    st.error(f"**Nothing was stored.** {summary}.", icon=":material/error:")
    st.markdown("\n".join(f"- {line}" for line in uploads.problem_lines(problems)))
    with st.expander("The problems as a table"):
        st.dataframe(
            uploads.problems_table(problems),
            hide_index=True,
            width="stretch",
            column_config={"Line": st.column_config.NumberColumn("Line", format="%d")},
        )
    ui.csv_download(
        "Download the problems (CSV)",
        functools.partial(uploads.problems_csv, problems),
        f"{name}-problems.csv",
        icon=":material/download:",
        key=f"download_{name}_problems",
    )
    st.markdown(
        "**Next steps**\n\n" + "\n".join(f"- {step}" for step in uploads.next_steps(problems))
    )
    st.stop()


def finished(status, ok: bool, summary: str, read: str) -> None:
    """Close the reading status: the summary when all is well (said there once), else just
    what was read (the error below says why nothing can be stored)."""
    status.update(
        label=summary if ok else read, state="complete" if ok else "error", expanded=not ok
    )


def store_button(label: str, key: str) -> bool:
    return st.button(label, type="primary", icon=":material/save:", key=key)


def stored_message(snapshot) -> None:
    st.session_state["upload_stored"] = (
        f"Stored {snapshot.rows:,} rows for {', '.join(snapshot.quarters)} as snapshot "
        f"{snapshot.id}, uploaded by {markdown_literal(who)}. Every page shows the new figures now."
    )
    st.session_state["upload_round"] += 1
    ui.follow_latest_quarter()
    with st.spinner("Preparing the pages for their first visitors…"):
        ui_areas.warm_caches()
    st.rerun()


if kind != EXPORTS:
    st.markdown(
        "Bring the quarter's CSV files: metrics, debt movements and Business Plan projects, "
        "together or apart, one quarter or several. They are checked first, then a preview "
        "shows every new figure, every revision and every change to a project. **Nothing is "
        "stored until you press the button under the preview.**"
    )
    quarter = tables.template_quarter(db.latest_quarter())
    with st.expander(f"Templates for {quarter.label}"):
        st.markdown(
            "The metrics and debt templates list every key with the value left empty: fill in "
            "the values (leave a figure empty if it is not reported). The projects template is "
            "the latest list carried forward, every field filled in but the update: change what "
            "changed and write the quarter's update."
        )
        with st.container(horizontal=True):
            for name, label, text in (
                ("metrics", "Metrics template", export.template(quarter, "metrics")),
                ("debt", "Debt movements template", export.template(quarter, "debt")),
                ("projects", "Projects template", projects.template(db, quarter)),
            ):
                ui.csv_download(
                    label,
                    text,
                    tables.template_file_name(quarter, name),
                    icon=":material/download:",
                    key=f"upload_template_{name}",
                )

    limit = tables.upload_limit_mb()
    files = st.file_uploader(
        f"CSV files (up to {limit} MB each)",
        type="csv",
        accept_multiple_files=True,
        max_upload_size=limit,
        key=f"upload_files_{st.session_state['upload_round']}",
        help="Metrics files have the header quarter,partner,metric,value,note; debt movement "
        "files quarter,partner,collector,sector,movement_gbp,note; projects files "
        f"{projects.HEADER}. The README describes all three.",
    )
    if not files:
        st.stop()

    with st.status(f"Reading and checking {len(files)} file(s)…", expanded=True) as status:
        try:  # in a worker process: a heavy file does not slow other viewers' pages
            validation = isolated.validate([(f.name, f.getvalue()) for f in files])
        except EmssError as stopped:
            st.error(str(stopped), icon=":material/error:")
            st.stop()
        for summary in validation.files:
            st.write(markdown_literal(tables.file_outcome(summary)))
        preview = ingest_preview.preview(db, validation) if validation.ok else None
        finished(status, validation.ok, validation.summary(), f"Read {len(files)} file(s)")
    if not validation.ok:
        show_problems(validation.problems_frame(), validation.summary(), "upload")

    if validation.metrics.empty and validation.debt.empty and validation.projects.empty:
        st.warning(
            "The files hold no figures and no projects: every value is empty, so there is "
            "nothing to store.",
            icon=":material/warning:",
        )
        st.stop()

    st.header("Preview: nothing has been stored yet")
    changes = preview.summary()
    if len(validation.projects):
        changes += f"; {preview.projects.summary()}"
    st.markdown(
        f"**Quarters covered:** {'; '.join(q.label for q in validation.quarters)}  \n"
        f"**Changes:** {changes}"
    )
    for warning in preview.warnings:
        st.warning(warning, icon=":material/warning:")
    gaps = uploads.missing(db, validation.metrics)
    if len(gaps):
        with st.expander(f"Figures reported last quarter and missing now: {len(gaps)}"):
            st.dataframe(uploads.missing_table(gaps), hide_index=True, width="stretch")

    sections = (
        ("New figures", tables.preview_figures(preview, "new")),
        ("Revised figures (old → new)", tables.preview_figures(preview, "revision")),
        ("New debt movements", tables.preview_debt(preview, "new")),
        ("Revised debt movements (old → new)", tables.preview_debt(preview, "revision")),
    )
    for title, frame in sections:
        if not frame.empty:
            st.markdown(f"**{title}: {len(frame):,}**")
            st.dataframe(frame, hide_index=True, width="stretch", height="content")
    if len(validation.projects):
        lines = preview.projects.lines()
        st.markdown(f"**Projects: {len(validation.projects):,}** ({preview.projects.summary()})")
        if lines:
            st.markdown("\n".join(f"- {markdown_literal(line)}" for line in lines))
    if preview.count("revision"):
        st.caption(
            "A revision replaces the figure in use on every page; the earlier one stays in the "
            "History, and withdrawing this upload brings it back."
        )

    if store_button("Store this upload as a new snapshot", "upload_store"):
        try:
            snapshot = ingest.commit(db.store, validation, uploaded_by=who)
        except StoreError as refused:  # a full disk, a read-only or damaged store
            st.error(f"Nothing was stored: {refused}.", icon=":material/error:")
            st.stop()
        stored_message(snapshot)
    st.stop()

# --- source-system exports -----------------------------------------------------------------

limit = uploads.export_limit_mb()
st.markdown(
    "Bring the source systems' exports as they write them, several at once: Oracle Payables "
    "(invoices, payments, holds, supplier requests) for the FSC figures, the service desk's "
    "ticket export for the customer figures, and Oracle Receivables agings for the debt "
    "movements. The figures are computed from them, previewed beside the figures stored now "
    "and the ones typed in, then stored as one snapshot. "
    f"Each file may be up to {limit} MB, enough for a year of both councils; larger exports "
    "go through the command line: `python -m emss compute FILE... --ingest --by NAME`."
)
samples = uploads.sample_exports()
if samples:
    st.info(
        f"**New to this?** Try it with the sample exports for 2023/24 Q3 shipped in "
        f"`data/samples/` ({', '.join(p.name for p in samples)}): their figures are the "
        "report's. Nothing is stored until you press the button under the preview.",
        icon=":material/lightbulb:",
    )
    use_samples = st.button("Use the sample exports", key="upload_use_samples")
    if use_samples:
        st.session_state["upload_samples"] = st.session_state["upload_round"]
exports = st.file_uploader(
    f"Export files, CSV (up to {limit} MB each)",
    type="csv",
    accept_multiple_files=True,
    max_upload_size=limit,
    key=f"upload_exports_{st.session_state['upload_round']}",
    help="The kind of each export is known from its header; the README lists the columns.",
)
sources = [(f.name, f.getvalue()) for f in exports or []]
if not sources and st.session_state.get("upload_samples") == st.session_state["upload_round"]:
    sources = [(p.name, p.read_bytes()) for p in samples]
if not sources:
    st.stop()

with st.status(
    f"Reading {len(sources)} export(s) and computing the figures (about a second per "
    "100,000 rows)…",
    expanded=True,
) as status:
    bar = st.progress(0.0)

    def reached(step: int, steps: int, words: str) -> None:
        """The worker's stage as it reaches it: each file read, then the computing."""
        status.update(label=uploads.progress_label(step, steps, words))
        bar.progress(step / steps)

    try:  # in a worker process, like the return's check: other viewers are not slowed
        result = isolated.compute(
            sources, config.load_config(db.store.root), store=db.store, progress=reached
        )
    except EmssError as stopped:
        st.error(str(stopped), icon=":material/error:")
        st.stop()
    bar.empty()
    finished(status, result.ok, result.summary(), f"Read {len(sources)} export(s)")
if not result.ok:
    show_problems(result.problems_frame(), result.summary(), "exports")
if result.metrics.empty and result.debt.empty and result.balances.empty:
    st.warning(
        "The exports hold no figures for the quarters they cover: nothing to store.",
        icon=":material/warning:",
    )
    st.stop()

st.header("Preview: nothing has been stored yet")
st.markdown(
    f"**Quarters covered:** {'; '.join(q.label for q in result.quarters)}  \n"
    f"**{uploads.definitions_line(result.lineage())}**"
)
for warning in result.warnings:
    st.warning(warning, icon=":material/warning:")
if len(result.metrics):
    figures = uploads.computed_preview(db, result.metrics)
    st.markdown(f"**Computed figures and the figures in use now: {len(figures)}**")
    st.dataframe(figures, hide_index=True, width="stretch", height="content")
for quarter, movements in result.debt.groupby("quarter", sort=False):
    st.markdown(f"**Debt movements computed for {quarter}: {len(movements)}**")
    shown = tables.debt_table(movements.assign(illustrative=False))
    st.dataframe(shown, hide_index=True, width="stretch", height="content")
reconciliations = (
    ("figures", uploads.reconciliation_table(db, stored.reconciliation(db.store, result.metrics))),
    (
        "debt movements",
        uploads.debt_reconciliation_table(
            stored.reconciliation(db.store, result.debt, dataset="debt")
        ),
    ),
)
for what, reconciled in reconciliations:
    if len(reconciled):
        st.markdown(
            f"**Reconciliation with the {what} typed in: {len(reconciled)}** — stored, the "
            "computed one is the newest and the dashboard shows it; the typed one stays in the "
            "History."
        )
        st.dataframe(reconciled, hide_index=True, width="stretch", height="content")
ui_lineage.exports(result.lineage())

if store_button("Store the computed figures as a new snapshot", "upload_store_exports"):
    try:
        snapshot = compute.commit(db.store, result, uploaded_by=who)
    except (compute.ComputeError, StoreError) as refused:
        st.error(f"Nothing was stored: {refused}.", icon=":material/error:")
        st.stop()
    st.session_state.pop("upload_samples", None)
    stored_message(snapshot)
