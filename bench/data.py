"""Measurements of the data layer: loading, one quarter's summary, an upload (in process);
the command line's summary (as a whole process)."""

from __future__ import annotations

import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from bench.stores import LAST_QUARTER, quarters_ending
from emss import compare, ingest, ingest_preview
from emss.catalogue import PARTNERS, load_catalogue
from emss.export import to_csv
from emss.queries import Database
from emss.store import Store


def _ms(run) -> tuple[float, object]:
    start = time.perf_counter()
    value = run()
    return 1000 * (time.perf_counter() - start), value


def summary(store: Path, reps: int) -> dict:
    """The Database's build from the store's files (as on a start or a manifest change) and
    ``compare.summarise`` of the latest quarter for every partner (the Overview's query)."""
    db = Database(Store(store))
    load_ms, quarter = _ms(db.latest_quarter)
    times = [_ms(lambda: compare.summarise(db, quarter, PARTNERS))[0] for _ in range(reps)]
    return {"db_load_ms": load_ms, "summary_ms": statistics.median(times)}


def cli_summary(store: Path, reps: int) -> dict:
    """``python -m emss summary --quarter QUARTER`` as a person runs it: a whole process,
    interpreter start to exit, over the store (median and p95 of ``reps`` runs), and the CPU
    time it used (user + system: what a busy machine's queue does not inflate)."""
    command = [sys.executable, "-m", "emss", "summary", "--quarter", str(LAST_QUARTER)]
    env = dict(os.environ, EMSS_DATA_DIR=str(store))
    times, cpu = [], []
    for _ in range(reps):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(command, env=env, capture_output=True, check=True)
        times.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    ordered = sorted(times)
    return {
        "cli_summary_p50_s": statistics.median(times),
        "cli_summary_p95_s": ordered[max(0, -(-len(ordered) * 95 // 100) - 1)],
        "cli_summary_cpu_s": statistics.median(cpu),
    }


def metrics_csv(rows: int) -> bytes:
    """A metrics upload of ``rows`` figures: whole quarters of every (metric, partner) pair,
    going back from the benchmark stores' last quarter."""
    catalogue = load_catalogue()
    pairs = [(m, p) for m in catalogue.uploadable for p in m.partners]
    quarters = quarters_ending(LAST_QUARTER, -(-rows // len(pairs)))
    levels = {"count": 1200, "percent": 91.5, "gbp": 2_500_000, "days": 4.25, "hours": 110}
    records = [
        {
            "quarter": str(q),
            "partner": partner,
            "metric": metric.key,
            "value": levels[metric.unit.name],
            "note": "",
        }
        for q in quarters
        for metric, partner in pairs
    ][:rows]
    return to_csv(pd.DataFrame(records)).encode("utf-8")


def upload_once(store: Path, data: bytes) -> dict:
    """Validate, preview and commit one upload into a fresh copy of the store (so every
    upload meets the store as it was built)."""
    with tempfile.TemporaryDirectory(prefix="emss-bench-upload-") as work:
        copy = Store(shutil.copytree(store, Path(work) / "data"))
        db = Database(copy)
        db.latest_quarter()  # the page has its Database loaded before the upload
        validate_ms, validation = _ms(lambda: ingest.validate([("upload.csv", data)]))
        if not validation.ok:
            raise RuntimeError(f"the benchmark upload is invalid: {validation.summary()}")
        preview_ms, _ = _ms(lambda: ingest_preview.preview(db, validation))
        commit_ms, _ = _ms(lambda: ingest.commit(copy, validation, uploaded_by="bench"))
    return {"validate_ms": validate_ms, "preview_ms": preview_ms, "commit_ms": commit_ms}


def upload(store: Path, sizes: list[int]) -> dict[int, dict]:
    """``upload_once`` of a metrics file of each size."""
    return {rows: upload_once(store, metrics_csv(rows)) for rows in sizes}
