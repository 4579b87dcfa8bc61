"""The current figures, sums, derivations, revisions and debt, as DuckDB answers them."""

from __future__ import annotations

import threading

import pandas as pd
import pytest

from emss import debt
from emss.quarters import Quarter, quarter_range
from emss.queries import Database
from emss.store import Store
from tests.conftest import Q2, Q3, records

Q4 = Quarter(2023, 4)
REPORT = "00002-20240318-report"
ILLUSTRATIVE = "00001-20240318-illustrative"


def figure(db: Database, quarter: Quarter, partner: str, metric: str) -> dict | None:
    found = records(db.figures([quarter], [(metric, partner)]))
    assert len(found) <= 1
    return found[0] if found else None


def upload(store: Store, *rows: tuple, by: str = "A. Person") -> str:
    frame = pd.DataFrame(
        [(str(q), p, m, float(v), None) for q, p, m, v in rows],
        columns=["quarter", "partner", "metric", "value", "note"],
    )
    return store.commit({"metrics": frame}, uploaded_by=by, kind="upload").id


@pytest.mark.parametrize(
    ("quarter", "partner", "metric", "value"),
    [
        (Q3, "EMSS", "esc_payroll_payments", 43_689),
        (Q3, "EMSS", "esc_payroll_errors", 144),
        (Q3, "EMSS", "esc_dbs_checks", 3_904),
        (Q2, "EMSS", "esc_dbs_checks", 3_647),
        (Q3, "EMSS", "esc_recruitment_adverts", 585),
        (Q3, "EMSS", "esc_new_appointments", 717),
        (Q3, "EMSS", "esc_orc_contacts", 45),
        (Q2, "EMSS", "esc_orc_contacts", 382),
        (Q3, "LCC", "fsc_invoices_paid_30d", 95.7),
        (Q3, "NCC", "fsc_invoices_paid_30d", 95.3),
        (Q3, "LCC", "fsc_trade_paid_30d", 98.2),
        (Q3, "NCC", "fsc_trade_paid_30d", 97.6),
        (Q3, "LCC", "fsc_invoices_on_hold_90d", 841),
        (Q3, "NCC", "fsc_invoices_on_hold_90d", 568),
        (Q3, "LCC", "fsc_days_to_pay", 9),
        (Q3, "NCC", "fsc_days_to_pay", 10),
        (Q3, "EMSS", "fsc_payments", 23_486),
        (Q3, "EMSS", "fsc_payments_value", 124_000_000),
        (Q3, "EMSS", "fsc_invoices_processed", 10_105),
        (Q3, "EMSS", "people_absence_days_per_fte", 2.22),
        (Q2, "EMSS", "people_absence_days_per_fte", 2.69),
        (Q3, "EMSS", "people_absence_days_per_fte_esc", 3.54),
        (Q2, "EMSS", "people_absence_days_per_fte_esc", 4.21),
        (Q3, "EMSS", "customer_satisfaction", 83),
        (Q2, "EMSS", "customer_satisfaction", 72),
    ],
)
def test_the_reports_figures_are_current_and_not_illustrative(
    bundled_db, quarter, partner, metric, value
):
    found = figure(bundled_db, quarter, partner, metric)
    assert found["value"] == pytest.approx(value)
    assert (found["origin"], found["illustrative"], found["snapshot_id"]) == (
        "uploaded",
        False,
        REPORT,
    )


def test_the_payroll_error_rate_is_derived_from_errors_and_payments(bundled_db):
    rate = figure(bundled_db, Q3, "EMSS", "esc_payroll_error_rate")
    assert rate["value"] == pytest.approx(100 * 144 / 43_689)
    assert round(rate["value"], 4) == 0.3296
    assert (rate["origin"], rate["illustrative"], rate["snapshot_id"]) == (
        "derived",
        False,
        REPORT,
    )


