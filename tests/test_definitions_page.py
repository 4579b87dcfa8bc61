"""The Definitions page reads as a glossary: every metric whole, its facts in words, each
computed figure's definition, and a search that narrows the list."""

from __future__ import annotations

from emss import glossary
from emss.catalogue import load_catalogue
from emss.store import Store
from tests.test_pages import open_page, texts

PAGE = "pages/7_Definitions.py"


def test_every_metric_is_listed_whole_with_its_facts_in_words(store: Store) -> None:
    at = open_page(PAGE)
    catalogue = load_catalogue()
    headings = [m.value for m in at.markdown if m.value.startswith("### ")]
    assert headings == [
        f"### {m.label}" for area in catalogue.areas for m in catalogue.in_area(area)
    ]
    text = texts(at)
    for metric in catalogue.metrics:
        assert metric.description in text  # whole, never cut
        assert f"`{metric.key}`" in text
    assert not at.dataframe, "no wide table to scroll sideways"
    assert "**Direction of good:** Lower is better" in text
    assert [s.value for s in at.header][-2:] == ["Debt movements", "Business Plan projects"]


def test_each_computed_figure_says_how_it_is_computed(store: Store) -> None:
    text = texts(open_page(PAGE))
    assert (
        "**Computed from the source-system exports:** Invoices whose Creation Date falls in "
        "the quarter, cancelled ones left out. (definitions fsc-2024.1)"
    ) in text
    assert (
        "**Computed from the source-system exports:** Tickets created in the quarter whose "
    ) in text
    # the eight FSC figures from Payables, the six customer figures from the service desk
    assert text.count("**Computed from the source-system exports:**") == 14


def test_finding_a_figure_narrows_the_glossary(store: Store) -> None:
    at = open_page(PAGE)
    at.text_input(key="definitions_find").input("trade 30 days").run()
    headings = [m.value for m in at.markdown if m.value.startswith("### ")]
    assert headings == ["### Trade suppliers paid within 30 days of a valid invoice"]
    at.text_input(key="definitions_find").input("zebra").run()
    assert 'No figure\'s name, key or description has "zebra" in it.' in texts(at)


def test_a_derived_figure_names_what_it_is_derived_from_by_label() -> None:
    catalogue = load_catalogue()
    derived = next(m for m in catalogue.metrics if m.derived)
    (entry,) = [
        e for s in glossary.sections(catalogue, {}) for e in s.entries if e.key == derived.key
    ]
    said = dict(entry.facts)["Derived from"]
    assert catalogue[derived.derived.numerator].label in said
    assert catalogue[derived.derived.denominator].label in said
