"""Tests for workflow.schedule: worked examples, both regimes, rupture, bad input, properties."""

from collections import defaultdict
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.formatting import format_eur, format_period
from domain.money import cents
from domain.schedule import (
    ContractTerms,
    Installment,
    ScheduleError,
    add_months,
    effective_end,
    entitlement,
    in_probation,
    pedagogy_schedule,
    schedule,
    validate,
    year_bounds,
    year_entitlements,
)
from domain.vocabulary import Nature

D = Decimal
NEW_START = date(2025, 9, 1)


def terms(**changes: object) -> ContractTerms:
    """A two-year, new-regime, level-5 contract at 8,000 €, with `changes` applied."""
    base = ContractTerms(start=NEW_START, end=date(2027, 8, 31), signed_on=date(2025, 8, 15),
                         npec=D("8000"), level=5)
    return replace(base, **changes)  # type: ignore[arg-type]


def old_terms(**changes: object) -> ContractTerms:
    """A two-year contract signed before the reform, starting 9 Sept. 2023."""
    changes.setdefault("end", date(2025, 9, 8))
    return terms(start=date(2023, 9, 9), signed_on=date(2023, 8, 1), **changes)


def plain(text: str) -> str:
    """Babel's narrow and plain no-break spaces as ordinary spaces, to compare with prose."""
    return text.replace("\u202f", " ").replace("\xa0", " ")


def rows(installments: list[Installment]) -> list[tuple[str, date, Decimal]]:
    return [(i.kind, i.due_on, i.amount) for i in installments]


# --- worked examples (domain.md) ---------------------------------------------------------

def test_8000_over_370_days_is_8109_59() -> None:
    t = terms(end=NEW_START + timedelta(days=369))
    assert entitlement(t) == D("8109.59")
    assert year_entitlements(t) == [D("8000.00"), D("109.59")]
    assert sum(i.amount for i in pedagogy_schedule(t)) == D("8109.59")


PAID_40_30 = {("advance_40", 1), ("month7_30", 1)}


def test_rupture_after_242_days_gives_trop_percu_295_89() -> None:
    # the advance and month 7 were paid (a pro forma Payé or Validé), then the rupture
    t = terms(rupture_on=date(2026, 4, 30))
    assert rows(pedagogy_schedule(t, paid=PAID_40_30)) == [
        ("advance_40", date(2025, 9, 1), D("3200.00")),
        ("month7_30", date(2026, 3, 1), D("2400.00")),
        ("regularisation", date(2026, 4, 30), D("-295.89")),
    ]
    assert entitlement(t) == D("5304.11")
    regularisation = pedagogy_schedule(t, paid=PAID_40_30)[-1]
    assert plain(regularisation.detail) == (
        "NPEC 8 000,00 € × 242/365 jours = 5 304,11 € ; déjà versé 5 600,00 € ; "
        "trop-perçu 295,89 €")
    assert regularisation.period_start == NEW_START
    assert regularisation.period_end == date(2026, 4, 30)


def test_rupture_counts_only_what_was_paid() -> None:
    # issue 18: "déjà versé 5 460,00 €" on a contract whose échéances were never invoiced.
    # Nothing paid: the unpaid installments are brought within the 5 304,11 € due, no
    # trop-perçu; the month-7 installment is reduced to what remains.
    t = terms(rupture_on=date(2026, 4, 30))
    unpaid = pedagogy_schedule(t)
    assert rows(unpaid) == [("advance_40", date(2025, 9, 1), D("3200.00")),
                            ("month7_30", date(2026, 3, 1), D("2104.11"))]
    assert "ramené à 2 104,11 € par la rupture du 30/04/2026" in plain(unpaid[-1].detail)
    # only the advance paid: month 7 brought to 2 104,11 €, nothing negative
    assert rows(pedagogy_schedule(t, paid={("advance_40", 1)})) == rows(unpaid)
    # only month 7 paid (the advance's pro forma cancelled): the advance takes the rest
    assert rows(pedagogy_schedule(t, paid={("month7_30", 1)})) == [
        ("advance_40", date(2025, 9, 1), D("2904.11")),
        ("month7_30", date(2026, 3, 1), D("2400.00"))]


