"""The pedagogy installments once a rupture is known: due to the rupture date, trop-perçu =
paid − due (R6332-25; ../shared/domain.md)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from datetime import date
from decimal import Decimal

from domain.formatting import format_day, format_eur
from domain.schedule.terms import ZERO, ContractTerms, Installment, in_probation
from domain.schedule.years import Year, execution_years
from domain.vocabulary import EcheanceKind, Nature

PaidKey = tuple[str, int]  # (kind, year) of a planned pedagogy installment


def after_rupture(terms: ContractTerms, planned: list[Installment],
                   paid: Collection[PaidKey], rupture: date) -> list[Installment]:
    """The pedagogy installments once the rupture is known (R6332-25: the funding is due to
    the rupture date; trop-perçu = paid − due, ``../shared/domain.md``).

    Earlier years were fully due before the rupture: kept. In the rupture year (and after),
    the installments in `paid` (a pro forma Validé or Payé) are kept as they were paid; the
    unpaid ones due by the rupture are kept in due order within what remains of the year's
    entitlement (reduced, or dropped, past it); later ones are dropped. One ``regularisation``
    installment settles the rest: positive when still due, negative (trop-perçu) only when
    what was paid exceeds the entitlement. So the installments add up to the entitlement at
    the rupture date, and nothing is negative unless something was paid.
    """
    year = execution_years(terms, rupture)[-1]
    settled = [i for i in planned if i.year >= year.number and (i.kind, i.year) in paid]
    versed = sum((i.amount for i in settled), ZERO)
    room = year.net - versed
    result: list[Installment] = []
    unpaid_kept = ZERO
    for i in planned:
        if i.year < year.number or i in settled:
            result.append(i)
            continue
        if i.due_on > rupture:
            continue
        amount = min(i.amount, max(room, ZERO))
        room -= amount
        unpaid_kept += amount
        if amount == i.amount:
            result.append(i)
        elif amount:
            result.append(replace(i, amount=amount, detail=(
                f"{i.detail} ; ramené à {format_eur(amount)} par la rupture du "
                f"{format_day(rupture)} : {year.text} ; droit de l'année "
                f"{format_eur(year.net)}")))
    if room:
        result.append(_regularisation(terms, year, rupture, versed, unpaid_kept, room))
    return result


def _regularisation(terms: ContractTerms, year: Year, rupture: date, versed: Decimal,
                    unpaid_kept: Decimal, balance: Decimal) -> Installment:
    """The installment settling the rupture year: `balance` = entitlement − paid − unpaid
    installments kept (negative: trop-perçu, only when `versed` exceeds the entitlement)."""
    text = year.text
    if year.deduction and not (in_probation(terms) and year.end == rupture):
        text += f" ; participation employeur {format_eur(-year.deduction)}"
    text += f" ; déjà versé {format_eur(versed)}"
    if unpaid_kept:
        text += f" ; échéances non versées dues avant la rupture {format_eur(unpaid_kept)}"
    outcome = "trop-perçu" if balance < 0 else "reste dû"
    return Installment(Nature.PEDAGOGIE, EcheanceKind.REGULARISATION, year.number, year.start,
                       rupture, rupture, balance, f"{text} ; {outcome} {format_eur(abs(balance))}")

