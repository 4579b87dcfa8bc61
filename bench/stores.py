"""Scaled snapshot stores for the benchmarks: many quarters, many snapshots, real manifests.

A store of ``quarters`` quarters and ``snapshots`` snapshots holds:

- snapshot 1: the whole history, every uploadable catalogue metric for every partner it is
  reported for and every debt movement (partner × collector × sector), for each quarter
  ending at ``LAST_QUARTER``, and ``PROJECTS_PER_QUARTER`` Business Plan projects a quarter;
- snapshots 2..n: corrections, as real revisions are: each restates one to five figures of
  an earlier quarter (every tenth also one debt movement), a few per cent off the value it
  replaces; one in every ``WITHDRAW_EVERY`` is then withdrawn.

Values are plausible: each (metric, partner) starts from its latest figure in the bundled
store (or a level for its unit) and follows a seeded trend, season and noise within its
unit's bounds. Everything goes through ``Store.commit`` and ``Store.withdraw``, so the
manifest and the Parquet files are exactly what uploads make.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from emss.catalogue import Catalogue, Metric, load_catalogue
from emss.projects import name_key
from emss.quarters import Quarter
from emss.queries import Database
from emss.store import REPO_DATA_DIR, Store

LAST_QUARTER = Quarter(2023, 3)
FIRST_CREATED = dt.datetime(2024, 3, 18, tzinfo=dt.UTC)
WITHDRAW_EVERY = 97
UNIT_LEVELS = {"count": 1_000.0, "percent": 90.0, "gbp": 1_000_000.0, "days": 5.0, "hours": 100.0}
UNIT_PLACES = {"count": 0, "percent": 1, "gbp": 0, "days": 2, "hours": 0}
DEBT_SCALE = 150_000.0
PROJECTS_PER_QUARTER = 200
BY = "bench/stores.py (generated)"


@dataclass(frozen=True)
class Shape:
    """How big a benchmark store is."""

    quarters: int
    snapshots: int

    @classmethod
    def parse(cls, text: str) -> Shape:
        """ "40x200" → 40 quarters, 200 snapshots."""
        quarters, snapshots = (int(part) for part in text.lower().split("x"))
        if quarters < 1 or snapshots < 1:
            raise ValueError(f"a store needs at least one quarter and one snapshot: {text!r}")
        return cls(quarters, snapshots)

    def __str__(self) -> str:
        return f"{self.quarters}x{self.snapshots}"


def check_store_name(name: str) -> str:
    """``name`` when it names a store the benches can use: "bundled" (a copy of data/) or
    QUARTERSxSNAPSHOTS such as 40x200; else a ValueError saying so."""
    if name != "bundled":
        try:
            Shape.parse(name)
        except ValueError:
            raise ValueError(
                f'a store is "bundled" or QUARTERSxSNAPSHOTS like 40x200, not {name}'
            ) from None
    return name


def quarters_ending(last: Quarter, count: int) -> list[Quarter]:
    """``count`` consecutive quarters ending with ``last``, oldest first."""
    quarters = [last]
    while len(quarters) < count:
        quarters.append(quarters[-1].previous)
    return quarters[::-1]


def bundled_levels(catalogue: Catalogue) -> dict[tuple[str, str], float]:
    """The latest uploaded figure per (metric, partner) in the bundled store."""
    db = Database(Store(REPO_DATA_DIR), catalogue)
    pairs = [(m.key, p) for m in catalogue.uploadable for p in m.partners]
    quarters = db.quarters_with_data()
    figures = db.figures(quarters, pairs)
    latest = figures[figures["origin"] == "uploaded"].sort_values("quarter")
    return {(r.metric, r.partner): float(r.value) for r in latest.itertuples()}


def _bounded(metric: Metric, value: float) -> float:
    unit = metric.unit
    if unit.minimum is not None:
        value = max(value, unit.minimum)
    if unit.maximum is not None:
        value = min(value, unit.maximum)
    return round(value, UNIT_PLACES[unit.name]) + 0.0


def history(
    quarters: list[Quarter], catalogue: Catalogue, rng: random.Random
) -> dict[str, pd.DataFrame]:
    """Every figure and debt movement of every quarter, as one upload would hold them."""
    levels = bundled_levels(catalogue)
    metrics = []
    for metric in catalogue.uploadable:
        for partner in metric.partners:
            level = levels.get((metric.key, partner), UNIT_LEVELS[metric.unit.name])
            trend = rng.uniform(-0.004, 0.004)
            season = [1 + rng.uniform(-0.03, 0.03) for _ in range(4)]
            steps = len(quarters) - 1
            for i, q in enumerate(quarters):
                if metric.unit.name == "percent":  # a rate wanders, it does not compound
                    value = level + rng.gauss(0, 1.5) - trend * 100 * (steps - i)
                else:
                    value = level * (1 + trend) ** (i - steps) * season[q.number - 1]
                    value *= 1 + rng.gauss(0, 0.04)
                metrics.append(
                    {
                        "quarter": str(q),
                        "partner": partner,
                        "metric": metric.key,
                        "value": _bounded(metric, value),
                        "note": None,
                    }
                )
    debt = [
        {
            "quarter": str(q),
            "partner": partner,
            "collector": collector,
            "sector": sector,
            "movement_gbp": float(round(rng.gauss(0, DEBT_SCALE))),
            "note": None,
        }
        for partner in catalogue.debt.partners
        for collector in catalogue.debt.collectors
        for sector in catalogue.debt.sectors
        for q in quarters
    ]
    return {
        "metrics": pd.DataFrame(metrics),
        "debt": pd.DataFrame(debt),
        "projects": projects(quarters, catalogue, rng),
    }


def projects(quarters: list[Quarter], catalogue: Catalogue, rng: random.Random) -> pd.DataFrame:
    """``PROJECTS_PER_QUARTER`` Business Plan projects in every quarter, spread over the
    themes, each changing status now and then and with a new update every quarter."""
    spec = catalogue.projects
    rows = []
    for i in range(PROJECTS_PER_QUARTER):
        theme = spec.themes[i % len(spec.themes)]
        name = f"Generated project {i + 1:03d}"
        status = rng.choice(spec.statuses)
        for q in quarters:
            if rng.random() < 0.1:
                status = rng.choice(spec.statuses)
            rows.append(
                {
                    "quarter": str(q),
                    "theme": theme,
                    "project": name,
                    "project_key": name_key(name),
                    "partner": None,
                    "status": status,
                    "benefits": None,
                    "description": f"A generated project of the {theme} theme.",
                    "update": f"Progress in {q}: step {rng.randint(1, 9)} of 9.",
                    "note": BY,
                    "position": i,
                }
            )
    return pd.DataFrame(rows).astype({"position": "int32"})


def correction(
    base: dict[str, pd.DataFrame], number: int, rng: random.Random
) -> dict[str, pd.DataFrame]:
    """A few figures (and every tenth time a debt movement) restated a few per cent off."""
    metrics = base["metrics"].sample(rng.randint(1, 5), random_state=rng.randrange(2**32))
    factor = [1 + rng.choice((-1, 1)) * rng.uniform(0.01, 0.05) for _ in range(len(metrics))]
    catalogue = load_catalogue()
    metrics = metrics.assign(
        value=[
            _bounded(catalogue[m], v * f)
            for m, v, f in zip(metrics["metric"], metrics["value"], factor, strict=True)
        ],
        note=f"Correction {number}",
    )
    frames = {"metrics": metrics}
    if number % 10 == 0:
        debt = base["debt"].sample(1, random_state=rng.randrange(2**32))
        frames["debt"] = debt.assign(
            movement_gbp=(debt["movement_gbp"] * 1.02).round(), note=f"Correction {number}"
        )
    return frames


def build_store(root: Path, shape: Shape, *, seed: int = 20240318) -> Store:
    """Build a store of the given shape in the empty (or missing) folder ``root``."""
    store = Store(root)
    if store.snapshots():
        raise ValueError(f"{root} already holds snapshots; build into an empty folder")
    rng = random.Random(f"{seed}:{shape}")
    catalogue = load_catalogue()
    base = history(quarters_ending(LAST_QUARTER, shape.quarters), catalogue, rng)

    def created(seq: int) -> str:
        moment = FIRST_CREATED + dt.timedelta(hours=seq)
        return moment.isoformat(timespec="seconds").replace("+00:00", "Z")

    store.commit(base, uploaded_by=BY, kind="upload", created=created(1))
    for seq in range(2, shape.snapshots + 1):
        snapshot = store.commit(
            correction(base, seq, rng), uploaded_by=BY, kind="upload", created=created(seq)
        )
        if seq % WITHDRAW_EVERY == 0:
            store.withdraw(snapshot.id, withdrawn_by=BY)
    return store
