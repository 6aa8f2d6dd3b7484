"""A CFA's contracts ("Mes contrats") and each contract's échéancier."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from db.models import Apprentice, Contract, ContractChange, Echeance, Employer, ProForma
from domain.schedule import ContractTerms, PaidKey, same_certification
from domain.vocabulary import CONTRACT_STATUS_LABELS as CONTRACT_STATUS_LABELS  # re-exported
from domain.vocabulary import Nature, Status
from workflow.common.access import Actor, get_owned, require_cfa
from workflow.common.paging import Page, chunks, paginate
from workflow.contracts.textsearch import contains_ci

# "Paid" for a trop-perçu: validated for payment or paid; never merely scheduled, awaiting an
# invoice, under review, refused or cancelled (../shared/domain.md; issue 18).
PAID_STATUSES = (Status.VALIDATED.value, Status.PAID.value)


@dataclass(frozen=True)
class ContractRow:
    """One line of "Mes contrats"."""

    id: int
    number: str
    title: str
    apprentice: str
    employer: str
    employer_siret: str
    start: date
    end: date
    npec: Decimal
    status: str
    rupture_on: date | None


@dataclass(frozen=True)
class EcheanceRow:
    """One échéance of a contract's échéancier, with the pro forma that claims it (its number,
    id and status: "Mes contrats" shows the number, the recompute reads the id and status)."""

    id: int
    nature: str
    kind: str
    year: int
    period_start: date
    period_end: date
    due_on: date
    amount: Decimal
    detail: str
    pro_forma: str | None
    pro_forma_id: int | None = None
    pro_forma_status: str | None = None


def list_contracts(session: Session, actor: Actor, *, search: str = "", page: int = 0,
                   page_size: int = 20) -> Page[ContractRow]:
    """The acting CFA's contracts, newest first, paged in SQL; ``search`` matches the
    contract number or the apprentice's name."""
    cfa_id = require_cfa(actor)
    stmt = (
        select(Contract.id, Contract.number, Contract.title,
               Apprentice.first_name + " " + Apprentice.last_name, Employer.name,
               Employer.siret, Contract.start, Contract.end, Contract.npec, Contract.status,
               Contract.rupture_on)
        .join(Apprentice, Apprentice.id == Contract.apprentice_id)
        .join(Employer, Employer.id == Contract.employer_id)
        .where(Contract.cfa_id == cfa_id)
        .order_by(Contract.start.desc(), Contract.id.desc())
    )
    if term := search.strip():
        stmt = stmt.where(or_(contains_ci(Contract.number, term),
                              contains_ci(Contract.apprentice_last_name, term),
                              contains_ci(Contract.apprentice_first_name, term)))
    result = paginate(session, stmt, page, page_size)
    return Page([ContractRow(*r) for r in result.rows], result.total, result.page,
                result.page_size)


def contract_schedule(session: Session, actor: Actor, contract_id: object) -> list[EcheanceRow]:
    """The échéancier of one contract the actor may see, by due date."""
    contract = get_owned(session, Contract, contract_id, actor, "ce contrat")
    stmt = (
        select(Echeance.id, Echeance.nature, Echeance.kind, Echeance.year,
               Echeance.period_start, Echeance.period_end, Echeance.due_on, Echeance.amount,
               Echeance.detail, ProForma.number, Echeance.pro_forma_id, ProForma.status)
        .outerjoin(ProForma, ProForma.id == Echeance.pro_forma_id)
        .where(Echeance.contract_id == contract.id)
        .order_by(Echeance.due_on, Echeance.id)
    )
    return [EcheanceRow(*r) for r in session.execute(stmt)]


def terms_of(contract: Contract, prolonged_from: date | None = None) -> ContractTerms:
    """The schedule's inputs, as stored on the contract row (``prolonged_from``: the end
    before an L6222-11 prolongation, from ``prolongations``)."""
    return ContractTerms(
        start=contract.start, end=contract.end, signed_on=contract.signed_on,
        npec=contract.npec, level=contract.level, rupture_on=contract.rupture_on,
        meals_per_year=contract.meals_per_year, nights_per_year=contract.nights_per_year,
        equipment_amount=contract.equipment_amount, mobility_amount=contract.mobility_amount,
        after_rupture_new_employer=follows_rupture_elsewhere(contract),
        prolonged_from=prolonged_from)


def prolongations(session: Session, contract_ids: Sequence[int]) -> dict[int, date]:
    """{contract id: its end before an L6222-11 prolongation}, for the prolonged ones: read
    from each contract's latest import change (its terms after, ``prolonged_from``)."""
    latest: dict[int, dict[str, object]] = {}
    for part in chunks(sorted(set(contract_ids))):
        for cid, after in session.execute(
                select(ContractChange.contract_id, ContractChange.after)
                .where(ContractChange.contract_id.in_(part)).order_by(ContractChange.id)):
            latest[cid] = after or {}
    return {cid: date.fromisoformat(str(after["prolonged_from"]))
            for cid, after in latest.items() if after.get("prolonged_from")}


def follows_rupture_elsewhere(contract: Contract) -> bool:
    """True when the contract follows the rupture of the apprentice's previous contract with
    another employer, for the same certification (R6332-25-1: the new employer's
    participation is 200 €; ``schedule.same_certification``)."""
    if contract.previous_contract_id is None:
        return False
    previous = contract.previous_contract
    return (previous is not None and previous.rupture_on is not None
            and previous.employer_id != contract.employer_id
            and same_certification((previous.rncp or "", previous.title, previous.level),
                                   (contract.rncp or "", contract.title, contract.level)))


def paid_installments(session: Session, contract_id: int) -> set[PaidKey]:
    """(kind, year) of the contract's pedagogy échéances in a pro forma Validé or Payé: what a
    rupture counts as "déjà versé" (``schedule.pedagogy_schedule(terms, paid)``)."""
    stmt = (
        select(Echeance.kind, Echeance.year)
        .join(ProForma, ProForma.id == Echeance.pro_forma_id)
        .where(Echeance.contract_id == contract_id,
               Echeance.nature == Nature.PEDAGOGIE.value,
               ProForma.status.in_(PAID_STATUSES))
    )
    return {(kind, year) for kind, year in session.execute(stmt)}
