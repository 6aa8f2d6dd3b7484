"""Eligible lines for a pro forma: filters, sort, paging, recap, selection, saved filters."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from db.models import Contract, Event, SavedFilter
from domain.errors import AccessDenied, InvalidInput
from tests.workflow.reviewkit import seen_echeances as lines
from workflow.billing import eligibility, filters, proformas
from workflow.billing.eligibility import EligibleFilters


def _all(world, factory, flt=None, **kw):
    with factory() as s:
        return eligibility.list_eligible(s, world.cfa1, "pedagogie", flt, page_size=200, **kw)


def test_lists_every_eligible_line_of_the_cfa_only(world, factory):
    page = _all(world, factory)
    assert sorted(r.echeance_id for r in page.rows) == world.eligible(world.cfa1_id)
    assert page.total == len(world.eligible(world.cfa1_id))
    assert {r.number[0] for r in page.rows} == {"A"}
    rupture = [r for r in page.rows if r.amount < 0]
    assert [(r.amount, r.status_label) for r in rupture] == [(Decimal("-295.89"), "Rupture")]
    assert all(r.detail for r in page.rows)  # "Voir les détails"


def test_other_cfa_sees_none_of_it(world, factory):
    with factory() as s:
        page = eligibility.list_eligible(s, world.cfa2, "pedagogie", page_size=200)
        ids = {r.echeance_id for r in page.rows}
        rec = eligibility.recap(s, world.cfa2, "pedagogie")
    assert ids == set(world.eligible(world.cfa2_id))
    assert not ids & set(world.eligible(world.cfa1_id))
    assert rec.eligible_lines == len(ids)


def test_staff_cannot_list(world, factory):
    with pytest.raises(AccessDenied), factory() as s:
        eligibility.list_eligible(s, world.instructeur, "pedagogie")


@pytest.mark.parametrize("criteria, expected_numbers", [
    ({"contract_number": "A000001"}, {"A000001"}),  # search by contract number
    ({"contract_status": "rupture"}, {"A000001"}),  # STATUT
    ({"rupture": "none"}, {"A000000", "A000002", "A000003"}),  # STATUT DE LA RUPTURE
    ({"rupture": "past"}, {"A000001"}),
    ({"last_name": "noma2"}, {"A000002"}),  # NOM DU STAGIAIRE, case-insensitive
    ({"first_name": "Prénom3"}, {"A000003"}),
    ({"start_from": "2025-09-01", "start_to": "2025-12-31"}, {"A000001", "A000002"}),
    ({"contract_number": "B000000"}, set()),  # another CFA's contract: nothing
])
def test_filters(world, factory, criteria, expected_numbers):
    flt = EligibleFilters.from_dict(criteria)
    assert {r.number for r in _all(world, factory, flt).rows} == expected_numbers
    assert flt.applied()


def test_siret_filters(world, factory):
    with factory() as s:
        contract = s.get_one(Contract, world.contracts1[0])
        employer_siret = contract.employer.siret
        cfa_siret = contract.cfa.siret
    every = _all(world, factory).total
    assert _all(world, factory, EligibleFilters(employer_siret=employer_siret)).total == every
    assert _all(world, factory, EligibleFilters(cfa_siret=cfa_siret)).total == every
    assert _all(world, factory, EligibleFilters(employer_siret="12345678901234")).total == 0


def test_bad_filter_values_are_refused_in_french():
    with pytest.raises(InvalidInput, match="Statut"):
        EligibleFilters.from_dict({"contract_status": "perdu"})
    with pytest.raises(InvalidInput, match="Date invalide"):
        EligibleFilters.from_dict({"start_from": "31/02/2026"})
    assert EligibleFilters.from_dict({"start_from": "2026-01-02"}).start_from == date(2026, 1, 2)
    assert EligibleFilters().applied() == []


def test_sort_and_paging_in_sql(world, factory):
    amounts = [r.amount for r in _all(world, factory, sort="amount_desc").rows]
    assert amounts == sorted(amounts, reverse=True)
    with factory() as s:
        first = eligibility.list_eligible(s, world.cfa1, "pedagogie", page=0, page_size=2)
        second = eligibility.list_eligible(s, world.cfa1, "pedagogie", page=1, page_size=2)
        with pytest.raises(InvalidInput):
            eligibility.list_eligible(s, world.cfa1, "pedagogie", sort="hasard")
        with pytest.raises(InvalidInput):
            eligibility.list_eligible(s, world.cfa1, "loisirs")
    assert len(first.rows) == 2 and first.total == len(world.eligible(world.cfa1_id))
    assert not {r.echeance_id for r in first.rows} & {r.echeance_id for r in second.rows}


def test_recap_follows_selection_and_filters(world, factory):
    ids = world.eligible(world.cfa1_id)
    amounts = dict(zip(ids, world.amounts(ids), strict=True))
    negative = next(i for i, a in amounts.items() if a < 0)
    with factory() as s:
        full = eligibility.recap(s, world.cfa1, "pedagogie")
        minus = eligibility.recap(s, world.cfa1, "pedagogie", excluded_ids=[negative, 999999])
        none = eligibility.recap(s, world.cfa1, "pedagogie", excluded_ids=ids)
        rupt = eligibility.recap(s, world.cfa1, "pedagogie",
                                 EligibleFilters(contract_status="rupture"))
    assert full.amount == sum(amounts.values())
    assert full.invoice_amount == sum(a for a in amounts.values() if a > 0)
    assert full.credit_amount == Decimal("-295.89")
    assert (full.included, full.excluded, full.eligible_contracts) == (4, 0, 4)
    assert minus.amount == full.amount + Decimal("295.89") and minus.credit_amount == 0
    assert minus.excluded_lines == 1
    assert (none.included, none.excluded, none.amount) == (0, 4, 0)
    assert rupt.eligible_contracts == 1


def test_selection_is_filters_minus_exclusions_and_generates(world, factory):
    ids = world.eligible(world.cfa1_id)
    with factory() as s:
        chosen = eligibility.eligible_ids(s, world.cfa1, "pedagogie", excluded_ids=ids[:1])
    assert chosen == ids[1:]
    with factory.begin() as s:
        made = proformas.generate_summary(s, world.cfa1, "pedagogie", lines(s, chosen))
    assert sum(m.total for m in made) == sum(world.amounts(chosen))
    assert world.eligible(world.cfa1_id) == ids[:1]


def test_saved_filters_are_private(world, factory):
    flt = EligibleFilters(contract_status="rupture", last_name="NOM")
    with factory.begin() as s:
        saved = filters.save_filter(s, world.cfa1, "  Mes ruptures ", flt)
        filters.save_filter(s, world.cfa1, "Mes ruptures", flt)  # same name: replaced
    with factory() as s:
        assert [(f.name, f.filters) for f in filters.list_filters(s, world.cfa1)] == [
            ("Mes ruptures", flt)]
        assert filters.load_filter(s, world.cfa1, saved.id) == flt
        assert filters.list_filters(s, world.cfa2) == []
        with pytest.raises(AccessDenied):
            filters.load_filter(s, world.cfa2, saved.id)
    with pytest.raises(AccessDenied), factory.begin() as s:
        filters.delete_filter(s, world.cfa2, saved.id)
    with pytest.raises(InvalidInput), factory.begin() as s:
        filters.save_filter(s, world.cfa1, "vide", EligibleFilters())
    with pytest.raises(InvalidInput), factory.begin() as s:
        filters.save_filter(s, world.cfa1, " ", flt)
    with factory.begin() as s:
        filters.delete_filter(s, world.cfa1, saved.id)
    with factory() as s:
        assert s.scalars(select(SavedFilter)).all() == []
        actions = s.scalars(select(Event.action).order_by(Event.id)).all()
    assert actions == ["filter_saved", "filter_saved", "filter_deleted"]


@pytest.mark.parametrize("sort", sorted(eligibility.SORT_LABELS))
@pytest.mark.parametrize("criteria", [{}, {"rupture": "none"}, {"last_name": "noma"}])
def test_pages_walked_one_by_one_give_the_whole_sorted_list(world, factory, sort, criteria):
    """Small pages (the contract-first shape of the default sort included) concatenate to
    exactly the one-page listing, in the same order, with nothing twice and nothing lost;
    a page past the end shows the last page."""
    flt = EligibleFilters.from_dict(criteria)
    whole = [r.echeance_id for r in _all(world, factory, flt, sort=sort).rows]
    assert whole
    walked = []
    with factory() as s:
        for page in range(len(whole)):
            rows = eligibility.list_eligible(s, world.cfa1, "pedagogie", flt, sort=sort,
                                             page=page, page_size=1).rows
            walked += [r.echeance_id for r in rows]
        beyond = eligibility.list_eligible(s, world.cfa1, "pedagogie", flt, sort=sort,
                                           page=len(whole) + 5, page_size=1)
    assert walked == whole
    assert beyond.page == len(whole) - 1 and [r.echeance_id for r in beyond.rows] == whole[-1:]
    by_amount = _all(world, factory, flt, sort="amount_asc").rows
    assert sorted(whole) == sorted(r.echeance_id for r in by_amount)
    if sort == "number":
        numbers = [r.number for r in _all(world, factory, flt).rows]
        assert numbers == sorted(numbers)
