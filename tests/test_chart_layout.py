"""Every chart of every page, and of the report, laid out by Vega itself and checked for
what made charts unreadable: a plot squeezed by a long axis title or long labels, labels
printed over each other or over the legend, a flat value axis, bars not from zero, pounds
not in £m, text cut short.

The charts are built exactly as the pages build them (``charts.prepared_*`` and
``charts_debt.prepared_*``), for the bundled store and a 40-quarter store, and laid out by
vl-convert's scenegraph (Vega's own positions) at a phone's width; the report's at the width
it draws them.
"""

from __future__ import annotations

import re

import pytest
import vl_convert

from bench.stores import Shape, build_store
from emss import charts, charts_debt, report
from emss.catalogue import PARTNERS, VIEWS, load_catalogue
from emss.queries import Database
from emss.report_model import CHART_WIDTH
from emss.store import Store

PHONE = 330  # pixels: the chart's width on a 390-pixel phone, less the page's margins
CHAR_WIDTH = 6.5  # pixels: a character of an 11-pixel label, on average
CATALOGUE = load_catalogue()
GBP_LABEL = re.compile(r"^[−+]?£\d[\d,.]*m$|^£0$")


@pytest.fixture(scope="module", params=["bundled", "40 quarters"])
def chart_db(request, tmp_path_factory) -> tuple[Database, tuple[str, ...]]:
    """A store and the partner views to draw it in: the bundled store in the view with the
    most partners (both councils) and the whole; 40 quarters in the first (time is short)."""
    if request.param == "bundled":
        return request.getfixturevalue("bundled_db"), ("Councils", "EMSS")
    root = tmp_path_factory.mktemp("forty") / "data"
    build_store(root, Shape(40, 3))
    return Database(Store(root)), ("Councils",)


def page_charts(
    db: Database, views: tuple[str, ...]
) -> list[tuple[str, charts.PreparedChart, str | None]]:
    """Every chart the area and debt pages can show for the latest quarter in these views,
    over the whole range: (name, chart, unit of its value axis)."""
    quarters = db.quarters_with_data()
    first, last = quarters[0], quarters[-1]
    found = []
    for view in views:
        partners = [*VIEWS[view].partners, *(p for p in PARTNERS if p not in VIEWS[view].partners)]
        for metric in CATALOGUE.metrics:
            shown = [p for p in partners if p in metric.partners][: len(VIEWS[view].partners)]
            series = db.series((metric.key,), shown or [metric.partners[0]], first, last)
            chart = charts.prepared_trend(series, metric, None, first, last, last, last.previous)
            if chart is not None:
                found.append((f"{metric.key} ({view})", chart, metric.unit.name))
    found.append(
        ("debt by sector", charts_debt.prepared_debt_sector(db.debt_movements(last), last), None)
    )
    trend = charts_debt.prepared_debt_trend(db.debt_trend(first, last, None), last)
    found.append(("debt trend", trend, None))
    return found


def marks(node: dict, role: str | None = None, depth_x: float = 0, depth_y: float = 0):
    """Every scenegraph item (with its absolute position) of marks with this role."""
    for item in node.get("items", []):
        x, y = depth_x + item.get("x", 0), depth_y + item.get("y", 0)
        if node.get("role") == role or role is None:
            yield node, item, x, y
        for child in item.get("items", []):
            yield from marks(child, role, x, y)


def texts(graph: dict, role: str) -> list[tuple[dict, float, float]]:
    return [
        (item, x, y)
        for node, item, x, y in marks(graph["scenegraph"], role)
        if node.get("marktype") == "text" and item.get("opacity", 1) != 0 and item.get("text")
    ]


