"""Worst-case validation of hostile uploads: ``python -m bench.hostile [--mb 10]``.

Each case is a file just under the upload limit built to be slow or large to validate
(issue 16: backtracking numbers, misspellings, repeated rows, one huge cell...). Each runs in
its own process; the table gives the validation time (wall clock and CPU: on a shared
machine the CPU time is the steadier figure) and the process's peak memory (VmHWM)
before and after validating, so the growth is what validation itself cost. Goal: at most
2 s and 300 MB for 10 MB of any content. Nothing passes or fails here; it reports.
"""

from __future__ import annotations

import argparse
import itertools
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HEADER = b"quarter,partner,metric,value,note\n"


def _fill(limit: int, rows: Callable[[int], bytes]) -> bytes:
    """Rows from ``rows(i)`` after the header until the file reaches ``limit`` bytes."""
    parts, size = [HEADER], len(HEADER)
    for i in itertools.count():
        row = rows(i)
        if size + len(row) > limit:
            return b"".join(parts)
        parts.append(row)
        size += len(row)
    raise AssertionError("unreachable")


def _quarters():
    return [
        f"{y:04d}/{(y + 1) % 100:02d} Q{q}".encode() for y in range(1, 2023) for q in (1, 2, 3, 4)
    ]


def _distinct_valid(limit: int) -> bytes:
    from emss.catalogue import load_catalogue

    pairs = [
        b"%s,%s" % (partner.encode(), m.key.encode())
        for m in load_catalogue().uploadable
        for partner in dict.fromkeys((*m.partners, "EMSS"))
    ]
    keys = itertools.product(_quarters(), pairs)
    return _fill(limit, lambda i: b"%s,%s,%d,\n" % (*next(keys), i % 100))


CASES: dict[str, Callable[[int], bytes]] = {
    "backtracking numbers '(' + 300 spaces + 'x'": lambda n: _fill(
        n, lambda i: b'2023/24 Q3,EMSS,esc_payroll_payments,"(' + b" " * 300 + b'x",\n'
    ),
    "distinct misspelt metric names": lambda n: _fill(
        n, lambda i: b"2023/24 Q3,EMSS,esc_payroll_paymnts%d,1,\n" % i
    ),
    "identical misspelt metric names": lambda n: _fill(
        n, lambda i: b"2023/24 Q3,EMSS,esc_payroll_paymnts,1,\n"
    ),
    "identical valid rows (repeated key)": lambda n: _fill(
        n, lambda i: b"2023/24 Q3,EMSS,esc_dbs_checks,1,\n"
    ),
    "distinct valid rows (most figures)": _distinct_valid,
    "one-character rows": lambda n: HEADER + b"x\n" * ((n - len(HEADER)) // 2),
    "one row of commas": lambda n: HEADER + b"," * (n - len(HEADER)),
    "one huge note": lambda n: (
        HEADER + b"2023/24 Q3,EMSS,esc_dbs_checks,1," + b"n" * (n - len(HEADER) - 40)
    ),
    "hostile quarters": lambda n: _fill(
        n, lambda i: b"2023" + b" " * 200 + b"x,EMSS,esc_dbs_checks,1,\n"
    ),
}


def _peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def child(case: str, megabytes: float) -> dict:
    """Build one case's file and validate it in this process; its time and memory."""
    from emss import ingest

    limit = int(megabytes * 1024 * 1024)
    if case == "2 GB file (validate command)":
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "huge.csv"
            with path.open("wb") as handle:
                handle.truncate(2 * 1024**3)
            before = _peak_mb()
            start, cpu = time.perf_counter(), time.process_time()
            result = ingest.read_files([path], max_bytes=limit)
            seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
            size = path.stat().st_size
    else:
        data = CASES[case](limit)
        size = len(data)
        before = _peak_mb()
        start, cpu = time.perf_counter(), time.process_time()
        result = ingest.validate([("hostile.csv", data)], max_bytes=limit)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    return {
        "case": case,
        "mb": size / 1024 / 1024,
        "seconds": seconds,
        "cpu": cpu,
        "peak_before": before,
        "peak_after": _peak_mb(),
        "outcome": result.summary(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.hostile", description=__doc__)
    parser.add_argument("--mb", type=float, default=10.0, help="upload limit (default 10)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.mb)))
        return 0
    print(
        "| case | file MB | validate s | CPU s | peak MB before | peak MB after | growth MB "
        "| outcome |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for case in [*CASES, "2 GB file (validate command)"]:
        out = subprocess.run(
            [sys.executable, "-m", "bench.hostile", "--child", case, "--mb", str(args.mb)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        r = json.loads(out)
        print(
            f"| {r['case']} | {r['mb']:.1f} | {r['seconds']:.2f} | {r['cpu']:.2f} | "
            f"{r['peak_before']:.0f} | {r['peak_after']:.0f} | "
            f"{r['peak_after'] - r['peak_before']:.0f} | {r['outcome'][:90]} |",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
