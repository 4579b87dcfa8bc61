"""Every page as a person sees it, at 1440×900 and on a 390×844 phone, on the bundled store
and after an editor uploads a quarter 4 through the browser.

On every page: no serious or moderate accessibility problem (axe-core, all its rules: WCAG
2.x A/AA and best practice such as heading order); nothing scrolls sideways (the page, or a
table or block inside it); no "nan" on screen; no text a person reads cut with an ellipsis.
A screenshot of every page at both sizes is written to test-output/walk/ for a person to
look at.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from axe_playwright_python.sync_playwright import Axe

from emss.ui import AREA_PAGES, PAGES, WIDGET_CHARTS, WIDGET_PREVIEW
from tests.browser.helpers import (
    CHARTS_DRAWN_JS,
    IDLE_CALLBACK_JS,
    REPO_ROOT,
    open_disclosure,
    open_url,
    serving,
    sign_in,
    url_path,
    wait_until_settled,
)

SIZES = {"1440x900": (1440, 900), "390x844": (390, 844)}
SHOWN = [(path, label) for path, label in PAGES if (REPO_ROOT / path).exists()]
EDITOR_PAGES = {"Upload", "History"}
# Read with what is a click away shown (ui.disclosure): the charts, the report's preview.
DISCLOSED = {label: WIDGET_CHARTS for label in [*AREA_PAGES, "Debt collection"]} | {
    "Report": WIDGET_PREVIEW
}
SCREENSHOTS = REPO_ROOT / "test-output" / "walk"
AXE_IMPACTS = ("critical", "serious", "moderate")
TIMEOUT_MS = 60_000
SOURCES = REPO_ROOT / "data" / "sources"
Q3, Q4 = "2023/24 Q3", "2023/24 Q4"

# What still fails, by (store, size, page label), with its cause: each is a known defect, not a
# goal given up; the assertions stay as they are and the entry goes when the cause is fixed.
KNOWN: dict[tuple[str, str, str], str] = {}

_axe = Axe()
_MAIN_HEIGHT_JS = """
() => Math.ceil(document.querySelector('[data-testid="stMain"]').scrollHeight)
"""

_STILL_JS = """
() => !document.querySelector('[data-stale="true"]') && document.getAnimations().every(
  a => a.playState !== 'running' || a.effect?.getTiming().iterations === Infinity)
