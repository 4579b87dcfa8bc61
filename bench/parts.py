"""What a filter change costs the browser, part by part: ``python -m bench.parts``.

The page is served as it is and from copies of the repository with parts of its filter
change left out (the address bar's update, the links that carry the filters, the provenance,
the illustrative-data banner, the page's content below its title, an area's table of every
figure), each copy over the bundled store or a scaled one (``--store 40x200``) and beside the
bare page (``bench/bare_app.py``). Partner changes alternate between the page and the bare
page; each is timed as ``bench.browser`` times it (pointer press → settled and idle) and with
Chrome's own count of its main thread's work in that time (``Performance.getMetrics``: every
task, and the script among it). A part's cost is the
page's median with it less the median without it. Removing parts breaks the page for a
person (no links, no content): the copies are for measuring only, in a temporary folder.
Nothing passes or fails; it reports.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bench.browser import BARE_APP, TIMEOUT_MS, Change, radio_choice, timed
from bench.stores import Shape, build_store, check_store_name
from emss.catalogue import VIEWS
from emss.filters import DEFAULT_VIEW, VIEW_LABELS
from tests.browser.helpers import (
    CHROMIUM_ARGS,
    CHROMIUM_PATH,
    REPO_ROOT,
    start_streamlit_server,
    url_path,
    wait_until_settled,
)

BARE_OPTIONS = ["Two", "Three", "Four", "One"]  # from its default, round and back
METRICS = {"busy": "TaskDuration", "script": "ScriptDuration"}  # seconds, cumulative


@dataclass(frozen=True)
class Edit:
    """Text in one of the repository's files, and what a copy has instead."""

    path: str
    old: str
    new: str = ""


# Each part of a filter change, as the edits that leave it out. ``emss/ui.py``'s fragment
# (``_figures``) and ``emss/ui_areas.py``'s ``area_view``: an edit that no longer matches
# exactly once stops the bench with its name.
PARTS: dict[str, tuple[Edit, ...]] = {
    "address bar": (
        Edit("emss/ui.py", "st.query_params.update(params)  # a message", "pass  # a message"),
    ),
    "links": (
        Edit("emss/ui.py", "    with figure_links:\n        _page_links(FIGURE_PAGES, chosen)\n"),
    ),
    "provenance": (Edit("emss/ui.py", "    with provenance:\n        _provenance_caption()\n"),),
    "banner": (Edit("emss/ui.py", "    _illustrative_banner()\n"),),
    "content": (Edit("emss/ui.py", "    draw(chosen)\n"),),
    "area table": (Edit("emss/ui_areas.py", "st.html(figures.table_html)", "None"),),
}
FRAME = ("address bar", "links", "provenance", "banner")
VARIANTS: dict[str, tuple[str, ...]] = {
    "nothing (the page as it is)": (),
    **{part: (part,) for part in PARTS},
    "address bar, links, provenance, banner": FRAME,
    "all of those and the content": (*FRAME, "content"),
}


def copy_without(parts: tuple[str, ...], into: Path) -> Path:
    """A copy of the repository's code (not its data or history) with ``parts`` left out."""
    ignore = shutil.ignore_patterns(".git", ".venv", "data", "test-output", "__pycache__")
    shutil.copytree(REPO_ROOT, into, ignore=ignore)
    for part in parts:
        for edit in PARTS[part]:
            file = into / edit.path
            text = file.read_text(encoding="utf-8")
            if text.count(edit.old) != 1:
                raise SystemExit(
                    f"bench.parts: the edit leaving out {part!r} no longer matches {edit.path}"
                )
            file.write_text(text.replace(edit.old, edit.new), encoding="utf-8")
    return into


def _main_thread(cdp) -> dict[str, float]:
    values = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    return {name: values[metric] * 1000 for name, metric in METRICS.items()}


def _timed_with_work(page, cdp, change: Change) -> dict[str, float]:
    before = _main_thread(cdp)
    waited = timed(page, change)
    after = _main_thread(cdp)
    return {"wait": waited} | {name: after[name] - before[name] for name in METRICS}


def _partner_labels() -> list[str]:
    views = list(VIEWS)
    first = views.index(DEFAULT_VIEW)
    return [VIEW_LABELS[v] for v in views[first + 1 :] + views[: first + 1]]


