"""Eligible échéances for a pro forma ("Mes contrats éligibles pour facturation", seed §1.1).

An échéance is eligible when it belongs to the acting CFA, has the chosen nature, is claimed by
no live pro forma and is due. Listing, counting and the recap are single SQL statements driven
by the ``ix_echeance_eligible`` index (cfa_id, nature, pro_forma_id, due_on); the selection the
CFA unticked ("excluded" échéance ids) is subtracted inside SQL, never by loading rows.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import asdict, dataclass, fields
from datetime import date
from decimal import Decimal
from typing import Any, TypeVarTuple

from sqlalchemy import Select, and_, case, func, literal, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from db.models import Apprentice, Cfa, Contract, Echeance, Employer
from domain.clock import today
from domain.errors import InvalidInput
from domain.formatting import format_day
from domain.schedule import add_months
from domain.vocabulary import EcheanceKind, Nature
from workflow.common import bounds
from workflow.common.access import Actor, require_cfa
from workflow.common.paging import Page, window
from workflow.contracts.contracts import CONTRACT_STATUS_LABELS
from workflow.contracts.textsearch import contains_ci

# Columns of the tables (Core): the eligible page is the CFA's most used screen, and Core
# statements skip the ORM's per-call work.
Ts = TypeVarTuple("Ts")
_E, _CO, _AP, _EM, _CF = (m.__table__.c for m in (Echeance, Contract, Apprentice, Employer, Cfa))

RUPTURE_LABELS = {
    "none": "Sans rupture",
    "past": "Rupture effective",
    "planned": "Rupture à venir",
}
SORT_LABELS = {
    "number": "N° de contrat",
    "apprentice": "Apprenti",
    "period": "Période acompte (plus ancienne d'abord)",
    "amount_desc": "Montant décroissant",
    "amount_asc": "Montant croissant",
}
_SORTS: dict[str, tuple[Any, ...]] = {
    "number": (_CO.number, _E.due_on),
    "apprentice": (_AP.last_name, _AP.first_name, _CO.number),
    "period": (_E.period_start, _CO.number),
    "amount_desc": (_E.amount.desc(), _CO.number),
    "amount_asc": (_E.amount, _CO.number),
}
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class EligibleFilters:
    """The search of the manual: contract number and the advanced search fields.

    Empty strings and ``None`` mean "no filter". Built from and saved as a plain dict.
    """

    contract_number: str = ""
    start_from: date | None = None
    start_to: date | None = None
    contract_status: str = ""  # "" | engage | rupture
    last_name: str = ""
    first_name: str = ""
    employer_siret: str = ""
    cfa_siret: str = ""
    rupture: str = ""  # "" | none | past | planned

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> EligibleFilters:
        """Build filters from a dict (session state, saved filter); unknown keys are ignored.

        Raises InvalidInput for an unknown status or rupture choice, or a bad date.
        """
        data = data or {}
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = data.get(f.name)
            if f.name in ("start_from", "start_to"):
                values[f.name] = _as_date(raw)
            else:
                values[f.name] = str(raw or "").strip()
        if values["contract_status"] not in ("", *CONTRACT_STATUS_LABELS):
            raise InvalidInput("contract_status", "Statut de contrat inconnu.")
        if values["rupture"] not in ("", *RUPTURE_LABELS):
            raise InvalidInput("rupture", "Statut de la rupture inconnu.")
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly dict (dates as ISO strings), the form saved filters store."""
        return {k: (v.isoformat() if isinstance(v, date) else v)
                for k, v in asdict(self).items() if v not in ("", None)}

    def applied(self) -> list[str]:
        """The filters in force, in French ("STATUT : Rupture"), for "Filtres appliqués"."""
        out = []
        if self.contract_number:
            out.append(f"N° DE CONTRAT : {self.contract_number}")
        if self.start_from or self.start_to:
            low = format_day(self.start_from) if self.start_from else "…"
            high = format_day(self.start_to) if self.start_to else "…"
            out.append(f"LE CONTRAT DÉBUTE ENTRE : {low} et {high}")
        if self.contract_status:
            out.append(f"STATUT : {CONTRACT_STATUS_LABELS[self.contract_status]}")
        if self.last_name:
            out.append(f"NOM DU STAGIAIRE : {self.last_name}")
        if self.first_name:
            out.append(f"PRÉNOM DU STAGIAIRE : {self.first_name}")
        if self.employer_siret:
            out.append(f"SIRET ADHÉRENT : {self.employer_siret}")
        if self.cfa_siret:
            out.append(f"SIRET CFA PÉDAGOGIQUE : {self.cfa_siret}")
        if self.rupture:
            out.append(f"STATUT DE LA RUPTURE : {RUPTURE_LABELS[self.rupture]}")
        return out


