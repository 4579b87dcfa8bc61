"""Altair chart builders and the words that go with each chart. No Streamlit here.

Every chart follows the Analysis Function guidance: one fixed colour per partner, bars from
zero, no dual axes, direct labels where they fit, and colour never the only signal
(illustrative figures are hollow on a dashed line and named in the legend; debt growth and
reduction differ in direction and in their text labels). Each builder has a ``*_data``
function that shapes the frame it draws, so tests can check what a chart shows, and a
``*_text`` function giving its title, caption and text alternative. ``prepared_*`` put the
three together with the chart's data table as a ``PreparedChart``, ready to draw and cache.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import altair as alt
import pandas as pd

from emss import debt, tables
from emss.catalogue import DEBT, PARTNER_COLOURS, DebtSpec, Metric
from emss.compare import format_value
from emss.export import to_csv
from emss.quarters import Quarter
from emss.tables import ILLUSTRATIVE, REPORTED
from emss.targets import Target

TEXT_COLOUR = "#3D3D3D"
SOLID = [1, 0]
DASH = [5, 4]
WIDTH = "container"
HEIGHT = 260
# Direct labels at the ends of lines are left out when they would sit closer than this
# share of the value axis (the legend still names every line).
LABEL_GAP = 0.12
# Share of the value axis kept free beyond the longest bars for their labels.
LABEL_ROOM = 0.22
# Axis labels in pounds with SI prefixes: £500k, −£2M.
GBP_AXIS = "(datum.value < 0 ? '−£' : '£') + replace(format(abs(datum.value), '~s'), 'G', 'bn')"


@dataclass(frozen=True)
class ChartText:
    """What is said about a chart: its point, its caption and a text alternative."""

    title: str
    caption: str
    description: str


@dataclass(frozen=True)
class PreparedChart:
    """A chart ready to draw: its Vega-Lite spec, what is said about it, its table and CSV.

    Building an Altair chart and turning it into a spec costs tens of milliseconds, so the
    pages prepare each chart once per store version and filters and keep it in the cache.
    """

    spec: dict
    text: ChartText
    table: pd.DataFrame
    csv: str


def prepare_chart(chart: alt.TopLevelMixin, text: ChartText, table: pd.DataFrame) -> PreparedChart:
    return PreparedChart(chart.to_dict(), text, table, to_csv(table))


def partner_scale(partners: Sequence[str]) -> alt.Scale:
    """The colour scale for these partners, always the same colour per partner."""
    present = [p for p in PARTNER_COLOURS if p in set(partners)]
    return alt.Scale(domain=present, range=[PARTNER_COLOURS[p] for p in present])


def _figure_kind(illustrative: pd.Series) -> pd.Series:
    return illustrative.map(tables.figure_kind).astype(str)


def _partner_paint(partners: pd.Series, title: str) -> dict:
    """Encodings that paint a mark in its partner's colour, hollow when illustrative."""
    scale = partner_scale(partners)
    return {
        "stroke": alt.Stroke("partner:N", scale=scale, title=title),
        "fill": alt.condition(
            "datum.illustrative",
            alt.value("white"),
            alt.Fill("partner:N", scale=scale, title=title),
        ),
    }


def _dash_when_illustrative() -> alt.StrokeDash:
    return alt.condition("datum.illustrative", alt.value(DASH), alt.value(SOLID))


def _figure_key() -> alt.Chart:
    """A layer that draws nothing and gives the legend entry "Illustrative" (dashed, hollow)."""
    empty = pd.DataFrame({"figure": pd.Series([], dtype=str)})
    return (
        alt.Chart(empty)
        .mark_line(color=TEXT_COLOUR)
        .encode(
            strokeDash=alt.StrokeDash(
                "figure:N",
                scale=alt.Scale(domain=[REPORTED, ILLUSTRATIVE], range=[SOLID, DASH]),
                title="Figure",
                legend=alt.Legend(
                    labelExpr=f"datum.label == '{ILLUSTRATIVE}' ? "
                    f"'{ILLUSTRATIVE} (hollow, dashed)' : datum.label"
                ),
            )
        )
    )


def _period(quarters: Sequence[str]) -> str:
    quarters = sorted(set(quarters))
    if not quarters:
        return "no quarters"
    return quarters[0] if len(quarters) == 1 else f"{quarters[0]} to {quarters[-1]}"


