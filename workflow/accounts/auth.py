"""Passwords (argon2), login with a lockout per account and throttling per source.

No plain password is ever stored or logged; outside demo data there is no default password.

How a login is judged (``authenticate``):

- **One answer, one cost.** An unknown address, a wrong password, a locked account and a
  held-back source all get ``BAD_LOGIN`` after exactly one argon2 verification (of a dummy
  hash when there is no account, or when the source is held back), so that neither the text
  nor the time tells whether an account exists or is locked. Only the right password of an
  open account learns more (logged in, or "désactivé").
- **Lockout per account, atomic.** The password is verified first, then the account's row is
  locked (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` serialises the
  whole attempt) and judged on its current state: a failure counts, the ``max_failures``-th
  locks the account for ``lockout_minutes``, and a right password made after that lock is
  refused. Concurrent attempts therefore cannot all read "not locked" and all be counted as
  the first failure. The account's lock never lasts longer than ``lockout_minutes``.
- **Throttling per source.** The source is what the login page knows of the client: the
  address Streamlit gives (``st.context.ip_address``; ``None`` on localhost, then "local").
  Forwarded headers are not trusted (a client writes them). Every failure from a source is
  counted (kept ``SOURCE_MEMORY`` after its last failure); from ``2 × max_failures`` failures
  on, the source is held back ``lockout_minutes``, doubling with each further failure up to
  ``SOURCE_MAX_DELAY``. A held-back source's attempts are answered ``BAD_LOGIN`` without
  looking at the account: they neither log in nor count against it. So one source locks a
  named account once or twice, then can only try at growing intervals, while its owner,
  from another source, gets in once the account's fixed lockout has passed. Many sources
  together can still lock an account for ``lockout_minutes`` at a time; a shared address
  (a proxy, an office) shares its throttling.
- **Changing one's password** counts a wrong current password like a failed login and is
  refused while the account is locked (``change_password``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from db.models import LoginSource, User
from domain.clock import now
from domain.errors import AccessDenied, CountedRefusal, InvalidInput
from workflow.accounts import sessions
from workflow.common import events
from workflow.common.access import Actor, actor_of

_hasher = PasswordHasher()
MIN_PASSWORD = 8
BAD_LOGIN = ("Adresse e-mail ou mot de passe incorrect, ou connexion suspendue après "
             "plusieurs échecs : vérifiez votre saisie ou réessayez dans quelques minutes.")
LOCKED = ("Compte temporairement verrouillé après plusieurs échecs : réessayez dans quelques "
          "minutes.")
SOURCE_MEMORY = timedelta(hours=24)  # a source's failures are forgotten this long after
SOURCE_MAX_DELAY = timedelta(hours=24)  # the longest a source is held back
_dummy_hash: str | None = None
COMMON_PASSWORDS = frozenset({"motdepasse", "password", "azertyuiop", "12345678", "123456789",
                              "azerty123", "qwertyuiop", "password1", "motdepasse1"})


def hash_password(password: str) -> str:
    """An argon2id hash of ``password``."""
    return _hasher.hash(password)


def check_password_strength(password: str) -> None:
    """Raise InvalidInput unless the password is long enough (demo accounts excepted)."""
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(
            "password", f"Le mot de passe doit compter au moins {MIN_PASSWORD} caractères."
        )


def check_new_password(password: str, email: str) -> None:
    """Raise InvalidInput for a weak password (too short, common, or the e-mail itself)."""
    check_password_strength(password)
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or lowered == email.lower() or \
            lowered == email.split("@")[0].lower() or len(set(password)) < 4:
        raise InvalidInput("password", "Ce mot de passe est trop facile à deviner : "
                                       "choisissez-en un autre.")


def change_password(session: Session, actor: Actor, current: str, new: str,
                    confirmation: str, *, keep_session: int | None = None,
                    max_failures: int = 5, lockout_minutes: int = 15) -> None:
    """Replace the actor's password (the only action a provisional password allows).

    Every browser session of the account ends (``workflow.accounts.sessions.revoke_all``) but
    ``keep_session``, the one the change was made from. Raises InvalidInput, with nothing
    changed, for a confirmation that differs, a weak new password or the same one again.
    A wrong current password counts as a failed login (the ``max_failures``-th locks the
    account for ``lockout_minutes``) and raises CountedRefusal: the caller commits that count.
    While the account is locked, even the right current password is refused.
    """
    user = session.get(User, actor.user_id)
    if user is None or not user.active:
        raise AccessDenied("ce compte")
    right = _verify(user.password_hash, current or "")
    user = _locked_row(session, user.id)
    moment = now()
    if _is_locked(user, moment):
        raise CountedRefusal("current", LOCKED)
    if not right:
        _count_failure(user, moment, max_failures, lockout_minutes)
        raise CountedRefusal("current", "Le mot de passe actuel est incorrect.")
    if new != confirmation:
        raise InvalidInput("confirmation", "Les deux saisies du nouveau mot de passe "
                                           "diffèrent.")
    if new == current:
        raise InvalidInput("password", "Le nouveau mot de passe doit être différent de "
                                       "l'actuel.")
    check_new_password(new, user.email)
    user.password_hash = hash_password(new)
    user.must_change_password = False
    user.failed_logins = 0
    session.flush()
    sessions.revoke_all(session, user.id, keep=keep_session)
    events.record(session, actor, "password_changed", entity="user", entity_id=user.id,
                  data={"was_provisional": actor.must_change_password})


@dataclass(frozen=True)
class LoginResult:
    """The outcome of a login attempt: the actor, or the French message to show."""

    actor: Actor | None
    message: str = ""


def authenticate(session: Session, email: str, password: str, *, max_failures: int = 5,
                 lockout_minutes: int = 15, source: str | None = None) -> LoginResult:
    """Check credentials from ``source`` (the client's address, None when unknown): one
    answer and one argon2 verification whatever fails; lockout per account, throttling per
    source (see the module's docstring).

    Returns a LoginResult rather than raising, so that the caller commits the counts.
    """
    moment = now()
    key = _source_key(source)
    held = session.get(LoginSource, key)
    if held is not None and held.blocked_until is not None and held.blocked_until > moment:
        _verify(_dummy(), password)  # same cost; the account is not even looked up
        return LoginResult(None, BAD_LOGIN)
    user = session.scalars(
        select(User).where(func.lower(User.email) == (email or "").strip().lower())
    ).first()
    if user is None:
        _verify(_dummy(), password)  # same cost as a real check: timing reveals nothing
        _source_failure(session, key, moment, max_failures, lockout_minutes)
        return LoginResult(None, BAD_LOGIN)
    right = _verify(user.password_hash, password)
    user = _locked_row(session, user.id)  # judged on its state now, not when first read
    if _is_locked(user, moment) or not right:
        if not _is_locked(user, moment):
            _count_failure(user, moment, max_failures, lockout_minutes)
        _source_failure(session, key, moment, max_failures, lockout_minutes)
        return LoginResult(None, BAD_LOGIN)
    if not user.active:
        return LoginResult(None, "Ce compte est désactivé. Contactez votre gestionnaire.")
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = moment
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return LoginResult(actor_of(user))


def _dummy() -> str:
    """A hash of the same cost as real ones, verified when there is no account to check."""
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = _hasher.hash("aucun compte")
    return _dummy_hash


def _locked_row(session: Session, user_id: int) -> User:
    """The account's row, locked for the rest of the transaction and read afresh."""
    return session.scalars(
        select(User).where(User.id == user_id).with_for_update()
        .execution_options(populate_existing=True)).one()


def _is_locked(user: User, moment: datetime) -> bool:
    return user.locked_until is not None and user.locked_until > moment


def _count_failure(user: User, moment: datetime, max_failures: int,
                   lockout_minutes: int) -> None:
    """One more failure on a row locked by ``_locked_row``; the last allowed one locks it."""
    user.failed_logins = (user.failed_logins or 0) + 1
    if user.failed_logins >= max_failures:
        user.locked_until = moment + timedelta(minutes=lockout_minutes)
        user.failed_logins = 0


def _source_key(source: str | None) -> str:
    return hashlib.sha256(f"login-source:{source or 'local'}".encode()).hexdigest()


def _source_failure(session: Session, key: str, moment: datetime, max_failures: int,
                    lockout_minutes: int) -> None:
    """Count a failure from a source; from ``2 × max_failures`` on, hold it back
    ``lockout_minutes``, doubled by each further failure, at most ``SOURCE_MAX_DELAY``."""
    stmt = (select(LoginSource).where(LoginSource.source_hash == key).with_for_update()
            .execution_options(populate_existing=True))
    row = session.scalars(stmt).first()
    if row is None:
        try:
            with session.begin_nested():  # another attempt may be creating it right now
                session.add(LoginSource(source_hash=key, failures=0, last_failure_at=moment))
        except IntegrityError:
            pass
        row = session.scalars(stmt).one()
    if moment - row.last_failure_at > SOURCE_MEMORY:
        row.failures = 0
    row.failures += 1
    row.last_failure_at = moment
    free = 2 * max_failures
    if row.failures >= free:
        delay = timedelta(minutes=lockout_minutes) * 2 ** min(row.failures - free, 20)
        row.blocked_until = moment + min(delay, SOURCE_MAX_DELAY)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
