"""Debt collection page: the quarter's movement in past-due debt per council, collector and
sector, its totals, a chart by sector and each council's trend."""

import streamlit as st

from emss import debt, tables, ui, ui_areas, ui_lineage
from emss.filters import Filters


def debt_collection(filters: Filters) -> None:
    """The Debt page for the filters (``ui.filtered_page`` draws it in its fragment)."""
    spec = ui.database().catalogue.debt
    partners = debt.partners_in_view(filters.partners, spec)

    st.caption(
        f"Movement in past-due debt open for collection in {filters.quarter.label}: positive "
        "means the debt grew (worse), negative that it fell (better). "
        f"Trend: {filters.first} to {filters.last}."
    )
    with st.container(horizontal=True):
        collectors = st.multiselect(
            "Collectors", spec.collectors, default=spec.collectors, key="debt_collectors"
        )
        sectors = st.multiselect("Sectors", spec.sectors, default=spec.sectors, key="debt_sectors")

    shown = (
        ui_areas.debt_tables(filters.quarter, partners, collectors, sectors)
        if collectors and sectors
        else None
    )
    if not (collectors and sectors):
        st.info("Choose at least one collector and one sector to see the movements.")
    elif shown is None:
        st.info(f"No debt movements were reported for {filters.quarter} for this choice.")
    else:
        totals = tables.debt_total_tiles(shown.totals, str(filters.quarter))
        ui.show_tiles([tables.tile_html(tile) for tile in totals], "row")

        st.header("Movements by council, collector and sector", divider="gray")
        # A static table: every row shown and every note whole (the report's commentary); the
        # layout is a block per row on a phone (ui.PAGE_CSS).
        ui.static_table(
            shown.table.drop(columns=debt.AMOUNT),
            f"Debt movements by council, collector and sector, {filters.quarter}",
            layout=tables.DEBT_TABLE,
        )
        ui.csv_download(
            "Download CSV", shown.csv, f"debt-{filters.quarter.slug}.csv", key="download_debt_table"
        )
        ui_lineage.behind(shown.sources, "debt")

    st.header("Charts", divider="gray")
    charts = ui.disclosure(
        f"By sector in {filters.quarter}, and each council's total "
        f"from {filters.first} to {filters.last}",
        ui.WIDGET_CHARTS,
    )
    if charts is None:
        return
    with charts:
        if shown is not None:
            st.subheader("By sector")
            ui.show_chart(
                ui_areas.debt_sector_chart(filters.quarter, partners, collectors, sectors),
                name="debt-by-sector",
            )
        st.subheader("Total movement by council over time")
        trend = ui_areas.debt_trend_chart(filters, partners)
        if trend is None:
            st.info(f"No debt movements were reported from {filters.first} to {filters.last}.")
        else:
            ui.show_chart(trend, name="debt-trend")


ui.filtered_page("Debt collection", debt_collection)
