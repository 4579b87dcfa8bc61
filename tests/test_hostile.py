"""Hostile and damaged input: cells built to stall a parser, and what the user is told."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from emss import ingest
from tests.conftest import REPORT_DAY

# The number pattern the upload contract was first written as. It backtracks polynomially on
# long runs of spaces, so it is only an oracle here, for short texts.
CONTRACT_PATTERN = re.compile(
    r"^(?P<open>\()?\s*(?P<sign>[-−])?\s*(?P<pound>£)?\s*(?P<sign2>[-−])?\s*"
    r"(?P<digits>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)\s*(?P<pct>%)?\s*(?P<close>\))?$"
)


def _outcome(text: str) -> float | str:
    try:
        return ingest.parse_number(text, percent_sign=True)
    except ValueError as error:
        return str(error).split(" (")[0]


def _contract(text: str) -> float | str:
    match = CONTRACT_PATTERN.match(text.strip())
    if not match or bool(match["open"]) != bool(match["close"]):
        return "is not a number"
    if sum(bool(match[g]) for g in ("open", "sign", "sign2")) > 1:
        return "has more than one minus sign"
    value = float(match["digits"].replace(",", ""))
    if value > 1e15:
        return "is too large to be a figure"
    return -value if value and (match["open"] or match["sign"] or match["sign2"]) else value


@given(st.text(alphabet="( )-−£%1,.0x\t", max_size=10))
def test_the_number_scanner_reads_every_short_text_as_the_contract_pattern_does(text):
    assert _outcome(text) == _contract(text)


@pytest.mark.parametrize(
    "text",
    [
        "(" + " " * 5000 + "x",
        "(" + " " * 5000 + "1",
        "-" + " -" * 5000 + "1",
        "1" + " " * 5000 + "%x",
        "%" * 5000,
        "1," * 5000,
    ],
    ids=["open-spaces-x", "open-spaces-digit", "minus-runs", "spaces-before-pct", "pct", "commas"],
)
def test_a_cell_built_to_make_a_parser_backtrack_is_refused_at_once(metrics_csv, text):
    """With the first pattern, "(" + 300 spaces + "x" took 48 s and froze the server."""
    data = metrics_csv(f'2023/24 Q3,EMSS,esc_payroll_payments,"{text}",')
    result = ingest.validate([("hostile.csv", data)], today=REPORT_DAY)
    [problem] = result.problems
    assert (problem.file, problem.line, problem.column) == ("hostile.csv", 2, "value")
    assert problem.expected.startswith(("is not a number", "has more than one minus sign"))


@pytest.mark.parametrize(
    "text", ["2023" + " " * 5000 + "/x", "FY" + " " * 5000 + "x", "Q3 2023/" + "2" * 5000]
)
def test_a_hostile_quarter_is_refused_at_once(metrics_csv, text):
    data = metrics_csv(f"{text},EMSS,esc_payroll_payments,1,")
    [problem] = ingest.validate([("q.csv", data)], today=REPORT_DAY).problems
    assert problem.column == "quarter"


def test_checking_stops_at_a_thousand_problems_and_says_so(metrics_csv):
    rows = [f"2023/24 Q3,EMSS,esc_payroll_paymnts{i % 7},1," for i in range(3000)]
    result = ingest.validate([("many.csv", metrics_csv(*rows))], today=REPORT_DAY)
    assert len(result.problems) == ingest.LISTED_PROBLEMS
    assert result.problems[-1].line == ingest.LISTED_PROBLEMS + 1
    assert result.summary() == (
        "1 file: 1,000 problems, and checking stopped there (correct these and check again); "
        "nothing can be stored"
    )
    assert str(result.problems[0]) == (
        'many.csv line 2, metric: "esc_payroll_paymnts0" is not a known metric '
        "(did you mean esc_payroll_payments?)"
    )


def test_an_over_long_cell_is_named_by_line_and_column(metrics_csv):
    note = "n" * (ingest.MAX_CELL_CHARACTERS + 1)
    data = metrics_csv(
        "2023/24 Q3,EMSS,esc_dbs_checks,1,", f"2023/24 Q3,EMSS,esc_payroll_payments,2,{note}"
    )
    [problem] = ingest.validate([("long.csv", data)], today=REPORT_DAY).problems
    assert str(problem) == (
        f'long.csv line 3, note: "{"n" * ingest.SHOWN_CHARACTERS}… (131,073 characters)" '
        "is longer than 131,072 characters (expected a figure or a note of at most that length)"
    )


PIXEL = "![chart](http://host/pixel.png?viewer=1)"
LINK_NAME = "[x](http://evil.example/)"


@pytest.mark.usefixtures("monkeypatch")
def test_a_hostile_note_and_uploader_name_are_drawn_as_text_on_the_pages(store):
    import markdown_it
    import pandas as pd
    from streamlit.testing.v1 import AppTest

    from emss.queries import Database
    from tests.conftest import REPO_ROOT

    quarter = str(Database(store).quarters_with_data()[-1])
    note = f"{PIXEL}\n# Heading\n- item"
    rows = pd.DataFrame(
        [(quarter, "EMSS", "esc_payroll_payments", 43_000.0, note)],
        columns=["quarter", "partner", "metric", "value", "note"],
    )
    store.commit({"metrics": rows}, uploaded_by=LINK_NAME, kind="upload")
    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=60).run()
    at.switch_page("pages/1_ESC.py").run()
    assert not at.exception, at.exception
    md = markdown_it.MarkdownIt("commonmark")
    markdown = [e.value for kind in ("markdown", "caption") for e in at.get(kind)]
    written = [e.value for e in at.get("html")]  # HTML the browser inserts as it is
    drawn = markdown + written
    html = "\n".join([md.render(text) for text in markdown] + written)
    assert any("pixel.png" in text for text in drawn)  # the note is on the page...
    assert any("evil.example" in text for text in drawn)  # ...and the uploader's name
    assert "<img" not in html and 'href="http://evil' not in html and "<h1" not in html


def test_tables_own_csv_download_is_off_so_every_csv_leaving_the_app_is_formula_safe():
    import tomllib

    import pandas as pd

    from emss.export import to_csv
    from tests.conftest import REPO_ROOT

    config = tomllib.loads((REPO_ROOT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["disableDataExport"] is True  # st.dataframe's toolbar download
    frame = pd.DataFrame({"note": ["=cmd()|' /C calc'!A0", "+1", "@SUM(A1)", "fine"]})
    assert to_csv(frame).splitlines()[1:] == [
        "'=cmd()|' /C calc'!A0",
        "'+1",
        "'@SUM(A1)",
        "fine",
    ]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
@pytest.mark.parametrize("separator", [",", "\t"])
def test_utf16_files_with_a_byte_order_mark_are_read_comma_or_tab_separated(encoding, separator):
    import codecs

    rows = ["quarter,partner,metric,value,note", "2023/24 Q3,EMSS,esc_payroll_payments,£43,689,"]
    text = "\r\n".join(r.replace(",", separator) for r in rows).replace(
        f"£43{separator}689", '"£43,689"'
    )
    bom = {"utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE}.get(encoding, b"")
    result = ingest.validate([("unicode.txt", bom + text.encode(encoding))], today=REPORT_DAY)
    assert result.ok, [str(p) for p in result.problems]
    assert result.metrics[["metric", "value"]].to_dict("records") == [
        {"metric": "esc_payroll_payments", "value": 43689.0}
    ]
