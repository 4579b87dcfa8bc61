"""A store survives an ingest killed at any moment, and two ingests at once both land whole.

Each test runs ``python -m emss ingest`` in subprocesses against its own copy of the store.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
from filelock import FileLock

from emss import ingest
from emss.quarters import Quarter
from emss.queries import Database
from emss.store import Store
from tests.conftest import DEBT_HEADER, METRICS_HEADER, REPO_ROOT, copy_store, csv_bytes

BUNDLED = ["00001-20240318-illustrative", "00002-20240318-report"]
Q4 = Quarter(2023, 4)
METRIC_ROWS = [
    f"2023/24 Q4,{partner},{metric},{value},"
    for partner, metric, value in [
        ("EMSS", "esc_dbs_checks", 3800),
        ("LCC", "fsc_days_to_pay", 9),
        ("NCC", "fsc_days_to_pay", 10),
        ("EMSS", "customer_satisfaction", 84),
    ]
]
DEBT_ROWS = ["2023/24 Q4,LCC,In house,NHS,-1200,", "2023/24 Q4,NCC,In house,NHS,300,"]
UPLOAD_ROWS = len(METRIC_ROWS) + len(DEBT_ROWS)

# Runs the CLI with os.fsync, os.link and os.replace counted; SIGKILLs itself just before
# call number KILL_AT_CALL (the steps of every atomic write: data written, linked or renamed
# into place, folder synced).
HOOKED_CLI = """
import os, signal, sys
from emss.cli import main
limit, calls = int(os.environ["KILL_AT_CALL"]), 0
def counted(real):
    def call(*args, **kwargs):
        global calls
        calls += 1
        if calls == limit:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(*args, **kwargs)
    return call
