"""Chart specs and the words that go with each chart. No Streamlit here.

Specs are plain Vega-Lite dicts, built directly: building them through Altair cost tens of
milliseconds a chart (a third of it schema validation), and fewer layers draw faster in the
browser. Every chart follows the Analysis Function guidance: one fixed colour per partner
(the catalogue's palette), bars from zero, no dual axes, short axis titles in the unit
(£ as £m), direct labels spread so they never collide, the legend below the plot, and
colour never the only signal (illustrative figures are hollow on a dashed line and named in
the legend). The debt charts, built from the same pieces, are in ``emss.charts_debt``.

Each builder has a ``*_data`` function that shapes the frame it draws, so tests can check
what a chart shows, and a ``*_text`` function giving its title, caption and text
alternative. ``prepared_*`` put the three together with the chart's data table as a
``PreparedChart``, ready to draw and cache.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from emss import tables
from emss.catalogue import PARTNER_COLOURS, Metric, Unit
from emss.compare import format_value, missing
from emss.export import to_csv
from emss.quarters import Quarter
from emss.tables import ILLUSTRATIVE, REPORTED
from emss.targets import Target

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
TEXT_COLOUR = "#3D3D3D"
SOLID = [1, 0]
DASH = [5, 4]
WIDTH = "container"
HEIGHT = 260  # pixels: the plot's own height; axes and legend add to it
# Fit the width to the page (labels beyond the plot's edge included), keep the plot's
# height: with Streamlit's default ("fit" both ways) the axes and legend were taken out of
# the height and the plot shrank to a strip.
AUTOSIZE = {"type": "fit-x", "contains": "padding"}
FONT_SIZE = 11  # pixels: labels drawn in the chart
# A direct label is two lines (partner, value), so it needs little room beside the plot.
LABEL_SPACING = 2 * FONT_SIZE + 6  # pixels between two direct labels' centres, at least
LINE_BREAK = "\n"
# Share of the value range kept free above and below the lines.
VALUE_PAD = 0.12
# A chart's alt text ends so: its figures are a click away.
TABLE_BELOW = "Every figure is in the data table and description below it."
# The legend's words for each kind of figure, a line each (narrow enough for a phone).
FIGURE_KEY = {REPORTED: [f"{REPORTED} (solid)"], ILLUSTRATIVE: [ILLUSTRATIVE, "(hollow, dashed)"]}


@dataclass(frozen=True)
class ChartText:
    """What is said about a chart: its point, its caption, a text alternative giving every
    figure, and ``alt``, the chart's name for a screen reader, which says what it draws but
    no figure (a filter change then leaves the chart as drawn and swaps only its data)."""

    title: str
    caption: str
    description: str
    alt: str


@dataclass(frozen=True)
class PreparedChart:
    """A chart ready to draw: its Vega-Lite spec, what is said about it, its table and CSV.

    Pages prepare each chart once per store version and filters and keep it in the cache.
    """

    spec: dict
    text: ChartText
    table: pd.DataFrame
    csv: str


# --- pieces every chart shares -----------------------------------------------------------


def partner_scale(partners: Sequence[str]) -> dict:
    """The colour scale for these partners, always the same colour per partner."""
    present = [p for p in PARTNER_COLOURS if p in set(partners)]
    return {"domain": present, "range": [PARTNER_COLOURS[p] for p in present]}


def axis_label_expr(unit: Unit, *, signed: bool = False) -> str:
    """A Vega expression writing an axis value in the unit: "£120m", "95%", "−£2m"."""
    number = f"format(abs(datum.value) / {unit.axis_divisor:g}, ',~r')"
    text = f"'{unit.prefix}' + {number} + '{unit.axis_suffix}'"
    sign = (
        "(datum.value < 0 ? '\u2212' : (datum.value > 0 ? '+' : ''))"
        if signed
        else ("(datum.value < 0 ? '\u2212' : '')")
    )
    return f"{sign} + {text}"


def _value_axis(unit: Unit, *, signed: bool = False, grid: bool = True) -> dict:
    return {
        "title": unit.axis,
        "labelExpr": axis_label_expr(unit, signed=signed),
        "tickCount": 5,
        "grid": grid,
        "titleLimit": 0,
    }


def _quarter_axis() -> dict:
    """The quarters along the bottom, slanted; labels that would overlap are left out."""
    return {"title": "Quarter", "labelAngle": -40, "labelOverlap": "greedy", "labelBound": True}


def _config() -> dict:
    return {
        "legend": {
            "orient": "bottom",
            "direction": "vertical",
            "labelLimit": 0,
            "titleLimit": 0,
            "symbolStrokeWidth": 2,
        },
        "axis": {"labelFontSize": FONT_SIZE, "titleFontSize": FONT_SIZE + 1},
        "view": {"stroke": None},
    }


def _figure_kind(illustrative: pd.Series) -> pd.Series:
    return illustrative.map(tables.figure_kind).astype(str)


def _figure_key_scale(kinds: Sequence[str]) -> dict:
    domain = [k for k in (REPORTED, ILLUSTRATIVE) if k in set(kinds)]
    return {"domain": domain, "range": [SOLID if k == REPORTED else DASH for k in domain]}


def _figure_key_legend(kinds: Sequence[str]) -> dict | None:
    """The legend saying how each kind of figure is drawn; none when all are reported."""
    if ILLUSTRATIVE not in set(kinds):
        return None
    expr = " : ".join(f"datum.label == '{k}' ? {lines}" for k, lines in FIGURE_KEY.items())
    return {
        "title": "Figure",
        "labelExpr": f"{expr} : datum.label",
        "symbolType": "stroke",
        "symbolStrokeColor": TEXT_COLOUR,
    }


def _paint(partners: Sequence[str], legend: str | None = None) -> dict:
    """Encodings that paint a mark in its partner's colour, hollow when illustrative; the
    legend of ``partners`` titled ``legend`` (none when None). The scale holds every
    partner, so the spec is the same whichever partners a filter shows."""
    scale = partner_scale(PARTNER_COLOURS)
    key = {"title": legend, "symbolType": "square", "values": list(partners)} if legend else None
    return {
        "stroke": {"field": "partner", "type": "nominal", "scale": scale, "legend": key},
        "fill": {
            "condition": {"test": "datum.illustrative", "value": "white"},
            "field": "partner",
            "type": "nominal",
            "scale": scale,
            "legend": key,
        },
    }


def _chart(data: pd.DataFrame, columns: Sequence[str], width, height: int, **body) -> dict:
    """A whole spec: its size, the ``columns`` of ``data`` inline, ``body`` and the config."""
    return {
        "$schema": SCHEMA,
        "autosize": AUTOSIZE,
        "width": width,
        "height": height,
        "data": {"values": _records(data, columns)},
        **body,
        "config": _config(),
    }


def _records(data: pd.DataFrame, columns: Sequence[str]) -> list[dict]:
    """Rows for a spec's inline data: plain Python values, missing values as null."""
    frame = data[list(columns)].astype(object).where(data[list(columns)].notna(), None)
    return frame.to_dict("records")


