"""Targets for a red/amber/green status: configuration that EMSS sets, never invented data.

The report names standards (30-day terms, a 5-day set-up target, a 90-day benchmark) but no
target *values*, so none ship with the product. People set them in ``targets.toml`` in the
store folder::

    [fsc_invoices_paid_30d]
    target = 95.0   # on target at or beyond this
    amber = 93.0    # near target between this and the target; beyond it, off target
    set_by = "Head of EMSS, April 2024"
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from emss.catalogue import Catalogue, load_catalogue
from emss.errors import EmssError

TARGETS_FILE = "targets.toml"
RAG_LABELS = {
    "green": ("✓", "On target"),
    "amber": ("!", "Near target"),
    "red": ("✗", "Off target"),
}


class TargetsError(EmssError, ValueError):
    """A targets file that cannot be used, with where and why."""


@dataclass(frozen=True)
class Target:
    metric: str
    target: float
    amber: float
    better: str
    set_by: str | None = None

    def rag(self, value: float | None) -> str | None:
        """green, amber or red for a value; None when there is no value."""
        if value is None or value != value:
            return None
        sign = 1 if self.better == "higher" else -1
        if sign * (value - self.target) >= 0:
            return "green"
        return "amber" if sign * (value - self.amber) >= 0 else "red"


def rag_text(status: str | None) -> str:
    """The status in words with its symbol, so colour is never the only signal."""
    if status is None:
        return "No target"
    symbol, words = RAG_LABELS[status]
    return f"{symbol} {words}"


def load_targets(folder: Path, catalogue: Catalogue | None = None) -> dict[str, Target]:
    """The targets configured in ``folder/targets.toml`` (none if the file is absent)."""
    catalogue = catalogue or load_catalogue()
    path = Path(folder) / TARGETS_FILE
    if not path.exists():
        return {}
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise TargetsError(f"{path}: not valid TOML ({error})") from None
    targets = {}
    for key, spec in raw.items():
        if key not in catalogue:
            raise TargetsError(f"{path}, [{key}]: not a metric in the catalogue")
        metric = catalogue[key]
        if metric.better == "neutral":
            raise TargetsError(f"{path}, [{key}]: a volume has no direction of good, so no target")
        try:
            target = float(spec["target"])
            amber = float(spec.get("amber", target))
        except (KeyError, TypeError, ValueError):
            raise TargetsError(f"{path}, [{key}]: expected target = <number>") from None
        if (amber > target) == (metric.better == "higher") and amber != target:
            raise TargetsError(
                f"{path}, [{key}]: amber {amber:g} is on the good side of {target:g}"
            )
        targets[key] = Target(key, target, amber, metric.better, spec.get("set_by"))
    return targets
