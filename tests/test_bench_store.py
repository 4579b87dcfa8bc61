"""The benchmark stores (bench/stores.py) are real stores, and packing keeps every row.

A store with more snapshot files than ``PACK_AFTER`` reads a pack instead of most of them;
its figures, history and snapshots must be exactly those of the same store read file by
file.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from bench import stores
from bench.stores import LAST_QUARTER, PROJECTS_PER_QUARTER, Shape, build_store, quarters_ending
from emss import compare
from emss.catalogue import PARTNERS, load_catalogue
from emss.quarters import Quarter
from emss.queries import Database
from emss.store import PACK_AFTER, Store


def test_a_10_by_10_store_holds_every_quarter_and_summarises(tmp_path: Path) -> None:
    store = build_store(tmp_path / "data", Shape(10, 10))
    db = Database(store)
    assert db.quarters_with_data() == quarters_ending(LAST_QUARTER, 10)
    assert len(store.snapshots()) == 10
    summary = compare.summarise(db, LAST_QUARTER, PARTNERS)
    catalogue = load_catalogue()
    uploadable = {(m.key, p) for m in catalogue.uploadable for p in m.partners}
    shown = summary[summary["value"].notna()]
    assert uploadable <= set(zip(shown["metric"], shown["partner"], strict=True))
    for unit, values in shown.groupby("unit")["value"]:
        if unit == "percent":
            assert values.between(0, 100).all()
        elif unit != "gbp":
            assert (values >= 0).all()
    assert (summary["previous_value"].notna() == summary["value"].notna()).all()


def test_each_later_snapshot_corrects_a_few_figures_of_the_first(tmp_path: Path) -> None:
    store = build_store(tmp_path / "data", Shape(10, 10))
    first, *corrections = store.snapshots()
    # every (metric, partner) pair, debt key and generated project, a quarter
    assert first.rows == 10 * (50 + 24 + PROJECTS_PER_QUARTER)
    assert len(Database(store).projects([Quarter(2023, 3)])) == PROJECTS_PER_QUARTER
    assert all(1 <= s.rows <= 6 for s in corrections)
    db = Database(store)
    changed = db.snapshot_rows(corrections[-1].id)["metrics"].iloc[0]
    history = db.revisions(Quarter.parse(changed["quarter"]), changed["partner"], changed["metric"])
    assert len(history) >= 2
    assert history["current"].tolist()[-1]
    assert history["value"].iloc[-1] == changed["value"] != history["value"].iloc[0]


def _unpacked_copy(store: Store, target: Path) -> Store:
    """The same store with the packs left out of its manifest: read file by file."""
    shutil.copytree(store.root, target)
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    del manifest["packs"]
    (target / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return Store(target)


def test_a_packed_store_reads_exactly_as_its_snapshot_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stores, "WITHDRAW_EVERY", 7)
    count = 2 * PACK_AFTER + 5
    store = build_store(tmp_path / "data", Shape(4, count))
    manifest = store.manifest()
    assert len(manifest.files("metrics")) <= PACK_AFTER + 1
    assert manifest.packs["metrics"].through > PACK_AFTER
    for snapshot in manifest.snapshots:  # every snapshot's own file is still there, whole
        rows = sum(pq.read_table(store.path(f)).num_rows for f in snapshot.files.values())
        assert rows == snapshot.rows

    packed, plain = Database(store), Database(_unpacked_copy(store, tmp_path / "plain"))
    quarters = packed.quarters_with_data()
    assert quarters == plain.quarters_with_data()
    pairs = compare.pairs_for(PARTNERS)
    assert packed.figures(quarters, pairs).equals(plain.figures(quarters, pairs))
    assert packed.revised(quarters).equals(plain.revised(quarters))
    assert packed.debt_trend(quarters[0], quarters[-1]).equals(
        plain.debt_trend(quarters[0], quarters[-1])
    )
    withdrawn = [s for s in manifest.snapshots if s.withdrawn]
    assert withdrawn
    for snapshot in (manifest.snapshots[1], withdrawn[0], manifest.snapshots[-1]):
        for name, rows in packed.snapshot_rows(snapshot.id).items():
            assert rows.equals(plain.snapshot_rows(snapshot.id)[name])