def layout_problems(spec: dict, width: int, unit: str | None) -> list[str]:
    """What is wrong with a chart drawn ``width`` pixels wide, in words (empty: nothing)."""
    # Sized as Streamlit sizes it: a spec without its own autosize is fitted both ways.
    spec = {"autosize": {"type": "fit", "contains": "padding"}, **spec, "width": width}
    graph = vl_convert.vegalite_to_scenegraph(spec)
    problems = []
    frame = graph["scenegraph"]["items"][0]
    plot_height = frame["height"]
    if plot_height < 0.9 * spec["height"]:
        problems.append(f"the plot is {plot_height:.0f} px tall, not {spec['height']}")
    if frame["width"] < width / 2:
        problems.append(f"the plot is {frame['width']:.0f} px wide in {width}")
    value_axis = "x" if "yOffset" in spec.get("encoding", {}) else "y"
    for item, _, _ in texts(graph, "axis-title"):
        room = plot_height if item.get("angle") in (-90, 270) else width
        if len(item["text"]) * CHAR_WIDTH > room:
            problems.append(f"axis title {item['text']!r} is longer than its axis")
    labels = texts(graph, "axis-label")
    value_labels = [i for i, _, _ in labels if i.get("angle", 0) == 0 and i.get("align") == "right"]
    if value_axis == "y":
        if len({i["text"] for i in value_labels}) < 2:
            problems.append("the value axis has fewer than two distinct labels")
        widest = max((len(i["text"]) for i in value_labels), default=0) * CHAR_WIDTH
        if widest > width / 4:
            problems.append(f"value labels are {widest:.0f} px wide")
    slanted = sorted(x for i, x, _ in labels if i.get("angle", 0) != 0)
    if any(b - a < charts.FONT_SIZE for a, b in zip(slanted, slanted[1:], strict=False)):
        problems.append("quarter labels overlap")
    if unit == "gbp" or "movement_gbp" in str(spec.get("encoding", "")):
        money = [i["text"] for i, _, _ in labels if "£" in i["text"] or i["text"] == "0"]
        bad = [t for t in money if not GBP_LABEL.match(t)]
        if not money or bad:
            problems.append(f"pound labels not in £m: {bad or 'none'}")
    direct = [(i, x, y) for i, x, y in texts(graph, "mark") if i.get("align") == "left"]
    for n, (a, ax, ay) in enumerate(direct):
        for b, bx, by in direct[n + 1 :]:
            lines = max(len(str(t["text"]).split(charts.LINE_BREAK)) for t in (a, b))
            if abs(ax - bx) < 1 and abs(ay - by) < lines * charts.FONT_SIZE:
                problems.append(f"labels {a['text']!r} and {b['text']!r} overlap")
    named = " ".join(
        str(i["text"]) for role in ("legend-label", "mark") for i, _, _ in texts(graph, role)
    )
    rows = spec["data"]["values"]
    unnamed = {r.get("partner") for r in rows} - {None} - {p for p in PARTNERS if p in named}
    if unnamed:
        problems.append(f"nothing names {sorted(unnamed)} but colour")
    legends = [y for _, _, _, y in marks(graph["scenegraph"], "legend")]
    if legends and min(legends) < plot_height:
        problems.append("the legend overlaps the plot")
    cut = [i["text"] for _, i, _, _ in marks(graph["scenegraph"]) if "…" in str(i.get("text"))]
    if cut:
        problems.append(f"text cut short: {cut}")
    return problems


def scale_problems(spec: dict) -> list[str]:
    """Bars from zero; a value axis that is not a single point."""
    problems = []
    layers = spec.get("layer", [spec])
    kinds = [layer.get("mark", {}) for layer in layers]
    bar = "bar" in [k if isinstance(k, str) else k.get("type") for k in kinds]
    for channel in ("x", "y"):
        field = spec.get("encoding", {}).get(channel) or layers[-1]["encoding"].get(channel)
        if not field or field.get("type") != "quantitative":
            continue
        scale = field.get("scale", {})
        domain = scale.get("domain")
        if domain and not domain[0] < domain[1]:
            problems.append(f"{channel} domain {domain} is a single point")
        if bar and not (scale.get("zero") and (not domain or domain[0] <= 0 <= domain[1])):
            problems.append("bars do not start at zero")
    for layer in layers:
        field = layer.get("encoding", {}).get("y")
        if field and field.get("type") == "quantitative":
            domain = field.get("scale", {}).get("domain")
            if domain and not domain[0] < domain[1]:
                problems.append(f"y domain {domain} is a single point")
    return problems


