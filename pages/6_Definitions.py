"""Definitions page: what every metric means, its unit, which way is better, its source;
and the debt movement dataset."""

import streamlit as st

from emss import export, tables, ui
from emss.catalogue import PARTNER_NAMES

ui.page_setup("Definitions", filters=False)
catalogue = ui.database().catalogue

st.markdown(
    "Every figure on this dashboard is defined once, here. The **key** is what an upload's "
    "`metric` column holds; the **direction of good** decides whether a change shows as an "
    "improvement; an **EMSS total** is the sum of the partners' figures where they add up "
    "(rates and percentages are never summed or averaged across councils). Quarters are "
    "financial-year quarters: Q1 is April to June, Q4 January to March."
)
st.markdown(
    "**Partners:** "
    + "; ".join(f"{code}: {name}" for code, name in PARTNER_NAMES.items())
    + ".  \n**Areas:** "
    + "; ".join(f"{code}: {name}" for code, name in catalogue.areas.items())
    + "."
)

st.header("Metrics", divider="gray")
table = tables.catalogue_table(catalogue)
st.dataframe(table, hide_index=True, width="stretch")
st.download_button(
    "Download CSV",
    export.to_csv(table),
    file_name="emss-metric-definitions.csv",
    mime="text/csv",
    key="download_definitions",
)

debt = catalogue.debt
st.header("Debt movements", divider="gray")
st.markdown(
    f"{debt.description}\n\n"
    f"- **Councils:** {', '.join(debt.partners)}\n"
    f"- **Collectors:** {', '.join(debt.collectors)}\n"
    f"- **Customer sectors:** {', '.join(debt.sectors)}\n"
    f"- **Source:** report {debt.source}\n"
    f"- **Upload columns:** {', '.join(debt.columns)}"
)
