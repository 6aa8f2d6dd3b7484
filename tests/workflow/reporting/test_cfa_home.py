"""A CFA's own figures on its home page, and their isolation from other CFAs."""

from __future__ import annotations

from decimal import Decimal

import pytest

from db.models import ProForma
from domain.errors import AccessDenied
from tests.workflow.dashboard_story import Story, at
from tests.workflow.reviewkit import seen
from workflow.payments import payments
from workflow.reporting import cfa_home
from workflow.review import decisions


def test_figures_and_waiting_list_of_each_cfa(world, factory):
    story = Story(world, factory).play()
    with factory() as s:
        one = cfa_home.figures(s, world.cfa1)
        two = cfa_home.figures(s, world.cfa2)
        waiting = cfa_home.waiting(s, world.cfa1)
        none = cfa_home.waiting(s, world.cfa2)
    # cfa1 invoices: the world's PRO-00600001 paid 5600, A paid 5600, B validated 2400, E and
    # F under review 2400 + 500; G awaits its invoice (not invoiced yet), H cancelled.
    # K (-295.89) still to deduct.
    assert one == cfa_home.CfaFigures(
        invoiced=Decimal("16500.00"), validated=Decimal("13600.00"), paid=Decimal("11200.00"),
        deducted=Decimal("0.00"), outstanding=Decimal("2400.00"),
        credit_outstanding=Decimal("295.89"), waiting=1, waiting_total=Decimal("3200.00"))
    assert one.net_paid == Decimal("11200.00")
    # cfa2: C refused 2800, D under review 2200
    assert two == cfa_home.CfaFigures(
        invoiced=Decimal("5000.00"), validated=Decimal("0.00"), paid=Decimal("0.00"),
        deducted=Decimal("0.00"), outstanding=Decimal("0.00"),
        credit_outstanding=Decimal("0.00"), waiting=0, waiting_total=Decimal("0.00"))
    assert [(r.pro_forma_id, r.kind, r.nature, r.total, r.dossiers) for r in waiting.rows] == [
        (story.ids["G"], "Facture", "Pédagogie", Decimal("3200.00"), 1)]
    assert none.total == 0 and none.rows == []


def test_deductions_show_in_the_paid_figures(world, factory):
    story = Story(world, factory).play()
    at(11, 27)
    with factory.begin() as s:  # B (2400) is paid now: K's 295.89 is deducted from it
        pf = s.get_one(ProForma, story.ids["B"])
        assert decisions.four_eyes_threshold(s) > pf.total
        payments.pay(s, world.instructeur, seen(s, pf.id), "VIR-B")
    with factory() as s:
        one = cfa_home.figures(s, world.cfa1)
    assert (one.paid, one.deducted, one.net_paid, one.outstanding, one.credit_outstanding) == (
        Decimal("13600.00"), Decimal("295.89"), Decimal("13304.11"), Decimal("0.00"),
        Decimal("0.00"))


def test_only_cfa_users_see_cfa_figures(world, factory):
    with factory() as s:
        for who in (world.manager, world.instructeur, world.admin):
            with pytest.raises(AccessDenied):
                cfa_home.figures(s, who)
            with pytest.raises(AccessDenied):
                cfa_home.waiting(s, who)
