"""The quarterly performance report: what it says from the bundled data, the words it chooses
for each direction of change, its provenance, and the Word, HTML and Markdown files (and the
CLI command) that carry it.

Drawing charts with vl-convert takes a few seconds, so the 2023/24 Q3 report is built once
and rendered once for the module.
"""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from docx import Document

from emss import cli, ingest, report, report_render
from emss.quarters import Quarter
from emss.queries import Database
from emss.store import Store
from tests.conftest import DEBT_HEADER, METRICS_HEADER, Q3, csv_bytes

Q4 = Quarter(2023, 4)
SECTIONS = [
    "1 Summary",
    "2 People",
    "3 Customer",
    "4 Employee Service Centre",
    "5 Finance Service Centre",
    "6 Debt collection",
    "7 Provenance",
]


@pytest.fixture(scope="module")
def q3(bundled_db: Database) -> report.Report:
    return report.build_report(bundled_db, Q3)


@pytest.fixture(scope="module")
def files(q3: report.Report) -> dict[str, bytes]:
    return report_render.render_all(q3)


def said(built: report.Report, metric: str, partner: str = "EMSS") -> str:
    """The sentence the report writes for one figure."""
    (found,) = [s.text for s in built.sentences if s.metric == metric and s.partner == partner]
    return found


def paragraph_texts(built: report.Report, section: str) -> list[str]:
    return [b.text for b in built.section(section).blocks if isinstance(b, report.Paragraph)]


def table(built: report.Report, title: str) -> report.Table:
    (found,) = [t for t in built.blocks(report.Table) if t.title.startswith(title)]
    return found


def rows(found: report.Table) -> list[tuple[str, ...]]:
    return [r.cells for r in found.rows]


@pytest.fixture
def q4_store(store: Store) -> Store:
    """The bundled store with a 2023/24 Q4 upload that moves figures both ways, and a
    correction of a Q3 figure (a revision)."""
    upload = csv_bytes(
        METRICS_HEADER,
        [
            "2023/24 Q4,EMSS,customer_satisfaction,80,",
            "2023/24 Q4,EMSS,people_absence_days_per_fte,2.5,",
            "2023/24 Q4,EMSS,esc_dbs_checks,3800,",
            "2023/24 Q4,EMSS,esc_payroll_payments,44000,",
            "2023/24 Q3,EMSS,esc_dbs_checks,3910,Recounted",
        ],
    )
    ingest.commit(store, ingest.validate([("q4.csv", upload)]), uploaded_by="Test editor")
    return store


# --- the bundled 2023/24 Q3 report ----------------------------------------------------------


def test_the_sections_follow_the_reports_order(q3):
    assert [s.heading for s in q3.sections] == SECTIONS
    assert q3.title == "EMSS quarterly performance report: 2023/24 Q3 (Oct–Dec 2023)"
    assert q3.file_stem == "emss-report-2023-24-q3"


def test_the_esc_sentences_state_the_reports_figures(q3):
    assert said(q3, "esc_payroll_payments") == (
        "The ESC processed 43,689 payroll payments in 2023/24 Q3, a rise of 460 (1.1%) "
        "from 43,229 in Q2 (illustrative comparison)."
    )
    assert said(q3, "esc_payroll_errors").startswith(
        "144 payroll errors were found after payday in 2023/24 Q3, up 9 (6.7%) from 135 in Q2, "
        "a deterioration"
    )
    # Both DBS figures are reported, so the sentence carries no mark.
    assert said(q3, "esc_dbs_checks") == (
        "3,904 DBS checks were completed in 2023/24 Q3, a rise of 257 (7.0%) from 3,647 in Q2."
    )
    assert said(q3, "esc_recruitment_adverts").startswith(
        "The recruitment team processed 585 adverts in 2023/24 Q3, a fall of 146 (20.0%) "
        "from 731 in Q2"
    )


