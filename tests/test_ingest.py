"""Uploads exactly as the contract describes them: quirks accepted, problems reported, preview."""

from __future__ import annotations

import hashlib
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emss import ingest, ingest_preview
from emss.queries import Database
from tests.conftest import DEBT_HEADER, METRICS_HEADER, REPORT_DAY, csv_bytes, records


def check(files, **kwargs) -> ingest.Validation:
    return ingest.validate(files, today=REPORT_DAY, **kwargs)


def problems(files, **kwargs) -> list[str]:
    result = check(files, **kwargs)
    assert not result.ok
    return [str(p) for p in result.problems]


def only_row(result: ingest.Validation, dataset: str = "metrics") -> dict:
    assert result.ok, [str(p) for p in result.problems]
    rows = records(getattr(result, dataset))
    assert len(rows) == 1, rows
    return rows[0]


# --- files as they really arrive ----------------------------------------------------------


def test_a_clean_file_is_read_into_figures(metrics_csv):
    result = check(
        [
            (
                "q3.csv",
                metrics_csv(
                    "2023/24 Q3,EMSS,esc_payroll_payments,43689,",
                    "2023/24 Q3,LCC,fsc_invoices_paid_30d,95.7,",
                    "2023/24 Q3,NCC,fsc_invoices_on_hold_90d,568,Up slightly; clearing project",
                ),
            )
        ]
    )
    assert result.ok
    assert records(result.metrics) == [
        {
            "quarter": "2023/24 Q3",
            "partner": "EMSS",
            "metric": "esc_payroll_payments",
            "value": 43689.0,
            "note": None,
        },
        {
            "quarter": "2023/24 Q3",
            "partner": "LCC",
            "metric": "fsc_invoices_paid_30d",
            "value": 95.7,
            "note": None,
        },
        {
            "quarter": "2023/24 Q3",
            "partner": "NCC",
            "metric": "fsc_invoices_on_hold_90d",
            "value": 568.0,
            "note": "Up slightly; clearing project",
        },
    ]
    assert result.summary() == "1 file OK: 3 figures and 0 debt movements for 2023/24 Q3"
    assert [str(q) for q in result.quarters] == ["2023/24 Q3"]


def test_a_byte_order_mark_is_ignored(metrics_csv):
    data = b"\xef\xbb\xbf" + metrics_csv("2023/24 Q3,EMSS,esc_dbs_checks,3904,")
    assert only_row(check([("bom.csv", data)]))["value"] == 3904


def test_windows_1252_pound_signs_are_read():
    metrics = METRICS_HEADER + "\r\n2023/24 Q3,EMSS,fsc_payments_value,£124000000,£124m\r\n"
    debt = DEBT_HEADER + '\r\n2023/24 Q3,NCC,In house,Business,"-£5,329,828",£6.1m invoice\r\n'
    result = check([("m.csv", metrics.encode("cp1252")), ("d.csv", debt.encode("cp1252"))])
    assert b"\xa3" in metrics.encode("cp1252")
    assert result.ok, [str(p) for p in result.problems]
    assert result.metrics.loc[0, ["value", "note"]].tolist() == [124_000_000, "£124m"]
    assert result.debt.loc[0, ["movement_gbp", "note"]].tolist() == [-5_329_828, "£6.1m invoice"]


def test_crlf_line_ends_and_blank_trailing_rows(metrics_csv):
    data = metrics_csv("2023/24 Q3,EMSS,esc_dbs_checks,3904,", "", ",,,,", "   ", "", eol="\r\n")
    assert only_row(check([("crlf.csv", data)]))["note"] is None


def test_quoted_fields_keep_their_commas_and_quotes(metrics_csv):
    data = metrics_csv(
        '"2023/24 Q3","EMSS","esc_payroll_payments","43,689",'
        '"Payments for NCC, LCC and ""external"" customers"'
    )
    row = only_row(check([("q.csv", data)]))
    assert row["value"] == 43689
    assert row["note"] == 'Payments for NCC, LCC and "external" customers'


