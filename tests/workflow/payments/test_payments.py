"""Payments: one invoice, payment runs with credit notes deducted, pain.001, reimbursements."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import sepaxml
import xmlschema
from sqlalchemy import insert, select

from db.models import CreditApplication, Echeance, Event, Payment, PaymentBatch, ProForma
from domain.errors import AccessDenied, InvalidInput, TransitionRefused, WorkflowError
from domain.vocabulary import Status
from tests.factories import TODAY
from tests.workflow.reviewkit import (
    MIXED,
    deposit,
    generate,
    seen,
    seen_note,
    seen_run,
    set_setting,
    version,
)
from workflow.payments import payments, sepa
from workflow.review import decisions

XSD = Path(sepaxml.__file__).parent / "schemas" / "pain.001.001.03.xsd"
NS = "{urn:iso:std:iso:20022:tech:xsd:pain.001.001.03}"


def validated(world, factory, contracts, actor=None, mode=None):
    """Generate, deposit a conforming file and validate every pro forma of ``contracts``."""
    actor = actor or world.cfa1
    ids = generate(world, factory, contracts, actor=actor, mode=mode)
    for pf_id in ids:
        deposit(world, factory, pf_id, actor=actor)
        with factory.begin() as s:
            decisions.validate(s, world.instructeur, pf_id, version(factory, pf_id))
    return ids


def add_overpayment(world, factory, contract_id, amount):
    """A trop-perçu on a contract of cfa1 (as a rupture recomputation would make)."""
    with factory.begin() as s:
        s.execute(insert(Echeance), [{
            "contract_id": contract_id, "cfa_id": world.cfa1_id, "nature": "pedagogie",
            "kind": "regularisation", "year": 1, "period_start": date(2026, 1, 5),
            "period_end": date(2026, 11, 1), "due_on": TODAY.date(), "amount": amount,
            "detail": "Trop-perçu", "pro_forma_id": None}])


def test_pay_one_invoice_with_its_credit_note_deducted(world, factory):
    invoice, credit = validated(world, factory, MIXED)
    with factory.begin() as s:
        p = payments.pay(s, world.instructeur, seen(s, invoice), reference="VIR-1")
        got = (p.gross, p.deducted, p.net)
    assert got == (Decimal("5600.00"), Decimal("295.89"), Decimal("5304.11"))
    with factory() as s:
        assert s.get_one(ProForma, invoice).status == Status.PAID
        assert s.get_one(ProForma, credit).status == Status.PAID  # fully deducted
        app = s.scalars(select(CreditApplication)).one()
        assert (app.kind, app.amount, app.credit_note_id) == ("deduction", Decimal("295.89"),
                                                              credit)
        actions = set(s.scalars(select(Event.action)))
    assert {"paid", "credit_applied", "settled"} <= actions


def test_payment_run_deducts_never_below_zero_and_carries_over(world, factory):
    # A1's trop-perçu brought to −20 000 (−295,89 − 19 704,11): a dossier of its own, so
    # it is a credit note beside A3's invoice (split per dossier, issue 18)
    add_overpayment(world, factory, world.contracts1[1], Decimal("-19704.11"))
    small, credit = validated(world, factory, [world.contracts1[1], world.contracts1[3]])
    (big,) = validated(world, factory, [world.contracts1[0]])  # 16 000
    with factory() as s:
        plan = payments.plan_payment_run(s, world.instructeur, [small])
    (cfa,) = plan.cfas
    assert (cfa.gross, cfa.deducted, cfa.net) == (Decimal("7350.00"), Decimal("7350.00"), 0)
    assert cfa.carry_over == Decimal("12650.00")
    with factory.begin() as s:
        first = payments.execute_payment_run(s, world.instructeur, plan.seen)
    assert first.total == 0 and not first.has_file  # nothing to transfer
    with factory() as s:
        assert s.get_one(ProForma, credit).status == Status.VALIDATED  # 12 650 left
        plan2 = payments.plan_payment_run(s, world.instructeur)
    (inv,) = plan2.cfas[0].invoices
    assert (inv.pro_forma_id, inv.deducted, inv.net) == (big, Decimal("12650.00"),
                                                         Decimal("3350.00"))
    assert inv.deductions[0].left_after == 0 and plan2.cfas[0].carry_over == 0
    with factory.begin() as s:
        second = payments.execute_payment_run(s, world.instructeur, plan2.seen)
    assert second.total == Decimal("3350.00") and second.has_file
    with factory() as s:
        apps = s.scalars(select(CreditApplication.amount).order_by(CreditApplication.id)).all()
        assert apps == [Decimal("7350.00"), Decimal("12650.00")]
        assert s.get_one(ProForma, credit).status == Status.PAID
        assert all(p.net >= 0 for p in s.scalars(select(Payment)))


def test_payment_run_writes_a_valid_pain001_to_the_ibans_on_file(world, factory):
    ids1 = validated(world, factory, [world.contracts1[0], world.contracts1[2]])
    ids2 = validated(world, factory, [world.contracts2[0]], actor=world.cfa2)
    with factory() as s:
        plan = payments.plan_payment_run(s, world.manager)
        ibans = {c.cfa_id: c.iban for c in plan.cfas}
    assert sorted(plan.pro_forma_ids) == sorted(ids1 + ids2)
    with factory.begin() as s:
        batch = payments.execute_payment_run(s, world.manager, plan.seen)
    with factory() as s:
        name, xml = payments.batch_file(s, world.instructeur, batch.id)
        paid = s.scalars(select(Payment).where(Payment.batch_id == batch.id)).all()
        statuses = {s.get_one(ProForma, i).status for i in ids1 + ids2}
    assert name == f"{batch.reference}.xml" and statuses == {Status.PAID}
    xmlschema.XMLSchema(str(XSD)).validate(xml.decode())
    doc = xmlschema.XMLSchema(str(XSD)).to_dict(xml.decode())
    txs = doc["CstmrCdtTrfInitn"]["PmtInf"][0]["CdtTrfTxInf"]
    got: dict[str, Decimal] = {}  # one transfer per pro forma: summed per IBAN
    for t in txs:
        iban = t["CdtrAcct"]["Id"]["IBAN"]
        got[iban] = got.get(iban, Decimal("0")) + Decimal(str(t["Amt"]["InstdAmt"]["$"]))
    assert len(txs) == len([p for p in paid if p.net > 0])
    assert got == {ibans[world.cfa1_id]: sum(p.net for p in paid if p.cfa_id == world.cfa1_id),
                   ibans[world.cfa2_id]: sum(p.net for p in paid if p.cfa_id == world.cfa2_id)}
    assert doc["CstmrCdtTrfInitn"]["PmtInf"][0]["DbtrAcct"]["Id"]["IBAN"] == sepa.OPCO_IBAN
    assert batch.total == sum(got.values())


def test_payment_run_executed_twice_pays_once(world, factory):
    ids = validated(world, factory, [world.contracts1[0]])
    with factory() as s:
        plan = payments.plan_payment_run(s, world.instructeur)
    with factory.begin() as s:
        payments.execute_payment_run(s, world.instructeur, plan.seen)
    with pytest.raises(WorkflowError, match="Rien n'a été payé"), factory.begin() as s:
        payments.execute_payment_run(s, world.instructeur2, plan.seen)
    with pytest.raises(InvalidInput), factory.begin() as s:
        payments.execute_payment_run(s, world.instructeur, seen(s))
    with pytest.raises(TransitionRefused), factory.begin() as s:
        payments.pay(s, world.instructeur, seen(s, ids[0]), reference="VIR-2")
    with factory() as s:
        assert len(s.scalars(select(Payment).where(
            Payment.pro_forma_id != world.paid_pro_forma_id)).all()) == 1
        assert len(s.scalars(select(PaymentBatch)).all()) == 1
        assert s.scalars(select(Event).where(Event.action == "payment_run")).one()


def test_four_eyes_blocks_payment_until_approved(world, factory):
    set_setting(factory, "four_eyes_threshold", "10000.00")
    (pf_id,) = validated(world, factory, [world.contracts1[0]])
    with factory() as s:
        waiting = payments.validated(s, world.instructeur, awaiting_approval=True)
        assert payments.plan_payment_run(s, world.instructeur).pro_forma_ids == []
    assert [r.pro_forma_id for r in waiting.rows] == [pf_id] and not waiting.rows[0].ready
    with pytest.raises(WorkflowError, match="second instructeur"), factory.begin() as s:
        payments.pay(s, world.instructeur, seen(s, pf_id), reference="VIR-1")
    with pytest.raises(WorkflowError), factory.begin() as s:
        payments.execute_payment_run(s, world.instructeur, seen_run(s, world.instructeur, [pf_id]))
    with factory.begin() as s:
        decisions.approve(s, world.instructeur2, seen(s, pf_id))
    with factory.begin() as s:
        payments.pay(s, world.instructeur, seen(s, pf_id), reference="VIR-1")


def test_remboursement_credit_notes_are_due_until_recorded(world, factory):
    invoice, credit = validated(world, factory, MIXED, mode="remboursement")
    with factory.begin() as s:
        p = payments.pay(s, world.instructeur, seen(s, invoice), reference="VIR-1")
        assert p.deducted == 0  # never deducted in remboursement mode
    with factory() as s:
        due = payments.reimbursements_due(s, world.instructeur).rows
    assert [(d.credit_note_id, d.left) for d in due] == [(credit, Decimal("295.89"))]
    with pytest.raises(InvalidInput), factory.begin() as s:
        payments.record_reimbursement(s, world.instructeur, seen_note(s, credit), "VIR-CFA",
                                      Decimal("300.00"))
    with pytest.raises(InvalidInput), factory.begin() as s:
        payments.record_reimbursement(s, world.instructeur, seen_note(s, credit), "")
    with factory.begin() as s:
        left = payments.record_reimbursement(s, world.instructeur, seen_note(s, credit),
                                             "VIR-CFA-1",
                                             Decimal("100.00"))
    assert left == Decimal("195.89")
    with factory() as s:
        assert payments.reimbursements_due(s, world.instructeur).rows[0].left == left
    with factory.begin() as s:
        assert payments.record_reimbursement(s, world.manager, seen_note(s, credit),
                                             "VIR-CFA-2") == 0
    with factory() as s:
        assert payments.reimbursements_due(s, world.instructeur).total == 0
        assert s.get_one(ProForma, credit).status == Status.PAID
        assert len(s.scalars(select(Event).where(Event.action == "reimbursed")).all()) == 2
    with pytest.raises(WorkflowError), factory.begin() as s:
        payments.record_reimbursement(s, world.instructeur, seen_note(s, credit), "VIR-CFA-3")


def test_batches_are_listed_newest_first(world, factory):
    validated(world, factory, [world.contracts1[0]])
    with factory.begin() as s:
        payments.execute_payment_run(
            s, world.instructeur, payments.plan_payment_run(s, world.instructeur).seen)
    with factory() as s:
        (b,) = payments.batches(s, world.manager).rows
    assert b.payments == 1 and b.has_file and b.created_by == "Instructeur Un"
    with pytest.raises(AccessDenied), factory() as s:
        payments.batch_file(s, world.instructeur, 999)


@pytest.mark.parametrize("who", ["cfa1", "cfa2"])
def test_cfa_users_reach_no_payment_function(world, factory, who):
    (pf_id,) = validated(world, factory, [world.contracts1[0]])
    actor = getattr(world, who)
    for call in (lambda s: payments.pay(s, actor, seen(s, pf_id), reference="X"),
                 lambda s: payments.plan_payment_run(s, actor),
                 lambda s: payments.execute_payment_run(s, actor, seen(s, pf_id)),
                 lambda s: payments.validated(s, actor),
                 lambda s: payments.reimbursements_due(s, actor),
                 lambda s: payments.batches(s, actor),
                 lambda s: payments.record_reimbursement(s, actor, seen(s, pf_id), "X")):
        with pytest.raises(AccessDenied), factory.begin() as s:
            call(s)
    with pytest.raises(AccessDenied), factory.begin() as s:
        payments.pay(s, world.admin, seen(s, pf_id), reference="X")


def test_a_run_of_twelve_invoices_of_one_cfa_names_every_pro_forma_in_the_transfers(
        world, factory):
    """Issue 17 item 10: sepaxml cuts a remittance at 140 characters; one transfer per CFA
    lost 4 of 12 pro forma numbers. Each pro forma is now its own transfer, its number in its
    remittance and as its end-to-end id, and the file still validates."""
    from workflow.billing import proformas

    set_setting(factory, "four_eyes_threshold", "99999999.99")
    with factory() as s:
        positive = list(s.scalars(select(Echeance.id).where(
            Echeance.id.in_(world.eligible(world.cfa1_id)), Echeance.amount > 0)
            .order_by(Echeance.id)))[:12]
    assert len(positive) == 12
    ids = []
    for echeance_id in positive:  # one pro forma per échéance: 12 invoices of cfa1
        with factory.begin() as s:
            ids += [p.id for p in proformas.generate(s, world.cfa1, "pedagogie",
                                                     [echeance_id])]
    for pf_id in ids:
        deposit(world, factory, pf_id)
        with factory.begin() as s:
            decisions.validate(s, world.instructeur, pf_id, version(factory, pf_id))
    with factory() as s:
        plan = payments.plan_payment_run(s, world.instructeur)
    assert sorted(plan.pro_forma_ids) == sorted(ids)
    with factory.begin() as s:
        batch = payments.execute_payment_run(s, world.instructeur, plan.seen)
    with factory() as s:
        _, xml = payments.batch_file(s, world.instructeur, batch.id)
        numbers = {s.get_one(ProForma, i).number for i in ids}
        nets = {s.get_one(ProForma, p.pro_forma_id).number: p.net
                for p in s.scalars(select(Payment).where(Payment.batch_id == batch.id))}
    schema = xmlschema.XMLSchema(str(XSD))
    schema.validate(xml.decode())
    txs = schema.to_dict(xml.decode())["CstmrCdtTrfInitn"]["PmtInf"][0]["CdtTrfTxInf"]
    assert len(txs) == 12
    remitted = {t["PmtId"]["EndToEndId"]: "".join(t["RmtInf"]["Ustrd"]) for t in txs}
    assert all(len(t["RmtInf"]["Ustrd"]) == 1 for t in txs)  # one remittance per transfer
    assert set(remitted) == numbers
    for number, text in remitted.items():
        assert text == f"{number} {batch.reference}" and len(text) <= 140
    amounts = {t["PmtId"]["EndToEndId"]: Decimal(str(t["Amt"]["InstdAmt"]["$"])) for t in txs}
    assert amounts == nets and sum(amounts.values()) == batch.total
