"""Migrations 0012 and 0016 on a database holding the small demo (built at head, then taken
down to the revision before, since later features write tables 0011 does not have): up to head,
every vocabulary column refuses a code outside its enum (CHECK constraints on PostgreSQL,
triggers on SQLite); the downgrade lifts the rule again; no row is lost either way. And the
migrated rules are exactly those the models declare."""

from __future__ import annotations

import re
from datetime import date

import pytest
from alembic import command
from sqlalchemy import CheckConstraint, func, inspect, select, text
from sqlalchemy.exc import IntegrityError

from db.migrate import alembic_config, upgrade
from db.models import Base, CheckJob, CheckRun, Contract, Echeance, Event, ProForma, User
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


def _before_0016() -> str:
    """The revision 0016 follows (read from the script: it moves when branches merge)."""
    from alembic.script import ScriptDirectory

    from db.migrate import MIGRATIONS

    down = ScriptDirectory(str(MIGRATIONS)).get_revision("0016").down_revision
    assert isinstance(down, str)
    return down


# (statement, the rule that must refuse it); INSERTs where an UPDATE would be refused anyway
# (the append-only event log) or would touch no row (no contract change in the small demo)
BAD_0016 = [
    ("UPDATE contract SET status = 'suspendu'", "ck_contract_status"),
    ("INSERT INTO contract_change (contract_id, kind, effective_on, at, before, after) "
     "SELECT id, 'fusion', start, '2026-01-05 09:00:00', '{}', '{}' FROM contract "
     "WHERE id = (SELECT MIN(id) FROM contract)", "ck_contract_change_kind"),
    ("UPDATE echeance SET kind = 'bonus'", "ck_echeance_kind"),
    ("UPDATE pro_forma SET check_summary = 'maybe' WHERE check_summary IS NOT NULL",
     "ck_pro_forma_check_summary"),
    ("UPDATE check_run SET text_source = 'telepathy'", "ck_check_run_text_source"),
    ("UPDATE check_run SET summary = 'maybe'", "ck_check_run_summary"),
    ("UPDATE check_job SET kind = 'audit'", "ck_check_job_kind"),
    ("UPDATE check_job SET state = 'lost'", "ck_check_job_state"),
    ("INSERT INTO event (at, entity, action, from_status, data) VALUES "
     "('2026-01-05 09:00:00', 'pro_forma', 'x', 'archived', '{}')", "ck_event_from_status"),
    ("INSERT INTO event (at, entity, action, to_status, data) VALUES "
     "('2026-01-05 09:00:00', 'pro_forma', 'x', 'archived', '{}')", "ck_event_to_status"),
]


def test_0016_keeps_the_remaining_vocabulary_columns_within_their_codes(engine, factory):
    cfg = alembic_config(engine)
    before_0016 = _before_0016()
    try:
        build_small(factory, date(2026, 11, 27), progress=lambda _m: None)
        command.downgrade(cfg, before_0016)
        before = _counts(engine)
        assert all(before[t] for t in ("contract", "echeance", "pro_forma", "check_run",
                                       "check_job", "event"))
        upgrade(engine)
        assert _counts(engine, set(before)) == before
        for statement, rule in BAD_0016:
            with pytest.raises(IntegrityError, match=rule), engine.begin() as conn:
                assert conn.execute(text(statement)).rowcount > 0
        with factory() as s:  # the ORM reads the codes back as the domain's enums
            for column in (Contract.status, Echeance.kind, CheckJob.state, CheckRun.summary,
                           CheckRun.text_source, Event.to_status):
                enum = column.type.enum
                values = list(s.scalars(select(column).where(column.is_not(None))))
                assert values and all(type(v) is enum for v in values), column
        assert _counts(engine, set(before)) == before
        command.downgrade(cfg, before_0016)
        assert _counts(engine) == before
        for statement, _rule in BAD_0016:  # no rule any more: accepted (and rolled back)
            with engine.connect() as conn, conn.begin() as tx:
                assert conn.execute(text(statement)).rowcount > 0
                tx.rollback()
    finally:
        upgrade(engine)


def _codes(sql: str) -> set[str]:
    return set(re.findall(r"'([^']*)'", sql))


def test_the_migrated_rules_are_the_models_own(engine):
    """Every vocabulary CHECK the models declare (``one_of``) is in the migrated database with
    the same codes: a CHECK constraint on PostgreSQL, its insert and update triggers on SQLite;
    a code added to an enum without its migration fails here."""
    declared = {c.name: _codes(str(c.sqltext)) for table in Base.metadata.tables.values()
                for c in table.constraints
                if isinstance(c, CheckConstraint) and str(c.name).startswith("ck_")}
    assert len(declared) == 20
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            rows = conn.execute(text(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE contype = 'c' AND conname LIKE 'ck\\_%'")).all()
            migrated = {name: _codes(sql) for name, sql in rows}
        else:
            rows = conn.execute(text(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                "AND name LIKE 'ck\\_%' ESCAPE '\\'")).all()
            migrated = {}
            for name, sql in rows:
                rule, _, verb = name.rpartition("_")
                codes = _codes(sql.split("NOT IN", 1)[1].split(")", 1)[0])
                assert verb in ("insert", "update") and migrated.get(rule, codes) == codes
                migrated[rule] = codes
    assert migrated == declared
