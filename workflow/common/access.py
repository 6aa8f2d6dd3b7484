"""Who may do what: the acting user and the guards every workflow function calls first.

Access is decided here, never by hiding pages: a CFA user is confined to its own CFA's rows
whatever id it passes, and a missing row and a forbidden row get the same answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Base, User
from domain.errors import AccessDenied, PasswordChangeRequired
from domain.permissions import MANAGER_ROLES, OPCO_ROLES
from domain.vocabulary import Role
from workflow.common.typed import as_int, table_of


@dataclass(frozen=True)
class Actor:
    """The acting user, as every workflow function receives it."""

    user_id: int
    role: Role
    name: str
    email: str
    cfa_id: int | None = None
    must_change_password: bool = False

    @property
    def is_cfa(self) -> bool:
        return self.role is Role.CFA


def load_actor(session: Session, user_id: int) -> Actor:
    """Rebuild the actor from the database; raises AccessDenied for a missing/inactive user."""
    user = session.get(User, user_id)
    if user is None or not user.active:
        raise AccessDenied("ce compte")
    return actor_of(user)


def actor_of(user: User) -> Actor:
    """The Actor of a User row."""
    return Actor(user.id, Role(user.role), user.name, user.email, user.cfa_id,
                 bool(user.must_change_password))


def require_settled_password(actor: Actor) -> None:
    """Raise PasswordChangeRequired while the actor's password is a provisional one."""
    if actor.must_change_password:
        raise PasswordChangeRequired()


def require_role(actor: Actor, *roles: Role) -> None:
    """Raise AccessDenied unless the actor has one of ``roles`` (and a settled password)."""
    require_settled_password(actor)
    if actor.role not in roles:
        raise AccessDenied("cette fonction")


def require_cfa(actor: Actor) -> int:
    """The actor's CFA id; raises AccessDenied for anyone but a CFA user."""
    require_settled_password(actor)
    if actor.role is not Role.CFA or actor.cfa_id is None:
        raise AccessDenied("cette fonction")
    return actor.cfa_id


def require_opco(actor: Actor) -> None:
    """Raise AccessDenied unless the actor is OPCO staff."""
    require_role(actor, *OPCO_ROLES)


def require_manager(actor: Actor) -> None:
    """Raise AccessDenied unless the actor is a manager (or admin)."""
    require_role(actor, *MANAGER_ROLES)


M = TypeVar("M", bound=Base)


def get_owned(session: Session, model: type[M], row_id: object, actor: Actor,
              what: str, *, for_update: bool = False) -> M:
    """Fetch a row that has a ``cfa_id`` and that the actor may see.

    CFA users only reach their own CFA's rows; OPCO staff reach every row. A missing row and a
    forbidden row raise the same AccessDenied, so ids reveal nothing.
    """
    require_settled_password(actor)
    try:
        key = as_int(row_id)
    except (TypeError, ValueError):
        raise AccessDenied(what) from None
    stmt = select(model).where(table_of(model).c.id == key)
    if for_update:
        stmt = stmt.with_for_update()
    row = session.scalars(stmt).first()
    if row is None:
        raise AccessDenied(what)
    if actor.role is Role.CFA and getattr(row, "cfa_id", None) != actor.cfa_id:
        raise AccessDenied(what)
    if actor.role is not Role.CFA and actor.role not in OPCO_ROLES:
        raise AccessDenied(what)
    return row
