"""The History page: anyone browses the manifest, a snapshot's contents and a figure's
revisions; only a signed-in editor withdraws, after confirming, and the earlier figure
comes back on every page."""

from __future__ import annotations

import pytest

from emss import ingest, tables
from emss.quarters import Quarter
from emss.queries import Database
from emss.store import Store
from tests.conftest import METRICS_HEADER, REPORT_DAY, csv_bytes, static_tables
from tests.editor_pages import (
    EDITOR,
    HISTORY,
    PASSWORD,
    button_labels,
    has_text,
    open_page,
    sign_in,
    static_table_with,
    table_with,
    texts,
)

Q3 = Quarter(2023, 3)


def revise_dbs_checks(store: Store, value: int = 4000):
    """An upload revising the report's EMSS DBS checks for 2023/24 Q3 (3,904)."""
    validation = ingest.validate(
        [("revision.csv", csv_bytes(METRICS_HEADER, [f"2023/24 Q3,EMSS,esc_dbs_checks,{value},"]))],
        today=REPORT_DAY,
    )
    return ingest.commit(store, validation, uploaded_by="analyst@leics.example")


def show_revisions_of_dbs_checks(at):
    at.selectbox(key="history_quarter").set_value(Q3)
    at.selectbox(key="history_metric").set_value("esc_dbs_checks").run()
    at.selectbox(key="history_partner").set_value("EMSS").run()
    assert not at.exception, at.exception
    return static_table_with(at, "As")


def dbs_checks_now(store: Store) -> float:
    figures = Database(store).figures([Q3], [("esc_dbs_checks", "EMSS")])
    return figures["value"].item()


@pytest.fixture
def password_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EMSS_EDITOR_PASSWORD", PASSWORD)


def test_anyone_can_browse_the_history_without_signing_in(store, monkeypatch):
    monkeypatch.delenv("EMSS_EDITOR_PASSWORD", raising=False)
    at = open_page(HISTORY)

    manifest = static_table_with(at, "Holds")
    assert manifest["Snapshot"].tolist() == ["00002-20240318-report", "00001-20240318-illustrative"]
    assert manifest["Status"].tolist() == ["In use", "In use"]
    assert manifest["Holds"].iloc[0].startswith("report: ")
    assert "report-2023-24-q3-metrics.csv" in manifest["Files"].iloc[0]
    downloads = [d.proto.label for d in at.get("download_button")]
    assert "Download the snapshots (CSV, with each file's SHA-256)" in downloads

    holds = [e.label for e in at.expander]
    assert any(label.startswith("Figures in 00002-20240318-report:") for label in holds)

    revisions = show_revisions_of_dbs_checks(at)
    assert revisions[["Value", "As", "Status"]].values.tolist() == [
        ["3,904", "first reported", "In use now"]
    ]
    assert has_text(at, "Editing is not enabled")
    assert "Withdraw…" not in button_labels(at)
    assert "history_withdraw_choice" not in [s.key for s in at.selectbox]


@pytest.mark.usefixtures("password_mode")
def test_a_viewer_sees_the_sign_in_form_instead_of_the_withdraw_controls(store):
    at = open_page(HISTORY)
    assert static_table_with(at, "Holds").shape[0] == 2
    assert "Withdraw…" not in button_labels(at)
    assert "Sign in" in button_labels(at)


@pytest.mark.usefixtures("password_mode")
def test_a_wrong_password_opens_no_withdraw_controls(store):
    at = sign_in(open_page(HISTORY), password="not-it")
    assert "That password is not right. Nothing was changed." in texts(at, "error")
    assert "Withdraw…" not in button_labels(at)


@pytest.mark.usefixtures("password_mode")
def test_withdrawing_an_upload_brings_the_earlier_figure_back(store):
    revision = revise_dbs_checks(store)
    assert dbs_checks_now(store) == 4000

    at = sign_in(open_page(HISTORY))
    revisions = show_revisions_of_dbs_checks(at)
    assert revisions[["Value", "As", "Status"]].values.tolist() == [
        ["3,904", "first reported", "Superseded"],
        ["4,000", "revised", "In use now"],
    ]
    assert (
        "by EMSS Joint Committee report, 18 March 2024, snapshot 00002-"
        in (revisions["Stored"].iloc[0])
    )
    assert f"by analyst@leics.example, snapshot {revision.id}" in revisions["Stored"].iloc[1]

    at.selectbox(key="history_withdraw_choice").set_value(revision.id).run()
    at.button(key="history_withdraw").click().run()
    (confirm,) = [w for w in texts(at, "warning") if "Withdraw snapshot" in w]
    assert revision.id in confirm and f"withdrawn by {EDITOR}" in confirm
    assert not store.snapshot(revision.id).withdrawn, "nothing happens before confirming"

    at.button(key="history_withdraw_confirm").click().run()
    assert not at.exception, at.exception
    assert any(
        f"Snapshot {revision.id} was withdrawn by {EDITOR}" in s for s in texts(at, "success")
    )
    withdrawn = store.snapshot(revision.id)
    assert (withdrawn.withdrawn, withdrawn.withdrawn_by) == (True, EDITOR)
    assert withdrawn.withdrawn_at

    assert dbs_checks_now(store) == 3904
    revisions = show_revisions_of_dbs_checks(at)
    assert revisions["Status"].tolist() == ["In use now", "Withdrawn"]
    manifest = static_table_with(at, "Holds").set_index("Snapshot")
    assert manifest.loc[revision.id, "Status"].startswith(f"Withdrawn by {EDITOR}, ")

    at.switch_page("pages/1_ESC.py").run()
    assert "3,904" in set(static_tables(at)[0]["Value"])  # the ESC page's table of every figure


