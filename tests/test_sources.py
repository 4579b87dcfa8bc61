"""Computing the FSC figures from Oracle Payables exports: hand-built exports whose every
figure is worked out here by reasoning, every rejection, what is stored, the samples."""

from __future__ import annotations

import datetime as dt
import json

import pyarrow.parquet as pq
import pytest

from emss import cli
from emss.quarters import Quarter
from emss.sources import compute as computing
from emss.sources import stored
from emss.sources.config import load_config
from emss.store import Store
from tests.conftest import REPO_ROOT

Q3 = Quarter(2023, 3)  # 1 Oct - 31 Dec 2023; 90 days before its end is 2 Oct 2023
TODAY = dt.date(2024, 3, 18)
CONFIG = load_config()

INVOICES_HEADER = (
    "Business Unit,Invoice ID,Invoice Number,Supplier Name,Supplier Number,Supplier Type,"
    "Invoice Type,Invoice Date,Invoice Received Date,Creation Date,Invoice Amount,"
    "Cancelled Date,Paid Date"
)
INVOICES = [
    # paid on day 30 (within), trade
    "LCC BU,I1,N1,Acme,S1,Trade,Standard,2023-10-01,2023-10-02,2023-10-02,100.00,,2023-11-01",
    # paid on day 31 (not within), trade
    'LCC BU,I2,N2,Acme,S1,Trade,Standard,2023-10-01,2023-10-02,02/10/2023,"£1,200.00",,02-Nov-2023',
    # no received date: from the invoice date, 11 days; a trade type in other letters
    "LCC BU,I3,N3,Beta,S2,SUPPLIER,Standard,31-Oct-2023,,2023-11-01,50,,2023-11-11",
    # a credit memo paid after 57 days: processed, but not in days to pay
    "LCC BU,I4,N4,Acme,S1,Trade,Credit Memo,2023-10-05,2023-10-05,2023-10-05,-20.00,,2023-12-01",
    # cancelled: in no figure
    "LCC BU,I5,N5,Acme,S1,Trade,Standard,2023-10-10,2023-10-10,2023-10-10,75.00,2023-10-12,",
    # on hold from exactly 90 days before the quarter's end: counted
    "LCC BU,I6,N6,Gamma,S3,Trade,Standard,2023-06-01,2023-06-01,2023-06-01,600.00,,",
    # on hold from 89 days before: not counted
    "LCC BU,I7,N7,Gamma,S3,Trade,Standard,2023-06-01,2023-06-01,2023-06-01,700.00,,",
    # hold released on the quarter's last day: not counted
    "LCC BU,I8,N8,Gamma,S3,Trade,Standard,2023-06-01,2023-06-01,2023-06-01,800.00,,",
    # hold released after the quarter's end: counted
    "LCC BU,I9,N9,Gamma,S3,Trade,Standard,2023-06-01,2023-06-01,2023-06-01,900.00,,",
    # two holds, neither released: counted once, from the older hold
    "LCC BU,I10,N10,=cmd(),S4,Trade,Standard,2023-05-01,2023-05-01,2023-05-01,1000.00,,",
    # on hold but paid within the quarter (228 days after receipt): not on hold at the end
    "LCC BU,I11,N11,Delta,S5,Charity,Standard,2023-05-01,2023-05-01,2023-05-01,10.00,,2023-12-15",
    # on hold but cancelled within the quarter: not counted
    "LCC BU,I12,N12,Delta,S5,Trade,Standard,2023-05-01,2023-05-01,2023-05-01,10.00,2023-11-30,",
    "NCC BU,J1,M1,Epsilon,S6,Trade,Standard,2023-12-01,2023-12-01,2023-12-01,5.00,,2023-12-06",
]
HOLDS_HEADER = "Business Unit,Invoice ID,Hold Name,Hold Reason,Hold Date,Release Date"
HOLDS = [
    "LCC BU,I6,Dispute,Quantity wrong,2023-10-02,",
    "LCC BU,I7,Dispute,Quantity wrong,2023-10-03,",
    "LCC BU,I8,Dispute,Quantity wrong,2023-07-01,2023-12-31",
    "LCC BU,I9,Awaiting Approval,Manager away,2023-07-01,2024-01-05",
    "LCC BU,I10,Dispute,Price,2023-06-01,",
    "LCC BU,I10,Awaiting Approval,Manager away,2023-08-01,",
    "LCC BU,I11,Dispute,Price,2023-06-01,",
    "LCC BU,I12,Dispute,Price,2023-06-01,",
]
PAYMENTS_HEADER = "Business Unit,Payment Number,Payment Date,Payment Amount,Payment Status"
PAYMENTS = [
    "LCC BU,P1,2023-10-01,£1000.00,Cleared",
    'LCC BU,P2,31/12/2023,"1,234.56",Negotiable',
    "LCC BU,P3,2023-11-01,500.00,Voided",
    'NCC BU,P4,15-Nov-2023,"£250.50",Reconciled',
    "NCC BU,P5,2023-11-16,99.50,Stopped",
    "NCC BU,P6,2023-11-17,10.00,Spoiled",
]
REQUESTS_HEADER = "Request Number,Requested Date,Approved Date,Status"
REQUESTS = [
    "R1,2023-12-22,2023-12-29,Approved",  # Friday to next Friday over Christmas: 3 working days
    "R2,2023-12-18,2023-12-27,Approved",  # 5 working days only because 25-26 Dec are holidays
    "R3,2023-12-01,2023-12-11,Approved",  # 6 working days: not within
    "R4,2023-12-01,2023-12-08,Approved",  # Friday to Friday: 5 working days, within
    "R5,2023-12-20,,Pending",  # not approved: not counted
]