def _period(quarters: Sequence[str]) -> str:
    quarters = sorted(set(quarters))
    if not quarters:
        return "no quarters"
    return quarters[0] if len(quarters) == 1 else f"{quarters[0]} to {quarters[-1]}"


def value_domain(values: Sequence[float], unit: Unit) -> list[float]:
    """The value axis of a line chart: the values with room above and below, within the
    unit's bounds, never a single point (a flat series gets room on both sides)."""
    present = [float(v) for v in values if not missing(v)]
    low, high = (min(present), max(present)) if present else (0.0, 1.0)
    span = high - low
    pad = span * VALUE_PAD if span else max(abs(high) * 0.1, 1.0)
    low, high = low - pad, high + pad
    if unit.minimum is not None:
        low = max(low, unit.minimum)
    if unit.maximum is not None:
        high = min(high, unit.maximum)
    if high <= low:  # a value at a bound: open the axis away from it
        low, high = (high - 2 * pad, high) if unit.maximum is not None else (low, low + 2 * pad)
    return [low, high]


def spread_labels(values: Sequence[float], domain: Sequence[float], height: float) -> list[float]:
    """Positions for labels at ``values`` (in data units) at least LABEL_SPACING pixels
    apart on an axis ``height`` pixels tall over ``domain``, kept inside the domain."""
    low, high = domain
    gap = LABEL_SPACING * (high - low) / height
    order = sorted(range(len(values)), key=lambda i: values[i])
    placed = [0.0] * len(values)
    floor = -math.inf
    for i in order:
        placed[i] = max(float(values[i]), floor + gap, low + gap / 2)
        floor = placed[i]
    ceiling = high - gap / 2
    for i in reversed(order):  # pushed past the top: move the stack down as far as needed
        placed[i] = min(placed[i], ceiling)
        ceiling = placed[i] - gap
    return placed


