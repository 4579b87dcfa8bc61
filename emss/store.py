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

A commit writes its Parquet files under temporary names, fsyncs them and links each to its
final name, which must not exist yet (a file once stored is never replaced, even when the
manifest was restored from an older copy), then replaces the manifest. A crash at any point
leaves the old manifest (and at worst an unlisted or temporary file that no reader opens) or
the new one, never a part. A snapshot's id comes after every id in the manifest and on disk.
The manifest records each file's SHA-256; ``check`` compares the folder with it.

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
import hashlib
import io
import json
import os
import re
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from filelock import FileLock

from emss.errors import EmssError

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

REPO_DATA_DIR = Path(__file__).resolve().parent.parent / "data"
PACK_AFTER = 32
KINDS = ("report", "illustrative", "upload", "computed")
# Each dataset's columns and their types (pyarrow's names for them), declared as plain data:
# reading the store is DuckDB's work and must not pay pyarrow's import (~0.2 s), which only
# writing and checking files needs (``DATASETS``).
COLUMNS: dict[str, dict[str, str]] = {
    "metrics": {
        "snapshot_id": "string",
        "quarter": "string",
        "partner": "string",
        "metric": "string",
        "value": "float64",
        "note": "string",
    },
    "debt": {
        "snapshot_id": "string",
        "quarter": "string",
        "partner": "string",
        "collector": "string",
        "sector": "string",
        "movement_gbp": "float64",
        "note": "string",
    },
    # project_key is the name as identity compares it (emss.projects.name_key); position
    # is the row's order in its file, so lists keep the order people gave them in.
    "projects": {
        "snapshot_id": "string",
        "quarter": "string",
        "theme": "string",
        "project": "string",
        "project_key": "string",
        "partner": "string",
        "status": "string",
        "benefits": "string",
        "description": "string",
        "update": "string",
        "note": "string",
        "position": "int32",
    },
    # Invoices on hold over 90 days at a quarter's end, kept by `computed` snapshots: what a
    # council's team needs to chase them, and nothing else from the exports.
    "fsc_on_hold": {
        "snapshot_id": "string",
        "quarter": "string",
        "partner": "string",
        "invoice_id": "string",
        "invoice_number": "string",
        "supplier": "string",
        "amount_gbp": "float64",
        "hold_name": "string",
        "hold_date": "date32",
        "days_on_hold": "int32",
    },
    # Past-due receivables at an aging's As Of Date per partner, collector and sector, kept
    # by `computed` snapshots: the next quarter's debt movement is measured from them.
    "ar_balances": {
        "snapshot_id": "string",
        "quarter": "string",
        "as_of": "date32",
        "partner": "string",
        "collector": "string",
        "sector": "string",
        "past_due_gbp": "float64",
    },
}


class _Schemas(Mapping[str, "pa.Schema"]):
    """``COLUMNS`` as pyarrow schemas, each built when first asked for: iterating over the
    datasets' names needs no pyarrow."""

    def __getitem__(self, name: str) -> pa.Schema:
        return _schema(name)

    def __iter__(self) -> Iterator[str]:
        return iter(COLUMNS)

    def __len__(self) -> int:
        return len(COLUMNS)


@cache
def _schema(name: str) -> pa.Schema:
    import pyarrow as pa

    return pa.schema([(column, getattr(pa, kind)()) for column, kind in COLUMNS[name].items()])


DATASETS: Mapping[str, pa.Schema] = _Schemas()


class StoreError(EmssError, RuntimeError):
    """A store operation that cannot be carried out (unknown snapshot, nothing to commit...)."""


CHECK_HINT = "run `python -m emss check` to see what is wrong"


class DamagedStoreError(StoreError):
    """The store's files are not as its manifest says; the message says what, in one line."""

    def __init__(self, what: str) -> None:
        self.what = what
        super().__init__(
            f"The figures' store is damaged: {what}. Nothing was changed; {CHECK_HINT}."
        )

    def __reduce__(self):  # raised in the upload's worker process, re-raised in the server's
        return type(self), (self.what,)


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
    hashes: dict[str, str] = field(default_factory=dict)  # file → SHA-256 (absent in old ones)

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
            **({"hashes": dict(self.hashes)} if self.hashes else {}),
        }
        if self.lineage is not None:  # absent from other kinds: their entries never change
            entry["lineage"] = self.lineage
        return entry


