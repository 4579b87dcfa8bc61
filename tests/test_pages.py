"""The dashboard's pages, run with Streamlit's AppTest over a copy of the bundled store.

Every test starts at app.py (the entry point, as a browser would) and switches page from
there, so the navigation links resolve as they do in the running app.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from emss import tables as emss_tables
from emss.catalogue import load_catalogue
from emss.debt import AMOUNT as DEBT_AMOUNT
from emss.quarters import Quarter
from emss.sources import compute as computing
from emss.sources.config import load_config
from emss.store import Store
from tests.conftest import (
    chosen_quarter,
    open_charts,
    show_in_full,
    shown_html_text,
    shown_tiles,
    static_tables,
)

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PAGES = [
    "app.py",
    "pages/1_ESC.py",
    "pages/2_FSC.py",
    "pages/3_People.py",
    "pages/4_Customer.py",
    "pages/5_Debt_collection.py",
    "pages/6_Projects.py",
    "pages/7_Definitions.py",
]
FIGURE_PAGES = [p for p in PAGES if p != "pages/7_Definitions.py"]
VIEW = "emss_filter_view"


def open_page(page: str = "app.py", **params: str) -> AppTest:
    """Open the app with a query string, then go to ``page``."""
    at = AppTest.from_file(APP, default_timeout=60)
    for name, value in params.items():
        at.query_params[name] = value
    at.run()
    if page != "app.py":
        at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def tiles(at: AppTest) -> list[tuple[str, str, str]]:
    """The figures' tiles, the Debt page's totals too: (label, value, change)."""
    return [(t["label"], t["value"], t.get("change", "")) for t in shown_tiles(at) if "value" in t]


def texts(at: AppTest) -> str:
    """Everything written on the page (markdown, captions, notes, warnings), as one text."""
    parts = [e.value for kind in ("markdown", "caption", "warning", "info") for e in at.get(kind)]
    parts += shown_html_text(at)
    return "\n".join(str(p) for p in parts)


def tables(at: AppTest) -> pd.DataFrame:
    return pd.concat([df.value for df in at.dataframe], ignore_index=True)


def glance(at: AppTest) -> pd.DataFrame:
    """The area page's table of every figure."""
    return static_tables(at)[0]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_opens_without_an_error(store: Store, page: str) -> None:
    at = open_page(page)
    assert at.title[0].value
    if page in FIGURE_PAGES:
        assert "Illustrative data" in texts(at)


def test_the_overview_states_when_the_figures_were_last_updated(store: Store) -> None:
    assert "Last updated 18 Mar 2024" in texts(open_page())  # the rest: test_overview_page.py


def test_customer_page_shows_satisfaction_against_q2(store: Store) -> None:
    at = open_page("pages/4_Customer.py")
    satisfaction = next(t for t in shown_tiles(at) if t["value"] == "83.0%")
    assert satisfaction["change"] == "+11.0 pp Improved"
    assert satisfaction["vs"] == "vs 2023/24 Q2"
    assert "risen 11%" in texts(at)  # the figure's note, beside it


def test_fsc_page_shows_both_councils_invoice_payment_side_by_side(store: Store) -> None:
    at = show_in_full(open_page("pages/2_FSC.py", view="Councils"), "FSC", "fsc_invoices_paid_30d")
    shown = tiles(at)
    # Q2 is generated, so neither council's figure is judged against it (compare.comparable).
    assert ("LCC", "95.7%", "") in shown
    assert ("NCC", "95.3%", "") in shown
    assert "No reported 2023/24 Q2 figure to compare with." in texts(at)
    assert not at.get("vega_lite_chart")  # the trend chart is a click away
    open_charts(at)
    assert len(at.get("vega_lite_chart")) == 1
    # The chart's point: this quarter, and no comparison with a generated Q2 figure.
    assert (
        "Invoices paid within 30 days in 2023/24 Q3: LCC 95.7%; NCC 95.3%; "
        "no reported 2023/24 Q2 figure to compare with"
    ) in texts(at)


def test_the_area_table_shows_every_figure_and_never_compares_with_a_generated_one(
    store: Store,
) -> None:
    table = glance(open_page("pages/2_FSC.py", view="Councils")).set_index(["Figure", "For"])
    paid = table.loc[("Invoices paid within 30 days", "NCC")]
    assert paid["Value"] == "95.3%"
    assert paid["Change vs 2023/24 Q2"] == "No reported figure to compare with"
    made = table.loc[("Supplier payments made", "LCC")]
    assert made["Value"] == "13,622 (illustrative)"
    assert made["Change vs 2023/24 Q2"] == "Illustrative: not compared"
    assert made["Trend, 2021/22 Q4 to 2023/24 Q3"].endswith("(all illustrative)")
    assert len(table) == 2 * 8 - 1  # every FSC metric per council, the EMSS-wide one once


