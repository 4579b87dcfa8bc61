"""`sources.toml`: how the councils' system values map onto the dashboard.

The store folder's ``sources.toml`` is used when there is one, else the defaults shipped
next to this module. Sections that a kind of export does not use are kept as read, for the
kinds that do.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from emss.catalogue import COUNCILS
from emss.errors import EmssError

DEFAULT_FILE = Path(__file__).with_name("sources.toml")
FILE_NAME = "sources.toml"


class SourcesConfigError(EmssError, ValueError):
    """A sources.toml that cannot be used; the message names the file and the entry."""


@dataclass(frozen=True)
class SourcesConfig:
    """The mapping, as read. ``business_units`` maps an Oracle business unit to a partner."""

    path: Path
    business_units: dict[str, str]
    trade_types: tuple[str, ...]
    sections: dict = field(default_factory=dict)

    def partner(self, business_unit: str) -> str | None:
        return self.business_units.get(business_unit)


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
    return SourcesConfig(path, dict(units), tuple(trade), raw)


def load_config(store_root: Path | str | None = None) -> SourcesConfig:
    """The store folder's sources.toml, else the shipped defaults."""
    path = Path(store_root) / FILE_NAME if store_root is not None else DEFAULT_FILE
    if not path.is_file():
        path = DEFAULT_FILE
    return parse_config(path.read_text(encoding="utf-8"), path)
