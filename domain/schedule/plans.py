"""The installments of each execution year under the old rules (40/30/30) and the new ones
(40/30/20/10), the shares as data; what falls after the contract end folded or settled."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from domain.formatting import format_eur, format_pct
from domain.money import cents
from domain.schedule.terms import ZERO, ContractTerms, Installment, add_months, is_new_regime
from domain.schedule.years import Year, execution_years
from domain.vocabulary import EcheanceKind, Nature


@dataclass(frozen=True)
class _Step:
    """One installment of a year's plan: its share, first month (0-based) and months covered.

    ``months == 0`` marks the balance: it covers the whole year and is due at the next year's
    start, or at the contract end for the last year.
    """

    kind: EcheanceKind
    share: Decimal
    first_month: int
    months: int


# Rules as data: the plan of one execution year under each regime.
OLD_PLAN = (
    _Step(EcheanceKind.ADVANCE_40, Decimal("0.40"), 0, 6),
    _Step(EcheanceKind.MONTH7_30, Decimal("0.30"), 6, 3),
    _Step(EcheanceKind.MONTH10_30, Decimal("0.30"), 9, 3),
)
NEW_PLAN = (
    _Step(EcheanceKind.ADVANCE_40, Decimal("0.40"), 0, 6),
    _Step(EcheanceKind.MONTH7_30, Decimal("0.30"), 6, 3),
    _Step(EcheanceKind.MONTH10_20, Decimal("0.20"), 9, 3),
    _Step(EcheanceKind.BALANCE_10, Decimal("0.10"), 12, 0),
)


@dataclass(frozen=True)
class _Slot:
    """A planned installment before amounts: kind, shares (several once folded), dates."""

    kind: EcheanceKind
    shares: tuple[Decimal, ...]
    due: date
    start: date
    end: date



def _slots(terms: ContractTerms, year: Year) -> list[_Slot]:
    """The year's planned installments, those due after the contract end folded."""
    plan = NEW_PLAN if is_new_regime(terms) else OLD_PLAN
    base = 12 * (year.number - 1)
    slots = []
    for step in plan:
        if step.months == 0:
            due = min(add_months(terms.start, base + 12), terms.end)
            slots.append(_Slot(step.kind, (step.share,), due, year.start, year.end))
            continue
        due = add_months(terms.start, base + step.first_month)
        end = add_months(terms.start, base + step.first_month + step.months) - timedelta(days=1)
        slots.append(_Slot(step.kind, (step.share,), due, due, min(end, year.end)))
    if plan is OLD_PLAN and any(slot.due > terms.end for slot in slots):
        return _settle_at_end(slots, terms.end, year.start, year.end)
    return _fold(slots, terms.end, year.end)


def _settle_at_end(slots: list[_Slot], end: date, year_start: date, year_end: date
                   ) -> list[_Slot]:
    """Old regime, a year cut short by the contract end: the installments that would fall due
    after the end are paid as one balance at the end, after the months they pay for were
    executed (R6332-25 I: payment after execution; never the whole short year at its start)."""
    due = [slot for slot in slots if slot.due <= end]
    shares = tuple(s for slot in slots if slot.due > end for s in slot.shares)
    return due + [_Slot(EcheanceKind.BALANCE_END, shares, end, year_start, year_end)]


def _fold(slots: list[_Slot], limit: date, year_end: date) -> list[_Slot]:
    """Merge the slots due after `limit` into the last one due, which then runs to year end."""
    due = [slot for slot in slots if slot.due <= limit]
    if len(due) == len(slots):
        return slots
    last = due[-1]
    shares = tuple(s for slot in slots if slot is last or slot.due > limit for s in slot.shares)
    return due[:-1] + [_Slot(last.kind, shares, last.due, last.start, year_end)]


def _allocate(total: Decimal, shares: list[Decimal]) -> list[Decimal]:
    """Split `total` by `shares`, each rounded to the cent, the last taking the remainder."""
    amounts = [cents(total * share) for share in shares[:-1]]
    return amounts + [total - sum(amounts, ZERO)]


def _deduct(amounts: list[Decimal], deduction: Decimal) -> list[Decimal]:
    """Take `deduction` off `amounts` in order, none going below 0."""
    result = []
    for amount in amounts:
        taken = min(amount, deduction)
        result.append(amount - taken)
        deduction -= taken
    return result


def planned_installments(terms: ContractTerms) -> list[Installment]:
    """The pedagogy installments as planned to the contract end, ignoring any rupture."""
    installments = []
    for year in execution_years(terms, terms.end):
        slots = _slots(terms, year)
        gross = _allocate(year.gross, [sum(slot.shares, Decimal(0)) for slot in slots])
        for slot, before, after in zip(slots, gross, _deduct(gross, year.deduction), strict=True):
            if after:
                installments.append(Installment(
                    Nature.PEDAGOGIE, slot.kind, year.number, slot.start, slot.end, slot.due,
                    after, _slot_detail(year, slot, before, after)))
    return installments


def _slot_detail(year: Year, slot: _Slot, before: Decimal, after: Decimal) -> str:
    shares = " + ".join(format_pct(share) for share in slot.shares)
    detail = f"{year.text} ; {shares} = {format_eur(before)}"
    if after != before:
        detail += f" ; participation employeur déduite {format_eur(before - after)}"
    return detail

