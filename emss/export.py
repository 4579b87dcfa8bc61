"""CSV output that is safe to open in a spreadsheet, and upload templates."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from emss.catalogue import Catalogue, load_catalogue
from emss.quarters import Quarter

if TYPE_CHECKING:  # imported by the functions that take frames: records_csv needs no pandas
    import pandas as pd

# OWASP CSV injection: a cell starting with one of these may run as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: object) -> object:
    """Prefix a text cell that a spreadsheet would read as a formula with '; numbers pass."""
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


def to_csv(frame: pd.DataFrame) -> str:
    """The frame as CSV text with every text cell neutralised."""
    import pandas as pd

    safe = frame.copy()
    for column in safe.columns:
        if not pd.api.types.is_numeric_dtype(safe[column]) and not pd.api.types.is_bool_dtype(
            safe[column]
        ):
            safe[column] = safe[column].map(neutralise)
    return safe.to_csv(index=False, lineterminator="\n")


def records_csv(records: Iterable[Mapping[str, object]], columns: Sequence[str]) -> str:
    """Rows (dicts) as CSV text, as ``to_csv`` writes a frame of them: these columns in this
    order, every text cell neutralised, a missing value (None) empty, numbers as Python
    writes them."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for record in records:
        writer.writerow(["" if record[c] is None else neutralise(record[c]) for c in columns])
    return out.getvalue()


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
    return records_csv((dict(zip(columns, row, strict=True)) for row in rows), columns)
