"""The dashboard in real chromium: figures on screen, partner and page switched through the
sidebar, filters carried between pages and in a pasted link, charts with their data tables."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from playwright.sync_api import expect

from emss.ui import WIDGET_CHARTS, WIDGET_PREVIEW
from tests.browser.helpers import open_disclosure, open_url, wait_for_streamlit_idle


def tile(page, label: str):
    """The figure tiles labelled ``label`` (perhaps after "Illustrative · ")."""
    named = re.compile(rf"^(Illustrative · )?{re.escape(label)}$")
    return page.locator(".emss-tile").filter(
        has=page.locator(".emss-tile-label").get_by_text(named)
    )


def figure_row(page, cell: str):
    """The rows of an area page's table of every figure with a cell reading ``cell``."""
    return (
        page.get_by_role("table", name=re.compile("^Every .* figure for"))
        .locator("tbody tr")
        .filter(has=page.get_by_role("cell", name=cell, exact=True))
    )


def choose(page, radio: str, option: str) -> None:
    page.get_by_role("radiogroup", name=radio).get_by_text(option, exact=True).click()
    wait_for_streamlit_idle(page)


def go_to(page, name: str) -> None:
    page.get_by_test_id("stSidebar").get_by_role("link", name=name, exact=True).click()
    wait_for_streamlit_idle(page)


def test_overview_shows_the_reports_headlines(streamlit_server, page):
    open_url(page, streamlit_server.url)
    heading = "Overview: EMSS as a whole, 2023/24 Q3"  # the partner view named
    expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    expect(tile(page, "Payroll payments processed")).to_contain_text("43,689")
    expect(tile(page, "Customer satisfaction, all teams")).to_contain_text("83.0%")
    expect(page.get_by_text("▲ +11.0 pp, better", exact=True)).to_be_visible()
    expect(page.get_by_text("No reported Q2 figure.", exact=True).first).to_be_visible()
    expect(page.get_by_text("Illustrative data.", exact=False).first).to_be_visible()


def test_partner_and_page_switched_through_the_sidebar(streamlit_server, page):
    open_url(page, streamlit_server.url)
    choose(page, "Partner", "Both councils side by side")
    go_to(page, "FSC")
    expect(page.get_by_role("heading", name="Finance Service Centre (FSC)")).to_be_visible()
    expect(figure_row(page, "95.7%")).to_contain_text("LCC")
    expect(figure_row(page, "95.3%")).to_contain_text("NCC")

    choose(page, "Partner", "Nottingham City (NCC)")
    expect(figure_row(page, "LCC")).to_have_count(0)
    expect(figure_row(page, "95.7%")).to_have_count(0)
    expect(figure_row(page, "95.3%")).to_contain_text("NCC")
    assert "view=NCC" in page.url
    # The sidebar's link opens the view chosen in a new tab too (a new session).
    link = page.get_by_test_id("stSidebar").get_by_role("link", name="Debt collection")
    expect(link).to_have_attribute("href", re.compile(r"view=NCC"))
    tab = page.context.new_page()
    open_url(tab, link.evaluate("a => a.href"))
    expect(tab.get_by_role("radio", name="Nottingham City (NCC)")).to_be_checked()
    tab.close()

    go_to(page, "Debt collection")
    expect(page.get_by_role("radiogroup", name="Partner")).to_contain_text("Nottingham")
    expect(page.get_by_role("radio", name="Nottingham City (NCC)")).to_be_checked()
    expect(tile(page, "NCC: total movement")).to_contain_text("−£5,671,250")
    expect(tile(page, "LCC: total movement")).to_have_count(0)


def test_a_link_with_filters_opens_that_view(streamlit_server, page):
    query = urlencode({"quarter": "2023/24 Q2", "view": "LCC", "compare": "year_ago"})
    open_url(page, f"{streamlit_server.url}/FSC?{query}")
    expect(page.get_by_text("Figures for 2023/24 Q2 (Jul–Sep 2023)", exact=False)).to_be_visible()
    expect(page.get_by_role("radio", name="Q2")).to_be_checked()
    expect(page.get_by_role("radio", name="Leicestershire (LCC)")).to_be_checked()
    expect(page.get_by_role("radio", name="Same quarter last year")).to_be_checked()
    expect(figure_row(page, "NCC")).to_have_count(0)
    expect(figure_row(page, "LCC").first).to_be_visible()
    expect(figure_row(page, "95.7%")).to_have_count(0)  # the Q3 figure


