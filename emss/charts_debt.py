"""The debt collection charts: the quarter's movement by sector and each council's movement
over time, with their words and, prepared, their data tables. No Streamlit here.

Built from the shared Vega-Lite pieces in ``emss.charts``, under the same guidance: growth
and reduction differ in direction and in their text labels, not in colour alone.
"""

from __future__ import annotations

import pandas as pd

from emss import debt, tables
from emss.catalogue import DEBT, PARTNER_COLOURS, DebtSpec, load_catalogue
from emss.charts import (
    FONT_SIZE,
    HEIGHT,
    TABLE_BELOW,
    TEXT_COLOUR,
    WIDTH,
    ChartText,
    PreparedChart,
    _chart,
    _figure_key_legend,
    _figure_key_scale,
    _figure_kind,
    _paint,
    _period,
    _quarter_axis,
    _value_axis,
)
from emss.compare import format_value
from emss.export import to_csv
from emss.quarters import Quarter

BAR_ROW = 30  # pixels per bar of the sector chart
# Share of the value axis kept free beyond the longest bars for their labels.
LABEL_ROOM = 0.3
DEBT_UNIT = load_catalogue().units[DEBT.unit]


def debt_sector_data(movements: pd.DataFrame, spec: DebtSpec) -> pd.DataFrame:
    """Movement per partner and sector (collectors added together), in catalogue order,
    with the direction in words and a label saying it."""
    if movements.empty:
        return pd.DataFrame(
            columns=["partner", "sector", "movement_gbp", "illustrative", "direction", "label"]
        )
    data = (
        movements.groupby(["partner", "sector"], as_index=False, sort=False)
        .agg(movement_gbp=("movement_gbp", "sum"), illustrative=("illustrative", "any"))
        .assign(
            _p=lambda d: d["partner"].map(spec.partners.index),
            _s=lambda d: d["sector"].map(spec.sectors.index),
        )
        .sort_values(["_s", "_p"])
        .drop(columns=["_p", "_s"])
        .reset_index(drop=True)
    )
    data["illustrative"] = data["illustrative"].astype(bool)
    data["direction"] = [debt.direction(v, arrow=False) for v in data["movement_gbp"]]
    data["figure"] = _figure_kind(data["illustrative"])
    data["label"] = [_bar_label(v) for v in data["movement_gbp"]]
    data["shown"] = [debt.written(v) for v in data["movement_gbp"]]
    return data


def _bar_label(movement: float) -> str:
    """ "▲ +£1.2m", "▼ −£300k" or "£0": the arrow says the direction without colour."""
    if debt.sign(movement) == 0:
        return format_value(0, debt.UNIT)
    return f"{debt.ARROWS[debt.sign(movement)]}{debt.written(movement, exact=False)}"


def _bar_tooltip(first: tuple[str, str]) -> list[dict]:
    return [
        {"field": first[0], "title": first[1]},
        {"field": "partner", "title": "Council"},
        {"field": "shown", "title": "Movement"},
        {"field": "figure", "title": "Figure"},
    ]