def test_an_emss_total_is_summed_for_a_metric_that_adds_up(bundled_db):
    letters = figure(bundled_db, Q3, "EMSS", "esc_contracts_letters")
    assert letters["value"] == 442 + 358 == 800
    assert (letters["origin"], letters["illustrative"], letters["snapshot_id"]) == (
        "summed",
        False,
        REPORT,
    )
    on_hold = figure(bundled_db, Q3, "EMSS", "fsc_invoices_on_hold_90d")
    assert on_hold["value"] == 841 + 568


def test_a_sum_of_illustrative_parts_is_illustrative(bundled_db):
    bacs = figure(bundled_db, Q3, "EMSS", "esc_manual_bacs_payments")
    assert (bacs["value"], bacs["origin"], bacs["illustrative"]) == (106, "summed", True)
    assert bacs["snapshot_id"] == ILLUSTRATIVE


@pytest.mark.parametrize(
    "metric", ["fsc_invoices_paid_30d", "fsc_trade_paid_30d", "fsc_days_to_pay"]
)
def test_percentages_and_averages_are_never_summed_across_councils(bundled_db, metric):
    quarters = quarter_range(Quarter(2021, 1), Q3)
    assert bundled_db.figures(quarters, [(metric, "EMSS")]).empty
    assert len(bundled_db.figures(quarters, [(metric, "LCC")])) == 11


def test_an_uploaded_emss_figure_wins_over_the_sum(store, db):
    upload(store, (Q3, "EMSS", "esc_contracts_letters", 810))
    letters = figure(db, Q3, "EMSS", "esc_contracts_letters")
    assert (letters["value"], letters["origin"]) == (810, "uploaded")


def test_an_emss_sum_needs_every_part(store, db):
    upload(store, (Q4, "LCC", "esc_contracts_letters", 450))
    assert figure(db, Q4, "EMSS", "esc_contracts_letters") is None
    upload(store, (Q4, "NCC", "esc_contracts_letters", 350))
    summed = figure(db, Q4, "EMSS", "esc_contracts_letters")
    assert (summed["value"], summed["origin"], summed["illustrative"]) == (800, "summed", False)


def test_a_rate_is_derived_from_summed_parts_and_stays_absent_without_them(store, db):
    upload(
        store,
        (Q4, "LCC", "esc_payroll_errors", 60),
        (Q4, "NCC", "esc_payroll_errors", 40),
        (Q4, "External", "esc_payroll_errors", 0),
        (Q4, "LCC", "esc_payroll_payments", 24_000),
        (Q4, "NCC", "esc_payroll_payments", 18_000),
        (Q4, "External", "esc_payroll_payments", 2_000),
    )
    rate = figure(db, Q4, "EMSS", "esc_payroll_error_rate")
    assert rate["value"] == pytest.approx(100 * 100 / 44_000)
    assert figure(db, Q4, "External", "esc_payroll_error_rate")["value"] == 0
    assert figure(db, Q4, "LCC", "esc_payroll_error_rate")["value"] == pytest.approx(0.25)
    upload(store, (Quarter(2024, 1), "EMSS", "esc_payroll_errors", 5))
    assert figure(db, Quarter(2024, 1), "EMSS", "esc_payroll_error_rate") is None


def test_the_newest_snapshot_wins_and_withdrawal_brings_the_earlier_value_back(store, db):
    assert figure(db, Q3, "EMSS", "esc_dbs_checks")["value"] == 3904
    first = upload(store, (Q3, "EMSS", "esc_dbs_checks", 3950))
    assert figure(db, Q3, "EMSS", "esc_dbs_checks")["value"] == 3950
    second = upload(store, (Q3, "EMSS", "esc_dbs_checks", 3960), by="B. Person")
    assert figure(db, Q3, "EMSS", "esc_dbs_checks")["value"] == 3960
    store.withdraw(second, withdrawn_by="C. Person")
    assert figure(db, Q3, "EMSS", "esc_dbs_checks")["value"] == 3950
    store.withdraw(first, withdrawn_by="C. Person")
    back = figure(db, Q3, "EMSS", "esc_dbs_checks")
    assert (back["value"], back["snapshot_id"]) == (3904, REPORT)


