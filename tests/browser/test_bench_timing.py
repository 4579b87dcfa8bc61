"""The browser bench's clock (bench/browser.py): a change is timed from the press on its
control to the settled page, inside the page, and only once the change has been made."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Error, expect

from bench.browser import Change, radio_choice, timed
from emss.catalogue import VIEWS
from emss.filters import DEFAULT_VIEW, VIEW_LABELS
from tests.browser.helpers import wait_until_settled


def test_a_change_is_timed_from_the_press_until_the_page_shows_it(page, streamlit_server):
    page.goto(streamlit_server.url)
    wait_until_settled(page)
    other = VIEW_LABELS[next(view for view in VIEWS if view != DEFAULT_VIEW)]

    start = time.perf_counter()
    took = timed(page, radio_choice(page, "Partner", other))
    elapsed = 1000 * (time.perf_counter() - start)

    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text(other, timeout=1)  # already there: nothing waited for
    assert 0 < took < elapsed  # Playwright's own work before the press is not counted


def test_a_change_made_without_the_pointer_is_refused_not_timed(page, streamlit_server):
    page.goto(streamlit_server.url)
    wait_until_settled(page)
    radio = page.get_by_test_id("stSidebar").get_by_role("radio", name=VIEW_LABELS[DEFAULT_VIEW])
    radio.focus()

    with pytest.raises(Error, match="no press of the pointer"):
        timed(page, Change(lambda: page.keyboard.press("ArrowDown")))
