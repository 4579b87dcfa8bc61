"""Writing a report (``emss.report.Report``) out as Word, HTML or Markdown.

Headings are real headings and tables real tables in every format; every chart carries the
alt text written from its data and is followed by the table of the figures it draws. Charts
are drawn once, by ``render_charts``, with vl-convert (PNG for Word and Markdown files, SVG
for HTML), and handed to the writers, so a caller writing several formats draws them once.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import NamedTuple

import vl_convert
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from emss.report import Bullets, Chart, Paragraph, Report, Subheading, Table
from emss.text import markdown_literal


class Format(NamedTuple):
    name: str
    suffix: str
    mime: str


FORMATS = {
    "docx": Format(
        "Word",
        ".docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "html": Format("HTML", ".html", "text/html"),
    "md": Format("Markdown", ".md", "text/markdown"),
}
PNG_SCALE = 2.0
_CONVERT = {"format_locale": "en-GB", "allowed_base_urls": []}  # no fetching while drawing


def chart_png(chart: Chart, scale: float = PNG_SCALE) -> bytes:
    return vl_convert.vegalite_to_png(chart.spec, scale=scale, **_CONVERT)


def chart_svg(chart: Chart) -> str:
    return vl_convert.vegalite_to_svg(chart.spec, **_CONVERT)


def render_charts(report: Report, kind: str = "png") -> dict[str, bytes]:
    """Every chart of the report drawn as PNG or SVG, by chart key."""
    if kind == "png":
        return {c.key: chart_png(c) for c in report.charts}
    return {c.key: chart_svg(c).encode("utf-8") for c in report.charts}


def render(report: Report, fmt: str, images: Mapping[str, bytes] | None = None) -> bytes:
    """The report as a file's bytes in ``fmt`` (docx, html or md), drawing the charts it
    needs unless they are given. Markdown has no images (see ``to_markdown``)."""
    if fmt == "docx":
        return to_docx(report, images or render_charts(report, "png"))
    if fmt == "html":
        return to_html(report, images or render_charts(report, "svg")).encode("utf-8")
    if fmt == "md":
        return to_markdown(report).encode("utf-8")
    raise ValueError(f"unknown report format {fmt!r} (expected {', '.join(FORMATS)})")


def render_all(report: Report) -> dict[str, bytes]:
    """The report in every format (docx, html, md)."""
    return {fmt: render(report, fmt) for fmt in FORMATS}


def file_name(stem: str, fmt: str) -> str:
    """The name to save a report of that file stem (``Report.file_stem``) under in ``fmt``:
    emss-report-2023-24-q3.docx."""
    return stem + FORMATS[fmt].suffix


def write(report: Report, fmt: str, path: Path) -> list[Path]:
    """Write the report to ``path``; returns the files written. Markdown's charts go beside
    it as PNG files in ``<name>-charts/``, linked from the text."""
    if fmt != "md":
        path.write_bytes(render(report, fmt))
        return [path]
    folder = path.with_name(f"{path.stem}-charts")
    folder.mkdir(exist_ok=True)
    links, written = {}, []
    for key, png in render_charts(report, "png").items():
        (folder / f"{key}.png").write_bytes(png)
        written.append(folder / f"{key}.png")
        links[key] = f"{folder.name}/{key}.png"
    path.write_text(to_markdown(report, links), encoding="utf-8")
    return [path, *written]


# --- Word -----------------------------------------------------------------------------------


def _repeat_header(row) -> None:
    """Mark a table row as the header that Word repeats on every page (and reads as one)."""
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


A4 = (Cm(21.0), Cm(29.7))
MARGIN = Cm(2.0)
TEXT_WIDTH_CM = 17.0  # A4 less the two margins


def column_widths(table: Table, total: float = TEXT_WIDTH_CM) -> list[float]:
    """Widths in cm for a table's columns, in proportion to the longest word-run each must
    hold (a measure's name, a figure), so that names do not wrap onto several lines; long
    text (an update, a comment) takes what is left."""

    def longest(i: int) -> int:
        texts = [table.columns[i], *(row.cells[i] for row in table.rows)]
        return max(len(t) for t in texts)

    wanted = [min(max(longest(i), 6), 60) for i in range(len(table.columns))]
    return [total * w / sum(wanted) for w in wanted]


def _docx_table(document, table: Table) -> None:
    document.add_paragraph(table.title, style="Caption")
    grid = document.add_table(rows=1, cols=len(table.columns), style="Table Grid")
    grid.autofit = False
    _repeat_header(grid.rows[0])
    for cell, text, numeric in zip(grid.rows[0].cells, table.columns, table.numeric, strict=True):
        cell.text = ""
        run = cell.paragraphs[0].add_run(text)
        run.bold = True
        if numeric:
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for row in table.rows:
        cells = grid.add_row().cells
        for cell, text, numeric in zip(cells, row.cells, table.numeric, strict=True):
            run = cell.paragraphs[0].add_run(text)
            run.bold = row.total
            if numeric:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for column, width in zip(grid.columns, column_widths(table), strict=True):
        for cell in column.cells:
            cell.width = Cm(width)
    for note in table.notes:
        document.add_paragraph().add_run(note).font.size = Pt(9)


def _docx_front(document, report: Report) -> None:
    """The front sheet: who the report is for, title, quarter, date, summary and the
    recommendations, then a page break."""
    front = report.front
    document.add_paragraph(front.body).runs[0].bold = True
    document.add_heading(report.title, level=0)
    document.add_paragraph(front.subject)
    document.add_paragraph(f"Date: {front.date}")
    document.add_paragraph(front.summary)
    document.add_heading("Recommendations", level=1)
    document.add_paragraph(front.requested)
    for item in front.recommendations:
        document.add_paragraph(item, style="List Number")
    document.add_page_break()


def _docx_note(document, note: str) -> None:
    paragraph = document.add_paragraph()
    paragraph.paragraph_format.left_indent = Cm(1)
    run = paragraph.add_run(f"Commentary: {note}")
    run.italic = True


def to_docx(report: Report, pngs: Mapping[str, bytes]) -> bytes:
    """The report as a Word document: Title, Heading 1 per section, Heading 2 for
    subheadings, tables with a repeating header row, charts as pictures with alt text."""
    document = Document()
    document.core_properties.title = report.title
    for section in document.sections:
        section.page_width, section.page_height = A4
        section.left_margin = section.right_margin = MARGIN
        section.top_margin = section.bottom_margin = MARGIN
    if report.front:
        _docx_front(document, report)
    else:
        document.add_heading(report.title, level=0)
    for line in report.introduction:
        document.add_paragraph(line)
    for section in report.sections:
        document.add_heading(section.heading, level=1)
        for block in section.blocks:
            if isinstance(block, Paragraph):
                document.add_paragraph(f"{block.number} {block.text}".strip())
                for note in block.notes:
                    _docx_note(document, note)
            elif isinstance(block, Subheading):
                document.add_heading(block.text, level=2)
            elif isinstance(block, Bullets):
                for item in block.items:
                    document.add_paragraph(item, style="List Bullet")
            elif isinstance(block, Table):
                _docx_table(document, block)
            else:
                document.add_paragraph(block.title, style="Caption")
                document.add_picture(io.BytesIO(pngs[block.key]), width=Cm(TEXT_WIDTH_CM - 1))
                picture = document.inline_shapes[-1]._inline.docPr
                picture.set("descr", block.alt)
                picture.set("title", block.title)
                _docx_table(document, block.table)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# --- HTML -----------------------------------------------------------------------------------

_STYLE = """
body { font-family: Arial, Helvetica, sans-serif; color: #0b0c0c; max-width: 54rem;
       margin: 2rem auto; padding: 0 1rem; line-height: 1.5; }
h1 { font-size: 1.8rem; } h2 { font-size: 1.4rem; margin-top: 2rem; } h3 { font-size: 1.1rem; }
.number { font-weight: bold; margin-right: 0.4rem; }
.note { font-style: italic; margin-left: 2rem; color: #3D3D3D; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; width: 100%; }
caption { text-align: left; font-weight: bold; padding-bottom: 0.3rem; }
th, td { border: 1px solid #b1b4b6; padding: 0.25rem 0.5rem; text-align: left;
         vertical-align: top; }
.num { text-align: right; white-space: nowrap; }
tr.total th, tr.total td { font-weight: bold; }
.table-note { font-size: 0.9rem; }
figure { margin: 1rem 0; } figure img { max-width: 100%; height: auto; }
figcaption { font-weight: bold; }
@media print { body { margin: 0; max-width: none; } h2 { break-after: avoid; }
               figure, table { break-inside: avoid; } }
"""


_PREVIEW_STYLE = """
.emss-report { line-height: 1.5; max-width: 54rem; }
.emss-report .front { border-bottom: 1px solid #b1b4b6; margin-bottom: 1.5rem; }
.emss-report .number { font-weight: bold; margin-right: 0.4rem; }
.emss-report .note { font-style: italic; margin-left: 2rem; }
.emss-report table { border-collapse: collapse; margin: 0.5rem 0 1rem; width: 100%; }
.emss-report caption { text-align: left; font-weight: bold; padding-bottom: 0.3rem; }
.emss-report th, .emss-report td { border: 1px solid #b1b4b6; padding: 0.25rem 0.5rem;
  text-align: left; vertical-align: top; }
.emss-report .num { text-align: right; white-space: nowrap; }
.emss-report tr.total th, .emss-report tr.total td { font-weight: bold; }
.emss-report figure img, .emss-report figure svg { max-width: 100%; height: auto; }
/* A word breaks only when longer than its cell ("not stated" stays whole on a wide screen);
   on a phone, long words and figures wrap inside their cells rather than widen the page. */
.emss-report th, .emss-report td { overflow-wrap: break-word; }
@media (max-width: 640px) {
  .emss-report th, .emss-report td { overflow-wrap: anywhere; }
  .emss-report .num { white-space: normal; }
}
.emss-report figcaption, .emss-report .figure-title { font-weight: bold; }
"""


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _html_table(table: Table) -> str:
    def cell(tag: str, text: str, numeric: bool, scope: str | None = None) -> str:
        attrs = (' class="num"' if numeric else "") + (f' scope="{scope}"' if scope else "")
        return f"<{tag}{attrs}>{_e(text)}</{tag}>"

    head = "".join(
        cell("th", c, n, "col") for c, n in zip(table.columns, table.numeric, strict=True)
    )
    body = []
    for row in table.rows:
        first, *rest = row.cells
        cells = cell("th", first, table.numeric[0], "row") + "".join(
            cell("td", c, n) for c, n in zip(rest, table.numeric[1:], strict=True)
        )
        attrs = ' class="total"' if row.total else ""
        body.append(f"<tr{attrs}>{cells}</tr>")
    notes = "".join(f'<p class="table-note">{_e(n)}</p>' for n in table.notes)
    return (
        f"<table><caption>{_e(table.title)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>{notes}"
    )


def _html_front(report: Report, h: list[str]) -> list[str]:
    front = report.front
    if front is None:
        return [f"<{h[0]}>{_e(report.title)}</{h[0]}>"]
    items = "".join(f"<li>{_e(r)}</li>" for r in front.recommendations)
    return [
        f'<section class="front"><p><strong>{_e(front.body)}</strong></p>'
        f"<{h[0]}>{_e(report.title)}</{h[0]}><p>{_e(front.subject)}</p>"
        f"<p>Date: {_e(front.date)}</p><p>{_e(front.summary)}</p>"
        f"<{h[1]}>Recommendations</{h[1]}><p>{_e(front.requested)}</p><ol>{items}</ol></section>"
    ]


def _levels(top: int) -> list[str]:
    return [f"h{min(top + i, 6)}" for i in range(3)]


def _html_parts(report: Report, h: list[str]) -> Iterator[str | Chart]:
    """The report's content as HTML, in order, with each chart left as the chart (the
    caller draws it) and followed by the HTML of its data table."""
    yield from _html_front(report, h)
    yield from (f"<p>{_e(line)}</p>" for line in report.introduction)
    for section in report.sections:
        yield f'<section id="{_e(section.key)}"><{h[1]}>{_e(section.heading)}</{h[1]}>'
        for block in section.blocks:
            if isinstance(block, Paragraph):
                number = f'<span class="number">{_e(block.number)}</span>' if block.number else ""
                yield f"<p>{number}{_e(block.text)}</p>"
                yield from (f'<p class="note">Commentary: {_e(n)}</p>' for n in block.notes)
            elif isinstance(block, Subheading):
                yield f"<{h[2]}>{_e(block.text)}</{h[2]}>"
            elif isinstance(block, Bullets):
                yield "<ul>" + "".join(f"<li>{_e(i)}</li>" for i in block.items) + "</ul>"
            elif isinstance(block, Table):
                yield _html_table(block)
            else:
                yield block
                yield _html_table(block.table)
        yield "</section>"


def html_body(report: Report, svgs: Mapping[str, bytes], top: int = 1) -> str:
    """The report's content as HTML, without page or style, its title a heading of level
    ``top``; each chart an SVG image with its alt text."""

    def figure(chart: Chart) -> str:
        data = base64.b64encode(svgs[chart.key]).decode("ascii")
        return (
            f"<figure><figcaption>{_e(chart.title)}</figcaption>"
            f'<img src="data:image/svg+xml;base64,{data}" alt="{_e(chart.alt)}"></figure>'
        )

    parts = _html_parts(report, _levels(top))
    return "\n".join(figure(p) if isinstance(p, Chart) else p for p in parts)


def to_html(report: Report, svgs: Mapping[str, bytes]) -> str:
    """The report as one self-contained HTML page (charts inline as SVG images)."""
    return (
        '<!DOCTYPE html>\n<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(report.title)}</title>\n<style>{_STYLE}</style>\n</head>\n"
        f"<body>\n<main>\n{html_body(report, svgs)}\n</main>\n</body>\n</html>\n"
    )


PREVIEW_STYLE = f"<style>{_PREVIEW_STYLE}</style>"


def preview_parts(report: Report) -> list[str | Chart]:
    """The report as the Report page previews it, under the page's title and subheader
    (so its title is an h3): runs of HTML, each to be shown in an element of class
    ``emss-report`` (styled by ``PREVIEW_STYLE``), and between them the charts, which the
    page draws itself, so that no drawing library runs to show the preview. A run is whole
    HTML: a section interrupted by a chart is closed before it and reopened after it."""
    runs: list[str | Chart] = []
    current: list[str] = []
    for part in _html_parts(report, _levels(3)):
        if isinstance(part, Chart):
            title = f'<p class="figure-title">{_e(part.title)}</p>'
            runs += ["\n".join([*current, title, "</section>"]), part]
            current = ["<section>"]
        else:
            current.append(part)
    return [*runs, "\n".join(current)]


# --- Markdown -------------------------------------------------------------------------------

_m = markdown_literal  # every text, the report's own and people's notes, shown as written


def _md_table(table: Table) -> list[str]:
    lines = [f"**{_m(table.title)}**", ""]
    lines.append("| " + " | ".join(_m(c) for c in table.columns) + " |")
    lines.append("|" + "|".join("---:" if n else "---" for n in table.numeric) + "|")
    for row in table.rows:
        cells = [f"**{_m(c)}**" if row.total and c else _m(c) for c in row.cells]
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    for note in table.notes:
        lines += [_m(note), ""]
    return lines


def to_markdown(report: Report, images: Mapping[str, str] | None = None) -> str:
    """The report as Markdown for pasting. A chart is its alt text and its data table; with
    ``images`` (chart key → relative path of its PNG) it is also an image link."""
    lines = [f"# {_m(report.title)}", ""]
    front = report.front
    if front:
        lines += [f"**{_m(front.body)}**", "", _m(front.subject), "", f"Date: {_m(front.date)}", ""]
        lines += [_m(front.summary), "", "**Recommendations**", "", _m(front.requested), ""]
        lines += [f"{i}. {_m(r)}" for i, r in enumerate(front.recommendations, 1)] + [""]
    for line in report.introduction:
        lines += [_m(line), ""]
    for section in report.sections:
        lines += [f"## {_m(section.heading)}", ""]
        for block in section.blocks:
            if isinstance(block, Paragraph):
                lines += [f"{block.number} {_m(block.text)}".strip(), ""]
                for note in block.notes:
                    lines += [f"> *Commentary: {_m(note)}*", ""]
            elif isinstance(block, Subheading):
                lines += [f"### {_m(block.text)}", ""]
            elif isinstance(block, Bullets):
                lines += [f"- {_m(item)}" for item in block.items] + [""]
            elif isinstance(block, Table):
                lines += _md_table(block)
            else:
                lines += [f"**Figure: {_m(block.title)}**", ""]
                if images and block.key in images:
                    lines += [f"![{_m(block.alt)}]({images[block.key]})", ""]
                else:
                    lines += [f"*Chart: {_m(block.alt)}*", ""]
                lines += _md_table(block.table)
    return "\n".join(lines).rstrip() + "\n"
