"""What a person at a browser waits for, on every page, against a bare Streamlit page.

For a store: ``streamlit run app.py`` over a copy of it and ``streamlit run bench/bare_app.py``
(a sidebar radio and eight ``st.metric`` tiles), both served as the browser tests serve
(tests/browser/helpers.py) and driven in Debian chromium by Playwright. Measured:

- cold start: ``streamlit run`` → the Overview settled;
- on every page with filters, partner, quarter, comparison and financial-year changes (after
  one untimed round, so the caches hold the values: "cached"), click → settled (a quarter is
  a radio button of the latest financial year; a year is chosen from a list: the list is
  opened first and the time starts with the choice); on a page
  whose charts (or the report's preview) are a click away (``ui.disclosure``), partner
  changes again with them open, as a reader who opened them;
- on every page, opening it from the Overview through the sidebar's link;
- the first view after an upload: a snapshot committed through the store (every cache is
  keyed on the store's version, so all miss), then a partner change;
- the server's resident memory after all of it.

Settled means what a person sees: the script has finished (Streamlit's ``script_finished``
message has come after the click and the status widget is gone), every
visible chart is drawn (vega-embed's canvas or SVG present and sized) and the browser is idle
(``requestIdleCallback``). A change is timed in the page's own clock, from the press of the
pointer on the control (its ``pointerdown`` event) to the idle callback after the page settled:
what Playwright does before pressing (finding the control, waiting two frames for it to be
still: 35-45 ms measured here) and its round trips while polling are not a person's wait, and
counted on both pages they would bring every ratio closer to 1. Every fourth product change is
followed by a change on the bare page, so the floor is measured in the same minutes; figures
are reported as ratios to it.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from emss import ingest
from emss.catalogue import VIEWS, load_catalogue
from emss.filters import COMPARISONS, DEFAULT_VIEW, VIEW_LABELS
from emss.quarters import Quarter
from emss.queries import Database
from emss.store import Store
from tests.browser.helpers import (
    CHARTS_DRAWN_JS,
    CHROMIUM_ARGS,
    CHROMIUM_PATH,
    IDLE_JS,
    REPO_ROOT,
    open_disclosure,
    start_streamlit_server,
    url_path,
    wait_until_settled,
)

TIMEOUT_MS = 120_000
BARE_APP = Path(__file__).resolve().parent / "bare_app.py"
BARE_EVERY = 4  # a bare-page change after every fourth product change
FILTERS = ("partner", "quarter", "comparison", "year")
# Goals (issue 12): a ratio to the bare page's figure in the same run.
CACHED_GOAL = 1.5  # p50 and p95 of a filter change
FIRST_VIEW_GOAL = 3.0  # p95 of the first view after an upload
COLD_START_GOAL_S = 3.0
RSS_GOAL_MB = 300.0

# Counts the script runs that finish: Streamlit ends every run with a ForwardMsg holding
# ``script_finished`` (field 6, a varint) and the run's metadata, and a change has been
# answered once such a message has come after its click (the message's top-level fields are
# read; only short messages are looked at). The websocket already exists when this is
# installed, so its listener is added at the next message the page sends (the click's rerun
# request). A run's state attribute or a change on screen is no sure sign: a quick run that
# draws the same page (a council's view of EMSS-wide figures) leaves neither, and a change on
# screen can come before the run has ended. Installed once per document.
_WATCH_JS = """
() => {
  if (window.emssFinished !== undefined) return;
  window.emssFinished = 0;
  const varint = (bytes, at) => {
    let value = 0, shift = 0, byte;
    do { byte = bytes[at++]; value += (byte & 0x7f) * 2 ** shift; shift += 7; } while (byte & 0x80);
    return [value, at];
  };
  const finishesRun = bytes => {
    for (let at = 0, tag, length; at < bytes.length;) {
      [tag, at] = varint(bytes, at);
      if (tag === 0x30) return true;
      if ((tag & 7) === 0) [, at] = varint(bytes, at);
      else if ((tag & 7) === 2) { [length, at] = varint(bytes, at); at += length; }
      else return false;
    }
    return false;
  };
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) {
    if (!this.emssWatched) {
      this.emssWatched = true;
      this.addEventListener('message', event => {
        if (event.data instanceof ArrayBuffer && event.data.byteLength < 256
            && finishesRun(new Uint8Array(event.data))) window.emssFinished += 1;
      });
    }
    return send.call(this, data);
  };
}
"""
_SETTLED_JS = f"""
(finished) => window.emssFinished > finished && ({IDLE_JS})() && ({CHARTS_DRAWN_JS})()
"""
# Before a change: the next press of the pointer is where the wait starts.
_PRESS_JS = """
() => {
  window.emssPressed = window.emssIdle = undefined;
  document.addEventListener('pointerdown', event => { window.emssPressed = event.timeStamp; },
                            {capture: true, once: true});
}
"""
# Polled every frame: once settled, asks for the browser's next idle moment and is done when
# it has come (bounded as IDLE_CALLBACK_JS is).
_WAITED_JS = f"""
(finished) => {{
  if (window.emssIdle === undefined && ({_SETTLED_JS})(finished)) {{
    window.emssIdle = null;
    requestIdleCallback(() => {{ window.emssIdle = performance.now(); }}, {{timeout: 5000}});
  }}
  if (typeof window.emssIdle !== 'number') return false;
  if (window.emssPressed === undefined) throw new Error('no press of the pointer');
  return window.emssIdle - window.emssPressed;
}}
"""


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (share 0.95 for the 95th)."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * share // 1))
    return ordered[int(rank) - 1]


def _status_kb(pid: int, field: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} for process {pid}")


@dataclass(frozen=True)
class Change:
    """A change a person makes: ``click`` makes it; ``opening``, when given, first opens the
    list it is chosen from (no rerun: the wait starts with the choice, as on the bare page's
    radio)."""

    click: Callable[[], None]
    opening: Callable[[], None] | None = None


def timed(page, change: Change) -> float:
    """Milliseconds from the press on the change's control until the page has settled after
    the rerun it causes and the browser is idle."""
    page.evaluate(_WATCH_JS)
    if change.opening is not None:
        change.opening()
    before = page.evaluate("() => window.emssFinished")
    page.evaluate(_PRESS_JS)
    change.click()
    waited = page.wait_for_function(_WAITED_JS, arg=before, polling="raf", timeout=TIMEOUT_MS)
    return waited.json_value()


def radio_choice(page, group: str, option: str) -> Change:
    radios = page.get_by_test_id("stSidebar").get_by_role("radiogroup", name=group)
    return Change(radios.get_by_text(option, exact=True).click)


def _year(page, label: str) -> Change:
    years = page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox")
    return Change(
        page.get_by_role("option", name=label, exact=True).click,
        opening=years.filter(has_text="Financial year").click,
    )


def _round(newest_first: list[str]) -> list[str]:
    """A round of changes over the three newest values, from the default (the newest) back
    to it; none when there is only one."""
    shown = newest_first[:3]
    return shown[1:] + shown[:1] if len(shown) > 1 else []


class Bench:
    """The product's page and the bare page, with the bare page's timings kept as they
    are interleaved."""

    def __init__(self, page, bare, quarters: list[Quarter]) -> None:
        self.page, self.bare = page, bare
        latest = quarters[-1].start_year
        self.numbers = [q.short for q in reversed(quarters) if q.start_year == latest]
        self.years = list(dict.fromkeys(q.financial_year for q in reversed(quarters)))
        self.bare_times: list[float] = []
        self._bare_turn = 0
        self._count = 0
        self.turns: dict[str, int] = {}

    def product(self, change: Change) -> float:
        took = timed(self.page, change)
        self._count += 1
        if self._count % BARE_EVERY == 0:
            self._bare_turn = (self._bare_turn + 1) % 4
            option = ["One", "Two", "Three", "Four"][self._bare_turn]
            self.bare_times.append(timed(self.bare, radio_choice(self.bare, "Partner", option)))
        return took

    def actions(self, name: str) -> list[Change]:
        """One round of changes of a filter, from its default back to it."""
        if name == "partner":
            views = list(VIEWS)
            first = views.index(DEFAULT_VIEW)
            labels = [VIEW_LABELS[v] for v in views[first + 1 :] + views[: first + 1]]
            return [radio_choice(self.page, "Partner", x) for x in labels]
        if name == "comparison":
            labels = list(COMPARISONS.values())
            return [radio_choice(self.page, "Compare with", x) for x in labels[1:] + labels[:1]]
        if name == "quarter":
            return [radio_choice(self.page, "Quarter", q) for q in _round(self.numbers)]
        return [_year(self.page, y) for y in _round(self.years)]

    def next_change(self, name: str) -> Change:
        """The change of a filter to its next value (a page opens on the defaults)."""
        turn = self.turns.get(name, 0)
        self.turns[name] = turn + 1
        round_ = self.actions(name)
        return round_[turn % len(round_)]

    def changes(self, name: str, count: int) -> list[float]:
        """One untimed round (the caches then hold every value), then ``count`` timed
        changes (none for a filter with one value)."""
        if not self.actions(name):
            return []
        for _ in self.actions(name):
            timed(self.page, self.next_change(name))
        return [self.product(self.next_change(name)) for _ in range(count)]

    def open_from_overview(self, url: str, label: str) -> float:
        self.page.goto(url)
        wait_until_settled(self.page, timeout=TIMEOUT_MS)
        link = self.page.get_by_test_id("stSidebar").get_by_role("link", name=label, exact=True)
        return self.product(Change(link.click))


def _correction(store: Store, turn: int) -> None:
    """Commit a snapshot revising one figure of the latest quarter, as an upload does."""
    quarter = Database(store).latest_quarter()
    metric = next(m for m in load_catalogue().uploadable if m.unit.name == "count")
    row = f"{quarter},{metric.partners[0]},{metric.key},{1000 + turn},"
    text = f"quarter,partner,metric,value,note\n{row}\n"
    validation = ingest.validate([("bench-correction.csv", text.encode())])
    if not validation.ok:
        raise RuntimeError(f"the bench correction is invalid: {validation.summary()}")
    ingest.commit(store, validation, uploaded_by="bench (browser)")


def measure(store: Path, changes: int, first_views: int) -> dict:
    """Every figure above for one store (served from a copy: the upload changes it)."""
    from playwright.sync_api import sync_playwright

    # emss.ui imports streamlit: only when the section runs.
    from emss.ui import PAGES, WIDGET_CHARTS, WIDGET_PREVIEW

    # ui.disclosure: what a page draws only once asked for, and the bench's name for it open.
    disclosures = {WIDGET_CHARTS: "charts open", WIDGET_PREVIEW: "preview open"}

    pages = [(path, label) for path, label in PAGES if (REPO_ROOT / path).exists()]
    result: dict = {"pages": {}}
    with (
        tempfile.TemporaryDirectory(prefix="emss-bench-browser-") as work,
        sync_playwright() as pw,
    ):
        browser = pw.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
        viewport = {"viewport": {"width": 1440, "height": 900}}
        page = browser.new_context(**viewport).new_page()
        bare = browser.new_context(**viewport).new_page()
        for p in (page, bare):
            p.set_default_timeout(TIMEOUT_MS)
        bare_server = start_streamlit_server(
            Path(work) / "bare", app=BARE_APP, data_src=None, timeout_s=TIMEOUT_MS / 1000
        )
        server = start_streamlit_server(
            Path(work) / "app",
            data_src=store,
            extra_env={"EMSS_EDITOR_PASSWORD": "bench"},
            timeout_s=TIMEOUT_MS / 1000,
        )
        try:
            page.goto(server.url)
            wait_until_settled(page, timeout=TIMEOUT_MS, settle_ms=0)
            result["cold_start_s"] = time.monotonic() - server.started_at
            bare.goto(bare_server.url)
            wait_until_settled(bare, timeout=TIMEOUT_MS, settle_ms=0)

            db = Database(Store(server.data_dir))
            bench = Bench(page, bare, db.quarters_with_data())
            for path, label in pages:
                figures: dict = {}
                url = server.url + url_path(path)
                if path != "app.py":
                    figures["open"] = [bench.open_from_overview(server.url, label)]
                page.goto(url)
                wait_until_settled(page, timeout=TIMEOUT_MS)
                bench.turns.clear()  # a new session: the filters are at their defaults
                if page.get_by_test_id("stSidebar").get_by_role("radiogroup").count():
                    for name in FILTERS:
                        figures[name] = bench.changes(name, changes)
                    first = []
                    for turn in range(first_views):
                        _correction(Store(server.data_dir), turn)
                        first.append(bench.product(bench.next_change("partner")))
                    figures["first_view"] = first
                result["pages"][label] = figures
                for key, opened in disclosures.items():  # as a reader who opened it
                    if page.locator(f".st-key-{key}").count():
                        open_disclosure(page, key)
                        shown = {"partner": bench.changes("partner", changes)}
                        result["pages"][f"{label}, {opened}"] = shown
            result["bare"] = bench.bare_times
            pid = server.process.pid
            result["rss_mb"] = _status_kb(pid, "VmRSS") / 1024
            result["peak_rss_mb"] = _status_kb(pid, "VmHWM") / 1024
        finally:
            server.stop()
            bare_server.stop()
            browser.close()
    return result


def _ratio_cell(times: list[float], floor: list[float], share: float, goal: float) -> str:
    value = percentile(times, share) if share != 0.5 else statistics.median(times)
    base = percentile(floor, share) if share != 0.5 else statistics.median(floor)
    ratio = value / base
    return f"{value:,.0f} ({ratio:.1f}× {'✓' if ratio <= goal else '✗'})"


def table(name: str, figures: dict) -> str:
    """The store's browser figures per page: p50 and p95 in ms, each with its ratio to the
    bare page's same percentile and ✓/✗ against its goal."""
    floor = figures["bare"]
    head = ["Page"]
    for what in (*FILTERS, "first view after upload"):
        head += [f"{what} p50", f"{what} p95"]
    head.append("open (ms)")
    lines = [
        f"Browser, {name} store: click → settled, ms (ratio to the bare page's, ✓ goal met, "
        f"✗ missed). Bare page: p50 {statistics.median(floor):,.0f} ms, "
        f"p95 {percentile(floor, 0.95):,.0f} ms over {len(floor)} changes. Goals: filter "
        f"changes p50 and p95 ≤ {CACHED_GOAL}×; first view after upload p95 ≤ "
        f"{FIRST_VIEW_GOAL}×. Cold start {figures['cold_start_s']:.1f} s "
        f"({'✓' if figures['cold_start_s'] <= COLD_START_GOAL_S else '✗'} ≤ "
        f"{COLD_START_GOAL_S:.0f} s); server RSS after every page {figures['rss_mb']:,.0f} MB "
        f"({'✓' if figures['rss_mb'] <= RSS_GOAL_MB else '✗'} ≤ {RSS_GOAL_MB:.0f} MB; peak "
        f"{figures['peak_rss_mb']:,.0f} MB).",
        "",
        "| " + " | ".join(head) + " |",
        "|---|" + "--:|" * (len(head) - 1),
    ]
    for label, page in figures["pages"].items():
        cells = [label]
        for what in (*FILTERS, "first_view"):
            times = page.get(what)
            if not times:
                cells += ["–", "–"]
                continue
            goal = FIRST_VIEW_GOAL if what == "first_view" else CACHED_GOAL
            if what == "first_view":
                cells.append(f"{statistics.median(times):,.0f}")
            else:
                cells.append(_ratio_cell(times, floor, 0.5, goal))
            cells.append(_ratio_cell(times, floor, 0.95, goal))
        cells.append(f"{page['open'][0]:,.0f}" if page.get("open") else "–")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
