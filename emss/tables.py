"""Every table the pages show, as plain frames ready to lay out. No Streamlit here.

The Overview's headline tiles, what moved most, its debt and projects lines and provenance;
the data tables behind the charts; the Debt page's subtotalled movements; the Definitions
page's catalogue; and what the Upload and History pages show: an upload's preview (new
figures, each revision old → new), the manifest, the revision history of one figure, and
which quarter the upload templates are for. Figures' notes are split from their source here.
"""

from __future__ import annotations

import datetime as dt
import html
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from emss import compare, debt, projects
from emss.catalogue import SOURCE_REFERENCE, WHOLE, Catalogue, Metric, load_catalogue
from emss.compare import format_date, format_value
from emss.ingest import FileSummary, max_upload_bytes
from emss.ingest_preview import Preview
from emss.quarters import Quarter
from emss.store import Snapshot
from emss.targets import Target, rag_text
from emss.text import markdown_literal

if TYPE_CHECKING:  # emss.charts imports this module
    from emss.charts import ChartText

REPORTED = "Reported"
ILLUSTRATIVE = "Illustrative"
PROVENANCE_SNAPSHOTS = 5  # the newest snapshots named; the History page lists them all
BETTER_WORDS = {
    "higher": "Higher is better",
    "lower": "Lower is better",
    "neutral": "Neither (a volume)",
}


def figure_kind(illustrative: object) -> str:
    """How a table names a figure's kind: "Illustrative" or "Reported"."""
    return ILLUSTRATIVE if illustrative else REPORTED


def template_quarter(latest: Quarter | None, today: dt.date | None = None) -> Quarter:
    """The quarter a new upload is most likely for: the one after the latest with data.

    With nothing stored yet, the last quarter that has ended.
    """
    if latest is not None:
        return latest.next
    return Quarter.containing(today or dt.date.today()).previous


def template_file_name(quarter: Quarter, kind: str) -> str:
    """``emss-metrics-2023-24-Q4.csv``: the quarter in a form every file system accepts."""
    return f"emss-{kind}-{quarter.slug}.csv"


def upload_limit_mb() -> int:
    """The upload limit in whole megabytes (rounded up), as the file picker takes it."""
    return max(1, math.ceil(max_upload_bytes() / 1024 / 1024))


def file_outcome(summary: FileSummary) -> str:
    """One line per file read: "q4.csv: metrics file, 42 rows"."""
    if summary.kind is None:
        return f"{summary.name}: not read (see the problems below)"
    rows = f"{summary.rows:,} row{'s' * (summary.rows != 1)}"
    return f"{summary.name}: {summary.kind} file, {rows}"


def _timestamp(created: str | None) -> pd.Timestamp:
    return pd.Timestamp(created) if created else pd.NaT


def preview_figures(
    preview: Preview, change: str, catalogue: Catalogue | None = None
) -> pd.DataFrame:
    """The upload's metric figures of one kind of change (new, revision or unchanged).

    Values are written exactly in the metric's unit; a revision shows what it replaces.
    """
    catalogue = catalogue or load_catalogue()
    rows = preview.metrics[preview.metrics["change"] == change]
    identity = {
        "Quarter": rows["quarter"],
        "Partner": rows["partner"],
        "Figure": [catalogue[m].label for m in rows["metric"]],
    }
    units = [catalogue[m].unit.name for m in rows["metric"]]
    return _preview_table(rows, identity, units, "value", "Value", change)


def preview_debt(preview: Preview, change: str) -> pd.DataFrame:
    """The upload's debt movements of one kind of change, in exact pounds."""
    rows = preview.debt[preview.debt["change"] == change]
    identity = {name.capitalize(): rows[name] for name in debt.DEBT.identity}
    units = [debt.UNIT] * len(rows)
    return _preview_table(rows, identity, units, debt.AMOUNT, "Movement", change)


