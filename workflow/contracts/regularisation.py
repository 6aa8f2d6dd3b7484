"""Recompute on change (issue 18): an avenant or a rupture recomputes a contract's schedule.

Rules (R6332-25; ``../shared/domain.md``: trop-perçu = paid − due; docs/domain-notes.md):

* The échéances in a live pro forma are **kept** as they are: those in a pro forma Validé or
  Payé are what was actually paid ("déjà versé"); those in a pro forma awaiting an invoice,
  under review or refused are "en cours" (the CFA may still cancel it: its échéances then come
  back unclaimed and the next recompute replaces them).
* Every **unclaimed** échéance is replaced by the schedule recomputed on the new terms
  (``schedule.schedule``), less the installments a kept échéance already stands for (same
  kind and year). After a rupture, the unclaimed installments are kept in due order within
  what remains of the entitlement once the kept ones are counted (reduced or dropped past it),
  as ``domain.schedule.ruptures.after_rupture`` does; after an avenant without rupture they
  are all kept.
* The difference between the recomputed entitlement and the kept plus replaced échéances
  becomes **one regularisation échéance per contract and nature**, negative (trop-perçu) when
  more was paid or is in progress than is due. Its detail says how it was computed (shown
  under "Voir les détails"). So each nature's échéances add up to its entitlement, and after
  a rupture nothing is negative unless something kept exceeds the entitlement.

``plan`` is pure (hypothesis properties in tests/workflow/contracts/test_regularisation.py);
``recompute`` applies it to contracts of the database in batches, comparing before writing:
recomputing a contract whose terms did not change writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from db.models import Contract, Echeance, ProForma, ProFormaLine
from domain.clock import today
from domain.formatting import format_day, format_eur
from domain.schedule import ContractTerms, Installment, schedule, year_bounds
from domain.vocabulary import ContractChangeKind, EcheanceKind, Nature
from workflow.common.paging import chunks
from workflow.common.typed import table_of
from workflow.contracts.bulk import bulk_insert
from workflow.contracts.contracts import PAID_STATUSES, EcheanceRow, prolongations, terms_of

ZERO = Decimal("0.00")
DETAIL_MAX = 400


@dataclass(frozen=True)
class Held:
    """An échéance claimed by a live pro forma: kept as it is. ``paid``: Validé or Payé."""

    nature: str
    kind: str
    year: int
    amount: Decimal
    paid: bool


@dataclass(frozen=True)
class Regularisation:
    """One regularisation échéance made by a recompute, for the import's report."""

    contract_id: int
    number: str
    nature: str
    amount: Decimal
    detail: str


@dataclass(frozen=True)
class Outcome:
    """What a recompute did to one contract."""

    contract_id: int
    number: str
    written: int  # unclaimed échéances inserted, updated or removed
    regularisations: tuple[Regularisation, ...]


def _year_of(terms: ContractTerms, day: date) -> tuple[int, date, date]:
    """(number, first day, last day) of the execution year holding ``day`` (capped)."""
    years = year_bounds(terms)
    for number, (start, end) in enumerate(years, start=1):
        if start <= day <= end:
            return number, start, end
    if day < terms.start:
        return 1, *years[0]
    return len(years), *years[-1]


def plan(terms: ContractTerms, held: Iterable[Held], on: date, reason: str
         ) -> list[Installment]:
    """The unclaimed installments a contract should have, given the ``held`` ones (kept).

    ``on``: the date of the change (an avenant's regularisation is due then; a rupture's at
    the rupture date). ``reason``: how the change is named in the regularisation's detail.

    Raises:
        ScheduleError: if the terms are invalid.
    """
    fresh = schedule(terms)
    held = list(held)
    result: list[Installment] = []
    for nature in Nature:
        mine = [i for i in fresh if i.nature is nature]
        kept = [h for h in held if h.nature == nature.value]
        target = sum((i.amount for i in mine), ZERO)
        paid = sum((h.amount for h in kept if h.paid), ZERO)
        live = sum((h.amount for h in kept if not h.paid), ZERO)
        keys = {(h.kind, h.year) for h in kept}
        candidates = [i for i in mine if i.kind != EcheanceKind.REGULARISATION
                      and (i.kind, i.year) not in keys]
        if terms.rupture_on is not None:
            candidates = _within(candidates, target - paid - live)
        balance = target - paid - live - sum((i.amount for i in candidates), ZERO)
        result += candidates
        if balance:
            result.append(_regularisation(terms, nature, on, reason, target, paid, live,
                                          candidates, balance))
    return sorted(result, key=lambda i: (i.due_on, list(Nature).index(i.nature), i.year))