os.fsync, os.link, os.replace = counted(os.fsync), counted(os.link), counted(os.replace)
code = main(sys.argv[1:])
print(f"calls={calls}", file=sys.stderr)
sys.exit(code)
"""


def make_upload(folder: Path) -> list[str]:
    metrics, debt = folder / "q4.csv", folder / "debt-q4.csv"
    metrics.write_bytes(csv_bytes(METRICS_HEADER, METRIC_ROWS))
    debt.write_bytes(csv_bytes(DEBT_HEADER, DEBT_ROWS))
    return [str(metrics), str(debt)]


def start(root: Path, args: list[str], *, hook_at: int | None = None) -> subprocess.Popen:
    env = {
        **os.environ,
        "EMSS_DATA_DIR": str(root),
        "PYTHONPATH": str(REPO_ROOT),
        "PYTHONUNBUFFERED": "1",
    }
    if hook_at is None:
        command = [sys.executable, "-m", "emss", "ingest", *args]
    else:
        env["KILL_AT_CALL"] = str(hook_at)
        command = [sys.executable, "-c", HOOKED_CLI, "ingest", *args]
    return subprocess.Popen(
        command,
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_preview(process: subprocess.Popen) -> None:
    """Block until the ingest has printed its preview: the commit comes next."""
    for line in process.stdout:
        if line.startswith("Preview:"):
            return
    raise AssertionError(f"ingest ended before its preview: {process.stderr.read()}")


def assert_whole(root: Path) -> bool:
    """The store reads cleanly; return whether the upload landed (whole) or not (at all)."""
    store = Store(root)
    manifest = json.loads(store.manifest_path.read_text(encoding="utf-8"))
    snapshots = store.snapshots()
    assert len(manifest["snapshots"]) == len(snapshots)
    assert [s.id for s in snapshots[:2]] == BUNDLED
    for snapshot in snapshots:
        rows = sum(pq.read_table(store.path(f)).num_rows for f in snapshot.files.values())
        assert rows == snapshot.rows, snapshot.id
    added = snapshots[2:]
    assert len(added) <= 1
    db = Database(store)
    dbs = db.figures([Q4], [("esc_dbs_checks", "EMSS")])
    debt = db.debt_movements(Q4)
    if added:
        assert added[0].rows == UPLOAD_ROWS
        assert dbs["value"].tolist() == [3800]
        assert debt["movement_gbp"].tolist() == [-1200, 300]
    else:
        assert dbs.empty and debt.empty
    return bool(added)


def assert_usable_after(root: Path) -> None:
    """The lock was released by the kill: the next upload lands."""
    store = Store(root)
    before = len(store.snapshots())
    upload = ingest.validate(
        [("again.csv", csv_bytes(METRICS_HEADER, ["2023/24 Q4,EMSS,esc_mss_errors,70,"]))]
    )
    snapshot = ingest.commit(store, upload, uploaded_by="after the crash")
    assert snapshot.seq > before  # past any file a killed commit left, never over it
    assert [s.id for s in store.snapshots()][-1] == snapshot.id
    assert Database(store).figures([Q4], [("esc_mss_errors", "EMSS")])["value"].tolist() == [70]


def test_an_ingest_killed_at_every_step_of_its_writes_leaves_a_whole_store(tmp_path):
    args = make_upload(tmp_path)
    calibration = copy_store(tmp_path / "calibration").root
    finished = start(calibration, args, hook_at=0)
    _, err = finished.communicate(timeout=120)
    assert finished.returncode == 0, err
    steps = int(err.rsplit("calls=", 1)[1])
    assert steps >= 9  # three files (metrics, debt, manifest), each synced, renamed, synced
    roots = [copy_store(tmp_path / f"kill-{k}").root for k in range(1, steps + 1)]
    processes = []
    for k, root in enumerate(roots, start=1):
        processes.append(start(root, args, hook_at=k))
        if len(processes) % 4 == 0:
            processes[-4].wait(timeout=120)
    outcomes = []
    for process, root in zip(processes, roots, strict=True):
        process.communicate(timeout=120)
        assert process.returncode == -signal.SIGKILL
        outcomes.append(assert_whole(root))
        assert_usable_after(root)
    # Only the manifest's rename publishes the snapshot: killed before it, nothing landed;
    # killed after it (while syncing the folder), all of it did.
    assert outcomes == [False] * (steps - 1) + [True]
    assert assert_whole(calibration)


def test_an_ingest_killed_at_random_moments_leaves_a_whole_store(tmp_path):
    args = make_upload(tmp_path)
    calibration = copy_store(tmp_path / "calibration").root
    process = start(calibration, args)
    wait_for_preview(process)
    began = time.perf_counter()
    process.wait(timeout=120)
    window = max(time.perf_counter() - began, 0.005) * 1.5
    rng = random.Random(20240318)
    landed = []
    for batch in range(5):
        roots = [copy_store(tmp_path / f"run-{batch}-{i}").root for i in range(5)]
        processes = [start(root, args) for root in roots]
        for process in processes:
            wait_for_preview(process)
            time.sleep(rng.uniform(0, window))
            process.send_signal(signal.SIGKILL)
        for process, root in zip(processes, roots, strict=True):
            process.communicate(timeout=120)
            landed.append(assert_whole(root))
            assert_usable_after(root)
    assert len(landed) == 25


def test_two_ingests_at_once_both_land_whole(tmp_path, metrics_csv):
    root = copy_store(tmp_path / "store").root
    first, second = tmp_path / "lcc.csv", tmp_path / "ncc.csv"
    first.write_bytes(metrics_csv("2023/24 Q4,LCC,esc_contracts_letters,450,"))
    second.write_bytes(metrics_csv("2023/24 Q4,NCC,esc_contracts_letters,350,"))
    with FileLock(root / ".lock"):  # hold both at the door until both are ready to commit
        processes = [
            start(root, [str(first), "--by", "A"]),
            start(root, [str(second), "--by", "B"]),
        ]
        for process in processes:
            wait_for_preview(process)
    for process in processes:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        assert "Stored snapshot 0000" in out
    store = Store(root)
    added = store.snapshots()[2:]
    assert sorted(s.seq for s in added) == [3, 4]
    assert sorted(s.uploaded_by for s in added) == ["A", "B"]
    for snapshot in added:
        assert pq.read_table(store.path(snapshot.files["metrics"])).num_rows == 1
    letters = Database(store).figures([Q4], [("esc_contracts_letters", "EMSS")])
    assert letters[["value", "origin"]].values.tolist() == [[800, "summed"]]
