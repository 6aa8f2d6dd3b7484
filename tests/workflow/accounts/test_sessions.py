"""Server-side browser sessions (workflow/sessions.py), on a real database.

A session opens with a one-time ticket; the ticket is redeemed once, within 60 s, for the
token that only the signed cookie carries; the token resolves to its user while the session is
live; inactivity, logout, a password change or reset and a deactivation end it; a forged or
tampered cookie resolves to nothing; only hashes are stored.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from db.models import Setting, WebSession
from domain.errors import AccessDenied
from tests.factories import PASSWORD
from workflow.accounts import admin, sessions
from workflow.accounts.auth import change_password

T0 = datetime(2026, 11, 27, 9, 0, 0, tzinfo=UTC)
TIMEOUT = 30


def opened(factory, user_id: int, at: datetime = T0) -> tuple[int, str]:
    """Open a session and redeem its ticket: (session id, cookie token)."""
    with factory.begin() as s:
        new = sessions.open_session(s, user_id, at=at)
    with factory.begin() as s:
        token = sessions.redeem_ticket(s, new.ticket, at=at + timedelta(seconds=1))
    assert token
    return new.session_id, token


def resolve(factory, token: object, at: datetime) -> sessions.Resolved | None:
    with factory.begin() as s:
        return sessions.resolve(s, token, timeout_minutes=TIMEOUT, at=at)


def check(factory, session_id: int, at: datetime) -> str:
    with factory.begin() as s:
        return sessions.check(s, session_id, timeout_minutes=TIMEOUT, at=at)


def test_open_redeem_resolve_and_only_hashes_are_stored(world, factory):
    with factory.begin() as s:
        new = sessions.open_session(s, world.cfa1.user_id, at=T0)
    with factory.begin() as s:
        token = sessions.redeem_ticket(s, new.ticket, at=T0 + timedelta(seconds=5))
    assert token and token != new.ticket
    assert resolve(factory, token, T0 + timedelta(minutes=1)) == sessions.Resolved(
        new.session_id, world.cfa1.user_id)
    with factory() as s:
        row = s.get_one(WebSession, new.session_id)
        stored = {str(v) for v in (row.token_hash, row.ticket_hash, row.ticket_expires_at)}
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert row.ticket_hash is None and row.ticket_expires_at is None  # redeemed: gone
    assert token not in stored and new.ticket not in stored


def test_a_ticket_is_single_use(world, factory):
    with factory.begin() as s:
        new = sessions.open_session(s, world.cfa1.user_id, at=T0)
    with factory.begin() as s:
        first = sessions.redeem_ticket(s, new.ticket, at=T0)
    with factory.begin() as s:
        second = sessions.redeem_ticket(s, new.ticket, at=T0)
    assert first and second is None
    assert resolve(factory, first, T0) is not None


def test_a_ticket_expires_after_sixty_seconds(world, factory):
    with factory.begin() as s:
        late = sessions.open_session(s, world.cfa1.user_id, at=T0)
        on_time = sessions.open_session(s, world.cfa1.user_id, at=T0)
    with factory.begin() as s:
        assert sessions.redeem_ticket(s, late.ticket, at=T0 + timedelta(seconds=61)) is None
        assert sessions.redeem_ticket(s, on_time.ticket, at=T0 + timedelta(seconds=59))


@pytest.mark.parametrize("ticket", ["", "x" * 43, "x" * 5000, None, 12, "' OR 1=1 --"])
def test_an_unknown_ticket_gives_nothing(world, factory, ticket):
    with factory.begin() as s:
        sessions.open_session(s, world.cfa1.user_id, at=T0)
    with factory.begin() as s:
        assert sessions.redeem_ticket(s, ticket, at=T0) is None


def test_inactivity_expires_and_activity_keeps_alive(world, factory):
    sid, token = opened(factory, world.cfa1.user_id)
    # active every 20 minutes for two hours: never expires (the timeout is 30 minutes)
    for minutes in range(20, 121, 20):
        assert check(factory, sid, T0 + timedelta(minutes=minutes)) == sessions.ACTIVE
    last = T0 + timedelta(minutes=120)
    assert resolve(factory, token, last + timedelta(minutes=TIMEOUT)) is not None
    assert resolve(factory, token, last + timedelta(minutes=TIMEOUT, seconds=1)) is None
    assert check(factory, sid, last + timedelta(minutes=TIMEOUT + 1)) == sessions.EXPIRED


def test_touch_writes_at_most_once_a_minute(world, factory):
    sid, _ = opened(factory, world.cfa1.user_id)
    with factory.begin() as s:
        seen = s.get_one(WebSession, sid).last_seen_at
        assert not sessions.touch(s, sid, at=seen + timedelta(seconds=59))
        assert sessions.touch(s, sid, at=seen + timedelta(seconds=60))
        assert not sessions.touch(s, sid, at=seen + timedelta(seconds=90))
    for second in range(61, 120, 7):  # check() touches through the same rule
        check(factory, sid, seen + timedelta(seconds=second))
    with factory() as s:
        assert s.get_one(WebSession, sid).last_seen_at == seen + timedelta(seconds=60)


def test_logout_revokes_the_session_only(world, factory):
    sid, token = opened(factory, world.cfa1.user_id)
    other_sid, other = opened(factory, world.cfa1.user_id)
    with factory.begin() as s:
        sessions.revoke(s, sid, at=T0)
    assert resolve(factory, token, T0) is None
    assert check(factory, sid, T0) == sessions.REVOKED
    assert resolve(factory, other, T0) == sessions.Resolved(other_sid, world.cfa1.user_id)


def test_logout_by_cookie_token(world, factory):
    _, token = opened(factory, world.cfa1.user_id)
    with factory.begin() as s:
        sessions.revoke_token(s, token, at=T0)
        sessions.revoke_token(s, "not a token", at=T0)
    assert resolve(factory, token, T0) is None


def test_a_revoked_session_ticket_cannot_be_redeemed(world, factory):
    with factory.begin() as s:
        new = sessions.open_session(s, world.cfa1.user_id, at=T0)
        sessions.revoke(s, new.session_id, at=T0)
    with factory.begin() as s:
        assert sessions.redeem_ticket(s, new.ticket, at=T0) is None


def test_a_password_change_ends_every_other_session(world, factory):
    """The browser that changed the password stays in; every other tab or browser is out."""
    here, here_token = opened(factory, world.cfa1.user_id)
    there, there_token = opened(factory, world.cfa1.user_id)
    _, others_token = opened(factory, world.cfa2.user_id)
    with factory.begin() as s:
        change_password(s, world.cfa1, PASSWORD, "une phrase neuve", "une phrase neuve",
                        keep_session=here)
    with factory.begin() as s:
        states = {sid: sessions.check(s, sid, timeout_minutes=10**6) for sid in (here, there)}
    assert states == {here: sessions.ACTIVE, there: sessions.REVOKED}
    assert resolve(factory, there_token, T0) is None
    assert resolve(factory, others_token, T0) is not None  # another account: untouched
    assert here_token != there_token


def test_a_password_change_without_a_session_to_keep_ends_them_all(world, factory):
    sid, _ = opened(factory, world.cfa1.user_id)
    with factory.begin() as s:
        change_password(s, world.cfa1, PASSWORD, "une phrase neuve", "une phrase neuve")
    assert check(factory, sid, T0) == sessions.REVOKED


def test_a_refused_password_change_ends_nothing(world, factory):
    sid, _ = opened(factory, world.cfa1.user_id)
    with pytest.raises(Exception), factory.begin() as s:  # noqa: B017 - any refusal
        change_password(s, world.cfa1, "wrong", "une phrase neuve", "une phrase neuve")
    assert check(factory, sid, T0) == sessions.ACTIVE


def test_a_reset_password_ends_every_session(world, factory):
    sid, token = opened(factory, world.cfa1.user_id)
    with factory.begin() as s:
        admin.reset_password(s, world.manager, world.cfa1.user_id)
    assert check(factory, sid, T0) == sessions.REVOKED
    assert resolve(factory, token, T0) is None


def test_deactivation_ends_every_session_and_reactivation_revives_none(world, factory):
    sid, token = opened(factory, world.cfa1.user_id)
    with factory.begin() as s:
        admin.set_user_active(s, world.manager, world.cfa1.user_id, False)
    assert check(factory, sid, T0) == sessions.REVOKED
    assert resolve(factory, token, T0) is None
    with factory.begin() as s:
        admin.set_user_active(s, world.manager, world.cfa1.user_id, True)
    assert resolve(factory, token, T0) is None


def test_an_inactive_account_resolves_to_nothing_even_unrevoked(world, factory):
    """Deactivated behind the workflow's back (no revocation): still refused."""
    from sqlalchemy import update

    from db.models import User

    sid, token = opened(factory, world.cfa1.user_id)
    with factory.begin() as s:
        s.execute(update(User).where(User.id == world.cfa1.user_id).values(active=False))
    assert resolve(factory, token, T0) is None
    assert check(factory, sid, T0) == sessions.INACTIVE
    with pytest.raises(AccessDenied), factory.begin() as s:
        sessions.open_session(s, world.cfa1.user_id, at=T0)


