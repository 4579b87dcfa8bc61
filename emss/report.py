"""The quarterly performance report, built from the data.

A ``Report`` (``emss.report_model``) is a title, an introduction and numbered sections: a
summary (red/amber/green against targets, the largest improvements and deteriorations),
People, Customer, Employee Service Centre, Finance Service Centre and Debt collection in the
Joint Committee report's order (``emss.report_sections``, ``emss.report_debt``), and
provenance. ``emss.report_render`` writes it out as Word, HTML or Markdown.

The words come from ``report.toml``. Code reads each metric's direction of good, unit and
origin from the catalogue and the data, never its key.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from emss import compare
from emss.catalogue import PARTNER_NAMES, PARTNERS, WHOLE
from emss.quarters import Quarter
from emss.queries import Database
from emss.report_debt import debt_section
from emss.report_model import (
    Block,
    Bullets,
    Chart,
    Context,
    FrontSheet,
    NoDataError,
    Paragraph,
    Report,
    ReportError,
    Row,
    Section,
    Sentence,
    Subheading,
    Table,
    load_words,
    stated,
)
from emss.report_sections import (
    area_section,
    projects_section,
    provenance_section,
    summary_section,
)
from emss.targets import TARGETS_FILE, load_targets

__all__ = [
    "Block",
    "Bullets",
    "Chart",
    "FrontSheet",
    "NoDataError",
    "Paragraph",
    "Report",
    "ReportError",
    "Row",
    "Section",
    "Sentence",
    "Subheading",
    "Table",
    "build_report",
    "heading",
    "inputs_version",
]


# --- building -------------------------------------------------------------------------------


def _view_text(partners: Sequence[str]) -> str:
    names = [PARTNER_NAMES[p] for p in partners]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def inputs_version(db: Database) -> tuple:
    """What a report depends on besides its arguments: the store (its folder and manifest
    version) and the store's targets file. It changes with a new snapshot, a withdrawal or
    new targets, so a report cached on it is never stale."""
    try:
        stat = (db.store.root / TARGETS_FILE).stat()
        targets = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
    except FileNotFoundError:
        targets = None
    return str(db.store.root), db.version, targets


def heading(
    db: Database, quarter: Quarter, partners: Sequence[str], comparison: str
) -> tuple[str, tuple[str, ...]]:
    """The title of the report ``build_report`` would write and its partners in order,
    without writing it: raises what it would raise (NoDataError, ReportError, a bad
    targets file's TargetsError) before any figure is read."""
    chosen = tuple(p for p in PARTNERS if p in partners)
    if not chosen:
        raise ReportError("Choose at least one partner for the report.")
    if comparison not in compare.COMPARISONS:
        raise ReportError(f'Unknown comparison "{comparison}" (expected previous or year_ago).')
    held = db.quarters_with_data()
    if quarter not in held:
        hint = f"the latest quarter with figures is {held[-1]}" if held else "the store is empty"
        raise NoDataError(f"No figures are held for {quarter}: {hint}.")
    load_targets(db.store.root)
    return f"{load_words()['title']}: {quarter.label}", chosen


def build_report(
    db: Database,
    quarter: Quarter,
    partners: Sequence[str] = PARTNERS,
    comparison: str = "previous",
    written: dt.date | None = None,
) -> Report:
    """The report for a quarter and a partner view, with changes against the previous
    quarter ("previous") or the same quarter a year earlier ("year_ago"), dated ``written``
    (today by default) on its front sheet.

    Raises NoDataError when no figures are held for the quarter, ReportError for an empty
    partner choice or an unknown comparison, and emss.targets.TargetsError for a bad
    targets file.
    """
    title, chosen = heading(db, quarter, partners, comparison)
    words = load_words()
    # EMSS as a whole is reported with its parts where it has no figure of its own (a rate
    # per council), as the Joint Committee report does.
    scope = PARTNERS if WHOLE in chosen else chosen
    frame = compare.summarise(db, quarter, scope, comparison)
    earlier = compare.comparison_quarter(quarter, comparison)
    records = frame.to_dict("records")
    by_metric: dict[str, list[dict]] = {}
    for row in records:
        by_metric.setdefault(row["metric"], []).append(row)
    ctx = Context(
        db=db,
        words=words,
        quarter=quarter,
        earlier=earlier,
        partners=scope,
        frame=frame,
        stated={key: stated(rows) for key, rows in by_metric.items()},
    )
    sections = [summary_section(ctx, 1)]
    for spec in words["section"]:
        number = len(sections) + 1
        if spec.get("debt"):
            sections.append(debt_section(ctx, number, spec))
        elif spec.get("projects"):
            sections.append(projects_section(ctx, number, spec))
        else:
            sections.append(area_section(ctx, number, spec))
    said = [
        s
        for section in sections
        for block in section.blocks
        if isinstance(block, Paragraph)
        for s in block.sentences
        if s.partner
    ]
    sections.append(provenance_section(ctx, len(sections) + 1, said))
    return Report(
        title=title,
        quarter=quarter,
        comparison=earlier,
        partners=chosen,
        introduction=(
            f"This report covers {quarter.label} for {_view_text(chosen)}.",
            f"Changes are against {earlier}, {compare.COMPARISONS[comparison].phrase}.",
        ),
        sections=tuple(sections),
        front=_front_sheet(words["front"], quarter, written or dt.date.today()),
    )


def _front_sheet(words: dict, quarter: Quarter, written: dt.date) -> FrontSheet:
    """The front sheet in the report's words; the quarter as it names it ("Quarter 3 2023/24")."""
    named = f"Quarter {quarter.number} {str(quarter).split()[0]}"
    return FrontSheet(
        body=words["body"],
        subject=words["subject"].format(quarter=named),
        date=f"{written.day} {written:%B %Y}",
        summary=words["summary"],
        requested=words["requested"],
        recommendations=tuple(r.format(quarter=named) for r in words["recommendations"]),
    )
