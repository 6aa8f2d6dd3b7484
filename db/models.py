"""SQLAlchemy 2 typed models of the billing console.

Every amount of money is ``Numeric(12, 2)`` in SQL and ``Decimal`` in Python. Statuses,
natures, kinds, roles and outcomes are the domain's enums (``domain.vocabulary``), stored as
their code strings and kept within the vocabulary by CHECK constraints (migration 0012; on
SQLite, triggers, since adding a CHECK would rebuild referenced tables); the database also
enforces what must never be broken whatever the code does: an échéance in at most one live
pro forma, one version number per document, an append-only event log (triggers added by the
migration). Every moment is a ``UtcDateTime`` (``db/types.py``): aware, in UTC, on both
engines.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from db.types import Code, UtcDateTime, one_of
from domain.vocabulary import Kind, Nature, Outcome, Role, SettlementMode, Status

Money = Numeric(12, 2, asdecimal=True)
CLAIMED = text("pro_forma_id IS NOT NULL")  # partial index: claimed échéances only

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with a naming convention so that migrations are stable."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}

    def __repr__(self) -> str:
        key = getattr(self, "number", None) or getattr(self, "id", None)
        return f"<{type(self).__name__} {key!r}>"


class Cfa(Base):
    """A training centre (Centre de Formation d'Apprentis) and its bank details on file."""

    __tablename__ = "cfa"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    siret: Mapped[str] = mapped_column(String(14), unique=True)
    uai: Mapped[str] = mapped_column(String(8))
    nda: Mapped[str] = mapped_column(String(11))
    address: Mapped[str] = mapped_column(String(300), default="")
    iban: Mapped[str] = mapped_column(String(34))
    bic: Mapped[str] = mapped_column(String(11))
    default_settlement: Mapped[SettlementMode] = mapped_column(
        Code(SettlementMode), default=SettlementMode.DEDUCTION)

    __table_args__ = (one_of("default_settlement", SettlementMode),)


class Employer(Base):
    """An employer ("adhérent") of apprentices."""

    __tablename__ = "employer"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    siret: Mapped[str] = mapped_column(String(14), index=True)


class Apprentice(Base):
    """An apprentice (the "stagiaire" of the manual's search form)."""

    __tablename__ = "apprentice"
    id: Mapped[int] = mapped_column(primary_key=True)
    last_name: Mapped[str] = mapped_column(String(100))
    first_name: Mapped[str] = mapped_column(String(100))


class Contract(Base):
    """An apprenticeship contract between an apprentice, an employer and a CFA."""

    __tablename__ = "contract"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    cfa_id: Mapped[int] = mapped_column(ForeignKey("cfa.id"))
    employer_id: Mapped[int] = mapped_column(ForeignKey("employer.id"))
    apprentice_id: Mapped[int] = mapped_column(ForeignKey("apprentice.id"))
    # the apprentice's name as the contract states it, copied when the contract is recorded:
    # the CFA's name search reads it from ix_contract_cfa_apprentice, one index entry per
    # contract, instead of looking up every apprentice of the CFA
    apprentice_last_name: Mapped[str] = mapped_column(String(100), default="",
                                                      server_default="")
    apprentice_first_name: Mapped[str] = mapped_column(String(100), default="",
                                                       server_default="")
    title: Mapped[str] = mapped_column(String(200))
    rncp: Mapped[str] = mapped_column(String(20), default="")
    level: Mapped[int] = mapped_column(Integer)
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date] = mapped_column(Date)
    signed_on: Mapped[date] = mapped_column(Date)
    npec: Mapped[Decimal] = mapped_column(Money)
    status: Mapped[str] = mapped_column(String(20), default="engage")
    rupture_on: Mapped[date | None] = mapped_column(Date)
    meals_per_year: Mapped[int] = mapped_column(Integer, default=0)
    nights_per_year: Mapped[int] = mapped_column(Integer, default=0)
    equipment_amount: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    mobility_amount: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    # the contract this one follows after a rupture (import column "Numéro du contrat
    # précédent"): a new employer then pays 200 €, not 750 € (R6332-25-1; migration 0013)
    previous_contract_id: Mapped[int | None] = mapped_column(ForeignKey("contract.id"))

    cfa: Mapped[Cfa] = relationship()
    employer: Mapped[Employer] = relationship()
    apprentice: Mapped[Apprentice] = relationship()
    previous_contract: Mapped[Contract | None] = relationship(remote_side=[id])

    __table_args__ = (
        Index("ix_contract_status", "status", "id"),
        Index("ix_contract_cfa_number", "cfa_id", "number"),
        Index("ix_contract_cfa_apprentice", "cfa_id", "apprentice_last_name",
              "apprentice_first_name"),
    )