def test_the_fsc_sentences_state_each_councils_figures(q3):
    assert said(q3, "fsc_invoices_paid_30d", "LCC").startswith(
        "95.7% of invoices for LCC were paid within 30 days in 2023/24 Q3"
    )
    assert said(q3, "fsc_invoices_paid_30d", "NCC").startswith(
        "95.3% of invoices for NCC were paid within 30 days in 2023/24 Q3"
    )
    # Fewer invoices on hold is better: LCC's fall improves, NCC's rise deteriorates.
    assert said(q3, "fsc_invoices_on_hold_90d", "LCC").startswith(
        "841 invoices for LCC had been on hold for more than 90 days at the end of 2023/24 Q3, "
        "down 62 (6.9%) from 903 in Q2, an improvement"
    )
    assert said(q3, "fsc_invoices_on_hold_90d", "NCC").startswith(
        "568 invoices for NCC had been on hold for more than 90 days at the end of 2023/24 Q3, "
        "up 17 (3.1%) from 551 in Q2, a deterioration"
    )


def test_people_and_customer_sentences_use_the_direction_of_good(q3):
    # A fall in absence is an improvement; a rise in satisfaction is one too.
    assert said(q3, "people_absence_days_per_fte") == (
        "Staff across EMSS were absent for an average of 2.22 days per FTE in 2023/24 Q3, "
        "down 0.47 days (17.5%) from 2.69 days in Q2, an improvement."
    )
    assert said(q3, "customer_satisfaction") == (
        "Customer satisfaction across all teams was 83.0% in 2023/24 Q3, "
        "up 11.0 percentage points from 72.0% in Q2, an improvement."
    )


def test_volumes_rise_and_fall_without_a_verdict(q3):
    volumes = [s.text for s in q3.sentences if s.metric in {"esc_dbs_checks", "fsc_payments"}]
    assert volumes and all("improvement" not in t and "deterioration" not in t for t in volumes)
    assert {s.status for s in q3.sentences if s.metric == "esc_dbs_checks"} == {"neutral"}


def test_debt_totals_and_their_direction(q3):
    texts = paragraph_texts(q3, "debt")
    assert texts[0].startswith(
        "Past-due debt open for collection for LCC rose by £1,498,159 in 2023/24 Q3, "
        "a deterioration."
    )
    assert texts[1].startswith(
        "Past-due debt open for collection for NCC fell by £5,671,250 in 2023/24 Q3, "
        "an improvement."
    )


def test_the_debt_table_has_collector_totals_partner_totals_and_notes(q3):
    ncc = rows(table(q3, "Debt open for collection, past due: movement in 2023/24 Q3, Nottingham"))
    assert ncc[0] == (
        "In house",
        "Business",
        "−£5,329,828",
        "£6.1m invoice 855130111 BEIS SICE credited 19.12.23",
    )
    assert ("In house total", "", "−£5,724,478", "") in ncc
    assert ("Thornton Hope total", "", "£53,228", "") in ncc
    assert ncc[-1] == ("Total movement", "", "−£5,671,250", "")
    lcc = rows(table(q3, "Debt open for collection, past due: movement in 2023/24 Q3, Leicester"))
    assert lcc[-1] == ("Total movement", "", "£1,498,159", "")


def test_the_uploaded_notes_are_the_commentary(q3):
    debt = [b for b in q3.section("debt").blocks if isinstance(b, report.Paragraph)]
    assert "£6.1m invoice 855130111 BEIS SICE credited 19.12.23" in debt[1].notes
    people = q3.section("people").blocks[0]
    assert people.notes == ("Continued to decrease (§5.1).",)


def test_satisfaction_by_team_for_the_last_two_quarters(q3):
    found = table(q3, "Customer satisfaction by team")
    assert found.columns == ("Quarter", "ESC", "FSC", "BD", "All teams")
    assert rows(found) == [
        ("2023/24 Q2", "68.0%", "73.0%", "76.0%", "72.0%"),
        ("2023/24 Q3", "82.0%", "80.0%", "88.0%", "83.0%"),
        ("Change", "+14.0 pp", "+7.0 pp", "+12.0 pp", "+11.0 pp"),
    ]


