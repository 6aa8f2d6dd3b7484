"""Tableau de bord: queue, flow, instructeurs, refusals, money and automatic checks."""

import streamlit as st

from console import dashboard_widgets as w
from console.screens import dashboard_panels

st.title("Tableau de bord")
f = w.filters_sidebar()
# Only the open panel is computed: each is a few SQL aggregates over the whole history, and
# six of them on every rerun made the page slow on a national database.
tabs = st.tabs(["File d'attente", "Flux", "Instructeurs", "Refus", "Montants",
                "Contrôles automatiques"], key="dashboard_tab", on_change="rerun")
for tab, panel in zip(tabs, (dashboard_panels.queue, dashboard_panels.flow,
                             dashboard_panels.instructeurs, dashboard_panels.refusals,
                             dashboard_panels.money, dashboard_panels.checks), strict=True):
    with tab:
        if tab.open:
            panel(f)