def test_the_revision_history_keeps_every_value_with_who_and_whether_current(store, db):
    first = upload(store, (Q3, "EMSS", "esc_dbs_checks", 3950))
    second = upload(store, (Q3, "EMSS", "esc_dbs_checks", 3960), by="B. Person")
    store.withdraw(second, withdrawn_by="C. Person")
    history = records(db.revisions(Q3, "EMSS", "esc_dbs_checks"))
    assert [
        (h["value"], h["snapshot_id"], h["uploaded_by"], h["kind"], h["withdrawn"], h["current"])
        for h in history
    ] == [
        (3904, REPORT, "EMSS Joint Committee report, 18 March 2024", "report", False, False),
        (3950, first, "A. Person", "upload", False, True),
        (3960, second, "B. Person", "upload", True, False),
    ]
    assert history[0]["note"].startswith("257 higher than in Q2")


def test_withdrawing_the_report_leaves_the_illustrative_history_marked(store, db):
    store.withdraw(REPORT, withdrawn_by="A. Person")
    dbs = figure(db, Q3, "EMSS", "esc_dbs_checks")
    assert (dbs["value"], dbs["origin"], dbs["illustrative"]) == (3904, "summed", True)
    assert figure(db, Q3, "EMSS", "customer_satisfaction") is None
    assert db.debt_movements(Q3).empty


def test_series_run_over_the_quarters_with_their_provenance(bundled_db):
    series = bundled_db.series(["esc_dbs_checks"], ["EMSS"], Quarter(2021, 1), Q3)
    assert series["quarter"].tolist() == [str(q) for q in quarter_range(Quarter(2021, 1), Q3)]
    assert series["value"].tolist()[-2:] == [3647, 3904]
    assert series["illustrative"].tolist() == [True] * 9 + [False] * 2
    assert set(series["origin"]) == {"summed", "uploaded"}
    two = bundled_db.series(["fsc_days_to_pay"], ["LCC", "NCC"], Q2, Q3)
    assert list(zip(two["partner"], two["quarter"], strict=True)) == [
        ("LCC", "2023/24 Q2"),
        ("LCC", "2023/24 Q3"),
        ("NCC", "2023/24 Q2"),
        ("NCC", "2023/24 Q3"),
    ]


def test_quarters_with_data_and_the_latest(bundled_db, empty_store):
    assert bundled_db.quarters_with_data() == quarter_range(Quarter(2021, 1), Q3)
    assert bundled_db.latest_quarter() == Q3
    empty = Database(empty_store)
    assert empty.quarters_with_data() == []
    assert empty.latest_quarter() is None
    assert empty.figures([Q3], [("esc_dbs_checks", "EMSS")]).empty
    assert empty.debt_movements(Q3).empty


def test_a_new_snapshot_shows_at_once_in_an_open_database(store, db):
    assert db.latest_quarter() == Q3
    upload(store, (Q4, "EMSS", "esc_dbs_checks", 3800))
    assert db.latest_quarter() == Q4


def test_an_open_database_follows_upload_after_upload(store, db):
    for value in (3800, 3900, 4000, 4100):  # each rebuild drops the tables of two before
        upload(store, (Q4, "EMSS", "esc_dbs_checks", value))
        shown = db.figures([Q4], [("esc_dbs_checks", "EMSS")])
        assert shown["value"].tolist() == [value]


def test_values_reach_sql_as_parameters_never_as_text(bundled_db):
    sneaky = "x' OR '1'='1"
    assert bundled_db.figures([Q3], [(sneaky, "EMSS")]).empty
    assert bundled_db.series([sneaky], [sneaky], Q3, Q3).empty
    assert bundled_db.revisions(Q3, sneaky, sneaky).empty


# --- debt ------------------------------------------------------------------------------


