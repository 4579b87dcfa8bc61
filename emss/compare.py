"""Quarter-on-quarter comparison of figures, their status, and how numbers and dates are
written."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from emss.catalogue import WHOLE, Catalogue, Metric, Unit, load_catalogue
from emss.quarters import Quarter
from emss.queries import Database

if TYPE_CHECKING:  # imported where a frame is built: the command line's summary needs none
    import pandas as pd

MINUS = "\u2212"


@dataclass(frozen=True)
class Comparison:
    """A comparison a reader can choose: its name as a choice, its name in a sentence, and
    how many quarters it looks back."""

    label: str
    phrase: str
    back: int


# The one comparison vocabulary: the filters, the report and the command line use these keys.
COMPARISONS = {
    "previous": Comparison("Previous quarter", "the previous quarter", 1),
    "year_ago": Comparison("Same quarter last year", "the same quarter a year earlier", 4),
}
COMPARISON_LABELS = {key: c.label for key, c in COMPARISONS.items()}
VERDICT_WORDS = {"improved": "better", "worsened": "worse"}
STATUS_WORDS = {
    "improved": "Improved",
    "worsened": "Worsened",
    "no change": "No change",
    "neutral": "Changed (volume)",
}
SUMMARY_FIELDS = [
    "metric",
    "partner",
    "quarter",
    "value",
    "previous_value",
    "change",
    "year_ago_value",
    "status",
    "value_illustrative",
    "previous_illustrative",
    "year_ago_illustrative",
]


def missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def change(value: float | None, earlier: float | None) -> float | None:
    """The difference in the metric's own unit (percentage points for a percentage)."""
    if missing(value) or missing(earlier):
        return None
    return value - earlier


def change_pct(value: float | None, earlier: float | None, unit: str) -> float | None:
    """The % change; None for percentages (their change is in points) or from zero."""
    if _unit(unit).points or missing(value) or missing(earlier) or earlier == 0:
        return None
    return 100.0 * (value - earlier) / abs(earlier)


def status(difference: float | None, better: str) -> str | None:
    """improved, worsened, no change or neutral (a volume); None with nothing to compare."""
    if missing(difference):
        return None
    if round(difference, 9) == 0:
        return "no change"
    if better == "neutral":
        return "neutral"
    return "improved" if (difference > 0) == (better == "higher") else "worsened"


def comparable(figure_illustrative: object, earlier_illustrative: object) -> bool:
    """The one rule for honest comparisons: two figures are compared (a change, a verdict, a
    red/amber/green status, a rank, a report sentence) only when EMSS reported both. A
    generated (illustrative) figure on either side gives no comparison at all."""
    return not (bool(figure_illustrative) or bool(earlier_illustrative))


def no_comparison(row: Mapping, quarter: str | None = None, *, short: bool = False) -> str | None:
    """Why a summary row (``summarise``) has no comparison, in a plain sentence; None when it
    has one or has no figure of its own. ``quarter`` names the comparison quarter (the row's
    ``comparison_quarter`` by default); ``short`` is the form a small tile has room for."""
    quarter = quarter or row["comparison_quarter"]
    if missing(row["value"]) or not missing(row["comparison_change"]):
        return None
    tail = "." if short else " to compare with."
    if missing(row["comparison_value"]):
        return f"No {quarter} figure{tail}"
    if row["value_illustrative"]:
        return (
            "Illustrative: not compared."
            if short
            else f"Illustrative: not compared with {quarter}."
        )
    return f"No reported {quarter} figure{tail}"


def moved_sentence(row: Mapping) -> str:
    """A comparison as a short sentence: "Payroll errors 135 → 144, +6.7%, worse"; a
    percentage's change in points ("+11.0 pp, better"); a volume without a verdict."""
    unit = row["unit"]
    size = (
        format_change(row["comparison_change"], unit)
        if missing(row["comparison_change_pct"])
        else format_change_pct(row["comparison_change_pct"])
    )
    parts = [
        f"{row['label']} {format_value(row['comparison_value'], unit)} → "
        f"{format_value(row['value'], unit)}",
        size,
    ]
    verdict = VERDICT_WORDS.get(row["comparison_status"])
    if verdict:
        parts.append(verdict)
    return ", ".join(parts)


