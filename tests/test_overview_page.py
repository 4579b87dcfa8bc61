"""The Overview, run with AppTest over a copy of the bundled store: the headline figures the
catalogue names, in every partner view, compared only where EMSS reported both figures; debt,
projects and what moved most as sentences."""

from __future__ import annotations

import pytest

from emss import ingest
from emss.catalogue import VIEWS, load_catalogue
from emss.store import Store
from tests.conftest import METRICS_HEADER, csv_bytes, shown_tiles
from tests.test_pages import open_page, texts

HEADLINE_LABELS = [m.label for m in load_catalogue().metrics if m.headline]


def figure_tiles(at) -> dict[str, tuple[str, str]]:
    """The figure tiles by label: value and the line beneath it (the change in words, or
    why there is none)."""
    return {t["label"]: (t["value"], t["notes"][0]) for t in shown_tiles(at) if "value" in t}


def test_the_heading_names_the_partner_view_and_the_quarter(store: Store) -> None:
    assert open_page().title[0].value == "Overview: EMSS as a whole, 2023/24 Q3"
    assert open_page(view="NCC").title[0].value == "Overview: Nottingham City (NCC), 2023/24 Q3"


@pytest.mark.parametrize("view", list(VIEWS))
def test_every_partner_view_shows_the_same_headline_figures(store: Store, view: str) -> None:
    shown = " | ".join(figure_tiles(open_page(view=view)))
    assert [label for label in HEADLINE_LABELS if label not in shown] == []
    assert "DBS checks completed" in shown  # a headline by the catalogue, not by position


def test_no_tile_judges_a_figure_against_a_generated_one(store: Store) -> None:
    shown = figure_tiles(open_page())
    # Both figures reported: the change and its verdict in words.
    assert shown["Customer satisfaction, all teams"] == ("83.0%", "▲ +11.0 pp, better")
    assert shown["Average days absence per FTE, all EMSS"] == ("2.22 days", "▼ −0.47 days, better")
    assert shown["DBS checks completed"] == ("3,904", "▲ +257 on Q2")  # a volume: no verdict
    # Q2 generated: the figure, and a sentence saying why it is not compared.
    assert shown["Payroll payments processed"] == ("43,689", "No reported Q2 figure.")
    assert shown["Invoices paid within 30 days (LCC)"] == ("95.7%", "No reported Q2 figure.")
    judged = [label for label, (_, line) in shown.items() if line.endswith(("better", "worse"))]
    assert sorted(judged) == [
        "Average days absence per FTE, all EMSS",
        "Customer satisfaction, all teams",
    ]


def test_a_generated_figure_is_marked_at_the_start_of_its_label(store: Store) -> None:
    shown = figure_tiles(open_page(view="LCC"))
    assert shown["Illustrative · Payroll payments processed (LCC)"] == (
        "24,029",
        "Illustrative: not compared.",
    )
    assert "Invoices paid within 30 days (LCC)" in shown  # reported: no mark


def test_what_moved_most_is_short_sentences_of_reported_figures(store: Store) -> None:
    at = open_page()
    said = texts(at)
    assert "Service desk contacts about recruitment (ORC) 382 → 45, −88.2%, better" in said
    assert "Customer satisfaction, ESC 68.0% → 82.0%, +14.0 pp, better" in said
    assert "DBS checks completed 3,647 → 3,904, +7.0%" in said
    assert "Compared only where EMSS reported both figures: 25 figures not compared" in said
    assert not at.dataframe  # no wide grid to scroll sideways


def test_an_uploaded_quarter_is_compared_with_the_reported_one(store: Store) -> None:
    upload = csv_bytes(METRICS_HEADER, ["2023/24 Q4,EMSS,esc_payroll_errors,150,"])
    checked = ingest.validate([("q4.csv", upload)])
    ingest.commit(store, checked, uploaded_by="Test editor")
    at = open_page()
    assert at.title[0].value == "Overview: EMSS as a whole, 2023/24 Q4"
    assert "Payroll errors found after payday 144 → 150, +4.2%, worse" in texts(at)
    assert "No Business Plan projects are recorded for 2023/24 Q4." in texts(at)
    assert figure_tiles(at)["Payroll errors found after payday"] == ("150", "▲ +6, worse")


def test_debt_totals_by_council_are_on_the_overview(store: Store) -> None:
    said = texts(open_page())
    assert "**Past-due debt, LCC**: +£1.5m, debt grew, worse" in said
    assert "**Past-due debt, NCC**: −£5.7m, debt fell, better" in said


def test_a_generated_debt_total_is_not_judged(store: Store) -> None:
    said = texts(open_page(quarter="2023/24 Q2"))
    lines = [line for line in said.splitlines() if "Past-due debt" in line]
    assert len(lines) == 2
    assert all(line.startswith("- **Illustrative · Past-due debt") for line in lines)
    assert not any(line.endswith(("better", "worse")) for line in lines)


def test_the_projects_group_counts_the_business_plan(store: Store) -> None:
    said = texts(open_page())
    # 22 listed; 3 new, 1 completed and 1 cancelled since Q2.
    assert "20 active · ● complete: 1 · ✕ cancelled: 1 · 5 changed since 2023/24 Q2" in said
    lcc = texts(open_page(view="LCC"))  # a council's own projects and the EMSS-wide ones
    assert "changed since 2023/24 Q2" in lcc
