"""The schedule's inputs and outputs, its constants (the texts' figures), the checks on a
contract's terms and the calendar of its execution years."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache

from domain.errors import WorkflowError
from domain.formatting import format_day, format_eur
from domain.vocabulary import EcheanceKind, Nature

NATURE_ORDER: dict[Nature, int] = {nature: rank for rank, nature in enumerate(Nature)}

REFORM_DATE = date(2025, 7, 1)  # décrets 2025-585/586: contracts signed from this day
DAYS_PER_YEAR = 365
MEAL_RATE = Decimal("3.00")
NIGHT_RATE = Decimal("6.00")
EQUIPMENT_CAP = Decimal("500.00")
EMPLOYER_SHARE = Decimal("750.00")  # paid by the employer, levels 6+, new regime
# R6332-25-1 (décret 2025-585): a new contract concluded with another employer after the
# rupture of the apprentice's previous contract: that employer's participation is 200 €
# (docs/domain-notes.md: the reading chosen and its sources).
NEW_EMPLOYER_SHARE = Decimal("200.00")
EMPLOYER_SHARE_MIN_LEVEL = 6
# R6332-25-1 (décret 2025-585): a rupture within the first 45 days of practical training
# brings the employer's share to 50 % of the prorated funding, within the 750 €.
PROBATION_DAYS = 45
PROBATION_SHARE = Decimal("0.50")
# L6222-7-1: a contract (or apprenticeship period) lasts from six months to three years.
MIN_MONTHS = 6
MAX_MONTHS = 36
# L6222-11: "en cas d'échec à l'obtention du diplôme ou du titre professionnel visé,
# l'apprentissage peut être prolongé pour une durée d'un an au plus"
PROLONGATION_MONTHS = 12
LEVELS = range(3, 8)
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class ContractTerms:
    """What the schedule depends on; amounts are Decimal euros."""

    start: date
    end: date
    signed_on: date
    npec: Decimal
    level: int  # certification level, 3..7
    rupture_on: date | None = None
    meals_per_year: int = 0
    nights_per_year: int = 0
    equipment_amount: Decimal = Decimal("0")
    mobility_amount: Decimal = Decimal("0")
    # the contract follows the rupture of the apprentice's previous contract, with another
    # employer (R6332-25-1): the employer's participation is 200 €, not 750 €
    after_rupture_new_employer: bool = False
    # L6222-11: after a failed exam the contract may be extended by one year at most; the end
    # date before that prolongation (the duration rules apply to it), None when not extended
    prolonged_from: date | None = None


@dataclass(frozen=True)
class Installment:
    """One échéance: an amount of one nature, for a period, payable from `due_on`."""

    nature: Nature
    kind: EcheanceKind
    year: int
    period_start: date
    period_end: date
    due_on: date
    amount: Decimal
    detail: str


class ScheduleError(WorkflowError, ValueError):
    """Contract terms from which no schedule can be made; `message` is French, for users."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@lru_cache(maxsize=1 << 16)  # pure; an import of 10,000 contracts calls it 400,000 times