@pytest.mark.parametrize(
    ("metric", "text", "value"),
    [
        ("esc_payroll_payments", '"43,689"', 43689),
        ("esc_payroll_payments", "  43689  ", 43689),
        ("fsc_payments_value", "£124000000", 124_000_000),
        ("fsc_payments_value", '"£1,234.50"', 1234.5),
        ("fsc_invoices_paid_30d", "95.7%", 95.7),
        ("fsc_invoices_paid_30d", " 95.7 % ", 95.7),
        ("fsc_invoices_paid_30d", "100", 100),
        ("fsc_invoices_paid_30d", "0%", 0),
        ("fsc_days_to_pay", ".5", 0.5),
    ],
)
def test_numbers_as_excel_and_people_write_them(metrics_csv, metric, text, value):
    partner = "EMSS" if metric != "fsc_invoices_paid_30d" else "LCC"
    data = metrics_csv(f"2023/24 Q3,{partner},{metric},{text},")
    assert only_row(check([("n.csv", data)]))["value"] == pytest.approx(value)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ('"-1,234"', -1234),
        ('"(1,234)"', -1234),
        ('"-£5,329,828"', -5_329_828),
        ('"£-1,234"', -1234),
        ('"(£1,234)"', -1234),
        ("−250", -250),
        ("£0", 0),
        ('"£564,204"', 564_204),
    ],
)
def test_debt_movements_take_negatives_either_way(debt_csv, text, value):
    data = debt_csv(f"2023/24 Q3,LCC,In house,Business,{text},")
    assert only_row(check([("d.csv", data)]), "debt")["movement_gbp"] == value


@pytest.mark.parametrize(
    ("written", "partner"),
    [
        ("lcc", "LCC"),
        ("Ncc", "NCC"),
        ("EXTERNAL", "External"),
        ("emss", "EMSS"),
        ("Leicestershire County Council", "LCC"),
        ("nottingham city council", "NCC"),
        ("  LCC ", "LCC"),
    ],
)
def test_partners_in_any_letter_case_or_by_full_name(metrics_csv, written, partner):
    data = metrics_csv(f"2023/24 Q3,{written},esc_dbs_checks,10,")
    assert only_row(check([("p.csv", data)]))["partner"] == partner


def test_debt_partners_by_full_name_and_sectors_and_collectors_in_any_case(debt_csv):
    data = debt_csv("2023/24 Q3,Nottingham City Council,in house,public sector,-183523,")
    row = only_row(check([("d.csv", data)]), "debt")
    assert (row["partner"], row["collector"], row["sector"]) == ("NCC", "In house", "Public Sector")


def test_a_new_collector_is_a_name_not_a_mistake(debt_csv):
    data = debt_csv("2023/24 Q3,LCC,  New   Agency Ltd ,Other,1200,")
    assert only_row(check([("d.csv", data)]), "debt")["collector"] == "New Agency Ltd"


@pytest.mark.parametrize(
    "header",
    [
        "Value,Metric,QUARTER,Partner,Note",
        " quarter , PARTNER , metric , value ",
        "metric,value,partner,quarter",
    ],
)
def test_header_column_order_and_case_do_not_matter(header):
    values = {
        "quarter": "2023/24 Q3",
        "partner": "EMSS",
        "metric": "esc_dbs_checks",
        "value": "3904",
        "note": "n",
    }
    row = ",".join(values[column.strip().lower()] for column in header.split(","))
    assert only_row(check([("h.csv", csv_bytes(header, [row]))]))["value"] == 3904


def test_every_quarter_form_is_stored_in_the_canonical_form(metrics_csv):
    forms = ["2023/24 Q1", "Q2 2023/24", "2023-24 Q3", "2023/2024 Q4", "FY2022/23 Q4"]
    data = metrics_csv(*(f"{form},EMSS,esc_dbs_checks,1," for form in forms))
    result = check([("forms.csv", data)])
    assert result.metrics["quarter"].tolist() == [
        "2023/24 Q1",
        "2023/24 Q2",
        "2023/24 Q3",
        "2023/24 Q4",
        "2022/23 Q4",
    ]
    assert [str(q) for q in result.quarters] == [
        "2022/23 Q4",
        "2023/24 Q1",
        "2023/24 Q2",
        "2023/24 Q3",
        "2023/24 Q4",
    ]


def test_an_empty_value_means_not_reported_and_is_not_stored_as_zero(metrics_csv):
    result = check(
        [
            (
                "e.csv",
                metrics_csv(
                    "2023/24 Q3,EMSS,esc_dbs_checks,,", "2023/24 Q3,LCC,fsc_days_to_pay,9,"
                ),
            )
        ]
    )
    assert result.ok
    assert result.metrics["metric"].tolist() == ["fsc_days_to_pay"]