def export(header: str, rows: list[str], encoding: str = "utf-8") -> bytes:
    return "\r\n".join([header, *rows, ""]).encode(encoding)


def exports(**changes) -> list[tuple[str, bytes]]:
    files = {
        "invoices.csv": export(INVOICES_HEADER, INVOICES),
        "holds.csv": export(HOLDS_HEADER, HOLDS),
        "payments.csv": export(PAYMENTS_HEADER, PAYMENTS, "cp1252"),
        "requests.csv": export(REQUESTS_HEADER, REQUESTS),
    }
    files.update(changes)
    return [(name, data) for name, data in files.items() if data is not None]


def figures(computation) -> dict[tuple[str, str], float]:
    return {(r.partner, r.metric): r.value for r in computation.metrics.itertuples()}


def test_every_figure_of_the_hand_built_exports():
    result = computing.compute(exports(), CONFIG, today=TODAY)
    assert result.problems == []
    assert result.quarters == [Q3]
    assert figures(result) == {
        # created in the quarter and not cancelled: I1-I4; J1
        ("LCC", "fsc_invoices_processed"): 4,
        ("NCC", "fsc_invoices_processed"): 1,
        # P1, P2 (P3 voided); P4 (P5 stopped, P6 spoiled)
        ("LCC", "fsc_payments"): 2,
        ("NCC", "fsc_payments"): 1,
        ("LCC", "fsc_payments_value"): 2234.56,
        ("NCC", "fsc_payments_value"): 250.50,
        # Standard, paid in the quarter: I1 30, I2 31, I3 11, I11 228 days -> 300 / 4
        ("LCC", "fsc_days_to_pay"): 75.0,
        ("NCC", "fsc_days_to_pay"): 5.0,
        # I1 and I3 of the four within 30 days
        ("LCC", "fsc_invoices_paid_30d"): 50.0,
        ("NCC", "fsc_invoices_paid_30d"): 100.0,
        # trade: I1, I2, I3 (SUPPLIER); two within
        ("LCC", "fsc_trade_paid_30d"): 66.7,
        ("NCC", "fsc_trade_paid_30d"): 100.0,
        # I6 (placed exactly 90 days before), I9 (released after the end), I10 (once)
        ("LCC", "fsc_invoices_on_hold_90d"): 3,
        ("NCC", "fsc_invoices_on_hold_90d"): 0,
        # R1, R2, R4 of R1-R4
        ("EMSS", "fsc_suppliers_setup_5d"): 75.0,
    }


def test_rows_left_out_on_purpose_are_counted_by_reason():
    result = computing.compute(exports(), CONFIG, today=TODAY)
    lineage = {f["name"]: f for f in result.lineage()["exports"]}
    assert lineage["invoices.csv"]["excluded"] == {
        "cancelled": 2,
        "Credit Memo: left out of days to pay and the 30-day shares": 1,
    }
    assert (lineage["invoices.csv"]["rows_read"], lineage["invoices.csv"]["rows_used"]) == (13, 11)
    assert lineage["payments.csv"]["excluded"] == {
        "Voided payment: not counted": 1,
        "Stopped payment: not counted": 1,
        "Spoiled payment: not counted": 1,
    }
    assert lineage["payments.csv"]["rows_used"] == 3
    assert lineage["requests.csv"]["excluded"] == {"not approved: not counted": 1}
    assert result.lineage()["definitions"] == {"FSC": "fsc-2024.1"}


