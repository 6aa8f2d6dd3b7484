"""Accueil instruction: the review queue's shape and the pro formas by status."""

import pandas as pd
import streamlit as st

from console import ui
from domain.vocabulary import STATUS_CHOICES, Status
from workflow.reporting.stats import overview

st.title("Accueil instruction")
ov = ui.call(overview)
if ov is None:
    st.stop()
a, b, c, d = st.columns(4)
a.metric("En cours de validation", ov.queue)
b.metric("Non attribuées", ov.unassigned)
c.metric("Attribuées à moi", ov.mine)
d.metric("Plus ancien dépôt (jours)", ov.oldest_age_days if ov.oldest_age_days is not None else "—")
st.subheader("Pro formas par statut")
st.dataframe(pd.DataFrame([{
    "Statut": label, "Nombre": ov.count(Status(code)), "Montant": ui.money(ov.amount(Status(code))),
} for code, label in STATUS_CHOICES.items()]), hide_index=True, width="stretch")