def test_a_file_without_the_note_column_is_fine():
    data = csv_bytes("quarter,partner,metric,value", ["2023/24 Q3,EMSS,esc_dbs_checks,3904"])
    assert only_row(check([("n.csv", data)]))["note"] is None


def test_one_upload_may_hold_several_files_and_quarters(metrics_csv, debt_csv):
    result = check(
        [
            ("q2.csv", metrics_csv("2023/24 Q2,EMSS,esc_dbs_checks,3647,")),
            ("q3.csv", metrics_csv("2023/24 Q3,EMSS,esc_dbs_checks,3904,")),
            ("debt.csv", debt_csv("2023/24 Q3,LCC,In house,NHS,4424,")),
        ]
    )
    assert result.ok
    assert [(f.name, f.kind, f.rows) for f in result.files] == [
        ("q2.csv", "metrics", 1),
        ("q3.csv", "metrics", 1),
        ("debt.csv", "debt", 1),
    ]
    assert result.summary() == (
        "3 files OK: 2 figures and 1 debt movements for 2023/24 Q2, 2023/24 Q3"
    )


def test_each_file_is_fingerprinted_with_sha256(metrics_csv):
    data = metrics_csv("2023/24 Q3,EMSS,esc_dbs_checks,3904,")
    result = check([("q3.csv", data)])
    assert [(s.name, s.sha256) for s in result.sources] == [
        ("q3.csv", hashlib.sha256(data).hexdigest())
    ]


# --- what a bad file gets ------------------------------------------------------------------


