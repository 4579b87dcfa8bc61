"""The shared filters as plain data (emss.filters), and the small rules that moved out of
the pages' glue: a quarter's slug, the date formatter, the "EMSS as a whole" rule."""

from __future__ import annotations

import pytest

from emss import compare
from emss.catalogue import VIEWS
from emss.filters import (
    Filters,
    default_filters,
    figure_label,
    filters_from_params,
    headline_label,
)
from emss.quarters import Quarter

HELD = [Quarter(2023, 1), Quarter(2023, 2), Quarter(2023, 3)]


def test_no_params_give_the_defaults():
    filters, notes = filters_from_params({}, HELD)
    assert filters == default_filters(HELD)
    assert (filters.quarter, filters.view, filters.comparison) == (HELD[-1], "EMSS", "previous")
    assert (filters.first, filters.last, filters.partners) == (HELD[0], HELD[-1], ("EMSS",))
    assert notes == []


def test_a_links_params_round_trip():
    chosen = Filters(HELD[1], "Councils", ("LCC", "NCC"), "year_ago", HELD[0], HELD[1])
    assert filters_from_params(chosen.params(), HELD) == (chosen, [])


def test_unusable_params_fall_back_with_a_note_each():
    params = {"quarter": "2019/20 Q1", "view": "nope", "compare": "later", "from": "x"}
    filters, notes = filters_from_params(params, HELD)
    assert filters == default_filters(HELD)
    assert notes == [
        "The link's quarter 2019/20 Q1 has no figures; showing 2023/24 Q3.",
        'The link\'s first quarter of the trend "x" is not a quarter; showing 2023/24 Q1.',
        'The link\'s partner view "nope" is not one of LCC, NCC, Councils, EMSS; '
        "showing EMSS as a whole.",
        'The link\'s comparison "later" is not one of previous, year_ago; '
        "showing the previous quarter.",
    ]


def test_a_view_is_matched_whatever_its_case():
    filters, notes = filters_from_params({"view": "councils"}, HELD)
    assert (filters.view, filters.partners, notes) == ("Councils", ("LCC", "NCC"), [])
    assert filters.view_label == VIEWS["Councils"].label


def test_an_emss_wide_figure_is_so_labelled_in_a_councils_view():
    whole = default_filters(HELD)
    lcc = Filters(HELD[-1], "LCC", ("LCC",), "previous", HELD[0], HELD[-1])
    row = {"emss_wide": True, "partner": "EMSS", "label": "Satisfaction"}
    assert (figure_label(row, whole), figure_label(row, lcc)) == ("EMSS", "EMSS-wide")
    assert headline_label(row, whole) == "Satisfaction"
    assert headline_label(row, lcc) == "Satisfaction (EMSS-wide)"
    assert headline_label({**row, "emss_wide": False, "partner": "LCC"}, whole) == (
        "Satisfaction (LCC)"
    )


def test_a_comparison_names_its_quarter_and_itself():
    filters = Filters(HELD[-1], "EMSS", ("EMSS",), "year_ago", HELD[0], HELD[-1])
    assert filters.comparison_quarter == Quarter(2022, 3)
    assert filters.comparison_label == "same quarter last year"


def test_a_quarters_slug_is_file_safe():
    assert Quarter(2023, 3).slug == "2023-24-Q3"
    assert Quarter(1999, 4).slug == "1999-00-Q4"


@pytest.mark.parametrize(
    ("created", "time", "written"),
    [
        ("2024-01-19T14:05:00Z", True, "19 Jan 2024, 14:05 UTC"),
        ("2024-01-19T14:05:00Z", False, "19 January 2024"),
        ("2024-03-18T00:00:00+00:00", False, "18 March 2024"),
    ],
)
def test_one_date_formatter(created, time, written):
    assert compare.format_date(created, time=time) == written


def _rows(*given: tuple) -> list[dict]:
    return [dict(zip(("partner", "value", "origin"), row, strict=True)) for row in given]


@pytest.mark.parametrize(
    ("rows", "sums", "partners"),
    [
        (_rows(("LCC", 1.0, "uploaded"), ("EMSS", 3.0, "uploaded")), True, ["EMSS"]),
        (_rows(("LCC", 1.0, "uploaded"), ("EMSS", None, None)), True, ["LCC"]),
        (_rows(("LCC", 1.0, "uploaded"), ("EMSS", 1.0, "summed")), True, ["EMSS"]),
        (_rows(("LCC", 1.0, "uploaded"), ("EMSS", 1.0, "summed")), False, ["LCC"]),
        (_rows(("EMSS", 1.0, "summed")), False, ["EMSS"]),
        (_rows(("LCC", None, None), ("EMSS", None, None)), True, []),
    ],
)
def test_one_emss_as_a_whole_rule(rows, sums, partners):
    assert [row["partner"] for row in compare.for_whole(rows, sums=sums)] == partners
