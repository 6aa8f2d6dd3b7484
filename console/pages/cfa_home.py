"""Accueil du CFA: its own money figures and the pro formas waiting for its invoice."""

import pandas as pd
import streamlit as st

from console import ui
from console.navigation import script
from console.screens import cfa_news, grid_amounts, grid_dates
from workflow.reporting import cfa_home

PAGE_SIZE = 20

st.title("Accueil")
ui.require_actor()
cfa_news.show()  # refused invoices (alert, unread letters) and payments
fig = ui.call(cfa_home.figures)
if fig is None:
    st.stop()
st.subheader("Mes montants")
a, b, c = st.columns(3)
a.metric("Facturé", ui.money(fig.invoiced), help="Factures déposées (hors avoirs et "
                                                  "pro formas annulées)")
b.metric("Validé", ui.money(fig.validated), help="Factures validées, payées ou non")
c.metric("Payé", ui.money(fig.paid), help=f"Dont déduit au titre des avoirs : "
                                          f"{ui.money(fig.deducted)} ; versé : "
                                          f"{ui.money(fig.net_paid)}")
d, e, g = st.columns(3)
d.metric("Validé, en attente de paiement", ui.money(fig.outstanding))
e.metric("Avoirs restant à régler", ui.money(fig.credit_outstanding))
g.metric("Pro formas en attente de facture", fig.waiting,
         help=f"Montant total : {ui.money(fig.waiting_total)}")

st.subheader("Pro formas en attente de facture/d'avoir")
page = ui.call(cfa_home.waiting, st.session_state.get("home_page", 0), PAGE_SIZE)
if page is None:
    st.stop()
if not page.rows:
    st.info("Aucune pro forma n'attend votre facture.")
    st.stop()
st.dataframe(pd.DataFrame([{
    "Pro forma": r.number, "Type": r.kind, "Nature": r.nature,
    "Date de création": grid_dates.day(r.created_at), "Montant": grid_amounts.amount(r.total),
    "Dossiers": r.dossiers,
} for r in page.rows]), hide_index=True, width="stretch", placeholder=grid_dates.EMPTY,
    column_config=grid_dates.columns(days=("Date de création",))
    | grid_amounts.columns("Montant"))
ui.pager("home_page", page.total, PAGE_SIZE)
if st.button("Joindre une facture dans « Mes factures/factures d'avoir pro formas »",
             icon=":material/upload_file:"):
    st.switch_page(script("pages/cfa_proformas.py"))
