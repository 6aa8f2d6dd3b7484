"""Crashes inside a transaction: a failure injected after some rows were written rolls the
whole unit back — a deposit leaves its file and its status change both or neither, a payment
run leaves no pro forma Payé without its payment record.

Failures are injected by patching a workflow function to raise (or to write a row the
database refuses); the database itself is never mocked.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from db.models import CheckRun, CreditApplication, Document, Event, Payment, PaymentBatch, ProForma
from domain.vocabulary import Status
from tests.workflow.reviewkit import MIXED, generate, invoice_bytes, seen_run, version
from tests.workflow.reviewkit import deposit as deposit_ok
from workflow.common import events
from workflow.deposits import deposits
from workflow.payments import payments
from workflow.review import decisions


class Crash(RuntimeError):
    """The injected failure."""


def _state(factory, pf_id: int) -> tuple:
    with factory() as s:
        pf = s.get_one(ProForma, pf_id)
        return (pf.status, pf.version, pf.deposited_at, pf.own_invoice_number,
                s.scalar(select(func.count(Document.id))),
                s.scalar(select(func.count(CheckRun.id))),
                s.scalar(select(func.count(Event.id))))


def _deposit(world, factory, pf_id: int) -> None:
    with factory.begin() as s:
        pf = s.get_one(ProForma, pf_id)
        deposits.deposit(s, world.cfa1, pf_id, invoice_bytes(s, pf), "facture.pdf")


def _fail_on(action: str, how: str):
    """A replacement for events.record that breaks the transaction at ``action``."""
    real = events.record

    def record(session, actor, act, **kwargs):
        if act == action and how == "database":
            # an actor id the database refuses (foreign key), as the event is written
            real(session, replace(actor, user_id=10**9), act, **kwargs)
        real(session, actor, act, **kwargs)
        if act == action:
            raise Crash(act)

    return record


@pytest.mark.parametrize("how", ["raise", "database"])
def test_an_interrupted_deposit_leaves_neither_file_nor_status(world, factory, monkeypatch,
                                                               how):
    pf_id = generate(world, factory, [world.contracts1[0]])[0]
    before = _state(factory, pf_id)
    monkeypatch.setattr(events, "record", _fail_on("deposited", how))
    with pytest.raises(Crash if how == "raise" else IntegrityError):
        _deposit(world, factory, pf_id)
    assert _state(factory, pf_id) == before  # the file was flushed, then rolled back
    monkeypatch.undo()
    _deposit(world, factory, pf_id)
    status, ver, deposited_at, _, docs, runs, _ = _state(factory, pf_id)
    assert (status, ver, docs, runs) == (Status.UNDER_REVIEW, 2, 1, 1) and deposited_at


def test_an_interrupted_replacement_keeps_the_previous_version_only(world, factory,
                                                                    monkeypatch):
    pf_id = generate(world, factory, [world.contracts1[0]])[0]
    deposit_ok(world, factory, pf_id)
    before = _state(factory, pf_id)
    monkeypatch.setattr(events, "record", _fail_on("replaced", "raise"))
    with pytest.raises(Crash):
        _deposit(world, factory, pf_id)
    assert _state(factory, pf_id) == before


def _validated(world, factory, contracts) -> list[int]:
    ids = []
    for contract in contracts:
        for pf_id in generate(world, factory, contract if contract == MIXED else [contract]):
            deposit_ok(world, factory, pf_id)
            with factory.begin() as s:
                decisions.validate(s, world.instructeur, pf_id, version(factory, pf_id))
            ids.append(pf_id)
    return ids


def _no_paid_without_payment(factory) -> None:
    """The invariant: every Payé invoice has its payment, every Payé credit note is settled."""
    with factory() as s:
        for pf in s.scalars(select(ProForma).where(ProForma.status == Status.PAID)):
            if pf.kind == "invoice":
                assert s.scalar(select(func.count(Payment.id))
                                .where(Payment.pro_forma_id == pf.id)) == 1, pf.number
            else:
                done = s.scalar(select(func.sum(CreditApplication.amount))
                                .where(CreditApplication.credit_note_id == pf.id))
                assert done == -pf.total, pf.number


@pytest.mark.parametrize("where", ["second_payment", "sepa_file"])
def test_an_interrupted_payment_run_pays_nothing(world, factory, monkeypatch, where):
    ids = _validated(world, factory, [MIXED, world.contracts1[2]])
    invoices = [i for i in ids if _kind(factory, i) == "invoice"]
    assert len(invoices) == 2
    real_pay, calls = payments._pay, []

    def pay(*args, **kwargs):
        calls.append(args)
        if len(calls) == 2:
            raise Crash("halfway")
        return real_pay(*args, **kwargs)

    def sepa(*args, **kwargs):
        raise Crash("file")

    if where == "second_payment":
        monkeypatch.setattr(payments, "_pay", pay)
    else:
        monkeypatch.setattr(payments, "sepa_file", sepa)
    with pytest.raises(Crash), factory.begin() as s:
        payments.execute_payment_run(s, world.instructeur,
                                     seen_run(s, world.instructeur, invoices))
    with factory() as s:
        assert s.scalar(select(func.count(Payment.id)).where(
            Payment.pro_forma_id != world.paid_pro_forma_id)) == 0
        assert s.scalar(select(func.count(PaymentBatch.id))) == 0
        assert s.scalar(select(func.count(CreditApplication.id))) == 0
        assert set(s.scalars(select(ProForma.status).where(
            ProForma.id != world.paid_pro_forma_id))) == {Status.VALIDATED}
    _no_paid_without_payment(factory)
    monkeypatch.undo()
    with factory.begin() as s:
        payments.execute_payment_run(s, world.instructeur,
                                     seen_run(s, world.instructeur, invoices))
    _no_paid_without_payment(factory)
    with factory() as s:
        assert s.scalar(select(func.count(Payment.id)).where(
            Payment.pro_forma_id != world.paid_pro_forma_id)) == 2


def _kind(factory, pf_id: int) -> str:
    with factory() as s:
        return s.get_one(ProForma, pf_id).kind