def test_the_problem_names_file_line_column_value_and_a_suggestion(metrics_csv):
    rows = [f"2023/24 Q3,EMSS,esc_pension_payments,{n}," for n in range(5)]
    data = metrics_csv(
        *rows[:1],
        "2023/24 Q3,EMSS,esc_dbs_checks,1,",
        "2023/24 Q3,EMSS,esc_orc_contacts,1,",
        "2023/24 Q3,EMSS,esc_mss_errors,1,",
        "2023/24 Q3,EMSS,esc_overpayments,1,",
        "2023/24 Q3,EMSS,esc_payrol_payments,43689,",
    )
    assert problems([("q4.csv", data)]) == [
        'q4.csv line 7, metric: "esc_payrol_payments" is not a known metric '
        "(did you mean esc_payroll_payments?)"
    ]
    problem = check([("q4.csv", data)]).problems[0]
    assert (problem.file, problem.line, problem.column, problem.value) == (
        "q4.csv",
        7,
        "metric",
        "esc_payrol_payments",
    )


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            "2023/24 Q3,EMSS,zzz,80,",
            'x.csv line 2, metric: "zzz" is not a known metric (see the metric catalogue)',
        ),
        (
            "2023/24 Q3,EMSS,esc_payroll_error_rate,0.33,",
            'x.csv line 2, metric: "esc_payroll_error_rate" is derived from esc_payroll_errors '
            "and esc_payroll_payments, so it is computed, not uploaded: upload "
            "esc_payroll_errors and esc_payroll_payments instead",
        ),
        (
            "2023/24 Q3,Blaby,esc_dbs_checks,5,",
            'x.csv line 2, partner: "Blaby" is not a known partner '
            "(expected one of LCC, NCC, External, EMSS)",
        ),
        (
            "2023/24 Q3,External,esc_contracts_letters,5,",
            'x.csv line 2, partner: "External" is not reported for esc_contracts_letters '
            "(expected LCC, NCC or EMSS)",
        ),
        (
            "2023/24 Q3,LCC,customer_satisfaction,80,",
            'x.csv line 2, partner: "LCC" is not reported for customer_satisfaction '
            "(expected EMSS)",
        ),
        (
            "Autumn 2023,EMSS,esc_dbs_checks,5,",
            'x.csv line 2, quarter: "Autumn 2023" is not a financial-year quarter (expected a '
            'quarter such as "2023/24 Q3" (also "Q3 2023/24", "2023-24 Q3", "FY2023/24 Q3"))',
        ),
        (
            "2023/25 Q3,EMSS,esc_dbs_checks,5,",
            'x.csv line 2, quarter: "2023/25 Q3" names years 2023 and 2025, which are not '
            'consecutive (expected a quarter such as "2023/24 Q3" (also "Q3 2023/24", '
            '"2023-24 Q3", "FY2023/24 Q3"))',
        ),
        (
            "2024/25 Q1,EMSS,esc_dbs_checks,5,",
            'x.csv line 2, quarter: "2024/25 Q1" is in the future '
            "(the current quarter is 2023/24 Q4)",
        ),
        (
            "2023/24 Q3,EMSS,esc_dbs_checks,lots,",
            'x.csv line 2, value: "lots" is not a number '
            "(expected a number such as 43,689, £1,234.50, -1,234 or (1,234))",
        ),
        (
            '2023/24 Q3,EMSS,esc_dbs_checks,"1,23",',
            'x.csv line 2, value: "1,23" is not a number '
            "(expected a number such as 43,689, £1,234.50, -1,234 or (1,234))",
        ),
        (
            "2023/24 Q3,EMSS,esc_dbs_checks,-5,",
            'x.csv line 2, value: "-5" is negative (expected a count of 0 or more)',
        ),
        (
            "2023/24 Q3,EMSS,esc_dbs_checks,(5),",
            'x.csv line 2, value: "(5)" is negative (expected a count of 0 or more)',
        ),
        (
            "2023/24 Q3,EMSS,people_absence_days_per_fte,-2.2,",
            'x.csv line 2, value: "-2.2" is negative (expected a days of 0 or more)',
        ),
        (
            "2023/24 Q3,EMSS,esc_dbs_checks,3904.5,",
            'x.csv line 2, value: "3904.5" is not a whole number (expected a count)',
        ),
        (
            "2023/24 Q3,LCC,fsc_invoices_paid_30d,101,",
            'x.csv line 2, value: "101" is outside 0–100 (expected a percentage)',
        ),
        (
            "2023/24 Q3,LCC,fsc_invoices_paid_30d,-1%,",
            'x.csv line 2, value: "-1%" is outside 0–100 (expected a percentage)',
        ),
        (
            "2023/24 Q3,EMSS,esc_dbs_checks,95%,",
            'x.csv line 2, value: "95%" has a % sign but this metric is not a percentage',
        ),
        (
            "2023/24 Q3,EMSS,esc_dbs_checks,--5,",
            'x.csv line 2, value: "--5" has more than one minus sign '
            "(expected a number such as 43,689, £1,234.50, -1,234 or (1,234))",
        ),
        (
            "2023/24 Q3,EMSS,esc_dbs_checks,9e99,",
            'x.csv line 2, value: "9e99" is not a number '
            "(expected a number such as 43,689, £1,234.50, -1,234 or (1,234))",
        ),
        (
            "2023/24 Q3,EMSS,esc_dbs_checks,1,note,extra",
            "x.csv line 2: has 6 fields but the header has 5",
        ),
    ],
)
def test_each_metrics_problem_reads_as_the_contract_says(metrics_csv, row, message):
    assert problems([("x.csv", metrics_csv(row))]) == [message]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            "2023/24 Q3,External,In house,Business,5,",
            'd.csv line 2, partner: "External" is not a known debt partner '
            "(expected one of LCC, NCC)",
        ),
        (
            "2023/24 Q3,External customers,In house,Business,5,",
            'd.csv line 2, partner: "External customers" is not a known debt partner '
            "(expected one of LCC, NCC)",
        ),
        (
            "2023/24 Q3,LCC,In house,Retail,5,",
            'd.csv line 2, sector: "Retail" is not a known sector (expected one of Business, '
            "Education, NHS, Public Sector, Individuals, Other)",
        ),
        (
            "2023/24 Q3,LCC,,Business,5,",
            'd.csv line 2, collector: "" is empty (expected a collector\'s name)',
        ),
        (
            "2023/24 Q3,LCC,In house,Business,five,",
            'd.csv line 2, movement_gbp: "five" is not a number '
            "(expected a number such as 43,689, £1,234.50, -1,234 or (1,234))",
        ),
    ],
)
def test_each_debt_problem_reads_as_the_contract_says(debt_csv, row, message):
    assert problems([("d.csv", debt_csv(row))]) == [message]


def test_a_header_of_no_known_kind():
    assert problems([("a.csv", b"date,amount\n2023-12-01,5\n")]) == [
        'a.csv line 1: "date,amount" is not a known header (expected '
        "quarter,partner,metric,value,note for metrics, "
        "quarter,partner,collector,sector,movement_gbp,note for debt movements or "
        "quarter,theme,project,partner,status,benefits,description,update for projects)"
    ]


