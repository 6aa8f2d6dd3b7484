"""Shared widgets and plumbing of the pages: the session factory, the actor, workflow calls.

Only the sessionmaker is cached; ``st.session_state`` keeps ids, never ORM objects.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

import streamlit as st
from sqlalchemy.orm import Session, sessionmaker

from db.config import Settings
from db.migrate import upgrade
from db.session import make_engine, make_sessionmaker
from workflow.access import Actor, load_actor
from workflow.errors import WorkflowError

T = TypeVar("T")


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
    """Forget the user; the next run shows the login form."""
    for key in list(st.session_state.keys()):
        del st.session_state[key]
    if message:
        st.session_state["flash"] = message


def touch_session() -> bool:
    """Expire the session after inactivity; True when still logged in."""
    if "user_id" not in st.session_state:
        return False
    last = st.session_state.get("last_seen")
    limit = timedelta(minutes=settings().session_timeout_minutes)
    if last is not None and datetime.now() - last > limit:
        logout("Votre session a expiré après une période d'inactivité : reconnectez-vous.")
        return False
    st.session_state["last_seen"] = datetime.now()
    return True


def current_actor() -> Actor | None:
    """The logged-in actor, re-read from the database (a deactivated account is logged out)."""
    user_id = st.session_state.get("user_id")
    if user_id is None:
        return None
    try:
        with factory().begin() as s:
            return load_actor(s, user_id)
    except WorkflowError:
        logout("Ce compte n'est plus actif.")
        return None


def require_actor() -> Actor:
    """The actor, or stop the page (a logged-out session sees nothing)."""
    act = current_actor()
    if act is None:
        st.warning("Connectez-vous pour accéder à cette page.")
        st.stop()
    return act


def call(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
    """Run one workflow function in its own transaction; show its error in French.

    Returns the function's result, or None when a WorkflowError was shown.
    """
    act = require_actor()
    try:
        with factory().begin() as s:
            return fn(s, act, *args, **kwargs)
    except WorkflowError as exc:
        st.error(str(exc))
        return None


def money(value: Any) -> str:
    """An amount in the manual's French format."""
    from workflow.formatting import format_eur

    return format_eur(value)


def pager(key: str, total: int, page_size: int) -> int:
    """Previous/next controls; returns the 0-based page index kept in session_state."""
    pages = max(1, -(-total // page_size))
    page = min(st.session_state.get(key, 0), pages - 1)
    left, mid, right = st.columns([1, 3, 1])
    if left.button("◀ Précédent", key=f"{key}-prev", disabled=page == 0):
        page -= 1
    if right.button("Suivant ▶", key=f"{key}-next", disabled=page >= pages - 1):
        page += 1
    st.session_state[key] = page
    mid.caption(f"Page {page + 1} sur {pages} — {total} résultat(s)")
    return page


def deferred(fn: Callable[..., Any], *args: Any) -> Callable[[], bytes]:
    """Data for ``st.download_button``: the bytes of the file a workflow function returns
    (anything with ``.data``), made only when the user clicks, in its own transaction."""
    act = require_actor()
    make = factory()

    def run() -> bytes:
        with make.begin() as s:
            return bytes(fn(s, act, *args).data)

    return run


def attempt(fn: Callable[..., T], *args: Any, **kwargs: Any) -> tuple[T | None, str | None]:
    """Like ``call``, but return ``(result, None)`` or ``(None, French error message)`` so that
    the page can keep the message (e.g. why an uploaded file is refused)."""
    act = require_actor()
    try:
        with factory().begin() as s:
            return fn(s, act, *args, **kwargs), None
    except WorkflowError as exc:
        return None, str(exc)


def rerun_dialog() -> None:
    """Rerun only the open dialog when Streamlit allows it (a fragment rerun), else the whole
    page; pages keep their dialogs' step in session_state, so either way it reopens alike."""
    from streamlit.errors import StreamlitAPIException

    try:
        st.rerun(scope="fragment")
    except StreamlitAPIException:
        st.rerun()


def parse_amount(text: str) -> Any:
    """An amount typed in French ("1 234,56"), as a Decimal; None when left empty.

    Shows a French error and stops the page for anything else.
    """
    from decimal import Decimal, InvalidOperation

    cleaned = (text or "").replace("\u202f", "").replace("\xa0", "").replace(" ", "")
    cleaned = cleaned.replace("€", "").replace(",", ".")
    if not cleaned:
        return None
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or value != value.quantize(Decimal("0.01")):
        st.error(f"Montant invalide : « {text} ». Exemple : 1 234,56")
        st.stop()
    return value
