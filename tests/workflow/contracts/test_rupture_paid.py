"""Issue 18: a rupture's trop-perçu counts only what was paid (R6332-25; ../shared/domain.md:
trop-perçu = paid − due, paid meaning in a pro forma Validé or Payé, never merely scheduled,
awaiting an invoice or cancelled). Worked example: contract A3 of the test world, NPEC 9,000 €,
level 6, signed 2025-12-01, start 2026-01-05; a rupture on 2026-03-05 (60 days) leaves
9 000 × 60/365 = 1 479,45 € − 750 € (R6332-25-1) = 729,45 € due.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from db.models import Echeance
from seed.demo import record_rupture
from tests.workflow.reviewkit import deposit, version
from workflow.billing import proformas
from workflow.contracts.contracts import paid_installments
from workflow.review import decisions

RUPTURE = date(2026, 3, 5)
DUE = Decimal("729.45")


def _advance(world, factory) -> int:
    """Generate a pro forma of contract A3's advance (2 850 € after the 750 €); its id."""
    with factory.begin() as s:
        ids = list(s.scalars(select(Echeance.id).where(
            Echeance.id.in_(world.eligible(world.cfa1_id)), Echeance.kind == "advance_40",
            Echeance.contract_id == world.contracts1[3])))
        (pf,) = proformas.generate(s, world.cfa1, "pedagogie", ids)
        return pf.id


def _pedagogy(factory, contract_id: int) -> list[tuple[str, Decimal, bool]]:
    with factory() as s:
        return [(k, a, pf is not None) for k, a, pf in s.execute(
            select(Echeance.kind, Echeance.amount, Echeance.pro_forma_id).where(
                Echeance.contract_id == contract_id, Echeance.nature == "pedagogie")
            .order_by(Echeance.due_on, Echeance.id))]


def test_only_validated_or_paid_echeances_count_as_paid(world, factory):
    contract = world.contracts1[3]
    pf_id = _advance(world, factory)
    with factory() as s:  # awaiting an invoice: not paid
        assert paid_installments(s, contract) == set()
    deposit(world, factory, pf_id)
    with factory() as s:  # under review: not paid
        assert paid_installments(s, contract) == set()
    with factory.begin() as s:
        decisions.validate(s, world.instructeur, pf_id, version(factory, pf_id),
                           justification="Contrôlé.")
    with factory() as s:  # validated for payment: paid
        assert paid_installments(s, contract) == {("advance_40", 1)}


def test_rupture_after_a_cancelled_pro_forma_has_no_trop_percu(world, factory):
    contract = world.contracts1[3]
    pf_id = _advance(world, factory)
    with factory.begin() as s:
        proformas.cancel(s, world.cfa1, pf_id)
        record_rupture(s, contract, RUPTURE)
    rows = _pedagogy(factory, contract)
    # was: "déjà versé" counted the cancelled advance, a −2 120,55 € trop-perçu
    assert rows == [("advance_40", DUE, False)]
    assert all(amount > 0 for _k, amount, _c in rows)


def test_rupture_after_a_validated_advance_gives_paid_minus_due(world, factory):
    contract = world.contracts1[3]
    pf_id = _advance(world, factory)
    deposit(world, factory, pf_id)
    with factory.begin() as s:
        decisions.validate(s, world.instructeur, pf_id, version(factory, pf_id),
                           justification="Contrôlé.")
    with factory.begin() as s:
        record_rupture(s, contract, RUPTURE)
    rows = _pedagogy(factory, contract)
    assert rows == [("advance_40", Decimal("2850.00"), True),
                    ("regularisation", DUE - Decimal("2850.00"), False)]
    assert sum(amount for _k, amount, _c in rows) == DUE
    with factory() as s:
        detail = s.scalars(select(Echeance.detail).where(
            Echeance.contract_id == contract, Echeance.kind == "regularisation")).one()
    assert "déjà versé 2\u202f850,00\xa0€" in detail
