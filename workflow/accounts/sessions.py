"""Browser sessions kept on the server, behind a signed HttpOnly cookie.

The life of a session:

1. the login form authenticates the user and calls ``open_session``: a ``web_session`` row
   and a one-time *ticket* (valid ``TICKET_SECONDS``) that the page hands to the browser;
2. the browser posts the ticket to the console's own route (``console/entry/server.py``), which
   calls ``redeem_ticket``: a new random *token* whose sha256 replaces the ticket's, and which
   goes back to the browser only inside the signed cookie (``sign``) set by the HTTP response;
3. on a fresh page load (F5, a copied link) the console reads the cookie, checks its signature
   (``unsign``) and calls ``resolve``; on every run of an open page it calls ``check``, which
   also moves ``last_seen_at`` forward (``touch``, at most once a minute);
4. ``revoke`` (logout) and ``revoke_all`` (password change, reset, deactivation) end it; its
   row is deleted at the account's next login once it has been dead for ``KEEP_DEAD``.

Neither the token nor the ticket is ever stored: only their sha256. A session is dead when it
is unknown, revoked, idle longer than the timeout, or when its account is inactive. Functions
take a SQLAlchemy session and never commit: the caller owns the transaction.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeGuard

from itsdangerous import BadSignature, Signer
from sqlalchemy import delete, exists, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from db.models import Setting, User, WebSession
from domain.clock import now
from domain.errors import AccessDenied
from workflow.common.typed import rowcount

COOKIE_NAME = "aa_session"
TICKET_SECONDS = 60
TOUCH_EVERY = timedelta(minutes=1)
KEEP_DEAD = timedelta(days=30)  # a dead session row is deleted at its account's next login
SIGNING_SETTING = "session_secret"  # the generated signing secret, when SESSION_SECRET is unset
_SALT = "action-apprentissage.session-cookie"
_MAX_INPUT = 200  # a ticket, token or cookie longer than this is not ours

ACTIVE, UNKNOWN, REVOKED, EXPIRED, INACTIVE = "active", "unknown", "revoked", "expired", \
    "inactive"


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def _plausible(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and 0 < len(value) <= _MAX_INPUT


@dataclass(frozen=True)
class Opened:
    """A new session: its id (kept by the page that logged in) and its one-time ticket."""

    session_id: int
    ticket: str


@dataclass(frozen=True)
class Resolved:
    """The live session a cookie's token stands for."""

    session_id: int
    user_id: int


def open_session(session: Session, user_id: int, *, at: datetime | None = None) -> Opened:
    """Open a session for an authenticated, active user; return its id and its ticket.

    The ticket is redeemable once, within ``TICKET_SECONDS``, for the cookie's token.
    """
    user = session.get(User, user_id)
    if user is None or not user.active:
        raise AccessDenied("ce compte")
    moment = at or now()
    # the account's sessions dead for a while go (the table does not grow with every login)
    long_ago = moment - KEEP_DEAD
    session.execute(delete(WebSession).where(
        WebSession.user_id == user.id,
        or_(WebSession.revoked_at < long_ago, WebSession.last_seen_at < long_ago)))
    ticket = secrets.token_urlsafe(32)
    row = WebSession(user_id=user.id, ticket_hash=_digest(ticket),
                     ticket_expires_at=moment + timedelta(seconds=TICKET_SECONDS),
                     created_at=moment, last_seen_at=moment)
    session.add(row)
    session.flush()
    return Opened(row.id, ticket)


def redeem_ticket(session: Session, ticket: object, *, at: datetime | None = None) -> str | None:
    """Exchange a ticket for the session's token (returned once, stored only as its hash).

    None when the ticket is unknown, already used, expired, or its session is revoked or its
    account inactive. One atomic UPDATE: two concurrent redemptions give one token.
    """
    if not _plausible(ticket):
        return None
    moment = at or now()
    token = secrets.token_urlsafe(32)
    done = session.execute(
        update(WebSession)
        .where(WebSession.ticket_hash == _digest(ticket),
               WebSession.ticket_expires_at > moment,
               WebSession.revoked_at.is_(None),
               WebSession.token_hash.is_(None),
               exists().where(User.id == WebSession.user_id, User.active.is_(True)))
        .values(token_hash=_digest(token), ticket_hash=None, ticket_expires_at=None,
                last_seen_at=moment)
        .execution_options(synchronize_session=False)
    )
    return token if rowcount(done) == 1 else None


def _judge(row: WebSession | None, active: bool, moment: datetime,
           timeout_minutes: int) -> str:
    if row is None:
        return UNKNOWN
    if row.revoked_at is not None:
        return REVOKED
    if not active:
        return INACTIVE
    if moment - row.last_seen_at > timedelta(minutes=timeout_minutes):
        return EXPIRED
    return ACTIVE