def measure_variant(
    browser, bare, bare_cdp, copy: Path, store: Path, page_file: str, changes: int
) -> dict:
    """Medians of ``changes`` partner changes on the copy's page over a copy of ``store`` and
    as many on the bare page, alternating, after one untimed round of each."""
    labels = _partner_labels()
    with tempfile.TemporaryDirectory(prefix="emss-bench-parts-") as work:
        server = start_streamlit_server(
            Path(work), cwd=copy, data_src=store, timeout_s=TIMEOUT_MS / 1000
        )
        context = browser.new_context(viewport={"width": 1440, "height": 900})
        try:
            page = context.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            page.goto(server.url + url_path(page_file))
            wait_until_settled(page, timeout=TIMEOUT_MS)
            cdp = context.new_cdp_session(page)
            cdp.send("Performance.enable")
            runs: dict[str, list[dict]] = {"page": [], "bare": []}
            for turn in range(len(labels) + changes):
                shown = _timed_with_work(
                    page, cdp, radio_choice(page, "Partner", labels[turn % len(labels)])
                )
                option = BARE_OPTIONS[turn % len(BARE_OPTIONS)]
                floor = _timed_with_work(bare, bare_cdp, radio_choice(bare, "Partner", option))
                if turn >= len(labels):
                    runs["page"].append(shown)
                    runs["bare"].append(floor)
        finally:
            context.close()
            server.stop()
    return {
        who: {k: statistics.median(r[k] for r in rows) for k in rows[0]}
        for who, rows in runs.items()
    }


def measure(store_name: str, page_file: str, changes: int, rounds: int) -> list[dict[str, dict]]:
    """Every variant's medians over the store (``bundled`` or a shape such as ``40x200``,
    built for the run), once per round (the variants in turn within a round)."""
    from playwright.sync_api import sync_playwright

    results: list[dict[str, dict]] = []
    with tempfile.TemporaryDirectory(prefix="emss-bench-parts-") as work, sync_playwright() as pw:
        store = REPO_ROOT / "data"
        if store_name != "bundled":
            store = build_store(Path(work) / "store", Shape.parse(store_name)).root
        copies = {
            name: copy_without(parts, Path(work) / f"copy{i}")
            for i, (name, parts) in enumerate(VARIANTS.items())
        }
        browser = pw.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
        bare_server = start_streamlit_server(
            Path(work) / "bare", app=BARE_APP, data_src=None, timeout_s=TIMEOUT_MS / 1000
        )
        try:
            bare = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
            bare.set_default_timeout(TIMEOUT_MS)
            bare.goto(bare_server.url)
            wait_until_settled(bare, timeout=TIMEOUT_MS)
            bare_cdp = bare.context.new_cdp_session(bare)
            bare_cdp.send("Performance.enable")
            for turn in range(rounds):
                measured = {}
                for name, copy in copies.items():
                    print(f"round {turn + 1}, left out: {name}", file=sys.stderr, flush=True)
                    measured[name] = measure_variant(
                        browser, bare, bare_cdp, copy, store, page_file, changes
                    )
                results.append(measured)
        finally:
            bare_server.stop()
            browser.close()
    return results


WHOLE = next(iter(VARIANTS))  # the page as it is
COLUMNS = (
    "Left out",
    "click → settled",
    "bare page",
    "ratio",
    "saved",
    "main thread busy",
    "of which script",
)


def _number(value: float, fmt: str) -> str:
    text = fmt.format(value)
    return text.lstrip("-") if float(text.rstrip("×")) == 0 else text  # no "-0"


def _spread(values: list[float], fmt: str = "{:.0f}") -> str:
    low, high = _number(min(values), fmt), _number(max(values), fmt)
    return low if low == high else f"{low}–{high}"


def table(title: str, results: list[dict[str, dict]]) -> str:
    """One markdown table: each variant's medians as the lowest–highest over the rounds;
    "saved" is the page as it is less the variant, in the same round."""
    lines = [
        f"{title}, partner changes: medians in ms, lowest–highest of {len(results)} rounds",
        "",
        "| " + " | ".join(COLUMNS) + " |",
        "|---|" + "--:|" * (len(COLUMNS) - 1),
    ]
    for name in VARIANTS:
        page = [r[name]["page"] for r in results]
        bare = [r[name]["bare"] for r in results]
        saved = [r[WHOLE]["page"]["wait"] - r[name]["page"]["wait"] for r in results]
        cells = [
            name,
            _spread([p["wait"] for p in page]),
            _spread([b["wait"] for b in bare]),
            _spread([p["wait"] / b["wait"] for p, b in zip(page, bare, strict=True)], "{:.2f}×"),
            "–" if name == WHOLE else _spread(saved),
            _spread([p["busy"] for p in page]),
            _spread([p["script"] for p in page]),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.parts", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--page", default="pages/1_ESC.py", help="a page with filters")
    parser.add_argument(
        "--store", default="bundled", help='"bundled" (data/) or a shape such as 40x200'
    )
    parser.add_argument("--changes", type=int, default=30, help="partner changes per variant")
    parser.add_argument("--rounds", type=int, default=2, help="times over every variant")
    args = parser.parse_args(argv)
    try:
        check_store_name(args.store)
    except ValueError as error:
        parser.error(str(error))
    results = measure(args.store, args.page, args.changes, args.rounds)
    print(table(f"{args.page} on the {args.store} store", results))


if __name__ == "__main__":
    main()
