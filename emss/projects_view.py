"""Business Plan projects as people read them: the report's sentences on what changed and its
tables per theme, and the Projects page's cards, theme groups, history lines and table.

Pure (no Streamlit), from the records ``emss.projects.changes`` and ``history`` return.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from emss.catalogue import PARTNER_NAMES
from emss.export import to_csv
from emss.projects import (
    DROPPED,
    NEW,
    RECORD_FIELDS,
    UNCHANGED,
    WHOLE_WIDE,
    _blank,
    _spec,
    benefits_of,
    status_label,
    words_label,
)
from emss.quarters import Quarter


def _listing(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def since_sentences(frame: pd.DataFrame, quarter: Quarter, comparison: Quarter) -> list[str]:
    """What changed, as the report writes it (paragraphs 3.7 and 3.11): "Since the last Joint
    Committee, the Gen 1 to Gen 2 infrastructure project has been completed and …"."""
    if frame.empty:
        return [f"No Business Plan projects are recorded for {quarter} or {comparison}."]
    if frame["change"].isna().all():
        return [f"There is no project list for {comparison} to compare {quarter} with."]
    spec = _spec()
    opening = (
        "Since the last Joint Committee"
        if comparison == quarter.previous
        else f"Since {comparison}"
    )
    moves = []
    for row in frame[~frame["change"].isin([NEW, DROPPED, UNCHANGED])].itertuples():
        name = f"the {row.project} project"
        if row.change in spec.closing.values():
            moves.append(f"{name} has been {row.change}")
        elif row.previous_status == spec.not_stated:
            moves.append(f"{name} is now {row.status.lower()} (its status was not stated)")
        elif row.status == spec.not_stated:
            moves.append(f"{name} no longer states a status (it was {row.previous_status.lower()})")
        else:
            moves.append(
                f"{name} has moved from {row.previous_status.lower()} to {row.status.lower()}"
            )
    sentences = [
        f"{opening}, {_listing(moves)}." if moves else f"{opening}, no project has changed status."
    ]
    for change, words in ((NEW, "New project"), (DROPPED, "No longer reported")):
        named = [f"{r.project} ({r.theme})" for r in frame[frame["change"] == change].itertuples()]
        if named:
            plural = "s" if change == NEW and len(named) > 1 else ""
            sentences.append(f"{words}{plural}: {_listing(named)}.")
    return sentences


@dataclass(frozen=True)
class ThemeTable:
    theme: str
    label: str
    rows: pd.DataFrame  # Project, Status (in words), Update; as the report's paragraph 3.6 tables


def theme_tables(frame: pd.DataFrame) -> list[ThemeTable]:
    """One table per theme with listed projects, in the catalogue's theme order."""
    spec = _spec()
    listed = frame[frame["listed"]]
    tables = []
    for theme in spec.themes:
        rows = listed[listed["theme"] == theme]
        if len(rows):
            table = pd.DataFrame(
                {
                    "Project": rows["project"],
                    "Status": rows["status"],
                    "Update": rows["update"].fillna(""),
                }
            ).reset_index(drop=True)
            tables.append(ThemeTable(theme, spec.theme_labels[theme], table))
    return tables


def change_words(row: Mapping, comparison: Quarter) -> str | None:
    """A project's change since the comparison quarter in words, for its card: "New since
    2023/24 Q2", "Was in progress in 2023/24 Q2", "Status not stated in 2023/24 Q2"; None
    when unchanged or when there is nothing to compare with."""
    change = row["change"]
    if _blank(change) or change == UNCHANGED:
        return None
    if change == NEW:
        return f"New since {comparison}"
    before = str(row["previous_status"])
    if change == DROPPED:
        return f"No longer reported (was {before.lower()} in {comparison})"
    if before == _spec().not_stated:
        return f"Status not stated in {comparison}"
    return f"Was {before.lower()} in {comparison}"


@dataclass(frozen=True)
class Card:
    """What the Projects page shows of one project (a record of ``changes``)."""

    title: str
    status: str  # shape and words, or "no longer reported"
    change: str | None
    partner: str  # the council's name, or "EMSS-wide"
    benefits: list[str]
    description: str | None
    update: str | None
    illustrative: bool

    def html(self, quarter: Quarter) -> str:
        """The card as HTML, every text escaped (shown as written): title, status and
        change, who it is for, benefits, description and the quarter's update."""
        facts = [
            f"<strong>{html.escape(self.title)}</strong>"
            + (" · Illustrative" if self.illustrative else ""),
            _fact("Status", self.status + (f" · {self.change}" if self.change else "")),
            _fact("For", self.partner),
        ]
        if self.benefits:
            facts.append(_fact("Benefits", ", ".join(self.benefits)))
        paragraphs = ["<br>".join(facts)]
        if self.description:
            paragraphs.append(_fact("Description", self.description))
        paragraphs.append(_fact("Update", self.update or f"No update given for {quarter}."))
        return '<div class="emss-card">' + "".join(f"<p>{p}</p>" for p in paragraphs) + "</div>"


