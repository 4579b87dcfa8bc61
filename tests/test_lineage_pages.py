"""Lineage one click away: the Customer, FSC and Debt pages show, under a figure or table a
computed snapshot made, the exports it was computed from and the figures also typed in; on
the bundled store (nothing computed) they show no such thing."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from streamlit.testing.v1 import AppTest

from emss import report, ui_lineage, uploads
from emss.quarters import Quarter
from emss.queries import Database
from emss.sources import compute
from emss.sources.config import load_config
from emss.store import Store
from tests.conftest import show_in_full, static_tables
from tests.editor_pages import open_page

CUSTOMER = "pages/4_Customer.py"
FSC = "pages/2_FSC.py"
DEBT = "pages/5_Debt_collection.py"
LABELS = (ui_lineage.EXPANDER, ui_lineage.DEBT_EXPANDER)


@pytest.fixture
def computed(store: Store):
    """The sample exports computed and stored as the newest snapshot of a copy of the store."""
    sources = [(p.name, p.read_bytes()) for p in uploads.sample_exports()]
    result = compute.compute(sources, load_config(store.root), today=dt.date(2024, 3, 18))
    return compute.commit(store, result, uploaded_by="analyst@leics.example")


def lineage(at: AppTest, label: str):
    """The one expander with ``label`` on the page, opened as a reader opens it (it is drawn
    only then), and the text of its markdown."""
    dataset = "debt" if label == ui_lineage.DEBT_EXPANDER else "metrics"
    [expander] = [e for e in at.expander if e.label == label]
    assert not expander.markdown  # closed, its contents are not sent
    at.session_state[f"lineage_{dataset}"] = True
    at.run()
    [expander] = [e for e in at.expander if e.label == label]
    return expander, "\n".join(m.value for m in expander.markdown)


def test_a_computed_customer_figure_names_its_exports_and_the_figure_typed_in(computed):
    at = show_in_full(open_page(CUSTOMER), "Customer", "customer_satisfaction_esc")
    expander, text = lineage(at, ui_lineage.EXPANDER)

    assert f"**Snapshot {computed.id}**" in text
    assert "what is shown here comes from 1 of its 7 exports" in text
    assert "Definitions: Customer customer-2024.1." in text  # the FSC and Debt ones: not here
    assert "**tickets_2023-24_q2-q3.csv** (tickets)" in text
    assert "ap_invoices" not in text  # in the snapshot, but no part of this figure
    tickets = uploads.SAMPLES / "tickets_2023-24_q2-q3.csv"
    digest = hashlib.sha256(tickets.read_bytes()).hexdigest()
    assert f"SHA-256 `{digest[:12]}…`" in text  # shortened where it is read
    assert f"{digest}  tickets_2023-24_q2-q3.csv" in expander.code[0].value  # whole, to copy

    reconciled = expander.dataframe[0].value
    assert reconciled[
        ["Figure", "Partner", "Computed", "Typed in", "Difference"]
    ].values.tolist() == [["Customer satisfaction, ESC", "EMSS", "82.0%", "82.0%", "none"]]


def test_a_computed_fsc_figure_names_the_payables_exports(computed):
    at = show_in_full(open_page(FSC), "FSC", "fsc_days_to_pay")
    expander, text = lineage(at, ui_lineage.EXPANDER)
    assert f"**Snapshot {computed.id}**" in text and "Definitions: FSC fsc-2024.1." in text
    assert "**ap_invoices_2023-24_q3.csv** (ap_invoices): 11,658 rows read, 11,634 used" in text
    assert "ap_payments" not in text  # days to pay is computed from the invoices alone
    reconciled = expander.dataframe[0].value
    assert reconciled[["Partner", "Computed", "Typed in"]].values.tolist() == [
        ["LCC", "9 days", "9 days"],
        ["NCC", "10 days", "10 days"],
    ]


def test_the_debt_page_names_the_agings_behind_its_movements_and_the_report_s(computed):
    at = open_page(DEBT)
    expander, text = lineage(at, ui_lineage.DEBT_EXPANDER)

    assert f"**Snapshot {computed.id}**" in text and "Definitions: Debt debt-2024.1." in text
    assert "what is shown here comes from 2 of its 7 exports" in text
    for name in ("ar_aging_2023-09-30.csv", "ar_aging_2023-12-31.csv"):
        assert f"**{name}** (ar_aging)" in text
    assert "not past due at the As Of Date: in no balance" in text

    reconciled = expander.dataframe[0].value.set_index(["Partner", "Collector", "Sector"])
    assert len(reconciled) == 12  # every movement of §8.7, the report's and computed alike
    business = reconciled.loc[("LCC", "In house", "Business")]
    assert (business["Computed"], business["Typed in"], business["Difference"]) == (
        "£564,204",
        "£564,204",
        "none",
    )
    assert set(reconciled["Typed in by"]) == {"00002-20240318-report"}


def test_only_the_movements_chosen_are_reconciled(computed):
    at = open_page(DEBT)
    at.multiselect(key="debt_sectors").set_value(["NHS"]).run()
    expander, _ = lineage(at, ui_lineage.DEBT_EXPANDER)
    reconciled = expander.dataframe[0].value
    assert set(reconciled["Sector"]) == {"NHS"} and len(reconciled) == 2


@pytest.mark.usefixtures("store")
@pytest.mark.parametrize(
    ("page", "area", "metric"),
    [
        (CUSTOMER, "Customer", "customer_satisfaction_esc"),
        (FSC, "FSC", "fsc_days_to_pay"),
        (DEBT, None, None),
    ],
)
def test_nothing_computed_shows_no_lineage(page, area, metric):
    at = open_page(page)
    if area:
        at = show_in_full(at, area, metric)
    assert not [e for e in at.expander if e.label in LABELS]
    assert at.get("code") == []


LCC_BUSINESS = (
    "8 customers (9 transactions > £20k) = £1.7m (3 transactions no longer outstanding = £758k)"
)


def test_a_computed_movement_s_comment_is_its_note_on_the_debt_page_and_in_the_report(
    computed, store
):
    at = open_page(DEBT)
    shown = static_tables(at)[0].set_index(["Partner", "Collector", "Sector"])
    assert shown.loc[("LCC", "In house", "Business"), "Note"] == LCC_BUSINESS

    built = report.build_report(Database(store), Quarter(2023, 3))
    [lcc] = [t for t in built.blocks(report.Table) if "Leicestershire" in t.title]
    assert ("In house", "Business", "£564,204", LCC_BUSINESS) in [r.cells for r in lcc.rows]
