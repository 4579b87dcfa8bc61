"""Financial-year quarters: every form the upload contract accepts, order, labels."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emss.quarters import Quarter, QuarterError, check_not_future, quarter_range

Q3 = Quarter(2023, 3)


@pytest.mark.parametrize(
    "text",
    [
        "2023/24 Q3",
        "Q3 2023/24",
        "2023-24 Q3",
        "2023/2024 Q3",
        "FY2023/24 Q3",
        # letter case and spacing as people type them
        "fy2023/24 q3",
        "  2023/24   Q3 ",
        "FY 2023 / 24 Q3",
        "q3 2023-2024",
    ],
)
def test_every_accepted_form_reads_as_the_same_quarter(text):
    assert Quarter.parse(text) == Q3


@pytest.mark.parametrize("text", ["2023/25 Q3", "2023/2025 Q1", "2022-24 Q2", "Q1 2024/23"])
def test_years_must_be_consecutive(text):
    with pytest.raises(QuarterError, match="not consecutive"):
        Quarter.parse(text)


@pytest.mark.parametrize(
    "text", ["", "2023 Q3", "Q5 2023/24", "2023/24 Q0", "Autumn 2023", "2023/24", "23/24 Q3"]
)
def test_unknown_forms_are_refused_naming_the_expected_form(text):
    with pytest.raises(QuarterError) as caught:
        Quarter.parse(text)
    assert 'a quarter such as "2023/24 Q3"' in str(caught.value)


def test_the_turn_of_the_century_is_consecutive():
    assert Quarter.parse("1999/00 Q4") == Quarter(1999, 4)
    assert str(Quarter(1999, 4).next) == "2000/01 Q1"
    assert Quarter(1999, 4).financial_year == "1999/00"  # as the sidebar's year list names it


@pytest.mark.parametrize(
    ("quarter", "label"),
    [
        (Quarter(2023, 1), "2023/24 Q1 (Apr–Jun 2023)"),
        (Quarter(2023, 2), "2023/24 Q2 (Jul–Sep 2023)"),
        (Quarter(2023, 3), "2023/24 Q3 (Oct–Dec 2023)"),
        (Quarter(2023, 4), "2023/24 Q4 (Jan–Mar 2024)"),
    ],
)
def test_labels_name_the_months_and_calendar_year(quarter, label):
    assert quarter.label == label
    assert quarter.short == f"Q{quarter.number}"


def test_previous_and_year_ago_cross_the_financial_year():
    q1 = Quarter.parse("2023/24 Q1")
    assert str(q1.previous) == "2022/23 Q4"
    assert str(q1.year_ago) == "2022/23 Q1"
    assert str(Q3.previous) == "2023/24 Q2"
    assert str(Q3.year_ago) == "2022/23 Q3"
    assert str(Quarter(2023, 4).next) == "2024/25 Q1"


def test_quarters_order_by_time_not_by_text():
    assert Quarter(2022, 4) < Quarter(2023, 1) < Quarter(2023, 3)
    assert sorted([Quarter(2023, 1), Quarter(2021, 4), Quarter(2022, 2)]) == [
        Quarter(2021, 4),
        Quarter(2022, 2),
        Quarter(2023, 1),
    ]


def test_quarter_range_is_inclusive_and_consecutive():
    quarters = quarter_range(Quarter(2021, 1), Q3)
    assert len(quarters) == 11
    assert (str(quarters[0]), str(quarters[-1])) == ("2021/22 Q1", "2023/24 Q3")
    assert all(b.index - a.index == 1 for a, b in zip(quarters, quarters[1:], strict=False))


@pytest.mark.parametrize(
    ("day", "quarter"),
    [
        (dt.date(2024, 3, 31), "2023/24 Q4"),
        (dt.date(2024, 4, 1), "2024/25 Q1"),
        (dt.date(2023, 12, 25), "2023/24 Q3"),
        (dt.date(2023, 7, 1), "2023/24 Q2"),
    ],
)
def test_a_date_falls_in_its_financial_quarter(day, quarter):
    assert str(Quarter.containing(day)) == quarter


def test_the_current_quarter_is_allowed_and_the_next_is_in_the_future():
    today = dt.date(2024, 1, 15)
    check_not_future(Quarter(2023, 4), today)
    check_not_future(Quarter(2020, 1), today)
    with pytest.raises(
        QuarterError, match=r"is in the future \(the current quarter is 2023/24 Q4\)"
    ):
        check_not_future(Quarter(2024, 1), today)


def test_a_quarter_number_outside_one_to_four_is_refused():
    with pytest.raises(QuarterError):
        Quarter(2023, 5)


FORMS = (
    "{s}/{e2} Q{n}",
    "Q{n} {s}/{e2}",
    "{s}-{e2} Q{n}",
    "{s}/{e4} Q{n}",
    "FY{s}/{e2} Q{n}",
)


@settings(max_examples=60, deadline=None)
@given(
    start=st.integers(min_value=1, max_value=9998),
    number=st.integers(min_value=1, max_value=4),
    form=st.sampled_from(FORMS),
)
def test_every_form_round_trips(start, number, form):
    quarter = Quarter(start, number)
    end = start + 1
    text = form.format(s=f"{start:04d}", e2=f"{end % 100:02d}", e4=f"{end:04d}", n=number)
    assert Quarter.parse(text) == quarter
    assert Quarter.parse(str(quarter)) == quarter
    assert Quarter.parse(quarter.label.split(" (")[0]) == quarter


@settings(max_examples=60, deadline=None)
@given(index=st.integers(min_value=8, max_value=4 * 9998))
def test_neighbours_are_one_and_four_quarters_away(index):
    quarter = Quarter.from_index(index)
    assert quarter.previous.next == quarter
    assert quarter.year_ago.index == quarter.index - 4
    assert quarter.year_ago.number == quarter.number
    assert quarter.previous < quarter < quarter.next


@pytest.mark.parametrize("text", ["0000/01 Q1", "9999/00 Q4"])
def test_a_year_no_calendar_can_hold_is_refused(text):
    with pytest.raises(QuarterError, match="out of range"):
        Quarter.parse(text)


def test_an_early_year_keeps_four_digits_so_it_reads_back():
    assert str(Quarter(999, 2)) == "0999/00 Q2"
    assert Quarter.parse("0999/00 Q2") == Quarter(999, 2)