# --- a metric's trend ------------------------------------------------------------------


def trend_data(series: pd.DataFrame, metric: Metric) -> pd.DataFrame:
    """One row per quarter and partner, ready to draw.

    Adds ``figure`` (Reported/Illustrative), ``reported_value`` (the value, or empty for an
    illustrative figure, so the solid line breaks there), ``shown`` (the value as the report
    writes it) and ``direct_label`` (the partner and value at the end of each line, where
    the labels do not crowd each other; empty elsewhere).
    """
    unit = metric.unit.name
    data = series[["quarter", "partner", "value", "illustrative", "note"]].copy()
    data["illustrative"] = data["illustrative"].astype(bool)
    data["figure"] = _figure_kind(data["illustrative"])
    data["reported_value"] = data["value"].where(~data["illustrative"])
    data["shown"] = [format_value(v, unit) for v in data["value"]]
    data["note"] = data["note"].fillna("").astype(str)
    data["direct_label"] = ""
    if data.empty:
        return data
    last = data[data["quarter"] == data["quarter"].max()].sort_values("value")
    span = float(data["value"].max() - data["value"].min()) or 1.0
    gaps = last["value"].diff().abs().dropna() / span
    if (gaps >= LABEL_GAP).all():
        data.loc[last.index, "direct_label"] = last["partner"] + " " + last["shown"]
    return data


def trend_chart(data: pd.DataFrame, metric: Metric, target: Target | None = None) -> alt.Chart:
    """Lines of a metric over the quarters, one colour per partner; illustrative figures
    hollow on a dashed line; the target as a labelled rule when one is set."""
    unit = metric.unit
    colour = alt.Color("partner:N", scale=partner_scale(data["partner"]), title="Partner")
    y_title = f"{metric.label} ({unit.label})"
    y = alt.Y("value:Q", title=y_title, scale=alt.Scale(zero=False))
    base = alt.Chart(data).encode(
        x=alt.X("quarter:O", title="Quarter", sort="ascending", axis=alt.Axis(labelAngle=-40))
    )
    tooltip = [
        alt.Tooltip("quarter:N", title="Quarter"),
        alt.Tooltip("partner:N", title="Partner"),
        alt.Tooltip("shown:N", title=metric.label),
        alt.Tooltip("figure:N", title="Figure"),
        alt.Tooltip("note:N", title="Note"),
    ]
    layers = [
        base.mark_line(strokeDash=DASH, strokeWidth=1.5).encode(y=y, color=colour),
        base.mark_line(strokeWidth=2.5).encode(
            y=alt.Y("reported_value:Q", title=y_title), color=colour
        ),
        base.mark_point(size=70, strokeWidth=2, opacity=1).encode(
            y=y, tooltip=tooltip, **_partner_paint(data["partner"], "Partner")
        ),
        base.mark_text(align="left", dx=8, dy=-10, fontWeight="bold").encode(
            y=y, text="direct_label:N", color=colour
        ),
        _figure_key(),
    ]
    if target is not None:
        rule = pd.DataFrame(
            {
                "target": [target.target],
                "label": [f"Target {format_value(target.target, unit.name)}"],
            }
        )
        target_base = alt.Chart(rule).encode(y=alt.Y("target:Q"))
        layers += [
            target_base.mark_rule(color=TEXT_COLOUR, strokeDash=[2, 2]),
            target_base.mark_text(align="left", dy=-6, x=4, color=TEXT_COLOUR).encode(
                text="label:N"
            ),
        ]
    return alt.layer(*layers).properties(width=WIDTH, height=HEIGHT)