def test_fsc_figures_per_council_mark_the_illustrative_ones(q3):
    found = table(q3, "Finance Service Centre figures per council")
    assert found.columns == ("Measure", "LCC", "NCC", "EMSS")
    by_measure = {r[0]: r[1:] for r in rows(found)}
    assert by_measure["Invoices paid within 30 days"] == ("95.7%", "95.3%", "—")
    assert by_measure["Invoices on hold over 90 days (quarter end)"] == ("841", "568", "1,409")
    assert by_measure["Supplier payments made"] == ("13,622 *", "9,864 *", "23,486")
    assert found.notes[0].startswith("* Illustrative")


def test_a_chart_per_section_with_alt_text_written_from_the_data(q3):
    charts = {c.key: c for c in q3.charts}
    assert list(charts) == ["people", "customer", "esc", "fsc", "debt"]
    # Labels keep their capitals: FTE, EMSS.
    assert charts["people"].alt.startswith(
        "Line chart of Average days absence per FTE, all EMSS by quarter, "
        "2021/22 Q4 to 2023/24 Q3. EMSS fell from 4.09 days (2021/22 Q4) to 2.22 days "
        "(2023/24 Q3)."
    )
    assert "NCC: largest movement Business −£5,329,828" in charts["debt"].alt
    assert charts["fsc"].table.rows[-1].cells == ("2023/24 Q3", "95.7%", "95.3%")


def test_the_summary_names_the_largest_improvements_and_deteriorations(q3):
    improvements, deteriorations = q3.section("summary").blocks[3::2]
    assert improvements.items[0] == (
        "Service desk contacts about recruitment (ORC): 45, down 337 (88.2%) from 382 in Q2, "
        "an improvement."
    )
    assert any(i.startswith("Average days absence per FTE") for i in improvements.items)
    assert all("a deterioration" in i for i in deteriorations.items)
    assert "No targets are configured" in paragraph_texts(q3, "summary")[0]


def test_provenance_names_the_snapshots_the_last_update_and_the_illustrative(q3):
    snapshots = table(q3, "Source snapshots")
    assert [r[:2] for r in rows(snapshots)] == [
        ("00001-20240318-illustrative", "illustrative"),
        ("00002-20240318-report", "report"),
    ]
    texts = paragraph_texts(q3, "provenance")
    assert (
        "The figures for 2023/24 Q3 were last updated on 18 March 2024 "
        "(snapshot 00002-20240318-report, EMSS Joint Committee report, 18 March 2024)."
    ) in texts
    assert "No figure for 2023/24 Q3 or 2023/24 Q2 has been revised" in " ".join(texts)
    assert "9 are illustrative, marked (illustrative figure)" in " ".join(texts)


def test_the_outline_says_what_each_section_holds(q3):
    assert q3.outline()[2] == "3 Customer: 6 paragraphs, 1 table, 1 chart"
    assert q3.outline()[5] == "6 Debt collection: 2 paragraphs, 2 tables, 1 chart"


# --- other quarters, views and choices ------------------------------------------------------


def test_a_fall_in_satisfaction_and_a_rise_in_absence_are_deteriorations(q4_store):
    q4 = report.build_report(Database(q4_store), Q4)
    assert said(q4, "customer_satisfaction") == (
        "Customer satisfaction across all teams was 80.0% in 2023/24 Q4, "
        "down 3.0 percentage points from 83.0% in Q3, a deterioration."
    )
    assert said(q4, "people_absence_days_per_fte") == (
        "Staff across EMSS were absent for an average of 2.5 days per FTE in 2023/24 Q4, "
        "up 0.28 days (12.6%) from 2.22 days in Q3, a deterioration."
    )
    # A volume falls; it is compared with the corrected Q3 figure.
    assert said(q4, "esc_dbs_checks") == (
        "3,800 DBS checks were completed in 2023/24 Q4, a fall of 110 (2.8%) from 3,910 in Q3."
    )