def test_every_page_chart_is_laid_out_without_collisions(chart_db) -> None:
    db, views = chart_db
    found = page_charts(db, views)
    assert len(found) > len(views) * 30  # every metric in every view, and the debt charts
    problems = {
        name: scale_problems(chart.spec) + layout_problems(chart.spec, PHONE, unit)
        for name, chart, unit in found
    }
    assert {name: p for name, p in problems.items() if p} == {}


def test_every_report_chart_is_laid_out_without_collisions(bundled_db: Database) -> None:
    built = report.build_report(bundled_db, bundled_db.quarters_with_data()[-1])
    assert built.charts
    problems = {
        c.key: scale_problems(c.spec) + layout_problems(c.spec, CHART_WIDTH, None)
        for c in built.charts
    }
    assert {key: p for key, p in problems.items() if p} == {}


def test_the_checks_catch_a_collapsed_plot_and_colliding_labels() -> None:
    """The checks above are not empty: a chart with a long axis title, pounds in full and
    labels at one spot fails them."""
    spec = {
        "width": PHONE,
        "height": 260,
        "data": {
            "values": [{"q": "A", "v": 120e6, "t": "LCC"}, {"q": "B", "v": 120e6, "t": "NCC"}]
        },
        "layer": [
            {
                "mark": "line",
                "encoding": {
                    "x": {"field": "q", "type": "ordinal"},
                    "y": {
                        "field": "v",
                        "type": "quantitative",
                        "title": "Value of supplier payments made in the quarter (pounds)",
                        "scale": {"domain": [120e6, 120e6]},
                    },
                },
            },
            {
                "mark": {"type": "text", "align": "left"},
                "encoding": {
                    "x": {"datum": "B", "type": "ordinal"},
                    "y": {"datum": 120e6, "type": "quantitative"},
                    "text": {"field": "t"},
                },
            },
        ],
    }
    problems = " ".join(scale_problems(spec) + layout_problems(spec, PHONE, "gbp"))
    for expected in ("single point", "px tall", "longer than its axis", "not in £m", "overlap"):
        assert expected in problems


def test_direct_labels_are_spread_apart() -> None:
    placed = charts.spread_labels([95.3, 95.4, 95.45], [90.0, 100.0], charts.HEIGHT)
    gap = charts.LABEL_SPACING * 10.0 / charts.HEIGHT
    ordered = sorted(placed)
    assert all(b - a >= gap - 1e-9 for a, b in zip(ordered, ordered[1:], strict=False))
    top = charts.spread_labels([99.9, 100.0], [90.0, 100.0], charts.HEIGHT)
    assert max(top) <= 100.0 and abs(top[0] - top[1]) >= gap - 1e-9


def test_a_flat_series_still_gets_an_axis() -> None:
    unit = CATALOGUE.units["percent"]
    assert charts.value_domain([100.0, 100.0], unit) == pytest.approx([90.0, 100.0])
    low, high = charts.value_domain([87_106.0, 87_106.0], CATALOGUE.units["count"])
    assert low < 87_106.0 < high


def test_a_trend_spec_is_the_same_whichever_partners_it_draws(bundled_db: Database) -> None:
    """Only the data differs between partner views, so the browser swaps a drawn chart's
    data instead of drawing it anew; its name for a screen reader holds no figure."""
    quarters = bundled_db.quarters_with_data()
    first, last = quarters[0], quarters[-1]
    metric = next(m for m in CATALOGUE.metrics if len(m.partners) > 1)
    specs, alts = [], set()
    for partners in [metric.partners[:1], metric.partners[1:2], metric.partners]:
        series = bundled_db.series((metric.key,), partners, first, last)
        chart = charts.prepared_trend(series, metric, None, first, last, last, last.previous)
        specs.append({k: v for k, v in chart.spec.items() if k != "data"})
        alts.add(chart.text.alt)
    assert specs[0] == specs[1] == specs[2]
    assert len(alts) == 1 and not re.search(r"\d", alts.pop())