def _as_date(raw: object) -> date | None:
    """A filter date (a date, or its ISO text from a saved filter), 2000-01-01..2100-12-31."""
    if raw in (None, ""):
        return None
    if isinstance(raw, date):
        return bounds.day(raw, "date", "La date de début du contrat")
    try:
        value = date.fromisoformat(str(raw)[:20])
    except ValueError:
        raise InvalidInput("date", f"Date invalide : {str(raw)[:20]} (jj/mm/aaaa attendu)."
                           ) from None
    return bounds.day(value, "date", "La date de début du contrat")


@dataclass(frozen=True)
class EligibleRow:
    """One line of the eligible list: an échéance and its contract."""

    echeance_id: int
    contract_id: int
    number: str
    title: str
    apprentice: str
    employer: str
    employer_siret: str
    contract_start: date
    contract_end: date
    period_start: date
    period_end: date
    amount: Decimal
    detail: str
    status: str
    rupture_on: date | None

    @property
    def status_label(self) -> str:
        return CONTRACT_STATUS_LABELS.get(self.status, self.status)


@dataclass(frozen=True)
class Recap:
    """The recap of the selection ("Inclus / Exclus / Montant") under the current filters.

    ``included``/``excluded`` count contracts (a contract is included when at least one of its
    eligible lines is selected); ``invoice_amount``/``credit_amount`` add up the selected
    totals of the included contracts whose selected total is ≥ 0 / < 0: per dossier, as the
    generation splits them (``proformas.split_by_dossier``), never per line.
    """

    eligible_contracts: int
    eligible_lines: int
    included: int
    included_lines: int
    invoice_amount: Decimal
    credit_amount: Decimal

    @property
    def excluded(self) -> int:
        return self.eligible_contracts - self.included

    @property
    def excluded_lines(self) -> int:
        return self.eligible_lines - self.included_lines

    @property
    def amount(self) -> Decimal:
        return self.invoice_amount + self.credit_amount


def check_nature(nature: str) -> str:
    """The nature code, or InvalidInput for an unknown one."""
    if nature not in {n.value for n in Nature}:
        raise InvalidInput("nature", "Nature de coûts inconnue.")
    return nature


BALANCE_LAPSES_AFTER_MONTHS = 4


def not_lapsed() -> ColumnElement[bool]:
    """The final 10 % balance (new regime) is due only when the CFA sends its invoice (and the
    attestation de réalisation) within 4 months of the contract's end; after that it is not
    due and leaves the eligible list (R6332-25 as amended by décret 2025-585; issue 18).

    The final balance is the ``balance_10`` due on the last day of its period (the contract's
    end); a yearly balance is due the day after its period, with the next year's advance.
    Eligible up to and including ``end + 4 months``.
    """
    cutoff = add_months(today(), -BALANCE_LAPSES_AFTER_MONTHS)
    return ~and_(_E.kind == EcheanceKind.BALANCE_10, _E.due_on == _E.period_end, _E.due_on < cutoff)


def _due_of_contract(nature: str) -> list[ColumnElement[bool]]:
    """An échéance is eligible: of ``nature``, claimed by no live pro forma, due, not lapsed
    (conditions for an échéance reached through its contract; ``_due`` adds the CFA)."""
    return [_E.nature == nature, _E.pro_forma_id.is_(None),
            _E.due_on <= today(), not_lapsed()]


def _due(cfa_id: int, nature: str) -> list[ColumnElement[bool]]:
    """The échéance-only conditions: exactly the ``ix_echeance_eligible`` index prefix."""
    return [_E.cfa_id == cfa_id, *_due_of_contract(nature)]