def resolve(session: Session, token: object, *, timeout_minutes: int,
            at: datetime | None = None) -> Resolved | None:
    """The live session of a cookie's token, or None (unknown, revoked, expired after
    ``timeout_minutes`` without activity, or inactive account). Reads only."""
    if not _plausible(token):
        return None
    found = session.execute(
        select(WebSession, User.active).join(User, User.id == WebSession.user_id)
        .where(WebSession.token_hash == _digest(token))
    ).first()
    row, active = (found[0], bool(found[1])) if found else (None, False)
    if _judge(row, active, at or now(), timeout_minutes) != ACTIVE:
        return None
    assert row is not None
    return Resolved(row.id, row.user_id)


def check(session: Session, session_id: int, *, timeout_minutes: int,
          at: datetime | None = None) -> str:
    """The state of a session a page holds: ``ACTIVE``, ``UNKNOWN``, ``REVOKED``, ``EXPIRED``
    or ``INACTIVE``. An active session is touched (at most one write a minute)."""
    moment = at or now()
    found = session.execute(
        select(WebSession, User.active).join(User, User.id == WebSession.user_id)
        .where(WebSession.id == session_id)
    ).first()
    row, active = (found[0], bool(found[1])) if found else (None, False)
    verdict = _judge(row, active, moment, timeout_minutes)
    if verdict == ACTIVE and row is not None and moment - row.last_seen_at >= TOUCH_EVERY:
        touch(session, row.id, at=moment)
    return verdict


def touch(session: Session, session_id: int, *, at: datetime | None = None) -> bool:
    """Record activity on a live session, unless it was recorded less than a minute ago
    (no write per rerun). True when the row was updated."""
    moment = at or now()
    done = session.execute(
        update(WebSession)
        .where(WebSession.id == session_id, WebSession.revoked_at.is_(None),
               WebSession.last_seen_at <= moment - TOUCH_EVERY)
        .values(last_seen_at=moment)
        .execution_options(synchronize_session=False)
    )
    return rowcount(done) == 1


def revoke(session: Session, session_id: int, *, at: datetime | None = None) -> None:
    """End one session (logout); its cookie resolves to nothing from now on."""
    session.execute(
        update(WebSession)
        .where(WebSession.id == session_id, WebSession.revoked_at.is_(None))
        .values(revoked_at=at or now(), ticket_hash=None, ticket_expires_at=None)
        .execution_options(synchronize_session=False)
    )


def revoke_token(session: Session, token: object, *, at: datetime | None = None) -> None:
    """End the session of a cookie's token (the logout route), if there is one."""
    if not _plausible(token):
        return
    session.execute(
        update(WebSession)
        .where(WebSession.token_hash == _digest(token),
               WebSession.revoked_at.is_(None))
        .values(revoked_at=at or now())
        .execution_options(synchronize_session=False)
    )


def revoke_all(session: Session, user_id: int, *, keep: int | None = None,
               at: datetime | None = None) -> int:
    """End every session of an account (password changed or reset, account deactivated),
    except ``keep`` (the session that changed its own password). Returns how many ended."""
    stmt = (update(WebSession)
            .where(WebSession.user_id == user_id, WebSession.revoked_at.is_(None))
            .values(revoked_at=at or now(), ticket_hash=None, ticket_expires_at=None)
            .execution_options(synchronize_session=False))
    if keep is not None:
        stmt = stmt.where(WebSession.id != keep)
    return rowcount(session.execute(stmt))


# --- the cookie's signature ------------------------------------------------------------------

def signing_secret(session: Session, configured: str | None = None) -> str:
    """The secret that signs cookies: ``configured`` (env ``SESSION_SECRET``) when given, else
    a random one generated once and kept in the ``setting`` table, so that it survives
    restarts and is shared by every process on the same database."""
    if configured:
        return configured
    row = session.get(Setting, SIGNING_SETTING)
    if row is not None:
        return row.value
    value = secrets.token_hex(32)
    try:
        with session.begin_nested():  # another process may be creating it right now
            session.add(Setting(key=SIGNING_SETTING, value=value))
    except IntegrityError:
        return session.get_one(Setting, SIGNING_SETTING, populate_existing=True).value
    return value


def _signer(secret: str) -> Signer:
    return Signer(secret, salt=_SALT, digest_method=hashlib.sha256)


def sign(token: str, secret: str) -> str:
    """The cookie's value: the token and its signature."""
    return _signer(secret).sign(token).decode("ascii")


def unsign(value: object, secret: str) -> str | None:
    """The token of a cookie whose signature holds, else None (forged, tampered, garbage)."""
    if not isinstance(value, str) or not 0 < len(value) <= 2 * _MAX_INPUT:
        return None
    try:
        return _signer(secret).unsign(value.encode("ascii")).decode("ascii")
    except (BadSignature, UnicodeError):
        return None
