"""The entry point: login form, wrong password, login per role, logged-out sessions."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.factories import PASSWORD
from workflow.accounts.auth import BAD_LOGIN

APP = str(Path(__file__).resolve().parents[2] / "console" / "entry" / "app.py")


@pytest.fixture
def app_env(world, db_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", db_url)
    return world


def _login(email: str, password: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30).run()
    at.text_input[0].input(email)
    at.text_input[1].input(password)
    at.button[0].click().run()
    return at


def test_login_form_is_shown_to_a_logged_out_session(app_env):
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    assert at.title[0].value == "Action Apprentissage"
    assert [t.label for t in at.text_input] == ["Adresse e-mail", "Mot de passe"]


def test_wrong_password_is_refused_in_french(app_env):
    at = _login("cfa1@test.fr", "nope")
    assert not at.exception
    assert "user_id" not in at.session_state
    assert at.error[0].value == BAD_LOGIN


@pytest.mark.parametrize("email,title", [
    ("cfa1@test.fr", "Accueil"),
    ("instr@test.fr", "Accueil instruction"),
    ("manager@test.fr", "Accueil pilotage"),
])
def test_each_role_logs_in_and_lands_on_its_page(app_env, email, title):
    at = _login(email, PASSWORD)
    assert not at.exception
    assert at.session_state["user_id"]
    assert title in [t.value for t in at.title]


def test_inactivity_expires_the_session(app_env):
    at = AppTest.from_file(APP, default_timeout=30)
    at.session_state["user_id"] = app_env.cfa1.user_id
    at.session_state["last_seen"] = datetime.now() - timedelta(hours=2)
    at.run()
    assert not at.exception
    assert "user_id" not in at.session_state
    assert at.title[0].value == "Action Apprentissage"
    assert "expiré" in at.info[0].value


def test_a_deactivated_account_is_logged_out(app_env, factory):
    from sqlalchemy import update

    from db.models import User

    with factory.begin() as s:
        s.execute(update(User).where(User.id == app_env.cfa1.user_id).values(active=False))
    at = AppTest.from_file(APP, default_timeout=30)
    at.session_state["user_id"] = app_env.cfa1.user_id
    at.session_state["last_seen"] = datetime.now()
    at.run()
    assert "user_id" not in at.session_state
    assert at.title[0].value == "Action Apprentissage"


def test_a_reset_password_opens_only_its_change_then_the_portal(app_env, factory):
    """After a manager's reset, the login lands on "Mon mot de passe" and nothing else; a wrong
    confirmation is refused in French; once changed, the CFA's own pages are back."""
    from workflow.accounts import admin

    with factory.begin() as s:
        temporary = admin.reset_password(s, app_env.manager, app_env.cfa1.user_id)
    at = _login("cfa1@test.fr", temporary)
    assert not at.exception
    assert [t.value for t in at.title] == ["Mon mot de passe"]
    assert "provisoire" in at.warning[0].value

    def submit(current: str, new: str, again: str) -> None:
        at.text_input[0].input(current)
        at.text_input[1].input(new)
        at.text_input[2].input(again)
        next(b for b in at.button if b.label == "Changer le mot de passe").click().run()

    submit(temporary, "une phrase neuve", "une autre phrase")
    assert not at.exception and "diffèrent" in at.error[0].value
    submit(temporary, "une phrase neuve", "une phrase neuve")
    assert not at.exception
    assert "changé" in at.success[0].value
    at = _login("cfa1@test.fr", "une phrase neuve")
    assert "Accueil" in [t.value for t in at.title]
