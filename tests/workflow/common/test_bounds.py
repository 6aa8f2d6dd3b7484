"""Bounds of typed values: the workflow refuses hostile amounts, days and dates in French
(InvalidInput) before they reach Decimal, timedelta or date arithmetic, whatever the page did."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from domain.errors import InvalidInput
from domain.formatting import format_eur
from tests.workflow.reviewkit import MIXED, deposit, generate, queue_of, seen_note, version
from workflow.accounts import admin
from workflow.billing.eligibility import EligibleFilters
from workflow.common import bounds
from workflow.payments import payments
from workflow.reporting import dashboard
from workflow.reporting.dashboard_sql import Filters
from workflow.review import decisions, review

HOSTILE_NUMBERS = [1e300, -1e300, 1e30, float("inf"), float("nan"), 10**12, -1, 10**5000,
                   Decimal("1e30"), Decimal("-1e300"), Decimal("NaN"), Decimal("sNaN"),
                   Decimal("Infinity"), Decimal("1E+999999999"), "abc", None, True]
HOSTILE_TEXTS = ["1e30", "1e300", "NaN", "sNaN", "Infinity", "-Infinity", "1 234,567", "９９",
                 "12345678901234,00", "1_000", "0x10", "'; DROP TABLE pro_forma; --",
                 "9" * 10_000, "1.234,56", "-5", "100000000,00"]


@pytest.mark.parametrize("text, expected", [
    ("1 234,56", Decimal("1234.56")), ("1\u202f234,56\xa0€", Decimal("1234.56")),
    ("1234.5", Decimal("1234.50")), ("99 999 999,99", Decimal("99999999.99")),
    ("-0", Decimal("0.00")), ("0", Decimal("0.00")), ("", None), ("  ", None), (None, None)])
def test_parse_amount_reads_french_amounts(text, expected):
    value = bounds.parse_amount(text)
    assert value == expected
    if value is not None:
        assert str(value) == str(expected) and not value.is_signed()


@pytest.mark.parametrize("text", HOSTILE_TEXTS, ids=[f"t{i}" for i in range(16)])
def test_parse_amount_refuses_in_french_without_decimal_raising(text):
    with pytest.raises(InvalidInput) as err:
        bounds.parse_amount(text)
    message = str(err.value)
    assert message.startswith(("Montant invalide", "Le montant")) and len(message) < 200


@pytest.mark.parametrize("value", HOSTILE_NUMBERS, ids=[f"n{i}" for i in range(17)])
def test_amount_days_and_day_refuse_whatever_is_out_of_bounds(value):
    with pytest.raises(InvalidInput):
        bounds.amount(value)
    with pytest.raises(InvalidInput):
        bounds.days(value)
    with pytest.raises(InvalidInput):
        bounds.day(value)


def test_amount_days_and_day_accept_their_bounds():
    assert bounds.amount(Decimal("99999999.99")) == bounds.MAX_AMOUNT
    assert bounds.amount(-99999999.99, low=-bounds.MAX_AMOUNT) == -bounds.MAX_AMOUNT
    assert bounds.amount(0) == Decimal("0.00") and bounds.amount(12.5) == Decimal("12.50")
    with pytest.raises(InvalidInput, match="au centime"):
        bounds.amount(Decimal("0.001"))
    with pytest.raises(InvalidInput, match=format_eur(bounds.MAX_AMOUNT)):
        bounds.amount(Decimal("100000000"))
    assert bounds.days(0) == 0 and bounds.days(3650) == 3650 and bounds.days(" 12 ") == 12
    assert bounds.days(7.0) == 7
    for bad in (3651, 7.5, "1e3", "９"):
        with pytest.raises(InvalidInput):
            bounds.days(bad)
    assert bounds.day(date(2000, 1, 1)) == date(2000, 1, 1)
    assert bounds.day(datetime(2100, 12, 31, 23, 59)) == date(2100, 12, 31)
    for bad in (date(1999, 12, 31), date(2101, 1, 1), date.min, date.max, "2024-01-01"):
        with pytest.raises(InvalidInput):
            bounds.day(bad)


@pytest.mark.parametrize("field", ["min_total", "max_total", "min_age_days", "max_age_days"])
def test_queue_filters_refuse_hostile_amounts_and_days(world, factory, field):
    queue_of(world, factory, 1)
    for value in [1e300, -1e300, Decimal("1e30"), Decimal("NaN"), Decimal("sNaN"), 10**12,
                  10**6 if "age" in field else Decimal("0.001"), -1 if "age" in field else None]:
        if value is None:
            continue
        with pytest.raises(InvalidInput), factory() as s:
            review.queue(s, world.instructeur, review.QueueFilters(**{field: value}))
    with factory() as s:  # the bounds themselves are accepted
        top = 3650 if "age" in field else Decimal("99999999.99")
        review.queue(s, world.instructeur, review.QueueFilters(**{field: top}))
        if "total" in field:
            review.queue(s, world.instructeur, review.QueueFilters(**{field: -top}))


def test_settings_refuse_hostile_thresholds_and_sla(world, factory):
    m = world.manager
    for bad in [*HOSTILE_TEXTS, 1e300, Decimal("NaN"), Decimal("1e30"), -1, "", None]:
        with pytest.raises(InvalidInput), factory.begin() as s:
            admin.set_four_eyes_threshold(s, m, bad)
    for bad in [0, 366, 10**6, 1e300, float("nan"), "1e3", "９", 10**5000, -1, None, 2.5]:
        with pytest.raises(InvalidInput), factory.begin() as s:
            admin.set_sla_days(s, m, bad)
    with factory.begin() as s:
        assert admin.set_four_eyes_threshold(s, m, "99 999 999,99") == bounds.MAX_AMOUNT
        assert admin.set_four_eyes_threshold(s, m, Decimal("1000")) == Decimal("1000.00")
        assert admin.set_sla_days(s, m, 365) == 365
    with factory() as s:  # the threshold is proposed, in force once a second manager approves
        settings = admin.get_settings(s, m)
        assert (settings.sla_days, settings.four_eyes_threshold, settings.pending.value) == \
            (365, Decimal("50000.00"), Decimal("1000.00"))


def test_eligible_filters_refuse_dates_out_of_bounds():
    for bad in (date(1, 1, 1), date(9999, 12, 31), "1999-12-31", "2101-01-01", "x" * 10_000):
        with pytest.raises(InvalidInput):
            EligibleFilters.from_dict({"start_from": bad})
    ok = EligibleFilters.from_dict({"start_from": "2000-01-01", "start_to": date(2100, 12, 31)})
    assert (ok.start_from, ok.start_to) == (date(2000, 1, 1), date(2100, 12, 31))


def test_dashboard_filters_refuse_dates_out_of_bounds(world, factory):
    for bad in (Filters(period_to=date.max), Filters(period_from=date.min),
                Filters(period_from=date(1999, 12, 31))):
        with pytest.raises(InvalidInput), factory() as s:
            dashboard.flow(s, world.manager, bad)
    with factory() as s:  # the last day of the bounds: its next day is still a date
        dashboard.flow(s, world.manager, Filters(date(2000, 1, 1), date(2100, 12, 31)))


def test_reimbursement_refuses_hostile_amounts(world, factory):
    for pf_id in generate(world, factory, MIXED, mode="remboursement"):
        deposit(world, factory, pf_id)
        with factory.begin() as s:
            decisions.validate(s, world.instructeur, pf_id, version(factory, pf_id))
    with factory() as s:
        (due,) = payments.reimbursements_due(s, world.instructeur).rows
    for bad in [Decimal("1e30"), Decimal("-1e300"), Decimal("NaN"), Decimal("sNaN"),
                Decimal("Infinity"), Decimal("0.001"), Decimal("-0"), 1e300, "abc"]:
        with pytest.raises(InvalidInput), factory.begin() as s:
            payments.record_reimbursement(s, world.instructeur,
                                          seen_note(s, due.credit_note_id), "VIR-1", bad)
    with factory() as s:
        assert payments.reimbursements_due(s, world.instructeur).rows == [due]
