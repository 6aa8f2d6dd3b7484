"""Paying validated invoices, deducting the CFA's validated credit notes in déduction mode.

A payment and the status change to Payé are written in the caller's transaction, so no pro
forma is ever Payé without its payment record. Deductions never take a payment below zero;
what is left of a credit note carries over to the next payment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import CreditApplication, Payment, ProForma
from workflow.access import Actor, Role, require_role
from workflow.clock import now, today
from workflow.errors import WorkflowError
from workflow.proformas import load_for_update, transition
from workflow.statuses import Status

PAYERS = (Role.INSTRUCTEUR, Role.MANAGER)
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Outstanding:
    """A validated credit note and what is left of it to settle."""

    credit_note_id: int
    number: str
    left: Decimal


def settled(session: Session, credit_note_id: int) -> Decimal:
    """What has been deducted or reimbursed on a credit note so far (positive)."""
    stmt = select(func.coalesce(func.sum(CreditApplication.amount), 0)).where(
        CreditApplication.credit_note_id == credit_note_id
    )
    return Decimal(session.execute(stmt).scalar_one())


def outstanding_credits(session: Session, cfa_id: int, mode: str = "deduction"
                        ) -> list[Outstanding]:
    """Validated credit notes of a CFA in ``mode`` with money still to settle, oldest first."""
    notes = session.scalars(
        select(ProForma).where(
            ProForma.cfa_id == cfa_id, ProForma.kind == "credit_note",
            ProForma.status == Status.VALIDATED, ProForma.settlement_mode == mode,
        ).order_by(ProForma.decided_at, ProForma.id)
    )
    out = [Outstanding(n.id, n.number, -n.total - settled(session, n.id)) for n in notes]
    return [o for o in out if o.left > 0]


def ready_to_pay(pf: ProForma) -> bool:
    """True when a validated invoice may be paid (four-eyes approval obtained if needed)."""
    return (pf.status == Status.VALIDATED and pf.kind == "invoice"
            and (not pf.needs_second_approval or pf.approved_by_id is not None))


def pay(session: Session, actor: Actor, pro_forma_id: object, reference: str,
        paid_on: date | None = None, batch_id: int | None = None) -> Payment:
    """Pay one validated invoice, deducting outstanding credit notes in déduction mode."""
    require_role(actor, *PAYERS)
    pf = load_for_update(session, actor, pro_forma_id)
    if pf.kind != "invoice":
        raise WorkflowError(f"La pro forma {pf.number} est une facture d'avoir : "
                            "elle se règle par déduction ou remboursement.")
    if pf.status == Status.VALIDATED and not ready_to_pay(pf):
        raise WorkflowError(f"La pro forma {pf.number} attend l'approbation d'un second "
                            "instructeur avant paiement.")
    transition(session, actor, pf, Status.PAID, "paid", comment=reference)
    pf.paid_at = now()
    payment = Payment(
        pro_forma_id=pf.id, cfa_id=pf.cfa_id, batch_id=batch_id, gross=pf.total,
        deducted=ZERO, net=pf.total, paid_on=paid_on or today(), reference=reference,
        paid_by_id=actor.user_id,
    )
    session.add(payment)
    session.flush()
    remaining = pf.total
    for credit in outstanding_credits(session, pf.cfa_id):
        if remaining <= 0:
            break
        take = min(credit.left, remaining)
        _apply(session, actor, credit, take, payment)
        remaining -= take
    payment.deducted = pf.total - remaining
    payment.net = remaining
    return payment


def _apply(session: Session, actor: Actor, credit: Outstanding, amount: Decimal,
           payment: Payment | None, kind: str = "deduction", reference: str = "") -> None:
    session.add(CreditApplication(
        credit_note_id=credit.credit_note_id, payment_id=payment.id if payment else None,
        kind=kind, amount=amount, at=now(), reference=reference or (payment.reference
                                                                     if payment else ""),
    ))
    if amount == credit.left:
        note = load_for_update(session, actor, credit.credit_note_id)
        transition(session, actor, note, Status.PAID, "settled",
                   comment=f"{kind} {amount}")
        note.paid_at = now()