# --- a metric's trend ------------------------------------------------------------------


def trend_data(series: pd.DataFrame, metric: Metric) -> pd.DataFrame:
    """One row per quarter and partner, ready to draw.

    Adds ``figure`` (Reported/Illustrative), ``reported_value`` (the value, or empty for an
    illustrative figure, so the solid line breaks there), ``shown`` (the value as the report
    writes it), ``direct_label`` (the partner and value at the end of each line; empty
    elsewhere) and ``label_y`` (where that label sits, spread so labels never collide).
    """
    unit = metric.unit
    data = series[["quarter", "partner", "value", "illustrative", "note"]].copy()
    data["illustrative"] = data["illustrative"].astype(bool)
    data["figure"] = _figure_kind(data["illustrative"])
    data["reported_value"] = data["value"].where(~data["illustrative"])
    data["shown"] = [format_value(v, unit.name) for v in data["value"]]
    data["note"] = data["note"].fillna("").astype(str)
    data["direct_label"] = ""
    data["label_y"] = float("nan")
    if data.empty:
        return data
    last = data.groupby("partner", sort=False)["quarter"].transform("max") == data["quarter"]
    ends = data[last & (data["quarter"] == data["quarter"].max())]
    domain = value_domain(data["value"], unit)
    data.loc[ends.index, "direct_label"] = ends["partner"] + LINE_BREAK + ends["shown"]
    data.loc[ends.index, "label_y"] = spread_labels(list(ends["value"]), domain, HEIGHT)
    return data


