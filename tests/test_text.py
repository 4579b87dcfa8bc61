"""User text is shown as text: what a Markdown renderer makes of escaped notes and names."""

from __future__ import annotations

import markdown_it
import pytest
from hypothesis import given
from hypothesis import strategies as st

from emss.text import markdown_literal, one_line

HOSTILE = [
    "![chart](http://host/pixel.png?viewer=1)",
    "[x](http://evil.example/)",
    "# Heading",
    "---",
    "- a list item",
    "1. first",
    "7) seventh",
    "> quoted",
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    "**bold** _em_ `code` ~~gone~~",
    "| a | b |",
    "$x^2$ and :red[alarm]",
    "&lt;not a tag&gt;",
    "===",
    "    indented code",
    "a\\*b",
    "- - -",
    "+ plus",
    "= = =",
]


@pytest.mark.parametrize("figure", ["82.0%", "-3", "2023/24 Q3", "(1,234)", "£5,329,828"])
def test_figures_and_quarters_keep_their_plain_form(figure):
    assert markdown_literal(figure) == figure


def rendered_text(markdown: str) -> tuple[str, str]:
    """The HTML a CommonMark renderer makes of ``markdown``, and its text alone."""
    md = markdown_it.MarkdownIt("commonmark").enable("table").enable("strikethrough")
    html = md.render(markdown)
    tokens = md.parseInline(markdown)
    text = "".join(
        t.content for token in tokens for t in (token.children or []) if t.type == "text"
    )
    return html, text


@pytest.mark.parametrize("note", HOSTILE)
def test_a_hostile_note_renders_as_exactly_its_own_text(note):
    html, text = rendered_text(markdown_literal(note))
    assert text == note.strip()
    assert "<img" not in html and "<a " not in html and "<h" not in html
    assert "<li" not in html and "<hr" not in html and "<script" not in html
    assert "<blockquote" not in html and "<table" not in html and "<pre" not in html


def test_line_breaks_of_every_kind_become_spaces():
    assert one_line("first\r\nsecond\rthird\nfourth\u2028fifth\n\n") == (
        "first second third fourth fifth"
    )
    assert "\n" not in markdown_literal("a\n# b\n- c")


@given(st.text(alphabet="ab #-+*>=|~`![]()<>_&$:\\1.)\n ", max_size=20))
def test_any_text_of_markdown_marks_renders_as_itself_on_one_line(note):
    html, text = rendered_text(markdown_literal(note))
    assert text == one_line(note)
    assert html.count("<") == 2 * html.count("<p>") <= 2  # one paragraph, no other element


def test_the_markdown_report_keeps_quotes_and_table_rows_whole_on_notes_with_line_breaks():
    from emss.quarters import Quarter
    from emss.report import Paragraph, Report, Row, Section, Sentence, Table
    from emss.report_render import to_markdown

    note = "First line\n> not a quote\n| not | a row |\n![p](http://host/p.png)"
    table = Table("Figures", ("Metric", "Note"), (Row(("Payments", note)),), (False, False))
    paragraph = Paragraph((Sentence("Payments rose."),), notes=(note,), number="1.1")
    report = Report(
        "Report",
        Quarter(2023, 3),
        Quarter(2023, 2),
        ("EMSS",),
        (),
        (Section(1, "esc", "ESC", (paragraph, table)),),
    )
    lines = to_markdown(report).splitlines()
    quote = next(line for line in lines if line.startswith("> "))
    row = next(line for line in lines if line.startswith("| Payments"))
    for line in (quote, row):
        assert "First line" in line and "p.png" in line  # the whole note on the one line
    html = markdown_it.MarkdownIt("commonmark").enable("table").render("\n".join(lines))
    assert html.count("<blockquote>") == 1 and html.count("<tr>") == 2  # header + one row
    assert "<img" not in html
