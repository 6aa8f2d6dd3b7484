"""Bulk inserts for the contract import and its recompute.

SQLite runs a table's INSERT triggers (the vocabulary rules of migrations 0012 and 0016: the
``ck_<table>_<column>`` triggers on ``contract``, ``contract_change`` and ``echeance``) as a
sub-program of each statement; with ``executemany`` every row is a statement of its own, and
each one pays that set-up again: about 10 µs a row, whatever the trigger's condition (an empty
``WHEN 0`` trigger costs the same), 1.0–1.3 s of the 10,000-contract bench's 90,000
échéances. So on SQLite the rows go first into a temporary table of the same column types
(no trigger, no index, the same bind conversions), then into the table in one
``INSERT … SELECT``: every row still passes every trigger, foreign key and constraint, and the
trigger set-up is paid once. Other databases (PostgreSQL: CHECK constraints, no trigger) take
the rows by ``executemany`` as before.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Column, Connection, MetaData, Table, insert, select

BATCH = 20_000  # rows per executemany (bounds the memory of one call)


def bulk_insert(conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert ``rows`` (dicts of the same columns) into ``table``, in their order: on SQLite,
    their ids (an INTEGER PRIMARY KEY, the transaction holding the write lock) are
    consecutive, in that order."""
    if not rows:
        return
    names = list(rows[0])
    if conn.dialect.name != "sqlite":
        for part in range(0, len(rows), BATCH):
            conn.execute(insert(table), rows[part:part + BATCH])
        return
    staging = Table(f"staging_{table.name}", MetaData(),
                    Column("_order", primary_key=True, type_=table.c.id.type),
                    *[Column(name, table.c[name].type) for name in names],
                    prefixes=["TEMPORARY"])
    staging.create(conn)
    try:
        for part in range(0, len(rows), BATCH):
            conn.execute(insert(staging), rows[part:part + BATCH])
        conn.execute(insert(table).from_select(
            names, select(*[staging.c[name] for name in names]).order_by(staging.c._order)))
    finally:
        staging.drop(conn)
