"""Before anything is written: what an upload would change. Each uploaded figure is new, a
revision (old → new) or unchanged against the store, with the warnings worth a second look
(outliers, a council's figure without the other's, missing figures, the projects' changes).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from emss import projects as plan
from emss import uploads
from emss.catalogue import COUNCILS, DEBT
from emss.ingest import Validation
from emss.queries import Database

METRIC_KEY = ["quarter", "partner", "metric"]
DEBT_KEY = list(DEBT.identity)


@dataclass
class Preview:
    """What committing an upload would change. ``change`` is new, revision or unchanged."""

    metrics: pd.DataFrame
    debt: pd.DataFrame
    warnings: list[str]
    projects: plan.ProjectPreview | None = None

    def count(self, change: str) -> int:
        return int((self.metrics["change"] == change).sum() + (self.debt["change"] == change).sum())

    def revision_lines(self) -> list[str]:
        """Each revision as "key: old → new"."""
        lines = [
            f"{r.quarter} {r.partner} {r.metric}: {_figure(r.old_value)} → {_figure(r.value)}"
            for r in self.metrics[self.metrics["change"] == "revision"].itertuples()
        ]
        lines += [
            f"{r.quarter} {r.partner} {r.collector} {r.sector}: "
            f"{_figure(r.old_value)} → {_figure(r.movement_gbp)}"
            for r in self.debt[self.debt["change"] == "revision"].itertuples()
        ]
        return lines

    def summary(self) -> str:
        return (
            f"{self.count('new')} new, {self.count('revision')} revised, "
            f"{self.count('unchanged')} unchanged; {len(self.warnings)} warning"
            f"{'s' * (len(self.warnings) != 1)}"
        )


def _figure(value: float) -> str:
    """A figure in full, as people wrote it: 5,329,828 or 95.7 (never 5.32983e+06)."""
    return f"{value:,.10g}"


def _classify(rows: pd.DataFrame, stored: pd.DataFrame, key: list[str], value: str) -> pd.DataFrame:
    merged = rows.merge(stored, on=key, how="left")
    merged["change"] = "revision"
    merged.loc[merged["old_value"].isna(), "change"] = "new"
    merged.loc[merged["old_value"] == merged[value], "change"] = "unchanged"
    return merged


def preview(db: Database, validation: Validation) -> Preview:
    """New figures, revisions (old → new) and warnings worth a second look."""
    metrics = _classify(
        validation.metrics, db.uploaded_values(validation.metrics), METRIC_KEY, "value"
    )
    debt = _classify(validation.debt, db.uploaded_debt(validation.debt), DEBT_KEY, "movement_gbp")
    return Preview(
        metrics,
        debt,
        uploads.outliers(db, validation.metrics)
        + _lone_councils(db, validation.metrics)
        + uploads.missing_warnings(uploads.missing(db, validation.metrics)),
        plan.preview(db, validation.projects),
    )


def _lone_councils(db: Database, rows: pd.DataFrame) -> list[str]:
    """A figure for one council with the other council's missing from upload and store."""
    given = set(map(tuple, rows[METRIC_KEY].to_numpy()))
    wanted = {
        (quarter, other, metric)
        for quarter, partner, metric in given
        for other in COUNCILS
        if partner in COUNCILS and other != partner and (quarter, other, metric) not in given
    }
    if not wanted:
        return []
    keys = pd.DataFrame(sorted(wanted), columns=METRIC_KEY)
    stored = set(map(tuple, db.uploaded_values(keys)[METRIC_KEY].to_numpy()))
    return [
        f"{quarter} {db.catalogue[metric].label}: a figure for "
        f"{', '.join(c for c in COUNCILS if c != other)} "
        f"but none for {other}"
        for quarter, other, metric in sorted(wanted - stored)
    ]