def test_a_header_missing_columns_names_each_one():
    assert problems([("a.csv", b"quarter,metric,value\n2023/24 Q3,esc_dbs_checks,5\n")]) == [
        "a.csv line 1, partner: column is missing from the metrics header"
    ]
    assert problems([("d.csv", b"quarter,partner,sector,movement_gbp\nx,y,z,1\n")]) == [
        "d.csv line 1, collector: column is missing from the debt header"
    ]


def test_a_column_given_twice_in_the_header(metrics_csv):
    data = metrics_csv(
        "2023/24 Q3,EMSS,esc_dbs_checks,5,6", header="quarter,partner,metric,value,Value"
    )
    assert problems([("a.csv", data)]) == [
        'a.csv line 1, value: "Value" appears twice in the header'
    ]


def test_empty_files_binary_files_and_oversized_files(monkeypatch, metrics_csv):
    monkeypatch.setenv("EMSS_MAX_UPLOAD_MB", "1")
    assert ingest.max_upload_bytes() == 1024 * 1024
    big = metrics_csv(*["2023/24 Q3,EMSS,esc_dbs_checks,5,"] * 45_000)
    assert 1.4e6 < len(big) < 1.6e6
    assert problems(
        [
            ("empty.csv", b""),
            ("blank.csv", b"\r\n\r\n  \r\n"),
            ("chart.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
            ("junk.csv", b"\x81\x8d\x8f\x90\x9d"),
            ("big.csv", big),
            ("header-only.csv", METRICS_HEADER.encode()),
        ]
    ) == [
        "empty.csv: is empty (expected a header row and figures)",
        "blank.csv: is empty (expected a header row and figures)",
        "chart.png: is not a text file (expected a CSV in UTF-8, UTF-16 or Windows-1252)",
        "junk.csv: is not a text file (expected a CSV in UTF-8, UTF-16 or Windows-1252)",
        "big.csv: is 1.5 MB, larger than the 1 MB limit",
        "header-only.csv: has a header but no rows of figures",
    ]


def test_the_default_size_limit_is_ten_megabytes(monkeypatch):
    monkeypatch.delenv("EMSS_MAX_UPLOAD_MB", raising=False)
    assert ingest.max_upload_bytes() == 10 * 1024 * 1024


def test_an_upload_of_no_files():
    assert problems([]) == ["upload: holds no files (expected one or more CSVs)"]


def test_the_same_key_twice_in_one_upload_across_files_and_forms(metrics_csv, debt_csv):
    assert problems(
        [
            ("a.csv", metrics_csv("2023/24 Q3,EMSS,esc_dbs_checks,3904,")),
            ("b.csv", metrics_csv("Q3 2023/24,emss,esc_dbs_checks,3905,")),
            ("d1.csv", debt_csv("2023/24 Q3,LCC,In house,Business,5,")),
            ("d2.csv", debt_csv("2023-24 Q3,Leicestershire County Council,IN HOUSE,business,6,")),
        ]
    ) == [
        'b.csv line 2, metric: "esc_dbs_checks" repeats 2023/24 Q3 / EMSS / esc_dbs_checks, '
        "already given at a.csv line 2 (expected each key once per upload)",
        'd2.csv line 2, sector: "Business" repeats 2023/24 Q3 / LCC / In house / Business, '
        "already given at d1.csv line 2 (expected each key once per upload)",
    ]


def test_every_problem_of_every_file_is_reported_at_once(metrics_csv, debt_csv):
    result = check(
        [
            (
                "q4.csv",
                metrics_csv(
                    "2023/24 Q3,EMSS,esc_dbs_checks,3904,",
                    "2023/24 Q9,EMSS,esc_dbs_checks,1,",
                    "2023/24 Q3,XYZ,esc_nope,abc,",
                    "2023/24 Q3,LCC,fsc_invoices_paid_30d,120,",
                ),
            ),
            ("debt.csv", debt_csv("2023/24 Q3,LCC,In house,Retail,(12),")),
            ("empty.csv", b""),
        ]
    )
    assert [(p.file, p.line, p.column) for p in result.problems] == [
        ("q4.csv", 3, "quarter"),
        ("q4.csv", 4, "partner"),
        ("q4.csv", 4, "metric"),
        ("q4.csv", 4, "value"),
        ("q4.csv", 5, "value"),
        ("debt.csv", 2, "sector"),
        ("empty.csv", None, None),
    ]
    assert result.summary() == "3 files: 7 problems; nothing can be stored"
    frame = result.problems_frame()
    assert frame.columns.tolist() == ["file", "line", "column", "value", "problem"]
    assert frame.loc[1, "value"] == "XYZ"


def test_line_numbers_count_blank_rows_and_multi_line_notes(metrics_csv):
    data = metrics_csv(
        "2023/24 Q3,EMSS,esc_dbs_checks,3904,",
        "",
        '2023/24 Q3,EMSS,esc_mss_errors,78,"a note',
        'over two lines"',
        "2023/24 Q3,EMSS,esc_orc_contacts,forty-five,",
        eol="\r\n",
    )
    assert problems([("lines.csv", data)]) == [
        'lines.csv line 6, value: "forty-five" is not a number '
        "(expected a number such as 43,689, £1,234.50, -1,234 or (1,234))"
    ]


# --- preview and commit --------------------------------------------------------------------


def test_the_preview_lists_new_figures_revisions_and_unchanged(bundled_db, metrics_csv, debt_csv):
    result = check(
        [
            (
                "q.csv",
                metrics_csv(
                    "2023/24 Q3,EMSS,esc_dbs_checks,3950,Recount",
                    "2023/24 Q3,LCC,fsc_invoices_paid_30d,95.7%,",
                    "2023/24 Q4,EMSS,esc_dbs_checks,3800,",
                ),
            ),
            ("d.csv", debt_csv('2023/24 Q3,NCC,In house,Business,"-5,000,000",')),
        ]
    )
    preview = ingest_preview.preview(bundled_db, result)
    assert preview.metrics[["quarter", "metric", "change", "old_value"]].to_dict("records")[:2] == [
        {
            "quarter": "2023/24 Q3",
            "metric": "esc_dbs_checks",
            "change": "revision",
            "old_value": 3904,
        },
        {
            "quarter": "2023/24 Q3",
            "metric": "fsc_invoices_paid_30d",
            "change": "unchanged",
            "old_value": 95.7,
        },
    ]
    assert preview.metrics.loc[2, "change"] == "new"
    assert preview.metrics.loc[0, "old_snapshot"] == "00002-20240318-report"
    assert preview.revision_lines() == [
        "2023/24 Q3 EMSS esc_dbs_checks: 3,904 → 3,950",
        "2023/24 Q3 NCC In house Business: -5,329,828 → -5,000,000",
    ]
    assert (preview.count("new"), preview.count("revision"), preview.count("unchanged")) == (
        1,
        2,
        1,
    )
    # The one warning: Q4 lacks the other figures reported for Q3.
    assert preview.summary() == "1 new, 2 revised, 1 unchanged; 1 warning"


def test_the_preview_warns_of_jumps_and_a_council_without_its_pair(bundled_db, metrics_csv):
    result = check(
        [
            (
                "q4.csv",
                metrics_csv(
                    "2023/24 Q4,EMSS,esc_dbs_checks,39040,",
                    "2023/24 Q4,LCC,fsc_days_to_pay,9,",
                ),
            )
        ]
    )
    warnings = ingest_preview.preview(bundled_db, result).warnings
    assert len(warnings) == 3
    # By label, against reported figures only (the illustrative 2022/23 Q4, 2023/24 Q1 are not).
    assert warnings[0] == (
        "2023/24 Q4 DBS checks completed, EMSS: 39,040 is far outside its reported figures of "
        "the last four quarters (3,647 to 3,904); check it is right"
    )
    assert (
        warnings[1]
        == "2023/24 Q4 Average days to pay a supplier: a figure for LCC but none for NCC"
    )
    assert warnings[2].startswith("26 figures reported for 2023/24 Q3 are missing for 2023/24 Q4")


def test_a_metrics_only_or_debt_only_upload_previews(bundled_db, metrics_csv, debt_csv):
    debt_only = check([("d.csv", debt_csv("2023/24 Q4,LCC,In house,NHS,100,"))])
    assert (
        ingest_preview.preview(bundled_db, debt_only).summary()
        == "1 new, 0 revised, 0 unchanged; 0 warnings"
    )
    metrics_only = check([("m.csv", metrics_csv("2023/24 Q4,EMSS,esc_dbs_checks,3900,"))])
    assert ingest_preview.preview(bundled_db, metrics_only).count("new") == 1


def test_a_clean_upload_is_committed_as_one_snapshot(store, metrics_csv, debt_csv):
    files = [
        (
            "q4.csv",
            metrics_csv(
                "2023/24 Q4,EMSS,esc_dbs_checks,3800,", "2023/24 Q3,EMSS,esc_dbs_checks,3950,"
            ),
        ),
        ("debt-q4.csv", debt_csv("2023/24 Q4,LCC,In house,NHS,100,")),
    ]
    snapshot = ingest.commit(store, check(files), uploaded_by="A. Person")
    assert snapshot.kind == "upload"
    assert snapshot.uploaded_by == "A. Person"
    assert snapshot.rows == 3
    assert snapshot.quarters == ("2023/24 Q3", "2023/24 Q4")
    assert [(s.name, s.sha256) for s in snapshot.sources] == [
        (name, hashlib.sha256(data).hexdigest()) for name, data in files
    ]
    assert store.snapshots()[-1] == snapshot
    db = Database(store)
    current = db.revisions(*_key("2023/24 Q3", "EMSS", "esc_dbs_checks"))
    assert current[["value", "current"]].to_dict("records") == [
        {"value": 3904.0, "current": False},
        {"value": 3950.0, "current": True},
    ]


def _key(quarter, partner, metric):
    from emss.quarters import Quarter

    return Quarter.parse(quarter), partner, metric


def test_nothing_is_stored_when_an_upload_has_a_problem(store, metrics_csv):
    before = store.manifest_path.read_bytes()
    files_before = sorted(p.name for p in store.root.rglob("*.parquet"))
    result = check(
        [
            ("good.csv", metrics_csv("2023/24 Q4,EMSS,esc_dbs_checks,3800,")),
            ("bad.csv", metrics_csv("2023/24 Q4,EMSS,esc_mss_errors,many,")),
        ]
    )
    assert len(result.metrics) == 1  # the good row was read...
    with pytest.raises(ValueError, match="the upload has problems and was not stored"):
        ingest.commit(store, result, uploaded_by="A. Person")
    assert store.manifest_path.read_bytes() == before  # ...and nothing of it stored
    assert sorted(p.name for p in store.root.rglob("*.parquet")) == files_before
    assert json.loads(before)["snapshots"][-1]["id"] == "00002-20240318-report"


# --- never an exception, whatever arrives ----------------------------------------------------


def _assert_answers(result: ingest.Validation) -> None:
    assert result.ok != bool(result.problems)
    result.summary()
    result.problems_frame()
    for problem in result.problems:
        assert str(problem).startswith("junk.csv")
    if result.ok:
        assert [str(q) for q in result.quarters]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=600))
