"""Accueil pilotage: money by status and the size of the portfolio."""

import streamlit as st

from console import ui
from domain.vocabulary import Status
from workflow.reporting.stats import portfolio

st.title("Accueil pilotage")
ov = ui.call(portfolio)
if ov is None:
    st.stop()
a, b, c = st.columns(3)
a.metric("CFA", ov.cfas)
b.metric("Contrats", ov.contracts)
c.metric("Factures en attente d'instruction", ov.queue)
st.subheader("Montants")
x, y, z = st.columns(3)
x.metric("En cours de validation", ui.money(ov.amount(Status.UNDER_REVIEW)))
y.metric("Validé, à payer", ui.money(ov.amount(Status.VALIDATED)))
z.metric("Payé", ui.money(ov.amount(Status.PAID)))