# --- new regime ----------------------------------------------------------------------------

def test_new_regime_year_is_40_30_20_10_with_balance_at_next_year_start() -> None:
    assert rows(pedagogy_schedule(terms()))[:5] == [
        ("advance_40", date(2025, 9, 1), D("3200.00")),
        ("month7_30", date(2026, 3, 1), D("2400.00")),
        ("month10_20", date(2026, 6, 1), D("1600.00")),
        ("balance_10", date(2026, 9, 1), D("800.00")),  # paid with year 2's advance
        ("advance_40", date(2026, 9, 1), D("3200.00")),
    ]


def test_new_regime_last_balance_is_due_at_contract_end() -> None:
    last = pedagogy_schedule(terms())[-1]
    assert (last.kind, last.year, last.due_on, last.amount) == (
        "balance_10", 2, date(2027, 8, 31), D("800.00"))


def test_new_regime_short_year_folds_late_installments_into_balance() -> None:
    # Year 2 lasts 5 days: months 7 and 10 fall after the end and join the balance.
    t = terms(end=NEW_START + timedelta(days=369))
    year2 = [i for i in pedagogy_schedule(t) if i.year == 2]
    assert rows(year2) == [("advance_40", date(2026, 9, 1), D("43.84")),
                           ("balance_10", date(2026, 9, 5), D("65.75"))]
    assert "30 % + 20 % + 10 %" in plain(year2[-1].detail)


def test_level_6_deducts_750_from_first_advance() -> None:
    first = pedagogy_schedule(terms(level=6))[0]
    assert (first.kind, first.amount) == ("advance_40", D("2450.00"))
    assert "participation employeur déduite 750,00 €" in plain(first.detail)
    assert year_entitlements(terms(level=6)) == [D("7250.00"), D("8000.00")]


def test_level_6_deduction_larger_than_advance_comes_off_next_installments() -> None:
    year1 = [i for i in pedagogy_schedule(terms(level=7, npec=D("1500"))) if i.year == 1]
    # advance 600 -> 0 (dropped), month 7 450 -> 300
    assert [(i.kind, i.amount) for i in year1] == [
        ("month7_30", D("300.00")), ("month10_20", D("300.00")), ("balance_10", D("150.00"))]


def test_level_6_deduction_never_makes_year_one_negative() -> None:
    t = terms(level=6, npec=D("1000"), end=date(2026, 2, 28))  # 181 days: 495.89 € < 750 €
    assert pedagogy_schedule(t) == []
    assert entitlement(t) == D("0.00")


def test_level_6_rupture_in_the_45_day_probation_halves_the_prorated_funding() -> None:
    # issue 18 worked example, R6332-25-1 (décret 2025-585): rupture on day 30, the employer
    # pays 50 % of NPEC × 30/365 = 50 % × 657,53 € = 328,77 €; the OPCO owes the rest
    t = terms(level=6, rupture_on=date(2025, 9, 30))
    assert entitlement(t) == D("328.76")  # was 0,00 € (min(gross, 750 €) deducted)
    assert year_entitlements(t) == [D("328.76")]
    assert sum(i.amount for i in pedagogy_schedule(t)) == D("328.76")
    assert "participation employeur (rupture dans les 45 premiers jours) 50 % × 657,53 € = " \
           "328,77 €" in plain(pedagogy_schedule(t)[-1].detail)
    # the advance (2 450 € after 750 €) was paid before the rupture: 2 121,24 € trop-perçu
    paid = pedagogy_schedule(t, paid={("advance_40", 1)})
    assert rows(paid) == [("advance_40", NEW_START, D("2450.00")),
                          ("regularisation", date(2025, 9, 30), D("-2121.24"))]