def test_the_debt_movements_of_the_report_in_order(bundled_db):
    moves = records(bundled_db.debt_movements(Q3))
    assert [(m["partner"], m["collector"], m["sector"], m["movement_gbp"]) for m in moves] == [
        ("LCC", "In house", "Business", 564_204),
        ("LCC", "In house", "Education", 188_255),
        ("LCC", "In house", "NHS", 4_424),
        ("LCC", "In house", "Public Sector", 722_069),
        ("LCC", "Thornton Hope", "Individuals", 19_207),
        ("LCC", "Thornton Hope", "Other", 0),
        ("NCC", "In house", "Business", -5_329_828),
        ("NCC", "In house", "Education", -251_122),
        ("NCC", "In house", "NHS", 39_995),
        ("NCC", "In house", "Public Sector", -183_523),
        ("NCC", "Thornton Hope", "Individuals", 16_499),
        ("NCC", "Thornton Hope", "Other", 36_729),
    ]
    assert moves[6]["note"] == "£6.1m invoice 855130111 BEIS SICE credited 19.12.23"
    assert not any(m["illustrative"] for m in moves)


def test_debt_movements_filter_by_partner_collector_and_sector(bundled_db):
    ncc = bundled_db.debt_movements(Q3, partners=["NCC"], collectors=["In house"])
    assert ncc["movement_gbp"].sum() == -5_724_478
    business = bundled_db.debt_movements(Q3, sectors=["Business"])
    assert business["movement_gbp"].tolist() == [564_204, -5_329_828]


def test_debt_totals_per_partner_and_per_collector(bundled_db):
    movements = bundled_db.debt_movements(Q3)
    totals = records(debt.totals(movements))
    assert [(t["partner"], t["movement_gbp"], t["illustrative"]) for t in totals] == [
        ("LCC", 1_498_159, False),
        ("NCC", -5_671_250, False),
    ]
    by_collector = records(debt.totals(movements, by=("partner", "collector")))
    assert [(t["partner"], t["collector"], t["movement_gbp"]) for t in by_collector] == [
        ("LCC", "In house", 1_478_952),
        ("LCC", "Thornton Hope", 19_207),
        ("NCC", "In house", -5_724_478),
        ("NCC", "Thornton Hope", 53_228),
    ]


def test_the_debt_trend_and_collectors(bundled_db):
    trend = bundled_db.debt_trend(Quarter(2021, 1), Q3, partners=["NCC"])
    assert len(trend) == 11
    assert trend["movement_gbp"].iloc[-1] == -5_671_250
    assert trend["illustrative"].tolist() == [True] * 10 + [False]
    assert bundled_db.debt_collectors() == ["In house", "Thornton Hope"]


def test_a_debt_revision_replaces_the_movement(store, db):
    frame = pd.DataFrame(
        [("2023/24 Q3", "NCC", "In house", "Business", -5_000_000.0, "Corrected")],
        columns=["quarter", "partner", "collector", "sector", "movement_gbp", "note"],
    )
    store.commit({"debt": frame}, uploaded_by="A. Person", kind="upload")
    totals = debt.totals(db.debt_movements(Q3)).set_index("partner")["movement_gbp"]
    assert totals["NCC"] == -5_671_250 + 329_828


# --- provenance ------------------------------------------------------------------------


def test_a_snapshots_rows_and_the_active_snapshots(store, db):
    rows = db.snapshot_rows(REPORT)
    assert (len(rows["metrics"]), len(rows["debt"]), len(rows["projects"])) == (36, 12, 22 + 19)
    assert sum(map(len, rows.values())) == store.snapshot(REPORT).rows
    added = upload(store, (Q4, "EMSS", "esc_dbs_checks", 3800))
    assert db.active_snapshots()["id"].tolist() == [added, REPORT, ILLUSTRATIVE]
    store.withdraw(added, withdrawn_by="A. Person")
    assert db.active_snapshots()["id"].tolist() == [REPORT, ILLUSTRATIVE]


def test_one_database_answers_many_threads_at_once(bundled_db):
    answers: list[float] = []
    errors: list[BaseException] = []

    def ask():
        try:
            for _ in range(5):
                answers.append(figure(bundled_db, Q3, "EMSS", "esc_dbs_checks")["value"])
        except BaseException as error:  # reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert answers == [3904] * 40