def test_figures_not_held_are_not_invented(q4_store):
    q4 = report.build_report(Database(q4_store), Q4)
    assert {s.metric for s in q4.sentences if s.metric} == {
        "customer_satisfaction",
        "people_absence_days_per_fte",
        "esc_dbs_checks",
        "esc_payroll_payments",
    }
    assert paragraph_texts(q4, "fsc") == [
        "No Finance Service Centre figures are held for 2023/24 Q4 in this view."
    ]
    assert paragraph_texts(q4, "debt") == ["No debt movements are held for 2023/24 Q4."]


def test_a_quarter_holding_only_debt_movements_is_reported(store):
    upload = csv_bytes(DEBT_HEADER, ["2023/24 Q4,NCC,In house,Business,-2500,"])
    ingest.commit(store, ingest.validate([("debt.csv", upload)]), uploaded_by="Test editor")
    q4 = report.build_report(Database(store), Q4)
    assert "No figure in this view has improved since 2023/24 Q3." in paragraph_texts(q4, "summary")
    assert paragraph_texts(q4, "people") == [
        "No People figures are held for 2023/24 Q4 in this view."
    ]
    assert paragraph_texts(q4, "debt")[0] == (
        "Past-due debt open for collection for NCC fell by £2,500 in 2023/24 Q4, an improvement. "
        "The largest movement for NCC was −£2,500, in Business debt (In house)."
    )


def test_revisions_since_first_reported_are_listed(q4_store):
    q4 = report.build_report(Database(q4_store), Q4)
    bullets = [b for b in q4.section("provenance").blocks if isinstance(b, report.Bullets)]
    revision = bullets[0].items[0]
    assert revision.startswith(
        "DBS checks completed, EMSS, 2023/24 Q3: 3,904 in snapshot 00002-20240318-report"
    )
    assert "; then 3,910 in snapshot 00003-" in revision and "Test editor" in revision


def test_a_figure_without_a_comparison_is_stated_without_one(bundled_db):
    first = report.build_report(bundled_db, Quarter(2021, 1))
    assert said(first, "people_absence_days_per_fte") == (
        "Staff across EMSS were absent for an average of 3.9 days per FTE in 2021/22 Q1 "
        "(illustrative figure)."
    )
    stated = [s for s in first.sentences if s.metric]
    assert stated and all(" from " not in s.text and s.status is None for s in stated)
    assert "No figure in this view has improved since 2020/21 Q4." in paragraph_texts(
        first, "summary"
    )


def test_targets_give_a_rag_status_in_words(store):
    (store.root / "targets.toml").write_text(
        "[fsc_invoices_paid_30d]\ntarget = 95.5\namber = 95.0\n"
        "[people_absence_days_per_fte]\ntarget = 2.0\namber = 2.5\n",
        encoding="utf-8",
    )
    summary = table(report.build_report(Database(store), Q3), "Figures against targets")
    assert rows(summary) == [
        ("Invoices paid within 30 days", "LCC", "95.7%", "95.5%", "✓ On target"),
        ("Invoices paid within 30 days", "NCC", "95.3%", "95.5%", "! Near target"),
        ("Average days absence per FTE, all EMSS", "EMSS", "2.22 days", "2 days", "! Near target"),
    ]


def test_a_council_view_reports_that_council_only(bundled_db):
    lcc = report.build_report(bundled_db, Q3, ("LCC",))
    assert lcc.file_stem == "emss-report-2023-24-q3-lcc"
    assert lcc.introduction[0] == (
        "This report covers 2023/24 Q3 (Oct–Dec 2023) for Leicestershire County Council."
    )
    assert {s.partner for s in lcc.sentences if s.metric} == {"LCC", "EMSS"}
    debt = paragraph_texts(lcc, "debt")
    assert len(debt) == 1 and "for LCC rose by £1,498,159" in debt[0]