def _preview_table(
    rows: pd.DataFrame,
    identity: dict,
    units: Sequence[str],
    value_column: str,
    value_name: str,
    change: str,
) -> pd.DataFrame:
    """Preview rows as a table: what they are (``identity``), the value written exactly and
    the note; a revision also shows the value it replaces (Was → Now) and from which
    snapshot, anything else names its value ``value_name``."""

    def written(values: pd.Series) -> list[str]:
        return [format_value(v, u, exact=True) for v, u in zip(values, units, strict=True)]

    frame = pd.DataFrame(
        {
            **identity,
            "Was": written(rows["old_value"]),
            "Now": written(rows[value_column]),
            "Note": rows["note"],
            "Replaces snapshot": rows["old_snapshot"],
        },
        columns=[*identity, "Was", "Now", "Note", "Replaces snapshot"],
    )
    if change != "revision":
        frame = frame.drop(columns=["Was", "Replaces snapshot"]).rename(columns={"Now": value_name})
    return frame.reset_index(drop=True)


LONG_CELL = 32  # characters: a longer cell may wrap on a wide screen, a shorter one stays whole


def html_table(frame: pd.DataFrame, label: str) -> str:
    """A table of text as HTML, every cell escaped (shown as written, never as Markdown),
    named ``label`` for a screen reader; cells longer than ``LONG_CELL`` are marked
    ``emss-long`` (the others keep to one line on a wide screen: ui.PAGE_CSS). Laid out by
    the browser alone: a Streamlit table draws each cell as its own Markdown component,
    which cost tens of milliseconds a rerun."""

    def cells(tag: str, values, scope: str = "") -> str:
        texts = ["" if compare.missing(v) else str(v) for v in values]
        long = ' class="emss-long"'
        return "".join(
            f"<{tag}{scope}{long if len(t) > LONG_CELL else ''}>{html.escape(t)}</{tag}>"
            for t in texts
        )

    head = cells("th", frame.columns, ' scope="col"')
    body = "".join(f"<tr>{cells('td', row)}</tr>" for row in frame.itertuples(index=False))
    return (
        f'<table class="emss-table" aria-label="{html.escape(label)}">'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


# How a static table is laid out on a phone (a CSS class, ui.PAGE_CSS):
GLANCE = "emss-glance"  # an area's glance table: its short columns kept whole
STACKED = "emss-stacked"  # a block per row
DEBT_TABLE = f"{STACKED} emss-debt"  # the Debt page's movements: the note under the values


def captioned(body: str, caption: str = "", css_class: str = "") -> str:
    """HTML ``body`` under ``caption`` (plain text, escaped; none when empty), in a block of
    ``css_class``: one element where a caption and a table were two."""
    above = f'<p class="emss-caption">{html.escape(caption)}</p>' if caption else ""
    return f'<div class="{css_class}">{above}{body}</div>'


def static_table_html(
    frame: pd.DataFrame, label: str, *, layout: str = "", caption: str = ""
) -> str:
    """A table shown whole (``html_table``) under ``caption``, in a block of the phone
    ``layout`` (GLANCE, STACKED, DEBT_TABLE)."""
    return captioned(html_table(frame, label), caption, layout)


def notes_html(notes: Sequence[tuple[str, str]], about: str) -> str:
    """Under a figure's tiles, as a caption: each (whose, note) a paragraph, then ``about``
    (what the figure is and where it was reported); all escaped, shown as written."""
    lines = [
        f"<strong>Note, {html.escape(whose)}:</strong> {html.escape(note)}" for whose, note in notes
    ]
    return "".join(f'<p class="emss-caption">{line}</p>' for line in [*lines, html.escape(about)])


def chart_data_html(text: ChartText, table: pd.DataFrame) -> str:
    """What is behind a chart: its description, then its data table (a block per row on a
    phone); the table leaves out its columns of plain numbers, which repeat a written one
    (the CSV keeps them)."""
    figures = html_table(
        table.select_dtypes(exclude="number"), f"Figures of the chart: {text.title}"
    )
    return f'<p>{html.escape(text.description)}</p><div class="{STACKED}">{figures}</div>'


def manifest_table(snapshots: Sequence[Snapshot]) -> pd.DataFrame:
    """Every snapshot, newest first: who stored it, when, from which files, and its status."""
    return pd.DataFrame(
        [
            {
                "Snapshot": s.id,
                "Kind": s.kind,
                "Uploaded by": s.uploaded_by,
                "When": _timestamp(s.created),
                "Files": ", ".join(f.name for f in s.sources),
                "SHA-256": ", ".join(f.sha256 for f in s.sources),
                "Rows": s.rows,
                "Quarters": ", ".join(s.quarters),
                "Status": "Withdrawn" if s.withdrawn else "In use",
                "Withdrawn by": s.withdrawn_by,
                "Withdrawn": _timestamp(s.withdrawn_at),
            }
            for s in sorted(snapshots, key=lambda s: s.seq, reverse=True)
        ],
        columns=[
            "Snapshot",
            "Kind",
            "Uploaded by",
            "When",
            "Files",
            "SHA-256",
            "Rows",
            "Quarters",
            "Status",
            "Withdrawn by",
            "Withdrawn",
        ],
    )


def snapshots_shown(snapshots: Sequence[Snapshot]) -> pd.DataFrame:
    """Every snapshot, newest first, in five columns a phone can show whole: what it holds,
    when and by whom it was stored, its files and whether it is in use. The file digests are
    in ``manifest_table`` (the page's download)."""

    def status(s: Snapshot) -> str:
        if not s.withdrawn:
            return "In use"
        when = f", {format_date(s.withdrawn_at, time=True)}" if s.withdrawn_at else ""
        return f"Withdrawn by {s.withdrawn_by}{when}"

    return pd.DataFrame(
        [
            {
                "Snapshot": s.id,
                "Holds": f"{s.kind}: {s.rows:,} rows for {', '.join(s.quarters)}",
                "Stored": f"{format_date(s.created, time=True)} by {s.uploaded_by}",
                "Files": ", ".join(f.name for f in s.sources),
                "Status": status(s),
            }
            for s in sorted(snapshots, key=lambda s: s.seq, reverse=True)
        ],
        columns=["Snapshot", "Holds", "Stored", "Files", "Status"],
    )


def snapshot_choice(snapshot: Snapshot) -> str:
    """How a snapshot is named in a list to pick from."""
    status = ", withdrawn" if snapshot.withdrawn else ""
    quarters = ", ".join(snapshot.quarters)
    return (
        f"{snapshot.id} ({snapshot.kind} by {snapshot.uploaded_by}: "
        f"{snapshot.rows:,} rows for {quarters}{status})"
    )


def uploadable_partners(metric: Metric) -> tuple[str, ...]:
    """Partners a figure of this metric can be uploaded for: its own, and EMSS as a whole."""
    return metric.partners if WHOLE in metric.partners else (*metric.partners, WHOLE)


def revision_history(revisions: pd.DataFrame, unit: str) -> pd.DataFrame:
    """One figure's values, oldest first: "as first reported" then "as revised", each with
    when, who, which snapshot, and whether it is the value in use now."""

    def status(row) -> str:
        if row.withdrawn:
            return "Withdrawn"
        return "In use now" if row.current else "Superseded"

    return pd.DataFrame(
        {
            "Value": [format_value(v, unit, exact=True) for v in revisions["value"]],
            "As": ["first reported" if i == 0 else "revised" for i in range(len(revisions))],
            "On": [_timestamp(c) for c in revisions["created"]],
            "By": revisions["uploaded_by"],
            "Snapshot": revisions["snapshot_id"],
            "Status": [status(r) for r in revisions.itertuples()],
            "Note": revisions["note"],
        },
        columns=["Value", "As", "On", "By", "Snapshot", "Status", "Note"],
    )


def revisions_shown(history: pd.DataFrame) -> pd.DataFrame:
    """A figure's ``revision_history`` in five columns a phone can show whole: when, by whom
    and in which snapshot each value was stored, in one."""
    stored = [
        f"{format_date(on.isoformat(), time=True)} by {by}, snapshot {snapshot}"
        for on, by, snapshot in zip(history["On"], history["By"], history["Snapshot"], strict=True)
    ]
    return pd.DataFrame(
        {
            "Value": history["Value"],
            "As": history["As"],
            "Stored": stored,
            "Status": history["Status"],
            "Note": history["Note"],
        }
    )


# --- a figure's tile ---------------------------------------------------------------------


ILLUSTRATIVE_MARK = "Illustrative · "  # starts a label, where the eye lands, before any cut


def delta_style(status: str | None, change: float | None) -> tuple[str, str]:
    """A tile's change colour and arrow (``tile_html``): green when the figure improved, red
    when it worsened, grey for a volume or no change (the catalogue's direction of good,
    through ``compare.status``); the arrow follows the sign (the minus written is U+2212)."""
    colour = {"improved": "green", "worsened": "red"}.get(status or "", "gray")
    if compare.missing(change) or status in (None, "no change"):
        return colour, "off"
    return colour, "up" if change > 0 else "down"


def delta_text(row: Mapping, *, short: bool = False) -> str | None:
    """The change against the comparison quarter as the report writes it, with its status in
    words for a metric that has a direction of good: "+11.0 pp Improved", "−146 (−20.0%)"
    (``short``: without the relative change). None where ``compare.comparable`` gives no
    change (a generated figure on either side)."""
    change = row["comparison_change"]
    if compare.missing(change):
        return None
    text = compare.format_change(change, row["unit"])
    if not short and not compare.missing(row["comparison_change_pct"]):
        text += f" ({compare.format_change_pct(row['comparison_change_pct'])})"
    status = row["comparison_status"]
    if status in ("improved", "worsened"):
        text += f" {compare.STATUS_WORDS[status]}"
    return text


def marked(label: str, illustrative: object) -> str:
    """A label with "Illustrative · " in front when the figure is generated."""
    return ILLUSTRATIVE_MARK + label if illustrative else label


@dataclass(frozen=True)
class Tile:
    """What a figure's tile says: the label (marked at its start when illustrative), the value,
    the change with its colour and arrow, or the sentence saying why there is none, and the
    red/amber/green status (only for a reported figure)."""

    label: str
    value: str
    delta: str | None
    colour: str
    arrow: str
    compared: str | None
    caption: str | None
    rag: str | None
    help: str


def _named(row: Mapping, short: bool) -> str:
    """The comparison quarter as a small tile names it: "Q2" within the row's year."""
    earlier, quarter = Quarter.parse(row["comparison_quarter"]), Quarter.parse(row["quarter"])
    return earlier.short if short and earlier.start_year == quarter.start_year else str(earlier)


def tile(row: Mapping, label: str, target: Target | None = None, *, short: bool = False) -> Tile:
    """A summary row (``compare.summarise``) as a tile under ``label``; ``short``: a small
    tile, its change in one line of words ("▼ −0.47 days, better"; a volume "▲ +257 on Q2")
    or why there is none ("No reported Q2 figure.")."""
    delta = delta_text(row, short=short)
    colour, arrow = delta_style(row["comparison_status"], row["comparison_change"])
    compared = f"vs {row['comparison_quarter']}" if delta and not short else None
    caption = compare.no_comparison(row, _named(row, short), short=short)
    verdict = compare.VERDICT_WORDS.get(row["comparison_status"])
    if short and delta:  # one line in words, the height of every other small tile's
        change = row["comparison_change"]
        arrow_mark = {"up": "▲ ", "down": "▼ "}.get(arrow, "")
        caption = f"{arrow_mark}{compare.format_change(change, row['unit'])}"
        caption += f", {verdict}" if verdict else f" on {_named(row, short)}"
        delta = None
    rag = None
    if target is not None and not row["value_illustrative"]:
        rag = (
            f"{rag_text(target.rag(row['value']))} "
            f"(target {compare.format_value(target.target, row['unit'])})"
        )
    return Tile(
        label=marked(label, row["value_illustrative"]),
        value=format_value(row["value"], row["unit"]),
        delta=delta,
        colour=colour,
        arrow=arrow,
        compared=compared,
        caption=caption,
        rag=rag,
        help=f"{row['label']}, {row['quarter']}"
        + (f", vs {row['comparison_quarter']}" if delta else ""),
    )


def tile_html(tile: Tile) -> str:
    """A tile as HTML (``ui.figure_tiles``), every text escaped: the label, the value, the
    change in words with an arrow (colour only repeats what the words say), and its notes.
    The label says what and whose; its full name is the tile's tooltip."""
    e = html.escape
    parts = [
        f'<p class="emss-tile-label">{e(tile.label)}</p>',
        f'<p class="emss-tile-value">{e(tile.value)}</p>',
    ]
    if tile.delta:
        arrow = {"up": "▲ ", "down": "▼ "}.get(tile.arrow, "")
        versus = f' <span class="emss-tile-vs">{e(tile.compared)}</span>' if tile.compared else ""
        parts.append(
            f'<p class="emss-tile-delta emss-{tile.colour}"><span aria-hidden="true">{arrow}'
            f'</span><span class="emss-tile-change">{e(tile.delta)}</span>{versus}</p>'
        )
    parts += [
        f'<p class="emss-tile-note">{e(line)}</p>' for line in (tile.caption, tile.rag) if line
    ]
    return f'<div class="emss-tile" title="{e(tile.help)}">{"".join(parts)}</div>'


def unreported_html(label: str, quarter: str) -> str:
    """In place of a tile: the figure was not reported for the quarter."""
    return (
        f'<p class="emss-tile-missing"><strong>{html.escape(label)}</strong>: not reported '
        f"for {html.escape(quarter)}.</p>"
    )


# --- the overview ----------------------------------------------------------------------


def headlines(rows: pd.DataFrame, catalogue: Catalogue | None = None) -> pd.DataFrame:
    """The headline figures the committee reads (``headline = true`` in the catalogue), in
    catalogue order, the same metrics in every partner view (a row says "not reported"
    where a view has no figure)."""
    catalogue = catalogue or load_catalogue()
    keys = [m.key for m in catalogue.metrics if m.headline]
    chosen = rows[rows["metric"].isin(keys)]
    return chosen.sort_values("metric", key=lambda k: k.map(keys.index), kind="stable")


def moved_most(rows: pd.DataFrame, n: int = 3) -> list[str]:
    """What moved most since the comparison quarter, as short sentences: up to ``n`` figures
    that worsened, then ``n`` that improved, then the volume that changed most, each ranked by
    the change relative to the earlier figure. Only reported figures are compared
    (``compare.comparable``)."""
    picked = [
        compare.biggest_changes(rows, "worsened", n),
        compare.biggest_changes(rows, "improved", n),
        compare.biggest_changes(rows, "neutral", 1),
    ]
    return [compare.moved_sentence(r) for frame in picked for r in frame.to_dict("records")]


@dataclass(frozen=True)
class Headline:
    """A figure the Overview states in one line: label, value, and words under it."""

    label: str
    value: str
    words: str


def debt_total_tiles(totals: pd.DataFrame, quarter: str) -> list[Tile]:
    """Each council's total movement in past-due debt (``debt.totals``) as a tile: the exact
    amount, and its direction in words under it."""
    return [
        Tile(
            label=marked(f"{row['partner']}: total movement", row["illustrative"]),
            value=debt.written(row[debt.AMOUNT]),
            delta=None,
            colour="gray",
            arrow="off",
            compared=None,
            caption=f"{debt.direction(row[debt.AMOUNT])} in {quarter}.",
            rag=None,
            help=f"Total movement in past-due debt, {row['partner']}, {quarter}",
        )
        for row in totals.to_dict("records")
    ]


def debt_headlines(totals: pd.DataFrame) -> list[Headline]:
    """Each council's total movement in past-due debt (``debt.totals`` of a quarter's
    movements), its direction in words; "better"/"worse" only for a reported total."""
    lines = []
    for row in totals.to_dict("records"):
        amount = row[debt.AMOUNT]
        words = debt.direction(amount, arrow=False)
        words = f"{words[:1].lower()}{words[1:]}"
        verdict = compare.VERDICT_WORDS.get(debt.status(amount) or "")
        if verdict and not row["illustrative"]:  # a generated movement is not judged
            words += f", {verdict}"
        lines.append(
            Headline(
                marked(f"Past-due debt, {row['partner']}", row["illustrative"]),
                debt.written(amount, exact=False),
                words,
            )
        )
    return lines


def projects_line(counts: projects.ProjectCounts, comparison: Quarter) -> str:
    """The Business Plan projects in one line: "20 active · ● 1 complete · ✕ 1 cancelled ·
    5 changed since 2023/24 Q2" (or that there is no list to compare with)."""
    parts = [f"{counts.active:,} active"]
    parts += [f"{projects.status_label(s).lower()}: {n:,}" for s, n in counts.closed.items()]
    if counts.compared:
        parts.append(f"{counts.changed:,} changed since {comparison}")
    else:
        parts.append(f"no project list for {comparison} to compare with")
    return " · ".join(parts)


def not_compared(rows: pd.DataFrame) -> int:
    """How many figures of a summary have an earlier figure but no comparison, because one
    of the two is illustrative (``compare.comparable``)."""
    return int(
        (
            rows["value"].notna()
            & rows["comparison_value"].notna()
            & rows["comparison_change"].isna()
        ).sum()
    )


def note_parts(note: object) -> tuple[str | None, str | None]:
    """A figure's uploaded note as (commentary, source): a reference to the report's
    paragraphs (``SOURCE_REFERENCE``) becomes the source, not commentary; an empty note
    (None, NaN, "") gives (None, None), so nothing is shown."""
    if compare.missing(note) or not isinstance(note, str) or not note.strip():
        return None, None
    sources = [m.group(1) for m in SOURCE_REFERENCE.finditer(note)]
    text = SOURCE_REFERENCE.sub("", note).strip()
    text = re.sub(r"\s+([.;,])", r"\1", text)
    if not text.strip(" .;,"):
        text = None
    return text, ", ".join(sources) or None


def provenance_lines(snapshots: pd.DataFrame, most: int = PROVENANCE_SNAPSHOTS) -> list[str]:
    """Where the figures come from: the last update and the newest ``most`` of the
    snapshots in use (newest first)."""
    if snapshots.empty:
        return ["No figures uploaded yet."]
    lines = [f"Last updated {format_date(snapshots['created'].iloc[0], time=True)}."] + [
        f"Snapshot {row.id}: {row.kind}, {format_date(row.created, time=True)}, "
        f"by {markdown_literal(row.uploaded_by)}."
        for row in snapshots.head(most).itertuples()
    ]
    if len(snapshots) > most:
        lines.append(f"{len(snapshots) - most:,} earlier snapshots in use: see History.")
    return lines


# --- the data behind the charts ----------------------------------------------------------


def trend_table(data: pd.DataFrame, metric: Metric) -> pd.DataFrame:
    """A trend chart's data as a table: exact figures and whether each is illustrative."""
    return pd.DataFrame(
        {
            "Quarter": data["quarter"],
            "Partner": data["partner"],
            metric.label: [format_value(v, metric.unit.name, exact=True) for v in data["value"]],
            "Value": data["value"],
            "Figure": data["figure"],
            "Note": data["note"],
        }
    )


def debt_trend_table(data: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Quarter": data["quarter"],
            "Partner": data["partner"],
            "Total movement": [debt.written(v) for v in data[debt.AMOUNT]],
            debt.AMOUNT: data[debt.AMOUNT],
            "Figure": data["figure"],
        }
    )


