"""A column type for the domain's vocabulary: stored as the code string (``Status.PAID`` is
``'paid'`` in SQL, so existing data and hand-written SQL keep working), read back as the enum."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Generic, TypeVar

from sqlalchemy import CheckConstraint, Dialect, String
from sqlalchemy.types import TypeDecorator

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