def debt_sector_chart(data: pd.DataFrame, *, width=WIDTH) -> dict:
    """Horizontal bars from zero, a bar per council in each sector: growth to the right,
    reduction to the left, each labelled with an arrow and its amount."""
    values = data["movement_gbp"] if not data.empty else pd.Series([0.0])
    low, high = min(0.0, float(values.min())), max(0.0, float(values.max()))
    room = LABEL_ROOM * ((high - low) or 1.0)  # space for the labels beyond the bars' ends
    # The axis's ends travel with the data, drawn by an invisible rule (as in a trend).
    data = data.assign(
        axis_low=low - room if low < 0 else 0.0, axis_high=high + room if high > 0 else 0.0
    )
    partners = list(dict.fromkeys(data["partner"]))
    x = {
        "field": "movement_gbp",
        "type": "quantitative",
        "scale": {"zero": True, "nice": False},
        "axis": {**_value_axis(DEBT_UNIT, signed=True), "title": f"Movement ({DEBT_UNIT.axis})"},
    }
    encoding = {
        "y": {"field": "sector", "type": "nominal", "title": None, "sort": None},
        "yOffset": {"field": "partner", "type": "nominal", "sort": list(PARTNER_COLOURS)},
        "x": x,
    }

    def labels(test: str, align: str, dx: int) -> dict:
        return {
            "transform": [{"filter": test}],
            "mark": {
                "type": "text",
                "align": align,
                "dx": dx,
                "fontSize": FONT_SIZE,
                "color": TEXT_COLOUR,
            },
            "encoding": {"text": {"field": "label"}},
        }

    bars = {
        "mark": {"type": "bar", "strokeWidth": 1.5},
        "encoding": {
            **_paint(partners, "Council"),
            "strokeDash": {
                "field": "figure",
                "type": "nominal",
                "scale": _figure_key_scale(set(data.get("figure", []))),
                "legend": _figure_key_legend(set(data.get("figure", []))),
            },
            "tooltip": _bar_tooltip(("sector", "Sector")),
        },
    }
    ends = {
        "mark": {"type": "rule", "opacity": 0, "aria": False},
        "encoding": {"x": {**x, "field": "axis_low"}, "x2": {"field": "axis_high"}},
    }
    columns = ["partner", "sector", "movement_gbp", "illustrative", "figure", "label", "shown"]
    columns += ["axis_low", "axis_high"]
    return _chart(
        data,
        columns,
        width,
        max(120, len(data) * BAR_ROW),
        encoding=encoding,
        layer=[
            ends,
            bars,
            labels("datum.movement_gbp >= 0", "left", 4),
            labels("datum.movement_gbp < 0", "right", -4),
        ],
    )


def debt_sector_text(data: pd.DataFrame, quarter: str) -> ChartText:
    """The point of the sector chart: each council's total and its movement per sector."""
    points, details = [], []
    for partner, rows in data.groupby("partner", sort=False):
        total = float(rows["movement_gbp"].sum())
        verb = "grew" if total > 0 else "fell" if total < 0 else "did not change"
        said = f"{partner}'s past-due debt {verb} by {format_value(abs(total), debt.UNIT)}"
        points.append(said + (" (illustrative)" if rows["illustrative"].any() else ""))
        biggest = rows.loc[rows["movement_gbp"].abs().idxmax()]
        details.append(
            f"{partner}: largest movement {biggest['sector']} {biggest['shown']}; "
            + ", ".join(f"{r.sector} {r.shown}" for r in rows.itertuples())
        )
    title = "; ".join(points) + f" in {quarter}" if points else f"No debt movements for {quarter}"
    caption = (
        "Measure: quarterly movement in past-due debt open for collection, by customer "
        f"sector (the collectors chosen added together), in {DEBT_UNIT.axis}; positive means "
        f"the debt grew. Source: EMSS debt return (report {DEBT.source}). Period: {quarter}."
    )
    description = (
        "Horizontal bar chart centred on zero: bars to the right (▲) are sectors whose debt "
        "grew, bars to the left (▼) sectors whose debt fell. " + ". ".join(details) + "."
    )
    alt = (
        "Horizontal bar chart of a quarter's movement in past-due debt by customer sector, "
        f"centred on zero. {TABLE_BELOW}"
    )
    return ChartText(title, caption, description, alt)


def debt_trend_data(trend: pd.DataFrame) -> pd.DataFrame:
    """Total movement per quarter and partner, with how it is written and its kind."""
    data = trend[["quarter", "partner", "movement_gbp", "illustrative"]].copy()
    data["illustrative"] = data["illustrative"].astype(bool)
    data["figure"] = _figure_kind(data["illustrative"])
    data["shown"] = [debt.written(v, exact=False) for v in data["movement_gbp"]]
    return data


