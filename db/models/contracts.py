"""The parties and their contracts: CFAs, employers, apprentices, contracts, what the
contract imports changed, and each contract's échéances."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.models.base import Base, Money
from db.types import Code, UtcDateTime, one_of
from domain.vocabulary import (
    ContractChangeKind,
    ContractStatus,
    EcheanceKind,
    Nature,
    SettlementMode,
)

CLAIMED = text("pro_forma_id IS NOT NULL")  # partial index: claimed échéances only


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
    status: Mapped[ContractStatus] = mapped_column(Code(ContractStatus),
                                                   default=ContractStatus.ENGAGE)
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
        one_of("status", ContractStatus),
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
    kind: Mapped[ContractChangeKind] = mapped_column(Code(ContractChangeKind))
    effective_on: Mapped[date] = mapped_column(Date)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    before: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    after: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    __table_args__ = (one_of("kind", ContractChangeKind),)


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
    kind: Mapped[EcheanceKind] = mapped_column(Code(EcheanceKind))
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
        one_of("kind", EcheanceKind),
        Index("ix_echeance_eligible", "cfa_id", "nature", "pro_forma_id", "due_on",
              "contract_id", "amount"),
        Index("ix_echeance_pro_forma", "pro_forma_id", sqlite_where=CLAIMED,
              postgresql_where=CLAIMED),
        Index("ix_echeance_engaged", "contract_id", "nature", "due_on", "amount"),
        Index("ix_echeance_due", "due_on", "contract_id", "nature", "amount"),
    )
