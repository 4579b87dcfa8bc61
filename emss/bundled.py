"""Builds the bundled store: the report's own figures and a generated, illustrative history.

Deterministic: the same sources give the same rows. Run ``python data/build.py``.
"""

from __future__ import annotations

import math
import random
import tomllib
from pathlib import Path

import pandas as pd

from emss.catalogue import WHOLE, Catalogue, Metric, load_catalogue
from emss.ingest import Validation, validate
from emss.quarters import Quarter, quarter_range
from emss.store import Snapshot, Store

SOURCES = Path(__file__).resolve().parent.parent / "data" / "sources"
REPORT_FILES = (
    "report-2023-24-q3-metrics.csv",
    "report-2023-24-q3-debt.csv",
    "report-2023-24-q3-projects.csv",  # 2023/24 Q2's rows are inferred, each note says from what
)
REPORT_DATE = "2024-03-18T00:00:00Z"  # the Joint Committee meeting the report went to
# What a reader sees of the generated rows: no internal file name, nothing a committee
# could mistake for commentary on a reported figure.
ILLUSTRATIVE_NOTE = "Illustrative: generated to show how the dashboard works, not reported by EMSS."
ILLUSTRATIVE_BY = "Generated example history (not reported by EMSS)"


def read_report(sources: Path = SOURCES) -> Validation:
    """The report's figures, read through the same validation as any upload."""
    files = [(name, (sources / name).read_bytes()) for name in REPORT_FILES]
    result = validate(files, today=Quarter.parse("2023/24 Q4").first_month)
    if not result.ok:
        raise ValueError("; ".join(str(p) for p in result.problems))
    return result


def _split_exactly(total: float, weights: dict[str, float], places: int) -> dict[str, float]:
    """Split a total in proportion to weights so the rounded parts add up to it exactly."""
    step = 10.0**-places
    units = round(total / step)
    raw = {p: units * w / sum(weights.values()) for p, w in weights.items()}
    parts = {p: math.floor(v) for p, v in raw.items()}
    for p in sorted(raw, key=lambda p: raw[p] - parts[p], reverse=True)[
        : units - sum(parts.values())
    ]:
        parts[p] += 1
    return {p: round(v * step, places) for p, v in parts.items()}