def test_a_year_ago_comparison_names_that_quarter(bundled_db):
    year_ago = report.build_report(bundled_db, Q3, comparison="year_ago")
    assert year_ago.file_stem == "emss-report-2023-24-q3-vs-2022-23-q3"
    assert year_ago.introduction[1] == (
        "Changes are against 2022/23 Q3, the same quarter a year earlier."
    )
    assert "in 2022/23 Q3" in said(year_ago, "customer_satisfaction")


@pytest.mark.parametrize(
    ("partners", "comparison", "message"),
    [
        ((), "previous", "Choose at least one partner for the report."),
        (("EMSS",), "later", 'Unknown comparison "later" (expected previous or year_ago).'),
    ],
)
def test_a_choice_that_cannot_be_reported_says_why(bundled_db, partners, comparison, message):
    with pytest.raises(report.ReportError, match=re.escape(message)):
        report.build_report(bundled_db, Q3, partners, comparison)


def test_a_quarter_without_figures_says_so(bundled_db, empty_store):
    with pytest.raises(report.NoDataError) as raised:
        report.build_report(bundled_db, Quarter(2024, 1))
    assert str(raised.value) == (
        "No figures are held for 2024/25 Q1: the latest quarter with figures is 2023/24 Q3."
    )
    with pytest.raises(report.NoDataError, match="the store is empty"):
        report.build_report(Database(empty_store), Q3)


def test_the_inputs_version_changes_with_new_targets_and_snapshots(q4_store):
    db = Database(q4_store)
    before = report.inputs_version(db)
    (q4_store.root / "targets.toml").write_text("[customer_satisfaction]\ntarget = 80\n")
    after_targets = report.inputs_version(db)
    assert after_targets != before
    q4_store.withdraw(q4_store.snapshots()[-1].id, withdrawn_by="Test editor")
    assert report.inputs_version(db) != after_targets


# --- the files ------------------------------------------------------------------------------


class _Page(HTMLParser):
    """The parts of an HTML report a test reads: headings, images, tables and their cells."""

    def __init__(self) -> None:
        super().__init__()
        self.headings: list[tuple[str, str]] = []
        self.images: list[dict[str, str | None]] = []
        self.captions: list[str] = []
        self.cells: list[str] = []
        self._open: str | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.images.append(dict(attrs))
        if tag in {"h1", "h2", "h3", "caption", "th", "td"}:
            self._open, self._text = tag, ""

    def handle_data(self, data):
        if self._open:
            self._text += data

    def handle_endtag(self, tag):
        if tag != self._open:
            return
        if tag == "caption":
            self.captions.append(self._text)
        elif tag in {"th", "td"}:
            self.cells.append(self._text)
        else:
            self.headings.append((tag, self._text))
        self._open = None


def test_the_word_file_opens_with_headings_tables_and_described_pictures(q3, files):
    document = Document(io.BytesIO(files["docx"]))
    styled = [(p.style.name, p.text) for p in document.paragraphs]
    assert ("Title", q3.title) in styled
    assert [t for s, t in styled if s == "Heading 1"] == SECTIONS
    assert ("Normal", "4.8 " + said(q3, "esc_dbs_checks")) in styled
    assert len(document.tables) == len(q3.blocks(report.Table)) + len(q3.charts)
    grids = [[[c.text for c in row.cells] for row in t.rows] for t in document.tables]
    satisfaction = next(g for g in grids if g[0] == ["Quarter", "ESC", "FSC", "BD", "All teams"])
    assert satisfaction[2] == ["2023/24 Q3", "82.0%", "80.0%", "88.0%", "83.0%"]
    assert ["Total movement", "", "−£5,671,250", ""] in [r for g in grids for r in g]
    pictures = [s._inline.docPr for s in document.inline_shapes]
    assert [p.get("descr") for p in pictures] == [c.alt for c in q3.charts]


