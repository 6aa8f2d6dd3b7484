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
  *paid* (in a pro forma Validé or Payé; ``paid``): see ``_after_rupture``. Trop-perçu = paid −
  due; nothing is negative unless something was paid, and the installments add up to the
  entitlement at the rupture date.
* Frais annexes: one installment per execution year, due at its start, of
  ``meals × 3 € + nights × 6 €`` for a complete year, ``× days / 365`` for a year cut short
  (end or rupture), under both regimes. First equipment: one year-1 installment due at the
  start (at most 500 €). Mobility: one installment due at the start, covering the whole contract.
"""

from collections.abc import Collection, Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache

from domain.errors import WorkflowError
from domain.formatting import format_day, format_eur, format_pct
from domain.money import cents
from domain.vocabulary import Nature

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


@dataclass(frozen=True)
class Installment:
    """One échéance: an amount of one nature, for a period, payable from `due_on`."""

    nature: Nature
    kind: str
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


@dataclass(frozen=True)
class _Step:
    """One installment of a year's plan: its share, first month (0-based) and months covered.

    ``months == 0`` marks the balance: it covers the whole year and is due at the next year's
    start, or at the contract end for the last year.
    """

    kind: str
    share: Decimal
    first_month: int
    months: int


# Rules as data: the plan of one execution year under each regime.
OLD_PLAN = (
    _Step("advance_40", Decimal("0.40"), 0, 6),
    _Step("month7_30", Decimal("0.30"), 6, 3),
    _Step("month10_30", Decimal("0.30"), 9, 3),
)
NEW_PLAN = (
    _Step("advance_40", Decimal("0.40"), 0, 6),
    _Step("month7_30", Decimal("0.30"), 6, 3),
    _Step("month10_20", Decimal("0.20"), 9, 3),
    _Step("balance_10", Decimal("0.10"), 12, 0),
)


@dataclass(frozen=True)
class _Slot:
    """A planned installment before amounts: kind, shares (several once folded), dates."""

    kind: str
    shares: tuple[Decimal, ...]
    due: date
    start: date
    end: date


@dataclass(frozen=True)
class _Year:
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
    count: the contract's planned duration does). See docs/domain-notes.md for the exceptions."""
    shortest = add_months(terms.start, MIN_MONTHS) - timedelta(days=1)
    longest = add_months(terms.start, MAX_MONTHS) - timedelta(days=1)
    span = f"du {format_day(terms.start)} au {format_day(terms.end)}"
    if terms.end < shortest:
        raise ScheduleError("end", f"Le contrat ({span}) dure moins de six mois : la durée d'un "
                                   "contrat d'apprentissage va de six mois à trois ans "
                                   "(Code du travail, art. L6222-7-1).")
    if terms.end > longest:
        raise ScheduleError("end", f"Le contrat ({span}) dure plus de trois ans : la durée d'un "
                                   "contrat d'apprentissage va de six mois à trois ans "
                                   "(Code du travail, art. L6222-7-1).")


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


def _bounds(start: date, until: date) -> list[tuple[date, date]]:
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
    return _bounds(terms.start, effective_end(terms))


def _is_complete(terms: ContractTerms, number: int, year_end: date) -> bool:
    """Return True when year `number` runs to the day before its next anniversary."""
    return year_end == add_months(terms.start, 12 * number) - timedelta(days=1)


def _gross(terms: ContractTerms, number: int, start: date, end: date) -> tuple[Decimal, str]:
    """Return the year's entitlement before the employer's share, and how it was computed."""
    npec = cents(terms.npec)
    if _is_complete(terms, number, end):
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


def in_probation(terms: ContractTerms) -> bool:
    """True when the contract was broken within its first `PROBATION_DAYS` days (R6332-25-1),
    counted as calendar days from the start, both ends included (docs/domain-notes.md)."""
    rupture = terms.rupture_on
    return rupture is not None and (rupture - terms.start).days + 1 <= PROBATION_DAYS


def _employer_share(terms: ContractTerms, end: date, gross: Decimal) -> tuple[Decimal, str]:
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


def _years(terms: ContractTerms, until: date) -> list[_Year]:
    """The execution years up to `until` with their entitlements."""
    years = []
    for number, (start, end) in enumerate(_bounds(terms.start, until), start=1):
        gross, text = _gross(terms, number, start, end)
        deduction = ZERO
        if number == 1:
            deduction, wording = _employer_share(terms, end, gross)
            text += f" ; {wording}" if wording else ""
        years.append(_Year(number, start, end, gross, deduction, text))
    return years


