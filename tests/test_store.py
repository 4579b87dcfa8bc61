"""The snapshot store: immutable Parquet files, one manifest, withdrawal that deletes nothing."""

from __future__ import annotations

import datetime as dt
import json
import re

import pandas as pd
import pyarrow.parquet as pq
import pytest

from emss.store import DATASETS, REPO_DATA_DIR, SourceFile, Store, StoreError, atomic_write
from tests.conftest import REPO_DATA

METRIC_ROWS = pd.DataFrame(
    [
        ("2023/24 Q4", "EMSS", "esc_dbs_checks", 3800.0, "Recount"),
        ("2023/24 Q4", "LCC", "fsc_days_to_pay", 8.5, None),
    ],
    columns=["quarter", "partner", "metric", "value", "note"],
)
DEBT_ROWS = pd.DataFrame(
    [("2023/24 Q4", "NCC", "In house", "NHS", -1200.0, None)],
    columns=["quarter", "partner", "collector", "sector", "movement_gbp", "note"],
)
SOURCE = SourceFile("q4.csv", "ab" * 32)


def _commit(store: Store, **kwargs):
    defaults = {"uploaded_by": "A. Person", "kind": "upload", "sources": [SOURCE]}
    frames = kwargs.pop("frames", {"metrics": METRIC_ROWS, "debt": DEBT_ROWS})
    return store.commit(frames, **(defaults | kwargs))


def test_a_commit_writes_parquet_files_and_a_manifest_entry(empty_store):
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    snapshot = _commit(empty_store)
    created = dt.datetime.fromisoformat(snapshot.created.replace("Z", "+00:00"))
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", snapshot.created)
    assert before <= created <= dt.datetime.now(dt.UTC)
    assert snapshot.id == f"00001-{created:%Y%m%d}-upload"
    assert (snapshot.seq, snapshot.kind, snapshot.uploaded_by) == (1, "upload", "A. Person")
    assert snapshot.sources == (SOURCE,)
    assert snapshot.rows == 3
    assert snapshot.quarters == ("2023/24 Q4",)
    assert snapshot.files == {
        "metrics": f"metrics/{snapshot.id}.parquet",
        "debt": f"debt/{snapshot.id}.parquet",
    }
    assert not snapshot.withdrawn
    manifest = json.loads(empty_store.manifest_path.read_text(encoding="utf-8"))
    (entry,) = manifest["snapshots"]
    assert {k: entry[k] for k in ("id", "created", "uploaded_by", "kind", "rows", "quarters")} == {
        "id": snapshot.id,
        "created": snapshot.created,
        "uploaded_by": "A. Person",
        "kind": "upload",
        "rows": 3,
        "quarters": ["2023/24 Q4"],
    }
    assert manifest["snapshots"][0]["sources"] == [{"name": "q4.csv", "sha256": "ab" * 32}]
    assert empty_store.snapshots() == [snapshot]
    assert empty_store.snapshot(snapshot.id) == snapshot


def test_the_parquet_files_hold_the_rows_with_their_snapshot(empty_store):
    snapshot = _commit(empty_store)
    metrics = pq.read_table(empty_store.path(snapshot.files["metrics"]))
    assert metrics.schema.equals(DATASETS["metrics"])
    assert metrics.to_pylist() == [
        {
            "snapshot_id": snapshot.id,
            "quarter": "2023/24 Q4",
            "partner": "EMSS",
            "metric": "esc_dbs_checks",
            "value": 3800.0,
            "note": "Recount",
        },
        {
            "snapshot_id": snapshot.id,
            "quarter": "2023/24 Q4",
            "partner": "LCC",
            "metric": "fsc_days_to_pay",
            "value": 8.5,
            "note": None,
        },
    ]
    debt = pq.read_table(empty_store.path(snapshot.files["debt"]))
    assert debt.schema.equals(DATASETS["debt"])
    assert debt.column("movement_gbp").to_pylist() == [-1200.0]


def test_a_dataset_without_rows_gets_no_file(empty_store):
    empty_debt = DEBT_ROWS.iloc[:0]
    snapshot = _commit(empty_store, frames={"metrics": METRIC_ROWS, "debt": empty_debt})
    assert list(snapshot.files) == ["metrics"]
    assert not (empty_store.root / "debt").exists()


