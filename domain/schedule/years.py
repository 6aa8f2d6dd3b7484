"""Each execution year's entitlement: the NPEC, pro rata when cut short (old rules: months
started; new rules: days), less the employer's participation (R6332-25-1)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from domain.formatting import format_eur, format_pct
from domain.money import cents
from domain.schedule.terms import (
    DAYS_PER_YEAR,
    EMPLOYER_SHARE,
    EMPLOYER_SHARE_MIN_LEVEL,
    NEW_EMPLOYER_SHARE,
    PROBATION_DAYS,
    PROBATION_SHARE,
    ZERO,
    ContractTerms,
    add_months,
    bounds,
    effective_end,
    in_probation,
    is_complete,
    is_new_regime,
    validate,
)


@dataclass(frozen=True)
class Year:
    """An execution year with its entitlement: `gross`, less the employer's `deduction`."""

    number: int
    start: date
    end: date
    gross: Decimal
    deduction: Decimal
    text: str  # how `gross` was computed, in French

    @property
    def net(self) -> Decimal:
        return self.gross - self.deduction


def year_gross(terms: ContractTerms, number: int, start: date, end: date) -> tuple[Decimal, str]:
    """Return the year's entitlement before the employer's share, and how it was computed."""
    npec = cents(terms.npec)
    if is_complete(terms, number, end):
        return npec, f"NPEC {format_eur(npec)} (année complète)"
    if is_new_regime(terms):
        days = (end - start).days + 1
        amount = cents(npec * days / DAYS_PER_YEAR)
        return amount, (f"NPEC {format_eur(npec)} × {days}/{DAYS_PER_YEAR} jours = "
                        f"{format_eur(amount)}")
    base = 12 * (number - 1)
    months = sum(1 for m in range(12) if add_months(terms.start, base + m) <= end)
    amount = cents(npec * months / 12)
    return amount, f"NPEC {format_eur(npec)} × {months}/12 mois commencés = {format_eur(amount)}"



def employer_share(terms: ContractTerms, end: date, gross: Decimal) -> tuple[Decimal, str]:
    """Year 1's employer participation (R6332-25-1, levels 6+, new regime) and its wording.

    750 €, capped at the year's gross; 200 € for a new employer after the rupture of the
    apprentice's previous contract; when the year ends at a rupture within the first 45 days,
    50 % of the funding prorated to those days, within that amount.
    """
    if not is_new_regime(terms) or terms.level < EMPLOYER_SHARE_MIN_LEVEL:
        return ZERO, ""
    cap = NEW_EMPLOYER_SHARE if terms.after_rupture_new_employer else EMPLOYER_SHARE
    if in_probation(terms) and end == terms.rupture_on:
        share = min(cap, cents(gross * PROBATION_SHARE))
        return share, (f"participation employeur (rupture dans les {PROBATION_DAYS} premiers "
                       f"jours) {format_pct(PROBATION_SHARE)} × {format_eur(gross)} = "
                       f"{format_eur(share)}")
    if terms.after_rupture_new_employer:
        share = min(gross, cap)
        return share, (f"participation du nouvel employeur après rupture du contrat précédent "
                       f"{format_eur(share)} (R6332-25-1)")
    return min(gross, EMPLOYER_SHARE), ""


def execution_years(terms: ContractTerms, until: date) -> list[Year]:
    """The execution years up to `until` with their entitlements."""
    years = []
    for number, (start, end) in enumerate(bounds(terms.start, until), start=1):
        gross, text = year_gross(terms, number, start, end)
        deduction = ZERO
        if number == 1:
            deduction, wording = employer_share(terms, end, gross)
            text += f" ; {wording}" if wording else ""
        years.append(Year(number, start, end, gross, deduction, text))
    return years


def entitlement(terms: ContractTerms, until: date | None = None) -> Decimal:
    """Return the pedagogy entitlement from the start to `until` (default: end or rupture).

    `until` is capped at the end or rupture; before the start the entitlement is 0.

    Raises:
        ScheduleError: if the terms are invalid.
    """
    validate(terms)
    limit = effective_end(terms) if until is None else min(until, effective_end(terms))
    return sum((year.net for year in execution_years(terms, limit)), ZERO)


def year_entitlements(terms: ContractTerms) -> list[Decimal]:
    """Return each execution year's pedagogy entitlement, to the end or rupture.

    Raises:
        ScheduleError: if the terms are invalid.
    """
    validate(terms)
    return [year.net for year in execution_years(terms, effective_end(terms))]
