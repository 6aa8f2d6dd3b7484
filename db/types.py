"""Column types shared by the models.

``Code``: the domain's vocabulary, stored as the code string (``Status.PAID`` is ``'paid'`` in
SQL, so existing data and hand-written SQL keep working), read back as the enum.

``UtcDateTime``: moments stored in UTC, ``timestamptz`` on PostgreSQL and the usual naive
``DATETIME`` text on SQLite (which has no time zones), always holding UTC. It accepts only aware
datetimes (a naive one raises: nothing local slips in) and always returns aware datetimes in
UTC, on both engines (SQLAlchemy's ``DateTime(timezone=True)`` alone would return naive values
on SQLite).
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Generic, TypeVar

from sqlalchemy import CheckConstraint, DateTime, String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

E = TypeVar("E", bound=StrEnum)


class Code(TypeDecorator[E], Generic[E]):
    """``String(length)`` holding the value of a ``StrEnum``; the enum when read."""

    impl = String
    cache_ok = True

    def __init__(self, enum: type[E], length: int = 20) -> None:
        super().__init__(length)
        self.enum = enum

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else str(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> E | None:
        return None if value is None else self.enum(value)


def one_of(column: str, values: type[StrEnum] | tuple[str, ...]) -> CheckConstraint:
    """A CHECK constraint named after ``column`` (``ck_<table>_<column>``) keeping it within
    the vocabulary (NULL passes: nullability is the column's own business)."""
    codes = tuple(v.value for v in values) if isinstance(values, type) else values
    listed = ", ".join(f"'{c}'" for c in codes)
    return CheckConstraint(f"{column} IN ({listed})", name=column)


class UtcDateTime(TypeDecorator[datetime]):
    """An aware moment, stored in UTC (timestamptz on PostgreSQL, UTC text on SQLite)."""

    impl = DateTime
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(DateTime(timezone=True))
        return dialect.type_descriptor(DateTime())

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"UtcDateTime expects a datetime, got {type(value).__name__}")
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: store aware datetimes only (UTC)")
        value = value.astimezone(UTC)
        return value if dialect.name == "postgresql" else value.replace(tzinfo=None)

    def process_result_value(self, value: datetime | None,
                             dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