def test_a_signed_cookie_round_trips_and_a_forged_one_resolves_to_nothing(world, factory):
    _, token = opened(factory, world.cfa1.user_id)
    with factory.begin() as s:
        secret = sessions.signing_secret(s)
    cookie = sessions.sign(token, secret)
    assert sessions.unsign(cookie, secret) == token
    assert resolve(factory, sessions.unsign(cookie, secret), T0) is not None
    # a character inside the signature (the last one carries padding bits that decode alike)
    flipped = cookie[:-5] + ("A" if cookie[-5] != "A" else "Q") + cookie[-4:]
    forged = [
        token,  # the bare token, unsigned
        flipped,  # signature tampered
        "x" + cookie,  # token tampered
        sessions.sign(token, "another secret"),  # signed with another secret
        sessions.sign("a" * 43, secret),  # a well-signed token that was never issued
        "", "." * 10, "é" * 50, "x" * 5000, None,
    ]
    for value in forged:
        found = sessions.unsign(value, secret)
        assert resolve(factory, found, T0) is None, value


def test_the_signing_secret_is_generated_once_and_kept(world, factory):
    with factory.begin() as s:
        first = sessions.signing_secret(s)
    with factory.begin() as s:
        assert sessions.signing_secret(s) == first
        assert sessions.signing_secret(s, "from the environment") == "from the environment"
    assert len(first) == 64
    with factory() as s:
        assert s.scalars(select(Setting.value).where(
            Setting.key == sessions.SIGNING_SETTING)).all() == [first]