def _contract_criteria(cfa_id: int, f: EligibleFilters) -> list[ColumnElement[bool]]:
    """The search criteria, all on the contract and the rows joined to it."""
    clauses: list[ColumnElement[bool]] = []
    if f.contract_number:
        clauses.append(contains_ci(_CO.number, f.contract_number))
    if f.start_from:
        clauses.append(_CO.start >= f.start_from)
    if f.start_to:
        clauses.append(_CO.start <= f.start_to)
    if f.contract_status:
        clauses.append(_CO.status == f.contract_status)
    # a name "contains" search reads the names the contracts carry, from the CFA's entries of
    # ix_contract_cfa_apprentice: no apprentice row is visited
    if f.last_name:
        clauses.append(contains_ci(_CO.apprentice_last_name, f.last_name))
    if f.first_name:
        clauses.append(contains_ci(_CO.apprentice_first_name, f.first_name))
    if f.employer_siret:
        clauses.append(_EM.siret == "".join(f.employer_siret.split()))
    if f.cfa_siret:
        clauses.append(_CF.siret == "".join(f.cfa_siret.split()))
    if f.rupture == "none":
        clauses.append(_CO.rupture_on.is_(None))
    elif f.rupture == "past":
        clauses.append(_CO.rupture_on <= today())
    elif f.rupture == "planned":
        clauses.append(_CO.rupture_on > today())
    return clauses


def _eligible(cfa_id: int, nature: str, filters: EligibleFilters) -> list[ColumnElement[bool]]:
    """WHERE clauses of the joined listing: the index prefix, the CFA's contracts (so that
    the planner walks only this CFA's contracts), then the search criteria."""
    return [*_due(cfa_id, nature), _CO.cfa_id == cfa_id,
            *_contract_criteria(cfa_id, filters)]


def _matching(cfa_id: int, nature: str, filters: EligibleFilters) -> list[ColumnElement[bool]]:
    """WHERE clauses on échéances alone, for counts and sums: the criteria become a
    ``contract_id IN (…)`` over the CFA's contracts only when there are criteria, so that an
    unfiltered count or recap reads the eligibility index and nothing else."""
    if not _contract_criteria(cfa_id, filters):
        return _due(cfa_id, nature)
    contracts = _searched(select(_CO.id), cfa_id, filters)
    return [*_due(cfa_id, nature), _E.contract_id.in_(contracts)]


def _searched(stmt: Select[*Ts], cfa_id: int, f: EligibleFilters) -> Select[*Ts]:
    """``stmt`` (selecting from Contract) narrowed to the CFA's contracts matching ``f``,
    joining the employer or CFA only when a criterion is on it."""
    if f.employer_siret:
        stmt = stmt.join(Employer.__table__, _EM.id == _CO.employer_id)
    if f.cfa_siret:
        stmt = stmt.join(Cfa.__table__, _CF.id == _CO.cfa_id)
    return stmt.where(_CO.cfa_id == cfa_id, *_contract_criteria(cfa_id, f))


def _joined(stmt: Select[*Ts]) -> Select[*Ts]:
    return (
        stmt.select_from(Echeance.__table__)
        .join(Contract.__table__, _CO.id == _E.contract_id)
        .join(Apprentice.__table__, _AP.id == _CO.apprentice_id)
        .join(Employer.__table__, _EM.id == _CO.employer_id)
        .join(Cfa.__table__, _CF.id == _E.cfa_id)
    )


def list_eligible(session: Session, actor: Actor, nature: str,
                  filters: EligibleFilters | None = None, *, sort: str = "number",
                  page: int = 0, page_size: int = 20) -> Page[EligibleRow]:
    """One page of the acting CFA's eligible lines for ``nature``, sorted and paged in SQL.

    Raises AccessDenied for a non-CFA actor, InvalidInput for an unknown nature or sort.
    """
    cfa_id = require_cfa(actor)
    check_nature(nature)
    if sort not in _SORTS:
        raise InvalidInput("sort", "Tri inconnu.")
    f = filters or EligibleFilters()
    total = session.execute(select(func.count()).select_from(Echeance.__table__).where(
        *_matching(cfa_id, nature, f))).scalar_one()
    index, size = window(total, page, page_size)
    if sort == "number":
        # Contract order: the page's lines lie in the first (index + 1) × size contracts
        # having an eligible line, found by walking contract(cfa_id, number) in order; the
        # cost follows the page, not the number of eligible lines.
        contracts = _first_contracts(cfa_id, nature, f, (index + 1) * size)
        stmt: Select[int, int, str, str, str, str, str, date, date, date, date, Decimal, str,
                     str, date | None] = (select(*_ROW).select_from(contracts)
                .join(Echeance.__table__, _E.contract_id == contracts.c.id)
                .join(Contract.__table__, _CO.id == contracts.c.id)
                .join(Apprentice.__table__, _AP.id == _CO.apprentice_id)
                .join(Employer.__table__, _EM.id == _CO.employer_id)
                .where(_CO.cfa_id == cfa_id, *_due_of_contract(nature)))
    else:
        stmt = _joined(select(*_ROW)).where(*_eligible(cfa_id, nature, f))
    stmt = stmt.order_by(*_SORTS[sort], _E.id).limit(size).offset(index * size)
    rows = [EligibleRow(*r) for r in session.execute(stmt)]
    return Page(rows, total, index, size)


