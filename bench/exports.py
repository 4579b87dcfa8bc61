"""Reading and computing figures from large exports: ``python -m bench.exports``.

Writes generated exports with DuckDB and runs ``compute`` for one quarter in a fresh process
per size, printing its time and peak RSS:

- Oracle Payables (invoices, payments and holds in the ratio 10 : 25 : 1, spread over ten
  years of both councils) at 100,000 and 1,000,000 invoices (``--sizes``);
- a service desk ticket export (ten years) and an AR aging as of the quarter's end, with a
  small aging as of the quarter before it so that the debt movement is computed, at
  2,000,000 tickets and 500,000 aging rows (``--desk``).

CPU is the process's user + system time over all its threads: on this shared 2-core machine
the wall time depends on what else runs, the CPU time much less (half of it is about the
wall time on an idle machine), so each row also gives the 1-minute load average when it
ended. Figures, not tests: nothing here passes or fails.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
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


def write_desk_exports(folder: Path, tickets: int, aging: int) -> list[Path]:
    """A ticket export and two agings (``aging`` rows at 31 Dec 2023, 1,000 at 30 Sep)."""
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    paths = [folder / n for n in ("tickets.csv", "aging-dec.csv", "aging-sep.csv")]
    created = f"(TIMESTAMP '2014-04-01' + to_seconds(i * ({DAYS} * 86400 // {tickets})))"
    con.execute(f"""COPY (
        SELECT 'T' || i AS "Ticket ID", 'Subject ' || (hash(i) % 1000) AS "Subject",
               ['ESC', 'FSC', 'Business Development'][(1 + hash(i) % 3)::BIGINT] AS "Group",
               'Question' AS "Type",
               ['Email', 'Portal', 'Phone', 'Chat', 'Bot'][(1 + hash(i * 3) % 5)::BIGINT]
                   AS "Source",
               CASE WHEN hash(i) % 100 = 0 THEN 'Spam' ELSE 'Closed' END AS "Status",
               'Requester ' || (hash(i) % 50000) AS "Requester Name",
               strftime({created}, '%Y-%m-%d %H:%M:%S') AS "Created time",
               strftime({created} + to_hours((hash(i * 7) % 300)::BIGINT), '%Y-%m-%d %H:%M:%S')
                   AS "Resolved time",
               CASE hash(i * 11) % 4 WHEN 0 THEN 'Awesome' WHEN 1 THEN 'Not satisfied'
                                    WHEN 2 THEN 'Satisfied' END AS "Survey results"
        FROM range({tickets}) t(i)) TO '{paths[0]}' (HEADER, DELIMITER ',')""")
    for path, rows, as_of in ((paths[1], aging, "31/12/2023"), (paths[2], 1000, "30/09/2023")):
        con.execute(f"""COPY (
            SELECT CASE WHEN i % 2 = 0 THEN 'LCC BU' ELSE 'NCC BU' END AS "Business Unit",
                   '{as_of}' AS "As Of Date", 'C' || (hash(i) % 40000) AS "Customer Account Number",
                   'Customer ' || (hash(i) % 40000) AS "Customer Name",
                   ['Commercial', 'School', 'NHS', 'Public Body', 'Individual', 'Charity']
                       [(1 + hash(i * 3) % 6)::BIGINT] AS "Customer Class",
                   CASE WHEN hash(i) % 5 = 0 THEN 'Thornton Hope' ELSE 'EMSS In House' END
                       AS "Collector",
                   'TX' || i AS "Transaction Number",
                   strftime(DATE '2024-03-01' - (hash(i * 7) % 700)::INTEGER, '%Y-%m-%d')
                       AS "Due Date",
                   printf('%.2f', (hash(i) % 6000000) / 100.0) AS "Amount Due Remaining"
            FROM range({rows}) t(i)) TO '{path}' (HEADER, DELIMITER ',')""")
    return paths


def measure_one(paths: list[str]) -> None:
    """In this process: compute one quarter; print seconds and peak RSS as JSON."""
    from emss.quarters import Quarter
    from emss.sources.compute import compute
    from emss.sources.config import load_config

    started = time.perf_counter()
    result = compute([Path(p) for p in paths], load_config(), quarter=Quarter.parse(QUARTER))
    seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    rss = usage.ru_maxrss / 1024
    figures = {f"{r.partner} {r.metric}": r.value for r in result.metrics.itertuples()}
    figures |= {
        f"{r.partner} {r.collector} {r.sector}": r.movement_gbp for r in result.debt.itertuples()
    }
    print(
        json.dumps(
            {
                "seconds": seconds,
                "peak_rss_mb": rss,
                "cpu_seconds": usage.ru_utime + usage.ru_stime,
                "problems": len(result.problems),
                "figures": figures,
            }
        )
    )


def _measure(paths: list[Path]) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "bench.exports", "--measure", *map(str, paths)],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    got = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"  problems: {got['problems']}; figures: {got['figures']}", file=sys.stderr)
    return got


def _cells(got: dict) -> str:
    mark = {k: " ✗" if got[k] > limit else "" for k, limit in GOALS.items()}
    return (
        f"{got['seconds']:.1f}{mark['seconds']} | {got['cpu_seconds']:.1f} | "
        f"{got['peak_rss_mb']:,.0f}{mark['peak_rss_mb']} | {os.getloadavg()[0]:.1f} |"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.exports", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--sizes", default="100000,1000000", help="invoice counts, comma-separated")
    parser.add_argument(
        "--desk",
        default="2000000:500000",
        help="tickets:aging rows, comma-separated pairs ('' for none)",
    )
    parser.add_argument("--measure", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        measure_one(args.measure)
        return
    if args.sizes:
        print(
            "| invoices | payments | holds | export MB | "
            f"read + compute {QUARTER} (s) | CPU (s) | peak RSS (MB) | load |"
        )
        print("|--:|--:|--:|--:|--:|--:|--:|--:|")
    runs = []
    for size in [int(s) for s in args.sizes.split(",") if s]:
        with tempfile.TemporaryDirectory(prefix="emss-bench-exports-") as folder:
            paths = write_exports(Path(folder), size)
            mb = sum(p.stat().st_size for p in paths) / 1024 / 1024
            got = _measure(paths)
            runs.append((size, got))
            print(
                f"| {size:,} | {size * 5 // 2:,} | {size // 10:,} | {mb:,.0f} | {_cells(got)}",
                flush=True,
            )
    for (small, a), (large, b) in itertools.pairwise(runs):
        print(
            f"\n{small:,} → {large:,} invoices (×{large / small:g}): wall ×"
            f"{b['seconds'] / a['seconds']:.1f}, CPU ×{b['cpu_seconds'] / a['cpu_seconds']:.1f}, "
            f"peak RSS ×{b['peak_rss_mb'] / a['peak_rss_mb']:.1f}"
        )
    pairs = [tuple(int(n) for n in p.split(":")) for p in args.desk.split(",") if p]
    if pairs:
        print(
            f"\n| tickets | aging rows | export MB | read + compute {QUARTER} (s) | CPU (s) "
            "| peak RSS (MB) | load |"
        )
        print("|--:|--:|--:|--:|--:|--:|--:|")
    for tickets, aging in pairs:
        with tempfile.TemporaryDirectory(prefix="emss-bench-desk-") as folder:
            paths = write_desk_exports(Path(folder), tickets, aging)
            mb = sum(p.stat().st_size for p in paths) / 1024 / 1024
            got = _measure(paths)
            print(f"| {tickets:,} | {aging:,} | {mb:,.0f} | {_cells(got)}", flush=True)


if __name__ == "__main__":
    main()