def _within(candidates: list[Installment], room: Decimal) -> list[Installment]:
    """The candidates in due order within ``room`` (the one overflowing reduced, the next
    dropped): after a rupture, what remains of the entitlement once the kept ones count."""
    kept = []
    for i in sorted(candidates, key=lambda i: (i.due_on, i.year)):
        amount = min(i.amount, max(room, ZERO))
        room -= amount
        if amount == i.amount:
            kept.append(i)
        elif amount:
            kept.append(replace(i, amount=amount, detail=_cut(
                f"{i.detail} ; ramené à {format_eur(amount)} par le recalcul")))
    return kept


def _cut(text: str) -> str:
    return text if len(text) <= DETAIL_MAX else text[:DETAIL_MAX - 1] + "…"


def _regularisation(terms: ContractTerms, nature: Nature, on: date, reason: str,
                    target: Decimal, paid: Decimal, live: Decimal,
                    candidates: list[Installment], balance: Decimal) -> Installment:
    """The regularisation installment of one nature, its calculation in its detail."""
    rupture = terms.rupture_on
    day = rupture if rupture is not None else on
    number, start, end = _year_of(terms, day)
    outcome = "trop-perçu" if balance < 0 else "reste dû"
    text = (f"{reason} : droit recalculé {format_eur(target)} ; déjà versé (validé ou payé) "
            f"{format_eur(paid)}")
    if live:
        text += f" ; en cours dans une pro forma {format_eur(live)}"
    rest = sum((i.amount for i in candidates), ZERO)
    if rest:
        text += f" ; échéances restant à facturer {format_eur(rest)}"
    text += f" ; {outcome} {format_eur(abs(balance))}"
    return Installment(nature, EcheanceKind.REGULARISATION, number, start,
                       rupture if rupture is not None else end, day, balance, _cut(text))


# --- the database side -------------------------------------------------------------------

def _load(session: Session, ids: Sequence[int]) -> dict[int, list[EcheanceRow]]:
    rows: dict[int, list[EcheanceRow]] = {i: [] for i in ids}
    for part in chunks(ids):
        stmt = (select(Echeance.contract_id, Echeance.id, Echeance.nature, Echeance.kind,
                       Echeance.year, Echeance.period_start, Echeance.period_end,
                       Echeance.due_on, Echeance.amount, Echeance.detail, ProForma.number,
                       Echeance.pro_forma_id, ProForma.status)
                .outerjoin(ProForma, ProForma.id == Echeance.pro_forma_id)
                .where(Echeance.contract_id.in_(part)).order_by(Echeance.id))
        for contract_id, *values in session.execute(stmt):
            rows[contract_id].append(EcheanceRow(*values))
    return rows


def _referenced(session: Session, ids: Sequence[int]) -> dict[int, int]:
    """{échéance id: the last (cancelled) pro forma whose released line names it}."""
    found: dict[int, int] = {}
    for part in chunks(ids):
        for e, pf in session.execute(select(ProFormaLine.echeance_id, ProFormaLine.pro_forma_id)
                                     .where(ProFormaLine.echeance_id.in_(part))
                                     .order_by(ProFormaLine.id)):
            found[e] = pf
    return found


def _values(i: Installment) -> tuple[object, ...]:
    return (i.nature.value, i.kind, i.year, i.period_start, i.period_end, i.due_on, i.amount,
            i.detail)


def _row_values(r: EcheanceRow) -> tuple[object, ...]:
    return (r.nature, r.kind, r.year, r.period_start, r.period_end, r.due_on, r.amount,
            r.detail)