def test_any_bytes_give_figures_or_problems_never_an_exception(data):
    _assert_answers(ingest.validate([("junk.csv", data)], today=REPORT_DAY))


TOKENS = st.sampled_from(
    [
        "quarter",
        "partner",
        "metric",
        "value",
        "note",
        "collector",
        "sector",
        "movement_gbp",
        "2023/24 Q3",
        "Q4 2023/24",
        "0000/01 Q1",
        "9999/00 Q1",
        "2024/25 Q1",
        "LCC",
        "ncc",
        "EMSS",
        "External",
        "Leicestershire County Council",
        "esc_dbs_checks",
        "esc_payroll_error_rate",
        "fsc_invoices_paid_30d",
        "customer_satisfaction",
        "In house",
        "Business",
        "43,689",
        "(1,234)",
        "-£5,329,828",
        "95.7%",
        "1e400",
        "9" * 40,
        "",
        " ",
        '"',
        "=cmd",
        "\ufeff",
    ]
)
FIELD = st.one_of(TOKENS, st.text(max_size=12))
ROW = st.lists(FIELD, min_size=0, max_size=7).map(",".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    header=st.sampled_from(
        [METRICS_HEADER, DEBT_HEADER, "metric,value", "VALUE,quarter,partner,metric", "a,b"]
    ),
    rows=st.lists(ROW, max_size=8),
    eol=st.sampled_from(["\n", "\r\n", "\r"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]),
)
def test_any_csv_like_text_gives_figures_or_problems_never_an_exception(
    header, rows, eol, encoding
):
    text = eol.join([header, *rows])
    data = text.encode(encoding, errors="replace")
    _assert_answers(ingest.validate([("junk.csv", data)], today=REPORT_DAY))