@pytest.mark.parametrize(("rupture", "level", "expected"), [
    (date(2025, 10, 15), 6, D("493.15")),  # day 45: 986,30 € − 50 % (493,15 €)
    (date(2025, 10, 16), 6, D("258.22")),  # day 46: probation over, 1 008,22 € − 750 €
    (date(2025, 9, 30), 5, D("657.53")),  # below level 6: no employer share
    (date(2025, 11, 30), 7, D("1244.52")),  # day 91: 1 994,52 € − 750 €
])
def test_probation_ends_on_day_45_and_applies_to_levels_6_and_up(
        rupture: date, level: int, expected: Decimal) -> None:
    assert entitlement(terms(level=level, rupture_on=rupture)) == expected


def test_probation_share_is_capped_at_750() -> None:
    # NPEC 40,000 €, rupture on day 45: 50 % × 4 931,51 € = 2 465,75 € > 750 €
    t = terms(level=7, npec=D("40000"), rupture_on=date(2025, 10, 15))
    assert entitlement(t) == D("4931.51") - D("750.00")


def test_duration_bounds_are_included() -> None:
    validate(terms(end=date(2026, 2, 28)))  # six months exactly
    validate(terms(end=date(2028, 8, 31)))  # three years exactly


def test_no_deduction_below_level_6_or_under_old_regime() -> None:
    assert pedagogy_schedule(terms(level=5))[0].amount == D("3200.00")
    assert pedagogy_schedule(old_terms(level=7))[0].amount == D("3200.00")


# --- old regime ----------------------------------------------------------------------------

def test_old_regime_year_is_40_30_30_by_anniversary() -> None:
    year1 = pedagogy_schedule(old_terms())[:3]
    assert rows(year1) == [("advance_40", date(2023, 9, 9), D("3200.00")),
                           ("month7_30", date(2024, 3, 9), D("2400.00")),
                           ("month10_30", date(2024, 6, 9), D("2400.00"))]
    period = format_period(year1[0].period_start, year1[0].period_end)
    assert period == "Du 9 sept. 2023 au 8 mars 2024"


@pytest.mark.parametrize(("end", "months", "expected"), [
    (date(2024, 12, 8), 3, D("2000.00")),  # exactly 3 months
    (date(2024, 12, 9), 4, D("2666.67")),  # the 4th month has started: it is due
    (date(2024, 9, 9), 1, D("666.67")),  # one day into year 2
])
def test_old_regime_last_year_every_month_started_is_due(end: date, months: int,
                                                         expected: Decimal) -> None:
    t = old_terms(end=end)
    assert year_entitlements(t)[1] == expected
    # issue 18: the short year is no longer paid whole at its start; 40 % advance, the
    # installments falling after the end paid as one balance at the end (R6332-25 I)
    advance, balance = [i for i in pedagogy_schedule(t) if i.year == 2]
    assert (advance.kind, advance.due_on, advance.amount) == (
        "advance_40", date(2024, 9, 9), cents(expected * D("0.4")))
    assert (balance.kind, balance.due_on, balance.period_end) == ("balance_end", end, end)
    assert advance.amount + balance.amount == expected
    assert f"{months}/12 mois commencés" in balance.detail


def test_old_regime_short_year_pays_late_installments_at_the_end() -> None:
    # issue 18 (was: month 10 folded into month 7, paid before the months it pays for)
    t = old_terms(end=date(2025, 4, 20))  # year 2: 8 months started, month 10 after the end
    year2 = [i for i in pedagogy_schedule(t) if i.year == 2]
    assert rows(year2) == [("advance_40", date(2024, 9, 9), D("2133.33")),
                           ("month7_30", date(2025, 3, 9), D("1600.00")),
                           ("balance_end", date(2025, 4, 20), D("1600.00"))]
    assert year2[-1].period_end == date(2025, 4, 20)


def test_old_regime_six_month_contract_is_not_paid_at_its_start() -> None:
    # issue 18 worked example: signed before 1 July 2025, 6 months at 8,000 €/year = 4,000 €;
    # was 4,000 € on day 1, now 40 % at the start and the balance at the end (R6332-25;
    # reading in docs/domain-notes.md)
    t = old_terms(end=date(2024, 3, 8))
    assert rows(pedagogy_schedule(t)) == [("advance_40", date(2023, 9, 9), D("1600.00")),
                                          ("balance_end", date(2024, 3, 8), D("2400.00"))]