def test_the_on_hold_list_names_each_invoice_once_with_its_oldest_hold():
    result = computing.compute(exports(), CONFIG, today=TODAY)
    rows = result.on_hold[["invoice_id", "hold_name", "days_on_hold"]].values.tolist()
    # 31 Dec - 1 Jun = 213; 31 Dec - 1 Jul = 183; 31 Dec - 2 Oct = 90
    assert rows == [
        ["I10", "Dispute", 213],
        ["I9", "Awaiting Approval", 183],
        ["I6", "Dispute", 90],
    ]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            {"invoices.csv": export(INVOICES_HEADER.replace(",Paid Date", ""), ["LCC BU,I1"])},
            "invoices.csv line 1, Paid Date: is missing from the header (an AP invoices export "
            "has the columns Business Unit, Invoice ID, Invoice Number, Supplier Name, Supplier "
            "Number, Supplier Type, Invoice Type, Invoice Date, Invoice Received Date, Creation "
            "Date, Invoice Amount, Cancelled Date, Paid Date)",
        ),
        (
            {
                "invoices.csv": export(
                    INVOICES_HEADER, [INVOICES[0].replace("2023-11-01", "31/02/2023")]
                )
            },
            'invoices.csv line 2, Paid Date: "31/02/2023" is not a date '
            "(expected 2023-12-19, 19/12/2023 or 19-Dec-2023)",
        ),
        (
            {"invoices.csv": export(INVOICES_HEADER, [INVOICES[0].replace("100.00", "1O0.00")])},
            'invoices.csv line 2, Invoice Amount: "1O0.00" is not an amount '
            "(expected e.g. 1234.50, £1,234.50 or -1,234.50)",
        ),
        (
            {
                "invoices.csv": export(
                    INVOICES_HEADER, [*INVOICES[:12], INVOICES[12].replace("NCC BU", "XCC BU")]
                )
            },
            'invoices.csv line 14, Business Unit: "XCC BU" is not a business unit named in '
            "sources.toml (expected LCC BU, NCC BU)",
        ),
        (
            {
                "invoices.csv": export(
                    INVOICES_HEADER, [INVOICES[0].replace("2023-11-01", "2023-09-30")]
                )
            },
            'invoices.csv line 2, Paid Date: "2023-09-30" is before the Invoice Received Date '
            "2023-10-02 (expected on or after it)",
        ),
        (
            {"invoices.csv": export(INVOICES_HEADER, [*INVOICES, INVOICES[0]])},
            'invoices.csv line 15, Invoice ID: "I1" repeats a row already given at invoices.csv '
            "line 2 (expected each once)",
        ),
        (
            {"holds.csv": export(HOLDS_HEADER, [*HOLDS, "LCC BU,I99,Dispute,Price,2023-06-01,"])},
            'holds.csv line 10, Invoice ID: "I99" is not an invoice in the AP invoices export '
            "(expected a hold on an invoice it lists)",
        ),
        (
            {"invoices.csv": None},
            "holds.csv: holds invoices that only the AP invoices export describes "
            "(expected an AP invoices export in the same upload)",
        ),
        (
            {"payments.csv": export(PAYMENTS_HEADER, ["LCC BU,P1,2023-10-01,5.00,Lost"])},
            'payments.csv line 2, Payment Status: "Lost" is not one of Negotiable, Cleared, '
            "Reconciled, Voided, Spoiled, Stopped",
        ),
        (
            {"payments.csv": export(PAYMENTS_HEADER, ["LCC BU,,2023-10-01,5.00,Cleared"])},
            "payments.csv line 2, Payment Number: is blank "
            "(expected a value in every AP payments row)",
        ),
        (
            {"payments.csv": export(PAYMENTS_HEADER, ["LCC BU,P1,2023-10-01,5.00,Cleared,extra"])},
            'payments.csv line 2: "LCC BU,P1,2023-10-01,5.00,Cleared,extra" cannot be read as a '
            "CSV row (Expected Number of Columns: 5 Found: 6)",
        ),
        (
            {"payments.csv": b"Name,Email\nA,b@c\n"},
            "payments.csv line 1: has a header no export kind matches",
        ),
        (
            {"payments.csv": b"\x00\x01binary"},
            "payments.csv: is not a text file (expected a CSV export)",
        ),
    ],
)
def test_each_rejection_names_file_line_column_value_and_stores_nothing(
    changes, expected, store, capsys
):
    result = computing.compute(exports(**changes), CONFIG, today=TODAY)
    assert any(str(p).startswith(expected) for p in result.problems), [
        str(p) for p in result.problems
    ]
    assert result.metrics.empty
    with pytest.raises(computing.ComputeError):
        computing.commit(store, result, uploaded_by="t")
    before = store.manifest_path.read_bytes()
    paths = []
    for name, data in exports(**changes):
        path = store.root.parent / name
        path.write_bytes(data)
        paths.append(str(path))
    assert cli.main(["compute", *paths, "--ingest"]) == 1
    assert "Nothing was stored." in capsys.readouterr().err
    assert store.manifest_path.read_bytes() == before


