"""Credit notes a CFA is owed back: what is left of each to settle, the deductions invoices
take from them (planned for a run's preview, applied when paying) and their settlement.

Deductions go to the oldest credit notes first and never take an invoice below zero; what is
left of a credit note carries over to the next payment. A credit note fully settled (by
deductions or reimbursements) becomes Payé.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import Cfa, CreditApplication, Payment, ProForma
from domain.clock import now
from domain.lifecycle import Act
from domain.vocabulary import CreditUse, Kind, Status
from workflow.common import events
from workflow.common.access import Actor
from workflow.common.transitions import apply, load_for_update

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


def outstanding_credits(session: Session, cfa_id: int, mode: str = "deduction", *,
                        lock: bool = False) -> list[Outstanding]:
    """Validated credit notes of a CFA in ``mode`` with money still to settle, oldest first.

    ``lock`` row-locks them (PostgreSQL) so that two concurrent payments of the same CFA
    never deduct the same credit twice.
    """
    stmt = select(ProForma).where(
        ProForma.cfa_id == cfa_id, ProForma.kind == Kind.CREDIT_NOTE,
        ProForma.status == Status.VALIDATED, ProForma.settlement_mode == mode,
    ).order_by(ProForma.decided_at, ProForma.id)
    if lock:
        stmt = stmt.with_for_update()
    out = [Outstanding(n.id, n.number, -n.total - settled(session, n.id))
           for n in session.scalars(stmt)]
    return [o for o in out if o.left > 0]


@dataclass(frozen=True)
class PlannedDeduction:
    """A credit note deducted from one invoice: how much, and what is left of it after."""

    credit_note_id: int
    number: str
    amount: Decimal
    left_after: Decimal


@dataclass(frozen=True)
class PlannedInvoice:
    """One invoice of the run: gross, deductions, net transferred."""

    pro_forma_id: int
    number: str
    version: int
    gross: Decimal
    deductions: tuple[PlannedDeduction, ...]

    @property
    def deducted(self) -> Decimal:
        return sum((d.amount for d in self.deductions), ZERO)

    @property
    def net(self) -> Decimal:
        return self.gross - self.deducted


@dataclass(frozen=True)
class CfaPlan:
    """What one CFA receives in the run, and the credit left to carry over."""

    cfa_id: int
    cfa: str
    iban: str
    bic: str
    invoices: tuple[PlannedInvoice, ...]
    carry_over: Decimal

    @property
    def gross(self) -> Decimal:
        return sum((i.gross for i in self.invoices), ZERO)

    @property
    def deducted(self) -> Decimal:
        return sum((i.deducted for i in self.invoices), ZERO)

    @property
    def net(self) -> Decimal:
        return self.gross - self.deducted


def plan_cfa(cfa: Cfa, invoices: Iterable[ProForma], credits: list[Outstanding]) -> CfaPlan:
    """What a run would pay ``cfa`` for its ``invoices`` (in payment order), each taking from
    its outstanding ``credits`` (oldest first) never below zero, and the credit left to carry
    over. Writes nothing."""
    left = {c.credit_note_id: c.left for c in credits}
    planned = []
    for pf in invoices:
        remaining, cuts = pf.total, []
        for c in credits:
            k = c.credit_note_id
            if remaining <= 0:
                break
            take = min(left[k], remaining)
            if take > 0:
                left[k] -= take
                remaining -= take
                cuts.append(PlannedDeduction(k, c.number, take, left[k]))
        planned.append(PlannedInvoice(pf.id, pf.number, pf.version, pf.total, tuple(cuts)))
    return CfaPlan(cfa.id, cfa.name, cfa.iban, cfa.bic, tuple(planned),
                   sum(left.values(), ZERO))


# Writes for ``payments`` alone (package-private): it checks access and the confirmation
# first, and pays in the same transaction.

def _deduct(session: Session, actor: Actor, payment: Payment) -> None:
    """Deduct the CFA's outstanding credit notes (row-locked, oldest first) from ``payment``
    (its gross), never below zero: sets what was deducted and the net paid."""
    remaining = payment.gross
    for credit in outstanding_credits(session, payment.cfa_id, lock=True):
        if remaining <= 0:
            break
        take = min(credit.left, remaining)
        _apply_credit(session, actor, credit, take, payment)
        remaining -= take
    payment.deducted = payment.gross - remaining
    payment.net = remaining


def _apply_credit(session: Session, actor: Actor, credit: Outstanding, amount: Decimal,
                  payment: Payment | None, kind: CreditUse = CreditUse.DEDUCTION,
                  reference: str = ""
                  ) -> None:
    """Settle ``amount`` of ``credit`` (a deduction from ``payment``, or a reimbursement);
    the credit note becomes Payé when nothing is left of it."""
    ref = reference or (payment.reference if payment else "")
    session.add(CreditApplication(
        credit_note_id=credit.credit_note_id, payment_id=payment.id if payment else None,
        kind=kind, amount=amount, at=now(), reference=ref,
    ))
    events.record(session, actor, "credit_applied" if kind == CreditUse.DEDUCTION else "reimbursed",
                  pro_forma_id=credit.credit_note_id, comment=ref,
                  data={"amount": str(amount), "left": str(credit.left - amount),
                        "payment_id": payment.id if payment else None})
    if amount == credit.left:
        note = load_for_update(session, actor, credit.credit_note_id)
        apply(session, actor, note, Act.SETTLE, comment=f"{kind} {amount}")
        note.paid_at = now()
