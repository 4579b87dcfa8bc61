"""The Definitions page as a glossary: every metric readable whole, area by area — what it
means, its key, unit, which way is better, who reports it, how the EMSS total is made, what it
is derived from, its standard and source, and, for a figure computed from source-system
exports, its definition in words. Pure: no Streamlit."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from emss.catalogue import PARTNER_NAMES, Catalogue, Metric
from emss.tables import BETTER_WORDS


@dataclass(frozen=True)
class Entry:
    key: str
    label: str
    description: str
    facts: list[tuple[str, str]]  # (what, said), in reading order
    computed: str | None  # the definition in words when computed from exports

    def matches(self, words: str) -> bool:
        """Whether every word of ``words`` is in the label, key, description or definition."""
        text = " ".join([self.label, self.key, self.description, self.computed or ""]).casefold()
        return all(word in text for word in words.casefold().split())


@dataclass(frozen=True)
class Section:
    area: str
    title: str
    entries: list[Entry]


def _entry(metric: Metric, catalogue: Catalogue, computed: Mapping[str, str]) -> Entry:
    facts = [
        ("Key (an upload's metric column)", f"`{metric.key}`"),
        ("Unit", metric.unit.label),
        ("Direction of good", BETTER_WORDS[metric.better]),
        ("Reported for", ", ".join(PARTNER_NAMES.get(p, p) for p in metric.partners)),
    ]
    if metric.adds_up and metric.contributors:
        *others, last = metric.contributors
        summed = f"{', '.join(others)} and {last}" if others else last
        facts.append(("EMSS total", f"the sum of {summed}"))
    if metric.derived:
        d = metric.derived
        facts.append(
            (
                "Derived from",
                f"{d.scale:g} × {catalogue[d.numerator].label} ÷ {catalogue[d.denominator].label}",
            )
        )
    if metric.standard:
        facts.append(("Standard", metric.standard))
    facts.append(("Source", f"report {metric.source}"))
    return Entry(metric.key, metric.label, metric.description, facts, computed.get(metric.key))


def sections(catalogue: Catalogue, computed: Mapping[str, str], words: str = "") -> list[Section]:
    """The glossary area by area in the catalogue's order, with the entries matching
    ``words`` (every entry when it is blank); areas with no match are left out.
    ``computed``: metric key → definition in words (``emss.sources.stored.definitions``)."""
    out = []
    for area in catalogue.areas:
        entries = [_entry(m, catalogue, computed) for m in catalogue.in_area(area)]
        entries = [e for e in entries if e.matches(words)]
        if entries:
            out.append(Section(area, catalogue.area_title(area), entries))
    return out
