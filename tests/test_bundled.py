"""The bundled store: the report's figures exactly, and an honest, consistent illustrative past."""

from __future__ import annotations

from pathlib import Path

import pytest

from emss.bundled import ILLUSTRATIVE_NOTE, build, read_report
from emss.catalogue import load_catalogue
from emss.compare import change_pct
from emss.quarters import Quarter, quarter_range
from emss.store import Store
from tests.conftest import Q2, Q3, REPO_DATA, STORE_ENTRIES, records

REPORT = "00002-20240318-report"
ILLUSTRATIVE = "00001-20240318-illustrative"

# Every figure the 2023/24 Q3 Joint Committee report states (metrics.md), no more, no less.
REPORT_FIGURES = {
    ("2023/24 Q3", "EMSS", "esc_payroll_payments"): 43_689,
    ("2023/24 Q3", "EMSS", "esc_pension_payments"): 91_410,
    ("2023/24 Q3", "EMSS", "esc_payroll_errors"): 144,
    ("2023/24 Q3", "LCC", "esc_contracts_letters"): 442,
    ("2023/24 Q3", "NCC", "esc_contracts_letters"): 358,
    ("2023/24 Q3", "EMSS", "esc_mss_errors"): 78,
    ("2023/24 Q3", "EMSS", "esc_dbs_checks"): 3_904,
    ("2023/24 Q2", "EMSS", "esc_dbs_checks"): 3_647,
    ("2023/24 Q3", "EMSS", "esc_recruitment_adverts"): 585,
    ("2023/24 Q3", "EMSS", "esc_new_appointments"): 717,
    ("2023/24 Q3", "EMSS", "esc_orc_contacts"): 45,
    ("2023/24 Q2", "EMSS", "esc_orc_contacts"): 382,
    ("2023/24 Q3", "EMSS", "fsc_payments"): 23_486,
    ("2023/24 Q3", "EMSS", "fsc_payments_value"): 124_000_000,
    ("2023/24 Q3", "EMSS", "fsc_invoices_processed"): 10_105,
    ("2023/24 Q3", "LCC", "fsc_days_to_pay"): 9,
    ("2023/24 Q3", "NCC", "fsc_days_to_pay"): 10,
    ("2023/24 Q3", "LCC", "fsc_invoices_paid_30d"): 95.7,
    ("2023/24 Q3", "NCC", "fsc_invoices_paid_30d"): 95.3,
    ("2023/24 Q3", "LCC", "fsc_trade_paid_30d"): 98.2,
    ("2023/24 Q3", "NCC", "fsc_trade_paid_30d"): 97.6,
    ("2023/24 Q3", "LCC", "fsc_invoices_on_hold_90d"): 841,
    ("2023/24 Q3", "NCC", "fsc_invoices_on_hold_90d"): 568,
    ("2023/24 Q3", "EMSS", "fsc_suppliers_setup_5d"): 90,
    ("2023/24 Q2", "EMSS", "people_absence_days_per_fte"): 2.69,
    ("2023/24 Q3", "EMSS", "people_absence_days_per_fte"): 2.22,
    ("2023/24 Q2", "EMSS", "people_absence_days_per_fte_esc"): 4.21,
    ("2023/24 Q3", "EMSS", "people_absence_days_per_fte_esc"): 3.54,
    ("2023/24 Q2", "EMSS", "customer_satisfaction"): 72,
    ("2023/24 Q3", "EMSS", "customer_satisfaction"): 83,
    ("2023/24 Q2", "EMSS", "customer_satisfaction_esc"): 68,
    ("2023/24 Q3", "EMSS", "customer_satisfaction_esc"): 82,
    ("2023/24 Q2", "EMSS", "customer_satisfaction_fsc"): 73,
    ("2023/24 Q3", "EMSS", "customer_satisfaction_fsc"): 80,
    ("2023/24 Q2", "EMSS", "customer_satisfaction_bd"): 76,
    ("2023/24 Q3", "EMSS", "customer_satisfaction_bd"): 88,
}
REPORT_DEBT = {
    ("LCC", "In house", "Business"): 564_204,
    ("LCC", "In house", "Education"): 188_255,
    ("LCC", "In house", "NHS"): 4_424,
    ("LCC", "In house", "Public Sector"): 722_069,
    ("LCC", "Thornton Hope", "Individuals"): 19_207,
    ("LCC", "Thornton Hope", "Other"): 0,
    ("NCC", "In house", "Business"): -5_329_828,
    ("NCC", "In house", "Education"): -251_122,
    ("NCC", "In house", "NHS"): 39_995,
    ("NCC", "In house", "Public Sector"): -183_523,
    ("NCC", "Thornton Hope", "Individuals"): 16_499,
    ("NCC", "Thornton Hope", "Other"): 36_729,
}


