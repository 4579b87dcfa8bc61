"""Checking an upload in the worker process: the same outcome as checking it in the server's
process, and a clear error (then a working check again) when the worker dies or runs away."""

from __future__ import annotations

import dataclasses
import os
import signal
import sys
import threading
import time
import types
from pathlib import Path

import pandas as pd
import pytest

from emss import ingest, isolated, uploads
from emss.sources import compute as computing
from emss.sources.config import load_config
from emss.store import DamagedStoreError
from tests.conftest import REPO_ROOT, REPORT_DAY, csv_bytes

PROJECTS_HEADER = "quarter,theme,project,partner,status,benefits,description,update"
GOOD = [("m.csv", csv_bytes("quarter,partner,metric,value", ["2023/24 Q3,EMSS,esc_dbs_checks,4"]))]


def assert_same(isolated_result, in_process) -> None:
    """Every field equal: frames cell for cell, everything else by ==."""
    assert type(isolated_result) is type(in_process)
    for field in dataclasses.fields(in_process):
        got, expected = getattr(isolated_result, field.name), getattr(in_process, field.name)
        if isinstance(expected, pd.DataFrame):
            pd.testing.assert_frame_equal(got, expected)
        else:
            assert got == expected, field.name


@pytest.mark.parametrize(
    ("files", "problems"),
    [
        pytest.param(GOOD, 0, id="good metrics"),
        pytest.param(
            [
                (
                    "m.csv",
                    csv_bytes(
                        "quarter,partner,metric,value,note",
                        [
                            "2023/24 Q3,EMSS,esc_dbs_checks,(   x,",
                            "2023/24 Q9,EMSS,esc_payroll_paymnts,1,",
                            "2023/24 Q3,Nowhere,esc_dbs_checks,1,",
                        ],
                    ),
                ),  # fmt: skip
                ("empty.csv", b""),
            ],
            5,
            id="bad upload",
        ),
        pytest.param(
            [
                *GOOD,
                (
                    "p.csv",
                    csv_bytes(PROJECTS_HEADER, ["2023/24 Q3,FSC,Office move,,Complete,,,Moved"]),
                ),
            ],
            0,
            id="projects and metrics",
        ),
    ],
)
def test_the_worker_checks_an_upload_exactly_as_the_server_would(files, problems):
    in_process = ingest.validate(files, today=REPORT_DAY)
    assert len(in_process.problems) == problems
    result = isolated.validate(files, today=REPORT_DAY)
    assert_same(result, in_process)
    assert [str(p) for p in result.problems] == [str(p) for p in in_process.problems]
    assert result.summary() == in_process.summary()


def test_the_worker_computes_the_sample_exports_exactly_as_the_server_would(store):
    folder = REPO_ROOT / "data" / "samples"
    files = [(p.name, p.read_bytes()) for p in sorted(folder.glob("*.csv"))]
    config = load_config()
    in_process = computing.compute(files, config, today=REPORT_DAY, store=store)
    result = isolated.compute(files, config, today=REPORT_DAY, store=store)
    assert in_process.ok and len(in_process.metrics) and len(in_process.balances)
    assert_same(result, in_process)
    assert result.summary() == in_process.summary()


def test_a_new_worker_does_not_run_the_page_that_started_it(tmp_path, monkeypatch):
    """Streamlit runs a page as ``__main__``; a worker importing it would run the page again."""
    marker, page = tmp_path / "ran", tmp_path / "page.py"
    page.write_text(f"open({str(marker)!r}, 'w').close()\n")
    main = types.ModuleType("__main__")
    main.__file__ = str(page)
    monkeypatch.setitem(sys.modules, "__main__", main)
    monkeypatch.setattr(isolated, "_pool", None)  # a new worker, started from this "page"
    try:
        assert isolated.validate(GOOD, today=REPORT_DAY).ok
    finally:
        isolated._pool.shutdown()
    assert not marker.exists()


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _die_the_first_time(marker: str) -> int:
    if not Path(marker).exists():
        Path(marker).touch()
        _die()
    return os.getpid()


def _sleep(seconds: float) -> None:
    time.sleep(seconds)


def _damaged() -> None:
    raise DamagedStoreError("manifest.json is empty")


def test_a_worker_killed_mid_check_is_replaced_and_the_check_tried_again(tmp_path):
    worker = isolated.call(_die_the_first_time, str(tmp_path / "died"), names=["a.csv"])
    assert worker != os.getpid() and (tmp_path / "died").exists()


def test_a_worker_that_dies_twice_gives_a_clear_error_then_checking_works_again():
    with pytest.raises(isolated.CheckStoppedError) as stopped:
        isolated.call(_die, names=["a.csv", "b.csv"])
    assert str(stopped.value).startswith(
        'Checking "a.csv", "b.csv" stopped: the process checking it ended unexpectedly, twice.'
    )
    assert isolated.validate(GOOD, today=REPORT_DAY).ok


def test_a_runaway_check_is_stopped_with_an_error_naming_the_file_then_checking_works_again():
    with pytest.raises(isolated.CheckStoppedError) as stopped:
        isolated.call(_sleep, 600, names=["slow.csv"], timeout=0.5)
    assert str(stopped.value).startswith(
        'Checking "slow.csv" took longer than 0.5 s and was stopped. Nothing was stored'
    )
    assert isolated.validate(GOOD, today=REPORT_DAY).ok


def test_an_error_raised_in_the_worker_arrives_as_it_was_raised():
    with pytest.raises(DamagedStoreError) as raised:
        isolated.call(_damaged, names=["a.csv"])
    assert str(raised.value) == str(DamagedStoreError("manifest.json is empty"))
    assert raised.value.what == "manifest.json is empty"


def test_a_bad_upload_limit_setting_is_reported_before_anything_is_sent(monkeypatch):
    monkeypatch.setenv("EMSS_MAX_UPLOAD_MB", "abc")
    with pytest.raises(ingest.SettingError):
        isolated.validate(GOOD)


def _agings() -> list[tuple[str, bytes]]:
    folder = REPO_ROOT / "data" / "samples"
    return [(p.name, p.read_bytes()) for p in sorted(folder.glob("ar_aging_*.csv"))]


def test_the_worker_reports_each_file_read_then_the_computing_as_it_reaches_them():
    files = _agings()
    reports: list[tuple[int, int, str]] = []
    result = isolated.compute(
        files, load_config(), today=REPORT_DAY, progress=lambda *report: reports.append(report)
    )
    assert result.ok
    assert reports == [
        (0, 3, "Reading ar_aging_2023-09-30.csv"),
        (1, 3, "Reading ar_aging_2023-12-31.csv"),
        (2, 3, "Computing the figures"),
    ]
    assert [uploads.progress_label(*report) for report in reports] == [  # as the page says
        "Reading ar_aging_2023-09-30.csv (file 1 of 2)…",
        "Reading ar_aging_2023-12-31.csv (file 2 of 2)…",
        "Computing the figures…",
    ]


def test_two_computations_waiting_at_once_each_hear_only_their_own_progress():
    first, second = _agings()
    heard: dict[str, list[str]] = {first[0]: [], second[0]: []}

    def run(file: tuple[str, bytes]) -> None:
        isolated.compute(
            [file],
            load_config(),
            today=REPORT_DAY,
            progress=lambda step, steps, words: heard[file[0]].append(words),
        )

    threads = [threading.Thread(target=run, args=(f,)) for f in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert heard == {
        name: [f"Reading {name}", "Computing the figures"] for name in (first[0], second[0])
    }
