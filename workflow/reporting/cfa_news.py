"""What happened to a CFA's invoices, for its Accueil: refusals (with their letters) and
payments (date, amount transferred, credit notes deducted, campaign reference).

Everything is filtered on the actor's CFA: another CFA's rows are never read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import CreditApplication, Notice, Payment, PaymentBatch, ProForma
from domain.vocabulary import Status
from workflow.common.access import Actor, require_cfa


@dataclass(frozen=True)
class Refused:
    """A refused pro forma and its latest refusal letter."""

    pro_forma_id: int
    number: str
    nature: str
    total: Decimal
    reason_label: str
    letter_at: datetime
    read: bool


@dataclass(frozen=True)
class Paid:
    """A paid invoice: gross, deducted for credit notes (which ones), net transferred."""

    pro_forma_id: int
    number: str
    paid_on: date
    gross: Decimal
    deducted: Decimal
    net: Decimal
    reference: str  # the payment campaign's (the batch's), else the payment's own
    credit_notes: tuple[str, ...]


def refused(session: Session, actor: Actor, limit: int = 20) -> list[Refused]:
    """The CFA's refused pro formas (unread letters first, then the newest)."""
    cfa_id = require_cfa(actor)
    latest = (select(func.max(Notice.id)).where(Notice.pro_forma_id == ProForma.id)
              .correlate(ProForma).scalar_subquery())
    rows = session.execute(
        select(ProForma.id, ProForma.number, ProForma.nature, ProForma.total,
               Notice.reason_label, Notice.created_at, Notice.read_at)
        .join(Notice, Notice.id == latest)
        .where(ProForma.cfa_id == cfa_id, ProForma.status == Status.REFUSED.value)
        .order_by(Notice.read_at.is_not(None), Notice.created_at.desc(), ProForma.id.desc())
        .limit(limit)).all()
    return [Refused(r[0], r[1], r[2], r[3], r[4], r[5], r[6] is not None) for r in rows]


def paid(session: Session, actor: Actor, limit: int = 10) -> list[Paid]:
    """The CFA's latest payments, newest first."""
    cfa_id = require_cfa(actor)
    rows = session.execute(
        select(Payment.id, ProForma.id, ProForma.number, Payment.paid_on, Payment.gross,
               Payment.deducted, Payment.net, Payment.reference, PaymentBatch.reference)
        .join(ProForma, ProForma.id == Payment.pro_forma_id)
        .outerjoin(PaymentBatch, PaymentBatch.id == Payment.batch_id)
        .where(Payment.cfa_id == cfa_id)
        .order_by(Payment.paid_on.desc(), Payment.id.desc()).limit(limit)).all()
    notes: dict[int, list[str]] = {}
    if rows:
        for payment_id, number in session.execute(
                select(CreditApplication.payment_id, ProForma.number)
                .join(ProForma, ProForma.id == CreditApplication.credit_note_id)
                .where(CreditApplication.payment_id.in_([r[0] for r in rows]),
                       ProForma.cfa_id == cfa_id)
                .order_by(ProForma.number)):
            if payment_id is not None:
                notes.setdefault(payment_id, []).append(number)
    return [Paid(r[1], r[2], r[3], r[4], r[5], r[6], r[8] or r[7], tuple(notes.get(r[0], ())))
            for r in rows]