def test_old_regime_rupture_recomputes_months_started() -> None:
    t = old_terms(rupture_on=date(2024, 1, 15))  # 5 months started: 3,333.33 € due
    assert rows(pedagogy_schedule(t)) == [
        ("advance_40", date(2023, 9, 9), D("3200.00")),
        ("regularisation", date(2024, 1, 15), D("133.33"))]


# --- rupture -------------------------------------------------------------------------------

def test_rupture_before_month_7_gives_positive_regularisation() -> None:
    t = terms(rupture_on=date(2026, 2, 15))  # 168 days: 3,682.19 € due
    for paid, versed in (({("advance_40", 1)}, "3 200,00 €"), ((), "0,00 €")):
        regularisation = pedagogy_schedule(t, paid=paid)[-1]
        assert (regularisation.kind, regularisation.amount) == ("regularisation", D("482.19"))
        assert f"déjà versé {versed}" in plain(regularisation.detail)
        assert "reste dû 482,19 €" in plain(regularisation.detail)


def test_rupture_on_a_due_date_keeps_that_installment() -> None:
    t = terms(rupture_on=date(2026, 3, 1))
    kinds = [i.kind for i in pedagogy_schedule(t, paid=PAID_40_30)]
    assert kinds == ["advance_40", "month7_30", "regularisation"]
    assert [i.kind for i in pedagogy_schedule(t)] == ["advance_40", "month7_30"]


def test_rupture_in_year_2_keeps_year_1_balance() -> None:
    t = terms(rupture_on=date(2026, 10, 31))  # 61 days of year 2: 1,336.99 €
    year2 = [i for i in pedagogy_schedule(t, paid={("advance_40", 2)}) if i.year == 2]
    assert rows(year2) == [("advance_40", date(2026, 9, 1), D("3200.00")),
                           ("regularisation", date(2026, 10, 31), D("-1863.01"))]
    assert rows([i for i in pedagogy_schedule(t) if i.year == 2]) == [
        ("advance_40", date(2026, 9, 1), D("1336.99"))]
    assert [i.kind for i in pedagogy_schedule(t) if i.year == 1][-1] == "balance_10"
    assert entitlement(t) == D("9336.99")


def test_rupture_on_end_date_needs_no_regularisation() -> None:
    t = terms(rupture_on=date(2027, 8, 31))
    assert pedagogy_schedule(t) == pedagogy_schedule(terms())


# --- other natures -------------------------------------------------------------------------

def test_frais_annexes_one_per_year_pro_rata_of_days_when_cut_short() -> None:
    t = terms(meals_per_year=100, nights_per_year=10, rupture_on=date(2026, 10, 31))
    annexes = [i for i in schedule(t) if i.nature is Nature.FRAIS_ANNEXES]
    assert rows(annexes) == [("annexes", date(2025, 9, 1), D("360.00")),
                             ("annexes", date(2026, 9, 1), D("60.16"))]  # 360 × 61/365
    assert plain(annexes[1].detail) == (
        "100 repas × 3,00 € + 10 nuitées × 6,00 € = 360,00 € × 61/365 jours = 60,16 €")


def test_equipment_and_mobility_are_due_at_start() -> None:
    t = terms(equipment_amount=D("500"), mobility_amount=D("1680"))
    one_offs = [(i.nature, i.year, i.due_on, i.amount) for i in schedule(t)
                if i.nature in (Nature.EQUIPEMENT, Nature.MOBILITE)]
    assert one_offs == [(Nature.EQUIPEMENT, 1, NEW_START, D("500.00")),
                        (Nature.MOBILITE, 1, NEW_START, D("1680.00"))]


def test_schedule_is_sorted_by_due_date_then_nature() -> None:
    t = terms(meals_per_year=10, equipment_amount=D("100"), mobility_amount=D("500"))
    items = schedule(t)
    assert [i.nature for i in items[:4]] == list(Nature)
    assert items == sorted(items, key=lambda i: (i.due_on, list(Nature).index(i.nature)))