def _fact(name: str, text: str) -> str:
    return f"<strong>{name}:</strong> {html.escape(text)}"


def card(row: Mapping, comparison: Quarter) -> Card:
    def text(column: str) -> str | None:
        return None if _blank(row[column]) else str(row[column])

    return Card(
        title=str(row["project"]),
        status=words_label(row["status"]) if row["listed"] else f"{status_label(None)} {DROPPED}",
        change=change_words(row, comparison),
        partner=PARTNER_NAMES[row["partner"]] if text("partner") else WHOLE_WIDE,
        benefits=benefits_of(row["benefits"]),
        description=text("description"),
        update=text("update"),
        illustrative=bool(row["illustrative"]),
    )


@dataclass(frozen=True)
class ThemeGroup:
    """The projects of one theme as the Projects page lists them: each row a record of
    ``changes`` (listed projects first, then those no longer reported)."""

    theme: str
    label: str
    projects: list[dict]


def theme_groups(frame: pd.DataFrame) -> list[ThemeGroup]:
    """The frame's projects by theme, in the catalogue's theme order; empty themes left out."""
    spec = _spec()
    rows = frame.astype(object).where(frame.notna(), None)
    groups = []
    for theme in spec.themes:
        records_ = rows[rows["theme"] == theme].to_dict("records")
        if records_:
            groups.append(ThemeGroup(theme, spec.theme_labels[theme], records_))
    return groups


@dataclass(frozen=True)
class ShownCard:
    """One project's card on the Projects page: the project's theme and name (to look its
    history up), its title and the card's HTML."""

    theme: str
    project: str
    title: str
    html: str


@dataclass(frozen=True)
class ShownGroup:
    """A theme's heading and its cards; ``more`` of its projects are only in the table."""

    label: str
    count: int
    cards: list[ShownCard]
    more: int

    @property
    def html(self) -> str:
        """The group's cards, one above the other, as one HTML block."""
        return f'<div class="emss-cards">{"".join(card.html for card in self.cards)}</div>'


@dataclass(frozen=True)
class Listing:
    """What the Projects page lists for a choice: how many projects match, at most
    ``cards`` of them as cards by theme, and every one of them as a table and a CSV."""

    count: int
    groups: list[ShownGroup]
    table: pd.DataFrame
    csv: str

    @property
    def cards_by_name(self) -> dict[str, ShownCard]:
        """Every card drawn, by the name a picker shows: "project — theme"."""
        return {f"{c.title} — {group.label}": c for group in self.groups for c in group.cards}


def listing(frame: pd.DataFrame, quarter: Quarter, comparison: Quarter, cards: int) -> Listing:
    """The Projects page's list of the projects in ``frame`` (records of ``changes``)."""
    groups, budget = [], cards
    for group in theme_groups(frame):
        drawn = group.projects[: max(budget, 0)]
        budget -= len(drawn)
        shown = []
        for row in drawn:
            made = card(row, comparison)
            shown.append(ShownCard(row["theme"], row["project"], made.title, made.html(quarter)))
        more = len(group.projects) - len(drawn)
        groups.append(ShownGroup(group.label, len(group.projects), shown, more))
    csv = to_csv(frame[RECORD_FIELDS])
    return Listing(len(frame), groups, table(frame), csv)


def history_html(rows: pd.DataFrame) -> str:
    """A project's ``history`` as HTML, newest quarter first: a paragraph a quarter, headed
    "2023/24 Q3 · ● Complete" (with "· Illustrative" where generated), then its update or
    "No update given."; every text escaped."""
    out = []
    for row in reversed(rows.to_dict("records")):
        heading = f"{row['quarter']} · {words_label(row['status'])}"
        if row["illustrative"]:
            heading += " · Illustrative"
        update = "No update given." if _blank(row["update"]) else str(row["update"])
        out.append(f"<p><strong>{html.escape(heading)}</strong><br>{html.escape(update)}</p>")
    return f'<div class="emss-card">{"".join(out)}</div>'


TABLE_COLUMNS = {
    "theme": "Theme",
    "project": "Project",
    "partner": "For",
    "status": "Status",
    "previous_status": "Status before",
    "change": "Change",
    "benefits": "Benefits",
    "description": "Description",
    "update": "Update",
    "illustrative": "Illustrative",
}


def table(frame: pd.DataFrame) -> pd.DataFrame:
    """The page's table of projects: one row per project, headed in words; "EMSS-wide"
    where a project is for no single council."""
    shown = frame[list(TABLE_COLUMNS)].rename(columns=TABLE_COLUMNS).reset_index(drop=True)
    shown["For"] = shown["For"].fillna(WHOLE_WIDE)
    return shown
