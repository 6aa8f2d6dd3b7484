"""workflow.contracts.bulk: the import's bulk inserts keep every rule of the table (the
vocabulary triggers on SQLite, the CHECK constraints on PostgreSQL, the foreign keys), keep the
rows' order, and on SQLite reach the tables with triggers in one INSERT … SELECT (each row of
an executemany paid the triggers' set-up again: 1.0–1.3 s of the bench's 10,000 contracts)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import event, func, inspect, select
from sqlalchemy.exc import IntegrityError

from bench.contract_import import contract_rows, to_csv
from db.models import Cfa, Contract, Echeance
from tests.factories import TODAY
from workflow.common.typed import table_of
from workflow.contracts.bulk import bulk_insert
from workflow.contracts.importing import run


def _row(contract_id: int, cfa_id: int, kind: str, amount: str) -> dict[str, object]:
    day = date(2026, 1, 5)
    return {"contract_id": contract_id, "cfa_id": cfa_id, "nature": "pedagogie", "kind": kind,
            "year": 1, "period_start": day, "period_end": day, "due_on": day,
            "amount": Decimal(amount), "detail": "", "pro_forma_id": None}


def _contract(factory) -> tuple[int, int]:
    with factory() as s:
        return s.execute(select(Contract.id, Contract.cfa_id).order_by(Contract.id)).first()


def test_rows_land_in_order_and_a_bad_code_is_refused_with_nothing_written(world, factory):
    cid, cfa_id = _contract(factory)
    with factory() as s:
        count = s.scalar(select(func.count(Echeance.id)))
    good = [_row(cid, cfa_id, "regularisation", f"{k}.00") for k in range(1, 6)]
    with factory.begin() as s:
        bulk_insert(s.connection(), table_of(Echeance), good)
        got = list(s.execute(select(Echeance.id, Echeance.amount)
                             .where(Echeance.contract_id == cid,
                                    Echeance.kind == "regularisation")
                             .order_by(Echeance.id)))
    assert [a for _i, a in got] == [Decimal(f"{k}.00") for k in range(1, 6)]
    assert [i for i, _a in got] == list(range(got[0][0], got[0][0] + 5))
    bad = [_row(cid, cfa_id, "advance_40", "1.00"), _row(cid, cfa_id, "bonus", "2.00")]
    with pytest.raises(IntegrityError, match="ck_echeance_kind"), factory.begin() as s:
        bulk_insert(s.connection(), table_of(Echeance), bad)
    orphan = [_row(10**9, cfa_id, "advance_40", "1.00")]  # no such contract: foreign key
    with pytest.raises(IntegrityError), factory.begin() as s:
        bulk_insert(s.connection(), table_of(Echeance), orphan)
    with factory() as s:  # a refused insert leaves no staging table on its connection
        conn = s.connection()
        with pytest.raises(IntegrityError):
            bulk_insert(conn, table_of(Echeance), bad)
        if conn.dialect.name == "sqlite":  # (PostgreSQL: the transaction is aborted)
            assert not [n for n in inspect(conn).get_temp_table_names()
                        if n.startswith("staging_")]
            bulk_insert(conn, table_of(Echeance), good[:1])  # the same transaction goes on
        s.rollback()
        assert s.scalar(select(func.count(Echeance.id))) == count + 5


def test_on_sqlite_the_import_writes_echeances_in_one_statement(world, factory, engine):
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL: CHECK constraints, no trigger; executemany as before")
    with factory() as s:
        pairs = [(u, t) for u, t in s.execute(select(Cfa.uai, Cfa.siret).order_by(Cfa.id))]
    seen: list[tuple[str, bool]] = []

    def spy(_conn, _cursor, statement, _params, _context, executemany) -> None:
        seen.append((statement.split("(")[0].strip(), executemany))

    event.listen(engine, "before_cursor_execute", spy)
    try:
        with factory.begin() as s:
            report = run(s, world.manager, to_csv(contract_rows(pairs, 50, TODAY.date())),
                         "contrats.csv", dry_run=False)
    finally:
        event.remove(engine, "before_cursor_execute", spy)
    assert report.ok and len(report.created) == 50
    into = [(st, many) for st, many in seen
            if st in ("INSERT INTO echeance", "INSERT INTO contract",
                      "INSERT INTO contract_change")]
    assert into == [("INSERT INTO contract", False), ("INSERT INTO echeance", False),
                    ("INSERT INTO contract_change", False)]


def test_on_postgresql_the_ids_come_from_the_sequence_and_it_moves_on(world, factory, engine):
    """PostgreSQL: the new contracts' and apprentices' ids are drawn from their sequences,
    then the rows inserted by executemany (no insertmanyvalues RETURNING, whose long SQL psycopg
    parsed again per batch); the contracts keep the file's order and the next contract the
    console creates gets a fresh id."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite: ids follow max(id) under the write lock (test above)")
    with factory() as s:
        pairs = [(u, t) for u, t in s.execute(select(Cfa.uai, Cfa.siret).order_by(Cfa.id))]
    rows = contract_rows(pairs, 30, TODAY.date(), prefix="SEQ")
    seen: list[str] = []

    def spy(_conn, _cursor, statement, _params, _context, _executemany) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", spy)
    try:
        with factory.begin() as s:
            assert run(s, world.manager, to_csv(rows), "contrats.csv", dry_run=False).ok
    finally:
        event.remove(engine, "before_cursor_execute", spy)
    assert not any("RETURNING" in st for st in seen if st.startswith(
        ("INSERT INTO contract ", "INSERT INTO apprentice ")))
    with factory() as s:
        numbers = list(s.scalars(select(Contract.number).where(Contract.number.like("SEQ%"))
                                 .order_by(Contract.id)))
        top = s.scalar(select(func.max(Contract.id)))
    assert numbers == [r["number"] for r in rows]
    more = contract_rows(pairs, 1, TODAY.date(), prefix="NXT")
    with factory.begin() as s:
        assert run(s, world.manager, to_csv(more), "contrats.csv", dry_run=False).ok
    with factory() as s:
        assert s.scalars(select(Contract.id).where(Contract.number.like("NXT%"))).one() > top
        s.add(Contract(**{c: getattr(s.get_one(Contract, top), c) for c in (
            "cfa_id", "employer_id", "apprentice_id", "apprentice_last_name",
            "apprentice_first_name", "title", "rncp", "level", "start", "end", "signed_on",
            "npec", "status", "meals_per_year", "nights_per_year", "equipment_amount",
            "mobility_amount")}, number="ORM0000001"))
        s.flush()  # the ORM's own insert draws the sequence past the imported ids
        assert s.scalars(select(Contract.id).where(Contract.number == "ORM0000001")).one() > top
        s.rollback()