def trend_text(data: pd.DataFrame, metric: Metric, period: str) -> ChartText:
    """Title, caption and text alternative of a trend chart."""
    sentences = []
    for partner, rows in data.groupby("partner", sort=False):
        rows = rows.sort_values("quarter")
        first, last = rows.iloc[0], rows.iloc[-1]
        if len(rows) == 1:
            sentences.append(f"{partner} {last['shown']} in {last['quarter']}")
            continue
        difference = last["value"] - first["value"]
        moved = "rose" if difference > 0 else "fell" if difference < 0 else "was unchanged"
        sentences.append(
            f"{partner} {moved} from {first['shown']} ({first['quarter']}) "
            f"to {last['shown']} ({last['quarter']})"
        )
    title = f"{metric.label}: " + "; ".join(sentences) if sentences else metric.label
    illustrative = data["illustrative"].any()
    description = (
        f"Line chart of {metric.label} by quarter, {period}. "
        + ". ".join(s[0].upper() + s[1:] for s in sentences)
        + "."
        + (" Hollow points on a dashed line are illustrative figures." if illustrative else "")
    )
    caption = (
        f"Measure: {metric.label} ({metric.unit.label}). "
        f"Source: EMSS quarterly return (report {metric.source}). Period: {period}."
    )
    return ChartText(title, caption, description)


# --- debt collection -------------------------------------------------------------------


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
    data["direction"] = [debt.direction(v, arrow=False) for v in data["movement_gbp"]]
    data["figure"] = _figure_kind(data["illustrative"].astype(bool))
    data["label"] = [_bar_label(v) for v in data["movement_gbp"]]
    data["shown"] = [debt.written(v) for v in data["movement_gbp"]]
    return data


def _bar_label(movement: float) -> str:
    """ "▲ +£1.2m grew", "▼ −£300k fell" or "£0, no change"."""
    if debt.sign(movement) == 0:
        return f"{format_value(0, debt.UNIT)}, no change"
    verb = " grew" if movement > 0 else " fell"
    return f"{debt.ARROWS[debt.sign(movement)]}{debt.written(movement, exact=False)}{verb}"


def debt_sector_chart(data: pd.DataFrame) -> alt.Chart:
    """Horizontal bars from zero: growth to the right, reduction to the left, each labelled."""
    values = data["movement_gbp"] if not data.empty else pd.Series([0.0])
    low, high = min(0.0, float(values.min())), max(0.0, float(values.max()))
    room = LABEL_ROOM * ((high - low) or 1.0)  # space for the labels beyond the bars' ends
    domain = [low - room if low < 0 else 0.0, high + room if high > 0 else 0.0]
    base = alt.Chart(data).encode(
        y=alt.Y("sector:N", title=None, sort=None),
        yOffset=alt.YOffset("partner:N", sort=list(PARTNER_COLOURS)),
        x=alt.X(
            "movement_gbp:Q",
            title="Movement in past-due debt (£; right: grew, left: fell)",
            scale=alt.Scale(zero=True, domain=domain, nice=False),
            axis=alt.Axis(format="~s", labelExpr=GBP_AXIS),
        ),
    )
    bars = base.mark_bar(strokeWidth=1.5).encode(
        strokeDash=_dash_when_illustrative(),
        tooltip=[
            alt.Tooltip("partner:N", title="Council"),
            alt.Tooltip("sector:N", title="Sector"),
            alt.Tooltip("shown:N", title="Movement"),
            alt.Tooltip("direction:N", title="Direction"),
            alt.Tooltip("figure:N", title="Figure"),
        ],
        **_partner_paint(data["partner"], "Council"),
    )
    growth = base.transform_filter("datum.movement_gbp >= 0").mark_text(
        align="left", dx=4, fontSize=11, color=TEXT_COLOUR
    )
    reduction = base.transform_filter("datum.movement_gbp < 0").mark_text(
        align="right", dx=-4, fontSize=11, color=TEXT_COLOUR
    )
    labels = [layer.encode(text="label:N") for layer in (growth, reduction)]
    zero = alt.Chart(pd.DataFrame({"x": [0]})).mark_rule(color=TEXT_COLOUR).encode(x="x:Q")
    rows = max(1, data["sector"].nunique() if not data.empty else 1)
    return alt.layer(bars, *labels, zero, _figure_key()).properties(
        width=WIDTH, height=max(160, rows * 52)
    )


