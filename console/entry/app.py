"""Entry point: page config, login, navigation by role. Nothing else.

Served by ``console/entry/server.py`` (``streamlit run console/entry/server.py``), whose routes
set the session cookie that lets a reload or a copied link find the user again
(``web_session.touch_session``).
"""

from __future__ import annotations

import streamlit as st

from console import french, incidents, ui, web_session
from console.navigation import ACCOUNT_PAGES, PAGES, URL_PATHS, script, url_path
from domain.vocabulary import ROLE_LABELS
from workflow.accounts import sessions
from workflow.accounts.auth import authenticate

st.set_page_config(page_title="Action Apprentissage — Facturation", page_icon="💶",
                   layout="wide")


def login_form() -> None:
    st.title("Action Apprentissage")
    st.caption("Un portail dédié aux CFA — facturation de l'apprentissage")
    ui.unknown_page_notice()
    if msg := st.session_state.pop("flash", None):
        st.info(msg)
    with st.form("login"):
        email = st.text_input("Adresse e-mail")
        password = st.text_input("Mot de passe", type="password")
        submitted = st.form_submit_button("Se connecter", type="primary")
    if submitted:
        conf = web_session.settings()
        with web_session.factory().begin() as s:
            result = authenticate(s, email, password, max_failures=conf.max_failed_logins,
                                  lockout_minutes=conf.lockout_minutes,
                                  source=st.context.ip_address)
            opened = sessions.open_session(s, result.actor.user_id) if result.actor else None
        if result.actor is None or opened is None:
            st.error(result.message)
        else:
            web_session.log_in(result.actor.user_id, opened)
            st.rerun()  # same page: a copied link opens its page once logged in


def not_in_menu() -> None:
    st.title("Page introuvable")
    st.warning("Page introuvable : cette page ne fait pas partie de votre menu. Choisissez une "
               "page dans le menu de gauche.", icon=":material/explore_off:")


def main() -> None:
    french.inject()  # Streamlit's own English strings, said in French (console/french.py)
    actor = ui.current_actor() if web_session.touch_session() else None
    if actor is None:
        web_session.cookie_script()  # after a logout: the browser drops its cookie
        # every page's address shows the login form, then that page (its hash is its url_path)
        pages = [st.Page(login_form, title="Connexion", default=True)] + [
            st.Page(login_form, title="Connexion", url_path=path, visibility="hidden")
            for path in sorted(URL_PATHS)]
        page = st.navigation(pages, position="hidden")
        with incidents.guard():
            page.run()
        return
    with st.sidebar:
        st.markdown(f"**{ui.text(actor.name)}**  \n{ROLE_LABELS[actor.role]} — {actor.email}")
        if st.button("Se déconnecter", key="logout"):
            web_session.logout("Vous êtes déconnecté.")
            st.rerun()
        web_session.cookie_script()  # after a login: the browser gets its cookie
    # a provisional password opens nothing but its own change (the workflow refuses the rest)
    menu = ACCOUNT_PAGES if actor.must_change_password else PAGES[actor.role]
    sections = {
        section: [st.Page(script(path), title=title, icon=icon, url_path=url_path(path))
                  for path, title, icon in pages]
        for section, pages in menu.items()
    }
    # another role's page, typed or linked: a French message rather than Streamlit's own
    shown = {url_path(path) for pages in menu.values() for path, _, _ in pages}
    last = list(sections)[-1]
    sections[last] += [st.Page(not_in_menu, title="Page introuvable", url_path=path,
                               visibility="hidden") for path in sorted(URL_PATHS - shown)]
    page = st.navigation(sections)
    ui.unknown_page_notice()
    with incidents.guard():
        page.run()


main()
