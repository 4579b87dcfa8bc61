"""The report's debt collection section: each council's total movement in words, its table
of movements with subtotals (``emss.debt.subtotalled``, as the Debt page), and the chart by
sector."""

from __future__ import annotations

import pandas as pd

from emss import charts_debt, debt, tables
from emss.catalogue import PARTNER_NAMES, PARTNER_PHRASES
from emss.compare import format_value
from emss.report_model import (
    CHART_WIDTH,
    Block,
    Chart,
    Context,
    Paragraph,
    Row,
    Section,
    Sentence,
    Table,
    cell,
    cell_notes,
    figures_behind,
    mark,
    numbered,
    plain,
    unique,
    with_mark,
)


def _debt_figure(ctx: Context, movements: pd.DataFrame) -> Chart:
    """The quarter's movement by sector, a bar per council."""
    data = charts_debt.debt_sector_data(movements, ctx.catalogue.debt)
    text = charts_debt.debt_sector_text(data, str(ctx.quarter))
    name = ctx.words["debt"]["chart_title"]
    return Chart(
        key="debt",
        title=f"{name}, {ctx.quarter}",
        spec=charts_debt.debt_sector_chart(data, width=CHART_WIDTH),
        alt=text.description,
        table=figures_behind(
            ctx,
            name,
            "Sector",
            dict.fromkeys(data["sector"]),
            list(dict.fromkeys(data["partner"])),
            {(r["sector"], r["partner"]): r for r in data.to_dict("records")},
            lambda r: cell(ctx, r[debt.AMOUNT], debt.UNIT, r["illustrative"], exact=True),
        ),
    )


def debt_partners(ctx: Context) -> tuple[str, ...]:
    """The councils whose debt the view covers (``debt.partners_in_view``)."""
    return debt.partners_in_view(ctx.partners, ctx.catalogue.debt)


def debt_section(ctx: Context, number: int, spec: dict) -> Section:
    words = ctx.words["debt"]
    partners = debt_partners(ctx)
    movements = ctx.db.debt_movements(ctx.quarter, partners=partners) if partners else None
    if movements is None or movements.empty:
        blocks: list[Block] = [plain(words["none"].format(quarter=ctx.quarter))]
        return Section(number, spec["key"], spec["title"], numbered(number, blocks))
    table = debt.subtotalled(movements)
    blocks = []
    for partner, rows in table.groupby("partner", sort=False):
        blocks.append(_debt_paragraph(ctx, rows))
        blocks.append(_debt_table(ctx, partner, rows))
    blocks.append(_debt_figure(ctx, movements))
    return Section(number, spec["key"], spec["title"], numbered(number, blocks))


def _debt_paragraph(ctx: Context, table: pd.DataFrame) -> Paragraph:
    """A council's total movement and its largest, from its rows of ``debt.subtotalled``."""
    words = ctx.words["debt"]
    totals = table[table["level"] == "partner"].iloc[0]
    rows = table[table["level"] == "movement"]
    partner = totals["partner"]
    whom = PARTNER_PHRASES[partner]
    total = float(totals[debt.AMOUNT])
    illustrative = bool(totals["illustrative"])
    status = debt.status(total)
    direction = "same" if status == "no change" else ("up" if total > 0 else "down")
    text = words["total"].format(
        whom=whom,
        moved=words["moved"][direction],
        size=format_value(abs(total), debt.UNIT, exact=True),
        quarter=ctx.quarter,
        verdict=words["verdicts"]["illustrative" if illustrative else status],
    )
    if illustrative:  # a generated movement is no basis for a verdict
        status = None
    sentences = [
        Sentence(
            with_mark(text, mark(ctx.words, illustrative, False)),
            partner=partner,
            status=status,
            figure_illustrative=illustrative,
        )
    ]
    top = rows.loc[rows[debt.AMOUNT].abs().idxmax()]
    notes = []
    if top[debt.AMOUNT] != 0:
        largest = words["largest"].format(
            whom=whom,
            movement=format_value(top[debt.AMOUNT], debt.UNIT, exact=True),
            sector=top["sector"],
            collector=top["collector"],
        )
        sentences.append(
            Sentence(
                with_mark(largest, mark(ctx.words, bool(top["illustrative"]), False)),
                partner=partner,
                figure_illustrative=bool(top["illustrative"]),
            )
        )
        notes.append(tables.note_parts(top["note"])[0])
    return Paragraph(tuple(sentences), notes=unique(notes))


def _debt_table(ctx: Context, partner: str, table: pd.DataFrame) -> Table:
    """A council's movements, each collector's followed by their total, then the council's."""
    first_column = {"movement": "{collector}", "collector": "{collector} total"}
    out = [
        Row(
            (
                first_column.get(r.level, "Total movement").format(collector=r.collector),
                r.sector,
                cell(ctx, r.movement_gbp, debt.UNIT, r.illustrative, exact=True),
                r.note,
            ),
            total=r.level != "movement",
        )
        for r in table.itertuples()
    ]
    return Table(
        title=f"Debt open for collection, past due: movement in {ctx.quarter}, "
        f"{PARTNER_NAMES[partner]} ({partner})",
        columns=("Collector", "Sector", "Movement", "Comments"),
        rows=tuple(out),
        numeric=(False, False, True, False),
        notes=(ctx.catalogue.debt.description, *cell_notes(ctx, out)),
    )
