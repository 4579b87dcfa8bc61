"""Figures' notes: an empty note shows nothing, a reference to the report's paragraphs is the
figure's source, not commentary, and no internal file name reaches a reader."""

from __future__ import annotations

import math

import pytest

from emss import ingest
from emss.bundled import ILLUSTRATIVE_BY, ILLUSTRATIVE_NOTE
from emss.store import Store
from emss.tables import note_parts
from tests.conftest import METRICS_HEADER, csv_bytes, show_in_full
from tests.test_pages import open_page, texts


@pytest.mark.parametrize(
    ("note", "parts"),
    [
        (None, (None, None)),
        (math.nan, (None, None)),
        ("", (None, None)),
        ("  ", (None, None)),
        ("(§8.3)", (None, "§8.3")),
        (
            "Payments processed for NCC, LCC and external customers (report §7.5).",
            ("Payments processed for NCC, LCC and external customers.", "§7.5"),
        ),
        (
            "Fallen; LCC is looking at aged invoices (§8.5–8.6).",
            ("Fallen; LCC is looking at aged invoices.", "§8.5–8.6"),
        ),
        ("Recounted after an audit", ("Recounted after an audit", None)),
    ],
)
def test_a_note_is_split_into_commentary_and_source(note, parts):
    assert note_parts(note) == parts


def test_a_section_reference_is_a_source_not_a_note(store: Store) -> None:
    at = open_page("pages/2_FSC.py", view="Councils")
    said = texts(show_in_full(at, "FSC", "fsc_invoices_paid_30d"))
    assert "Note, LCC: (§8.3)" not in said  # these notes held only the reference
    assert "Source: report §8.3." in said
    said = texts(show_in_full(at, "FSC", "fsc_trade_paid_30d"))
    assert "Note, LCC: Paid to terms from the date the invoice was received." in said
    assert "Source: report §8.3." in said


def test_a_figure_uploaded_without_a_note_shows_none(store: Store) -> None:
    upload = csv_bytes(METRICS_HEADER, ["2023/24 Q4,EMSS,esc_payroll_errors,150,"])
    ingest.commit(store, ingest.validate([("q4.csv", upload)]), uploaded_by="Test editor")
    said = texts(open_page("pages/1_ESC.py"))
    assert "nan" not in said.lower().split()
    assert "Note, EMSS:" not in said  # no figure of Q4 has a note, summed or derived ones neither


def test_no_internal_file_name_reaches_a_reader(store: Store) -> None:
    assert "build.py" not in ILLUSTRATIVE_NOTE and "build.py" not in ILLUSTRATIVE_BY
    assert "build.py" not in texts(open_page("pages/1_ESC.py", view="LCC"))
