"""The catalogue, loaded from catalogue.toml into frozen dataclasses: the metrics, their
units and areas, the partners and the views of them, and the debt movements dataset.

Every fact about partners, units and the debt dataset lives in the TOML; the module-level
names below (``PARTNERS``, ``VIEWS``, ``DEBT`` ...) are read from it once, for code that
needs them at import time.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from emss.errors import EmssError

CATALOGUE_FILE = Path(__file__).with_name("catalogue.toml")
DIRECTIONS = ("higher", "lower", "neutral")
# A reference to the report's paragraphs inside an uploaded note, "(§8.3)" or "(report §7.5)":
# shown as the figure's source, not as commentary.
SOURCE_REFERENCE = re.compile(r"\s*\((?:report )?(§[^)]*)\)")


class CatalogueError(EmssError, ValueError):
    """A catalogue whose entries contradict each other."""


@dataclass(frozen=True)
class Unit:
    name: str
    label: str
    places: int = 0
    prefix: str = ""
    suffix: str = ""
    abbreviate: bool = False
    points: bool = False
    minimum: float | None = None
    maximum: float | None = None
    whole: bool = False
    accepts_percent_sign: bool = False
    axis: str = ""  # a chart's axis title for the unit (short, so the plot keeps its size)
    axis_divisor: float = 1.0  # axis labels show value / divisor (pounds as £m)
    axis_suffix: str = ""  # written after an axis label's number


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
    headline: bool = False  # one of the figures the Overview shows in every partner view

    @property
    def is_emss_wide(self) -> bool:
        """True when the metric has only an organisation-wide figure."""
        return self.partners == ("EMSS",)

    @property
    def contributors(self) -> tuple[str, ...]:
        """The partners whose figures add up to the EMSS total."""
        return tuple(p for p in self.partners if p != "EMSS")


@dataclass(frozen=True)
class Partner:
    code: str
    name: str
    phrase: str
    colour: str
    council: bool = False
    whole: bool = False


@dataclass(frozen=True)
class View:
    code: str
    label: str
    partners: tuple[str, ...]


@dataclass(frozen=True)
class DebtSpec:
    partners: tuple[str, ...]
    sectors: tuple[str, ...]
    collectors: tuple[str, ...]
    description: str
    source: str
    columns: tuple[str, ...] = ()
    unit: str = ""
    better: str = "lower"

    @property
    def required(self) -> tuple[str, ...]:
        """The columns an upload must have (every one but the optional note)."""
        return tuple(c for c in self.columns if c != "note")

    @property
    def identity(self) -> tuple[str, ...]:
        """The columns that say which movement a row is (all required ones but the amount)."""
        return self.required[:-1]


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
    units: dict[str, Unit] = field(default_factory=dict)
    partners: dict[str, Partner] = field(default_factory=dict)
    views: dict[str, View] = field(default_factory=dict)
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

    def area_title(self, area: str) -> str:
        """A page's title for an area: "Employee Service Centre (ESC)", "People"."""
        name = self.areas[area]
        return name if name == area else f"{name} ({area})"


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
            columns=tuple(debt["columns"]),
            unit=debt["unit"],
            better=debt["better"],
        ),
        projects=_projects(raw["projects"]),
        units=units,
        partners={code: Partner(code=code, **spec) for code, spec in raw["partners"].items()},
        views={
            code: View(code=code, label=spec["label"], partners=tuple(spec["partners"]))
            for code, spec in raw["views"].items()
        },
    )
    for metric in catalogue.metrics:
        if metric.area not in catalogue.areas or metric.better not in DIRECTIONS:
            raise CatalogueError(f"catalogue entry {metric.key} has a bad area or direction")
        if metric.derived and not {metric.derived.numerator, metric.derived.denominator} <= set(
            catalogue.keys
        ):
            raise CatalogueError(f"derived metric {metric.key} names an unknown part")
    named = {p for m in catalogue.metrics for p in m.partners}
    named |= {p for v in catalogue.views.values() for p in v.partners} | set(debt["partners"])
    if not named <= set(catalogue.partners) or catalogue.debt.unit not in units:
        raise CatalogueError("the catalogue names a partner or unit it does not define")
    if [p.code for p in catalogue.partners.values() if p.whole] != [list(catalogue.partners)[-1]]:
        raise CatalogueError("exactly one partner, the last, must be EMSS as a whole")
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


_CATALOGUE = load_catalogue()
PARTNERS = tuple(_CATALOGUE.partners)  # in the order tables and charts show them
WHOLE = PARTNERS[-1]  # the partner that is EMSS as a whole
COUNCILS = tuple(p.code for p in _CATALOGUE.partners.values() if p.council)
PARTNER_NAMES = {p.code: p.name for p in _CATALOGUE.partners.values()}
PARTNER_PHRASES = {p.code: p.phrase for p in _CATALOGUE.partners.values()}
PARTNER_COLOURS = {p.code: p.colour for p in _CATALOGUE.partners.values()}
VIEWS = _CATALOGUE.views
DEBT = _CATALOGUE.debt
