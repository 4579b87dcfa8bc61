"""Definitions page: a glossary of every figure (what it means, its key, unit, which way is
better, who reports it, its source and, when computed from exports, its definition), then the
debt movements and the Business Plan projects."""

import functools

import streamlit as st

from emss import export, glossary, tables, ui
from emss.catalogue import PARTNER_NAMES
from emss.sources import config, stored

ui.page_setup("Definitions")
db = ui.database()
catalogue = db.catalogue

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

with st.container(horizontal=True, vertical_alignment="bottom"):
    words = st.text_input(
        "Find a figure",
        placeholder="a word of its name, key or description",
        key="definitions_find",
    )
    table = tables.catalogue_table(catalogue)
    ui.csv_download(
        "Download every definition (CSV)",
        functools.partial(export.to_csv, table),
        "emss-metric-definitions.csv",
        icon=":material/download:",
        key="download_definitions",
    )

sections = glossary.sections(
    catalogue, stored.definitions(config.load_config(db.store.root)), words
)
if not sections:
    st.info(f'No figure\'s name, key or description has "{words}" in it.')
for section in sections:
    st.header(section.title, divider="gray")
    for entry in section.entries:
        st.markdown(f"### {entry.label}")
        st.markdown(entry.description)
        if entry.computed:
            st.markdown(f"**Computed from the source-system exports:** {entry.computed}")
        st.markdown("  \n".join(f"**{what}:** {said}" for what, said in entry.facts))

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

plan = catalogue.projects
st.header("Business Plan projects", divider="gray")
st.markdown(
    f"{plan.description}\n\n"
    f"- **Themes:** {', '.join(plan.theme_labels[t] for t in plan.themes)}\n"
    "- **Statuses** (each with its shape, so status never rests on colour): "
    + ", ".join(f"{plan.status_marks[s]} {s}" for s in plan.statuses)
    + f", {plan.status_marks['']} {plan.not_stated} (blank: never guessed)\n"
    f"- **Benefits:** {', '.join(plan.benefits)}\n"
    f"- **Source:** report {plan.source}"
)