def change_words(
    name: str,
    value: float | None,
    earlier: float | None,
    unit: str,
    better: str,
    earlier_quarter: object,
    *,
    illustrative: bool = False,
    earlier_illustrative: bool = False,
) -> str:
    """One figure's change since an earlier quarter in words, by the one rule (``comparable``),
    for a chart title or a caption: "LCC 135 → 144, +6.7%, worse"; "LCC 95.7%, no reported
    2023/24 Q2 figure to compare with"."""
    difference = change(value, earlier) if comparable(illustrative, earlier_illustrative) else None
    row = {
        "label": name,
        "unit": unit,
        "value": value,
        "value_illustrative": illustrative,
        "comparison_value": earlier,
        "comparison_change": difference,
        "comparison_change_pct": None if missing(difference) else change_pct(value, earlier, unit),
        "comparison_status": status(difference, better),
        "comparison_quarter": str(earlier_quarter),
    }
    if missing(difference):
        reason = no_comparison(row) or ""
        return f"{name} {format_value(value, unit)}, {reason[:1].lower()}{reason[1:-1]}"
    return moved_sentence(row)


def pairs_for(partners: Sequence[str], catalogue: Catalogue | None = None) -> list[tuple[str, str]]:
    """(metric, partner) pairs to show for a partner choice, in catalogue order.

    A metric with only an organisation-wide figure is always shown with its EMSS row.
    """
    catalogue = catalogue or load_catalogue()
    pairs = []
    for metric in catalogue.metrics:
        if metric.is_emss_wide:
            pairs.append((metric.key, WHOLE))
        else:
            allowed = (*metric.partners, WHOLE)
            pairs.extend((metric.key, p) for p in partners if p in allowed)
    return pairs


def comparison_quarter(quarter: Quarter, comparison: str) -> Quarter:
    """The quarter a comparison looks back to: "previous" or "year_ago" (a year earlier)."""
    return quarter.shift(-COMPARISONS[comparison].back)


def summary_rows(
    db: Database, quarter: Quarter, partners: Sequence[str], comparison: str = "previous"
) -> list[dict]:
    """A quarter's figures for the chosen partners with both comparisons, as plain rows.

    One row per (metric, partner) pair, reported or not. ``change``/``status`` are
    against the previous quarter, ``year_ago_change``/``year_ago_status`` against the same
    quarter a year earlier, and ``comparison_*`` repeat whichever ``comparison`` names
    ("previous" or "year_ago"). A change and its status are given only where ``comparable``
    allows (both figures reported); the earlier figure itself is always given.
    """
    catalogue = db.catalogue
    pairs = pairs_for(partners, catalogue)
    periods = {"value": quarter, "previous": quarter.previous, "year_ago": quarter.year_ago}
    found = {
        (rec["quarter"], rec["metric"], rec["partner"]): rec
        for rec in db.figure_records(list(periods.values()), pairs)
    }
    chosen = "" if comparison == "previous" else "year_ago_"
    against = str(comparison_quarter(quarter, comparison))
    rows = []
    for key, partner in pairs:
        metric = catalogue[key]
        hits = {name: found.get((str(q), key, partner)) for name, q in periods.items()}
        now = hits["value"] or {}
        row = {
            "metric": key,
            "partner": partner,
            "quarter": str(quarter),
            "note": None if missing(now.get("note")) else now["note"],
            "origin": now.get("origin"),
            "snapshot_id": now.get("snapshot_id"),
        }
        for name, hit in hits.items():
            row["value" if name == "value" else f"{name}_value"] = hit and float(hit["value"])
            row[f"{name}_illustrative"] = hit and bool(hit["illustrative"])
        for prefix, name in (("", "previous"), ("year_ago_", "year_ago")):
            earlier = row[f"{name}_value"]
            if not comparable(row["value_illustrative"], row[f"{name}_illustrative"]):
                earlier = None  # the one rule: no change, verdict or rank with a generated figure
            difference = change(row["value"], earlier)
            row[f"{prefix}change"] = difference
            row[f"{prefix}change_pct"] = change_pct(row["value"], earlier, metric.unit.name)
            row[f"{prefix}status"] = status(difference, metric.better)
        row |= _describe(metric)
        row["comparison_quarter"] = against
        row["comparison_value"] = row[f"{comparison}_value"]
        row["comparison_illustrative"] = row[f"{comparison}_illustrative"]
        for col in ("change", "change_pct", "status"):
            row[f"comparison_{col}"] = row[f"{chosen}{col}"]
        rows.append(row)
    return rows


def summarise(
    db: Database, quarter: Quarter, partners: Sequence[str], comparison: str = "previous"
) -> pd.DataFrame:
    """``summary_rows`` as a data frame, one column per field."""
    import pandas as pd

    return pd.DataFrame(summary_rows(db, quarter, partners, comparison))


def _describe(metric: Metric) -> dict:
    return {
        "label": metric.label,
        "area": metric.area,
        "unit": metric.unit.name,
        "better": metric.better,
        "emss_wide": metric.is_emss_wide,
    }


# --- writing numbers as the report does -----------------------------------------------


def _trim(number: float, places: int) -> str:
    text = f"{number:,.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _signed(text: str, negative: bool, sign: bool) -> str:
    if negative:
        return MINUS + text
    return ("+" + text) if sign else text


