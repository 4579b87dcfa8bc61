"""The command line as people use it: output, exit codes and what ends up in the store."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from emss import cli
from emss.compare import SUMMARY_FIELDS
from emss.export import template
from emss.quarters import Quarter
from tests.conftest import REPO_ROOT

COMMANDS = sorted(cli.build_parser()._subparsers._group_actions[0].choices)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_every_command_is_documented():
    assert COMMANDS == [
        "check",
        "compute",
        "debt",
        "ingest",
        "projects",
        "report",
        "snapshots",
        "summary",
        "template",
        "validate",
        "withdraw",
    ]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(capsys, command):
    with pytest.raises(SystemExit) as exited:
        cli.main([command, "--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: python -m emss {command}")
    assert len(out.splitlines()) > 3


def test_python_dash_m_emss_runs_the_cli():
    done = subprocess.run(
        [sys.executable, "-m", "emss", "--help"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0
    assert "EMSS performance data" in done.stdout
    for command in COMMANDS:
        assert command in done.stdout


def test_a_missing_command_or_bad_quarter_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exited:
        cli.main([])
    assert exited.value.code == 2
    with pytest.raises(SystemExit) as exited:
        cli.main(["summary", "--quarter", "Autumn"])
    assert exited.value.code == 2
    assert '"Autumn" is not a financial-year quarter' in capsys.readouterr().err


# --- validate and ingest ----------------------------------------------------------------


@pytest.fixture
def good(tmp_path, metrics_csv):
    path = tmp_path / "q3.csv"
    path.write_bytes(
        metrics_csv(
            "2023/24 Q3,EMSS,esc_dbs_checks,3950,Recount",
            "2023/24 Q4,LCC,fsc_days_to_pay,9,",
        )
    )
    return path


@pytest.fixture
def bad(tmp_path, metrics_csv):
    path = tmp_path / "q4.csv"
    path.write_bytes(
        metrics_csv(
            "2023/24 Q4,EMSS,esc_dbs_checks,3800,",
            "2023/24 Q4,EMSS,esc_payrol_payments,43689,",
            "2023/24 Q4,LCC,fsc_invoices_paid_30d,101,",
        )
    )
    return path


def test_validate_a_good_file(capsys, store, good):
    code, out, _ = run(capsys, "validate", str(good))
    assert code == 0
    assert out == "1 file OK: 2 figures and 0 debt movements for 2023/24 Q3, 2023/24 Q4\n"


def test_validate_prints_one_problem_a_line_and_exits_1(capsys, store, good, bad):
    code, out, _ = run(capsys, "validate", str(good), str(bad))
    assert code == 1
    assert out.splitlines() == [
        'q4.csv line 3, metric: "esc_payrol_payments" is not a known metric '
        "(did you mean esc_payroll_payments?)",
        'q4.csv line 4, value: "101" is outside 0–100 (expected a percentage)',
        "2 files: 2 problems; nothing can be stored",
    ]


def test_validate_a_file_that_cannot_be_read_says_so_once(capsys, store, tmp_path):
    missing = tmp_path / "missing.csv"
    code, out, err = run(capsys, "validate", str(missing))
    assert code == 1
    assert out.splitlines() == [
        f"{missing}: cannot be read (No such file or directory)",
        "0 files: 1 problem; nothing can be stored",
    ]
    assert err == ""


def test_validate_refuses_an_oversized_file_without_reading_it(
    capsys, store, tmp_path, monkeypatch
):
    big = tmp_path / "big.csv"
    with big.open("wb") as handle:  # sparse: 2 GB on paper, nothing on disk
        handle.truncate(2 * 1024**3)
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail(f"{self} was read"))
    code, out, _ = run(capsys, "validate", str(big))
    assert code == 1
    assert out.splitlines()[0] == "big.csv: is 2048.0 MB, larger than the 10 MB limit"


def test_ingest_prints_the_preview_and_the_snapshot_id(capsys, store, good):
    code, out, _ = run(capsys, "ingest", str(good), "--by", "A. Person")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "1 file OK: 2 figures and 0 debt movements for 2023/24 Q3, 2023/24 Q4"
    assert lines[1] == "Preview: 1 new, 1 revised, 0 unchanged; 2 warnings"
    assert lines[2] == "  revised 2023/24 Q3 EMSS esc_dbs_checks: 3,904 → 3,950"
    assert lines[3] == (
        "  warning: 2023/24 Q4 Average days to pay a supplier: a figure for LCC but none for NCC"
    )
    assert lines[4].startswith("  warning: 27 figures reported for 2023/24 Q3 are missing for")
    newest = store.snapshots()[-1]
    assert lines[5] == f"Stored snapshot {newest.id}"
    assert newest.id.startswith("00003-") and newest.id.endswith("-upload")
    assert (newest.uploaded_by, newest.rows, [s.name for s in newest.sources]) == (
        "A. Person",
        2,
        ["q3.csv"],
    )


def test_ingest_with_problems_writes_nothing(capsys, store, good, bad):
    manifest = store.manifest_path.read_bytes()
    code, out, _ = run(capsys, "ingest", str(good), str(bad), "--by", "A. Person")
    assert code == 1
    assert out.splitlines()[-1] == "2 files: 2 problems; nothing can be stored. Nothing was stored."
    assert len(out.splitlines()) == 3
    assert store.manifest_path.read_bytes() == manifest
    assert len(list(store.root.rglob("*.parquet"))) == 5  # the bundled store's files only


def test_ingest_of_an_empty_template_stores_nothing_and_says_so(capsys, store, tmp_path):
    path = tmp_path / "template.csv"
    path.write_text(template(Quarter(2023, 4)))
    code, _, err = run(capsys, "ingest", str(path), "--by", "A. Person")
    assert code == 1
    assert err == "error: nothing to commit: the upload holds no figures. Nothing was stored.\n"
    assert len(store.snapshots()) == 2


def test_ingest_into_an_empty_store(capsys, empty_store, good):
    code, out, _ = run(capsys, "ingest", str(good), "--by", "A. Person")
    assert code == 0
    assert "Preview: 2 new, 0 revised, 0 unchanged" in out
    assert [s.seq for s in empty_store.snapshots()] == [1]


# --- snapshots and withdraw -----------------------------------------------------------------


def test_snapshots_list_the_manifest(capsys, store):
    code, out, _ = run(capsys, "snapshots", "--format", "json")
    assert code == 0
    listed = json.loads(out)
    assert [(s["id"], s["kind"], s["rows"], s["status"]) for s in listed] == [
        ("00001-20240318-illustrative", "illustrative", 626, "current"),
        ("00002-20240318-report", "report", 89, "current"),
    ]
    assert listed[1]["quarters"] == "2023/24 Q2, 2023/24 Q3"
    assert listed[1]["files"].startswith("report-2023-24-q3-metrics.csv (")
    code, out, _ = run(capsys, "snapshots")
    assert "00002-20240318-report" in out and "EMSS Joint Committee report" in out


def test_withdraw_records_who_and_brings_earlier_values_back(capsys, store, good):
    run(capsys, "ingest", str(good), "--by", "A. Person")
    added = store.snapshots()[-1].id
    code, out, _ = run(capsys, "withdraw", added, "--by", "B. Person")
    assert code == 0
    assert out == f"Withdrew snapshot {added}; its figures are no longer current\n"
    listed = json.loads(run(capsys, "snapshots", "--format", "json")[1])
    assert listed[-1]["status"].startswith("withdrawn 20")
    assert listed[-1]["status"].endswith(" by B. Person")
    summary = json.loads(
        run(capsys, "summary", "--quarter", "2023/24 Q3", "--partner", "EMSS", "--format", "json")[
            1
        ]
    )
    dbs = next(r for r in summary if r["metric"] == "esc_dbs_checks")
    assert dbs["value"] == 3904


def test_withdraw_an_unknown_or_withdrawn_snapshot_fails(capsys, store):
    code, _, err = run(capsys, "withdraw", "00009-nope", "--by", "A. Person")
    assert (code, err) == (1, "error: no snapshot '00009-nope' in " + str(store.root) + "\n")
    run(capsys, "withdraw", "00002-20240318-report", "--by", "A. Person")
    code, _, err = run(capsys, "withdraw", "00002-20240318-report", "--by", "A. Person")
    assert (code, err) == (1, "error: snapshot 00002-20240318-report was already withdrawn\n")


# --- summary, debt, template ----------------------------------------------------------------


def test_summary_as_json_has_the_contract_fields_and_the_reports_figures(capsys, store):
    code, out, _ = run(capsys, "summary", "--quarter", "2023/24 Q3", "--format", "json")
    assert code == 0
    rows = json.loads(out)
    assert all(list(r) == SUMMARY_FIELDS for r in rows)
    assert SUMMARY_FIELDS == [
        "metric",
        "partner",
        "quarter",
        "value",
        "previous_value",
        "change",
        "year_ago_value",
        "status",
        "value_illustrative",
        "previous_illustrative",
        "year_ago_illustrative",
    ]
    by_key = {(r["metric"], r["partner"]): r for r in rows}
    dbs = by_key["esc_dbs_checks", "EMSS"]
    assert (dbs["value"], dbs["previous_value"], dbs["change"], dbs["status"]) == (
        3904,
        3647,
        257,
        "neutral",
    )
    assert (dbs["value_illustrative"], dbs["previous_illustrative"]) == (False, False)
    assert dbs["year_ago_illustrative"] is True
    sat = by_key["customer_satisfaction", "EMSS"]
    assert (sat["value"], sat["previous_value"], sat["change"], sat["status"]) == (
        83,
        72,
        11,
        "improved",
    )
    assert ("fsc_days_to_pay", "EMSS") not in by_key  # never reported: left out


def test_summary_for_one_partner_in_any_case_as_csv(capsys, store):
    code, out, _ = run(
        capsys, "summary", "--quarter", "Q3 2023/24", "--partner", "lcc", "--format", "csv"
    )
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == SUMMARY_FIELDS
    assert {r["partner"] for r in rows} == {"LCC", "EMSS"}
    letters = next(r for r in rows if r["metric"] == "esc_contracts_letters")
    assert (letters["value"], letters["value_illustrative"]) == ("442.0", "False")


def test_summary_as_a_table(capsys, store):
    code, out, _ = run(capsys, "summary", "--quarter", "2023/24 Q3", "--partner", "EMSS")
    assert code == 0
    dbs = next(line for line in out.splitlines() if "esc_dbs_checks" in line)
    assert dbs.split()[:7] == ["esc_dbs_checks", "EMSS", "2023/24", "Q3", "3,904", "3,647", "257"]


def test_summary_for_a_quarter_without_figures(capsys, store, empty_store):
    code, out, err = run(capsys, "summary", "--quarter", "2030/31 Q1")
    assert (code, out) == (1, "")
    assert err == "error: no figures for 2030/31 Q1 (the store is empty)\n"


def test_debt_for_a_quarter_without_figures_names_the_latest(capsys, store):
    code, _, err = run(capsys, "debt", "--quarter", "2030/31 Q1")
    assert code == 1
    assert err == "error: no figures for 2030/31 Q1 (the latest with data is 2023/24 Q3)\n"


def test_debt_lists_movements_with_per_partner_totals(capsys, store):
    code, out, _ = run(capsys, "debt", "--quarter", "2023/24 Q3", "--format", "json")
    assert code == 0
    rows = json.loads(out)
    assert len(rows) == 14
    assert rows[-2:] == [
        {
            "partner": "LCC",
            "collector": "All",
            "sector": "Total",
            "movement_gbp": 1_498_159,
            "note": None,
        },
        {
            "partner": "NCC",
            "collector": "All",
            "sector": "Total",
            "movement_gbp": -5_671_250,
            "note": None,
        },
    ]
    assert rows[6]["note"] == "£6.1m invoice 855130111 BEIS SICE credited 19.12.23"
    code, out, _ = run(capsys, "debt", "--quarter", "2023/24 Q3")
    totals = [line.split() for line in out.splitlines() if "Total" in line]
    assert totals == [
        ["LCC", "All", "Total", "1,498,159"],
        ["NCC", "All", "Total", "-5,671,250"],
    ]


def test_debt_as_csv_keeps_numbers_and_neutralises_text(capsys, store, tmp_path, debt_csv):
    upload = tmp_path / "debt.csv"
    upload.write_bytes(debt_csv('2023/24 Q4,LCC,In house,NHS,-1200,=HYPERLINK("x")'))
    assert run(capsys, "ingest", str(upload), "--by", "A. Person")[0] == 0
    code, out, _ = run(capsys, "debt", "--quarter", "2023/24 Q4", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows[0]["movement_gbp"] == "-1200.0"
    assert rows[0]["note"] == '\'=HYPERLINK("x")'


@pytest.mark.parametrize("kind", ["metrics", "debt"])
def test_template_prints_the_upload_template(capsys, kind):
    code, out, _ = run(capsys, "template", "--quarter", "2024/25 Q1", "--kind", kind)
    assert code == 0
    assert out == template(Quarter(2024, 1), kind)


def test_the_comparison_choices_are_the_comparisons():
    from emss.compare import COMPARISONS

    assert tuple(COMPARISONS) == cli.COMPARISON_KEYS


def test_parsing_a_command_loads_neither_pandas_nor_duckdb():
    """``--help`` and argument errors answer before the data libraries are imported."""
    probe = (
        "import sys; from emss import cli; "
        "cli.build_parser().parse_args(['summary', '--quarter', '2023/24 Q3']); "
        "print(sorted(m for m in ('pandas', 'duckdb', 'pyarrow') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


@pytest.mark.usefixtures("store")
@pytest.mark.parametrize("fmt", ["table", "csv", "json"])
def test_summary_loads_neither_pandas_nor_pyarrow(fmt):
    """The summary is DuckDB and the standard library only: pandas and pyarrow cost several
    times the rest of the command to import."""
    probe = (
        "import contextlib, io, sys; from emss import cli; out = io.StringIO()\n"
        "with contextlib.redirect_stdout(out):\n"
        f"    code = cli.main(['summary', '--quarter', '2023/24 Q3', '--format', '{fmt}'])\n"
        "loaded = sorted({m.split('.')[0] for m in sys.modules} & {'pandas', 'pyarrow'})\n"
        "print(code, len(out.getvalue().splitlines()), loaded)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    )
    code, lines, loaded = done.stdout.split(maxsplit=2)
    assert (code, loaded.strip()) == ("0", "[]")
    assert int(lines) > 20  # the bundled store's figures were written
