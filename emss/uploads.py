"""What the Upload page checks and shows beyond reading the files: figures far from their
reported history, figures reported last quarter and missing now, the problems as a table that
says what each column holds, and the next step; for source-system exports, the computed
figures beside those in use, the reconciliation and the lineage (also on the History page).
Pure functions over ``Database`` queries."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from emss import debt
from emss.compare import format_value
from emss.export import to_csv
from emss.quarters import Quarter
from emss.queries import Database

METRIC_KEY = ["quarter", "partner", "metric"]
SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"
# Exports are larger than typed returns: a year of both councils' Payables exports is about
# 12 MB (the sample quarter is 2.7 MB); 50 MB leaves room for growth. Larger ones: the CLI.
DEFAULT_EXPORT_LIMIT_MB = 50
SHORT_SHA256 = 12  # hex digits of a file's SHA-256 shown where it is read at a glance
PROBLEM_COLUMNS = {
    "file": "File",
    "line": "Line",
    "column": "Column",
    "value": "Value found",
    "problem": "Problem",
    "expected": "What was expected",
}
_EXPECTED = re.compile(r"^(?P<problem>.*?)\s*\(expected (?P<expected>.*)\)$", re.DOTALL)
# (words a problem contains, the next step that resolves it), in the order they are offered.
_NEXT_STEPS = (
    (
        ("header", "readable CSV", "is empty (expected a header"),
        "Download the template for the quarter (above) and copy the figures into it: its "
        "header is the one expected.",
    ),
    (
        ("is not a known metric",),
        "The Definitions page lists every metric key an upload may use.",
    ),
    (
        ("limit",),
        "Split the file (by quarter, say), or store it from the command line: "
        "`python -m emss ingest FILE`.",
    ),
)
LINE_STEP = "Correct the cells listed (file, line and column) and upload the files again."


def export_limit_mb() -> int:
    """The upload limit for source-system exports: EMSS_MAX_EXPORT_MB megabytes, default 50."""
    return int(os.environ.get("EMSS_MAX_EXPORT_MB", DEFAULT_EXPORT_LIMIT_MB))


def _label(db: Database, metric: str) -> str:
    return db.catalogue[metric].label


def outliers(db: Database, rows: pd.DataFrame) -> list[str]:
    """Uploaded figures far outside the range of their reported figures of the last four
    quarters (at least two of them); illustrative history is never the yardstick."""
    if rows.empty:
        return []
    recent = rows.merge(db.recent_range(rows[METRIC_KEY]), on=METRIC_KEY)
    warnings = []
    for r in recent[recent["n"] >= 2].itertuples():
        margin = max(r.high - r.low, 0.25 * max(abs(r.high), abs(r.low)))
        if r.value > r.high + margin or r.value < r.low - margin:
            unit = db.catalogue[r.metric].unit.name

            def shown(value: float, unit: str = unit) -> str:
                return format_value(value, unit, exact=True)

            warnings.append(
                f"{r.quarter} {_label(db, r.metric)}, {r.partner}: {shown(r.value)} is far "
                f"outside its reported figures of the last four quarters ({shown(r.low)} to "
                f"{shown(r.high)}); check it is right"
            )
    return warnings


def missing(db: Database, rows: pd.DataFrame) -> pd.DataFrame:
    """Figures reported for the quarter before each quarter the upload has figures for, that
    neither the upload nor the store (as reported) has for that quarter.

    Columns: quarter, partner, metric, label, previous_quarter, previous_value (as written).
    """
    columns = ["quarter", "partner", "metric", "label", "previous_quarter", "previous_value"]
    quarters = sorted({Quarter.parse(q) for q in rows["quarter"]})
    if not quarters:
        return pd.DataFrame(columns=columns)
    before = db.reported([q.previous for q in quarters])
    now = {str(q.previous): str(q) for q in quarters}
    have = set(map(tuple, rows[METRIC_KEY].to_numpy()))
    have |= set(map(tuple, db.reported(quarters)[METRIC_KEY].to_numpy()))
    out = [
        {
            "quarter": now[r.quarter],
            "partner": r.partner,
            "metric": r.metric,
            "label": _label(db, r.metric),
            "previous_quarter": r.quarter,
            "previous_value": format_value(r.value, db.catalogue[r.metric].unit.name, exact=True),
        }
        for r in before.itertuples()
        if (now[r.quarter], r.partner, r.metric) not in have
    ]
    return pd.DataFrame(out, columns=columns)


def missing_warnings(frame: pd.DataFrame, shown: int = 6) -> list[str]:
    """One warning per quarter with figures missing (``missing``), naming the first few."""
    warnings = []
    for quarter, rows in frame.groupby("quarter", sort=True):
        names = [f"{r.label} ({r.partner})" for r in rows.itertuples()]
        more = f" and {len(names) - shown} more" if len(names) > shown else ""
        count = len(names)
        warnings.append(
            f"{count} figure{'s' * (count != 1)} reported for {rows['previous_quarter'].iloc[0]} "
            f"{'are' if count != 1 else 'is'} missing for {quarter}: "
            f"{', '.join(names[:shown])}{more}. Leave them out only if they were not reported"
        )
    return warnings


def missing_table(frame: pd.DataFrame) -> pd.DataFrame:
    """``missing`` as people read it: Quarter, Figure, Partner, Reported last quarter."""
    return pd.DataFrame(
        {
            "Quarter": frame["quarter"],
            "Figure": frame["label"],
            "Partner": frame["partner"],
            "Reported last quarter": frame["previous_value"],
        }
    ).reset_index(drop=True)


def problems_table(problems: pd.DataFrame) -> pd.DataFrame:
    """An upload's problems (file, line, column, value, problem) with the problem split from
    what was expected, each column headed with what it holds."""
    parts = problems["problem"].map(_split)
    table = problems.assign(problem=[p for p, _ in parts], expected=[e for _, e in parts]).astype(
        {"line": "Int64"}
    )
    return table[list(PROBLEM_COLUMNS)].rename(columns=PROBLEM_COLUMNS)


def _split(message: str) -> tuple[str, str]:
    found = _EXPECTED.match(message)
    return (found["problem"], found["expected"]) if found else (message, "")


def problem_lines(problems: pd.DataFrame, limit: int = 50) -> list[str]:
    """The first ``limit`` problems as sentences, each whole (for reading on any screen):
    'q4.csv line 2, partner: "XX" is not a known partner. Expected: one of LCC, NCC.'"""
    lines = []
    for row in problems_table(problems).head(limit).to_dict("records"):
        where = row["File"] if pd.isna(row["Line"]) else f"{row['File']} line {row['Line']}"
        if not pd.isna(row["Column"]):
            where += f", {row['Column']}"
        found = "" if pd.isna(row["Value found"]) else f'"{row["Value found"]}" '
        line = f"{where}: {found}{row['Problem']}."
        if row["What was expected"]:
            line += f" Expected: {row['What was expected']}."
        lines.append(line)
    if len(problems) > limit:
        lines.append(f"… and {len(problems) - limit:,} more: download them all below.")
    return lines


def problems_csv(problems: pd.DataFrame) -> str:
    """The problems table as a CSV safe to open in a spreadsheet."""
    return to_csv(problems_table(problems))


def next_steps(problems: pd.DataFrame) -> list[str]:
    """What to do about an upload's problems, where the product knows: each step once."""
    messages: Sequence[str] = problems["problem"].tolist()
    steps = [step for words, step in _NEXT_STEPS if any(w in m for w in words for m in messages)]
    if problems["line"].notna().any():
        steps.append(LINE_STEP)
    return steps


