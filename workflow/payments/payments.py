"""Paying validated invoices, deducting the CFA's validated credit notes in déduction mode.

A payment and the status change to Payé are written in the caller's transaction, so no pro
forma is ever Payé without its payment record. Deductions never take a payment below zero;
what is left of a credit note carries over to the next payment (``credit_notes``). A payment
run pays many invoices at once and writes one SEPA credit transfer (pain.001) per run, one
transfer per CFA, to the IBAN on file. Credit notes in remboursement mode stay due by the
CFA until their reimbursement is recorded.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from itertools import groupby

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, aliased

from db.models import Cfa, CreditApplication, Payment, PaymentBatch, ProForma, User
from domain.clock import now, paris, today
from domain.errors import AccessDenied, ConfirmationMismatch, InvalidInput, WorkflowError
from domain.formatting import format_eur
from domain.lifecycle import Act
from domain.permissions import PAYERS
from domain.vocabulary import CreditUse, Kind, Nature, SettlementMode, Status
from workflow.common import events
from workflow.common.access import Actor, require_opco, require_role
from workflow.common.bounds import max_length
from workflow.common.confirm import Seen, check
from workflow.common.paging import Page, paginate
from workflow.common.transitions import apply, load_for_update
from workflow.common.typed import as_int
from workflow.payments.credit_notes import (
    ZERO,
    CfaPlan,
    Outstanding,
    _apply_credit,
    _deduct,
    outstanding_credits,
    plan_cfa,
    settled,
)
from workflow.payments.sepa import sepa_file

MAX_RUN = 500  # invoices per payment run: keeps one transaction and one file reasonable


def ready_to_pay(pf: ProForma) -> bool:
    """True when a validated invoice may be paid (four-eyes approval obtained if needed)."""
    return (pf.status == Status.VALIDATED and pf.kind == Kind.INVOICE
            and (not pf.needs_second_approval or pf.approved_by_id is not None))


def pay(session: Session, actor: Actor, seen: Seen, reference: str,
        paid_on: date | None = None) -> Payment:
    """Pay one validated invoice exactly as confirmed (``seen``: its id, its version and its
    total), deducting outstanding credit notes in déduction mode.

    Raises ConfirmationMismatch when the invoice changed since the confirmation, WorkflowError
    for a credit note or an invoice awaiting its four-eyes approval, TransitionRefused when
    it is not Validé (already paid, say), AccessDenied.
    """
    require_role(actor, *PAYERS)
    if len(seen.ids) != 1:
        raise InvalidInput("selection", "Choisissez une facture à payer.")
    pf = load_for_update(session, actor, seen.ids[0])
    check(seen, {pf.id: (pf.number, pf.version)}, pf.total, what="facture",
          nothing_done="Rien n'a été payé.")
    return _pay(session, actor, pf.id, reference, paid_on)


def _pay(session: Session, actor: Actor, pro_forma_id: object, reference: str,
         paid_on: date | None = None, batch_id: int | None = None) -> Payment:
    """Pay one validated invoice of a run, deducting outstanding credit notes in déduction
    mode (the run has checked what the user confirmed).

    Raises WorkflowError for a credit note or an invoice awaiting its four-eyes approval,
    TransitionRefused when it is not Validé (already paid, say), AccessDenied.
    """
    require_role(actor, *PAYERS)
    pf = load_for_update(session, actor, pro_forma_id)
    if pf.kind != Kind.INVOICE:
        raise WorkflowError(f"La pro forma {pf.number} est une facture d'avoir : "
                            "elle se règle par déduction ou remboursement.")
    if pf.status == Status.VALIDATED and not ready_to_pay(pf):
        raise WorkflowError(f"La pro forma {pf.number} attend l'approbation d'un second "
                            "instructeur avant paiement.")
    apply(session, actor, pf, Act.PAY, comment=reference)
    pf.paid_at = now()
    payment = Payment(
        pro_forma_id=pf.id, cfa_id=pf.cfa_id, batch_id=batch_id, gross=pf.total,
        deducted=ZERO, net=pf.total, paid_on=paid_on or today(), reference=reference,
        paid_by_id=actor.user_id,
    )
    session.add(payment)
    session.flush()
    _deduct(session, actor, payment)
    return payment


# --- listings -------------------------------------------------------------------------------

@dataclass(frozen=True)
class PayableRow:
    """A validated pro forma on the payments page."""

    pro_forma_id: int
    number: str
    kind: str
    version: int
    cfa: str
    nature: str
    total: Decimal
    decided_at: datetime | None
    decided_by_id: int | None
    decided_by: str | None
    needs_approval: bool
    approved_by: str | None

    @property
    def ready(self) -> bool:
        return self.kind == Kind.INVOICE and (not self.needs_approval or bool(self.approved_by))


def seen_of(rows: Iterable[PayableRow]) -> Seen:
    """Validated pro formas as the screen listed them (versions, total), for
    ``decisions.approve``: what the second instructeur confirms is exactly what was shown."""
    listed = list(rows)
    return Seen.of(((r.pro_forma_id, r.version) for r in listed),
                   sum((r.total for r in listed), Decimal("0")))


def validated(session: Session, actor: Actor, *, awaiting_approval: bool = False,
              page: int = 0, page_size: int = 25) -> Page[PayableRow]:
    """Validated invoices (oldest decision first); or, with ``awaiting_approval``, every
    validated pro forma still waiting for its four-eyes approval."""
    require_opco(actor)
    decider, approver = aliased(User), aliased(User)
    stmt: Select[int, str, Kind, int, str, Nature, Decimal, datetime | None, int | None,
                 str | None, bool, str | None] = (
        select(ProForma.id, ProForma.number, ProForma.kind, ProForma.version, Cfa.name,
               ProForma.nature, ProForma.total, ProForma.decided_at, ProForma.decided_by_id,
               decider.name, ProForma.needs_second_approval, approver.name)
        .join(Cfa, Cfa.id == ProForma.cfa_id)
        .outerjoin(decider, decider.id == ProForma.decided_by_id)
        .outerjoin(approver, approver.id == ProForma.approved_by_id)
        .where(ProForma.status == Status.VALIDATED)
        .order_by(ProForma.decided_at, ProForma.id)
    )
    if awaiting_approval:
        stmt = stmt.where(ProForma.needs_second_approval.is_(True),
                          ProForma.approved_by_id.is_(None))
    else:
        stmt = stmt.where(ProForma.kind == Kind.INVOICE)
    result = paginate(session, stmt, page, page_size)
    return Page([PayableRow(*r) for r in result.rows], result.total, result.page,
                result.page_size)


# --- payment runs ---------------------------------------------------------------------------

@dataclass(frozen=True)
class RunPlan:
    """The preview of a payment run, per CFA."""

    cfas: tuple[CfaPlan, ...]

    @property
    def pro_forma_ids(self) -> list[int]:
        return [i.pro_forma_id for c in self.cfas for i in c.invoices]

    @property
    def numbers(self) -> list[str]:
        return [i.number for c in self.cfas for i in c.invoices]

    @property
    def gross(self) -> Decimal:
        return sum((c.gross for c in self.cfas), ZERO)

    @property
    def net(self) -> Decimal:
        return sum((c.net for c in self.cfas), ZERO)

    @property
    def seen(self) -> Seen:
        """What a confirmation of this plan shows: each invoice at its version, and the net
        amount transferred (deductions included), for ``execute_payment_run``."""
        return Seen.of(((i.pro_forma_id, i.version) for c in self.cfas for i in c.invoices),
                       self.net)

    @property
    def deducted(self) -> Decimal:
        return sum((c.deducted for c in self.cfas), ZERO)


def _ready_stmt(pro_forma_ids: Sequence[int] | None) -> Select[ProForma]:
    stmt = select(ProForma).where(
        ProForma.status == Status.VALIDATED, ProForma.kind == Kind.INVOICE,
        or_(ProForma.needs_second_approval.is_(False), ProForma.approved_by_id.isnot(None)),
    ).order_by(ProForma.cfa_id, ProForma.decided_at, ProForma.id).limit(MAX_RUN)
    if pro_forma_ids is not None:
        stmt = stmt.where(ProForma.id.in_([int(i) for i in pro_forma_ids]))
    return stmt


def plan_payment_run(session: Session, actor: Actor,
                     pro_forma_ids: Sequence[int] | None = None) -> RunPlan:
    """What a run would pay per CFA (all ready invoices, or only ``pro_forma_ids``), with
    the déduction-mode credit notes deducted oldest first, never below zero. Writes nothing."""
    require_role(actor, *PAYERS)
    invoices = list(session.scalars(_ready_stmt(pro_forma_ids)))
    plans = []
    for cfa_id, group in groupby(invoices, key=lambda p: p.cfa_id):
        cfa = session.get_one(Cfa, cfa_id)
        plans.append(plan_cfa(cfa, group, outstanding_credits(session, cfa_id)))
    return RunPlan(tuple(plans))


@dataclass(frozen=True)
class BatchView:
    """A recorded payment run."""

    id: int
    reference: str
    created_at: datetime
    created_by: str | None
    total: Decimal
    payments: int
    has_file: bool


def execute_payment_run(session: Session, actor: Actor, seen: Seen,
                        paid_on: date | None = None) -> BatchView:
    """Pay exactly the invoices the user confirmed (``seen``: ids, versions and the net
    amount of the previewed run), record the batch and its pain.001 file.

    All or nothing: when any of them is no longer ready to pay (paid by a run executed
    meanwhile, say), changed since the confirmation, or when the net amount differs (a
    credit note deducted meanwhile), ConfirmationMismatch or WorkflowError is raised and
    nothing is paid, so a run confirmed once pays once. Raises InvalidInput for an empty run
    or one over MAX_RUN invoices, AccessDenied.
    """
    require_role(actor, *PAYERS)
    ids = seen.ids
    if not ids:
        raise InvalidInput("run", "Aucune facture à payer dans cette campagne.")
    if len(ids) > MAX_RUN:
        raise InvalidInput("run", f"Une campagne paie au plus {MAX_RUN} factures.")
    rows = {p.id: p for p in session.scalars(
        select(ProForma).where(ProForma.id.in_(ids)).order_by(ProForma.id).with_for_update())}
    if len(rows) != len(ids):
        raise AccessDenied("cette pro forma")
    stale = [p.number for p in rows.values() if not ready_to_pay(p)]
    if stale:
        raise WorkflowError(
            "La campagne a changé depuis l'aperçu : " + ", ".join(sorted(stale))
            + " ne sont plus à payer (déjà payées ou en attente). Rien n'a été payé : "
            "vérifiez la sélection puis confirmez de nouveau.")
    # the net amount the user confirmed, recomputed under lock (credit notes included)
    net_now = plan_payment_run(session, actor, ids).net
    check(seen, {p.id: (p.number, p.version) for p in rows.values()}, net_now,
          what="facture", nothing_done="Rien n'a été payé.")
    moment = now()
    stamp = f"{paris(moment):%Y%m%d%H%M%S}"  # Paris time, as every moment shown
    batch = PaymentBatch(reference=f"LOT-{stamp}-{uuid.uuid4().hex[:6].upper()}",
                         created_at=moment, created_by_id=actor.user_id, total=ZERO)
    session.add(batch)
    session.flush()
    day = paid_on or today()
    order = sorted(rows.values(), key=lambda p: (p.cfa_id, p.decided_at or moment, p.id))
    paid = [_pay(session, actor, p.id, batch.reference, day, batch.id) for p in order]
    batch.total = sum((p.net for p in paid), ZERO)
    if batch.total != seen.total:  # the plan and the payments disagree: never commit that
        raise ConfirmationMismatch(
            [f"le montant payé serait {format_eur(batch.total)} au lieu des "
             f"{format_eur(seen.total)} confirmés"], "Rien n'a été payé.")
    batch.sepa_xml = sepa_file(session, batch.reference, paid, day)
    events.record(session, actor, "payment_run", entity="payment_batch", entity_id=batch.id,
                  comment=batch.reference,
                  data={"payments": len(paid), "total": str(batch.total)})
    return BatchView(batch.id, batch.reference, moment, actor.name, batch.total, len(paid),
                     batch.sepa_xml is not None)


def batches(session: Session, actor: Actor, page: int = 0, page_size: int = 10
            ) -> Page[BatchView]:
    """Recorded payment runs, newest first."""
    require_opco(actor)
    count = (select(func.count()).where(Payment.batch_id == PaymentBatch.id)
             .correlate(PaymentBatch).scalar_subquery())
    stmt = (select(PaymentBatch.id, PaymentBatch.reference, PaymentBatch.created_at,
                   User.name, PaymentBatch.total, count, PaymentBatch.sepa_xml.isnot(None))
            .outerjoin(User, User.id == PaymentBatch.created_by_id)
            .order_by(PaymentBatch.id.desc()))
    result = paginate(session, stmt, page, page_size)
    return Page([BatchView(*r) for r in result.rows], result.total, result.page,
                result.page_size)


def batch_file(session: Session, actor: Actor, batch_id: object) -> tuple[str, bytes]:
    """(file name, pain.001 XML bytes) of a run; AccessDenied when there is none."""
    require_opco(actor)
    try:
        batch = session.get(PaymentBatch, as_int(batch_id))
    except (TypeError, ValueError):
        batch = None
    if batch is None or batch.sepa_xml is None:
        raise AccessDenied("ce fichier de virement")
    return f"{batch.reference}.xml", batch.sepa_xml


# --- credit notes in remboursement mode ---------------------------------------------------

@dataclass(frozen=True)
class DueRow:
    """A credit note the CFA must pay back, and what is still due."""

    credit_note_id: int
    number: str
    version: int
    cfa: str
    total: Decimal
    decided_at: datetime | None
    left: Decimal

    @property
    def seen(self) -> Seen:
        """The credit note as listed (version, still due), for ``record_reimbursement``."""
        return Seen.one(self.credit_note_id, self.version, self.left)


def reimbursements_due(session: Session, actor: Actor, page: int = 0, page_size: int = 25
                       ) -> Page[DueRow]:
    """Validated credit notes in remboursement mode with money still due by the CFA."""
    require_opco(actor)
    done = (select(func.coalesce(func.sum(CreditApplication.amount), 0))
            .where(CreditApplication.credit_note_id == ProForma.id)
            .correlate(ProForma).scalar_subquery())
    left = (-ProForma.total - done)
    stmt = (select(ProForma.id, ProForma.number, ProForma.version, Cfa.name, ProForma.total,
                   ProForma.decided_at, left)
            .join(Cfa, Cfa.id == ProForma.cfa_id)
            .where(ProForma.kind == Kind.CREDIT_NOTE, ProForma.status == Status.VALIDATED,
                   ProForma.settlement_mode == SettlementMode.REMBOURSEMENT, left > 0)
            .order_by(ProForma.decided_at, ProForma.id))
    result = paginate(session, stmt, page, page_size)
    rows = [DueRow(*r[:6], Decimal(r[6]).quantize(Decimal("0.01"))) for r in result.rows]
    return Page(rows, result.total, result.page, result.page_size)


def record_reimbursement(session: Session, actor: Actor, seen: Seen, reference: str,
                         amount: Decimal | None = None) -> Decimal:
    """Record money paid back by the CFA on the credit note of ``seen`` (remboursement mode),
    as confirmed: ``seen`` holds its version and what was still due on screen.

    ``amount`` defaults to what is still due; the credit note becomes Payé when nothing is
    left. Returns what is still due. Raises ConfirmationMismatch when the credit note or
    what is due changed since the confirmation (another reimbursement recorded meanwhile),
    InvalidInput for a bad amount or reference, WorkflowError when the pro forma is not a
    validated credit note in remboursement mode.
    """
    require_role(actor, *PAYERS)
    if len(seen.ids) != 1:
        raise InvalidInput("selection", "Choisissez une facture d'avoir.")
    note = load_for_update(session, actor, seen.ids[0])
    if (note.kind != Kind.CREDIT_NOTE or note.status != Status.VALIDATED
            or note.settlement_mode != SettlementMode.REMBOURSEMENT):
        raise WorkflowError(f"La pro forma {note.number} n'est pas une facture d'avoir validée "
                            "à rembourser.")
    ref = (reference or "").strip()
    limit = max_length(CreditApplication.reference)
    if not ref or len(ref) > limit:
        raise InvalidInput("reference", "Indiquez la référence du remboursement reçu "
                                        f"({limit} caractères au plus).")
    left = -note.total - settled(session, note.id)
    check(seen, {note.id: (note.number, note.version)}, left, what="facture d'avoir",
          nothing_done="Aucun remboursement n'a été enregistré.")
    value = left if amount is None else amount
    if (not isinstance(value, Decimal) or not value.is_finite() or value <= 0 or value > left
            or value != value.quantize(Decimal("0.01"))):
        raise InvalidInput("amount", "Le montant remboursé doit être positif, au centime, "
                                     f"et au plus égal au reste dû ({format_eur(left)}).")
    _apply_credit(session, actor, Outstanding(note.id, note.number, left), value, None,
           kind=CreditUse.REIMBURSEMENT, reference=ref)
    return left - value
