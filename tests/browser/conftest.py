"""Fixtures for real-browser tests: a ``streamlit run`` server + Debian chromium.

Every test collected under tests/browser/ gets the ``browser`` marker, so
``pytest -m "not browser"`` skips them all.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser.helpers import (
    CHROMIUM_ARGS,
    CHROMIUM_PATH,
    REPO_ROOT,
    serving,
    wait_for_streamlit_idle,
)

BROWSER_DIR = Path(__file__).resolve().parent
SCREENSHOT_DIR = REPO_ROOT / "test-output" / "screenshots"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if BROWSER_DIR in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def streamlit_server(tmp_path_factory):
    """The repo's app.py served by ``streamlit run`` on a free loopback port.

    The bundled store ``data/`` is copied to a temp dir handed to the app as
    EMSS_DATA_DIR (``.data_dir``); EMSS_EDITOR_PASSWORD is "browser-test-password".
    """
    with serving(tmp_path_factory.mktemp("streamlit-server")) as server:
        yield server


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    pg.set_default_timeout(20_000)
    try:
        yield pg
    finally:
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
        try:
            pg.screenshot(path=str(SCREENSHOT_DIR / f"{name}.png"), full_page=True)
        except Exception as exc:  # a screenshot must never mask the test's own result
            print(f"screenshot for {request.node.nodeid} failed: {exc}")
        context.close()


@pytest.fixture
def streamlit_idle():
    """``wait_for_streamlit_idle`` as a fixture: ``streamlit_idle(page)``."""
    return wait_for_streamlit_idle