def test_emss_view_shows_council_rates_that_have_no_emss_figure(store: Store) -> None:
    at = show_in_full(open_page("pages/2_FSC.py"), "FSC", "fsc_invoices_paid_30d")
    values = [value for _, value, _ in tiles(at)]
    assert "95.7%" in values and "95.3%" in values
    assert "£124m" in set(glance(at)["Value"])  # as the report rounds it


def test_an_area_table_names_its_partner_once_when_every_row_is_theirs(store: Store) -> None:
    at = open_page("pages/1_ESC.py")  # EMSS as a whole: every ESC figure is EMSS's
    assert "For" not in glance(at).columns  # a phone has no room for a column saying "EMSS"
    assert "Figures for EMSS as a whole, 2023/24 Q3" in texts(at)
    at = open_page("pages/1_ESC.py", view="Councils")
    assert {"LCC", "NCC"} <= set(glance(at)["For"])


def test_choosing_ncc_changes_what_the_fsc_page_shows(store: Store) -> None:
    at = open_page("pages/2_FSC.py", view="Councils")
    assert {"LCC", "NCC"} <= set(glance(at)["For"])
    at.radio(key=VIEW).set_value("NCC").run()
    assert set(glance(at)["For"]) == {"NCC", "EMSS-wide"}
    values = list(glance(at)["Value"])
    assert "95.3%" in values and "95.7%" not in values
    assert at.query_params["view"] == "NCC"


def test_filters_survive_a_change_of_page(store: Store) -> None:
    at = open_page()
    at.radio(key=VIEW).set_value("NCC").run()
    at.radio(key="emss_filter_comparison").set_value("year_ago").run()
    at.switch_page("pages/2_FSC.py").run()
    assert at.radio(key=VIEW).value == "NCC"
    assert at.radio(key="emss_filter_comparison").value == "year_ago"
    # Every 2022/23 Q3 figure is generated: no change is stated against one.
    assert "No reported 2022/23 Q3 figure to compare with." in texts(at)
    assert at.query_params["view"] == "NCC"
    assert at.query_params["compare"] == "year_ago"


def test_a_quarter_is_chosen_by_its_year_then_its_number(store: Store) -> None:
    at = open_page("pages/1_ESC.py")
    assert at.radio(key="emss_filter_quarter").options == ["Q1", "Q2", "Q3"]  # 2023/24 so far
    at.selectbox(key="emss_filter_year").set_value(2022).run()  # Q3 is kept
    assert "Figures for EMSS as a whole, 2022/23 Q3 (Oct–Dec 2022)" in texts(at)
    assert at.radio(key="emss_filter_quarter").options == ["Q1", "Q2", "Q3", "Q4"]
    at.radio(key="emss_filter_quarter").set_value(4).run()
    assert at.query_params["quarter"] == "2022/23 Q4"
    at.selectbox(key="emss_filter_year").set_value(2023).run()  # no Q4 yet: the latest
    assert chosen_quarter(at) == Quarter(2023, 3)
    assert "Figures for EMSS as a whole, 2023/24 Q3 (Oct–Dec 2023)" in texts(at)
    at.switch_page("pages/2_FSC.py").run()
    assert chosen_quarter(at) == Quarter(2023, 3)


def test_a_link_with_filters_reopens_that_view(store: Store) -> None:
    at = open_page("pages/2_FSC.py", view="NCC", quarter="2023/24 Q2", compare="year_ago")
    assert chosen_quarter(at).number == 2
    assert "Figures for 2023/24 Q2 (Jul–Sep 2023), compared with the same quarter" in texts(at)
    assert "95.3%" not in [value for _, value, _ in tiles(at)]  # the Q3 figure is not shown


