"""Benchmarks of the dashboard over scaled stores: ``python -m bench [--quick] [...]``.

Builds the stores (see bench/stores.py) in a temporary folder, or in ``--workdir`` where
they are kept and reused, measures each section on each store and prints one markdown
table. Progress goes to stderr, the table to stdout. Timings are not tests: nothing here
passes or fails, it reports (a cell that misses its goal is marked ✗).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench import browser, data
from bench.pages import present_pages
from bench.stores import Shape, build_store, check_store_name
from emss.store import REPO_DATA_DIR

SECTIONS = ("pages", "browser", "summary", "upload")
FULL_STORES = ("bundled", "10x10", "40x200", "200x200", "40x2000")
QUICK_STORES = ("bundled", "10x10", "40x200")
GOAL_STORE = "40x200"
BROWSER_STORES = ("bundled", GOAL_STORE)  # the browser section's stores (issue 12)


@dataclass(frozen=True)
class Row:
    """A line of the table: its label, its goal in words and as a limit, the stores the
    goal applies to, its unit, and whether it is a measurement (not the store's size)."""

    label: str
    goal: str = ""
    limit: float | None = None
    goal_stores: tuple[str, ...] = (GOAL_STORE,)
    unit: str = "ms"
    measured: bool = True


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"only the {', '.join(QUICK_STORES)} stores, fewer repetitions, no 100,000-row upload",
    )
    parser.add_argument(
        "--sections",
        default=",".join(SECTIONS),
        help=f"comma-separated sections to run, of {', '.join(SECTIONS)} (default all)",
    )
    parser.add_argument(
        "--stores",
        help='comma-separated stores: "bundled" (a copy of data/) or QUARTERSxSNAPSHOTS '
        f"(default {','.join(FULL_STORES)}; with --quick {','.join(QUICK_STORES)})",
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        help="build the stores here and keep them; a store already built there is reused",
    )
    parser.add_argument("--json", type=Path, help="also write the raw figures to this file")
    args = parser.parse_args(argv)
    args.sections = [s.strip() for s in args.sections.split(",") if s.strip()]
    unknown = set(args.sections) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown section(s): {', '.join(sorted(unknown))}")
    stores = args.stores or ",".join(QUICK_STORES if args.quick else FULL_STORES)
    args.stores = [s.strip() for s in stores.split(",") if s.strip()]
    for name in args.stores:
        try:
            check_store_name(name)
        except ValueError as error:
            parser.error(str(error))
    return args


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def prepare(name: str, workdir: Path) -> tuple[Path, dict]:
    """The store's folder (built unless already there) and what it holds."""
    root = workdir / name / "data"
    info: dict = {}
    if not (root / "manifest.json").exists():
        shutil.rmtree(root, ignore_errors=True)
        start = time.perf_counter()
        if name == "bundled":
            shutil.copytree(REPO_DATA_DIR, root, ignore=shutil.ignore_patterns("sources", "*.py"))
        else:
            build_store(root, Shape.parse(name))
        info["build_s"] = time.perf_counter() - start
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))["snapshots"]
    info["quarters"] = len({q for s in manifest for q in s["quarters"]})
    info["snapshots"] = len(manifest)
    info["rows"] = sum(s["rows"] for s in manifest)
    return root, info