def debt_sector_table(data: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Partner": data["partner"],
            "Sector": data["sector"],
            "Movement": data["shown"],
            "Direction": data["direction"],
            debt.AMOUNT: data[debt.AMOUNT],
            "Figure": data["figure"],
        }
    )


# --- an area page's figures at a glance ---------------------------------------------------

SPARK = "▁▂▃▄▅▆▇█"
SPARK_QUARTERS = 8  # the quarters a glance table's trend glyph covers, ending at the quarter


def sparkline(values: Sequence[float | None]) -> str:
    """A trend as block glyphs, lowest ▁ to highest █; a gap for a quarter with no figure
    (a no-break space: leading spaces would make a Markdown table cell a code block)."""
    present = [v for v in values if not compare.missing(v)]
    if not present:
        return ""
    low, high = min(present), max(present)
    steps = len(SPARK) - 1
    return "".join(
        "\u00a0"
        if compare.missing(v)
        else SPARK[round((v - low) / (high - low) * steps) if high > low else steps // 2]
        for v in values
    )


def change_words(row: Mapping) -> str:
    """A figure's change against the comparison quarter (named in the column's heading), as
    a glance table writes it: the change and its verdict only when both figures were
    reported; otherwise why not."""
    if compare.missing(row["value"]):
        return "Not reported"
    if row["value_illustrative"]:
        return "Illustrative: not compared"
    if compare.missing(row["comparison_value"]) or row["comparison_illustrative"]:
        return "No reported figure to compare with"
    return delta_text(row) or "No change"


def glance_table(
    rows: pd.DataFrame, series: pd.DataFrame, labels: Sequence[str], catalogue: Catalogue
) -> pd.DataFrame:
    """Every figure of an area in one table: the metric, whose figure it is (``labels``,
    one per row), the value (marked when illustrative), its change against the comparison
    quarter (``change_words``) and a trend glyph over the quarters in ``series`` (from
    ``Database.series``), saying how many of them are illustrative."""
    quarters = sorted(set(series["quarter"]))
    found = {
        (r.metric, r.partner, r.quarter): (r.value, r.illustrative) for r in series.itertuples()
    }
    earlier = rows["comparison_quarter"].iloc[0] if len(rows) else ""
    records = []
    for row, label in zip(rows.to_dict("records"), labels, strict=True):
        unit = catalogue[row["metric"]].unit.name
        hits = [found.get((row["metric"], row["partner"], q)) for q in quarters]
        values = [h[0] if h else None for h in hits]
        made_up = sum(1 for h in hits if h and h[1])
        trend = sparkline(values)
        if trend and made_up:
            shown = sum(h is not None for h in hits)
            trend += " (all illustrative)" if made_up == shown else f" ({made_up} illustrative)"
        value = format_value(row["value"], unit) if not compare.missing(row["value"]) else "—"
        records.append(
            {
                "Figure": row["label"],
                "For": label,
                "Value": value
                + (f" ({ILLUSTRATIVE.lower()})" if row["value_illustrative"] else ""),
                f"Change vs {earlier}": change_words(row),
                "Trend": trend,
            }
        )
    span = f"{quarters[0]} to {quarters[-1]}" if quarters else "no quarters"
    return pd.DataFrame(
        records, columns=["Figure", "For", "Value", f"Change vs {earlier}", "Trend"]
    ).rename(columns={"Trend": f"Trend, {span}"})


# --- debt collection ---------------------------------------------------------------------


def debt_table(movements: pd.DataFrame) -> pd.DataFrame:
    """The movements as the Debt page shows them (``debt.subtotalled``): each collector's
    rows followed by their total and each partner's by theirs; exact amounts, the direction
    in words, notes and what is illustrative."""
    rows = debt.subtotalled(movements)
    sector = [
        {"movement": r.sector, "collector": f"Total, {r.collector}"}.get(
            r.level, f"Total, {r.partner}"
        )
        for r in rows.itertuples()
    ]
    collector = [
        debt.ALL_COLLECTORS if level == "partner" else c
        for level, c in zip(rows["level"], rows["collector"], strict=True)
    ]
    return pd.DataFrame(
        {
            "Partner": rows["partner"],
            "Collector": collector,
            "Sector": sector,
            "Movement": [debt.written(v) for v in rows[debt.AMOUNT]],
            "Direction": [debt.direction(v) for v in rows[debt.AMOUNT]],
            "Note": rows["note"],
            "Figure": [figure_kind(i) for i in rows["illustrative"]],
            debt.AMOUNT: rows[debt.AMOUNT],
        }
    )


# --- definitions -----------------------------------------------------------------------


def catalogue_table(catalogue: Catalogue) -> pd.DataFrame:
    """Every metric's definition as people read it."""
    return pd.DataFrame(
        [
            {
                "Area": metric.area,
                "Metric": metric.label,
                "Key": metric.key,
                "Unit": metric.unit.name,
                "Direction of good": BETTER_WORDS[metric.better],
                "Reported for": ", ".join(metric.partners),
                "EMSS total": (
                    "Sum of the partners" if metric.adds_up and metric.contributors else ""
                ),
                "Derived from": (
                    f"{metric.derived.scale:g} × {metric.derived.numerator} ÷ "
                    f"{metric.derived.denominator}"
                    if metric.derived
                    else ""
                ),
                "Standard": metric.standard or "",
                "Description": metric.description,
                "Source": metric.source,
            }
            for metric in catalogue.metrics
        ]
    )