"""

# Sideways scrolling, "nan" and ellipsis-cut text, as a person would find them.
_PROBLEMS_JS = r"""
() => {
  // A phone opens with the sidebar collapsed: what it holds is not on screen.
  const shown = e => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden'
    && !e.closest('[data-testid="stSidebar"][data-collapsed="true"]');
  const name = e => {
    const owner = e.closest('[data-testid]');
    return owner ? owner.getAttribute('data-testid') : e.tagName.toLowerCase();
  };
  // A table draws on a canvas: name it by its column headings.
  const text = e => {
    const own = (e.innerText || e.textContent || '').trim();
    const heads = Array.from(e.querySelectorAll('th')).map(th => th.textContent.trim());
    return (own || heads.join(' | ')).replace(/\s+/g, ' ').slice(0, 80);
  };
  const problems = [];
  const root = document.documentElement;
  if (root.scrollWidth > window.innerWidth + 1) {
    problems.push(`the page scrolls sideways: ${root.scrollWidth}px in ${window.innerWidth}px`);
  }
  for (const e of document.querySelectorAll('[data-testid="stApp"] *')) {
    if (!shown(e)) continue;
    const style = getComputedStyle(e);
    if (['auto', 'scroll'].includes(style.overflowX) && e.scrollWidth > e.clientWidth + 1
        && e.clientWidth > 0) {
      const wide = `${e.scrollWidth}px in ${e.clientWidth}px`;
      problems.push(`scrolls sideways (${wide}): ${name(e)} "${text(e)}"`);
    }
    if (style.textOverflow === 'ellipsis' && e.scrollWidth > e.clientWidth + 1 && text(e)) {
      problems.push(`cut with an ellipsis: ${name(e)} "${text(e)}"`);
    }
  }
  const cells = Array.from(document.querySelectorAll('[data-testid="stDataFrame"] td'))
    .map(td => td.textContent);
  for (const line of [...document.body.innerText.split('\n'), ...cells]) {
    if (/\bnan\b/i.test(line)) problems.push(`"nan" on screen: "${line.trim().slice(0, 100)}"`);
  }
  return problems;
}
"""


def q4_upload() -> list[dict]:
    """A quarter 4 as an editor would bring it: the report's Q3 figures, debt and projects
    carried into Q4, every other figure without a note."""
    files = []
    for kind in ("metrics", "debt", "projects"):
        text = (SOURCES / f"report-2023-24-q3-{kind}.csv").read_text(encoding="utf-8")
        reader = csv.DictReader(io.StringIO(text))
        out = io.StringIO()
        writer = csv.DictWriter(out, reader.fieldnames, lineterminator="\n")
        writer.writeheader()
        for i, row in enumerate(r for r in reader if r["quarter"] == Q3):
            row["quarter"] = Q4
            if kind == "metrics" and i % 2:
                row["note"] = ""
            writer.writerow(row)
        files.append(
            {"name": f"q4-{kind}.csv", "mimeType": "text/csv", "buffer": out.getvalue().encode()}
        )
    return files


def upload(page, files: list[dict]) -> None:
    """Pick the files on the Upload page of a signed-in editor and wait for the preview."""
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(files)
    page.get_by_text("Preview: nothing has been stored yet").wait_for(timeout=TIMEOUT_MS)
    wait_until_settled(page, timeout=TIMEOUT_MS)


@pytest.fixture(scope="module")
def q4_server(tmp_path_factory, browser):
    """A server whose store holds the bundled data and a Q4 uploaded through the browser."""
    with serving(tmp_path_factory.mktemp("walk-q4-server")) as server:
        context = browser.new_context(viewport={"width": 1440, "height": 900})
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        try:
            open_url(page, f"{server.url}/Upload")
            sign_in(page)
            upload(page, q4_upload())
            page.get_by_role("button", name="Store this upload as a new snapshot").click()
            page.get_by_text("Every page shows the new figures now").wait_for()
        finally:
            context.close()
        yield server


def cases(store: str) -> list:
    return [
        pytest.param(
            size,
            path,
            label,
            id=f"{size}-{label}",
            marks=[pytest.mark.xfail(strict=False, reason=KNOWN[store, size, label])]
            if (store, size, label) in KNOWN
            else [],
        )
        for size in SIZES
        for path, label in SHOWN
    ]


def problems_on(browser, url: str, size: str, label: str, shot: str, *, editor: bool) -> list:
    """Open the page at the size (signed in as an editor when asked), write its screenshot
    and return every problem found on it."""
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    try:
        page.goto(url)
        wait_until_settled(page, timeout=TIMEOUT_MS)
        if editor and label in EDITOR_PAGES:
            sign_in(page)
            if label == "Upload":
                upload(page, q4_upload())
        wait_until_settled(page, timeout=TIMEOUT_MS)
        if label in DISCLOSED:
            open_disclosure(page, DISCLOSED[label])
        # Read the page as a person does, once it has stopped moving: an element still fading
        # in (or out, as Streamlit dims what a run is replacing) is not at its own contrast.
        page.wait_for_function(_STILL_JS, timeout=TIMEOUT_MS, polling="raf")
        found = page.evaluate(_PROBLEMS_JS)
        for rule in _axe.run(page).response["violations"]:
            if rule["impact"] in AXE_IMPACTS:
                targets = "; ".join(str(node["target"]) for node in rule["nodes"][:3])
                found.append(
                    f"axe {rule['id']} ({rule['impact']}, {len(rule['nodes'])} elements): "
                    f"{rule['help']}: {targets}"
                )
        # Streamlit scrolls its main area, not the document: a window as tall as that area
        # shows the whole page in one picture.
        tall = page.evaluate(_MAIN_HEIGHT_JS)
        page.set_viewport_size({"width": width, "height": max(height, tall)})
        page.evaluate(IDLE_CALLBACK_JS)
        page.wait_for_function(CHARTS_DRAWN_JS, timeout=TIMEOUT_MS, polling="raf")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9]+", "-", label)
        page.screenshot(path=str(SCREENSHOTS / f"{shot}-{size}-{name}.png"))
        return found
    finally:
        context.close()


@pytest.mark.parametrize(("size", "path", "label"), cases("bundled"))
def test_every_page_reads_well_on_the_bundled_store(streamlit_server, browser, size, path, label):
    url = streamlit_server.url + url_path(path)
    found = problems_on(browser, url, size, label, "bundled", editor=False)
    assert not found, f"{label} at {size}:\n" + "\n".join(found)


@pytest.mark.parametrize(("size", "path", "label"), cases("q4"))
def test_every_page_reads_well_after_a_q4_upload(q4_server, browser, size, path, label):
    url = q4_server.url + url_path(path)
    found = problems_on(browser, url, size, label, "q4", editor=True)
    assert not found, f"{label} at {size} after a Q4 upload:\n" + "\n".join(found)
