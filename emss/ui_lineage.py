"""Where a computed figure comes from, wherever one is shown: the computed snapshot behind
it, each export it was computed from (name, SHA-256, rows read, used and left out and why),
the version of the definitions, and the figure typed in for the same thing, if any.

One builder for the History page (``exports``) and for the area and Debt pages, which put it
one click away under a figure or table (``behind``). Built from the manifest and a
reconciliation cached per store version: a page whose figures no computed snapshot made
pays one cached look-up (under a millisecond) and draws nothing.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
import pyarrow as pa
import streamlit as st

from emss import uploads
from emss.catalogue import DEBT
from emss.store import Snapshot
from emss.text import markdown_literal
from emss.ui import _database, _key

EXPANDER = "Where this figure comes from"
DEBT_EXPANDER = "Where these movements come from"


@st.cache_resource(show_spinner=False, max_entries=4)
def _computed(root: str, version: tuple) -> dict[str, Snapshot]:
    """The store's computed snapshots not withdrawn, by id (shared, never changed)."""
    return {
        s.id: s
        for s in _database(root).store.snapshots()
        if s.kind == "computed" and not s.withdrawn and s.lineage
    }


@st.cache_data(show_spinner=False, max_entries=8)
def _reconciled(root: str, version: tuple, dataset: str) -> pd.DataFrame:
    from emss.sources import stored

    return stored.reconciliation(_database(root).store, dataset=dataset)


def reconciled(dataset: str = "metrics") -> pd.DataFrame:
    """``stored.reconciliation`` of the store as it is now, for ``dataset`` (metrics or
    debt), read once per store version."""
    return _reconciled(*_key(), dataset)


def warm() -> None:
    """Prepare what the first page showing a computed figure after a commit would wait for
    (the reconciliations, ~0.1 s each): call with ``ui_areas.warm_caches``."""
    if _computed(*_key()):
        for dataset in _SHOWN:
            _reconciled(*_key(), dataset)


def exports(lineage: dict) -> None:
    """A computation's exports: the definitions' versions, a line per file (its SHA-256
    shortened) and every file's full SHA-256 in a block with a copy button."""
    st.markdown(
        f"**Computed from these exports.** {uploads.definitions_line(lineage)}. Rows left out "
        "were left out on purpose by the definitions (the Definitions page words each one)."
    )
    st.markdown("\n".join(f"- {line}" for line in uploads.lineage_lines(lineage)))
    st.caption(
        "Each file's SHA-256 in full: a copy of an export can be checked against it "
        "(`sha256sum --check` reads these lines)."
    )
    st.code(uploads.checksums(lineage), language=None, wrap_lines=True)


def _ids(snapshot_id: object) -> list[str]:
    """The snapshots a figure's ``snapshot_id`` names: a derived or summed figure names
    several, comma-separated; a figure not reported (None or NaN), none."""
    return [i.strip() for i in snapshot_id.split(",")] if isinstance(snapshot_id, str) else []


def _snapshots_behind(snapshot_ids: Iterable[object]) -> list[Snapshot]:
    """The computed snapshots among those named, each once."""
    computed = _computed(*_key())
    if not computed:
        return []
    named = dict.fromkeys(i for ids in snapshot_ids for i in _ids(ids))
    return [computed[i] for i in named if i in computed]


def _snapshot(snapshot: Snapshot, lineage: dict) -> None:
    """A snapshot and the part of its lineage (``compute.narrowed``) behind what is shown."""
    held = len((snapshot.lineage or {}).get("exports", []))
    used = len(lineage.get("exports", []))
    part = f"; what is shown here comes from {used} of its {held} exports" if used < held else ""
    st.markdown(
        f"**Snapshot {snapshot.id}**, stored by {markdown_literal(snapshot.uploaded_by)} on "
        f"{snapshot.created[:10]}{part} (the History page lists everything it holds)."
    )
    exports(lineage)


# What the figures under an expander are, per dataset: the expander's label, the columns
# naming one figure, and the figures as the reconciliation calls them.
_SHOWN = {
    "metrics": (EXPANDER, ["quarter", "partner", "metric"], "figure"),
    "debt": (DEBT_EXPANDER, list(DEBT.identity), "movements"),
}


@st.cache_resource(show_spinner=False, max_entries=256)
def _typed_in(
    root: str, version: tuple, dataset: str, shown: tuple[tuple[str, ...], ...]
) -> pa.Table | None:
    """The figures named by ``shown`` (the dataset's key columns) that a computed snapshot
    gave and someone also typed in, as people read them (shared, never changed: Arrow, so
    a rerun does not convert it again); None when there are none."""
    _, keys, _ = _SHOWN[dataset]
    reconciled = _reconciled(root, version, dataset).merge(
        pd.DataFrame(list(shown), columns=keys, dtype="str"), on=keys
    )
    if reconciled.empty:
        return None
    if dataset == "debt":
        table = uploads.debt_reconciliation_table(reconciled)
    else:
        table = uploads.reconciliation_table(_database(root), reconciled)
    return pa.Table.from_pandas(table, preserve_index=False)


def behind(shown: pd.DataFrame, dataset: str = "metrics") -> None:
    """Under a figure or table: an expander with the lineage of the computed snapshots
    behind the rows shown, and those rows also typed in (their reconciliation); nothing when
    no computed snapshot is behind them. ``shown`` has a ``snapshot_id`` column and the
    columns naming a figure: quarter, partner, metric (``dataset="metrics"``), or quarter,
    partner, collector, sector (``"debt"``, the Debt page's movements)."""
    snapshots = _snapshots_behind(shown["snapshot_id"])
    if not snapshots:
        return
    label, keys, what = _SHOWN[dataset]
    # Drawn only once opened: a closed expander's grid still costs the browser every rerun.
    lineage = st.expander(
        label, icon=":material/source:", key=f"lineage_{dataset}", on_change="rerun"
    )
    if not lineage.open:
        return
    behind_ids = {s.id for s in snapshots}
    named = tuple(
        tuple(key)
        for *key, ids in zip(*(shown[k] for k in keys), shown["snapshot_id"], strict=True)
        if behind_ids.intersection(_ids(ids))
    )
    table = _typed_in(*_key(), dataset, named)
    from emss.sources.compute import narrowed

    metrics = set(shown["metric"]) if dataset == "metrics" else set()
    with lineage:
        for snapshot in snapshots:
            _snapshot(snapshot, narrowed(snapshot.lineage or {}, metrics, debt=dataset == "debt"))
        if table is not None:
            st.markdown(
                f"**Also typed in.** The same {what} from an upload or the report, with the "
                "difference (computed − typed in); the dashboard shows the newer snapshot's."
            )
            st.dataframe(table, hide_index=True, width="stretch", height="content")