@dataclass(frozen=True)
class Pack:
    """One file holding a dataset's rows of every snapshot up to seq ``through``."""

    file: str
    through: int
    sha256: str | None = None  # absent in manifests written before hashes were recorded


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


TEMP_PREFIX, TEMP_SUFFIX = ".tmp-", ".partial"  # a write in progress, or a killed one's leftover


def atomic_write(path: Path, write: Callable[[object], None], *, exclusive: bool = False) -> None:
    """Write a file whole or not at all: temp file in the same folder, fsync, rename.

    ``exclusive``: the file must not exist yet; it is linked into place (never replacing
    one) and FileExistsError is raised if something is already there."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX)
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        if exclusive:
            os.link(tmp, path)
            os.unlink(tmp)
        else:
            os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def _parquet_bytes(table: pa.Table) -> bytes:
    import pyarrow.parquet as pq

    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()


_SEQ_IN_NAME = re.compile(r"(?:pack-)?(\d{1,9})")  # 00003-20240118-upload, pack-00040


def file_seqs(root: Path) -> list[int]:
    """The sequence numbers in the names of the snapshot and pack files on disk."""
    seqs = []
    for name in DATASETS:
        folder = root / name
        for path in folder.glob("*.parquet") if folder.is_dir() else ():
            found = _SEQ_IN_NAME.match(path.stem)
            if found:
                seqs.append(int(found[1]))
    return seqs


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
        return cls(cls.default_root())

    @staticmethod
    def default_root() -> Path:
        """The folder of the default store, without opening it (a Store makes its lock)."""
        return Path(os.environ.get("EMSS_DATA_DIR") or REPO_DATA_DIR)

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
            self._parsed = (version, self._read_manifest())
        manifest = self._parsed[1]
        return Manifest(list(manifest.snapshots), dict(manifest.packs))  # callers may edit

    def _read_manifest(self) -> Manifest:
        try:
            raw = json.loads(self.manifest_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return Manifest([], {})
        except OSError as error:
            raise DamagedStoreError(f"manifest.json cannot be read ({error.strerror})") from None
        except ValueError as error:  # not UTF-8, or not JSON: a truncated or hand-edited file
            raise DamagedStoreError(f"manifest.json is not valid JSON ({error})") from None
        try:
            return Manifest(
                [Snapshot.from_json(entry) for entry in raw["snapshots"]],
                {name: Pack(**pack) for name, pack in raw.get("packs", {}).items()},
            )
        except (KeyError, TypeError, AttributeError) as error:
            raise DamagedStoreError(
                f"manifest.json does not list snapshots as expected ({type(error).__name__}: "
                f"{error})"
            ) from None

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
        packed = {
            name: {k: v for k, v in asdict(pack).items() if v is not None}
            for name, pack in sorted(packs.items())
        }
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
        import pyarrow as pa

        if kind not in KINDS:
            raise StoreError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
        frames = {name: df for name, df in frames.items() if df is not None and len(df)}
        if not frames:
            raise StoreError("nothing to commit: the upload holds no figures")
        with self._writing():
            manifest = self.manifest()
            existing = manifest.snapshots
            on_disk = file_seqs(self.root)
            seq = max((s.seq for s in existing), default=0)
            seq = max(seq, *on_disk) + 1 if on_disk else seq + 1
            created = created or now_utc()
            snapshot_id = f"{seq:05d}-{created[:10].replace('-', '')}-{kind}"
            files, hashes = {}, {}
            for name, frame in frames.items():
                relative = f"{name}/{snapshot_id}.parquet"
                table = pa.Table.from_pandas(
                    frame.assign(snapshot_id=snapshot_id)[DATASETS[name].names],
                    schema=DATASETS[name],
                    preserve_index=False,
                )
                hashes[relative] = self._store_file(relative, _parquet_bytes(table))
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
                hashes=hashes,
            )
            after = Manifest([*existing, snapshot], manifest.packs)
            self._write_manifest(after.snapshots, self._pack(after))
        return snapshot

    def _pack(self, manifest: Manifest) -> dict[str, Pack]:
        """The packs to name: a dataset with more than PACK_AFTER snapshot files outside its
        pack gets a new pack holding them all (written here, named by the next manifest)."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        packs = dict(manifest.packs)
        last = manifest.snapshots[-1].seq
        for name, schema in DATASETS.items():
            files = manifest.files(name)
            if len(files) - (name in packs) <= PACK_AFTER:
                continue
            table = pa.concat_tables(pq.read_table(self.path(f), schema=schema) for f in files)
            relative = f"{name}/pack-{last:05d}.parquet"
            packs[name] = Pack(relative, last, self._store_file(relative, _parquet_bytes(table)))
        return packs

    def _store_file(self, relative: str, data: bytes) -> str:
        """Write a new file of the store, never replacing one; its SHA-256."""
        try:
            atomic_write(self.path(relative), lambda h: h.write(data), exclusive=True)
        except FileExistsError:
            raise StoreError(
                f"{relative} already exists, so the upload was not stored (a stored file is "
                f"never replaced); {CHECK_HINT}"
            ) from None
        return hashlib.sha256(data).hexdigest()

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """Hold the writers' lock; a store that cannot be written says why, in a sentence."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            with self._lock:
                yield
        except OSError as error:
            reason = error.strerror or str(error)
            raise StoreError(f"the store cannot be written ({reason})") from error

    def withdraw(self, snapshot_id: str, *, withdrawn_by: str) -> Snapshot:
        """Mark a snapshot withdrawn: its figures leave the current view; nothing is deleted."""
        with self._writing():
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


# --- checking a store against its manifest ---------------------------------------------


@dataclass
class CheckReport:
    """What ``check`` found: problems to put right by hand, and temporary leftovers of
    interrupted writes (harmless; ``fix`` removes them)."""

    snapshots: int = 0
    files: int = 0
    problems: list[str] = field(default_factory=list)
    leftovers: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _is_temp(name: str) -> bool:
    return name.startswith(TEMP_PREFIX) and name.endswith(TEMP_SUFFIX)


def check(store: Store, *, fix: bool = False) -> CheckReport:
    """Compare the store folder with its manifest: the manifest parses; every file it lists
    exists, with its recorded SHA-256 (or, for files stored before hashes were recorded, as
    readable Parquet); nothing else is there but temporary leftovers, removed with ``fix``."""
    report = CheckReport()
    try:
        manifest = store.manifest()
    except DamagedStoreError as error:
        report.problems.append(error.what)
        return report
    listed: dict[str, str | None] = {}
    for snap in manifest.snapshots:
        for relative in snap.files.values():
            listed[relative] = snap.hashes.get(relative)
    for pack in manifest.packs.values():
        listed[pack.file] = pack.sha256
    ids = Counter(s.id for s in manifest.snapshots)
    for repeated in sorted(i for i, n in ids.items() if n > 1):
        report.problems.append(f"snapshot {repeated} is listed more than once in manifest.json")
    report.snapshots, report.files = len(manifest.snapshots), len(listed)
    for relative, recorded in sorted(listed.items()):
        path = store.path(relative)
        if not path.is_file():
            report.problems.append(f"{relative} is listed in manifest.json but missing")
        elif recorded and _sha256(path) != recorded:
            report.problems.append(
                f"{relative} has changed since it was stored (its SHA-256 is not the recorded one)"
            )
        elif not recorded:
            import pyarrow as pa
            import pyarrow.parquet as pq

            try:
                pq.read_metadata(path)
            except (pa.ArrowException, OSError) as error:
                report.problems.append(f"{relative} is not a readable Parquet file ({error})")
    folders = [(store.root, ""), *((store.root / n, f"{n}/") for n in DATASETS)]
    for folder, prefix in folders:
        for path in sorted(folder.iterdir()) if folder.is_dir() else ():
            relative = prefix + path.name
            if _is_temp(path.name):
                report.leftovers.append(relative)
            elif prefix and relative not in listed:
                report.problems.append(
                    f"{relative} is on disk but not in manifest.json (left by an interrupted "
                    "upload, or the manifest was restored from an older copy)"
                )
    if fix and report.leftovers:
        with store._writing():  # no commit is writing a temporary file meanwhile
            for relative in report.leftovers:
                store.path(relative).unlink(missing_ok=True)
                report.removed.append(relative)
    return report