# --- source-system exports: what a computation would store, and where it came from --------


def _written(value: object, unit: str) -> str:
    if value is None or value != value:
        return "—"
    return format_value(float(value), unit, exact=True)


def computed_preview(db: Database, metrics: pd.DataFrame) -> pd.DataFrame:
    """Computed figures beside the figure in use now for the same quarter, partner and
    metric: Figure, Partner, Computed, In use now, Change (new, revised, unchanged), Quarter
    (what tells the rows apart first, so a narrow screen shows it)."""
    stored = db.uploaded_values(metrics[METRIC_KEY]) if len(metrics) else None
    rows = metrics.merge(stored, on=METRIC_KEY, how="left") if stored is not None else metrics
    out = []
    for r in rows.to_dict("records"):
        old = r.get("old_value")
        missing_old = old is None or old != old
        change = "new" if missing_old else "unchanged" if old == r["value"] else "revised"
        out.append(
            {
                "Quarter": r["quarter"],
                "Figure": _label(db, r["metric"]),
                "Partner": r["partner"],
                "Computed": _written(r["value"], db.catalogue[r["metric"]].unit.name),
                "In use now": _written(old, db.catalogue[r["metric"]].unit.name),
                "Change": change,
            }
        )
    columns = ["Figure", "Partner", "Computed", "In use now", "Change", "Quarter"]
    return pd.DataFrame(out, columns=columns)


