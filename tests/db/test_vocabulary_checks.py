"""Migration 0012 on a database holding the small demo (built at head, then taken down to
0011, since later features write tables 0011 does not have): from 0011 to head, every vocabulary
column refuses a code outside its enum (CHECK constraints on PostgreSQL, triggers on SQLite);
the downgrade lifts the rule again; no row is lost either way."""

from __future__ import annotations

from datetime import date

import pytest
from alembic import command
from sqlalchemy import func, inspect, select, text
from sqlalchemy.exc import IntegrityError

from db.migrate import alembic_config, upgrade
from db.models import Base, ProForma, User
from seed.small import build_small

BAD = [
    "UPDATE pro_forma SET status = 'archived'",
    "UPDATE pro_forma SET nature = 'voyage'",
    "UPDATE pro_forma SET kind = 'devis'",
    "UPDATE pro_forma SET settlement_mode = 'cheque' WHERE kind = 'credit_note'",
    "UPDATE echeance SET nature = 'voyage'",
    "UPDATE app_user SET role = 'auditeur'",
    "UPDATE cfa SET default_settlement = 'cheque'",
    "UPDATE check_result SET outcome = 'maybe'",
    "UPDATE decision SET outcome = 'postponed'",
]


def _counts(engine, names: set[str] | None = None) -> dict[str, int]:
    """Rows per table, for the tables of ``names`` (default: those the database has now)."""
    names = names or set(inspect(engine).get_table_names())
    with engine.connect() as conn:
        return {name: conn.execute(select(func.count()).select_from(table)).scalar_one()
                for name, table in Base.metadata.tables.items() if name in names}


def test_0012_keeps_the_vocabulary_columns_within_their_codes(engine, factory):
    cfg = alembic_config(engine)
    try:
        build_small(factory, date(2026, 11, 27), progress=lambda _m: None)
        command.downgrade(cfg, "0011")
        before = _counts(engine)
        assert before["pro_forma"] and before["decision"] and before["check_result"]
        upgrade(engine)
        assert _counts(engine, set(before)) == before
        for statement in BAD:
            with pytest.raises(IntegrityError), engine.begin() as conn:
                conn.execute(text(statement))
        with factory() as s:  # the ORM reads the codes back as the domain's enums
            assert {type(r) for r in s.scalars(select(User.role))} == {User.role.type.enum}
            assert all(pf.status in ProForma.status.type.enum for pf in s.scalars(
                select(ProForma)))
        command.downgrade(cfg, "0011")
        assert _counts(engine) == before
        with engine.connect() as conn:  # no rule any more: accepted (and rolled back)
            with conn.begin() as tx:
                conn.execute(text(BAD[0]))
                tx.rollback()
    finally:
        upgrade(engine)
