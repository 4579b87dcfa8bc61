"""The floor the browser bench compares every page with: a bare Streamlit page, a sidebar
radio and eight ``st.metric`` tiles, nothing else (``streamlit run bench/bare_app.py``)."""

import streamlit as st

choice = st.sidebar.radio("Partner", ["One", "Two", "Three", "Four"], key="bare_partner")
step = ["One", "Two", "Three", "Four"].index(choice)
for column, tile in zip(st.columns(4) * 2, range(8), strict=True):
    column.metric(f"Figure {tile + 1}", f"{1_000 * (tile + 1) + 37 * step:,}", f"+{step}.{tile}%")
