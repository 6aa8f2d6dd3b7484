"""Login: argon2 hashes, lockout after repeated failures, inactive accounts."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from db.models import User
from tests.factories import PASSWORD, TODAY
from workflow.auth import authenticate
from workflow.clock import freeze


def test_good_password_logs_in_and_hash_is_argon2(world, factory):
    with factory.begin() as s:
        result = authenticate(s, "CFA1@test.fr ", PASSWORD)
        assert result.actor is not None and result.actor.cfa_id == world.cfa1_id
        hashes = s.scalars(select(User.password_hash)).all()
    assert all(h.startswith("$argon2") for h in hashes)
    assert all(PASSWORD not in h for h in hashes)


def test_unknown_user_and_bad_password_get_the_same_message(world, factory):
    with factory.begin() as s:
        a = authenticate(s, "nobody@test.fr", PASSWORD)
        b = authenticate(s, "cfa1@test.fr", "wrong")
    assert a.actor is None and b.actor is None and a.message == b.message


def test_lockout_after_repeated_failures_then_release(world, factory):
    for _ in range(3):
        with factory.begin() as s:
            assert authenticate(s, "cfa1@test.fr", "wrong", max_failures=3).actor is None
    with factory.begin() as s:
        locked = authenticate(s, "cfa1@test.fr", PASSWORD, max_failures=3)
    assert locked.actor is None and "verrouillé" in locked.message
    freeze(TODAY + timedelta(minutes=16))
    with factory.begin() as s:
        assert authenticate(s, "cfa1@test.fr", PASSWORD, max_failures=3).actor is not None


def test_inactive_account_cannot_log_in(world, factory):
    with factory.begin() as s:
        s.scalars(select(User).where(User.email == "cfa1@test.fr")).one().active = False
    with factory.begin() as s:
        result = authenticate(s, "cfa1@test.fr", PASSWORD)
    assert result.actor is None and "désactivé" in result.message
