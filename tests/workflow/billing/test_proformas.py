"""Pro forma generation, numbering, cancellation and the status table."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from db.models import Echeance, Event, ProForma
from domain.errors import AccessDenied, AlreadyClaimed, InvalidInput, TransitionRefused
from domain.lifecycle import ALLOWED, CFA_ACTIONS, allowed_next
from domain.vocabulary import Status, label
from workflow.billing import proformas


def test_mixed_selection_gives_an_invoice_and_a_credit_note(world, factory):
    ids = world.eligible(world.cfa1_id)
    amounts = world.amounts(ids)
    assert any(a < 0 for a in amounts) and any(a > 0 for a in amounts)
    with factory.begin() as s:
        made = proformas.generate(s, world.cfa1, "pedagogie", ids, "remboursement")
        result = [(p.kind, p.total, p.settlement_mode, p.number, p.status) for p in made]
    (k1, t1, m1, n1, st1), (k2, t2, m2, n2, _) = result
    assert (k1, k2) == ("invoice", "credit_note")
    assert t1 == sum(a for a in amounts if a > 0)
    assert t2 == sum(a for a in amounts if a < 0) == Decimal("-295.89")
    assert (m1, m2) == (None, "remboursement")
    assert n1 == "PRO-00610001" and n2 == "PRO-00610002"
    assert st1 == Status.AWAITING
    with factory() as s:
        for pf in s.scalars(select(ProForma)):
            assert proformas.line_total(s, pf.id) == pf.total
        assert s.scalars(select(Event.action)).all() == ["generated", "generated"]


def test_default_settlement_mode_comes_from_the_cfa(world, factory):
    ids = world.eligible(world.cfa1_id)
    with factory.begin() as s:
        made = proformas.generate(s, world.cfa1, "pedagogie", ids)
        assert made[-1].settlement_mode == "deduction"


def test_second_generation_of_the_same_echeances_is_refused_and_writes_nothing(world, factory):
    ids = world.eligible(world.cfa1_id)
    with factory.begin() as s:
        proformas.generate(s, world.cfa1, "pedagogie", ids[:2])
    with pytest.raises(AlreadyClaimed), factory.begin() as s:
        proformas.generate(s, world.cfa1, "pedagogie", ids)
    with factory() as s:
        assert len(s.scalars(select(ProForma).where(
            ProForma.id != world.paid_pro_forma_id)).all()) == 1


def test_cfa_cannot_invoice_or_cancel_another_cfas_rows(world, factory):
    ids2 = world.eligible(world.cfa2_id)
    with pytest.raises(AlreadyClaimed), factory.begin() as s:
        proformas.generate(s, world.cfa1, "pedagogie", ids2)
    with factory.begin() as s:
        pf_id = proformas.generate(s, world.cfa2, "pedagogie", ids2)[0].id
    with pytest.raises(AccessDenied), factory.begin() as s:
        proformas.cancel(s, world.cfa1, pf_id)
    with pytest.raises(AccessDenied), factory.begin() as s:
        proformas.cancel(s, world.instructeur, pf_id)


@pytest.mark.parametrize("bad", [[], ["x"]])
def test_bad_selection_is_refused(world, factory, bad):
    with pytest.raises((InvalidInput, AlreadyClaimed, ValueError)), factory.begin() as s:
        proformas.generate(s, world.cfa1, "pedagogie", bad)


def test_cancel_releases_the_echeances(world, factory):
    ids = world.eligible(world.cfa1_id)
    with factory.begin() as s:
        made = proformas.generate(s, world.cfa1, "pedagogie", ids)
        pf_ids = [p.id for p in made]
    assert world.eligible(world.cfa1_id) == []
    with factory.begin() as s:
        for pf_id in pf_ids:
            proformas.cancel(s, world.cfa1, pf_id)
    assert world.eligible(world.cfa1_id) == ids
    with pytest.raises(TransitionRefused), factory.begin() as s:
        proformas.cancel(s, world.cfa1, pf_ids[0])
    with factory() as s:
        assert s.scalars(select(Echeance).where(
            Echeance.pro_forma_id.is_not(None),
            Echeance.pro_forma_id != world.paid_pro_forma_id)).all() == []


@pytest.mark.parametrize("status", list(Status))
def test_status_table_is_consistent(status):
    assert allowed_next(status) == ALLOWED[status]
    assert label(status)
    # a CFA may only cancel where the table allows a move to cancelled
    can_cancel = any(a == "cancel" for a in CFA_ACTIONS[status])
    assert can_cancel == (Status.CANCELLED in ALLOWED[status])
