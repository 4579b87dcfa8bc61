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
]


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