def add_months(d: date, months: int) -> date:
    """Return `d` moved by `months`, the day clamped to the target month's length."""
    index = d.year * 12 + d.month - 1 + months
    year, month = divmod(index, 12)
    next_first = date(year + (month + 1) // 12, (month + 1) % 12 + 1, 1)
    return date(year, month + 1, min(d.day, (next_first - timedelta(days=1)).day))


def is_new_regime(terms: ContractTerms) -> bool:
    """Return True when the contract was signed on or after `REFORM_DATE`."""
    return terms.signed_on >= REFORM_DATE


def effective_end(terms: ContractTerms) -> date:
    """Return the last day of execution: the rupture date if any, else the end date."""
    return terms.rupture_on or terms.end


def validate(terms: ContractTerms) -> None:
    """Check the terms can be scheduled.

    Raises:
        ScheduleError: on the first bad field, with a French message naming the bad value.
    """
    for check in (_check_dates, _check_duration, _check_amounts, _check_quantities):
        check(terms)


def _check_dates(terms: ContractTerms) -> None:
    if terms.end < terms.start:
        raise ScheduleError("end", f"La date de fin ({format_day(terms.end)}) précède la date "
                                   f"de début ({format_day(terms.start)}).")
    rupture = terms.rupture_on
    if rupture is not None and rupture < terms.start:
        raise ScheduleError("rupture_on", f"La date de rupture ({format_day(rupture)}) précède "
                                          f"le début du contrat ({format_day(terms.start)}).")
    if rupture is not None and rupture > terms.end:
        raise ScheduleError("rupture_on", f"La date de rupture ({format_day(rupture)}) est "
                                          "postérieure à la fin du contrat "
                                          f"({format_day(terms.end)}).")


def _check_duration(terms: ContractTerms) -> None:
    """L6222-7-1: from six months to three years, both bounds included (the rupture does not
    count: the contract's planned duration does), "sous réserve des cas de prolongation prévus
    à l'article L. 6222-11": after a failed exam, one year more at most (``prolonged_from``:
    the end before the prolongation, to which the six months to three years apply; the new
    end is after it and at most one year after it). See docs/domain-notes.md."""
    planned = terms.end if terms.prolonged_from is None else terms.prolonged_from
    shortest = add_months(terms.start, MIN_MONTHS) - timedelta(days=1)
    longest = add_months(terms.start, MAX_MONTHS) - timedelta(days=1)
    span = f"du {format_day(terms.start)} au {format_day(planned)}"
    if planned < shortest:
        raise ScheduleError("end", f"Le contrat ({span}) dure moins de six mois : la durée d'un "
                                   "contrat d'apprentissage va de six mois à trois ans "
                                   "(Code du travail, art. L6222-7-1).")
    if planned > longest:
        raise ScheduleError("end", f"Le contrat ({span}) dure plus de trois ans : la durée d'un "
                                   "contrat d'apprentissage va de six mois à trois ans "
                                   "(Code du travail, art. L6222-7-1).")
    if terms.prolonged_from is None:
        return
    if terms.end <= terms.prolonged_from:
        raise ScheduleError("end", f"La prolongation doit reporter la fin du contrat au-delà du "
                                   f"{format_day(terms.prolonged_from)}.")
    if terms.end > add_months(terms.prolonged_from, PROLONGATION_MONTHS):
        raise ScheduleError("end", f"La prolongation du contrat ({format_day(terms.prolonged_from)}"
                                   f" → {format_day(terms.end)}) dépasse un an : après un échec "
                                   "à l'examen, l'apprentissage peut être prolongé d'un an au "
                                   "plus (Code du travail, art. L6222-11).")


def _check_amounts(terms: ContractTerms) -> None:
    for field in ("npec", "equipment_amount", "mobility_amount"):
        value = getattr(terms, field)
        if not isinstance(value, Decimal) or not value.is_finite():
            raise ScheduleError(field, f"Le montant {value!r} n'est pas un montant décimal valide.")
    if terms.npec <= 0:
        raise ScheduleError("npec", f"Le NPEC doit être positif (reçu : {terms.npec} €).")
    if not ZERO <= terms.equipment_amount <= EQUIPMENT_CAP:
        raise ScheduleError("equipment_amount", "Le montant des 1ers équipements "
                            f"({format_eur(terms.equipment_amount)}) doit être compris entre "
                            f"0 et {format_eur(EQUIPMENT_CAP)}.")
    if terms.mobility_amount < 0:
        raise ScheduleError("mobility_amount", "Le montant de la mobilité "
                            f"({format_eur(terms.mobility_amount)}) ne peut pas être négatif.")


def _check_quantities(terms: ContractTerms) -> None:
    if terms.level not in LEVELS:
        raise ScheduleError("level", f"Le niveau de la certification ({terms.level}) doit être "
                                     f"compris entre {LEVELS[0]} et {LEVELS[-1]}.")
    for field, label in (("meals_per_year", "repas"), ("nights_per_year", "nuitées")):
        if getattr(terms, field) < 0:
            raise ScheduleError(field, f"Le nombre de {label} par an ({getattr(terms, field)}) "
                                       "ne peut pas être négatif.")


def bounds(start: date, until: date) -> list[tuple[date, date]]:
    """Execution years from `start` to `until`, the last one capped at `until`."""
    years: list[tuple[date, date]] = []
    k = 0
    while (year_start := add_months(start, 12 * k)) <= until:
        years.append((year_start, min(add_months(start, 12 * (k + 1)) - timedelta(days=1), until)))
        k += 1
    return years


def year_bounds(terms: ContractTerms) -> list[tuple[date, date]]:
    """Return the execution years (first day, last day), the last capped at end or rupture.

    Raises:
        ScheduleError: if the terms are invalid.
    """
    validate(terms)
    return bounds(terms.start, effective_end(terms))


def is_complete(terms: ContractTerms, number: int, year_end: date) -> bool:
    """Return True when year `number` runs to the day before its next anniversary."""
    return year_end == add_months(terms.start, 12 * number) - timedelta(days=1)



def same_certification(a: tuple[str, str, int], b: tuple[str, str, int]) -> bool:
    """Two contracts prepare the same certification: ``(rncp, title, level)`` each. The same
    RNCP code when both carry one; else the same title (case, accents and spacing aside) at
    the same level. R6332-25-1's 200 € applies to a new employer only when the new contract
    lets the apprentice finish the same training cycle (docs/domain-notes.md)."""
    if a[0] and b[0]:
        return a[0].upper() == b[0].upper()
    return _folded(a[1]) == _folded(b[1]) and a[2] == b[2]


def _folded(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(text.upper().split())


def in_probation(terms: ContractTerms) -> bool:
    """True when the contract was broken within its first `PROBATION_DAYS` days (R6332-25-1),
    counted as calendar days from the start, both ends included (docs/domain-notes.md)."""
    rupture = terms.rupture_on
    return rupture is not None and (rupture - terms.start).days + 1 <= PROBATION_DAYS

