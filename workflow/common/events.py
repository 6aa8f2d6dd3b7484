"""The append-only event log: one row per state change, written in the caller's transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from db.models import Event
from domain.clock import now
from workflow.common.access import Actor
from workflow.common.typed import table_of


def record(session: Session, actor: Actor | None, action: str, *, entity: str = "pro_forma",
           entity_id: int | None = None, pro_forma_id: int | None = None,
           from_status: str | None = None, to_status: str | None = None,
           reason: str | None = None, comment: str | None = None,
           version: int | None = None, data: dict[str, Any] | None = None,
           at: datetime | None = None) -> None:
    """Append one event, written at once in the caller's transaction.

    A plain INSERT rather than an ORM object: the log is never updated, so nothing is gained
    by tracking the row, and hot paths such as "Prendre le suivant" skip a unit-of-work flush.
    """
    session.execute(_INSERT, {
        "at": at or now(), "actor_id": actor.user_id if actor else None, "entity": entity,
        "entity_id": entity_id if entity_id is not None else pro_forma_id,
        "pro_forma_id": pro_forma_id, "action": action, "from_status": from_status,
        "to_status": to_status, "reason": reason, "comment": comment, "version": version,
        "data": data or {},
    })


_INSERT = insert(table_of(Event))


def history(session: Session, pro_forma_id: int) -> list[Event]:
    """The events of one pro forma, oldest first (access is checked by the caller)."""
    stmt = select(Event).where(Event.pro_forma_id == pro_forma_id).order_by(Event.id)
    return list(session.scalars(stmt))