# --- years, entitlement window, formatting -------------------------------------------------

def test_year_bounds_follow_anniversaries_from_29_february() -> None:
    t = terms(start=date(2024, 2, 29), end=date(2026, 3, 15), signed_on=date(2024, 1, 10))
    assert year_bounds(t) == [(date(2024, 2, 29), date(2025, 2, 27)),
                              (date(2025, 2, 28), date(2026, 2, 27)),
                              (date(2026, 2, 28), date(2026, 3, 15))]


def test_entitlement_until_is_capped_to_the_contract() -> None:
    assert entitlement(terms(), until=date(2020, 1, 1)) == D("0.00")
    assert entitlement(terms(), until=date(2026, 8, 31)) == D("8000.00")
    assert entitlement(terms(), until=date(2030, 1, 1)) == D("16000.00")


def test_format_eur_and_period_keep_babel_spaces() -> None:
    assert format_eur(D("1575")) == "1\u202f575,00\xa0€"
    assert format_eur(D("-4135")) == "-4\u202f135,00\xa0€"
    assert format_period(date(2023, 9, 9), date(2023, 12, 8)) == "Du 9 sept. 2023 au 8 déc. 2023"


# --- bad input -----------------------------------------------------------------------------

@pytest.mark.parametrize(("changes", "field", "message"), [
    # end before start
    ({"end": date(2025, 8, 31)},
     "end", "La date de fin (31/08/2025) précède la date de début (01/09/2025)."),
    # zero and negative NPEC
    ({"npec": D("0")}, "npec", "Le NPEC doit être positif"),
    ({"npec": D("-100")}, "npec", "Le NPEC doit être positif"),
    # money as float is refused, not silently rounded
    ({"npec": 8000.0}, "npec", "n'est pas un montant décimal valide"),
    # rupture outside the contract
    ({"rupture_on": date(2025, 8, 31)}, "rupture_on",
     "La date de rupture (31/08/2025) précède le début du contrat (01/09/2025)."),
    ({"rupture_on": date(2027, 9, 1)}, "rupture_on", "est postérieure à la fin du contrat"),
    # L6222-7-1: six months to three years (issue 18: a 1-day contract was accepted)
    ({"end": NEW_START}, "end", "Le contrat (du 01/09/2025 au 01/09/2025) dure moins de six "
                                "mois : la durée d'un contrat d'apprentissage va de six mois à "
                                "trois ans (Code du travail, art. L6222-7-1)."),
    ({"end": date(2026, 2, 27)}, "end", "dure moins de six mois"),
    ({"end": date(2028, 9, 1)}, "end", "dure plus de trois ans"),
    # levels outside 3..7
    ({"level": 2}, "level", "Le niveau de la certification (2) doit être compris entre 3 et 7."),
    ({"level": 8}, "level", "Le niveau de la certification (8)"),
    # first equipment capped at 500 €, never negative
    ({"equipment_amount": D("500.01")}, "equipment_amount", "1ers équipements"),
    ({"equipment_amount": D("-1")}, "equipment_amount", "1ers équipements"),
    # negative forecasts
    ({"mobility_amount": D("-1")}, "mobility_amount", "ne peut pas être négatif"),
    ({"meals_per_year": -1}, "meals_per_year", "Le nombre de repas par an (-1)"),
])
def test_bad_terms_raise_schedule_error_in_french(changes: dict[str, object], field: str,
                                                  message: str) -> None:
    bad = terms(**changes)
    for call in (validate, schedule, pedagogy_schedule, entitlement, year_bounds):
        with pytest.raises(ScheduleError) as caught:
            call(bad)  # type: ignore[operator]
        assert caught.value.field == field
        assert message in plain(str(caught.value))


# --- properties ----------------------------------------------------------------------------

