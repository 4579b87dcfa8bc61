"""The snapshot store: immutable Parquet files per upload and one manifest.

Layout of the store folder (``EMSS_DATA_DIR``, default the repo's ``data/``)::

    manifest.json             every snapshot, in order; the only list readers trust
    metrics/<id>.parquet      one file per snapshot holding metric rows
    debt/<id>.parquet         one file per snapshot holding debt movement rows
    projects/<id>.parquet     one file per snapshot holding Business Plan project rows
    fsc_on_hold/<id>.parquet  a computed snapshot's invoices on hold over 90 days
    ar_balances/<id>.parquet  a computed snapshot's past-due receivables at each aging's date
    metrics/pack-<seq>.parquet  every metric row of snapshots 1..seq in one file (see below)
    debt/pack-<seq>.parquet     the same for debt rows
    .lock                     serialises writers

A commit writes its Parquet files under temporary names, fsyncs and renames them, then
replaces the manifest the same way. A crash at any point leaves the old manifest (and at
worst an unlisted file that no reader opens) or the new one, never a part.

Packs keep reading fast as snapshots accumulate: opening a file costs far more than its
few rows, so once more than ``PACK_AFTER`` snapshot files of a dataset lie outside the
pack, the commit writes a new pack holding the old pack's rows and theirs (each row keeps
its ``snapshot_id``), and the manifest's ``packs`` names it with the last snapshot it
holds. Readers open the pack and the files of later snapshots only. Nothing is deleted:
every snapshot's own file stays where its manifest entry says, and a superseded pack stays
too (a reader may still hold the manifest naming it).
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

from emss.errors import EmssError

REPO_DATA_DIR = Path(__file__).resolve().parent.parent / "data"
PACK_AFTER = 32
KINDS = ("report", "illustrative", "upload", "computed")
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
    # project_key is the name as identity compares it (emss.projects.name_key); position
    # is the row's order in its file, so lists keep the order people gave them in.
    "projects": pa.schema(
        [
            ("snapshot_id", pa.string()),
            ("quarter", pa.string()),
            ("theme", pa.string()),
            ("project", pa.string()),
            ("project_key", pa.string()),
            ("partner", pa.string()),
            ("status", pa.string()),
            ("benefits", pa.string()),
            ("description", pa.string()),
            ("update", pa.string()),
            ("note", pa.string()),
            ("position", pa.int32()),
        ]
    ),
    # Invoices on hold over 90 days at a quarter's end, kept by `computed` snapshots: what a
    # council's team needs to chase them, and nothing else from the exports.
    "fsc_on_hold": pa.schema(
        [
            ("snapshot_id", pa.string()),
            ("quarter", pa.string()),
            ("partner", pa.string()),
            ("invoice_id", pa.string()),
            ("invoice_number", pa.string()),
            ("supplier", pa.string()),
            ("amount_gbp", pa.float64()),
            ("hold_name", pa.string()),
            ("hold_date", pa.date32()),
            ("days_on_hold", pa.int32()),
        ]
    ),
    # Past-due receivables at an aging's As Of Date per partner, collector and sector, kept
    # by `computed` snapshots: the next quarter's debt movement is measured from them.
    "ar_balances": pa.schema(
        [
            ("snapshot_id", pa.string()),
            ("quarter", pa.string()),
            ("as_of", pa.date32()),
            ("partner", pa.string()),
            ("collector", pa.string()),
            ("sector", pa.string()),
            ("past_due_gbp", pa.float64()),
        ]
    ),
}


class StoreError(EmssError, RuntimeError):
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
    # A `computed` snapshot's exports (name, SHA-256, rows read, used, excluded by reason)
    # and the version of the definitions that made its figures.
    lineage: dict | None = None

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
        # Field by field, not dataclasses.asdict: the whole manifest is written on every
        # commit, and asdict's deep copies made that most of a commit's time.
        entry = {
            "id": self.id,
            "seq": self.seq,
            "created": self.created,
            "uploaded_by": self.uploaded_by,
            "kind": self.kind,
            "sources": [{"name": s.name, "sha256": s.sha256} for s in self.sources],
            "rows": self.rows,
            "quarters": list(self.quarters),
            "files": dict(self.files),
            "withdrawn": self.withdrawn,
            "withdrawn_at": self.withdrawn_at,
            "withdrawn_by": self.withdrawn_by,
        }
        if self.lineage is not None:  # absent from other kinds: their entries never change
            entry["lineage"] = self.lineage
        return entry


@dataclass(frozen=True)
class Pack:
    """One file holding a dataset's rows of every snapshot up to seq ``through``."""

    file: str
    through: int


