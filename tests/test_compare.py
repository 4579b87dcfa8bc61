"""Quarter-on-quarter comparisons as the report states them, and how numbers are written."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from emss import compare
from emss.compare import format_change, format_change_pct, format_value, status
from emss.quarters import Quarter
from tests.conftest import Q3, records

ALL = ["LCC", "NCC", "External", "EMSS"]


@pytest.fixture(scope="module")
def q3(bundled_db) -> dict[tuple[str, str], dict]:
    frame = compare.summarise(bundled_db, Q3, ALL)
    return {(r["metric"], r["partner"]): r for r in records(frame)}


def test_dbs_checks_rose_by_257_from_real_figures(q3):
    dbs = q3["esc_dbs_checks", "EMSS"]
    assert (dbs["value"], dbs["previous_value"], dbs["change"]) == (3904, 3647, 257)
    assert dbs["change_pct"] == pytest.approx(100 * 257 / 3647)
    assert dbs["status"] == "neutral"  # a volume: neither good nor bad
    assert not dbs["value_illustrative"] and not dbs["previous_illustrative"]
    assert format_change(dbs["change"], dbs["unit"]) == "+257"
    assert (dbs["quarter"], dbs["comparison_quarter"]) == ("2023/24 Q3", "2023/24 Q2")


def test_customer_satisfaction_improved_by_eleven_points(q3):
    sat = q3["customer_satisfaction", "EMSS"]
    assert (sat["value"], sat["previous_value"], sat["change"]) == (83, 72, 11)
    assert sat["change_pct"] is None  # a percentage changes in points, not in %
    assert sat["status"] == "improved"
    assert format_change(sat["change"], "percent") == "+11.0 pp"
    assert sat["emss_wide"]
    assert sat["label"] == "Customer satisfaction, all teams"


@pytest.mark.parametrize(
    ("metric", "now", "before"),
    [("esc_recruitment_adverts", 585, 731), ("esc_new_appointments", 717, 779)],
)
def test_a_generated_earlier_figure_gives_no_change_and_no_verdict(q3, metric, now, before):
    row = q3[metric, "EMSS"]
    assert (row["value"], row["previous_value"]) == (now, before)  # both stay visible
    assert row["previous_illustrative"]  # the report gave Q2 only as "about"
    assert row["change"] is None and row["change_pct"] is None and row["status"] is None
    assert row["comparison_status"] is None
    assert compare.no_comparison(row) == "No reported 2023/24 Q2 figure to compare with."


def test_fewer_orc_contacts_and_less_absence_are_improvements(q3):
    orc = q3["esc_orc_contacts", "EMSS"]
    assert (orc["value"], orc["previous_value"], orc["status"]) == (45, 382, "improved")
    absence = q3["people_absence_days_per_fte", "EMSS"]
    assert absence["change"] == pytest.approx(-0.47)
    assert absence["status"] == "improved"
    assert format_change(absence["change"], "days") == "−0.47 days"
    on_hold = q3["fsc_invoices_on_hold_90d", "NCC"]  # Q2 is generated: not judged
    assert (on_hold["value"], on_hold["status"]) == (568, None)


def test_manual_bacs_payments_against_a_generated_year_ago_are_not_judged(bundled_db):
    frame = compare.summarise(bundled_db, Q3, ["EMSS"], comparison="year_ago")
    bacs = records(frame[frame["metric"] == "esc_manual_bacs_payments"])[0]
    assert (bacs["value"], bacs["year_ago_value"]) == (106, 163)
    assert bacs["comparison_illustrative"]
    assert bacs["comparison_quarter"] == "2022/23 Q3"
    assert bacs["year_ago_change"] is None and bacs["comparison_status"] is None


@pytest.mark.parametrize(
    ("figure", "earlier", "expected"),
    [(False, False, True), (True, False, False), (False, True, False), (True, True, False)],
)
def test_only_two_reported_figures_are_compared(figure, earlier, expected):
    assert compare.comparable(figure, earlier) is expected


def test_a_generated_figure_this_quarter_is_not_compared_either(bundled_db):
    frame = compare.summarise(bundled_db, Q3, ["LCC"])
    row = records(frame[frame["metric"] == "people_mandatory_training"])[0]
    assert row["value_illustrative"] and row["comparison_value"] is not None
    assert row["comparison_status"] is None
    assert compare.no_comparison(row) == "Illustrative: not compared with 2023/24 Q2."


@pytest.mark.parametrize(
    ("row", "text"),
    [
        (
            {
                "label": "Payroll errors",
                "unit": "count",
                "value": 144,
                "comparison_value": 135,
                "comparison_change": 9,
                "comparison_change_pct": 100 * 9 / 135,
                "comparison_status": "worsened",
            },
            "Payroll errors 135 → 144, +6.7%, worse",
        ),
        (
            {
                "label": "Customer satisfaction",
                "unit": "percent",
                "value": 83,
                "comparison_value": 72,
                "comparison_change": 11,
                "comparison_change_pct": None,
                "comparison_status": "improved",
            },
            "Customer satisfaction 72.0% → 83.0%, +11.0 pp, better",
        ),
        (
            {
                "label": "DBS checks",
                "unit": "count",
                "value": 3904,
                "comparison_value": 3647,
                "comparison_change": 257,
                "comparison_change_pct": 100 * 257 / 3647,
                "comparison_status": "neutral",
            },
            "DBS checks 3,647 → 3,904, +7.0%",
        ),
    ],
)
def test_what_moved_is_a_short_sentence(row, text):
    assert compare.moved_sentence(row) == text


def test_the_largest_changes_rest_only_on_reported_figures(q3):
    rows = pd.DataFrame(list(q3.values()))
    for which in ("improved", "worsened"):
        moved = compare.biggest_changes(rows, which, 50)
        assert not moved["value_illustrative"].any()
        assert not moved["comparison_illustrative"].any()
    assert compare.biggest_changes(rows, "worsened", 50).empty  # Q3 worsened on nothing reported


def test_the_derived_error_rate_and_the_summed_letters_carry_their_origin(q3):
    rate = q3["esc_payroll_error_rate", "EMSS"]
    assert rate["value"] == pytest.approx(0.3296, abs=1e-4)
    assert (rate["origin"], rate["unit"], rate["better"]) == ("derived", "percent", "lower")
    letters = q3["esc_contracts_letters", "EMSS"]
    assert (letters["value"], letters["origin"]) == (800, "summed")
    assert not letters["value_illustrative"]


def test_a_pair_with_no_figure_appears_empty_not_zero(q3):
    days = q3["fsc_days_to_pay", "EMSS"]
    assert days["value"] is None and days["status"] is None and days["change"] is None
    assert q3["fsc_days_to_pay", "LCC"]["value"] == 9


def test_the_partner_choice_decides_the_rows(bundled_db, q3):
    lcc = compare.summarise(bundled_db, Q3, ["LCC"])
    pairs = set(zip(lcc["metric"], lcc["partner"], strict=True))
    assert ("esc_dbs_checks", "LCC") in pairs
    assert ("esc_dbs_checks", "NCC") not in pairs
    assert ("esc_dbs_checks", "EMSS") not in pairs
    assert ("customer_satisfaction", "EMSS") in pairs  # organisation-wide: always shown
    assert lcc[lcc["partner"] == "EMSS"]["emss_wide"].all()
    assert len(lcc) == len(set(pairs))
    assert len(q3) == len(compare.pairs_for(ALL))


def test_summary_fields_are_columns_of_the_summary(bundled_db):
    frame = compare.summarise(bundled_db, Q3, ["EMSS"])
    assert set(compare.SUMMARY_FIELDS) <= set(frame.columns)


def test_a_quarter_without_an_earlier_one_has_no_change(bundled_db):
    first = compare.summarise(bundled_db, Quarter(2021, 1), ["EMSS"])
    dbs = records(first[first["metric"] == "esc_dbs_checks"])[0]
    assert dbs["previous_value"] is None and dbs["change"] is None and dbs["status"] is None
    assert dbs["value_illustrative"]


@pytest.mark.parametrize(
    ("difference", "better", "expected"),
    [
        (11, "higher", "improved"),
        (-11, "higher", "worsened"),
        (-0.47, "lower", "improved"),
        (17, "lower", "worsened"),
        (257, "neutral", "neutral"),
        (0, "higher", "no change"),
        (1e-12, "lower", "no change"),
        (None, "higher", None),
        (math.nan, "higher", None),
    ],
)
def test_status_follows_the_direction_of_good(difference, better, expected):
    assert status(difference, better) == expected


def test_a_change_from_zero_has_no_percentage():
    assert compare.change_pct(5, 0, "count") is None
    assert compare.change_pct(-5, -10, "gbp") == pytest.approx(50)


@pytest.mark.parametrize(
    ("value", "unit", "kwargs", "text"),
    [
        (43_689, "count", {}, "43,689"),
        (124_000_000, "gbp", {}, "£124m"),  # as the report rounds it
        (1_700_000, "gbp", {}, "£1.7m"),
        (708_000, "gbp", {}, "£708k"),
        (124_000_000, "gbp", {"exact": True}, "£124,000,000"),
        (-5_671_250, "gbp", {}, "−£5.7m"),
        (-5_671_250, "gbp", {"exact": True}, "−£5,671,250"),
        (1_498_159, "gbp", {"exact": True}, "£1,498,159"),
        (52_080, "gbp", {}, "£52k"),
        (850, "gbp", {}, "£850"),
        (1234.5, "gbp", {"exact": True}, "£1,234.50"),
        (95.7, "percent", {}, "95.7%"),
        (83, "percent", {}, "83.0%"),
        (0.3296, "percent", {}, "0.33%"),  # the payroll error rate, not blurred to 0.3%
        (0, "percent", {}, "0.0%"),
        (2.22, "days", {}, "2.22 days"),
        (10, "days", {}, "10 days"),
        (152, "hours", {}, "152 hours"),
        (257, "count", {"sign": True}, "+257"),
        (None, "count", {}, "—"),
        (math.nan, "percent", {}, "—"),
    ],
)
def test_numbers_are_written_as_the_report_writes_them(value, unit, kwargs, text):
    assert format_value(value, unit, **kwargs) == text


@pytest.mark.parametrize(
    ("difference", "unit", "text"),
    [
        (257, "count", "+257"),
        (-146, "count", "−146"),
        (11, "percent", "+11.0 pp"),
        (-0.4, "percent", "−0.4 pp"),
        (0.0173, "percent", "+0.02 pp"),  # not "+0.0 pp" beside the word "Worsened"
        (-5_329_828, "gbp", "−£5.3m"),
        (None, "count", "—"),
    ],
)
def test_changes_carry_a_sign_and_a_true_minus(difference, unit, text):
    assert format_change(difference, unit) == text


def test_percentage_changes_are_written_with_one_decimal():
    assert format_change_pct(100 * 257 / 3647) == "+7.0%"
    assert format_change_pct(-35.0) == "−35.0%"
    assert format_change_pct(None) == "—"


@pytest.mark.parametrize(
    ("kwargs", "text"),
    [
        ({}, "LCC 135 → 144, +6.7%, worse"),
        ({"earlier_illustrative": True}, "LCC 144, no reported 2023/24 Q2 figure to compare with"),
        ({"illustrative": True}, "LCC 144, illustrative: not compared with 2023/24 Q2"),
    ],
)
def test_a_charts_change_in_words_follows_the_one_rule(kwargs, text):
    assert compare.change_words("LCC", 144, 135, "count", "lower", "2023/24 Q2", **kwargs) == text


def test_the_whole_view_takes_the_emss_figure_else_the_councils_else_says_none():
    frame = pd.DataFrame(
        {
            "metric": ["rate", "count", "rate", "count", "none", "count", "none"],
            "partner": ["LCC", "LCC", "NCC", "EMSS", "LCC", "NCC", "EMSS"],
            "value": [95.0, 10.0, 96.0, 30.0, None, 20.0, None],
        }
    )
    shown = compare.prefer_whole(frame)
    assert list(zip(shown["metric"], shown["partner"], strict=True)) == [
        ("rate", "LCC"),  # no EMSS figure: the councils' own, in the order they came
        ("rate", "NCC"),
        ("count", "EMSS"),  # the EMSS figure, not its parts
        ("none", "EMSS"),  # nothing reported: the EMSS row, to say so
    ]