@pytest.mark.usefixtures("password_mode")
def test_cancelling_the_confirmation_withdraws_nothing(store):
    revision = revise_dbs_checks(store)
    at = sign_in(open_page(HISTORY))
    at.selectbox(key="history_withdraw_choice").set_value(revision.id).run()
    at.button(key="history_withdraw").click().run()
    at.button(key="history_withdraw_cancel").click().run()
    assert not store.snapshot(revision.id).withdrawn
    assert not [w for w in texts(at, "warning") if "Withdraw snapshot" in w]
    assert dbs_checks_now(store) == 4000


def test_the_manifest_table_says_who_stored_and_withdrew_what(store):
    revision = revise_dbs_checks(store)
    store.withdraw(revision.id, withdrawn_by="head.of.emss@leics.example")
    table = tables.manifest_table(store.snapshots())
    first = table.iloc[0]
    assert first["Snapshot"] == revision.id
    assert (first["Kind"], first["Uploaded by"], first["Files"]) == (
        "upload",
        "analyst@leics.example",
        "revision.csv",
    )
    assert (first["Rows"], first["Quarters"], first["Status"]) == (1, "2023/24 Q3", "Withdrawn")
    assert first["Withdrawn by"] == "head.of.emss@leics.example"
    assert table["Status"].tolist()[1:] == ["In use", "In use"]
    report = table.iloc[1]
    assert report["Files"].count(".csv") == report["SHA-256"].count(", ") + 1
    assert all(len(digest) == 64 for digest in report["SHA-256"].split(", "))


def test_a_computed_snapshot_shows_its_exports_and_the_reconciliation(store, monkeypatch):
    monkeypatch.delenv("EMSS_EDITOR_PASSWORD", raising=False)
    from emss import uploads
    from emss.sources import compute, config

    sources = [(p.name, p.read_bytes()) for p in uploads.sample_exports()]
    result = compute.compute(sources, config.load_config(store.root))
    snapshot = compute.commit(store, result, uploaded_by="analyst@leics.example")

    at = open_page(HISTORY)
    assert at.selectbox(key="history_snapshot").value == snapshot.id  # newest first
    checksums = at.get("code")[0].value  # each file's SHA-256 in full, to copy
    for name, sha256 in ((s.name, s.sha256) for s in snapshot.sources):
        assert has_text(at, f"**{name}**") and has_text(at, f"SHA-256 `{sha256[:12]}…`")
        assert f"{sha256}  {name}" in checksums.splitlines()
    assert has_text(
        at,
        "**ap_invoices_2023-24_q3.csv** (ap_invoices): 11,658 rows read, 11,634 used; left out "
        "on purpose: 355 Credit Memo",
    )
    assert has_text(at, "; 24 cancelled.")
    assert has_text(at, "Definitions: FSC fsc-2024.1")

    reconciled = table_with(at, "Typed in")
    days = reconciled[reconciled["Figure"] == "Average days to pay a supplier"]
    assert days[["Partner", "Computed", "Typed in", "Difference"]].values.tolist() == [
        ["LCC", "9 days", "9 days", "none"],
        ["NCC", "10 days", "10 days", "none"],
    ]
    assert set(reconciled["Dashboard shows"]) == {"computed"}
    assert has_text(at, "**Debt movements computed and typed in: 12**")
    [moved] = [t.value for t in at.dataframe if "Collector" in t.value.columns]
    assert set(moved["Difference"]) == {"none"} and set(moved["Dashboard shows"]) == {"computed"}


def test_the_report_snapshot_lists_its_business_plan_projects(store, monkeypatch):
    monkeypatch.delenv("EMSS_EDITOR_PASSWORD", raising=False)
    at = open_page(HISTORY)
    holds = [e.label for e in at.expander]
    assert "Business Plan projects in 00002-20240318-report: 41" in holds
