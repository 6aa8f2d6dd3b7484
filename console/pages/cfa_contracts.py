"""Mes contrats: the CFA's contracts, paged in SQL, with each contract's échéancier."""

import pandas as pd
import streamlit as st

from console import ui
from console.screens import grid_amounts, grid_dates
from domain.formatting import format_period
from domain.vocabulary import NATURE_LABELS, Nature
from workflow.contracts.contracts import CONTRACT_STATUS_LABELS, contract_schedule, list_contracts
from workflow.contracts.history import contract_history

st.title("Mes contrats")
ui.require_actor()  # a logged-out session sees nothing but the warning
search = st.text_input("Recherche par numéro de contrat ou nom de l'apprenti", key="c_search")
size = st.selectbox("Lignes par page", [10, 20, 50], index=1, key="c_size")
page = ui.call(list_contracts, search=search, page=st.session_state.get("c_page", 0),
               page_size=size)
if page is None:
    st.stop()
table = pd.DataFrame([{
    "Numéro enregistrement": r.number, "Libellé": r.title, "Apprenti": r.apprentice,
    "Employeur": f"{r.employer} {r.employer_siret}", "Durée contrat": format_period(r.start, r.end),
    "NPEC": grid_amounts.amount(r.npec), "Statut": CONTRACT_STATUS_LABELS.get(r.status, r.status),
} for r in page.rows])
if table.empty:
    st.info("Aucun contrat ne correspond à votre recherche.")
    st.stop()
st.dataframe(table, hide_index=True, width="stretch",
             column_config=grid_amounts.columns("NPEC"))
ui.pager("c_page", page.total, page.page_size)

choices = {f"{r.number} — {r.apprentice}": r.id for r in page.rows}
picked = st.selectbox("Consulter l'échéancier du contrat", list(choices), key="c_pick")
rows = ui.call(contract_schedule, choices[picked]) if picked else None
if rows:
    st.dataframe(pd.DataFrame([{
        "Nature": NATURE_LABELS[Nature(e.nature)], "Année": e.year,
        "Période": format_period(e.period_start, e.period_end),
        "Échéance le": e.due_on, "Montant": grid_amounts.amount(e.amount),
        "Détail du calcul": e.detail, "Pro forma": e.pro_forma or "",
    } for e in rows]), hide_index=True, width="stretch", placeholder=grid_dates.EMPTY,
        column_config=grid_dates.columns(days=("Échéance le",))
        | grid_amounts.columns("Montant"))

history = ui.call(contract_history, choices[picked]) if picked else None
if history is not None:  # creation, avenants with what they changed, rupture (issue 18)
    st.subheader(f"Historique du contrat {history.number}")
    st.dataframe(pd.DataFrame([{
        "Date": h.on, "Événement": h.label, "Modifications": h.what,
    } for h in history.entries]), hide_index=True, width="stretch",
        placeholder=grid_dates.EMPTY, column_config=grid_dates.columns(days=("Date",)))
    st.subheader("Régularisations")
    if not history.regularisations:
        st.caption("Aucune régularisation sur ce contrat.")
    else:
        st.dataframe(pd.DataFrame([{
            "Nature": NATURE_LABELS[Nature(e.nature)], "Montant": grid_amounts.amount(e.amount),
            "Échéance le": e.due_on, "Détail du calcul": e.detail,
            "Pro forma": e.pro_forma or "",
        } for e in history.regularisations]), hide_index=True, width="stretch",
            placeholder=grid_dates.EMPTY,
            column_config=grid_dates.columns(days=("Échéance le",))
            | grid_amounts.columns("Montant"))
