"""Reading and computing the FSC figures from large exports: ``python -m bench.exports``.

Writes generated Oracle Payables exports with DuckDB (invoices, payments and holds in the
ratio 10 : 25 : 1, spread over ten years of both councils) at 100,000 and 1,000,000 invoices,
then runs ``compute`` for one quarter in a fresh process per size and prints its time and
peak RSS. Figures, not tests: nothing here passes or fails.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

GOALS = {"seconds": 5.0, "peak_rss_mb": 1536}
QUARTER = "2023/24 Q3"
DAYS = 3650  # ten years ending 31 Mar 2024


def write_exports(folder: Path, invoices: int) -> list[Path]:
    """The three exports for ``invoices`` invoices, deterministic (hash-based, no RNG)."""
    con = duckdb.connect()
    start = "DATE '2014-04-01'"
    paths = [folder / f"{n}.csv" for n in ("invoices", "payments", "holds")]
    day = f"({start} + (i * {DAYS} // {invoices})::INTEGER)"  # invoice i's day
    con.execute(f"""COPY (
        SELECT CASE WHEN i % 2 = 0 THEN 'LCC BU' ELSE 'NCC BU' END AS "Business Unit",
               i::VARCHAR AS "Invoice ID", 'INV-' || i AS "Invoice Number",
               'Supplier ' || (hash(i) % 5000) || ' Ltd' AS "Supplier Name",
               'S' || (hash(i) % 5000) AS "Supplier Number",
               CASE WHEN hash(i) % 3 = 0 THEN 'Individual' ELSE 'Trade' END AS "Supplier Type",
               CASE WHEN hash(i) % 40 = 0 THEN 'Credit Memo' ELSE 'Standard' END AS "Invoice Type",
               strftime({day}, '%d-%b-%Y') AS "Invoice Date",
               strftime({day} + 1, '%d/%m/%Y')
                   AS "Invoice Received Date",
               strftime({day} + 2, '%Y-%m-%d')
                   AS "Creation Date",
               printf('£%,.2f', (hash(i) % 500000) / 100.0) AS "Invoice Amount",
               CASE WHEN hash(i) % 200 = 0 THEN strftime({day} + 5, '%Y-%m-%d') END
                   AS "Cancelled Date",
               CASE WHEN hash(i) % 50 <> 1 THEN strftime({day} + 1 + (hash(i * 7) % 45)::INTEGER,
                                                            '%Y-%m-%d') END
                   AS "Paid Date"
        FROM range({invoices}) t(i)) TO '{paths[0]}' (HEADER, DELIMITER ',')""")
    payments = invoices * 5 // 2
    pay_day = f"({start} + (i * {DAYS} // {payments})::INTEGER)"
    con.execute(f"""COPY (
        SELECT CASE WHEN i % 2 = 0 THEN 'LCC BU' ELSE 'NCC BU' END AS "Business Unit",
               'P' || i AS "Payment Number",
               strftime({pay_day}, '%Y-%m-%d') AS "Payment Date",
               printf('%.2f', (hash(i) % 900000) / 100.0) AS "Payment Amount",
               CASE WHEN hash(i) % 100 = 0 THEN 'Voided' ELSE 'Cleared' END AS "Payment Status"
        FROM range({payments}) t(i)) TO '{paths[1]}' (HEADER, DELIMITER ',')""")
    holds = invoices // 10
    held = f"({start} + (j * {DAYS} // {invoices})::INTEGER)"
    con.execute(f"""COPY (
        SELECT CASE WHEN j % 2 = 0 THEN 'LCC BU' ELSE 'NCC BU' END AS "Business Unit",
               j::VARCHAR AS "Invoice ID", 'Dispute' AS "Hold Name", 'Price' AS "Hold Reason",
               strftime({held} + 3, '%Y-%m-%d') AS "Hold Date",
               CASE WHEN hash(i) % 3 = 0 THEN strftime({held} + 40, '%Y-%m-%d') END
                   AS "Release Date"
        FROM (SELECT i, i * 10 + 1 AS j FROM range({holds}) t(i)))
        TO '{paths[2]}' (HEADER, DELIMITER ',')""")
    return paths


def measure_one(paths: list[str]) -> None:
    """In this process: compute one quarter; print seconds and peak RSS as JSON."""
    from emss.quarters import Quarter
    from emss.sources.compute import compute
    from emss.sources.config import load_config

    started = time.perf_counter()
    result = compute([Path(p) for p in paths], load_config(), quarter=Quarter.parse(QUARTER))
    seconds = time.perf_counter() - started
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    figures = {f"{r.partner} {r.metric}": r.value for r in result.metrics.itertuples()}
    print(
        json.dumps(
            {
                "seconds": seconds,
                "peak_rss_mb": rss,
                "problems": len(result.problems),
                "figures": figures,
            }
        )
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.exports", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--sizes", default="100000,1000000", help="invoice counts, comma-separated")
    parser.add_argument("--measure", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        measure_one(args.measure)
        return
    print(
        "| invoices | payments | holds | export MB | "
        f"read + compute {QUARTER} (s) | peak RSS (MB) |"
    )
    print("|--:|--:|--:|--:|--:|--:|")
    for size in [int(s) for s in args.sizes.split(",")]:
        with tempfile.TemporaryDirectory(prefix="emss-bench-exports-") as folder:
            paths = write_exports(Path(folder), size)
            mb = sum(p.stat().st_size for p in paths) / 1024 / 1024
            out = subprocess.run(
                [sys.executable, "-m", "bench.exports", "--measure", *map(str, paths)],
                capture_output=True,
                text=True,
                check=True,
                cwd=Path(__file__).resolve().parent.parent,
            )
            got = json.loads(out.stdout.strip().splitlines()[-1])
            mark = {k: " ✗" if got[k] > limit else "" for k, limit in GOALS.items()}
            print(
                f"| {size:,} | {size * 5 // 2:,} | {size // 10:,} | {mb:,.0f} | "
                f"{got['seconds']:.1f}{mark['seconds']} | "
                f"{got['peak_rss_mb']:,.0f}{mark['peak_rss_mb']} |",
                flush=True,
            )
            print(f"  problems: {got['problems']}; figures: {got['figures']}", file=sys.stderr)


if __name__ == "__main__":
    main()