def debt_sector_text(data: pd.DataFrame, quarter: str) -> ChartText:
    """The point of the sector chart: each council's total and its movement per sector."""
    points, details = [], []
    for partner, rows in data.groupby("partner", sort=False):
        total = float(rows["movement_gbp"].sum())
        verb = "grew" if total > 0 else "fell" if total < 0 else "did not change"
        points.append(f"{partner}'s past-due debt {verb} by {format_value(abs(total), debt.UNIT)}")
        biggest = rows.loc[rows["movement_gbp"].abs().idxmax()]
        details.append(
            f"{partner}: largest movement {biggest['sector']} {biggest['shown']}; "
            + ", ".join(f"{r.sector} {r.shown}" for r in rows.itertuples())
        )
    title = "; ".join(points) + f" in {quarter}" if points else f"No debt movements for {quarter}"
    caption = (
        "Measure: quarterly movement in past-due debt open for collection, by customer "
        "sector (the collectors chosen added together); positive means the debt grew. "
        f"Source: EMSS debt return (report {DEBT.source}). Period: {quarter}."
    )
    description = (
        "Horizontal bar chart centred on zero: bars to the right (▲) are sectors whose debt "
        "grew, bars to the left (▼) sectors whose debt fell. " + ". ".join(details) + "."
    )
    return ChartText(title, caption, description)


def debt_trend_data(trend: pd.DataFrame) -> pd.DataFrame:
    """Total movement per quarter and partner, with how it is written and its kind."""
    data = trend[["quarter", "partner", "movement_gbp", "illustrative"]].copy()
    data["illustrative"] = data["illustrative"].astype(bool)
    data["figure"] = _figure_kind(data["illustrative"])
    data["shown"] = [debt.written(v, exact=False) for v in data["movement_gbp"]]
    return data


def debt_trend_chart(data: pd.DataFrame) -> alt.Chart:
    """Bars from zero per quarter, one per council side by side; illustrative ones hollow."""
    bars = (
        alt.Chart(data)
        .mark_bar(strokeWidth=1.5)
        .encode(
            x=alt.X("quarter:O", title="Quarter", axis=alt.Axis(labelAngle=-40)),
            xOffset=alt.XOffset("partner:N", sort=list(PARTNER_COLOURS)),
            y=alt.Y(
                "movement_gbp:Q",
                title="Total movement in past-due debt (£)",
                scale=alt.Scale(zero=True),
                axis=alt.Axis(format="~s", labelExpr=GBP_AXIS),
            ),
            strokeDash=_dash_when_illustrative(),
            tooltip=[
                alt.Tooltip("quarter:N", title="Quarter"),
                alt.Tooltip("partner:N", title="Council"),
                alt.Tooltip("shown:N", title="Total movement"),
                alt.Tooltip("figure:N", title="Figure"),
            ],
            **_partner_paint(data["partner"], "Council"),
        )
    )
    return alt.layer(bars, _figure_key()).properties(width=WIDTH, height=HEIGHT)


def debt_trend_text(data: pd.DataFrame) -> ChartText:
    period = _period(data["quarter"])
    latest = data[data["quarter"] == data["quarter"].max()] if not data.empty else data
    points = [f"{r.partner} {r.shown}" for r in latest.itertuples()]
    title = (
        f"Total movement in past-due debt, {period}: latest quarter " + ", ".join(points)
        if points
        else "No debt movements in this range"
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
        f"sectors. Source: EMSS debt return (report {DEBT.source}). Period: {period}."
    )
    return ChartText(title, caption, description)


# --- prepared: chart, words and data table together ----------------------------------------


def prepared_trend(
    series: pd.DataFrame, metric: Metric, target: Target | None, first: Quarter, last: Quarter
) -> PreparedChart | None:
    """A metric's trend over a range, from ``Database.series``; None when it has no figure."""
    data = trend_data(series, metric)
    if data.empty:
        return None
    return prepare_chart(
        trend_chart(data, metric, target),
        trend_text(data, metric, f"{first} to {last}"),
        tables.trend_table(data, metric),
    )


def prepared_debt_sector(movements: pd.DataFrame, quarter: Quarter) -> PreparedChart:
    """The quarter's movement by sector, from ``Database.debt_movements``."""
    data = debt_sector_data(movements, DEBT)
    return prepare_chart(
        debt_sector_chart(data),
        debt_sector_text(data, str(quarter)),
        tables.debt_sector_table(data),
    )


def prepared_debt_trend(trend: pd.DataFrame) -> PreparedChart | None:
    """Each council's total movement per quarter, from ``Database.debt_trend``."""
    if trend.empty:
        return None
    data = debt_trend_data(trend)
    return prepare_chart(
        debt_trend_chart(data), debt_trend_text(data), tables.debt_trend_table(data)
    )