def test_a_ticket_redeemed_twice_at_once_gives_one_token(world, factory):
    """Two concurrent requests with the same ticket (real connections, a barrier): one token."""
    from tests.workflow.common.test_races import race

    with factory.begin() as s:
        new = sessions.open_session(s, world.cfa1.user_id)
    results = race(factory, *[lambda s: sessions.redeem_ticket(s, new.ticket)] * 2)
    assert sorted(r is None for r in results) == [False, True], results


def test_sessions_dead_for_thirty_days_go_at_the_next_login(world, factory):
    old, _ = opened(factory, world.cfa1.user_id, at=T0 - timedelta(days=40))  # idle 40 days
    recent, _ = opened(factory, world.cfa1.user_id, at=T0 - timedelta(days=40))
    with factory.begin() as s:
        sessions.touch(s, recent, at=T0 - timedelta(days=1))
        sessions.revoke(s, recent, at=T0 - timedelta(days=1))  # revoked yesterday: kept
        others = sessions.open_session(s, world.cfa2.user_id, at=T0 - timedelta(days=40))
    with factory.begin() as s:
        new = sessions.open_session(s, world.cfa1.user_id, at=T0)
    with factory() as s:
        left = set(s.scalars(select(WebSession.id)))
    assert left == {recent, new.session_id, others.session_id}
    assert old not in left
