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
from workflow.access import Actor, actor_of
from workflow.clock import now
from workflow.errors import InvalidInput

_hasher = PasswordHasher()
MIN_PASSWORD = 8
BAD_LOGIN = "Adresse e-mail ou mot de passe incorrect."


def hash_password(password: str) -> str:
    """An argon2id hash of ``password``."""
    return _hasher.hash(password)


def check_password_strength(password: str) -> None:
    """Raise InvalidInput unless the password is long enough (demo accounts excepted)."""
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(
            "password", f"Le mot de passe doit compter au moins {MIN_PASSWORD} caractères."
        )


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