_ROW = (_E.id, _CO.id, _CO.number, _CO.title,
        _AP.first_name + literal(" ") + _AP.last_name, _EM.name,
        _EM.siret, _CO.start, _CO.end, _E.period_start,
        _E.period_end, _E.amount, _E.detail, _CO.status,
        _CO.rupture_on)


def _first_contracts(cfa_id: int, nature: str, f: EligibleFilters, limit: int) -> Any:
    """The CFA's first ``limit`` contracts in number order that match ``f`` and have an
    eligible line of ``nature`` (a derived table of contract ids)."""
    has_line = (select(literal(1)).select_from(Echeance.__table__)
                .where(_E.contract_id == _CO.id, *_due_of_contract(nature))
                .exists())
    stmt = _searched(select(_CO.id.label("id")), cfa_id, f).where(has_line)
    return stmt.order_by(_CO.number).limit(limit).subquery("first_contracts")


def recap(session: Session, actor: Actor, nature: str, filters: EligibleFilters | None = None,
          excluded_ids: Collection[int] = ()) -> Recap:
    """Counts and amounts of the selection, in one aggregate query.

    The selection is every eligible line matching ``filters`` except ``excluded_ids``.
    """
    cfa_id = require_cfa(actor)
    check_nature(nature)
    ex = sorted({int(i) for i in excluded_ids})
    # per dossier (issue 18): each contract's selected total lands whole in the invoice (>= 0)
    # or in the credit note (< 0), as ``proformas.split_by_dossier`` does at generation
    chosen = _E.id.not_in(ex) if ex else None
    picked_lines = func.count(_E.id) if chosen is None else func.count(case((chosen, _E.id)))
    picked_total = (func.sum(_E.amount) if chosen is None
                    else func.sum(case((chosen, _E.amount), else_=0)))
    per = (select(_E.contract_id.label("contract_id"), func.count(_E.id).label("lines"),
                  picked_lines.label("picked"), picked_total.label("total"))
           .where(*_matching(cfa_id, nature, filters or EligibleFilters()))
           .group_by(_E.contract_id).subquery("per_contract"))
    taken = per.c.picked > 0
    stmt = select(func.count(), func.coalesce(func.sum(per.c.lines), 0),
                  func.count(case((taken, per.c.contract_id))),
                  func.coalesce(func.sum(per.c.picked), 0),
                  func.coalesce(func.sum(case((and_(taken, per.c.total >= 0), per.c.total))), 0),
                  func.coalesce(func.sum(case((and_(taken, per.c.total < 0), per.c.total))), 0))
    row = session.execute(stmt).one()
    return Recap(int(row[0]), int(row[1]), int(row[2]), int(row[3]),
                 Decimal(row[4] or 0).quantize(ZERO), Decimal(row[5] or 0).quantize(ZERO))


def eligible_ids(session: Session, actor: Actor, nature: str,
                 filters: EligibleFilters | None = None,
                 excluded_ids: Collection[int] = ()) -> list[int]:
    """Ids of the eligible lines matching ``filters``, minus ``excluded_ids``, by id.

    With no exclusion: the lines "tout (dé)sélectionner" acts on. With the CFA's exclusions:
    the selection "Générer" invoices, which the page keeps so that a second click on
    "Générer" claims nothing twice (it gets AlreadyClaimed).
    """
    cfa_id = require_cfa(actor)
    check_nature(nature)
    ex = sorted({int(i) for i in excluded_ids})
    stmt = select(_E.id).where(
        *_matching(cfa_id, nature, filters or EligibleFilters()))
    if ex:
        stmt = stmt.where(_E.id.not_in(ex))
    return list(session.scalars(stmt.order_by(_E.id)))