def test_every_problem_is_listed_at_once():
    bad = export(
        INVOICES_HEADER,
        [
            INVOICES[0].replace("2023-11-01", "soon"),
            INVOICES[1].replace("LCC BU", "X"),
            INVOICES[0],
        ],
    )
    result = computing.compute(exports(**{"invoices.csv": bad}), CONFIG, today=TODAY)
    assert [(p.line, p.column) for p in result.problems if p.file == "invoices.csv"] == [
        (2, "Paid Date"),
        (3, "Business Unit"),
        (4, "Invoice ID"),
    ]


def test_a_repeat_across_a_clean_file_and_one_with_problems_names_both_lines():
    # The clean file is read once; the other is read again to list its problems: the
    # repeat between them is still found, at each file's own lines.
    later = export(
        PAYMENTS_HEADER,
        [
            PAYMENTS[0].replace("P1", "P9"),
            "NCC BU,P7,soon,1.00,Cleared",
            "NCC BU,P6,2023-11-18,1.00,Cleared",
        ],
    )
    result = computing.compute(exports(**{"later.csv": later}), CONFIG, today=TODAY)
    assert [str(p) for p in result.problems] == [
        'later.csv line 3, Payment Date: "soon" is not a date '
        "(expected 2023-12-19, 19/12/2023 or 19-Dec-2023)",
        'payments.csv line 7, Business Unit, Payment Number: "NCC BU / P6" repeats a row already '
        "given at later.csv line 4 (expected each once)",
    ]


def test_a_committed_computation_keeps_the_figures_the_on_hold_list_and_nothing_else(store):
    result = computing.compute(exports(), CONFIG, today=TODAY)
    snapshot = computing.commit(store, result, uploaded_by="fsc")
    assert snapshot.kind == "computed"
    entry = json.loads(store.manifest_path.read_text())["snapshots"][-1]
    assert entry["lineage"]["definitions"] == {"FSC": "fsc-2024.1"}
    assert [(e["name"], e["rows_read"]) for e in entry["lineage"]["exports"]] == [
        ("invoices.csv", 13),
        ("holds.csv", 8),
        ("payments.csv", 6),
        ("requests.csv", 5),
    ]
    assert all(len(e["sha256"]) == 64 for e in entry["lineage"]["exports"])
    assert set(snapshot.files) == {"metrics", "fsc_on_hold"}
    on_hold = pq.read_table(store.path(snapshot.files["fsc_on_hold"]))
    assert on_hold.column_names == [
        "snapshot_id",
        "quarter",
        "partner",
        "invoice_id",
        "invoice_number",
        "supplier",
        "amount_gbp",
        "hold_name",
        "hold_date",
        "days_on_hold",
    ]
    metrics = pq.read_table(store.path(snapshot.files["metrics"]))
    assert metrics.column_names == ["snapshot_id", "quarter", "partner", "metric", "value", "note"]
    kept = {
        str(v) for table in (on_hold, metrics) for col in table.columns for v in col.to_pylist()
    }
    for never in ("Quantity wrong", "Manager away", "S3", "Trade", "Standard", "R1", "P1"):
        assert never not in kept  # hold reasons, supplier numbers and types, other exports


def test_the_drill_down_and_its_csv(store):
    computing.commit(store, computing.compute(exports(), CONFIG, today=TODAY), uploaded_by="fsc")
    held = stored.on_hold_invoices(store, Q3, "LCC")
    assert held["invoice_id"].tolist() == ["I10", "I9", "I6"]
    first = held.iloc[0]
    assert (first.supplier, first.amount_gbp, str(first.hold_date)[:10]) == (
        "=cmd()",
        1000.0,
        "2023-06-01",
    )
    assert "'=cmd()" in stored.on_hold_csv(held)  # a formula cell is neutralised
    assert stored.on_hold_invoices(store, Q3, "NCC").empty