@pytest.fixture(scope="module")
def report(bundled_db):
    return bundled_db.snapshot_rows(REPORT)


@pytest.fixture(scope="module")
def history(bundled_db):
    return bundled_db.snapshot_rows(ILLUSTRATIVE)


def metric_key(row: dict) -> tuple[str, str, str]:
    return row["quarter"], row["partner"], row["metric"]


def test_the_report_snapshot_holds_exactly_the_reports_figures(report):
    found = {metric_key(r): r["value"] for r in records(report["metrics"])}
    assert found.keys() == REPORT_FIGURES.keys()
    assert all(found[k] == pytest.approx(v) for k, v in REPORT_FIGURES.items())
    debt = records(report["debt"])
    assert {r["quarter"] for r in debt} == {"2023/24 Q3"}
    assert {(r["partner"], r["collector"], r["sector"]): r["movement_gbp"] for r in debt} == (
        REPORT_DEBT
    )
    assert sum(v for (p, _, _), v in REPORT_DEBT.items() if p == "LCC") == 1_498_159
    assert sum(v for (p, _, _), v in REPORT_DEBT.items() if p == "NCC") == -5_671_250


def test_the_report_snapshot_is_described_honestly(bundled_db, report):
    snapshot = bundled_db.store.snapshot(REPORT)
    assert snapshot.kind == "report"
    assert snapshot.uploaded_by == "EMSS Joint Committee report, 18 March 2024"
    assert snapshot.quarters == ("2023/24 Q2", "2023/24 Q3")
    assert [s.name for s in snapshot.sources] == [
        "report-2023-24-q3-metrics.csv",
        "report-2023-24-q3-debt.csv",
        "report-2023-24-q3-projects.csv",
    ]
    notes = {metric_key(r): r["note"] for r in records(report["metrics"])}
    assert "0.32%" in notes["2023/24 Q3", "EMSS", "esc_payroll_errors"]
    assert not any("Illustrative" in (n or "") for n in notes.values())


def test_the_illustrative_history_holds_no_key_of_the_report(history):
    keys = {metric_key(r) for r in records(history["metrics"])}
    assert keys.isdisjoint(REPORT_FIGURES)
    debt_keys = {
        (r["quarter"], r["partner"], r["collector"], r["sector"]) for r in records(history["debt"])
    }
    assert not any(k[0] == "2023/24 Q3" for k in debt_keys)


def test_every_illustrative_row_says_so(bundled_db, history):
    assert bundled_db.store.snapshot(ILLUSTRATIVE).kind == "illustrative"
    assert ILLUSTRATIVE_NOTE.startswith("Illustrative: generated")
    assert set(history["metrics"]["note"]) == {ILLUSTRATIVE_NOTE}
    assert set(history["debt"]["note"]) == {ILLUSTRATIVE_NOTE}


def test_the_history_runs_from_2021_22_q1_to_the_reports_quarter(bundled_db, history):
    quarters = [str(q) for q in quarter_range(Quarter(2021, 1), Q3)]
    assert list(bundled_db.store.snapshot(ILLUSTRATIVE).quarters) == quarters
    assert sorted(set(history["metrics"]["quarter"])) == quarters
    cat = load_catalogue()
    generated = set(history["metrics"]["metric"])
    assert generated == {m.key for m in cat.uploadable}


