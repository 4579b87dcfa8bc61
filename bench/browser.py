"""What a person at a browser waits for: cold start, a partner change, the server's memory.

Uses the browser tests' server and idle helpers (tests/browser/helpers.py): ``streamlit run``
on a free loopback port over the given store, and Debian chromium driven by Playwright.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from emss.catalogue import VIEWS
from emss.filters import DEFAULT_VIEW, VIEW_LABELS
from tests.browser.helpers import (
    CHROMIUM_ARGS,
    CHROMIUM_PATH,
    start_streamlit_server,
    wait_for_streamlit_idle,
)

TIMEOUT_MS = 120_000
# The text of every figure tile in the main area: what a partner change must update.
_TILES_JS = """
() => Array.from(document.querySelectorAll('[data-testid="stMain"] [data-testid="stMetric"]'))
  .map(e => e.innerText).join('|')
"""
# The app has finished its rerun and the tiles no longer say what they said before.
_UPDATED_JS = """
(before) => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') === 'running') return false;
  const now = Array.from(
    document.querySelectorAll('[data-testid="stMain"] [data-testid="stMetric"]'))
    .map(e => e.innerText).join('|');
  return now !== '' && now !== before;
}
"""


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (share 0.95 for the 95th)."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * share // 1))
    return ordered[int(rank) - 1]


def vm_high_water_mb(pid: int) -> float:
    """Peak resident set size of a process (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM for process {pid}")


def page_paths(pages: list[str]) -> list[str]:
    """URL paths of the pages: "pages/5_Debt_collection.py" → "/Debt_collection"."""
    return ["/" if page == "app.py" else "/" + Path(page).stem.split("_", 1)[1] for page in pages]


def measure(store: Path, pages: list[str], changes: int) -> dict:
    """Cold start, ``changes`` partner changes on the Overview, then every page once and
    the server's peak memory."""
    from playwright.sync_api import sync_playwright

    result: dict = {}
    with (
        tempfile.TemporaryDirectory(prefix="emss-bench-server-") as work,
        sync_playwright() as pw,
    ):
        browser = pw.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        server = start_streamlit_server(
            Path(work),
            data_src=None,
            extra_env={"EMSS_DATA_DIR": str(store), "EMSS_EDITOR_PASSWORD": "bench"},
            timeout_s=TIMEOUT_MS / 1000,
        )
        try:
            page.goto(server.url)
            page.locator('[data-testid="stMetricValue"]').first.wait_for(state="visible")
            wait_for_streamlit_idle(page, timeout=TIMEOUT_MS, settle_ms=0)
            result["cold_start_s"] = time.monotonic() - server.started_at

            radio = page.locator('[data-testid="stSidebar"] [data-testid="stRadio"]').filter(
                has_text="Partner"
            )
            # The page opens on the default view, so it comes last.
            order = [v for v in VIEWS if v != DEFAULT_VIEW] + [DEFAULT_VIEW]
            times = []
            for i in range(changes):
                before = page.evaluate(_TILES_JS)
                option = radio.get_by_text(VIEW_LABELS[order[i % len(order)]], exact=True)
                start = time.perf_counter()
                option.click()
                page.wait_for_function(_UPDATED_JS, arg=before, polling="raf")
                times.append(1000 * (time.perf_counter() - start))
                wait_for_streamlit_idle(page, timeout=TIMEOUT_MS, settle_ms=0)
            result["partner_change_p50_ms"] = statistics.median(times)
            result["partner_change_p95_ms"] = percentile(times, 0.95)

            for path in page_paths(pages):
                page.goto(server.url + path)
                page.locator('[data-testid="stMain"] h1').first.wait_for(state="visible")
                wait_for_streamlit_idle(page, timeout=TIMEOUT_MS)
            result["peak_rss_mb"] = vm_high_water_mb(server.process.pid)
        finally:
            server.stop()
            context.close()
            browser.close()
    return result
