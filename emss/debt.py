"""Debt collection, one implementation for the Debt page, the report's debt section and
``python -m emss debt``: which councils a view covers, each council's and collector's
total, the subtotalled table, and a movement's direction in words.

A movement is the quarter's change in past-due debt open for collection: positive means the
debt grew (a deterioration, the catalogue's direction of good being "lower").
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from emss import compare
from emss.catalogue import DEBT, WHOLE, DebtSpec

AMOUNT = "movement_gbp"  # the amount column of the debt dataset
UNIT = DEBT.unit
DIRECTION_WORDS = {1: "Debt grew", -1: "Debt fell", 0: "No change"}
ARROWS = {1: "▲ ", -1: "▼ ", 0: ""}
ALL_COLLECTORS = "All collectors"


def partners_in_view(partners: Sequence[str], spec: DebtSpec = DEBT) -> tuple[str, ...]:
    """The councils whose debt a partner choice covers: every council for EMSS as a whole,
    else the councils chosen (none for external customers alone)."""
    if WHOLE in partners:
        return spec.partners
    return tuple(p for p in spec.partners if p in partners)


def sign(movement: float) -> int:
    return (movement > 0) - (movement < 0)


def direction(movement: float, *, arrow: bool = True) -> str:
    """ "▲ Debt grew", "▼ Debt fell" or "No change" (``arrow=False``: without the arrow)."""
    return (ARROWS[sign(movement)] if arrow else "") + DIRECTION_WORDS[sign(movement)]


def status(movement: float) -> str | None:
    """improved, worsened or no change, by the dataset's direction of good."""
    return compare.status(movement, DEBT.better)


def written(movement: float | None, *, exact: bool = True) -> str:
    """A movement with its sign, in pounds: +£1,498,159 (not exact: +£1.5m)."""
    return compare.format_change(movement, UNIT, exact=exact)


def totals(movements: pd.DataFrame, by: Sequence[str] = ("partner",)) -> pd.DataFrame:
    """Total movement over the rows given, per partner (or per ``by``), in their order, and
    whether any figure in a total is illustrative."""
    return movements.groupby(list(by), sort=False, as_index=False).agg(
        movement_gbp=(AMOUNT, "sum"), illustrative=("illustrative", "any")
    )


def subtotalled(movements: pd.DataFrame) -> pd.DataFrame:
    """The movements in their order, each collector's rows followed by a row of their total
    and each partner's by a row of theirs. ``level`` says which a row is: "movement",
    "collector" (its ``sector`` empty) or "partner" (``collector`` and ``sector`` empty);
    ``note`` is "" where none was given."""
    records = []
    for partner, by_partner in movements.groupby("partner", sort=False):
        for collector, rows in by_partner.groupby("collector", sort=False):
            records += [
                {
                    "level": "movement",
                    "partner": partner,
                    "collector": collector,
                    "sector": r.sector,
                    AMOUNT: float(r.movement_gbp),
                    "note": "" if compare.missing(r.note) else r.note,
                    "illustrative": bool(r.illustrative),
                }
                for r in rows.itertuples()
            ]
            records.append(_total("collector", partner, collector, rows))
        records.append(_total("partner", partner, "", by_partner))
    columns = ["level", *DEBT.identity[1:], AMOUNT, "note", "illustrative"]
    return pd.DataFrame(records, columns=columns)


def _total(level: str, partner: str, collector: str, rows: pd.DataFrame) -> dict:
    return {
        "level": level,
        "partner": partner,
        "collector": collector,
        "sector": "",
        AMOUNT: float(rows[AMOUNT].sum()),
        "note": "",
        "illustrative": bool(rows["illustrative"].any()),
    }
