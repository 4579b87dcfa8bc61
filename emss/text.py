"""People's own words (notes, names, project updates) shown as text, never as markup.

Streamlit draws captions, messages and Markdown through a Markdown renderer, and the
Markdown report is read by one: a note holding ``![x](http://host/pixel.png)`` would make
every viewer's browser fetch that address, and ``[x](…)`` in a name would become a link.
``markdown_literal`` makes such text render exactly as written, on one line.
"""

from __future__ import annotations

import re

# Marks that start Markdown anywhere in a line (emphasis, code, links and images, raw HTML,
# entities, tables, strikethrough, Streamlit's LaTeX and colour directives' brackets).
# Brackets are enough to stop links and images: "(" and "!" alone do nothing.
_INLINE = str.maketrans({c: "\\" + c for c in "\\`*_{}[]<>#|~$&"})
# Marks that start a block only at the start of a line: quotes, lists ("- ", "+ ", "1. ",
# "1) "), rules and setext underlines ("---", "==="). Matched at the start only, each part
# one pass: linear. "-3", "82.0%" and "2023/24" are left as they are.
_LINE_START = re.compile(r">|[-+](?=\s|$)|[-=][-=\s]*$|\d{1,9}[.)](?=\s|$)")


def one_line(text: str) -> str:
    """The text with every line break (of any kind) as one space, ends trimmed."""
    return " ".join(part.strip() for part in text.splitlines() if part.strip())


def markdown_literal(text: object) -> str:
    """``text`` as Markdown that shows it exactly as written, on one line: nothing in it
    becomes a link, an image, a heading, a list, a rule, a table or HTML."""
    line = one_line(str(text)).translate(_INLINE)
    start = _LINE_START.match(line)
    if start:  # escape the mark's first sign: "\- item", "1\. first", "\==="
        at = len(start.group()) - len(start.group().lstrip("0123456789"))
        line = f"{line[:at]}\\{line[at:]}"
    return line
