"""Case-insensitive "contains" searches, written the cheapest way on each database.

SQLAlchemy's ``ilike`` becomes ``lower(x) LIKE lower(y)`` on SQLite, which calls lower() on
every row searched. SQLite's own LIKE already ignores the case of ASCII letters (and lower()
folds nothing more), so there a plain LIKE gives the same rows for less; PostgreSQL gets ILIKE.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement


class _ContainsCI(FunctionElement[bool]):
    """``column`` contains ``pattern`` (already wrapped in %), ignoring case."""

    type = Boolean()
    inherit_cache = True
    name = "contains_ci"


@compiles(_ContainsCI)
def _like(element: _ContainsCI, compiler: SQLCompiler, **kw: Any) -> str:
    column, pattern = element.clauses
    return f"{compiler.process(column, **kw)} LIKE {compiler.process(pattern, **kw)}"


@compiles(_ContainsCI, "postgresql")
def _ilike(element: _ContainsCI, compiler: SQLCompiler, **kw: Any) -> str:
    column, pattern = element.clauses
    return f"{compiler.process(column, **kw)} ILIKE {compiler.process(pattern, **kw)}"


def contains_ci(column: Any, text: str) -> Any:
    """SQL condition: ``column`` contains ``text``, whatever the case."""
    return _ContainsCI(column, f"%{text}%")