class ContractImport(Base):
    """One applied contract file (``workflow.contracts.importing``; migration 0013)."""

    __tablename__ = "contract_import"
    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    imported_at: Mapped[datetime] = mapped_column(UtcDateTime)
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    lines: Mapped[int] = mapped_column(Integer)
    created: Mapped[int] = mapped_column(Integer)
    changed: Mapped[int] = mapped_column(Integer)
    regularised: Mapped[int] = mapped_column(Integer)


class ContractChange(Base):
    """What an import did to a contract: created it, an avenant, a rupture; the fields before
    and after, as JSON (dates ISO, amounts as strings)."""

    __tablename__ = "contract_change"
    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contract.id"), index=True)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("contract_import.id"))
    line: Mapped[int | None] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))  # contrat | avenant | rupture
    effective_on: Mapped[date] = mapped_column(Date)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    before: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    after: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Echeance(Base):
    """One installment of a contract's funding, for one nature of cost.

    ``pro_forma_id`` is the claim: it is set by a conditional UPDATE (``WHERE pro_forma_id IS
    NULL``) when a pro forma takes the échéance and cleared when that pro forma is cancelled.
    """

    __tablename__ = "echeance"
    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contract.id"))
    cfa_id: Mapped[int] = mapped_column(ForeignKey("cfa.id"))
    nature: Mapped[Nature] = mapped_column(Code(Nature))
    kind: Mapped[str] = mapped_column(String(20))
    year: Mapped[int] = mapped_column(Integer)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Money)
    detail: Mapped[str] = mapped_column(String(400), default="")
    pro_forma_id: Mapped[int | None] = mapped_column(ForeignKey("pro_forma.id"))

    contract: Mapped[Contract] = relationship()

    __table_args__ = (
        one_of("nature", Nature),
        Index("ix_echeance_eligible", "cfa_id", "nature", "pro_forma_id", "due_on",
              "contract_id", "amount"),
        Index("ix_echeance_pro_forma", "pro_forma_id", sqlite_where=CLAIMED,
              postgresql_where=CLAIMED),
        Index("ix_echeance_engaged", "contract_id", "nature", "due_on", "amount"),
        Index("ix_echeance_due", "due_on", "contract_id", "nature", "amount"),
    )


class User(Base):
    """A person who logs in: a CFA user (tied to one CFA), an instructeur, a manager, an admin."""

    __tablename__ = "app_user"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(Code(Role))
    cfa_id: Mapped[int | None] = mapped_column(ForeignKey("cfa.id"))
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # set by a manager's reset or account creation: the password is provisional
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False,
                                                       server_default=text("false"))

    cfa: Mapped[Cfa | None] = relationship()

    __table_args__ = (one_of("role", Role),)


class ProForma(Base):
    """A pro forma invoice or credit note generated by the portal for one nature of cost.

    ``version`` is incremented by every state change; decisions carry the version they were
    made on and are refused when it moved (optimistic locking).
    """

    __tablename__ = "pro_forma"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(12), unique=True)
    cfa_id: Mapped[int] = mapped_column(ForeignKey("cfa.id"))
    nature: Mapped[Nature] = mapped_column(Code(Nature))
    kind: Mapped[Kind] = mapped_column(Code(Kind))
    status: Mapped[Status] = mapped_column(Code(Status))
    total: Mapped[Decimal] = mapped_column(Money)
    dossiers: Mapped[int] = mapped_column(Integer)
    settlement_mode: Mapped[SettlementMode | None] = mapped_column(Code(SettlementMode))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    deposited_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    first_deposited_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    own_invoice_number: Mapped[str | None] = mapped_column(String(60))
    assigned_to_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    refusal_reason_id: Mapped[int | None] = mapped_column(ForeignKey("refusal_reason.id"))
    refusal_comment: Mapped[str | None] = mapped_column(Text)
    needs_second_approval: Mapped[bool] = mapped_column(Boolean, default=False)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    paid_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # The latest check run of the latest document and its worst outcome, kept here by the
    # workflow so that the review queue filters and pages without aggregating every run.
    latest_run_id: Mapped[int | None] = mapped_column(Integer)
    check_summary: Mapped[str | None] = mapped_column(String(10))

    cfa: Mapped[Cfa] = relationship()
    lines: Mapped[list[ProFormaLine]] = relationship(
        back_populates="pro_forma", order_by="ProFormaLine.id"
    )

    __table_args__ = (
        one_of("nature", Nature),
        one_of("kind", Kind),
        one_of("status", Status),
        one_of("settlement_mode", SettlementMode),
        Index("ix_pro_forma_cfa_status", "cfa_id", "status", "created_at"),
        Index("ix_pro_forma_queue", "status", "deposited_at"),
        Index("ix_pro_forma_queue_checks", "status", "check_summary", "deposited_at", "id"),
        Index("ix_pro_forma_queue_assigned", "status", "assigned_to_id", "deposited_at", "id"),
        Index("ix_pro_forma_paid", "status", "kind", "paid_at", "decided_at"),
    )


