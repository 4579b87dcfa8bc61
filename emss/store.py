"""The snapshot store: immutable Parquet files per upload and one manifest.

Layout of the store folder (``EMSS_DATA_DIR``, default the repo's ``data/``)::

    manifest.json             every snapshot, in order; the only list readers trust
    metrics/<id>.parquet      one file per snapshot holding metric rows
    debt/<id>.parquet         one file per snapshot holding debt movement rows
    .lock                     serialises writers

A commit writes its Parquet files under temporary names, fsyncs and renames them, then
replaces the manifest the same way. A crash at any point leaves the old manifest (and at
worst an unlisted file that no reader opens) or the new one, never a part.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from filelock import FileLock

REPO_DATA_DIR = Path(__file__).resolve().parent.parent / "data"
KINDS = ("report", "illustrative", "upload")
DATASETS: dict[str, pa.Schema] = {
    "metrics": pa.schema(
        [
            ("snapshot_id", pa.string()),
            ("quarter", pa.string()),
            ("partner", pa.string()),
            ("metric", pa.string()),
            ("value", pa.float64()),
            ("note", pa.string()),
        ]
    ),
    "debt": pa.schema(
        [
            ("snapshot_id", pa.string()),
            ("quarter", pa.string()),
            ("partner", pa.string()),
            ("collector", pa.string()),
            ("sector", pa.string()),
            ("movement_gbp", pa.float64()),
            ("note", pa.string()),
        ]
    ),
}


class StoreError(RuntimeError):
    """A store operation that cannot be carried out (unknown snapshot, nothing to commit...)."""


@dataclass(frozen=True)
class SourceFile:
    name: str
    sha256: str


@dataclass(frozen=True)
class Snapshot:
    """One manifest entry."""

    id: str
    seq: int
    created: str
    uploaded_by: str
    kind: str
    sources: tuple[SourceFile, ...]
    rows: int
    quarters: tuple[str, ...]
    files: dict[str, str]
    withdrawn: bool = False
    withdrawn_at: str | None = None
    withdrawn_by: str | None = None

    @classmethod
    def from_json(cls, raw: dict) -> Snapshot:
        return cls(
            **{
                **raw,
                "sources": tuple(SourceFile(**s) for s in raw["sources"]),
                "quarters": tuple(raw["quarters"]),
            }
        )

    def to_json(self) -> dict:
        return {**asdict(self), "sources": [asdict(s) for s in self.sources]}


def now_utc() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(path: Path, write: Callable[[object], None]) -> None:
    """Write a file whole or not at all: temp file in the same folder, fsync, rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".partial")
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


class Store:
    """A folder of snapshots. Readers need no lock; writers take ``.lock``."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)
        self.manifest_path = self.root / "manifest.json"
        self._lock = FileLock(self.root / ".lock", timeout=60)

    @classmethod
    def default(cls) -> Store:
        """The store named by EMSS_DATA_DIR, else the bundled ``data/`` folder."""
        return cls(os.environ.get("EMSS_DATA_DIR") or REPO_DATA_DIR)

    def version(self) -> tuple[int, int, int]:
        """Changes whenever the manifest is replaced; cheap enough to check on every query."""
        try:
            stat = self.manifest_path.stat()
        except FileNotFoundError:
            return (0, 0, 0)
        return (stat.st_ino, stat.st_mtime_ns, stat.st_size)

    def snapshots(self) -> list[Snapshot]:
        try:
            raw = json.loads(self.manifest_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return []
        return [Snapshot.from_json(entry) for entry in raw["snapshots"]]

    def snapshot(self, snapshot_id: str) -> Snapshot:
        for snap in self.snapshots():
            if snap.id == snapshot_id:
                return snap
        raise StoreError(f"no snapshot {snapshot_id!r} in {self.root}")

    def path(self, relative: str) -> Path:
        return self.root / relative

    def _write_manifest(self, snapshots: Iterable[Snapshot]) -> None:
        body = {"format": 1, "snapshots": [s.to_json() for s in snapshots]}
        text = json.dumps(body, indent=2, ensure_ascii=False) + "\n"
        atomic_write(self.manifest_path, lambda handle: handle.write(text.encode("utf-8")))

    def commit(
        self,
        frames: dict[str, pd.DataFrame],
        *,
        uploaded_by: str,
        kind: str,
        sources: Iterable[SourceFile] = (),
        created: str | None = None,
    ) -> Snapshot:
        """Store the given rows (per dataset) as one new snapshot and return its entry."""
        if kind not in KINDS:
            raise StoreError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
        frames = {name: df for name, df in frames.items() if df is not None and len(df)}
        if not frames:
            raise StoreError("nothing to commit: the upload holds no figures")
        self.root.mkdir(parents=True, exist_ok=True)
        with self._lock:
            existing = self.snapshots()
            seq = max((s.seq for s in existing), default=0) + 1
            created = created or now_utc()
            snapshot_id = f"{seq:05d}-{created[:10].replace('-', '')}-{kind}"
            files = {}
            for name, frame in frames.items():
                relative = f"{name}/{snapshot_id}.parquet"
                table = pa.Table.from_pandas(
                    frame.assign(snapshot_id=snapshot_id)[DATASETS[name].names],
                    schema=DATASETS[name],
                    preserve_index=False,
                )
                atomic_write(self.path(relative), lambda handle, t=table: pq.write_table(t, handle))
                files[name] = relative
            snapshot = Snapshot(
                id=snapshot_id,
                seq=seq,
                created=created,
                uploaded_by=uploaded_by,
                kind=kind,
                sources=tuple(sources),
                rows=sum(len(f) for f in frames.values()),
                quarters=tuple(sorted({q for f in frames.values() for q in f["quarter"]})),
                files=files,
            )
            self._write_manifest([*existing, snapshot])
        return snapshot

    def withdraw(self, snapshot_id: str, *, withdrawn_by: str) -> Snapshot:
        """Mark a snapshot withdrawn: its figures leave the current view; nothing is deleted."""
        with self._lock:
            snapshots = self.snapshots()
            for i, snap in enumerate(snapshots):
                if snap.id == snapshot_id:
                    if snap.withdrawn:
                        raise StoreError(f"snapshot {snapshot_id} was already withdrawn")
                    snapshots[i] = replace(
                        snap, withdrawn=True, withdrawn_at=now_utc(), withdrawn_by=withdrawn_by
                    )
                    self._write_manifest(snapshots)
                    return snapshots[i]
        raise StoreError(f"no snapshot {snapshot_id!r} in {self.root}")
