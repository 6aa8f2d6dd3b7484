"""Typed narrowings of values the stubs or the callers leave wide: ids from forms and URLs,
SQLAlchemy's Core tables and UPDATE results."""

from __future__ import annotations

from typing import Any, SupportsIndex, SupportsInt

from sqlalchemy import CursorResult, Result, Table
from sqlalchemy.orm import DeclarativeBase


def as_int(value: object) -> int:
    """``int(value)`` for a value of unknown type (an id from a form or a URL): raises
    TypeError or ValueError exactly when ``int()`` would."""
    if isinstance(value, str | bytes | bytearray | SupportsInt | SupportsIndex):
        return int(value)
    raise TypeError(f"int() argument must be a string or a number, not "
                    f"'{type(value).__name__}'")


def table_of(model: type[DeclarativeBase]) -> Table:
    """The Core table of a mapped class (``__table__`` is typed as any FromClause)."""
    table = model.__table__
    assert isinstance(table, Table)
    return table


def rowcount(result: Result[*tuple[Any, ...]]) -> int:
    """Rows matched by an UPDATE or DELETE (its result is a CursorResult)."""
    assert isinstance(result, CursorResult)
    return result.rowcount