class ProFormaLine(Base):
    """One échéance invoiced by a pro forma. ``released`` is set when the pro forma is cancelled.

    A partial unique index makes it impossible for one échéance to sit in two live pro formas.
    """

    __tablename__ = "pro_forma_line"
    id: Mapped[int] = mapped_column(primary_key=True)
    pro_forma_id: Mapped[int] = mapped_column(ForeignKey("pro_forma.id"), index=True)
    echeance_id: Mapped[int] = mapped_column(ForeignKey("echeance.id"))
    contract_id: Mapped[int] = mapped_column(ForeignKey("contract.id"))
    amount: Mapped[Decimal] = mapped_column(Money)
    released: Mapped[bool] = mapped_column(Boolean, default=False)

    pro_forma: Mapped[ProForma] = relationship(back_populates="lines")
    echeance: Mapped[Echeance] = relationship()

    __table_args__ = (
        Index(
            "uq_pro_forma_line_live_echeance",
            "echeance_id",
            unique=True,
            sqlite_where=text("released = 0"),
            postgresql_where=text("released = false"),
        ),
    )


class Document(Base):
    """One deposited version of the CFA's own invoice; every version is kept, bytes included."""

    __tablename__ = "document"
    id: Mapped[int] = mapped_column(primary_key=True)
    pro_forma_id: Mapped[int] = mapped_column(ForeignKey("pro_forma.id"))
    version: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(50))
    media_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    own_invoice_number: Mapped[str | None] = mapped_column(String(60))
    uploaded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))

    __table_args__ = (UniqueConstraint("pro_forma_id", "version"),
                      Index("ix_document_uploaded_at", "uploaded_at"))  # deposits per hour


class Attestation(Base):
    """One deposited version of the attestation de réalisation des actions de formation that
    a pro forma holding a final balance asks for beside the invoice (migration 0013)."""

    __tablename__ = "attestation"
    id: Mapped[int] = mapped_column(primary_key=True)
    pro_forma_id: Mapped[int] = mapped_column(ForeignKey("pro_forma.id"))
    version: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(50))
    media_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))

    __table_args__ = (UniqueConstraint("pro_forma_id", "version"),)


class CheckRun(Base):
    """One run of the automatic checks over one document; ``summary`` is the worst outcome."""

    __tablename__ = "check_run"
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"), index=True)
    ran_at: Mapped[datetime] = mapped_column(UtcDateTime)
    text_source: Mapped[str] = mapped_column(String(20))
    summary: Mapped[str] = mapped_column(String(10))
    found: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    elapsed_ms: Mapped[Decimal] = mapped_column(Numeric(10, 1))

    __table_args__ = (
        Index("ix_check_run_document_first", "document_id", "id", "ran_at", "summary"),
    )

    results: Mapped[list[CheckResultRow]] = relationship(order_by="CheckResultRow.id")


class CheckResultRow(Base):
    """One verdict of a check run, with its evidence (page, box, text) as JSON."""

    __tablename__ = "check_result"
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("check_run.id"), index=True)
    name: Mapped[str] = mapped_column(String(30))
    outcome: Mapped[Outcome] = mapped_column(Code(Outcome, 10))
    message: Mapped[str] = mapped_column(Text)
    evidence: Mapped[list[Any]] = mapped_column(JSON, default=list)

    __table_args__ = (one_of("outcome", Outcome),)


