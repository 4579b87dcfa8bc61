"""Debt collection: one implementation (emss.debt) behind the Debt page, the report's debt
section and ``python -m emss debt``."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from emss import cli, debt, report, tables
from emss.catalogue import DEBT
from emss.quarters import Quarter
from emss.queries import Database
from emss.store import Store
from tests.conftest import shown_tiles

Q3 = Quarter(2023, 3)
APP = str(Path(__file__).resolve().parents[1] / "app.py")
TOTALS = {"LCC": 1_498_159.0, "NCC": -5_671_250.0}  # 2023/24 Q3, as the report gives them


def movements(*rows: tuple) -> pd.DataFrame:
    return pd.DataFrame(
        rows, columns=["partner", "collector", "sector", "movement_gbp", "note", "illustrative"]
    )


def test_the_page_the_report_and_the_cli_agree_on_the_councils_totals(store: Store, capsys):
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("pages/5_Debt_collection.py").run()
    tiles = {t["label"].split(":")[0]: t["value"] for t in shown_tiles(at)}
    assert tiles == {"LCC": "+£1,498,159", "NCC": "−£5,671,250"}

    built = report.build_report(Database(store), Q3)
    totals = [
        r.cells[2]
        for t in built.section("debt").blocks
        if isinstance(t, report.Table)
        for r in t.rows
        if r.cells[0] == "Total movement"
    ]
    assert totals == ["£1,498,159", "−£5,671,250"]

    assert cli.main(["debt", "--quarter", str(Q3), "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["partner"]: r["movement_gbp"] for r in rows if r["sector"] == "Total"} == TOTALS


def test_totals_per_partner_and_per_collector(bundled_db: Database):
    moved = bundled_db.debt_movements(Q3)
    assert (
        dict(zip(*debt.totals(moved)[["partner", "movement_gbp"]].T.values, strict=True)) == TOTALS
    )
    by_collector = debt.totals(moved, by=("partner", "collector")).set_index(
        ["partner", "collector"]
    )["movement_gbp"]
    assert by_collector[("NCC", "Thornton Hope")] == 53_228
    assert by_collector[("NCC", "In house")] == -5_724_478


def test_subtotalled_puts_each_total_after_its_rows():
    table = debt.subtotalled(
        movements(
            ("LCC", "In house", "NHS", 100.0, None, False),
            ("LCC", "In house", "Other", -30.0, "a note", True),
            ("LCC", "Agency", "NHS", 5.0, None, False),
        )
    )
    assert list(zip(table["level"], table["collector"], table["movement_gbp"], strict=True)) == [
        ("movement", "In house", 100.0),
        ("movement", "In house", -30.0),
        ("collector", "In house", 70.0),
        ("movement", "Agency", 5.0),
        ("collector", "Agency", 5.0),
        ("partner", "", 75.0),
    ]
    assert list(table["note"]) == ["", "a note", "", "", "", ""]
    assert list(table["illustrative"]) == [False, True, True, False, False, True]


def test_the_pages_table_names_totals_and_directions():
    table = tables.debt_table(movements(("NCC", "In house", "NHS", -2.0, None, False)))
    assert list(table["Sector"]) == ["NHS", "Total, In house", "Total, NCC"]
    assert list(table["Collector"]) == ["In house", "In house", "All collectors"]
    assert list(table["Movement"]) == ["−£2", "−£2", "−£2"]
    assert set(table["Direction"]) == {"▼ Debt fell"}


@pytest.mark.parametrize(
    ("partners", "councils"),
    [
        (("EMSS",), DEBT.partners),
        (("LCC", "NCC", "External", "EMSS"), DEBT.partners),
        (("NCC",), ("NCC",)),
        (("LCC", "External"), ("LCC",)),
        (("External",), ()),
    ],
)
def test_the_councils_a_choice_covers(partners, councils):
    assert debt.partners_in_view(partners) == councils


@pytest.mark.parametrize(
    ("movement", "words", "status"),
    [
        (1.0, "▲ Debt grew", "worsened"),
        (-1.0, "▼ Debt fell", "improved"),
        (0.0, "No change", "no change"),
    ],
)
def test_direction_and_status_follow_the_catalogues_direction_of_good(movement, words, status):
    assert debt.direction(movement) == words
    assert debt.status(movement) == status