@pytest.mark.parametrize(
    ("quarter", "metric"),
    [
        (key[0], key[2])
        for key in REPORT_FIGURES
        if key[1] == "EMSS" and load_catalogue()[key[2]].contributors
    ],
)
def test_generated_council_figures_add_up_exactly_to_the_reports_totals(history, quarter, metric):
    rows = history["metrics"]
    parts = rows[(rows["quarter"] == quarter) & (rows["metric"] == metric)]
    assert sorted(parts["partner"]) == sorted(load_catalogue()[metric].contributors)
    assert parts["value"].sum() == REPORT_FIGURES[quarter, "EMSS", metric]


def test_the_reports_stated_changes_hold(bundled_db):
    def emss(quarter, metric):
        (row,) = records(bundled_db.figures([quarter], [(metric, "EMSS")]))
        return row["value"]

    adverts = (emss(Q2, "esc_recruitment_adverts"), emss(Q3, "esc_recruitment_adverts"))
    assert adverts == (731, 585)
    assert round(change_pct(adverts[1], adverts[0], "count")) == -20
    appointments = (emss(Q2, "esc_new_appointments"), emss(Q3, "esc_new_appointments"))
    assert appointments == (779, 717)
    assert round(change_pct(appointments[1], appointments[0], "count")) == -8
    year_ago = Q3.year_ago
    bacs = (emss(year_ago, "esc_manual_bacs_payments"), emss(Q3, "esc_manual_bacs_payments"))
    assert bacs == (163, 106)
    assert bacs[1] - bacs[0] == -57
    assert round(change_pct(bacs[1], bacs[0], "count")) == -35
    assert emss(Q2, "esc_mss_errors") < emss(Q3, "esc_mss_errors")  # "increased again"
    assert emss(Q2, "esc_overpayments") > emss(Q3, "esc_overpayments")  # "reduced"


def test_the_words_of_the_report_hold_for_invoices_on_hold(bundled_db):
    pairs = [("fsc_invoices_on_hold_90d", "LCC"), ("fsc_invoices_on_hold_90d", "NCC")]
    found = {
        (r["quarter"], r["partner"]): r["value"]
        for r in records(bundled_db.figures([Q2, Q3], pairs))
    }
    assert found["2023/24 Q3", "LCC"] < found["2023/24 Q2", "LCC"]  # "had fallen to 841"
    assert 0 < found["2023/24 Q3", "NCC"] - found["2023/24 Q2", "NCC"] < 50  # "slightly"


@pytest.mark.parametrize("year", [2021, 2022])
@pytest.mark.parametrize("partner", ["LCC", "NCC"])
def test_debt_spikes_in_december_and_recovers_after(bundled_db, year, partner):
    trend = bundled_db.debt_trend(Quarter(year, 1), Quarter(year, 4), partners=[partner])
    by_quarter = dict(zip(trend["quarter"], trend["movement_gbp"], strict=True))
    december = by_quarter[str(Quarter(year, 3))]
    assert december == max(by_quarter.values()) and december > 0
    assert by_quarter[str(Quarter(year, 4))] < 0


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for name in STORE_ENTRIES
        for p in ([root / name] if (root / name).is_file() else sorted((root / name).rglob("*")))
        if p.is_file()
    }


def test_the_build_is_deterministic_and_reproduces_the_committed_data(tmp_path):
    first = build(Store(tmp_path / "one"))
    build(Store(tmp_path / "two"))
    one, two = _files(tmp_path / "one"), _files(tmp_path / "two")
    assert sorted(one) == [
        "debt/00001-20240318-illustrative.parquet",
        "debt/00002-20240318-report.parquet",
        "manifest.json",
        "metrics/00001-20240318-illustrative.parquet",
        "metrics/00002-20240318-report.parquet",
        "projects/00002-20240318-report.parquet",
    ]
    assert one == two
    assert one == _files(REPO_DATA), "data/ differs from a fresh build: run python data/build.py"
    assert [s.kind for s in first] == ["illustrative", "report"]


def test_the_build_refuses_a_store_that_holds_snapshots(store):
    with pytest.raises(ValueError, match="already holds snapshots"):
        build(store)


def test_the_report_sources_pass_the_upload_validation():
    result = read_report()
    assert result.ok
    assert len(result.metrics) == len(REPORT_FIGURES)
    assert len(result.debt) == len(REPORT_DEBT)
