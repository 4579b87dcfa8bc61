"""The metric catalogue, loaded from catalogue.toml into frozen dataclasses."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

CATALOGUE_FILE = Path(__file__).with_name("catalogue.toml")

PARTNERS = ("LCC", "NCC", "External", "EMSS")
COUNCILS = ("LCC", "NCC")
PARTNER_NAMES = {
    "LCC": "Leicestershire County Council",
    "NCC": "Nottingham City Council",
    "External": "External customers",
    "EMSS": "EMSS as a whole",
}


@dataclass(frozen=True)
class Unit:
    name: str
    label: str
    minimum: float | None = None
    maximum: float | None = None
    whole: bool = False
    accepts_percent_sign: bool = False


@dataclass(frozen=True)
class Derivation:
    numerator: str
    denominator: str
    scale: float = 1.0


@dataclass(frozen=True)
class Metric:
    key: str
    area: str
    label: str
    unit: Unit
    better: str
    adds_up: bool
    partners: tuple[str, ...]
    description: str
    source: str
    standard: str | None = None
    derived: Derivation | None = None

    @property
    def is_emss_wide(self) -> bool:
        """True when the metric has only an organisation-wide figure."""
        return self.partners == ("EMSS",)

    @property
    def contributors(self) -> tuple[str, ...]:
        """The partners whose figures add up to the EMSS total."""
        return tuple(p for p in self.partners if p != "EMSS")


@dataclass(frozen=True)
class DebtSpec:
    partners: tuple[str, ...]
    sectors: tuple[str, ...]
    collectors: tuple[str, ...]
    description: str
    source: str


@dataclass(frozen=True)
class ProjectsSpec:
    """The vocabulary of Business Plan projects (``[projects]`` in catalogue.toml)."""

    themes: tuple[str, ...]
    theme_labels: dict[str, str]
    theme_aliases: dict[str, str]
    partners: tuple[str, ...]
    statuses: tuple[str, ...]
    status_aliases: dict[str, str]
    status_marks: dict[str, str]
    closing: dict[str, str]
    benefits: tuple[str, ...]
    not_stated: str
    update_max_chars: int
    description: str
    source: str


@dataclass(frozen=True)
class Catalogue:
    metrics: tuple[Metric, ...]
    areas: dict[str, str]
    debt: DebtSpec
    projects: ProjectsSpec
    _by_key: dict[str, Metric] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_key", {m.key: m for m in self.metrics})

    def __getitem__(self, key: str) -> Metric:
        return self._by_key[key]

    def __contains__(self, key: object) -> bool:
        return key in self._by_key

    @property
    def keys(self) -> list[str]:
        return list(self._by_key)

    def in_area(self, area: str) -> list[Metric]:
        return [m for m in self.metrics if m.area == area]

    @property
    def uploadable(self) -> list[Metric]:
        return [m for m in self.metrics if m.derived is None]

    @property
    def derived(self) -> list[Metric]:
        return [m for m in self.metrics if m.derived is not None]


def parse_catalogue(text: str) -> Catalogue:
    """Build a Catalogue from TOML text, checking its internal references."""
    raw = tomllib.loads(text)
    units = {name: Unit(name=name, **spec) for name, spec in raw["units"].items()}
    metrics = []
    for spec in raw["metric"]:
        spec = dict(spec)
        spec["unit"] = units[spec["unit"]]
        spec["partners"] = tuple(spec["partners"])
        if "derived" in spec:
            spec["derived"] = Derivation(**spec["derived"])
        metrics.append(Metric(**spec))
    debt = raw["debt"]
    catalogue = Catalogue(
        metrics=tuple(metrics),
        areas=dict(raw["areas"]),
        debt=DebtSpec(
            partners=tuple(debt["partners"]),
            sectors=tuple(debt["sectors"]),
            collectors=tuple(debt["collectors"]),
            description=debt["description"],
            source=debt["source"],
        ),
        projects=_projects(raw["projects"]),
    )
    for metric in catalogue.metrics:
        if metric.area not in catalogue.areas or metric.better not in (
            "higher",
            "lower",
            "neutral",
        ):
            raise ValueError(f"catalogue entry {metric.key} has a bad area or direction")
        if metric.derived and not {metric.derived.numerator, metric.derived.denominator} <= set(
            catalogue.keys
        ):
            raise ValueError(f"derived metric {metric.key} names an unknown part")
    return catalogue


def _projects(raw: dict) -> ProjectsSpec:
    """The [projects] table, checked: every alias, mark and closing status names a known one."""
    spec = ProjectsSpec(
        **{key: tuple(value) if isinstance(value, list) else value for key, value in raw.items()}
    )
    if not (
        set(spec.theme_labels) == set(spec.themes)
        and set(spec.theme_aliases.values()) <= set(spec.themes)
        and set(spec.status_aliases.values()) <= set(spec.statuses)
        and set(spec.status_marks) == {*spec.statuses, ""}
        and set(spec.closing) <= set(spec.statuses)
    ):
        raise ValueError("catalogue [projects] names a theme or status it does not list")
    return spec


@cache
def load_catalogue() -> Catalogue:
    """The catalogue shipped with the package."""
    return parse_catalogue(CATALOGUE_FILE.read_text(encoding="utf-8"))
