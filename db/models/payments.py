"""Payments: payment runs (SEPA files), the payment of each invoice, credit notes settled."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base, Money
from db.types import Code, UtcDateTime, one_of
from domain.vocabulary import CreditUse


class PaymentBatch(Base):
    """A payment run and the SEPA credit-transfer file (pain.001) it produced."""

    __tablename__ = "payment_batch"
    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(35), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    total: Mapped[Decimal] = mapped_column(Money)
    sepa_xml: Mapped[bytes | None] = mapped_column(LargeBinary)


class Payment(Base):
    """The payment of one validated invoice pro forma: gross, credit deducted and net paid."""

    __tablename__ = "payment"
    id: Mapped[int] = mapped_column(primary_key=True)
    pro_forma_id: Mapped[int] = mapped_column(ForeignKey("pro_forma.id"), unique=True)
    cfa_id: Mapped[int] = mapped_column(ForeignKey("cfa.id"), index=True)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("payment_batch.id"))
    gross: Mapped[Decimal] = mapped_column(Money)
    deducted: Mapped[Decimal] = mapped_column(Money)
    net: Mapped[Decimal] = mapped_column(Money)
    paid_on: Mapped[date] = mapped_column(Date)
    reference: Mapped[str] = mapped_column(String(35))
    paid_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))

    __table_args__ = (Index("ix_payment_paid_on", "paid_on"),)


class CreditApplication(Base):
    """Money settled on a credit note: deducted from a payment, or reimbursed by the CFA."""

    __tablename__ = "credit_application"
    id: Mapped[int] = mapped_column(primary_key=True)
    credit_note_id: Mapped[int] = mapped_column(ForeignKey("pro_forma.id"), index=True)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payment.id"))
    kind: Mapped[CreditUse] = mapped_column(Code(CreditUse))
    amount: Mapped[Decimal] = mapped_column(Money)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    reference: Mapped[str] = mapped_column(String(35), default="")

    __table_args__ = (one_of("kind", CreditUse),)
