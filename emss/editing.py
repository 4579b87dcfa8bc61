"""What the Upload and History pages show, as plain frames ready to lay out.

An upload's preview (new figures, each revision old → new), the manifest as a table, the
revision history of one figure, and which quarter the upload templates are for.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

import pandas as pd

from emss.catalogue import Catalogue, Metric, load_catalogue
from emss.compare import format_value
from emss.ingest import FileSummary, Preview, max_upload_bytes
from emss.quarters import Quarter
from emss.store import Snapshot


def template_quarter(latest: Quarter | None, today: dt.date | None = None) -> Quarter:
    """The quarter a new upload is most likely for: the one after the latest with data.

    With nothing stored yet, the last quarter that has ended.
    """
    if latest is not None:
        return latest.next
    return Quarter.containing(today or dt.date.today()).previous


def template_file_name(quarter: Quarter, kind: str) -> str:
    """``emss-metrics-2023-24-Q4.csv``: the quarter in a form every file system accepts."""
    return f"emss-{kind}-{str(quarter).replace('/', '-').replace(' ', '-')}.csv"


def upload_limit_mb() -> int:
    """The upload limit in whole megabytes (rounded up), as the file picker takes it."""
    return max(1, math.ceil(max_upload_bytes() / 1024 / 1024))


def file_outcome(summary: FileSummary) -> str:
    """One line per file read: "q4.csv: metrics file, 42 rows"."""
    if summary.kind is None:
        return f"{summary.name}: not read (see the problems below)"
    rows = f"{summary.rows:,} row{'s' * (summary.rows != 1)}"
    return f"{summary.name}: {summary.kind} file, {rows}"


def _timestamp(created: str | None) -> pd.Timestamp:
    return pd.Timestamp(created) if created else pd.NaT


def preview_figures(
    preview: Preview, change: str, catalogue: Catalogue | None = None
) -> pd.DataFrame:
    """The upload's metric figures of one kind of change (new, revision or unchanged).

    Values are written exactly in the metric's unit; a revision shows what it replaces.
    """
    catalogue = catalogue or load_catalogue()
    rows = preview.metrics[preview.metrics["change"] == change]
    identity = {
        "Quarter": rows["quarter"],
        "Partner": rows["partner"],
        "Figure": [catalogue[m].label for m in rows["metric"]],
    }
    units = [catalogue[m].unit.name for m in rows["metric"]]
    return _preview_table(rows, identity, units, "value", "Value", change)


def preview_debt(preview: Preview, change: str) -> pd.DataFrame:
    """The upload's debt movements of one kind of change, in exact pounds."""
    rows = preview.debt[preview.debt["change"] == change]
    identity = {name.capitalize(): rows[name] for name in ("quarter", "partner", "collector")}
    identity["Sector"] = rows["sector"]
    units = ["gbp"] * len(rows)
    return _preview_table(rows, identity, units, "movement_gbp", "Movement", change)


def _preview_table(
    rows: pd.DataFrame,
    identity: dict,
    units: Sequence[str],
    value_column: str,
    value_name: str,
    change: str,
) -> pd.DataFrame:
    """Preview rows as a table: what they are (``identity``), the value written exactly and
    the note; a revision also shows the value it replaces (Was → Now) and from which
    snapshot, anything else names its value ``value_name``."""

    def written(values: pd.Series) -> list[str]:
        return [format_value(v, u, exact=True) for v, u in zip(values, units, strict=True)]

    frame = pd.DataFrame(
        {
            **identity,
            "Was": written(rows["old_value"]),
            "Now": written(rows[value_column]),
            "Note": rows["note"],
            "Replaces snapshot": rows["old_snapshot"],
        },
        columns=[*identity, "Was", "Now", "Note", "Replaces snapshot"],
    )
    if change != "revision":
        frame = frame.drop(columns=["Was", "Replaces snapshot"]).rename(columns={"Now": value_name})
    return frame.reset_index(drop=True)


def manifest_table(snapshots: Sequence[Snapshot]) -> pd.DataFrame:
    """Every snapshot, newest first: who stored it, when, from which files, and its status."""
    return pd.DataFrame(
        [
            {
                "Snapshot": s.id,
                "Kind": s.kind,
                "Uploaded by": s.uploaded_by,
                "When": _timestamp(s.created),
                "Files": ", ".join(f.name for f in s.sources),
                "SHA-256": ", ".join(f.sha256 for f in s.sources),
                "Rows": s.rows,
                "Quarters": ", ".join(s.quarters),
                "Status": "Withdrawn" if s.withdrawn else "In use",
                "Withdrawn by": s.withdrawn_by,
                "Withdrawn": _timestamp(s.withdrawn_at),
            }
            for s in sorted(snapshots, key=lambda s: s.seq, reverse=True)
        ],
        columns=[
            "Snapshot",
            "Kind",
            "Uploaded by",
            "When",
            "Files",
            "SHA-256",
            "Rows",
            "Quarters",
            "Status",
            "Withdrawn by",
            "Withdrawn",
        ],
    )


def snapshot_choice(snapshot: Snapshot) -> str:
    """How a snapshot is named in a list to pick from."""
    status = ", withdrawn" if snapshot.withdrawn else ""
    quarters = ", ".join(snapshot.quarters)
    return (
        f"{snapshot.id} ({snapshot.kind} by {snapshot.uploaded_by}: "
        f"{snapshot.rows:,} rows for {quarters}{status})"
    )


def uploadable_partners(metric: Metric) -> tuple[str, ...]:
    """Partners a figure of this metric can be uploaded for: its own, and EMSS as a whole."""
    return metric.partners if "EMSS" in metric.partners else (*metric.partners, "EMSS")


def revision_history(revisions: pd.DataFrame, unit: str) -> pd.DataFrame:
    """One figure's values, oldest first: "as first reported" then "as revised", each with
    when, who, which snapshot, and whether it is the value in use now."""

    def status(row) -> str:
        if row.withdrawn:
            return "Withdrawn"
        return "In use now" if row.current else "Superseded"

    return pd.DataFrame(
        {
            "Value": [format_value(v, unit, exact=True) for v in revisions["value"]],
            "As": ["first reported" if i == 0 else "revised" for i in range(len(revisions))],
            "On": [_timestamp(c) for c in revisions["created"]],
            "By": revisions["uploaded_by"],
            "Snapshot": revisions["snapshot_id"],
            "Status": [status(r) for r in revisions.itertuples()],
            "Note": revisions["note"],
        },
        columns=["Value", "As", "On", "By", "Snapshot", "Status", "Note"],
    )
