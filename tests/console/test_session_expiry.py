"""Session expiry on every workflow call, dialogs included (issue 17 item 6): with
SESSION_TIMEOUT_MINUTES=1, a confirmation clicked 75 s after the last activity is refused with
"Votre session a expiré…" and changes nothing; the server-side session's last_seen is the
truth (console/ui.current_actor)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from db.models import ProForma, WebSession
from domain.clock import freeze
from tests.console.conftest import page_text
from tests.factories import TODAY
from tests.workflow.reviewkit import generate
from workflow.accounts import sessions

EXPIRED = "Votre session a expiré"


@pytest.fixture
def short_sessions(world, factory, monkeypatch):
    """A one-minute timeout and a server-side session of cfa1 opened at TODAY."""
    monkeypatch.setenv("SESSION_TIMEOUT_MINUTES", "1")
    with factory.begin() as s:
        return sessions.open_session(s, world.cfa1.user_id, at=TODAY).session_id


def _click(at, label: str):
    next(b for b in at.button if b.label == label).click()
    return at.run()


def _expired(at, factory, web: int) -> None:
    assert not at.exception, at.exception
    assert EXPIRED in page_text(at)
    assert "user_id" not in at.session_state
    with factory() as s:  # nothing moved the session forward
        assert s.get_one(WebSession, web).last_seen_at == TODAY


def test_cancel_confirmed_after_the_timeout_is_refused(world, page, factory, short_sessions):
    (pf_id,) = generate(world, factory, [world.contracts1[0]])
    at = page("cfa_proformas.py", world.cfa1, web_session_id=short_sessions,
              p_dialog={"mode": "cancel", "id": pf_id})
    assert "Cette action rendra les contrats de nouveau éligibles" in page_text(at)
    freeze(TODAY + timedelta(seconds=75))
    at = _click(at, "Confirmer")
    _expired(at, factory, short_sessions)
    with factory() as s:
        assert s.get_one(ProForma, pf_id).status != "cancelled"


def test_generate_confirmed_after_the_timeout_is_refused(world, page, factory,
                                                         short_sessions):
    at = page("cfa_generate.py", world.cfa1, web_session_id=short_sessions)
    at = _click(at, "Générer pro forma pédagogie")
    at = _click(at, "suivant")
    assert not at.exception, at.exception
    with factory() as s:  # the first step generated the invoice; the credit note waits
        before = s.scalar(select(func.count(ProForma.id)))
    freeze(TODAY + timedelta(seconds=75))
    at = _click(at, "Générer")
    _expired(at, factory, short_sessions)
    with factory() as s:
        assert s.scalar(select(func.count(ProForma.id))) == before


def test_within_the_timeout_the_confirmation_goes_through(world, page, factory,
                                                          short_sessions):
    (pf_id,) = generate(world, factory, [world.contracts1[0]])
    at = page("cfa_proformas.py", world.cfa1, web_session_id=short_sessions,
              p_dialog={"mode": "cancel", "id": pf_id})
    freeze(TODAY + timedelta(seconds=50))
    at = _click(at, "Confirmer")
    assert EXPIRED not in page_text(at)
    with factory() as s:
        assert s.get_one(ProForma, pf_id).status == "cancelled"
