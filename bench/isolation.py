"""Another viewer's page while a hostile upload is checked: ``python -m bench.isolation``.

What issue 16 measured: one editor's 10 MB upload being validated and, meanwhile, another
viewer's Overview (``app.py``, rerun warm in AppTest over the bundled data, in the same
process as a server would have it). The upload is the slowest case of ``bench.hostile`` (260,000
distinct valid figures). It is validated ``--rounds`` times in a thread, as the Upload page's
script thread would, first in this process (``ingest.validate``), then in the worker process
(``isolated.validate``, its worker started beforehand, as after a server's first upload); the
viewer's reruns that overlap the validation are timed. The last column, the CPU this
process spends on one validation with nothing else running, is the steadier figure on a
shared machine. Nothing passes or fails; it reports (AppTest's "missing ScriptRunContext"
warnings on stderr can be ignored).
"""

from __future__ import annotations

import argparse
import os
import statistics
import threading
import time

from bench.hostile import CASES
from bench.pages import APP

CASE = "distinct valid rows (most figures)"


def _rerun_ms(at) -> float:
    start = time.perf_counter()
    at.run()
    return 1000 * (time.perf_counter() - start)


def _process_cpu(check, data: bytes) -> float:
    """CPU seconds this whole process spends on one validation (reading, sending, receiving),
    with nothing else running in it."""
    cpu = time.process_time()
    assert check([("hostile.csv", data)]).ok
    return time.process_time() - cpu


def _during(at, check, data: bytes, rounds: int) -> tuple[list[float], float]:
    """The viewer's rerun times while ``check`` validates ``data`` ``rounds`` times in a
    thread, and the validations' mean wall time in seconds."""
    spent: list[float] = []

    def upload() -> None:
        for _ in range(rounds):
            start = time.perf_counter()
            assert check([("hostile.csv", data)]).ok
            spent.append(time.perf_counter() - start)

    worker = threading.Thread(target=upload)
    worker.start()
    reruns = []
    while worker.is_alive():
        reruns.append(_rerun_ms(at))
    worker.join()
    return reruns, statistics.mean(spent)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.isolation", description=__doc__)
    parser.add_argument("--mb", type=float, default=10.0, help="upload size (default 10)")
    parser.add_argument("--rounds", type=int, default=3, help="validations per mode")
    parser.add_argument("--reps", type=int, default=15, help="reruns for the baseline")
    args = parser.parse_args(argv)
    os.environ.setdefault("EMSS_MAX_UPLOAD_MB", f"{args.mb:g}")
    from streamlit.testing.v1 import AppTest

    from emss import ingest, isolated

    data = CASES[CASE](int(args.mb * 1024 * 1024))
    at = AppTest.from_file(APP, default_timeout=300)
    at.run()
    at.run()  # caches filled: every later run is a warm rerun
    start = time.perf_counter()
    isolated.validate([("warm-up.csv", b"quarter,partner,metric,value\n")])
    started = time.perf_counter() - start
    alone = [_rerun_ms(at) for _ in range(args.reps)]
    print(f"Upload: {CASE}, {len(data) / 1024 / 1024:.1f} MB, validated {args.rounds} times")
    print(f"Worker process start-up and first (empty) check: {started:.2f} s, once per server")
    print(f"Load average before: {os.getloadavg()[0]:.1f}")
    print()
    print(
        "| viewer's app.py rerun | reruns | median ms | max ms | validation s "
        "| server-process CPU s per validation, alone |"
    )
    print("|---|--:|--:|--:|--:|--:|")
    print(f"| alone | {len(alone)} | {statistics.median(alone):,.0f} | {max(alone):,.0f} | | |")
    modes = (
        ("during validation in the server's process", ingest.validate),
        ("during validation in the worker process", isolated.validate),
    )
    for label, check in modes:
        cpu = _process_cpu(check, data)
        reruns, seconds = _during(at, check, data, args.rounds)
        print(
            f"| {label} | {len(reruns)} | {statistics.median(reruns):,.0f} | "
            f"{max(reruns):,.0f} | {seconds:.2f} | {cpu:.2f} |",
            flush=True,
        )
    print(f"\nLoad average after: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