def recompute(session: Session, contracts: Sequence[Contract], on: date | dict[int, date],
              reasons: dict[int, str], prolonged: dict[int, date] | None = None
              ) -> list[Outcome]:
    """Recompute the échéances of ``contracts`` (rows already holding their new terms).

    ``on``: the date of the change, or {contract id: its date}. ``reasons``: {contract id:
    the change, in French, e.g. "Rupture du 30/04/2026"}. ``prolonged``: {contract id: its
    end before an L6222-11 prolongation} (default: read from the import changes).
    Unclaimed échéances are updated in place when their (nature, kind, year) stays, removed
    otherwise — or, when a cancelled pro forma's line still names one, parked on that
    cancelled pro forma (never eligible, never counted as paid) so that the line's history
    keeps its échéance. Nothing is written for a contract whose échéances already match.

    Raises:
        ScheduleError: if a contract's terms are invalid.
    """
    by_id = {c.id: c for c in contracts}
    loaded = _load(session, list(by_id))
    outcomes: list[Outcome] = []
    updates: list[dict[str, object]] = []
    inserts: list[dict[str, object]] = []
    removals: list[int] = []
    parked: list[dict[str, object]] = []
    unclaimed_all = [r.id for rows in loaded.values() for r in rows if r.pro_forma_id is None]
    refs = _referenced(session, unclaimed_all) if unclaimed_all else {}
    extended = prolongations(session, list(by_id)) if prolonged is None else prolonged
    for cid, contract in by_id.items():
        rows = loaded[cid]
        held = [Held(r.nature, r.kind, r.year, r.amount, r.pro_forma_status in PAID_STATUSES)
                for r in rows if r.pro_forma_id is not None]
        day = on.get(cid, today()) if isinstance(on, dict) else on
        wanted = plan(terms_of(contract, extended.get(cid)), held, day,
                      reasons.get(cid, "Recalcul"))
        free = [r for r in rows if r.pro_forma_id is None]
        if sorted(map(_row_values, free), key=repr) == sorted(map(_values, wanted), key=repr):
            outcomes.append(Outcome(cid, contract.number, 0, ()))
            continue
        written = 0
        pool = {(r.nature, r.kind, r.year): r for r in free}
        rest: list[Installment] = []
        for i in wanted:
            r = pool.pop((i.nature.value, i.kind, i.year), None)
            if r is None:
                rest.append(i)
            elif _row_values(r) != _values(i):
                updates.append(_update(r.id, i))
                written += 1
        leftovers = sorted(pool.values(), key=lambda r: (r.id not in refs, r.id))
        for i in rest:  # re-use a leftover row (a referenced one first), else insert
            if leftovers:
                updates.append(_update(leftovers.pop(0).id, i))
            else:
                inserts.append(_insert(cid, contract.cfa_id, i))
            written += 1
        for r in leftovers:
            if r.id in refs:
                parked.append({"id": r.id, "pro_forma_id": refs[r.id]})
            else:
                removals.append(r.id)
            written += 1
        regs = tuple(Regularisation(cid, contract.number, i.nature.value, i.amount, i.detail)
                     for i in wanted if i.kind == EcheanceKind.REGULARISATION)
        outcomes.append(Outcome(cid, contract.number, written, regs))
    if updates:
        session.execute(update(Echeance), updates)
    if parked:
        session.execute(update(Echeance), parked)
    for part in chunks(removals):
        session.execute(delete(Echeance).where(Echeance.id.in_(part))
                        .execution_options(synchronize_session=False))
    bulk_insert(session.connection(), table_of(Echeance), inserts)
    return outcomes


def _update(row_id: int, i: Installment) -> dict[str, object]:
    return {"id": row_id, "nature": i.nature.value, "kind": i.kind, "year": i.year,
            "period_start": i.period_start, "period_end": i.period_end, "due_on": i.due_on,
            "amount": i.amount, "detail": i.detail}


def _insert(contract_id: int, cfa_id: int, i: Installment) -> dict[str, object]:
    values = _update(0, i)
    del values["id"]
    return {"contract_id": contract_id, "cfa_id": cfa_id, **values, "pro_forma_id": None}


def reason_for(contract: Contract, kind: ContractChangeKind, on: date) -> str:
    """The French name of a change, for a regularisation's detail."""
    if kind == ContractChangeKind.RUPTURE and contract.rupture_on is not None:
        return f"Rupture du {format_day(contract.rupture_on)}"
    if kind == ContractChangeKind.PROLONGATION:
        return f"Prolongation (L6222-11) du {format_day(on)}"
    return f"Avenant du {format_day(on)}"