@st.composite
def contracts(draw: st.DrawFn) -> ContractTerms:
    """Any valid contract: start 2022-2027, 6-36 months, NPEC 1,000-15,000 € with cents."""
    start = draw(st.dates(date(2022, 1, 1), date(2027, 12, 31)))
    # L6222-7-1: six months to three years, both bounds included
    shortest = (add_months(start, 6) - start).days - 1
    longest = (add_months(start, 36) - start).days - 1
    end = start + timedelta(days=draw(st.integers(shortest, longest)))
    rupture = draw(st.none() | st.integers(0, (end - start).days).map(
        lambda days: start + timedelta(days=days)))
    return ContractTerms(
        start=start, end=end, rupture_on=rupture,
        signed_on=start - timedelta(days=draw(st.integers(0, 120))),
        npec=D(draw(st.integers(100_000, 1_500_000))).scaleb(-2),
        level=draw(st.integers(3, 7)),
        meals_per_year=draw(st.integers(0, 300)), nights_per_year=draw(st.integers(0, 100)),
        equipment_amount=D(draw(st.integers(0, 50_000))).scaleb(-2),
        mobility_amount=draw(st.sampled_from([D("0"), D("500"), D("1680")])))


FAST = settings(max_examples=300, deadline=None)


@FAST
@given(contracts())
def test_each_year_sums_exactly_to_its_entitlement(t: ContractTerms) -> None:
    by_year: dict[int, Decimal] = defaultdict(Decimal)
    for i in pedagogy_schedule(t):
        by_year[i.year] += i.amount
    expected = year_entitlements(t)
    assert set(by_year) <= set(range(1, len(expected) + 1))
    assert [by_year[k] for k in range(1, len(expected) + 1)] == expected
    ends = [end for _, end in year_bounds(t)]
    cumulated = [entitlement(t, until=end) for end in ends]
    assert [b - a for a, b in zip([D(0), *cumulated], cumulated, strict=False)] == expected


@FAST
@given(contracts())
def test_amounts_dates_and_total_are_consistent(t: ContractTerms) -> None:
    items = schedule(t)
    last_day = effective_end(t)
    for i in items:
        assert i.amount.as_tuple().exponent == -2
        assert i.amount != 0
        assert t.start <= i.due_on <= last_day
        assert t.start <= i.period_start <= i.period_end <= t.end
        assert i.amount > 0 or i.kind == "regularisation"
    pedagogy = [i for i in items if i.nature is Nature.PEDAGOGIE]
    assert sum((i.amount for i in pedagogy), D("0")) == entitlement(t)
    assert items == sorted(items, key=lambda i: (i.due_on, list(Nature).index(i.nature)))


@FAST
@given(contracts(), st.data())
def test_after_a_rupture_the_installments_add_up_to_the_entitlement(
        t: ContractTerms, data: st.DataObject) -> None:
    """Issue 18, trop-perçu = paid − due (../shared/domain.md; R6332-25): for any contract,
    rupture date and set of paid installments (those due by the rupture), the installments
    add up to the entitlement at the rupture date, the paid ones are kept as paid, and nothing
    is negative unless something was paid."""
    if t.rupture_on is None:
        return
    payable = [i for i in pedagogy_schedule(replace(t, rupture_on=None))
               if i.due_on <= t.rupture_on]
    paid = data.draw(st.sets(st.sampled_from([(i.kind, i.year) for i in payable]))
                     if payable else st.just(set()))
    items = pedagogy_schedule(t, paid=paid)
    assert sum((i.amount for i in items), D("0")) == entitlement(t)
    assert {(i.kind, i.year, i.amount) for i in payable if (i.kind, i.year) in paid} <= {
        (i.kind, i.year, i.amount) for i in items}
    assert all(i.amount > 0 for i in items) or paid
    assert all(i.amount > 0 for i in items if (i.kind, i.year) not in paid
               and i.kind != "regularisation")


@FAST
@given(contracts())
def test_rupture_entitlement_equals_a_contract_ending_that_day(t: ContractTerms) -> None:
    # (a contract may not end within six months, L6222-7-1: its entitlement to that day is
    # its entitlement without the rupture, up to that day); the 45-day probation of
    # R6332-25-1 lowers the employer's share, so it is left out here
    if t.rupture_on is not None and not (in_probation(t) and t.level >= 6):
        assert entitlement(t) == entitlement(replace(t, rupture_on=None), until=t.rupture_on)