def test_a_quarter_is_chosen_by_its_year_then_a_click_on_its_number(streamlit_server, page):
    open_url(page, f"{streamlit_server.url}/FSC")
    expect(page.get_by_role("radio", name="Q3")).to_be_checked()
    choose(page, "Quarter", "Q2")
    expect(page.get_by_text("Figures for 2023/24 Q2 (Jul–Sep 2023)", exact=False)).to_be_visible()
    page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").filter(
        has_text="Financial year"
    ).click()
    page.get_by_role("option", name="2022/23", exact=True).click()
    wait_for_streamlit_idle(page)
    expect(page.get_by_text("Figures for 2022/23 Q2 (Jul–Sep 2022)", exact=False)).to_be_visible()
    choose(page, "Quarter", "Q4")  # a year past has all four
    expect(page.get_by_text("Figures for 2022/23 Q4 (Jan–Mar 2023)", exact=False)).to_be_visible()
    assert "quarter=2022%2F23+Q4" in page.url


def test_a_bad_link_value_is_explained_not_raised(streamlit_server, page):
    open_url(page, f"{streamlit_server.url}/FSC?view=Rutland")
    expect(page.get_by_text('The link\'s partner view "Rutland" is not one of')).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
    expect(figure_row(page, "95.3%")).to_be_visible()


def test_every_chart_has_its_data_a_click_away_and_kept_open_once_asked_for(streamlit_server, page):
    open_url(page, f"{streamlit_server.url}/Customer")
    open_disclosure(page, WIDGET_CHARTS)
    charts = page.get_by_test_id("stVegaLiteChart")
    expect(charts.first).to_be_visible()
    tables = page.get_by_role("table", name=re.compile("^Figures of the chart: "))
    expect(tables).to_have_count(0)  # drawn only once asked for
    page.get_by_text("Data table and description", exact=False).first.click()
    expect(tables.first).to_be_visible()
    expect(page.get_by_role("button", name="Download CSV").first).to_be_visible()
    go_to(page, "Debt collection")  # both charts' tables, already open
    expect(charts).to_have_count(2)
    expect(tables).to_have_count(2)


def test_the_trend_chart_is_drawn_once_asked_for_and_stays_open_on_every_page(
    streamlit_server, page
):
    open_url(page, f"{streamlit_server.url}/ESC")
    expect(page.get_by_test_id("stVegaLiteChart")).to_have_count(0)
    open_disclosure(page, WIDGET_CHARTS)
    expect(page.get_by_test_id("stVegaLiteChart")).to_have_count(1)
    go_to(page, "FSC")  # opened once, the trend charts stay open for the session
    expect(page.get_by_test_id("stVegaLiteChart")).to_have_count(1)
    choose(page, "Partner", "Nottingham City (NCC)")
    expect(page.get_by_test_id("stVegaLiteChart")).to_contain_text("NCC")


def test_the_report_is_written_when_its_download_is_clicked(streamlit_server, page, tmp_path):
    open_url(page, streamlit_server.url)
    go_to(page, "Report")
    open_disclosure(page, WIDGET_PREVIEW)
    # The preview's charts are drawn by the browser, between the report's text.
    expect(page.get_by_test_id("stVegaLiteChart")).to_have_count(5)
    with page.expect_download(timeout=120_000) as started:
        page.get_by_role("button", name="Download Word (.docx)").click()
    download = started.value
    assert download.suggested_filename == "emss-report-2023-24-q3.docx"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert saved.read_bytes()[:2] == b"PK"  # a Word file is a zip


def test_a_partner_change_redraws_the_chart_in_place(streamlit_server, page):
    """The trend chart's spec does not change with the partner: the browser keeps the chart
    it drew and swaps its data (drawing it anew cost about 60 ms a change)."""
    open_url(page, f"{streamlit_server.url}/ESC")
    open_disclosure(page, WIDGET_CHARTS)
    choose(page, "Partner", "Leicestershire (LCC)")
    drawn = page.get_by_test_id("stVegaLiteChart").locator("canvas, svg.marks").first
    drawn.evaluate("node => { node.dataset.emssDrawnBefore = 'yes'; }")
    chart = page.get_by_test_id("stVegaLiteChart").first
    expect(chart).to_contain_text("LCC")
    choose(page, "Partner", "Nottingham City (NCC)")
    expect(chart).to_contain_text("NCC")  # the line's direct label: the new data is drawn
    expect(chart).not_to_contain_text("LCC")
    expect(drawn).to_have_attribute("data-emss-drawn-before", "yes")


def test_the_pickers_open_from_inside_their_boxes_on_a_narrow_window(streamlit_server, page):
    """At 900 px the Projects page's three pickers share a row: each one's arrow stays in its
    box (chosen tags wrap instead of pushing it out)."""
    page.set_viewport_size({"width": 900, "height": 1000})
    open_url(page, f"{streamlit_server.url}/Projects")
    pickers = page.get_by_test_id("stMultiSelect")
    expect(pickers).to_have_count(3)
    for index in range(3):
        box = pickers.nth(index).bounding_box()
        arrow = pickers.nth(index).locator("svg").last.bounding_box()
        assert box["x"] <= arrow["x"] and arrow["x"] + arrow["width"] <= box["x"] + box["width"]