class CheckJob(Base):
    """One run of the automatic checks to do, off the request path (``workflow.deposits.jobs``).

    Written with the deposit (or the re-check request) in the same transaction; a worker
    claims it, reads the file with no transaction open, and lands the results only when the
    document is still the pro forma's current version. ``state``: pending, running, done,
    stale (a newer version was deposited meanwhile), failed (every attempt failed: the run
    holds every check ``unknown`` with the reason in ``error``).
    """

    __tablename__ = "check_job"
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"))
    pro_forma_id: Mapped[int] = mapped_column(ForeignKey("pro_forma.id"))
    kind: Mapped[str] = mapped_column(String(10))  # deposit | recheck
    state: Mapped[str] = mapped_column(String(10))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    run_after: Mapped[datetime] = mapped_column(UtcDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    run_id: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        Index("ix_check_job_state", "state", "run_after", "id"),
        Index("ix_check_job_pro_forma", "pro_forma_id", "state"),
    )


class RefusalReason(Base):
    """A refusal reason of the catalogue, with the letter the CFA reads."""

    __tablename__ = "refusal_reason"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True)
    label: Mapped[str] = mapped_column(String(200))
    letter: Mapped[str] = mapped_column(Text)
    requires_comment: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class Decision(Base):
    """An instructeur's decision on a pro forma, with what was seen when it was made."""

    __tablename__ = "decision"
    id: Mapped[int] = mapped_column(primary_key=True)
    pro_forma_id: Mapped[int] = mapped_column(ForeignKey("pro_forma.id"), index=True)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("document.id"))
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    outcome: Mapped[str] = mapped_column(String(20))  # validated | refused | approved
    version: Mapped[int] = mapped_column(Integer)
    reason_id: Mapped[int | None] = mapped_column(ForeignKey("refusal_reason.id"))
    comment: Mapped[str | None] = mapped_column(Text)
    checks_seen: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    against_checks: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (
        one_of("outcome", ("validated", "refused", "approved")),
        Index("ix_decision_outcome_at", "outcome", "at"),
        Index("ix_decision_pro_forma_outcome", "pro_forma_id", "outcome", "id"),
    )


class Notice(Base):
    """A letter sent to a CFA (a refusal letter), read in the portal and downloadable as PDF."""

    __tablename__ = "notice"
    id: Mapped[int] = mapped_column(primary_key=True)
    cfa_id: Mapped[int] = mapped_column(ForeignKey("cfa.id"), index=True)
    pro_forma_id: Mapped[int] = mapped_column(ForeignKey("pro_forma.id"), index=True)
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decision.id"))
    reason_label: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    read_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


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
    kind: Mapped[str] = mapped_column(String(20))  # deduction | reimbursement
    amount: Mapped[Decimal] = mapped_column(Money)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    reference: Mapped[str] = mapped_column(String(35), default="")

    __table_args__ = (one_of("kind", ("deduction", "reimbursement")),)


class Event(Base):
    """The append-only event log (UPDATE and DELETE are refused by database triggers)."""

    __tablename__ = "event"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    entity: Mapped[str] = mapped_column(String(30))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    pro_forma_id: Mapped[int | None] = mapped_column(ForeignKey("pro_forma.id"), index=True)
    action: Mapped[str] = mapped_column(String(40))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(String(200))
    comment: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int | None] = mapped_column(Integer)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    __table_args__ = (
        Index("ix_event_action_at", "action", "at"),
        Index("ix_event_pro_forma_action", "pro_forma_id", "action", "id"),
    )


class Setting(Base):
    """A manager setting (service-level target, four-eyes threshold…), stored as text."""

    __tablename__ = "setting"
    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))


class SavedFilter(Base):
    """A CFA user's saved search of eligible contracts ("Ajouter à mes filtres")."""

    __tablename__ = "saved_filter"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    criteria: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Counter(Base):
    """Named sequences that work the same on SQLite and PostgreSQL (pro forma numbers)."""

    __tablename__ = "counter"
    name: Mapped[str] = mapped_column(String(30), primary_key=True)
    value: Mapped[int] = mapped_column(Integer)


class WebSession(Base):
    """A browser session: what the HttpOnly cookie stands for (``workflow.accounts.sessions``).

    Only hashes are stored: ``token_hash`` is the sha256 of the cookie's token (set when the
    browser redeems its ticket), ``ticket_hash`` that of the one-time ticket the login page
    hands the browser (cleared once redeemed). Revocation (logout, password change,
    deactivation) sets ``revoked_at``; inactivity is judged on ``last_seen_at``.
    """

    __tablename__ = "web_session"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    ticket_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    ticket_expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class LoginSource(Base):
    """Failed logins from one source (``accounts.auth``): the sha256 of the address the login
    page saw, its failures, the last one, and until when its attempts are held back."""

    __tablename__ = "login_source"
    source_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime] = mapped_column(UtcDateTime)
    blocked_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
