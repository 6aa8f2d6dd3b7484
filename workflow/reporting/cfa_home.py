"""A CFA's own figures for its home page ("Accueil"): money and the pro formas to invoice.

Everything is filtered on the actor's CFA: a CFA user never sees another CFA's figures, and
OPCO staff have their own dashboard.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session

from db.models import Payment, ProForma
from domain.vocabulary import KIND_LABELS, NATURE_LABELS, Kind, Nature, Status
from workflow.common.access import Actor, require_cfa
from workflow.common.paging import Page, paginate
from workflow.reporting.dashboard_money import left_to_settle
from workflow.reporting.dashboard_sql import as_money

INVOICED = (Status.UNDER_REVIEW, Status.REFUSED, Status.VALIDATED, Status.PAID)


@dataclass(frozen=True)
class CfaFigures:
    """The CFA's invoices in money (credit notes apart), and what waits on its side.

    - invoiced: invoices deposited (under review, refused, validated or paid);
    - validated: invoices validated, paid or not yet;
    - paid: the gross of the payments received, of which ``deducted`` went to credit notes;
    - outstanding: validated invoices not yet paid (the OPCO owes them);
    - credit_outstanding: what is left to settle on validated credit notes (the CFA owes it);
    - waiting: pro formas waiting for the CFA's invoice or credit note, and their total.
    """

    invoiced: Decimal
    validated: Decimal
    paid: Decimal
    deducted: Decimal
    outstanding: Decimal
    credit_outstanding: Decimal
    waiting: int
    waiting_total: Decimal

    @property
    def net_paid(self) -> Decimal:
        """What actually reached the CFA's account."""
        return self.paid - self.deducted


@dataclass(frozen=True)
class WaitingRow:
    """A pro forma waiting for the CFA's invoice or credit note."""

    pro_forma_id: int
    number: str
    kind: str
    nature: str
    created_at: datetime
    total: Decimal
    dossiers: int


def amount_in(*statuses: Status) -> ColumnElement[Decimal]:
    """SQL SUM of the totals of the pro formas in one of ``statuses``."""
    return func.sum(case((ProForma.status.in_([s.value for s in statuses]), ProForma.total),
                         else_=0))


def figures(session: Session, actor: Actor) -> CfaFigures:
    """The actor's CFA figures; raises AccessDenied for anyone but a CFA user."""
    cfa_id = require_cfa(actor)
    invoice = ProForma.kind == Kind.INVOICE
    invoiced, validated, outstanding = session.execute(
        select(amount_in(*INVOICED), amount_in(Status.VALIDATED, Status.PAID),
               amount_in(Status.VALIDATED))
        .where(ProForma.cfa_id == cfa_id, invoice)
    ).one()
    paid, deducted = session.execute(
        select(func.sum(Payment.gross), func.sum(Payment.deducted))
        .where(Payment.cfa_id == cfa_id)
    ).one()
    credit = session.execute(
        select(func.sum(left_to_settle())).where(
            ProForma.cfa_id == cfa_id, ProForma.kind == Kind.CREDIT_NOTE,
            ProForma.status == Status.VALIDATED.value, left_to_settle() > 0)
    ).scalar_one()
    waiting, waiting_total = session.execute(
        select(func.count(), func.sum(ProForma.total))
        .where(ProForma.cfa_id == cfa_id, ProForma.status == Status.AWAITING.value)
    ).one()
    return CfaFigures(as_money(invoiced), as_money(validated), as_money(paid),
                      as_money(deducted), as_money(outstanding), as_money(credit),
                      int(waiting), as_money(waiting_total))


def waiting(session: Session, actor: Actor, page: int = 0,
            page_size: int = 20) -> Page[WaitingRow]:
    """The actor's CFA pro formas waiting for an invoice or credit note, oldest first."""
    cfa_id = require_cfa(actor)
    stmt = (
        select(ProForma.id, ProForma.number, ProForma.kind, ProForma.nature,
               ProForma.created_at, ProForma.total, ProForma.dossiers)
        .where(ProForma.cfa_id == cfa_id, ProForma.status == Status.AWAITING.value)
        .order_by(ProForma.created_at, ProForma.id)
    )
    result = paginate(session, stmt, page, page_size)
    rows = [WaitingRow(i, n, KIND_LABELS.get(k, k), NATURE_LABELS.get(Nature(nat), nat), c, t, d)
            for i, n, k, nat, c, t, d in result.rows]
    return Page(rows, result.total, result.page, result.page_size)