def test_reconciliation_shows_both_figures_and_which_one_the_dashboard_shows(store):
    result = computing.compute(exports(), CONFIG, today=TODAY)
    pending = stored.reconciliation(store, result.metrics)
    row = pending[(pending.partner == "LCC") & (pending.metric == "fsc_invoices_on_hold_90d")].iloc[
        0
    ]
    # the bundled report snapshot typed 841 for LCC
    assert (row.computed, row.typed, row.difference, row.shown) == (3, 841, -838, "computed")
    assert row.computed_snapshot == stored.PENDING and row.typed_kind == "report"
    computing.commit(store, result, uploaded_by="fsc")
    after = stored.reconciliation(store, quarter=Q3)
    assert set(after["shown"]) == {"computed"}
    assert len(after) == len(pending)


def test_definitions_in_words_name_the_configured_trade_types():
    words = stored.definitions(CONFIG)
    assert len(words) == 14  # eight FSC figures, six Customer figures
    assert '"Trade" or "Supplier"' in words["fsc_trade_paid_30d"]
    assert "fsc-2024.1" in words["fsc_invoices_on_hold_90d"]


def test_the_sample_exports_reproduce_the_reports_fsc_figures():
    folder = REPO_ROOT / "data" / "samples"
    samples = sorted([*folder.glob("ap_*.csv"), *folder.glob("supplier_*.csv")])
    result = computing.compute(samples, CONFIG, today=TODAY)
    assert result.ok and result.quarters == [Q3] and result.warnings == []
    got = figures(result)
    assert {k: round(got[k]) for k in [("LCC", "fsc_days_to_pay"), ("NCC", "fsc_days_to_pay")]} == {
        ("LCC", "fsc_days_to_pay"): 9,
        ("NCC", "fsc_days_to_pay"): 10,
    }
    assert got[("LCC", "fsc_invoices_paid_30d")] == 95.7
    assert got[("NCC", "fsc_invoices_paid_30d")] == 95.3
    assert got[("LCC", "fsc_trade_paid_30d")] == 98.2
    assert got[("NCC", "fsc_trade_paid_30d")] == 97.6
    assert got[("LCC", "fsc_invoices_on_hold_90d")] == 841
    assert got[("NCC", "fsc_invoices_on_hold_90d")] == 568
    assert got[("EMSS", "fsc_suppliers_setup_5d")] == 90
    total = lambda m: got[("LCC", m)] + got[("NCC", m)]  # noqa: E731
    assert total("fsc_invoices_processed") == 10_105
    assert total("fsc_payments") == 23_486
    assert round(total("fsc_payments_value") / 1e6) == 124


def test_the_samples_are_rebuilt_byte_for_byte(tmp_path, monkeypatch):
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "build_samples", REPO_ROOT / "data/samples/build_samples.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "HERE", tmp_path)
    module.build()
    for built in tmp_path.glob("*.csv"):
        assert built.read_bytes() == (REPO_ROOT / "data/samples" / built.name).read_bytes()


def test_the_cli_prints_the_figures_and_stores_them_with_ingest(empty_store, tmp_path, capsys):
    paths = []
    for name, data in exports():
        (tmp_path / name).write_bytes(data)
        paths.append(str(tmp_path / name))
    assert cli.main(["compute", *paths, "--quarter", "2023/24 Q3", "--format", "json"]) == 0
    out, err = capsys.readouterr()
    assert {
        "quarter": "2023/24 Q3",
        "partner": "LCC",
        "metric": "fsc_invoices_on_hold_90d",
        "value": 3.0,
    } in json.loads(out)
    assert "1 Voided payment: not counted" in err
    assert empty_store.snapshots() == []
    assert cli.main(["compute", *paths, "--ingest", "--by", "fsc"]) == 0
    assert [s.kind for s in Store(empty_store.root).snapshots()] == ["computed"]


def test_a_sources_toml_in_the_store_folder_replaces_the_defaults(tmp_path):
    (tmp_path / "sources.toml").write_text(
        '[business_units]\n"LCC BU" = "LCC"\n"NCC BU" = "NCC"\n'
        '[suppliers]\ntrade_types = ["Charity"]\n'
    )
    result = computing.compute(exports(), load_config(tmp_path), today=TODAY)
    assert figures(result)[("LCC", "fsc_trade_paid_30d")] == 0.0  # I11, the one charity, was late
