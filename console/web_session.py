"""The web session of a browser tab: the database's session factory and settings, login
and logout, the signed session cookie that a reload or a copied link finds the user again
with, and its expiry after inactivity (``workflow.accounts.sessions`` holds the rules).

Only the sessionmaker is cached; ``st.session_state`` keeps ids, never ORM objects.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import streamlit as st
from sqlalchemy.orm import Session, sessionmaker

from db.config import Settings
from db.migrate import upgrade
from db.session import make_engine, make_sessionmaker
from workflow.accounts import sessions


@st.cache_resource
def _factory(url: str) -> sessionmaker[Session]:
    engine = make_engine(url)
    upgrade(engine)
    return make_sessionmaker(engine)


def settings() -> Settings:
    """The settings, read once per run from the environment (the edge)."""
    return Settings.from_env()


def factory() -> sessionmaker[Session]:
    """The application's session factory."""
    return _factory(settings().database_url)


def logout(message: str | None = None) -> None:
    """Forget the user and end its server-side session; the next run shows the login form and
    has the browser drop the session cookie (``cookie_script``)."""
    web = st.session_state.get("web_session_id")
    if web is not None:
        with factory().begin() as s:
            sessions.revoke(s, web)
    for key in list(st.session_state.keys()):
        del st.session_state[key]
    if message:
        st.session_state["flash"] = message
    cookie = st.context.cookies.get(sessions.COOKIE_NAME)
    if web is not None or cookie:
        st.session_state["cookie_clear"] = True
    st.session_state["cookie_refused"] = cookie  # ended: never restored from again


SESSION_ENDED = {
    sessions.EXPIRED: "Votre session a expiré après une période d'inactivité : reconnectez-vous.",
    sessions.INACTIVE: "Ce compte n'est plus actif.",
}
SESSION_CLOSED = ("Votre session a été fermée (déconnexion, mot de passe changé ou compte "
                  "modifié) : reconnectez-vous.")


def touch_session() -> bool:
    """Keep the session alive, or end it; True when still logged in.

    A page load (F5, a copied link, a new tab) has no user yet: it is restored from the signed
    session cookie when that names a live server-side session. Every run then checks that
    session (logout elsewhere, password change, deactivation, inactivity end it) and records
    the activity (``workflow.accounts.sessions.check``).
    """
    if "user_id" not in st.session_state and not _restore_from_cookie():
        return False
    conf = settings()
    web = st.session_state.get("web_session_id")
    if web is not None:
        with factory().begin() as s:
            state = sessions.check(s, web, timeout_minutes=conf.session_timeout_minutes)
        if state != sessions.ACTIVE:
            logout(SESSION_ENDED.get(state, SESSION_CLOSED))
            return False
    else:  # a session without a server-side record (page tests set user_id themselves)
        last = st.session_state.get("last_seen")
        limit = timedelta(minutes=conf.session_timeout_minutes)
        if last is not None and datetime.now() - last > limit:
            logout(SESSION_ENDED[sessions.EXPIRED])
            return False
    st.session_state["last_seen"] = datetime.now()
    return True


def _restore_from_cookie() -> bool:
    """Log the page in from the session cookie the browser sent with this page load; True
    when its signature holds and it names a live session."""
    cookie = st.context.cookies.get(sessions.COOKIE_NAME)
    if not cookie or cookie == st.session_state.get("cookie_refused"):
        return False
    conf = settings()
    with factory().begin() as s:
        token = sessions.unsign(cookie, sessions.signing_secret(s, conf.session_secret))
        found = sessions.resolve(s, token, timeout_minutes=conf.session_timeout_minutes)
        if found is not None:
            sessions.touch(s, found.session_id)
    if found is None:
        st.session_state["cookie_refused"] = cookie
        return False
    st.session_state["user_id"] = found.user_id
    st.session_state["web_session_id"] = found.session_id
    return True


def log_in(user_id: int, opened: sessions.Opened) -> None:
    """The login form's success: the user, its server-side session, and the ticket that the
    next run hands the browser to get its cookie (``cookie_script``)."""
    st.session_state["user_id"] = user_id
    st.session_state["web_session_id"] = opened.session_id
    st.session_state["cookie_ticket"] = opened.ticket
    st.session_state["last_seen"] = datetime.now()


def web_session_id() -> int | None:
    """The server-side session of this page (kept when its own password is changed)."""
    return st.session_state.get("web_session_id")


def cookie_script() -> None:
    """After a login, have the browser exchange its one-time ticket for the session cookie;
    after a logout, have it drop the cookie. Both are same-origin requests to the console's
    own routes (``console/entry/server.py``), whose responses set or clear the HttpOnly cookie:
    the script never sees the cookie itself."""
    import json

    ticket = st.session_state.pop("cookie_ticket", None)
    clear = st.session_state.pop("cookie_clear", False)
    if ticket:
        call = ('fetch("/auth/session", {method: "POST", credentials: "same-origin", '
                'headers: {"Content-Type": "application/json"}, '
                f'body: JSON.stringify({{ticket: {json.dumps(ticket)}}})}})')
    elif clear:
        call = 'fetch("/auth/session", {method: "DELETE", credentials: "same-origin"})'
    else:
        return
    st.html(f"<script>{call};</script>", unsafe_allow_javascript=True)
