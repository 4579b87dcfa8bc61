"""Debt collection page: the quarter's movement in past-due debt per council, collector and
sector, its totals, a chart by sector and each council's trend."""

import streamlit as st

from emss import debt, export, tables, ui

filters = ui.page_setup("Debt collection")
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

movements = (
    ui.debt_movements(filters.quarter, partners, collectors, sectors)
    if collectors and sectors
    else None
)
if movements is None:
    st.info("Choose at least one collector and one sector to see the movements.")
elif movements.empty:
    st.info(f"No debt movements were reported for {filters.quarter} for this choice.")
else:
    totals = debt.totals(movements)
    for column, row in zip(st.columns(len(totals)), totals.itertuples(), strict=True):
        with column:
            st.metric(
                f"{row.partner}: total movement" + (" · Illustrative" if row.illustrative else ""),
                debt.written(row.movement_gbp),
                border=True,
            )
            st.caption(f"{debt.direction(row.movement_gbp)} in {filters.quarter}.")

    st.header("Movements by council, collector and sector", divider="gray")
    table = tables.debt_table(movements)
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={"movement_gbp": st.column_config.NumberColumn("Movement (£)")},
    )
    st.download_button(
        "Download CSV",
        export.to_csv(table),
        file_name=f"debt-{filters.quarter.slug}.csv",
        mime="text/csv",
        key="download_debt_table",
    )

    st.header("By sector", divider="gray")
    ui.show_chart(
        ui.debt_sector_chart(filters.quarter, partners, collectors, sectors),
        name="debt-by-sector",
    )

st.header("Total movement by council over time", divider="gray")
trend = ui.debt_trend_chart(filters, partners)
if trend is None:
    st.info(f"No debt movements were reported from {filters.first} to {filters.last}.")
else:
    ui.show_chart(trend, name="debt-trend")