def trend_chart(
    data: pd.DataFrame, metric: Metric, target: Target | None = None, *, width=WIDTH
) -> dict:
    """Lines of a metric over the quarters, one colour per partner; illustrative figures
    hollow on a dashed line; the partner and latest value at each line's end; the target as
    a labelled rule when one is set. ``width`` in pixels outside a page."""
    unit = metric.unit
    partners = list(dict.fromkeys(data["partner"]))
    kinds = set(data["figure"])
    # The value axis's ends travel with the data (drawn by an invisible rule), as does
    # everything else a filter changes: the spec stays the same, so the browser swaps the
    # data of the chart it has drawn instead of drawing a new one.
    low, high = value_domain([*data["value"], *([target.target] if target else [])], unit)
    data = data.assign(axis_low=low, axis_high=high)
    colour = {"field": "partner", "type": "nominal", "scale": partner_scale(PARTNER_COLOURS)}
    labelled = set(data.loc[data["direct_label"] != "", "partner"])
    # The partners' legend only when a line has no label at its end to name it.
    colour["legend"] = (
        None if labelled == set(partners) else {"title": "Partner", "values": partners}
    )

    def y(field: str) -> dict:
        return {
            "field": field,
            "type": "quantitative",
            "scale": {"zero": False, "nice": False},
            "axis": _value_axis(unit),
        }

    key = {"scale": _figure_key_scale(kinds), "legend": _figure_key_legend(kinds)}
    layers: list[dict] = [
        {
            "mark": {"type": "rule", "opacity": 0, "aria": False},
            "encoding": {"y": y("axis_low"), "y2": {"field": "axis_high"}},
        }
    ]
    if ILLUSTRATIVE in kinds:  # the whole line dashed, the reported stretches drawn over it
        layers.append(
            {
                "mark": {"type": "line", "strokeWidth": 1.5},
                "encoding": {
                    "y": y("value"),
                    "color": colour,
                    "strokeDash": {"datum": ILLUSTRATIVE, **key},
                },
            }
        )
    layers += [
        {
            "mark": {"type": "line", "strokeWidth": 2.5},
            "encoding": {
                "y": y("reported_value"),
                "color": colour,
                "strokeDash": {"datum": REPORTED, **key},
            },
        },
        {
            "mark": {"type": "point", "size": 60, "strokeWidth": 2, "opacity": 1},
            "encoding": {
                "y": y("value"),
                **_paint(partners),
                "tooltip": [
                    {"field": "quarter", "title": "Quarter"},
                    {"field": "partner", "title": "Partner"},
                    {"field": "shown", "title": metric.label},
                    {"field": "figure", "title": "Figure"},
                    {"field": "note", "title": "Note"},
                ],
            },
        },
        {
            "transform": [{"filter": "datum.direct_label != ''"}],
            "mark": {
                "type": "text",
                "align": "left",
                "baseline": "middle",
                "dx": 9,
                "fontSize": FONT_SIZE,
                "fontWeight": "bold",
                "lineBreak": LINE_BREAK,
            },
            "encoding": {
                "y": y("label_y"),
                "text": {"field": "direct_label"},
                "color": {**colour, "legend": None},
            },
        },
    ]
    if target is not None:
        label = f"Target {format_value(target.target, unit.name)}"
        layers.append(
            {
                "data": {"values": [{"target": target.target, "label": label}]},
                "mark": {"type": "rule", "color": TEXT_COLOUR, "strokeDash": [2, 2]},
                "encoding": {"y": y("target")},
            }
        )
        layers.append(
            {
                "data": {"values": [{"target": target.target, "label": label}]},
                "mark": {"type": "text", "align": "left", "dy": -7, "x": 4, "color": TEXT_COLOUR},
                "encoding": {"y": y("target"), "text": {"field": "label"}},
            }
        )
    columns = ["quarter", "partner", "value", "reported_value", "illustrative", "figure"]
    columns += ["shown", "note", "direct_label", "label_y", "axis_low", "axis_high"]
    return _chart(
        data,
        columns,
        width,
        HEIGHT,
        encoding={
            "x": {
                "field": "quarter",
                "type": "ordinal",
                "sort": "ascending",
                "axis": _quarter_axis(),
            }
        },
        layer=layers,
    )


def _change_phrase(partner: str, rows: pd.DataFrame, quarter: str, earlier: str | None):
    """One partner's figure in ``quarter`` against ``earlier``, in words, and whether it was
    compared: never when either figure is illustrative or missing."""
    now = rows[rows["quarter"] == quarter]
    if now.empty:
        return f"{partner} no figure", True
    now = now.iloc[0]
    said = f"{partner} {now['shown']}"
    if now["illustrative"]:
        return said + " (illustrative, not compared)", True
    then = rows[rows["quarter"] == earlier] if earlier else rows.iloc[0:0]
    if then.empty or then.iloc[0]["illustrative"]:
        return said, False
    then = then.iloc[0]
    difference = now["value"] - then["value"]
    moved = "up from" if difference > 0 else "down from" if difference < 0 else "unchanged from"
    said += f", {moved} {then['shown']}"
    reported = rows[~rows["illustrative"]]["value"]
    if len(reported) >= 3 and difference:
        if now["value"] >= reported.max():
            said += ", the highest reported in the range"
        elif now["value"] <= reported.min():
            said += ", the lowest reported in the range"
    return said, True


