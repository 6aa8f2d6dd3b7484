"""Mon CFA: identity, bank details on file (read only), default settlement of credit notes."""

import streamlit as st

from console import ui
from domain.vocabulary import SETTLEMENT_LABELS
from workflow.accounts import cfa_profile

st.title("Mon CFA")
profile = ui.call(cfa_profile.get_profile)
if profile is None:
    st.stop()

st.subheader("Identité")
a, b = st.columns(2)
a.markdown(f"**Raison sociale :** {ui.text(profile.name)}  \n"
           f"**Adresse :** {ui.text(profile.address)}")
b.markdown(f"**SIRET :** {ui.text(profile.siret)}  \n**UAI :** {ui.text(profile.uai)}  \n"
           f"**NDA :** {ui.text(profile.nda)}")

st.subheader("Coordonnées bancaires")
a, b = st.columns([3, 1])
a.text_input("IBAN", value=profile.iban_display, disabled=True)
b.text_input("BIC", value=profile.bic, disabled=True)
st.caption("Les coordonnées bancaires enregistrées ne sont pas modifiables depuis le portail : "
           "si elles ont changé, contactez l'Opco EP avant de déposer une nouvelle facture. "
           "L'IBAN de vos factures doit être identique à celui-ci.")

st.subheader("Mode de règlement des factures d'avoir")
modes = list(SETTLEMENT_LABELS)
with st.form("settlement"):
    mode = st.radio("MODE DE RÈGLEMENT PAR DÉFAUT", modes, horizontal=True,
                    index=modes.index(profile.default_settlement),
                    format_func=lambda m: SETTLEMENT_LABELS[m].upper())
    st.caption("Déduction : le montant de vos factures d'avoir est imputé automatiquement sur "
               "vos prochaines factures. Remboursement : vous remboursez ce montant à l'Opco "
               "EP. Ce mode est proposé par défaut à chaque génération d'une facture d'avoir "
               "pro forma ; il peut être modifié pour une pro forma seulement.")
    if st.form_submit_button("Enregistrer", type="primary"):
        saved = ui.call(cfa_profile.set_default_settlement, mode)
        if saved:
            st.success("Mode de règlement par défaut enregistré : "
                       f"{SETTLEMENT_LABELS[saved.default_settlement].lower()}.")