def format_value(value: float | None, unit: str, *, exact: bool = False, sign: bool = False) -> str:
    """A figure as the report writes it: 43,689; £124m, £1.7m, £708k (exact: £124,000,000);
    95.7%."""
    if missing(value):
        return "—"
    size = abs(value)
    spec = _unit(unit)
    if spec.abbreviate and not exact and size >= 1000:
        # As the report rounds: £124m, £1.7m, £708k.
        number = _trim(size / 1_000_000, 1) + "m" if size >= 999_500 else f"{size / 1000:,.0f}k"
    elif spec.abbreviate:
        number = f"{size:,.{spec.places}f}" if size == int(size) else f"{size:,.2f}"
    elif spec.points:
        number = f"{size:.{_percent_places(size, below=1)}f}"
    else:
        number = _trim(size, spec.places)
    return _signed(spec.prefix + number + spec.suffix, value < 0 and round(size, 9) != 0, sign)


def _unit(name: str) -> Unit:
    """The catalogue's unit of that name; a name it does not know is written after the
    number with up to two decimal places."""
    return load_catalogue().units.get(name) or Unit(name, name, places=2, suffix=f" {name}")


def format_change(difference: float | None, unit: str, *, exact: bool = False) -> str:
    """A change with its sign: +257; +11.0 pp; −£5.3m; −0.47 days."""
    if missing(difference):
        return "—"
    if _unit(unit).points:
        size = abs(difference)
        places = _percent_places(size, below=0.05)
        return _signed(f"{size:.{places}f} pp", difference < 0, True)
    return format_value(difference, unit, exact=exact, sign=True)


def _percent_places(size: float, below: float) -> int:
    """One decimal place, as the report writes percentages; two for a non-zero size under
    ``below``, which one place would blur or show as nothing (a 0.33% error rate under 1, a
    +0.02 pp change under 0.05)."""
    return 2 if 0 < round(size, 9) < below else 1


def format_change_pct(pct: float | None) -> str:
    return "—" if missing(pct) else _signed(f"{abs(pct):.1f}%", pct < 0, True)


def format_date(created: str, *, time: bool = False) -> str:
    """An ISO timestamp as people read it: "19 January 2024"; with ``time`` (UTC), in the
    short form the pages use: "19 Jan 2024, 14:05 UTC"."""
    moment = dt.datetime.fromisoformat(created.replace("Z", "+00:00"))
    if time:
        return f"{moment.day} {moment:%b %Y, %H:%M} UTC"
    return f"{moment.day} {moment:%B %Y}"


# --- what a view shows and what moved most ----------------------------------------------


def for_whole(rows: Sequence[Mapping], *, sums: bool = True) -> list[Mapping]:
    """The one "EMSS as a whole" rule: of one metric's rows (records of a summary), the
    figures that speak for EMSS as a whole. The EMSS figure when there is one, else the
    parts' figures (a rate reported only per council), else none. With ``sums=False`` an
    EMSS figure that is only the sum of the parts gives way to the parts themselves (the
    report states who contributed what). Plain Python: a few rows, asked once a metric."""
    present = [row for row in rows if not missing(row["value"])]
    whole = [
        row for row in present if row["partner"] == WHOLE and (sums or row["origin"] != "summed")
    ]
    return whole or [row for row in present if row["partner"] != WHOLE] or present


def prefer_whole(frame: pd.DataFrame) -> pd.DataFrame:
    """The "EMSS as a whole" view of a summary made for every partner: per metric, the rows
    ``for_whole`` picks, or the EMSS row alone (to say it was not reported); metrics in the
    order they come."""
    by_metric: dict[str, list[dict]] = {}
    for position, row in enumerate(frame.to_dict("records")):
        by_metric.setdefault(row["metric"], []).append({**row, "position": position})
    keep = []
    for rows in by_metric.values():
        chosen = for_whole(rows) or [row for row in rows if row["partner"] == WHOLE]
        keep += [row["position"] for row in chosen]
    return frame.iloc[keep].reset_index(drop=True)


def biggest_changes(frame: pd.DataFrame, which: str, n: int = 5) -> pd.DataFrame:
    """The ``n`` figures of a summary that ``which`` ("improved" or "worsened") most against
    the comparison quarter, largest first.

    Metrics have different units, so they are ranked by the change relative to the earlier
    figure (``relative_change``, in %, also for percentages, whose own change is in points).
    """
    moved = frame[(frame["comparison_status"] == which) & frame["comparison_value"].ne(0)]
    moved = moved.assign(
        relative_change=100.0 * moved["comparison_change"] / moved["comparison_value"].abs()
    )
    order = moved["relative_change"].abs().sort_values(ascending=False, kind="stable").index
    return moved.loc[order].head(n).reset_index(drop=True)