def change_title(label: str, data: pd.DataFrame, quarter: str, earlier: str | None) -> str:
    """ "Invoices paid within 30 days in 2023/24 Q3: LCC 95.7%, up from 95.4%; NCC 95.3%,
    up from 94.4% (compared with 2023/24 Q2)": the quarter's change, never a comparison
    with an illustrative figure (said plainly instead)."""
    partners = list(dict.fromkeys(data["partner"]))
    if not partners:
        return label
    phrases = {p: _change_phrase(p, data[data["partner"] == p], quarter, earlier) for p in partners}
    title = f"{label} in {quarter}: " + "; ".join(said for said, _ in phrases.values())
    uncompared = [p for p, (_, compared) in phrases.items() if not compared]
    if (
        earlier
        and len(uncompared) < len(partners)
        and any(" from " in said for said, _ in phrases.values())
    ):
        title += f" (compared with {earlier})"
    if earlier and uncompared:
        title += f"; no reported {earlier} figure to compare with"
        if len(uncompared) < len(partners):
            title += " for " + ", ".join(uncompared)
    return title


def trend_text(
    data: pd.DataFrame,
    metric: Metric,
    period: str,
    quarter: str | None = None,
    comparison: str | None = None,
) -> ChartText:
    """Title, caption and text alternative of a trend chart.

    The title states ``quarter``'s figure (default the latest in the data) against
    ``comparison`` (default the quarter before it in the data), never a comparison with an
    illustrative figure."""
    quarters = sorted(set(data["quarter"]))
    quarter = quarter or (quarters[-1] if quarters else "")
    if comparison is None:
        before = [q for q in quarters if q < quarter]
        comparison = before[-1] if before else None
    groups = list(data.groupby("partner", sort=False))
    title = change_title(metric.label, data, quarter, comparison)
    lines = []  # what the chart shows, first to last quarter of the range
    for partner, rows in groups:
        rows = rows.sort_values("quarter")
        first, last = rows.iloc[0], rows.iloc[-1]
        if len(rows) == 1:
            lines.append(f"{partner} {last['shown']} in {last['quarter']}")
            continue
        difference = last["value"] - first["value"]
        moved = "rose" if difference > 0 else "fell" if difference < 0 else "was unchanged"
        lines.append(
            f"{partner} {moved} from {first['shown']} ({first['quarter']}) "
            f"to {last['shown']} ({last['quarter']})"
        )
    illustrative = data["illustrative"].any()
    description = (
        f"Line chart of {metric.label} by quarter, {period}. "
        + ". ".join(lines)
        + "."
        + (" Hollow points on a dashed line are illustrative figures." if illustrative else "")
    )
    caption = (
        f"Measure: {metric.label} ({metric.unit.axis.lower()}). "
        f"Source: EMSS quarterly return (report {metric.source}). Period: {period}."
    )
    alt = f"Line chart of {metric.label} by quarter, one line per partner. {TABLE_BELOW}"
    return ChartText(title, caption, description, alt)


# --- prepared: chart, words and data table together ----------------------------------------


def prepared_trend(
    series: pd.DataFrame,
    metric: Metric,
    target: Target | None,
    first: Quarter,
    last: Quarter,
    quarter: Quarter | None = None,
    comparison: Quarter | None = None,
) -> PreparedChart | None:
    """A metric's trend over a range, from ``Database.series``; None when it has no figure.
    The title states ``quarter``'s figure against ``comparison``."""
    data = trend_data(series, metric)
    if data.empty:
        return None
    text = trend_text(
        data,
        metric,
        f"{first} to {last}",
        str(quarter) if quarter else None,
        str(comparison) if comparison else None,
    )
    table = tables.trend_table(data, metric)
    return PreparedChart(trend_chart(data, metric, target), text, table, to_csv(table))