def test_the_html_file_parses_with_alt_text_on_every_image(q3, files):
    page = _Page()
    text = files["html"].decode("utf-8")
    page.feed(text)
    assert page.headings[0] == ("h1", q3.title)
    assert [t for tag, t in page.headings if tag == "h2"] == SECTIONS
    assert len(page.images) == 5
    assert all(image.get("alt") for image in page.images)
    assert [i["alt"] for i in page.images] == [c.alt for c in q3.charts]
    assert "Customer satisfaction by team, 2023/24 Q2 and 2023/24 Q3" in page.captions
    assert {"−£5,671,250", "£1,498,159", "95.7%", "841", "83.0%"} <= set(page.cells)
    assert f'<p><span class="number">4.8</span>{said(q3, "esc_dbs_checks")}</p>' in text


def test_the_markdown_file_has_headings_tables_and_the_sentences(q3, files):
    text = files["md"].decode("utf-8")
    assert text.startswith(f"# {q3.title}\n")
    for heading in SECTIONS:
        assert f"\n## {heading}\n" in text
    assert "| 2023/24 Q3 | 82.0% | 80.0% | 88.0% | 83.0% |" in text
    assert "| **Total movement** |  | **−£5,671,250** |  |" in text
    assert "4.8 " + said(q3, "esc_dbs_checks") in text


def test_file_names_follow_the_report(q3):
    assert report_render.file_name(q3, "docx") == "emss-report-2023-24-q3.docx"
    assert report_render.file_name(q3, "md") == "emss-report-2023-24-q3.md"


# --- the command line -----------------------------------------------------------------------


def test_the_cli_writes_markdown_with_its_chart_images(store, tmp_path, capsys):
    out = tmp_path / "report.md"
    code = cli.main(["report", "--quarter", "2023/24 Q3", "--format", "md", "--output", str(out)])
    printed = capsys.readouterr().out
    assert code == 0
    assert printed.startswith(
        f"Wrote EMSS quarterly performance report: 2023/24 Q3 (Oct–Dec 2023) to {out}\n"
    )
    text = out.read_text(encoding="utf-8")
    assert "3,904 DBS checks were completed in 2023/24 Q3" in text
    links = [line for line in text.splitlines() if line.startswith("![")]
    assert len(links) == 5
    for key in ("people", "customer", "esc", "fsc", "debt"):
        assert (tmp_path / "report-charts" / f"{key}.png").read_bytes().startswith(b"\x89PNG")


def test_the_cli_writes_word_for_a_council(store, tmp_path, capsys):
    out = tmp_path / "lcc.docx"
    argv = ["report", "--quarter", "2023/24 Q3", "--partner", "lcc", "--format", "docx"]
    assert cli.main([*argv, "--output", str(out)]) == 0
    text = "\n".join(p.text for p in Document(str(out)).paragraphs)
    assert "95.7% of invoices for LCC" in text and "95.3%" not in text


@pytest.mark.parametrize(
    ("fixture", "message"),
    [
        ("store", "the latest quarter with figures is 2023/24 Q3"),
        ("empty_store", "the store is empty"),
    ],
)
def test_the_cli_refuses_a_quarter_without_figures(request, fixture, message, tmp_path, capsys):
    request.getfixturevalue(fixture)
    out = tmp_path / "r.html"
    code = cli.main(["report", "--quarter", "2024/25 Q1", "--format", "html", "--output", str(out)])
    assert code == 1
    assert capsys.readouterr().err == f"error: No figures are held for 2024/25 Q1: {message}.\n"
    assert not out.exists()


def test_the_cli_says_when_it_cannot_write(store, tmp_path: Path, capsys):
    out = tmp_path / "missing-folder" / "r.html"
    code = cli.main(["report", "--quarter", "2023/24 Q3", "--format", "html", "--output", str(out)])
    assert code == 1
    assert capsys.readouterr().err.startswith(f"error: cannot write {out}:")