def debt_trend_chart(data: pd.DataFrame, *, width=WIDTH) -> dict:
    """Bars from zero per quarter, one per council side by side; illustrative ones hollow."""
    partners = list(dict.fromkeys(data["partner"]))
    columns = ["quarter", "partner", "movement_gbp", "illustrative", "figure", "shown"]
    return _chart(
        data,
        columns,
        width,
        HEIGHT,
        mark={"type": "bar", "strokeWidth": 1.5},
        encoding={
            "x": {"field": "quarter", "type": "ordinal", "axis": _quarter_axis()},
            "xOffset": {"field": "partner", "type": "nominal", "sort": list(PARTNER_COLOURS)},
            "y": {
                "field": "movement_gbp",
                "type": "quantitative",
                "scale": {"zero": True},
                "axis": {**_value_axis(DEBT_UNIT, signed=True), "title": DEBT_UNIT.axis},
            },
            **_paint(partners, "Council"),
            "strokeDash": {
                "field": "figure",
                "type": "nominal",
                "scale": _figure_key_scale(set(data["figure"])),
                "legend": _figure_key_legend(set(data["figure"])),
            },
            "tooltip": _bar_tooltip(("quarter", "Quarter")),
        },
    )


def debt_trend_text(data: pd.DataFrame, quarter: str | None = None) -> ChartText:
    """The point of the debt trend: each council's movement in ``quarter`` (default the
    latest in the data), in the context of the range's largest growth and reduction."""
    period = _period(data["quarter"])
    quarter = quarter or (data["quarter"].max() if not data.empty else "")
    now = data[data["quarter"] == quarter]
    points = [
        f"{r.partner} {r.shown}" + (" (illustrative)" if r.illustrative else "")
        for r in now.itertuples()
    ]
    title = (
        f"Total movement in past-due debt in {quarter}: " + ", ".join(points) + f" ({period})"
        if points
        else f"Total movement in past-due debt, {period}: none reported for {quarter}"
    )
    extremes = []
    for partner, rows in data.groupby("partner", sort=False):
        high = rows.loc[rows["movement_gbp"].idxmax()]
        low = rows.loc[rows["movement_gbp"].idxmin()]
        extremes.append(
            f"{partner}: largest growth {high['shown']} ({high['quarter']}), "
            f"largest reduction {low['shown']} ({low['quarter']})"
        )
    description = (
        f"Bar chart of each council's total debt movement per quarter, {period}, bars from "
        "zero (above: debt grew; below: debt fell). "
        + ". ".join(extremes)
        + "."
        + (" Hollow bars are illustrative figures." if data["illustrative"].any() else "")
    )
    caption = (
        "Measure: total quarterly movement in past-due debt per council, all collectors and "
        f"sectors, in {DEBT_UNIT.axis}. Source: EMSS debt return (report {DEBT.source}). "
        f"Period: {period}."
    )
    alt = f"Bar chart of each council's total debt movement per quarter. {TABLE_BELOW}"
    return ChartText(title, caption, description, alt)


def prepared_debt_sector(movements: pd.DataFrame, quarter: Quarter) -> PreparedChart:
    """The quarter's movement by sector, from ``Database.debt_movements``."""
    data = debt_sector_data(movements, DEBT)
    table = tables.debt_sector_table(data)
    return PreparedChart(
        debt_sector_chart(data), debt_sector_text(data, str(quarter)), table, to_csv(table)
    )


def prepared_debt_trend(
    trend: pd.DataFrame, quarter: Quarter | None = None
) -> PreparedChart | None:
    """Each council's total movement per quarter, from ``Database.debt_trend``."""
    if trend.empty:
        return None
    data = debt_trend_data(trend)
    table = tables.debt_trend_table(data)
    text = debt_trend_text(data, str(quarter) if quarter else None)
    return PreparedChart(debt_trend_chart(data), text, table, to_csv(table))
