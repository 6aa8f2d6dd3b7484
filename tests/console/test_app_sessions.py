"""The entry point's server-side sessions (console/entry/app.py, console/ui.py), page runs on a real
database: a login opens one, a password change ends the other tabs' and keeps its own, a
logout ends it, a deactivation ends them all; the other tab falls back to the login form at
its next run."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from db.models import WebSession
from tests.factories import PASSWORD
from workflow.accounts import admin

APP = str(Path(__file__).resolve().parents[2] / "console" / "entry" / "app.py")
NEW = "une phrase neuve"


@pytest.fixture
def app_env(world, db_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", db_url)
    return world


def tab(email: str, password: str = PASSWORD) -> AppTest:
    """A browser tab that logged in through the form."""
    at = AppTest.from_file(APP, default_timeout=30).run()
    at.text_input[0].input(email)
    at.text_input[1].input(password)
    at.button[0].click().run()
    assert not at.exception
    assert "user_id" in at.session_state
    return at


def logged_out(at: AppTest) -> bool:
    return "user_id" not in at.session_state and \
        [t.label for t in at.text_input] == ["Adresse e-mail", "Mot de passe"]


def test_a_login_opens_a_server_side_session(app_env, factory):
    at = tab("cfa1@test.fr")
    with factory() as s:
        row = s.get_one(WebSession, at.session_state["web_session_id"])
    assert row.user_id == app_env.cfa1.user_id and row.revoked_at is None
    assert row.ticket_hash is not None  # the browser has not redeemed its ticket here


def test_a_password_change_keeps_its_tab_and_ends_the_other(app_env):
    here, there = tab("cfa1@test.fr"), tab("cfa1@test.fr")
    here.switch_page("../pages/account.py").run()
    here.text_input[0].input(PASSWORD)
    here.text_input[1].input(NEW)
    here.text_input[2].input(NEW)
    next(b for b in here.button if b.label == "Changer le mot de passe").click().run()
    assert not here.exception
    assert "changé" in here.success[0].value
    here.run()
    assert not logged_out(here)
    there.run()
    assert logged_out(there)
    assert "fermée" in there.info[0].value


def test_logout_ends_the_session(app_env, factory):
    at = tab("instr@test.fr")
    web = at.session_state["web_session_id"]
    next(b for b in at.button if b.label == "Se déconnecter").click().run()
    assert logged_out(at)
    with factory() as s:
        assert s.get_one(WebSession, web).revoked_at is not None


def test_a_deactivation_ends_every_session_of_the_account(app_env, factory):
    first, second = tab("cfa1@test.fr"), tab("cfa1@test.fr")
    with factory.begin() as s:
        admin.set_user_active(s, app_env.manager, app_env.cfa1.user_id, False)
    for at in (first, second):
        at.run()
        assert logged_out(at)
    with factory() as s:
        assert all(s.scalars(select(WebSession.revoked_at).where(
            WebSession.user_id == app_env.cfa1.user_id)))
