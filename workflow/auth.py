"""Passwords (argon2) and login with a lockout after repeated failures.

No plain password is ever stored or logged; outside demo data there is no default password.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import User
from workflow import events, sessions
from workflow.access import Actor, actor_of
from workflow.clock import now
from workflow.errors import AccessDenied, InvalidInput

_hasher = PasswordHasher()
MIN_PASSWORD = 8
BAD_LOGIN = "Adresse e-mail ou mot de passe incorrect."
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
                    confirmation: str, *, keep_session: int | None = None) -> None:
    """Replace the actor's password (the only action a provisional password allows).

    Every browser session of the account ends (``workflow.sessions.revoke_all``) but
    ``keep_session``, the one the change was made from. Raises InvalidInput, with nothing
    changed, for a wrong current password, a confirmation that differs, a weak new password or
    the same one again.
    """
    user = session.get(User, actor.user_id)
    if user is None or not user.active:
        raise AccessDenied("ce compte")
    if not _verify(user.password_hash, current or ""):
        raise InvalidInput("current", "Le mot de passe actuel est incorrect.")
    if new != confirmation:
        raise InvalidInput("confirmation", "Les deux saisies du nouveau mot de passe "
                                           "diffèrent.")
    if new == current:
        raise InvalidInput("password", "Le nouveau mot de passe doit être différent de "
                                       "l'actuel.")
    check_new_password(new, user.email)
    user.password_hash = hash_password(new)
    user.must_change_password = False
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
                 lockout_minutes: int = 15) -> LoginResult:
    """Check credentials; count failures and lock the account after ``max_failures``.

    Returns a LoginResult rather than raising, so that the caller commits the failure count.
    """
    user = session.scalars(
        select(User).where(func.lower(User.email) == email.strip().lower())
    ).first()
    if user is None:
        _hasher.hash(password)  # same cost as a real check: timing reveals nothing
        return LoginResult(None, BAD_LOGIN)
    moment = now()
    if user.locked_until is not None and user.locked_until > moment:
        return LoginResult(None, "Compte temporairement verrouillé après plusieurs échecs : "
                                 "réessayez dans quelques minutes.")
    if not _verify(user.password_hash, password):
        user.failed_logins += 1
        if user.failed_logins >= max_failures:
            user.locked_until = moment + timedelta(minutes=lockout_minutes)
            user.failed_logins = 0
        return LoginResult(None, BAD_LOGIN)
    if not user.active:
        return LoginResult(None, "Ce compte est désactivé. Contactez votre gestionnaire.")
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = moment
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return LoginResult(actor_of(user))


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