def run_pages(root: Path, reps: int) -> dict:
    """AppTest page timings in a fresh process (so no cache outlives its store)."""
    out = subprocess.run(
        [sys.executable, "-m", "bench.pages", str(root), "--reps", str(reps)],
        cwd=Path(__file__).resolve().parent.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise RuntimeError(f"bench.pages failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(name: str, root: Path, args: argparse.Namespace) -> dict:
    quick = args.quick
    figures: dict = {}
    if "summary" in args.sections:
        log(f"  {name}: database load and summary; the CLI's summary as a whole process")
        figures |= data.summary(root, reps=5 if quick else 20)
        figures |= data.cli_summary(root, reps=5 if quick else 15)
    if "pages" in args.sections:
        log(f"  {name}: pages (AppTest)")
        for page, timing in run_pages(root, reps=5 if quick else 15).items():
            if timing["error"]:
                log(f"    {page} raised: {timing['error']}")
            figures[f"page {page} warm"] = timing["warm_ms"]
            figures[f"page {page} cold"] = timing["cold_ms"]
    if "browser" in args.sections and name in BROWSER_STORES:
        log(f"  {name}: browser, every page")
        measured = browser.measure(root, changes=5 if quick else 20, first_views=2 if quick else 5)
        figures |= {k: measured[k] for k in ("cold_start_s", "rss_mb", "peak_rss_mb")}
        figures["browser"] = measured
    if "upload" in args.sections:
        sizes = [1_000, 10_000] if quick else [1_000, 10_000, 100_000]
        log(f"  {name}: upload of {', '.join(f'{n:,}' for n in sizes)} rows")
        for rows, timing in data.upload(root, sizes).items():
            figures[f"upload {rows} validate+commit"] = timing["validate_ms"] + timing["commit_ms"]
            figures[f"upload {rows} preview"] = timing["preview_ms"]
    return figures


def rows_for(results: dict[str, dict]) -> list[tuple[str, Row]]:
    """(figure key, how it is shown) in table order, for the figures measured."""
    every = tuple(results)
    spec: list[tuple[str, Row]] = [
        ("quarters", Row("Store: quarters", unit="", measured=False)),
        ("snapshots", Row("Store: snapshots", unit="", measured=False)),
        ("rows", Row("Store: rows in all snapshots", unit="", measured=False)),
        ("build_s", Row("Store build (s)", unit="s", measured=False)),
        (
            "cold_start_s",
            Row(
                "Cold start: `streamlit run` → Overview settled (s)",
                "≤ 3 s",
                3,
                BROWSER_STORES,
                unit="s",
            ),
        ),
        (
            "rss_mb",
            Row("Server RSS after every page (MB)", "≤ 300 MB", 300, BROWSER_STORES, unit="MB"),
        ),
        ("peak_rss_mb", Row("Server peak RSS (MB)", unit="MB")),
        (
            "cli_summary_p50_s",
            Row(
                '`python -m emss summary --quarter "2023/24 Q3"`, median (s)',
                "≤ 0.6 s",
                0.6,
                every,
                unit="s",
            ),
        ),
        ("cli_summary_p95_s", Row("The same, p95 (s)", unit="s")),
        ("cli_summary_cpu_s", Row("The same, CPU time (user + system), median (s)", unit="s")),
        ("db_load_ms", Row("Database build from the store's files (ms)")),
        ("summary_ms", Row("`summarise`, one quarter, every partner (ms)", "< 50 ms", 50, every)),
    ]
    warm_stores = ("bundled", GOAL_STORE)
    spec += [
        (f"page {page} warm", Row(f"{page} warm (ms)", "≤ 100 ms", 100, warm_stores))
        for page in present_pages()
    ]
    spec += [
        # No goal: a cold run is a page's first after a restart or a new snapshot.
        (f"page {page} cold", Row(f"{page} cold (ms)"))
        for page in present_pages()
    ]
    for rows in (1_000, 10_000, 100_000):
        goal = ("< 1 s", 1000) if rows == 10_000 else ("", None)
        label = f"Upload {rows:,} rows"
        spec.append(
            (
                f"upload {rows} validate+commit",
                Row(f"{label}: validate + commit (ms)", *goal, every),
            )
        )
        spec.append((f"upload {rows} preview", Row(f"{label}: preview (ms)")))
    return [(key, row) for key, row in spec if any(key in r for r in results.values())]


def cell(value: float | None, row: Row, store: str) -> str:
    if value is None:
        return "–"
    text = f"{value:,.0f}" if row.unit in ("", "ms", "MB") else f"{value:,.2f}"
    if row.limit is not None and store in row.goal_stores and value > row.limit:
        text += " ✗"
    return text


def table(results: dict[str, dict]) -> str:
    stores = list(results)
    ratio = "40x200" in results and "40x2000" in results
    head = ["Measure", "Goal", *stores] + (["40x2000 ÷ 40x200"] if ratio else [])
    lines = [
        "| " + " | ".join(head) + " |",
        "|" + "|".join(["---"] * 2 + ["--:"] * (len(head) - 2)) + "|",
    ]
    for key, row in rows_for(results):
        cells = [cell(results[s].get(key), row, s) for s in stores]
        if ratio:
            small, big = results["40x200"].get(key), results["40x2000"].get(key)
            ratio_text = f"{big / small:.2f}" if small and big is not None else "–"
            if row.measured and small and big is not None and big > 2 * small:
                ratio_text += " ✗"  # the goal: at 2,000 snapshots at most twice the 200 figure
            cells.append(ratio_text)
        lines.append("| " + " | ".join([row.label, row.goal, *cells]) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    os.environ.setdefault("STREAMLIT_BROWSER_GATHER_USAGE_STATS", "false")
    load_before = os.getloadavg()[0]
    loads = [load_before]
    with tempfile.TemporaryDirectory(prefix="emss-bench-") as temporary:
        workdir = args.workdir or Path(temporary)
        results: dict[str, dict] = {}
        for name in args.stores:
            log(f"{name}: preparing the store")
            root, info = prepare(name, workdir)
            results[name] = info | measure(name, root, args)
            loads.append(os.getloadavg()[0])
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(
        f"Machine: {os.cpu_count()} cores (1-minute load average {load_before:.1f} at the "
        f"start, {os.getloadavg()[0]:.1f} at the end, {max(loads):.1f} at the highest "
        f"between stores), Python {platform.python_version()}; "
        f"sections: {', '.join(args.sections)}; ✗ marks a figure missing its goal "
        f"(goals apply to the {GOAL_STORE} store; warm pages also to bundled; summary and "
        "upload to every store; the last column's goal is at most 2.00).\n"
    )
    print(table(results))
    for name, figures in results.items():
        if "browser" in figures:
            print()
            print(browser.table(name, figures["browser"]))


if __name__ == "__main__":
    main()