def test_earlier_snapshots_are_never_rewritten(store):
    old_files = {p: p.read_bytes() for p in store.root.rglob("*.parquet")}
    old_entries = [s.to_json() for s in store.snapshots()]
    first = _commit(store)
    second = _commit(store, uploaded_by="B. Person")
    assert (first.seq, second.seq) == (3, 4)
    assert first.id != second.id
    assert all(path.read_bytes() == data for path, data in old_files.items())
    assert [s.to_json() for s in store.snapshots()][:2] == old_entries
    assert [s.id for s in store.snapshots()] == [
        "00001-20240318-illustrative",
        "00002-20240318-report",
        first.id,
        second.id,
    ]


def test_no_temporary_file_is_left_behind(store):
    _commit(store)
    store.withdraw(store.snapshots()[-1].id, withdrawn_by="A. Person")
    assert [p.name for p in store.root.rglob("*") if p.name.startswith(".tmp-")] == []


def test_a_commit_needs_rows_and_a_known_kind(empty_store):
    with pytest.raises(StoreError, match="nothing to commit: the upload holds no figures"):
        _commit(empty_store, frames={"metrics": METRIC_ROWS.iloc[:0], "debt": None})
    with pytest.raises(StoreError, match="kind must be one of report, illustrative, upload"):
        _commit(empty_store, kind="guess")
    assert empty_store.snapshots() == []
    assert not empty_store.manifest_path.exists()


def test_withdrawal_records_who_and_when_and_deletes_nothing(store):
    snapshot = _commit(store)
    files = [store.path(f) for f in snapshot.files.values()]
    withdrawn = store.withdraw(snapshot.id, withdrawn_by="B. Person")
    assert withdrawn.withdrawn
    assert withdrawn.withdrawn_by == "B. Person"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", withdrawn.withdrawn_at)
    assert withdrawn.withdrawn_at >= snapshot.created
    assert store.snapshot(snapshot.id) == withdrawn
    assert (withdrawn.uploaded_by, withdrawn.rows, withdrawn.files) == (
        "A. Person",
        3,
        snapshot.files,
    )
    assert all(path.is_file() for path in files)
    assert len(store.snapshots()) == 3


def test_a_snapshot_is_withdrawn_once_and_must_exist(store):
    store.withdraw("00002-20240318-report", withdrawn_by="A. Person")
    with pytest.raises(StoreError, match="snapshot 00002-20240318-report was already withdrawn"):
        store.withdraw("00002-20240318-report", withdrawn_by="A. Person")
    with pytest.raises(StoreError, match="no snapshot '00009-x'"):
        store.withdraw("00009-x", withdrawn_by="A. Person")
    with pytest.raises(StoreError, match="no snapshot '00009-x'"):
        store.snapshot("00009-x")


def test_the_version_changes_with_every_commit_and_withdrawal(empty_store):
    assert empty_store.version() == (0, 0, 0)
    versions = [empty_store.version()]
    snapshot = _commit(empty_store)
    versions.append(empty_store.version())
    _commit(empty_store)
    versions.append(empty_store.version())
    empty_store.withdraw(snapshot.id, withdrawn_by="A. Person")
    versions.append(empty_store.version())
    assert len(set(versions)) == 4


def test_the_default_store_is_emss_data_dir_else_the_bundled_data(monkeypatch, tmp_path):
    monkeypatch.setenv("EMSS_DATA_DIR", str(tmp_path))
    assert Store.default().root == tmp_path
    monkeypatch.delenv("EMSS_DATA_DIR")
    assert Store.default().root == REPO_DATA_DIR == REPO_DATA
    monkeypatch.setenv("EMSS_DATA_DIR", "")
    assert Store.default().root == REPO_DATA_DIR


def test_a_folder_without_a_manifest_is_an_empty_store(tmp_path):
    assert Store(tmp_path / "nowhere").snapshots() == []


def test_atomic_write_keeps_the_old_file_when_writing_fails(tmp_path):
    target = tmp_path / "manifest.json"
    target.write_text("old")

    def half_then_fail(handle):
        handle.write(b"ne")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        atomic_write(target, half_then_fail)
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["manifest.json"]
    atomic_write(target, lambda handle: handle.write(b"new"))
    assert target.read_text() == "new"
