"""CSV output that is safe to open in a spreadsheet, and upload templates."""

from __future__ import annotations

import pandas as pd

from emss.catalogue import Catalogue, load_catalogue
from emss.quarters import Quarter

# OWASP CSV injection: a cell starting with one of these may run as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: object) -> object:
    """Prefix a text cell that a spreadsheet would read as a formula with '; numbers pass."""
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


def to_csv(frame: pd.DataFrame) -> str:
    """The frame as CSV text with every text cell neutralised."""
    safe = frame.copy()
    for column in safe.columns:
        if not pd.api.types.is_numeric_dtype(safe[column]) and not pd.api.types.is_bool_dtype(
            safe[column]
        ):
            safe[column] = safe[column].map(neutralise)
    return safe.to_csv(index=False, lineterminator="\n")


def template(quarter: Quarter, kind: str = "metrics", catalogue: Catalogue | None = None) -> str:
    """An upload CSV for the quarter with every key filled in and the values empty."""
    catalogue = catalogue or load_catalogue()
    if kind == "metrics":
        rows = [
            (str(quarter), partner, metric.key, "", "")
            for metric in catalogue.uploadable
            for partner in metric.partners
        ]
        columns = ["quarter", "partner", "metric", "value", "note"]
    else:
        debt = catalogue.debt
        rows = [
            (str(quarter), partner, collector, sector, "", "")
            for partner in debt.partners
            for collector in debt.collectors
            for sector in debt.sectors
        ]
        columns = list(debt.columns)
    return to_csv(pd.DataFrame(rows, columns=columns))