def entitlement(terms: ContractTerms, until: date | None = None) -> Decimal:
    """Return the pedagogy entitlement from the start to `until` (default: end or rupture).

    `until` is capped at the end or rupture; before the start the entitlement is 0.

    Raises:
        ScheduleError: if the terms are invalid.
    """
    validate(terms)
    limit = effective_end(terms) if until is None else min(until, effective_end(terms))
    return sum((year.net for year in _years(terms, limit)), ZERO)


def year_entitlements(terms: ContractTerms) -> list[Decimal]:
    """Return each execution year's pedagogy entitlement, to the end or rupture.

    Raises:
        ScheduleError: if the terms are invalid.
    """
    validate(terms)
    return [year.net for year in _years(terms, effective_end(terms))]


def _slots(terms: ContractTerms, year: _Year) -> list[_Slot]:
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
    return due + [_Slot("balance_end", shares, end, year_start, year_end)]


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


def _planned(terms: ContractTerms) -> list[Installment]:
    """The pedagogy installments as planned to the contract end, ignoring any rupture."""
    installments = []
    for year in _years(terms, terms.end):
        slots = _slots(terms, year)
        gross = _allocate(year.gross, [sum(slot.shares, Decimal(0)) for slot in slots])
        for slot, before, after in zip(slots, gross, _deduct(gross, year.deduction), strict=True):
            if after:
                installments.append(Installment(
                    Nature.PEDAGOGIE, slot.kind, year.number, slot.start, slot.end, slot.due,
                    after, _slot_detail(year, slot, before, after)))
    return installments


def _slot_detail(year: _Year, slot: _Slot, before: Decimal, after: Decimal) -> str:
    shares = " + ".join(format_pct(share) for share in slot.shares)
    detail = f"{year.text} ; {shares} = {format_eur(before)}"
    if after != before:
        detail += f" ; participation employeur déduite {format_eur(before - after)}"
    return detail


PaidKey = tuple[str, int]  # (kind, year) of a planned pedagogy installment


def _after_rupture(terms: ContractTerms, planned: list[Installment],
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
    year = _years(terms, rupture)[-1]
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


def _regularisation(terms: ContractTerms, year: _Year, rupture: date, versed: Decimal,
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
    return Installment(Nature.PEDAGOGIE, "regularisation", year.number, year.start, rupture,
                       rupture, balance, f"{text} ; {outcome} {format_eur(abs(balance))}")


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
    planned = _planned(terms)
    if terms.rupture_on is None:
        return planned
    return _after_rupture(terms, planned, frozenset(paid), terms.rupture_on)


def _annexes(terms: ContractTerms) -> list[Installment]:
    """One frais annexes installment per execution year, pro rata of days when cut short."""
    annual = terms.meals_per_year * MEAL_RATE + terms.nights_per_year * NIGHT_RATE
    forecast = (f"{terms.meals_per_year} repas × {format_eur(MEAL_RATE)} + "
                f"{terms.nights_per_year} nuitées × {format_eur(NIGHT_RATE)} = "
                f"{format_eur(annual)}")
    installments = []
    for number, (start, end) in enumerate(_bounds(terms.start, effective_end(terms)), start=1):
        amount, detail = cents(annual), forecast
        if not _is_complete(terms, number, end):
            days = (end - start).days + 1
            amount = cents(annual * days / DAYS_PER_YEAR)
            detail += f" × {days}/{DAYS_PER_YEAR} jours = {format_eur(amount)}"
        if amount:
            installments.append(Installment(Nature.FRAIS_ANNEXES, "annexes", number, start, end,
                                            start, amount, detail))
    return installments


def _one_offs(terms: ContractTerms) -> list[Installment]:
    """First equipment (year 1) and mobility installments, both due at the start."""
    first_year_end = _bounds(terms.start, effective_end(terms))[0][1]
    installments = []
    if terms.equipment_amount:
        amount = cents(terms.equipment_amount)
        installments.append(Installment(
            Nature.EQUIPEMENT, "equipment", 1, terms.start, first_year_end, terms.start, amount,
            f"1ers équipements {format_eur(amount)} (plafond {format_eur(EQUIPMENT_CAP)})"))
    if terms.mobility_amount:
        amount = cents(terms.mobility_amount)
        installments.append(Installment(
            Nature.MOBILITE, "mobility", 1, terms.start, effective_end(terms), terms.start,
            amount, f"Forfait mobilité internationale {format_eur(amount)}"))
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
