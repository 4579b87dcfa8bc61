"""History: every snapshot, what each holds, how a figure was revised, and withdrawal."""

import functools

import streamlit as st

from emss import tables, ui, ui_areas, ui_lineage, ui_signin, uploads
from emss.export import to_csv
from emss.store import StoreError
from emss.text import markdown_literal

ui.page_setup("History")
db = ui.database()
catalogue = db.catalogue
snapshots = db.store.snapshots()
if not snapshots:
    st.info("Nothing has been stored yet: the history starts with the first upload.")
    st.stop()
by_id = {s.id: s for s in snapshots}
newest_first = [s.id for s in reversed(snapshots)]

st.markdown(
    "Every upload is kept as a snapshot that never changes. The newest snapshot's value for a "
    "figure is the one in use; earlier values stay here. Withdrawing a snapshot takes its "
    "figures out of every page and brings back the ones it replaced; nothing is deleted."
)

st.header("Snapshots")
# Tables a person reads whole, at any width; each file's SHA-256 is in the download.
ui.static_table(  # a block per row on a phone
    tables.snapshots_shown(snapshots),
    "Every snapshot, newest first",
    layout=tables.STACKED,
)
ui.csv_download(
    "Download the snapshots (CSV, with each file's SHA-256)",
    functools.partial(to_csv, tables.manifest_table(snapshots)),
    "snapshots.csv",
    key="download_history_snapshots",
)

st.header("What a snapshot holds")
chosen = st.selectbox(
    "Snapshot",
    newest_first,
    format_func=lambda i: tables.snapshot_choice(by_id[i]),
    key="history_snapshot",
)
held = db.snapshot_rows(chosen)
for dataset, label in (
    ("metrics", "Figures"),
    ("debt", "Debt movements"),
    ("projects", "Business Plan projects"),
):
    if not held[dataset].empty:
        ui.data_table(
            held[dataset],
            name=f"snapshot-{chosen}-{dataset}",
            label=f"{label} in {chosen}: {len(held[dataset]):,}",
        )
if by_id[chosen].lineage:
    ui_lineage.exports(by_id[chosen].lineage)

if any(s.kind == "computed" for s in snapshots):
    st.subheader("Computed and typed-in figures")
    st.markdown(
        "Where a figure computed from the source-system exports was also typed in (an upload "
        "or the report) for the same quarter, partner and metric, both are here with the "
        "difference. The dashboard shows the newer snapshot's figure."
    )
    reconciled = uploads.reconciliation_table(db, ui_lineage.reconciled())
    if reconciled.empty:
        st.info("No computed figure was also typed in.")
    else:
        st.dataframe(reconciled, hide_index=True, width="stretch", height="content")
    moved = uploads.debt_reconciliation_table(ui_lineage.reconciled("debt"))
    if not moved.empty:
        st.markdown(f"**Debt movements computed and typed in: {len(moved)}**")
        st.dataframe(moved, hide_index=True, width="stretch", height="content")

st.header("Revision history of a figure")
with st.container(horizontal=True):
    quarter = st.selectbox(
        "Quarter",
        list(reversed(db.quarters_with_data())),
        format_func=lambda q: q.label,
        key="history_quarter",
    )
    metric = catalogue[
        st.selectbox(
            "Figure",
            [m.key for m in catalogue.uploadable],
            format_func=lambda k: catalogue[k].label,
            key="history_metric",
        )
    ]
    partner = st.selectbox(
        "Partner",
        tables.uploadable_partners(metric),
        format_func=ui.partner_name,
        key="history_partner",
    )
revisions = db.revisions(quarter, partner, metric.key)
if revisions.empty:
    st.info(f"No figure for {metric.label} ({partner}) in {quarter} has been uploaded.")
else:
    history = tables.revision_history(revisions, metric.unit.name)
    ui.static_table(
        tables.revisions_shown(history),
        f"Every value of {metric.label} ({partner}) for {quarter}, oldest first",
        layout=tables.STACKED,
    )
    ui.csv_download(
        "Download CSV",
        functools.partial(to_csv, history),
        f"revisions-{metric.key}-{partner}-{quarter.slug}.csv",
        key="download_history_revisions",
    )

st.header("Withdraw a snapshot")
done = st.session_state.pop("history_withdrawn", None)
if done:
    st.success(done, icon=":material/check_circle:")
# Browsing needs no sign-in; withdrawing does. Nothing below exists for anyone else.
who = ui_signin.require_editor("withdraw a snapshot")
active = [i for i in newest_first if not by_id[i].withdrawn]
if not active:
    st.info("Every snapshot has been withdrawn already.")
    st.stop()
target = st.selectbox(
    "Snapshot to withdraw",
    active,
    index=None,
    placeholder="Choose a snapshot",
    format_func=lambda i: tables.snapshot_choice(by_id[i]),
    key="history_withdraw_choice",
)
if st.button("Withdraw…", key="history_withdraw", disabled=target is None):
    st.session_state["history_withdraw_pending"] = target

pending = st.session_state.get("history_withdraw_pending")
if pending in active:
    snapshot = by_id[pending]
    st.warning(
        f"**Withdraw snapshot {pending}?** Its {snapshot.rows:,} rows for "
        f"{', '.join(snapshot.quarters)} leave every page and the values they replaced come "
        f"back. It stays in this history, recorded as withdrawn by {who}. It cannot be put "
        "back from the app: to restore the figures, upload the files again.",
        icon=":material/warning:",
    )
    with st.container(horizontal=True):
        confirmed = st.button("Yes, withdraw it", type="primary", key="history_withdraw_confirm")
        cancelled = st.button("Cancel", key="history_withdraw_cancel")
    if confirmed:
        try:
            db.store.withdraw(pending, withdrawn_by=who)
        except StoreError as refused:
            st.error(f"Nothing was changed: {refused}.", icon=":material/error:")
            st.stop()
        st.session_state["history_withdrawn"] = (
            f"Snapshot {pending} was withdrawn by {markdown_literal(who)}. Every page now shows "
            "the figures it had replaced."
        )
        with st.spinner("Preparing the pages for their first visitors…"):
            ui_areas.warm_caches()
    if confirmed or cancelled:
        del st.session_state["history_withdraw_pending"]
        st.rerun()