@pytest.mark.parametrize(
    ("params", "note"),
    [
        (
            {"quarter": "banana"},
            'The link\'s quarter "banana" is not a quarter; showing 2023/24 Q3.',
        ),
        ({"quarter": "2030/31 Q1"}, "The link's quarter 2030/31 Q1 has no figures; showing"),
        ({"view": "Rutland"}, 'The link\'s partner view "Rutland" is not one of'),
        ({"compare": "decade"}, 'The link\'s comparison "decade" is not one of'),
        ({"from": "2023/24 Q3", "to": "2021/22 Q1"}, "The link's trend range starts (2023/24 Q3)"),
    ],
)
def test_a_bad_link_value_falls_back_to_the_default_with_a_note(
    store: Store, params: dict, note: str
) -> None:
    at = open_page("app.py", **params)
    assert any(note in w.value for w in at.warning), [w.value for w in at.warning]
    assert chosen_quarter(at).number == 3
    assert shown_tiles(at)  # the page still shows its figures
    at.switch_page("pages/2_FSC.py").run()
    assert chosen_quarter(at).number == 3
    assert shown_tiles(at)


@pytest.mark.parametrize("page", FIGURE_PAGES)
def test_an_empty_store_gets_a_plain_sentence(empty_store: Store, page: str) -> None:
    at = open_page(page)
    assert "There are no figures to show yet" in at.info[0].value
    assert not shown_tiles(at)


def test_definitions_open_on_an_empty_store(empty_store: Store) -> None:
    at = open_page("pages/7_Definitions.py")
    assert "**Key (an upload's metric column):** `esc_payroll_payments`" in texts(at)


def test_debt_page_shows_the_councils_totals_and_the_notes(store: Store) -> None:
    at = open_page("pages/5_Debt_collection.py")
    assert ("NCC: total movement", "−£5,671,250", "") in tiles(at)
    assert ("LCC: total movement", "+£1,498,159", "") in tiles(at)
    table = static_tables(at)[0]
    assert DEBT_AMOUNT not in table.columns  # the amounts are written once, exactly
    business = table[(table["Partner"] == "NCC") & (table["Sector"] == "Business")].iloc[0]
    assert business["Movement"] == "−£5,329,828"
    assert business["Direction"] == "▼ Debt fell"
    assert business["Note"] == "£6.1m invoice 855130111 BEIS SICE credited 19.12.23"
    totals = table.set_index(["Partner", "Sector"])["Movement"]
    assert totals[("NCC", "Total, NCC")] == "−£5,671,250"
    assert totals[("NCC", "Total, Thornton Hope")] == "+£53,228"
    assert not at.get("vega_lite_chart")  # the charts are a click away
    open_charts(at)
    assert len(at.get("vega_lite_chart")) == 2
    assert "NCC's past-due debt fell by £5.7m" in texts(at)  # the sector chart's point


def test_debt_collector_and_partner_filters_narrow_the_table(store: Store) -> None:
    at = open_page("pages/5_Debt_collection.py", view="NCC")
    at.multiselect(key="debt_collectors").set_value(["Thornton Hope"]).run()
    assert tiles(at) == [("NCC: total movement", "+£53,228", "")]
    table = static_tables(at)[0]
    lines = table[~table["Sector"].str.startswith("Total")]
    assert set(lines["Collector"]) == {"Thornton Hope"}


def test_a_quarter_without_figures_says_so(store: Store, metrics_csv) -> None:
    # A later quarter holding one figure only: everything else is "not reported".
    store.commit(
        {
            "metrics": pd.DataFrame(
                {
                    "quarter": ["2023/24 Q4"],
                    "partner": ["EMSS"],
                    "metric": ["customer_satisfaction"],
                    "value": [85.0],
                    "note": [None],
                }
            )
        },
        uploaded_by="test",
        kind="upload",
    )
    at = open_page("pages/1_ESC.py")
    assert "No Employee Service Centre figures were reported for 2023/24 Q4" in texts(at)
    assert "EMSS: not reported for 2023/24 Q4." in texts(at)  # under each metric's heading
    at.switch_page("pages/5_Debt_collection.py").run()
    assert "No debt movements were reported for 2023/24 Q4" in texts(at)


def test_an_emss_wide_figure_is_labelled_so_when_a_council_is_chosen(store: Store) -> None:
    at = open_page("pages/1_ESC.py", view="LCC")
    assert ("EMSS-wide", "91,410", "") in tiles(at)  # Q2 generated: not compared
    assert "**EMSS-wide**: reported for EMSS as a whole" in texts(at)


def test_targets_give_a_status_in_words(store: Store) -> None:
    (store.root / "targets.toml").write_text(
        "[fsc_invoices_paid_30d]\ntarget = 95.5\namber = 95.0\n", encoding="utf-8"
    )
    at = open_page("pages/2_FSC.py", view="Councils")
    show_in_full(at, "FSC", "fsc_invoices_paid_30d")
    captions = [note for tile in shown_tiles(at) for note in tile["notes"]]
    assert "✓ On target (target 95.5%)" in captions  # LCC 95.7%
    assert "! Near target (target 95.5%)" in captions  # NCC 95.3%


