"""Money actions do exactly what the user confirmed: ids, versions and total, checked at commit.

For each money action (a payment, a payment run, a four-eyes approval, a reimbursement, a
generation): a confirmation whose ids, versions or total differ from the database is refused
with a French message and changes nothing; the exact confirmation goes through once, and the
same confirmation replayed (a double click, a second tab) is refused.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from db.models import CreditApplication, Decision, Event, Payment, PaymentBatch, ProForma
from domain.errors import ConfirmationMismatch, WorkflowError
from domain.vocabulary import Status
from tests.workflow.reviewkit import (
    MIXED,
    deposit,
    generate,
    seen,
    seen_echeances,
    seen_note,
    set_setting,
    version,
)
from workflow.billing import proformas
from workflow.common.confirm import Seen
from workflow.payments import payments
from workflow.review import decisions

CENT = Decimal("0.01")


def _validated(world, factory, contracts, mode=None):
    ids = generate(world, factory, contracts, mode=mode)
    for pf_id in ids:
        deposit(world, factory, pf_id)
        with factory.begin() as s:
            decisions.validate(s, world.instructeur, pf_id, version(factory, pf_id))
    return ids


def _footprint(factory) -> tuple:
    """Everything a money action writes: statuses and versions, payments, batches,
    settlements, decisions, events."""
    with factory() as s:
        return (
            tuple(s.execute(select(ProForma.id, ProForma.status, ProForma.version,
                                   ProForma.approved_by_id).order_by(ProForma.id)).all()),
            s.scalar(select(func.count(Payment.id))),
            s.scalar(select(func.count(PaymentBatch.id))),
            s.scalar(select(func.count(CreditApplication.id))),
            s.scalar(select(func.count(Decision.id))),
            s.scalar(select(func.count(Event.id))),
        )


def _refused(factory, call) -> str:
    """Run ``call(session)``; it must be refused and leave no trace. Its message."""
    before = _footprint(factory)
    with pytest.raises(WorkflowError) as err, factory.begin() as s:
        call(s)
    assert _footprint(factory) == before
    return str(err.value)


def _others(confirmed: Seen, items, total=None) -> Seen:
    return replace(confirmed, items=tuple(sorted(items)),
                   total=confirmed.total if total is None else total)


def test_a_payment_run_pays_exactly_what_was_confirmed(world, factory):
    first = _validated(world, factory, [world.contracts1[0]])
    second = _validated(world, factory, [world.contracts1[2]])
    with factory() as s:
        plan = payments.plan_payment_run(s, world.instructeur, first)
        both = payments.plan_payment_run(s, world.instructeur, first + second)
    confirmed = plan.seen
    (pf_id, v), = confirmed.items
    wrong = {
        "another total": _others(confirmed, confirmed.items, confirmed.total + CENT),
        "an older version": _others(confirmed, [(pf_id, v - 1)]),
        "a row nobody confirmed": _others(confirmed, [*confirmed.items,
                                                      (second[0], version(factory, second[0]))]),
        "a row less": _others(both.seen, confirmed.items),
    }
    for what, seen_wrong in wrong.items():
        message = _refused(factory, lambda s, w=seen_wrong: payments.execute_payment_run(
            s, world.instructeur, w))
        assert "Rien n'a été payé" in message, what
    with factory.begin() as s:
        batch = payments.execute_payment_run(s, world.instructeur, confirmed)
    assert batch.payments == 1 and batch.total == plan.net
    with factory() as s:
        assert s.get_one(ProForma, pf_id).status == Status.PAID
        assert s.get_one(ProForma, second[0]).status == Status.VALIDATED  # not confirmed
    # the same confirmation again (a double click, a second tab): nothing more is paid
    message = _refused(factory, lambda s: payments.execute_payment_run(
        s, world.instructeur2, confirmed))
    assert "Rien n'a été payé" in message


def test_a_payment_run_is_refused_when_a_deduction_changed_its_net(world, factory):
    """A credit note validated after the confirmation would lower the transfer: refused."""
    (invoice,) = _validated(world, factory, [world.contracts1[2]])
    with factory() as s:
        confirmed = payments.plan_payment_run(s, world.instructeur, [invoice]).seen
    _validated(world, factory, MIXED)  # an invoice and a credit note
    message = _refused(factory, lambda s: payments.execute_payment_run(
        s, world.instructeur, confirmed))
    assert "le montant est maintenant" in message and "Rien n'a été payé" in message


def test_one_payment_checks_its_version_and_total(world, factory):
    (pf_id,) = _validated(world, factory, [world.contracts1[0]])
    with factory() as s:
        confirmed = seen(s, pf_id)
    for wrong in (_others(confirmed, confirmed.items, confirmed.total - CENT),
                  _others(confirmed, [(pf_id, confirmed.items[0][1] + 1)])):
        assert isinstance(_refused_error(factory, lambda s, w=wrong: payments.pay(
            s, world.instructeur, w, "VIR-X")), ConfirmationMismatch)
    with factory.begin() as s:
        payments.pay(s, world.instructeur, confirmed, "VIR-X")
    _refused(factory, lambda s: payments.pay(s, world.instructeur, confirmed, "VIR-X"))


def _refused_error(factory, call) -> WorkflowError:
    before = _footprint(factory)
    with pytest.raises(WorkflowError) as err, factory.begin() as s:
        call(s)
    assert _footprint(factory) == before
    return err.value


def test_an_approval_approves_exactly_what_was_confirmed(world, factory):
    set_setting(factory, "four_eyes_threshold", "1.00")
    a = _validated(world, factory, [world.contracts1[0]])[0]
    b = _validated(world, factory, [world.contracts1[2]])[0]
    with factory() as s:
        confirmed = seen(s, a)
        pair = seen(s, a, b)
    for wrong in (_others(confirmed, confirmed.items, confirmed.total + 1),
                  _others(confirmed, [(a, confirmed.items[0][1] - 1)]),
                  _others(pair, pair.items, pair.total - CENT)):
        message = _refused(factory, lambda s, w=wrong: decisions.approve(
            s, world.instructeur2, w))
        assert "Rien n'a été approuvé" in message
    with factory.begin() as s:
        decisions.approve(s, world.instructeur2, confirmed)
    with factory() as s:
        assert s.get_one(ProForma, a).approved_by_id == world.instructeur2.user_id
        assert s.get_one(ProForma, b).approved_by_id is None
    _refused(factory, lambda s: decisions.approve(s, world.instructeur2, confirmed))


def test_a_reimbursement_is_refused_when_what_is_due_changed(world, factory):
    _invoice, credit = _validated(world, factory, MIXED, mode="remboursement")
    with factory() as s:
        confirmed = seen_note(s, credit)
    assert confirmed.total == Decimal("295.89")
    for wrong in (_others(confirmed, confirmed.items, Decimal("300.00")),
                  _others(confirmed, [(credit, confirmed.items[0][1] + 1)])):
        message = _refused(factory, lambda s, w=wrong: payments.record_reimbursement(
            s, world.instructeur, w, "VIR-CFA", Decimal("100.00")))
        assert "Aucun remboursement n'a été enregistré" in message
    with factory.begin() as s:
        payments.record_reimbursement(s, world.instructeur, confirmed, "VIR-CFA",
                                      Decimal("100.00"))
    # a second tab confirmed the same screen: what is due changed meanwhile
    message = _refused(factory, lambda s: payments.record_reimbursement(
        s, world.manager, confirmed, "VIR-CFA-2", Decimal("100.00")))
    assert "195,89" in message and "295,89" in message
    for hostile in (Decimal("1e30"), Decimal("NaN"), Decimal("-1"), Decimal("0.001")):
        with factory() as s:
            now_due = seen_note(s, credit)
        _refused(factory, lambda s, h=hostile, n=now_due: payments.record_reimbursement(
            s, world.instructeur, n, "VIR-CFA-3", h))


def test_a_generation_generates_exactly_the_confirmed_lines_and_total(world, factory):
    eligible = world.eligible(world.cfa1_id)
    chosen = eligible[:3]
    with factory() as s:
        preview = proformas.preview(s, world.cfa1, "pedagogie", chosen, len(eligible))
        confirmed = preview.seen
    assert confirmed == seen_echeances_of(factory, chosen)
    assert confirmed.total == preview.total
    message = _refused(factory, lambda s: proformas.generate_summary(
        s, world.cfa1, "pedagogie", _others(confirmed, confirmed.items, confirmed.total + 1)))
    assert "Rien n'a été généré" in message
    with factory.begin() as s:
        made = proformas.generate_summary(s, world.cfa1, "pedagogie", confirmed)
    assert sum(m.total for m in made) == confirmed.total
    assert not set(chosen) & set(world.eligible(world.cfa1_id))
    _refused(factory, lambda s: proformas.generate_summary(s, world.cfa1, "pedagogie",
                                                           confirmed))


def seen_echeances_of(factory, ids):
    with factory() as s:
        return seen_echeances(s, ids)
