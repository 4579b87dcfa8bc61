"""CSV the product writes: formulas neutralised, numbers left as numbers; upload templates."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest

from emss import ingest
from emss.catalogue import load_catalogue
from emss.export import neutralise, template, to_csv
from emss.quarters import Quarter
from tests.conftest import REPORT_DAY


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.parametrize(
    ("cell", "safe"),
    [
        ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
        ("=cmd", "'=cmd"),
        ("+1+1", "'+1+1"),
        ("-£5,329,828 credited", "'-£5,329,828 credited"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Fallen; LCC exercise", "Fallen; LCC exercise"),
        ("", ""),
        (5, 5),
        (-5.5, -5.5),
        (None, None),
    ],
)
def test_a_cell_a_spreadsheet_would_run_is_prefixed(cell, safe):
    assert neutralise(cell) == safe


def test_to_csv_neutralises_text_and_leaves_numbers():
    frame = pd.DataFrame(
        {
            "metric": ["esc_dbs_checks", '=HYPERLINK("http://x")'],
            "value": [3904.0, -5_671_250.0],
            "count": [257, -57],
            "note": ["-5 fewer", None],
            "mixed": ["@evil", 3],
            "illustrative": [False, True],
        }
    )
    text = to_csv(frame)
    assert rows(text) == [
        ["metric", "value", "count", "note", "mixed", "illustrative"],
        ["esc_dbs_checks", "3904.0", "257", "'-5 fewer", "'@evil", "False"],
        ['\'=HYPERLINK("http://x")', "-5671250.0", "-57", "", "3", "True"],
    ]
    assert "\r" not in text
    assert frame.loc[1, "metric"].startswith("=")  # the caller's frame is untouched


def test_a_debt_export_keeps_negative_movements_as_numbers(bundled_db):
    moves = bundled_db.debt_movements(Quarter(2023, 3))
    parsed = pd.read_csv(io.StringIO(to_csv(moves)))
    assert parsed["movement_gbp"].sum() == 1_498_159 - 5_671_250
    assert parsed["note"].dropna().str.startswith("'").sum() == 0


def test_the_metrics_template_lists_every_uploadable_key_with_empty_values():
    cat = load_catalogue()
    table = rows(template(Quarter(2024, 1)))
    assert table[0] == ["quarter", "partner", "metric", "value", "note"]
    body = table[1:]
    assert len(body) == sum(len(m.partners) for m in cat.uploadable)
    assert {r[0] for r in body} == {"2024/25 Q1"}
    assert {r[3] for r in body} == {""}
    assert ["2024/25 Q1", "LCC", "esc_dbs_checks", "", ""] in body
    assert ["2024/25 Q1", "EMSS", "customer_satisfaction", "", ""] in body
    assert "esc_payroll_error_rate" not in {r[2] for r in body}


def test_the_debt_template_has_every_partner_collector_and_sector():
    table = rows(template(Quarter(2024, 1), kind="debt"))
    assert table[0] == ["quarter", "partner", "collector", "sector", "movement_gbp", "note"]
    assert len(table) - 1 == 2 * 2 * 6
    assert ["2024/25 Q1", "NCC", "Thornton Hope", "Individuals", "", ""] in table


@pytest.mark.parametrize("kind", ["metrics", "debt"])
def test_a_filled_template_is_a_valid_upload(kind):
    quarter = Quarter(2023, 4)
    table = rows(template(quarter, kind=kind))
    value_at = table[0].index("value" if kind == "metrics" else "movement_gbp")
    for row in table[1:]:
        row[value_at] = "12"
    out = io.StringIO()
    csv.writer(out).writerows(table)
    result = ingest.validate([("filled.csv", out.getvalue().encode())], today=REPORT_DAY)
    assert result.ok, [str(p) for p in result.problems][:3]
    assert len(result.metrics) + len(result.debt) == len(table) - 1
    empty = ingest.validate([("t.csv", template(quarter, kind).encode())], today=REPORT_DAY)
    assert empty.ok and len(empty.metrics) + len(empty.debt) == 0
