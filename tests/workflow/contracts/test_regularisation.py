"""Recompute on change (issue 18; workflow.contracts.regularisation): examples and properties.

Rules: unclaimed échéances are replaced by the recomputed schedule, those in a live pro forma
are kept, the difference with what was paid or validated (R6332-25; trop-perçu = paid − due,
../shared/domain.md) is one regularisation per contract and nature, negative when overpaid.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from domain.schedule import ContractTerms, entitlement, schedule
from domain.vocabulary import Nature
from tests.domain.test_schedule import FAST, contracts
from workflow.contracts.regularisation import Held, plan

D = Decimal
A1 = ContractTerms(date(2025, 9, 1), date(2027, 8, 31), date(2025, 8, 15), D("8000"), 4)


def _held(t: ContractTerms, keys: set[tuple[str, int]], paid: bool = True) -> list[Held]:
    return [Held(i.nature.value, i.kind, i.year, i.amount, paid) for i in schedule(t)
            if (i.kind, i.year) in keys]


def test_rupture_after_a_paid_advance_and_month7_gives_the_worked_trop_percu():
    """NPEC 8 000 €, start 2025-09-01, rupture 2026-04-30: 242 days → 5 304,11 € due; paid
    40 % + 30 % = 5 600 € → one regularisation of −295,89 € (../shared/domain.md)."""
    paid = _held(A1, {("advance_40", 1), ("month7_30", 1)})
    broken = replace(A1, rupture_on=date(2026, 4, 30))
    rows = plan(broken, paid, date(2026, 5, 2), "Rupture du 30/04/2026")
    assert [(i.kind, i.due_on, i.amount) for i in rows] == [
        ("regularisation", date(2026, 4, 30), D("-295.89"))]
    assert rows[0].detail == (
        "Rupture du 30/04/2026 : droit recalculé 5\u202f304,11\xa0€ ; déjà versé (validé ou "
        "payé) 5\u202f600,00\xa0€ ; trop-perçu 295,89\xa0€")


def test_avenant_lowering_the_npec_after_a_paid_advance():
    """NPEC 8 000 → 7 000 € from the start; the advance (3 200 €) was paid: the rest of the
    schedule takes the new amounts, the advance's 400 € overpaid is one regularisation."""
    paid = _held(A1, {("advance_40", 1)})
    lower = replace(A1, npec=D("7000"))
    rows = plan(lower, paid, date(2025, 11, 15), "Avenant du 15/11/2025")
    reg = [i for i in rows if i.kind == "regularisation"]
    assert [(i.nature, i.due_on, i.amount) for i in reg] == [
        (Nature.PEDAGOGIE, date(2025, 11, 15), D("-400.00"))]
    assert [(i.kind, i.year, i.amount) for i in rows if i.year == 1][:2] == [
        ("regularisation", 1, D("-400.00")), ("month7_30", 1, D("2100.00"))]
    assert sum((i.amount for i in rows), D("3200")) == entitlement(lower) == D("14000.00")


def test_an_echeance_in_a_live_pro_forma_is_kept_and_counted_as_in_progress():
    live = _held(A1, {("advance_40", 1)}, paid=False)
    rows = plan(replace(A1, npec=D("9000")), live, date(2025, 10, 1), "Avenant du 01/10/2025")
    (reg,) = [i for i in rows if i.kind == "regularisation"]
    assert reg.amount == D("400.00")  # 40 % × 9 000 − 3 200 still due
    assert "en cours dans une pro forma 3\u202f200,00\xa0€" in reg.detail
    assert "déjà versé (validé ou payé) 0,00\xa0€" in reg.detail


def test_nothing_changed_plans_the_same_schedule():
    assert plan(A1, [], date(2026, 1, 1), "Avenant") == schedule(A1)


@FAST
@given(contracts(), st.data())
def test_after_regularisation_the_echeances_add_up_to_the_entitlement_at_the_rupture(
        t: ContractTerms, data: st.DataObject) -> None:
    """For any contract, rupture date and set of paid installments (due by the rupture):
    kept + replaced + regularisation add up, per nature, to the entitlement at the rupture
    date, and nothing is negative unless something was paid."""
    if t.rupture_on is None:
        return
    before = replace(t, rupture_on=None)
    payable = [i for i in schedule(before) if i.due_on <= t.rupture_on]
    picked = data.draw(st.sets(st.sampled_from(range(len(payable)))) if payable
                       else st.just(set()))
    held = [Held(payable[k].nature.value, payable[k].kind, payable[k].year,
                 payable[k].amount, True) for k in picked]
    rows = plan(t, held, t.rupture_on, "Rupture")
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for h in held:
        totals[h.nature] += h.amount
    for i in rows:
        totals[i.nature.value] += i.amount
    due: dict[str, Decimal] = defaultdict(Decimal)
    for i in schedule(t):
        due[i.nature.value] += i.amount
    assert {k: v for k, v in totals.items() if v} == {k: v for k, v in due.items() if v}
    assert sum((v for k, v in totals.items() if k == "pedagogie"), D(0)) == entitlement(t)
    assert all(i.amount > 0 for i in rows) or held
    assert all(i.amount > 0 for i in rows if i.kind != "regularisation")
    assert len([i for i in rows if i.kind == "regularisation"]) <= len(Nature)