class _Generator:
    def __init__(self, spec: dict, report: pd.DataFrame, catalogue: Catalogue) -> None:
        self.spec = spec
        self.catalogue = catalogue
        self.first = Quarter.parse(spec["first_quarter"])
        self.last = Quarter.parse(spec["last_quarter"])
        self.report = {
            (r.quarter, r.partner, r.metric): r.value for r in report.itertuples(index=False)
        }

    def _path(self, metric: Metric, partner: str, level: float, fixed: dict[Quarter, float]):
        """Level, trend and season with seeded noise, bent smoothly through the fixed points."""
        spec = self.spec["metrics"][metric.key]
        rng = random.Random(f"{self.spec['seed']}:{metric.key}:{partner}")
        start = Quarter.parse(spec.get("first", str(self.first)))
        season = spec["season"]
        base = {}
        for q in quarter_range(start, self.last):
            steps = q.index - self.last.index
            wiggle = 1 + spec["noise"] * rng.gauss(0, 1)
            base[q] = (
                level * (1 + spec["trend"]) ** steps * season[q.number - 1] / season[2] * wiggle
            )
        points = sorted((q, math.log(v / base[q])) for q, v in fixed.items() if q in base and v > 0)
        path = {}
        for q, value in base.items():
            if not points:
                path[q] = value
                continue
            before = [p for p in points if p[0] <= q] or points[:1]
            after = [p for p in points if p[0] >= q] or points[-1:]
            (q0, r0), (q1, r1) = before[-1], after[0]
            share = 0 if q1 == q0 else (q.index - q0.index) / (q1.index - q0.index)
            path[q] = value * math.exp(r0 + (r1 - r0) * share)
        return path

    def _rounded(self, metric: Metric, value: float) -> float:
        step = self.spec["metrics"][metric.key].get("round_to")
        if step:
            return float(round(value / step) * step)
        value = round(value, metric.unit.places)
        return min(value, metric.unit.maximum) if metric.unit.maximum is not None else value

    def metric_rows(self, metric: Metric) -> list[dict]:
        spec = self.spec["metrics"][metric.key]
        anchors = {(Quarter.parse(q), p): v for q, p, v in spec.get("anchors", [])}
        totals = {  # EMSS totals the partner figures must add up to
            Quarter.parse(q): v
            for (q, p, m), v in self.report.items()
            if m == metric.key and p == WHOLE
        } | {q: v for (q, p), v in anchors.items() if p == WHOLE}
        partners = metric.contributors or (WHOLE,)
        split = "shares" in spec  # partner figures made by splitting an EMSS total
        total_level = self.report.get((str(self.last), WHOLE, metric.key), spec.get("level"))
        if total_level is None and totals:
            total_level = totals[max(totals)]
        values: dict[str, dict[Quarter, float]] = {}
        for partner in partners:
            fixed = {
                Quarter.parse(q): v
                for (q, p, m), v in self.report.items()
                if m == metric.key and p == partner
            } | {q: v for (q, p), v in anchors.items() if p == partner}
            if split:
                share = spec["shares"][partner] / sum(spec["shares"].values())
                fixed |= {q: t * share for q, t in totals.items()}
                level = self.report.get((str(self.last), partner, metric.key), total_level * share)
            elif partner == WHOLE:
                fixed |= totals
                level = total_level
            else:
                level = self.report.get(
                    (str(self.last), partner, metric.key), spec["levels"][partner]
                )
            values[partner] = {
                q: self._rounded(metric, v)
                for q, v in self._path(metric, partner, level, fixed).items()
            }
        if split:
            places = metric.unit.places if not spec.get("round_to") else 0
            for q, total in totals.items():
                if all(q in values[p] for p in partners):
                    weights = {p: values[p][q] for p in partners}
                    values |= {
                        p: values[p] | {q: v}
                        for p, v in _split_exactly(total, weights, places).items()
                    }
        return [
            {
                "quarter": str(q),
                "partner": p,
                "metric": metric.key,
                "value": v,
                "note": ILLUSTRATIVE_NOTE,
            }
            for p, series in values.items()
            for q, v in sorted(series.items())
            if (str(q), p, metric.key) not in self.report
        ]

    def debt_rows(self) -> list[dict]:
        spec = self.spec["debt"]
        rows = []
        for partner in self.catalogue.debt.partners:
            for collector, sectors in spec["scale"].items():
                for sector, size in sectors.items():
                    rng = random.Random(f"{self.spec['seed']}:debt:{partner}:{collector}:{sector}")
                    for q in quarter_range(self.first, Quarter.parse(spec["last_quarter"])):
                        swing = spec["season"][q.number - 1] + spec["noise"] * rng.gauss(0, 1)
                        rows.append(
                            {
                                "quarter": str(q),
                                "partner": partner,
                                "collector": collector,
                                "sector": sector,
                                "movement_gbp": float(round(size * swing)),
                                "note": ILLUSTRATIVE_NOTE,
                            }
                        )
        return rows


def illustrative_frames(
    report: Validation, spec: dict, catalogue: Catalogue | None = None
) -> dict[str, pd.DataFrame]:
    """The generated history, holding no key that the report holds."""
    catalogue = catalogue or load_catalogue()
    generator = _Generator(spec, report.metrics, catalogue)
    metrics = [row for m in catalogue.uploadable for row in generator.metric_rows(m)]
    return {"metrics": pd.DataFrame(metrics), "debt": pd.DataFrame(generator.debt_rows())}


def build(store: Store, sources: Path = SOURCES) -> list[Snapshot]:
    """Write the illustrative and the report snapshots into an empty store."""
    if store.snapshots():
        raise ValueError(f"{store.root} already holds snapshots; build into an empty folder")
    report = read_report(sources)
    spec = tomllib.loads((sources / "illustrative.toml").read_text(encoding="utf-8"))
    history = store.commit(
        illustrative_frames(report, spec),
        uploaded_by=ILLUSTRATIVE_BY,
        kind="illustrative",
        sources=(),
        created=REPORT_DATE,
    )
    real = store.commit(
        {"metrics": report.metrics, "debt": report.debt, "projects": report.projects},
        uploaded_by="EMSS Joint Committee report, 18 March 2024",
        kind="report",
        sources=report.sources,
        created=REPORT_DATE,
    )
    return [history, real]
