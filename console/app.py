"""Entry point: page config, login, navigation by role. Nothing else."""

from __future__ import annotations

import streamlit as st

from console import ui
from console.navigation import ACCOUNT_PAGES, PAGES
from workflow.access import ROLE_LABELS
from workflow.auth import authenticate

st.set_page_config(page_title="Action Apprentissage — Facturation", page_icon="💶",
                   layout="wide")


def login_form() -> None:
    st.title("Action Apprentissage")
    st.caption("Un portail dédié aux CFA — facturation de l'apprentissage")
    if msg := st.session_state.pop("flash", None):
        st.info(msg)
    with st.form("login"):
        email = st.text_input("Adresse e-mail")
        password = st.text_input("Mot de passe", type="password")
        submitted = st.form_submit_button("Se connecter", type="primary")
    if submitted:
        conf = ui.settings()
        with ui.factory().begin() as s:
            result = authenticate(s, email, password, max_failures=conf.max_failed_logins,
                                  lockout_minutes=conf.lockout_minutes)
        if result.actor is None:
            st.error(result.message)
        else:
            st.session_state["user_id"] = result.actor.user_id
            ui.touch_session()
            st.rerun()


def main() -> None:
    actor = ui.current_actor() if ui.touch_session() else None
    if actor is None:
        st.navigation([st.Page(login_form, title="Connexion", default=True)]).run()
        return
    with st.sidebar:
        st.markdown(f"**{actor.name}**  \n{ROLE_LABELS[actor.role]} — {actor.email}")
        if st.button("Se déconnecter", key="logout"):
            ui.logout("Vous êtes déconnecté.")
            st.rerun()
    # a provisional password opens nothing but its own change (the workflow refuses the rest)
    menu = ACCOUNT_PAGES if actor.must_change_password else PAGES[actor.role]
    sections = {
        section: [st.Page(path, title=title, icon=icon) for path, title, icon in pages]
        for section, pages in menu.items()
    }
    st.navigation(sections).run()


main()
