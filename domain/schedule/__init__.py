"""Payment schedule engine: the échéances of an apprenticeship contract, by nature of cost.

The OPCO pays a CFA the contract's annual funding (NPEC) in installments (Code du travail
R6332-25); this module turns a contract's terms into those installments, without any database,
so that the échéancier shown to a CFA, the demo data and the tests all share one set of rules.

Rule choices (where the public rules leave room, documented here once):

* Execution year k runs from ``start + (k-1) years`` to the day before ``start + k years``,
  capped at the contract end (or the rupture). Anniversaries and month boundaries are always
  counted from the start date (a 31st becomes the last day of shorter months), so they never drift.
* Old regime (signed before ``REFORM_DATE``): 40 % at the year start (months 1-6), 30 % at
  month 7 (months 7-9), 30 % at month 10 (months 10-12), as shares of the *year's* entitlement.
  A year cut short is due pro rata of the months started: ``NPEC × months started / 12``.
  Installments due after the contract end are paid as one ``balance_end`` at the contract end,
  never ahead of the months they pay for (R6332-25 I; docs/domain-notes.md).
* New regime (signed from ``REFORM_DATE``): a complete year is due the NPEC (even a 366-day one);
  a year cut short is due ``NPEC × days / 365``, both ends included. 40 % at the year start,
  30 % at month 7, 20 % at month 10, and a 10 % balance due at the start of the next year, or at
  the contract end for the last year; installments due after the end fold into that balance.
  Levels 6 and 7: the employer's 750 € comes off the year-1 installments in order (the advance
  first), so year 1 is due ``max(0, gross - 750 €)``; an installment brought to 0 is dropped.
  A rupture within the first 45 days: the employer's share is 50 % of the prorated year 1,
  within 750 € (R6332-25-1, décret 2025-585). A new employer after the rupture of the
  apprentice's previous contract pays 200 € instead of 750 € (same article).
* Duration: six months to three years, both included (L6222-7-1); the rupture does not count.
* Rounding: each year's entitlement is rounded to the cent; each installment is rounded to the
  cent and the year's last installment takes the remainder, so a year sums exactly.
  The contract's entitlement is the sum of its years' entitlements.
* Rupture: the schedule is planned on the contract's end, then recomputed against what was
  *paid* (in a pro forma Validé or Payé; ``paid``): see ``ruptures.after_rupture``.
  Trop-perçu = paid − due; nothing is negative unless something was paid, and the
  installments add up to the entitlement at the rupture date.
* Frais annexes: one installment per execution year, due at its start, of
  ``meals × 3 € + nights × 6 €`` for a complete year, ``× days / 365`` for a year cut short
  (end or rupture), under both regimes. First equipment: one year-1 installment due at the
  start (at most 500 €). Mobility: one installment due at the start, covering the whole contract.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from domain.formatting import format_eur
from domain.money import cents
from domain.schedule.plans import planned_installments
from domain.schedule.ruptures import PaidKey, after_rupture
from domain.schedule.terms import (
    DAYS_PER_YEAR,
    EMPLOYER_SHARE,
    EQUIPMENT_CAP,
    MEAL_RATE,
    NATURE_ORDER,
    NEW_EMPLOYER_SHARE,
    NIGHT_RATE,
    PROBATION_DAYS,
    PROLONGATION_MONTHS,
    REFORM_DATE,
    ContractTerms,
    Installment,
    ScheduleError,
    add_months,
    bounds,
    effective_end,
    in_probation,
    is_complete,
    is_new_regime,
    same_certification,
    validate,
    year_bounds,
)
from domain.schedule.years import entitlement, year_entitlements
from domain.vocabulary import EcheanceKind, Nature

__all__ = [
    "EMPLOYER_SHARE", "EQUIPMENT_CAP", "NEW_EMPLOYER_SHARE", "PROBATION_DAYS",
    "PROLONGATION_MONTHS", "REFORM_DATE", "same_certification",
    "ContractTerms", "Installment", "PaidKey", "ScheduleError", "add_months", "effective_end",
    "entitlement", "in_probation", "is_new_regime", "pedagogy_schedule", "schedule",
    "validate", "year_bounds", "year_entitlements",
]


def pedagogy_schedule(terms: ContractTerms, paid: Collection[PaidKey] = ()
                      ) -> list[Installment]:
    """Return the pedagogy installments in due order, with the rupture regularisation if any.

    `paid`: the (kind, year) of the planned installments already paid or validated for
    payment (in a pro forma Validé or Payé); only those count as "déjà versé" at a rupture.
    A contract created with its rupture already known has none.

    Raises:
        ScheduleError: if the terms are invalid.
    """
    validate(terms)
    planned = planned_installments(terms)
    if terms.rupture_on is None:
        return planned
    return after_rupture(terms, planned, frozenset(paid), terms.rupture_on)


def _annexes(terms: ContractTerms) -> list[Installment]:
    """One frais annexes installment per execution year, pro rata of days when cut short."""
    annual = terms.meals_per_year * MEAL_RATE + terms.nights_per_year * NIGHT_RATE
    forecast = (f"{terms.meals_per_year} repas × {format_eur(MEAL_RATE)} + "
                f"{terms.nights_per_year} nuitées × {format_eur(NIGHT_RATE)} = "
                f"{format_eur(annual)}")
    installments = []
    for number, (start, end) in enumerate(bounds(terms.start, effective_end(terms)), start=1):
        amount, detail = cents(annual), forecast
        if not is_complete(terms, number, end):
            days = (end - start).days + 1
            amount = cents(annual * days / DAYS_PER_YEAR)
            detail += f" × {days}/{DAYS_PER_YEAR} jours = {format_eur(amount)}"
        if amount:
            installments.append(Installment(Nature.FRAIS_ANNEXES, EcheanceKind.ANNEXES, number,
                                            start, end, start, amount, detail))
    return installments


def _one_offs(terms: ContractTerms) -> list[Installment]:
    """First equipment (year 1) and mobility installments, both due at the start."""
    first_year_end = bounds(terms.start, effective_end(terms))[0][1]
    installments = []
    if terms.equipment_amount:
        amount = cents(terms.equipment_amount)
        installments.append(Installment(
            Nature.EQUIPEMENT, EcheanceKind.EQUIPMENT, 1, terms.start, first_year_end, terms.start,
            amount,
            f"1ers équipements {format_eur(amount)} (plafond {format_eur(EQUIPMENT_CAP)})"))
    if terms.mobility_amount:
        amount = cents(terms.mobility_amount)
        installments.append(Installment(
            Nature.MOBILITE, EcheanceKind.MOBILITY, 1, terms.start, effective_end(terms),
            terms.start, amount, f"Forfait mobilité internationale {format_eur(amount)}"))
    return installments


def _in_order(installments: Iterable[Installment]) -> list[Installment]:
    """Sort by due date, then nature, then year (a balance before the next year's advance)."""
    return sorted(installments, key=lambda i: (i.due_on, NATURE_ORDER[i.nature], i.year))


def schedule(terms: ContractTerms, paid: Collection[PaidKey] = ()) -> list[Installment]:
    """Return every installment of the contract, all natures, by due date then nature
    (`paid`: see ``pedagogy_schedule``).

    Raises:
        ScheduleError: if the terms are invalid.
    """
    validate(terms)
    return _in_order([*pedagogy_schedule(terms, paid), *_annexes(terms), *_one_offs(terms)])