@dataclass(frozen=True)
class Manifest:
    """The manifest as read: the snapshots and the packs."""

    snapshots: list[Snapshot]
    packs: dict[str, Pack]

    def files(self, dataset: str) -> list[str]:
        """The files (relative to the store) holding every row of a dataset, each once:
        the pack, then the files of the snapshots after it."""
        pack = self.packs.get(dataset)
        through = pack.through if pack else 0
        loose = [s.files[dataset] for s in self.snapshots if s.seq > through and dataset in s.files]
        return [pack.file, *loose] if pack else loose


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
        self._parsed: tuple[tuple[int, int, int], Manifest] | None = None

    @classmethod
    def default(cls) -> Store:
        """The store named by EMSS_DATA_DIR, else the bundled ``data/`` folder."""
        return cls(os.environ.get("EMSS_DATA_DIR") or REPO_DATA_DIR)

    def version(self) -> tuple[int, int, int]:
        """Changes whenever the manifest is replaced; cheap enough to check on every query.

        Never repeats: every replacement makes the manifest longer (a commit adds an entry,
        a withdrawal fills in who and when), so even a reused inode and timestamp differ."""
        try:
            stat = self.manifest_path.stat()
        except FileNotFoundError:
            return (0, 0, 0)
        return (stat.st_ino, stat.st_mtime_ns, stat.st_size)

    def manifest(self) -> Manifest:
        """The manifest as it is now. Parsed once per version: with thousands of snapshots
        the parse costs more than a page's queries, and pages ask on every rerun."""
        version = self.version()
        if self._parsed is None or self._parsed[0] != version:
            # Stat before reading: a manifest replaced in between is parsed under the old
            # version, so the next call sees a new version and parses again.
            try:
                raw = json.loads(self.manifest_path.read_text(encoding="utf-8"))
            except FileNotFoundError:
                raw = {"snapshots": []}
            self._parsed = (
                version,
                Manifest(
                    [Snapshot.from_json(entry) for entry in raw["snapshots"]],
                    {name: Pack(**pack) for name, pack in raw.get("packs", {}).items()},
                ),
            )
        manifest = self._parsed[1]
        return Manifest(list(manifest.snapshots), dict(manifest.packs))  # callers may edit

    def snapshots(self) -> list[Snapshot]:
        return self.manifest().snapshots

    def snapshot(self, snapshot_id: str) -> Snapshot:
        for snap in self.snapshots():
            if snap.id == snapshot_id:
                return snap
        raise StoreError(f"no snapshot {snapshot_id!r} in {self.root}")

    def path(self, relative: str) -> Path:
        return self.root / relative

    def _write_manifest(self, snapshots: Iterable[Snapshot], packs: dict[str, Pack]) -> None:
        # "packs" is absent until a store first packs, so small stores' manifests never change.
        packed = {name: asdict(pack) for name, pack in sorted(packs.items())}
        text = _manifest_text([s.to_json() for s in snapshots], packed)
        atomic_write(self.manifest_path, lambda handle: handle.write(text.encode("utf-8")))

    def commit(
        self,
        frames: dict[str, pd.DataFrame],
        *,
        uploaded_by: str,
        kind: str,
        sources: Iterable[SourceFile] = (),
        created: str | None = None,
        lineage: dict | None = None,
    ) -> Snapshot:
        """Store the given rows (per dataset) as one new snapshot and return its entry."""
        if kind not in KINDS:
            raise StoreError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
        frames = {name: df for name, df in frames.items() if df is not None and len(df)}
        if not frames:
            raise StoreError("nothing to commit: the upload holds no figures")
        self.root.mkdir(parents=True, exist_ok=True)
        with self._lock:
            manifest = self.manifest()
            existing = manifest.snapshots
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
                lineage=lineage,
            )
            after = Manifest([*existing, snapshot], manifest.packs)
            self._write_manifest(after.snapshots, self._pack(after))
        return snapshot

    def _pack(self, manifest: Manifest) -> dict[str, Pack]:
        """The packs to name: a dataset with more than PACK_AFTER snapshot files outside its
        pack gets a new pack holding them all (written here, named by the next manifest)."""
        packs = dict(manifest.packs)
        last = manifest.snapshots[-1].seq
        for name, schema in DATASETS.items():
            files = manifest.files(name)
            if len(files) - (name in packs) <= PACK_AFTER:
                continue
            table = pa.concat_tables(pq.read_table(self.path(f), schema=schema) for f in files)
            relative = f"{name}/pack-{last:05d}.parquet"
            atomic_write(self.path(relative), lambda handle, t=table: pq.write_table(t, handle))
            packs[name] = Pack(relative, last)
        return packs

    def withdraw(self, snapshot_id: str, *, withdrawn_by: str) -> Snapshot:
        """Mark a snapshot withdrawn: its figures leave the current view; nothing is deleted."""
        with self._lock:
            manifest = self.manifest()
            snapshots = manifest.snapshots
            for i, snap in enumerate(snapshots):
                if snap.id == snapshot_id:
                    if snap.withdrawn:
                        raise StoreError(f"snapshot {snapshot_id} was already withdrawn")
                    snapshots[i] = replace(
                        snap, withdrawn=True, withdrawn_at=now_utc(), withdrawn_by=withdrawn_by
                    )
                    self._write_manifest(snapshots, manifest.packs)
                    return snapshots[i]
        raise StoreError(f"no snapshot {snapshot_id!r} in {self.root}")


def _manifest_text(snapshots: list[dict], packs: dict) -> str:
    """The manifest as JSON with one snapshot a line: readable, diffable, and written by the
    C encoder (indenting every field made a commit at 2,000 snapshots spend 200 ms in json)."""

    def dump(value: object) -> str:
        return json.dumps(value, ensure_ascii=False)

    listed = ",\n".join(f"    {dump(snapshot)}" for snapshot in snapshots)
    parts = ['  "format": 1', f'  "snapshots": [\n{listed}\n  ]']
    if packs:
        parts.append(f'  "packs": {dump(packs)}')
    return "{\n" + ",\n".join(parts) + "\n}\n"
