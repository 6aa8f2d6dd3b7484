"""Mon mot de passe: change one's password (forced after a creation or a reset)."""

import streamlit as st

from console import ui, web_session
from workflow.accounts.auth import MIN_PASSWORD, change_password

actor = ui.require_actor()
st.title("Mon mot de passe")
if actor.must_change_password:
    st.warning("Votre mot de passe est provisoire (compte créé ou mot de passe réinitialisé "
               "par un gestionnaire) : choisissez-en un nouveau pour accéder au portail.")
if msg := st.session_state.pop("password_flash", None):
    st.success(msg)

with st.form("password", clear_on_submit=True):
    current = st.text_input("Mot de passe actuel", type="password")
    new = st.text_input(f"Nouveau mot de passe ({MIN_PASSWORD} caractères au moins)",
                        type="password")
    again = st.text_input("Confirmez le nouveau mot de passe", type="password")
    submitted = st.form_submit_button("Changer le mot de passe", type="primary")
if submitted:
    # every other session of the account ends; this one stays logged in
    conf = web_session.settings()
    _, error = ui.attempt(change_password, current, new, again,
                          keep_session=web_session.web_session_id(),
                          max_failures=conf.max_failed_logins,
                          lockout_minutes=conf.lockout_minutes)
    if error:
        st.error(error)
    else:
        st.session_state["password_flash"] = "Votre mot de passe a été changé."
        st.rerun()
