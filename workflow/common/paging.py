"""A page of rows computed in SQL (LIMIT/OFFSET with a separate COUNT)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar, TypeVarTuple

from sqlalchemy import Row, Select, func, select
from sqlalchemy.orm import Session

R = TypeVar("R")
Ts = TypeVarTuple("Ts")
MAX_PAGE_SIZE = 200


@dataclass(frozen=True)
class Page(Generic[R]):
    """Rows of one page and the total count of the query."""

    rows: list[R]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def paginate(session: Session, stmt: Select[*Ts], page: int, page_size: int,
             count: Select[int] | None = None) -> Page[Row[*Ts]]:
    """Run ``stmt`` for one page (0-based) and count all its rows, both in SQL.

    ``count`` is a cheaper statement counting the same rows, when the caller has one (e.g.
    without the joins that only serve the displayed columns).
    """
    total = session.execute(
        count if count is not None
        else select(func.count()).select_from(stmt.order_by(None).subquery())
    ).scalar_one()
    index, size = window(total, page, page_size)
    rows = list(session.execute(stmt.limit(size).offset(index * size)).all())
    return Page(rows, total, index, size)


def window(total: int, page: int, page_size: int) -> tuple[int, int]:
    """The page index (0-based, clamped to the last page of ``total`` rows) and its size."""
    size = max(1, min(int(page_size), MAX_PAGE_SIZE))
    return max(0, min(int(page), max(0, (total - 1) // size))), size


C = TypeVar("C")
IN_LIST = 500  # values per IN (…) list: within SQLite's and PostgreSQL's parameter limits


def chunks(items: Sequence[C], size: int = IN_LIST) -> Iterable[list[C]]:
    """``items`` in consecutive lists of at most ``size`` (for IN (…) queries)."""
    for k in range(0, len(items), size):
        yield list(items[k:k + size])