def reconciliation_table(db: Database, frame: pd.DataFrame) -> pd.DataFrame:
    """``stored.reconciliation`` as people read it: Figure, Partner, Computed, Typed in,
    Difference, Dashboard shows ("computed" or "typed"), Quarter, Typed in by (its
    snapshot)."""
    return _reconciled(
        frame,
        {"Figure": [_label(db, m) for m in frame["metric"]], "Partner": frame["partner"]},
        [db.catalogue[m].unit.name for m in frame["metric"]],
    )


def debt_reconciliation_table(frame: pd.DataFrame) -> pd.DataFrame:
    """``stored.reconciliation(..., dataset="debt")`` as people read it: Partner, Collector,
    Sector, Computed, Typed in, Difference, Dashboard shows, Quarter, Typed in by."""
    names = {
        "Partner": frame["partner"],
        "Collector": frame["collector"],
        "Sector": frame["sector"],
    }
    return _reconciled(frame, names, [debt.UNIT] * len(frame))


def _reconciled(frame: pd.DataFrame, names: dict, units: list[str]) -> pd.DataFrame:
    """The reconciliation's figures written in their units, after the columns naming them."""
    out = pd.DataFrame({name: list(values) for name, values in names.items()})
    out["Computed"] = [_written(v, u) for v, u in zip(frame["computed"], units, strict=True)]
    out["Typed in"] = [_written(v, u) for v, u in zip(frame["typed"], units, strict=True)]
    out["Difference"] = [
        "none" if d == 0 else format_value(float(d), u, exact=True, sign=True)
        for d, u in zip(frame["difference"], units, strict=True)
    ]
    out["Dashboard shows"] = list(frame["shown"])
    out["Quarter"] = list(frame["quarter"])
    out["Typed in by"] = list(frame["typed_snapshot"])
    return out


def short_sha256(digest: str) -> str:
    """The first 12 hex digits of a SHA-256, as a file is told apart at a glance."""
    return f"{digest[:SHORT_SHA256]}…"


def lineage_lines(lineage: dict) -> list[str]:
    """A computed snapshot's exports (``Computation.lineage()`` or ``Snapshot.lineage``), one
    line each: name, kind, rows read and used, rows left out and why, SHA-256 shortened (in
    full: ``checksums``)."""
    lines = []
    for f in lineage.get("exports", []):
        left_out = "; ".join(f"{n:,} {why}" for why, n in f["excluded"].items()) or "none"
        lines.append(
            f"**{f['name']}** ({f['kind'] or 'not recognised'}): {f['rows_read']:,} rows read, "
            f"{f['rows_used']:,} used; left out on purpose: {left_out}. "
            f"SHA-256 `{short_sha256(f['sha256'])}`"
        )
    return lines


def checksums(lineage: dict) -> str:
    """Each export's full SHA-256 and name, one a line, as ``sha256sum --check`` reads them."""
    return "\n".join(f"{f['sha256']}  {f['name']}" for f in lineage.get("exports", []))


def definitions_line(lineage: dict) -> str:
    """ "Definitions: FSC fsc-2024.1" — the versions of the definitions a computation used."""
    versions = lineage.get("definitions", {})
    return "Definitions: " + (
        ", ".join(f"{area} {version}" for area, version in versions.items()) or "none recorded"
    )


def progress_label(step: int, steps: int, words: str) -> str:
    """A computation's stage as a status line: "Reading invoices.csv (file 1 of 3)…", then
    "Computing the figures…" (``compute``'s progress: one step per file, then the last)."""
    files = steps - 1
    return f"{words} (file {step + 1} of {files})…" if step < files else f"{words}…"


def sample_exports() -> list[Path]:
    """The sample Oracle Payables exports shipped in data/samples/ (2023/24 Q3)."""
    return sorted(SAMPLES.glob("*.csv"))
