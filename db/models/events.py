"""The append-only event log, and the console's keyed rows: settings and counters."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base
from db.types import Code, UtcDateTime, one_of
from domain.vocabulary import Status


class Event(Base):
    """The append-only event log (UPDATE and DELETE are refused by database triggers)."""

    __tablename__ = "event"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    entity: Mapped[str] = mapped_column(String(30))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    pro_forma_id: Mapped[int | None] = mapped_column(ForeignKey("pro_forma.id"), index=True)
    action: Mapped[str] = mapped_column(String(40))
    from_status: Mapped[Status | None] = mapped_column(Code(Status))
    to_status: Mapped[Status | None] = mapped_column(Code(Status))
    reason: Mapped[str | None] = mapped_column(String(200))
    comment: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int | None] = mapped_column(Integer)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    __table_args__ = (
        one_of("from_status", Status),
        one_of("to_status", Status),
        Index("ix_event_action_at", "action", "at"),
        Index("ix_event_pro_forma_action", "pro_forma_id", "action", "id"),
    )


class Setting(Base):
    """A manager setting (service-level target, four-eyes threshold…), stored as text."""

    __tablename__ = "setting"
    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))


class Counter(Base):
    """Named sequences that work the same on SQLite and PostgreSQL (pro forma numbers)."""

    __tablename__ = "counter"
    name: Mapped[str] = mapped_column(String(30), primary_key=True)
    value: Mapped[int] = mapped_column(Integer)
