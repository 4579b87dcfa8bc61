"""`sources.toml`: how the councils' system values map onto the dashboard.

The store folder's ``sources.toml`` is used when there is one, else the defaults shipped
next to this module. Sections that a kind of export does not use are kept as read, for the
kinds that do.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from emss.catalogue import COUNCILS, DEBT
from emss.errors import EmssError

DEFAULT_FILE = Path(__file__).with_name("sources.toml")
FILE_NAME = "sources.toml"
TEAMS = ("esc", "fsc", "bd")  # the service desk teams a Group may map to


class SourcesConfigError(EmssError, ValueError):
    """A sources.toml that cannot be used; the message names the file and the entry."""


@dataclass(frozen=True)
class SourcesConfig:
    """The mapping, as read. ``business_units`` maps an Oracle business unit to a partner."""

    path: Path
    business_units: dict[str, str]
    trade_types: tuple[str, ...]
    sections: dict = field(default_factory=dict)
    teams: dict[str, str] = field(default_factory=dict)  # service desk Group -> team
    positive: tuple[str, ...] = ()  # survey answers counted as satisfied
    sectors: dict[str, str] = field(default_factory=dict)  # Customer Class -> debt sector
    in_house_collectors: tuple[str, ...] = ()  # shown as "In house"

    def partner(self, business_unit: str) -> str | None:
        return self.business_units.get(business_unit)

    def mapping(self, name: str) -> dict[str, str]:
        """A mapping an export kind checks its values against, by name (``ExportKind.mapped``)."""
        return {"teams": self.teams}[name]


def parse_config(text: str, path: Path) -> SourcesConfig:
    """Read a sources.toml's text; raise SourcesConfigError naming what is wrong."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise SourcesConfigError(f"{path}: is not valid TOML ({error})") from None
    units = raw.get("business_units")
    if not isinstance(units, dict) or not units:
        raise SourcesConfigError(
            f'{path}: [business_units] is missing (expected e.g. "LCC BU" = "LCC")'
        )
    for unit, partner in units.items():
        if partner not in COUNCILS:
            raise SourcesConfigError(
                f'{path}: business unit "{unit}" maps to "{partner}" '
                f"(expected one of {', '.join(COUNCILS)})"
            )
    trade = raw.get("suppliers", {}).get("trade_types")
    if not isinstance(trade, list) or not all(isinstance(t, str) for t in trade):
        raise SourcesConfigError(
            f'{path}: [suppliers] trade_types is missing (expected a list such as ["Trade"])'
        )
    desk = raw.get("service_desk", {})
    receivables = raw.get("receivables", {})
    teams = _table(desk, "teams", "[service_desk] teams", path)
    for group, team in teams.items():
        if team not in TEAMS:
            raise SourcesConfigError(
                f'{path}: [service_desk] group "{group}" maps to "{team}" '
                f"(expected one of {', '.join(TEAMS)})"
            )
    sectors = _table(receivables, "sectors", "[receivables] sectors", path)
    for customer_class, sector in sectors.items():
        if sector not in DEBT.sectors:
            raise SourcesConfigError(
                f'{path}: [receivables] customer class "{customer_class}" maps to "{sector}" '
                f"(expected one of {', '.join(DEBT.sectors)})"
            )
    return SourcesConfig(
        path,
        dict(units),
        tuple(trade),
        raw,
        teams,
        _strings(desk, "positive", "[service_desk] positive", path),
        sectors,
        _strings(receivables, "in_house_collectors", "[receivables] in_house_collectors", path),
    )


def _table(section: dict, key: str, name: str, path: Path) -> dict[str, str]:
    value = section.get(key, {})
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise SourcesConfigError(f'{path}: {name} is not a table of names (expected "A" = "b")')
    return dict(value)


def _strings(section: dict, key: str, name: str, path: Path) -> tuple[str, ...]:
    value = section.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SourcesConfigError(f'{path}: {name} is not a list of names (expected ["A", "B"])')
    return tuple(value)


def load_config(store_root: Path | str | None = None) -> SourcesConfig:
    """The store folder's sources.toml, else the shipped defaults."""
    path = Path(store_root) / FILE_NAME if store_root is not None else DEFAULT_FILE
    if not path.is_file():
        path = DEFAULT_FILE
    return parse_config(path.read_text(encoding="utf-8"), path)
