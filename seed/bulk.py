"""Bulk inserts for the national data set: COPY on PostgreSQL, executemany on SQLite."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, Table, insert

from domain.clock import utc


def bulk(engine: Engine, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert many rows fast: COPY on PostgreSQL, executemany on SQLite."""
    if not rows:
        return
    cols = list(rows[0])
    if engine.dialect.name == "sqlite":
        _sqlite_bulk(engine, table, cols, rows)
        return
    if engine.dialect.name == "postgresql":
        raw = engine.raw_connection()
        try:
            with raw.cursor() as cur:  # type: ignore[attr-defined]
                names = ", ".join(f'"{c}"' for c in cols)
                with cur.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
                    for r in rows:
                        copy.write_row([json.dumps(r[c]) if isinstance(r[c], dict | list)
                                        else r[c] for c in cols])
            raw.commit()
        finally:
            raw.close()
        return
    with engine.begin() as conn:
        conn.execute(insert(table), list(rows))


def _sqlite_converter(value: Any) -> Callable[[Any], Any] | None:
    """How SQLAlchemy would bind a value of this type on SQLite (None: as it is)."""
    if isinstance(value, Decimal):
        return float
    if isinstance(value, datetime):
        # UTC text, as db.types.UtcDateTime stores it (a naive value is Paris local time)
        return lambda v: v if v is None else (
            utc(v).replace(tzinfo=None).isoformat(" ", "microseconds"))
    if isinstance(value, date):
        return lambda v: v if v is None else v.isoformat()
    if isinstance(value, dict | list):
        return json.dumps
    return None


def _sqlite_bulk(engine: Engine, table: Table, cols: list[str],
                 rows: Sequence[dict[str, Any]]) -> None:
    """executemany through the raw driver: SQLAlchemy's per-row binding costs more than the
    insert itself at this volume. Converters are chosen per column from the table's types."""
    sample = {c: next((r[c] for r in rows if r[c] is not None), None) for c in cols}
    convert = [(c, _sqlite_converter(sample[c])) for c in cols]
    names = ", ".join(f'"{c}"' for c in cols)
    sql = (f"INSERT INTO {table.name} ({names}) "
           f"VALUES ({', '.join('?' for _ in cols)})")
    data = [tuple(r[c] if f is None or r[c] is None else f(r[c]) for c, f in convert)
            for r in rows]
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute("BEGIN")
        cur.executemany(sql, data)
        cur.execute("COMMIT")
    finally:
        raw.close()
