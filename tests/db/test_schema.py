"""The schema's own guarantees, on a real database: money, uniqueness, append-only log."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import delete, insert, select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from db.models import Cfa, Echeance, Event, ProForma, ProFormaLine, RefusalReason
from workflow.billing import proformas


def test_reference_data_is_there(factory):
    with factory() as s:
        codes = set(s.scalars(select(RefusalReason.code)))
    assert {"MONTANTTOTAL_ERR", "CMD_ERR", "SIRET_ERR", "COORD_BANC_ERR", "DOUBLON",
            "NON_CONFORME", "AUTRE"} <= codes


def test_money_round_trips_as_decimal(world, factory):
    with factory() as s:
        amounts = list(s.scalars(select(Echeance.amount).limit(20)))
    assert amounts and all(isinstance(a, Decimal) for a in amounts)
    assert all(a == a.quantize(Decimal("0.01")) for a in amounts)


def test_event_log_refuses_update_and_delete(factory):
    with factory.begin() as s:
        s.add(Event(at=datetime(2026, 1, 1, tzinfo=UTC), entity="test", action="created", data={}))
    for stmt in (update(Event).values(action="tampered"), delete(Event)):
        with pytest.raises(DBAPIError), factory.begin() as s:
            s.execute(stmt)
    with factory() as s:
        assert s.scalars(select(Event.action)).all() == ["created"]


def test_an_echeance_cannot_sit_in_two_live_pro_formas(world, factory):
    ids = world.eligible(world.cfa1_id)
    with factory.begin() as s:
        (pf, *_) = proformas.generate(s, world.cfa1, "pedagogie", ids[:1])
        pf_id, contract = pf.id, s.get_one(Echeance, ids[0]).contract_id
    # Bypass the workflow: the partial unique index alone must refuse a second live line.
    with pytest.raises(IntegrityError), factory.begin() as s:
        other = ProForma(number="PRO-99999999", cfa_id=world.cfa1_id, nature="pedagogie",
                         kind="invoice", status="awaiting_invoice", total=Decimal("1"),
                         dossiers=1, version=1, created_at=datetime(2026, 1, 1, tzinfo=UTC))
        s.add(other)
        s.flush()
        s.execute(insert(ProFormaLine).values(pro_forma_id=other.id, echeance_id=ids[0],
                                              contract_id=contract, amount=Decimal("1"),
                                              released=False))
    # A released line does not count: after cancelling, the échéance may be taken again.
    with factory.begin() as s:
        proformas.cancel(s, world.cfa1, pf_id)
    with factory.begin() as s:
        proformas.generate(s, world.cfa1, "pedagogie", ids[:1])


def test_cfa_siret_is_unique(world, factory):
    with factory() as s:
        siret = s.get_one(Cfa, world.cfa1_id).siret
    with pytest.raises(IntegrityError), factory.begin() as s:
        s.execute(text("INSERT INTO cfa (name, siret, uai, nda, address, iban, bic, "
                       "default_settlement) VALUES ('x', :s, 'u', 'n', '', 'i', 'b', 'deduction')"),
                  {"s": siret})


def test_migrations_build_exactly_the_models(engine):
    """Alembic's comparison of the migrated database with ``db.models`` finds no difference:
    every table, column and index of the models (partial ones included) comes from a migration.
    """
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from db.models import Base

    def ours(obj, name, type_, reflected, compare_to) -> bool:  # noqa: ANN001
        """procrastinate's own tables (PostgreSQL, migration 0015) are the library's schema."""
        table = name if type_ == "table" else getattr(getattr(obj, "table", None), "name", "")
        return not str(table or "").startswith("procrastinate_")

    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": ours})
        diffs = compare_metadata(context, Base.metadata)
    assert diffs == []


def test_migrations_upgrade_a_database_that_holds_data(tmp_path):
    """An existing database (here at revision 0004, with a user that events point to) is
    brought to head without losing a row: no migration may rebuild a referenced table."""
    from db.migrate import upgrade
    from db.session import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'existing.db'}")
    upgrade(engine, "0004")
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO app_user (id, email, name, role, password_hash, active, failed_logins,"
            " created_at) VALUES (1, 'ancien@test.fr', 'Ancien', 'manager', 'x', 1, 0,"
            " '2026-01-05 09:00:00')"))
        conn.execute(text(
            "INSERT INTO event (at, actor_id, entity, action, data) VALUES"
            " ('2026-01-05 09:00:00', 1, 'user', 'user_created', '{}')"))
        conn.execute(text(
            "INSERT INTO cfa (id, name, siret, uai, nda, address, iban, bic, default_settlement)"
            " VALUES (1, 'CFA', '73282932000074', '0751234A', '11755555575', 'Paris',"
            " 'FR7630006000011234567890189', 'AGRIFRPP', 'deduction')"))
        conn.execute(text("INSERT INTO employer (id, name, siret) VALUES (1, 'E', '1')"))
        conn.execute(text("INSERT INTO apprentice (id, last_name, first_name) VALUES"
                          " (1, 'MARTIN', 'Léa')"))
        conn.execute(text(
            "INSERT INTO contract (number, cfa_id, employer_id, apprentice_id, title, rncp,"
            " level, start, \"end\", signed_on, npec, status, meals_per_year, nights_per_year,"
            " equipment_amount, mobility_amount) VALUES ('C1', 1, 1, 1, 'BTS', 'RNCP1', 5,"
            " '2025-09-01', '2027-08-31', '2025-08-20', 8000, 'engage', 0, 0, 0, 0)"))
    upgrade(engine)
    with engine.connect() as conn:
        assert conn.execute(text(
            "SELECT email, must_change_password FROM app_user")).all() == [
            ("ancien@test.fr", 0)]
        assert conn.execute(text("SELECT count(*) FROM event")).scalar_one() == 1
        assert conn.execute(text(  # the contract carries its apprentice's name (0008)
            "SELECT apprentice_last_name, apprentice_first_name FROM contract")).all() == [
            ("MARTIN", "Léa")]
    engine.dispose()