def test_a_broken_targets_file_is_reported_not_raised(store: Store) -> None:
    (store.root / "targets.toml").write_text("[no_such_metric]\ntarget = 1\n", encoding="utf-8")
    at = open_page()
    assert "Targets are not shown" in at.error[0].value
    assert shown_tiles(at)


def test_navigation_names_the_pages(store: Store) -> None:
    at = open_page()
    links = [e.proto.label for e in at.sidebar.get("page_link")]
    assert links == [
        "Overview",
        "ESC",
        "FSC",
        "People",
        "Customer",
        "Debt collection",
        "Projects",
        "Report",
        "Definitions",
        "Upload",
        "History",
    ]


def test_the_links_to_pages_of_figures_carry_the_filters_chosen(store: Store) -> None:
    """So that a page opened from its link in a new tab (a new session) shows the same view."""
    at = open_page("pages/1_ESC.py")
    at.radio(key=VIEW).set_value("NCC").run()
    links = {e.proto.label: e.proto.query_string for e in at.sidebar.get("page_link")}
    assert "view=NCC" in links["FSC"] and "view=NCC" in links["Report"]
    assert links["Definitions"] == links["Upload"] == ""  # pages that use no filter
    assert [e.proto.label for e in at.sidebar.get("page_link")].count("FSC") == 1


def test_provenance_names_the_newest_snapshots_and_counts_the_rest(store: Store) -> None:
    for value in range(6):  # six corrections on top of the two bundled snapshots
        frame = pd.DataFrame(
            {
                "quarter": ["2023/24 Q3"],
                "partner": ["EMSS"],
                "metric": ["customer_satisfaction"],
                "value": [80.0 + value],
                "note": [None],
            }
        )
        store.commit({"metrics": frame}, uploaded_by=f"editor {value}", kind="upload")
    at = open_page()
    sidebar = "\n".join(str(e.value) for e in at.sidebar.caption)
    assert "by editor 5." in sidebar and "by editor 1." in sidebar
    assert "by editor 0." not in sidebar
    assert "3 earlier snapshots in use: see History." in sidebar


def test_fsc_lists_the_invoices_on_hold_when_a_computed_snapshot_has_them(store: Store) -> None:
    at = show_in_full(open_page("pages/2_FSC.py"), "FSC", "fsc_invoices_on_hold_90d")
    assert not [e for e in at.expander if "invoices" in e.label]  # nothing computed yet

    samples = sorted((Path(APP).parent / "data" / "samples").glob("*.csv"))
    result = computing.compute(samples, load_config(), today=dt.date(2024, 3, 18))
    computing.commit(store, result, uploaded_by="fsc")
    at = show_in_full(open_page("pages/2_FSC.py"), "FSC", "fsc_invoices_on_hold_90d")
    labels = [e.label for e in at.expander if "invoices" in e.label]
    assert labels == [
        "Leicestershire County Council: 841 invoices",
        "Nottingham City Council: 568 invoices",
    ]
    held = next(df.value for df in at.dataframe if "supplier" in df.value.columns)
    assert len(held) == 841 and held["days_on_hold"].min() >= 90

    at.radio(key=VIEW).set_value("NCC").run()
    labels = [e.label for e in at.expander if "invoices" in e.label]
    assert labels == ["Nottingham City Council: 568 invoices"]


def _warm_after_commit() -> None:
    from emss import ui_areas

    ui_areas.warm_caches()


def test_warming_after_a_commit_prepares_what_the_first_visitor_sees(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    st.cache_data.clear()
    st.cache_resource.clear()
    made, headlines = [], []
    glance_table, headline_rows = emss_tables.glance_table, emss_tables.headlines
    monkeypatch.setattr(
        emss_tables, "glance_table", lambda *args: made.append(args) or glance_table(*args)
    )
    monkeypatch.setattr(
        emss_tables, "headlines", lambda *args: headlines.append(args) or headline_rows(*args)
    )
    at = AppTest.from_function(_warm_after_commit, default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    assert len(made) == len(load_catalogue().areas)  # every area's table, once
    assert len(headlines) == 1  # and the Overview's
    open_page("pages/1_ESC.py")  # the Overview first, then ESC
    assert len(made) == len(load_catalogue().areas)  # the page found its table ready
    assert len(headlines) == 1
