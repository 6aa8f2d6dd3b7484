"""Issue 18: the final 10 % balance lapses when it is not invoiced within 4 months of the
contract's end (R6332-25 as amended by décret 2025-585: the balance is paid on the CFA's
invoice and attestation de réalisation sent within 4 months of the end; after that it is not
due). Contract B1 of the test world: 2026-02-02 → 2027-02-01, NPEC 5,500 €, signed 2026-01-10
(new regime): its final balance, 550 €, is due 2027-02-01 and eligible up to 2027-06-01.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from db.models import Echeance
from domain.clock import freeze
from domain.errors import AlreadyClaimed
from tests.factories import TODAY
from workflow.billing import eligibility, proformas


def _final_balance(world, factory) -> int:
    with factory() as s:
        return s.scalars(select(Echeance.id).where(
            Echeance.contract_id == world.contracts2[1], Echeance.kind == "balance_10")).one()


def _eligible(world, factory, at: datetime) -> list[int]:
    freeze(at)
    try:
        with factory() as s:
            return eligibility.eligible_ids(s, world.cfa2, "pedagogie")
    finally:
        freeze(TODAY)


def test_final_balance_leaves_the_list_four_months_after_the_end(world, factory):
    balance = _final_balance(world, factory)
    with factory() as s:
        assert s.get_one(Echeance, balance).amount == Decimal("550.00")
    assert balance in _eligible(world, factory, datetime(2027, 2, 1, 9))
    assert balance in _eligible(world, factory, datetime(2027, 6, 1, 9))  # end + 4 months
    assert balance not in _eligible(world, factory, datetime(2027, 6, 2, 9))  # was kept
    freeze(datetime(2027, 6, 2, 9))
    try:
        with pytest.raises(AlreadyClaimed), factory.begin() as s:
            proformas.generate(s, world.cfa2, "pedagogie", [balance])
        with factory() as s:
            recap = eligibility.recap(s, world.cfa2, "pedagogie")
            page = eligibility.list_eligible(s, world.cfa2, "pedagogie", page_size=100)
        assert balance not in {r.echeance_id for r in page.rows}
        assert recap.eligible_lines == page.total
    finally:
        freeze(TODAY)


def test_a_yearly_balance_never_lapses(world, factory):
    # B0, 2025-09-15 → 2027-09-14: year 1's balance is paid with year 2's advance (2026-09-15)
    with factory() as s:
        yearly = s.scalars(select(Echeance.id).where(
            Echeance.contract_id == world.contracts2[0], Echeance.kind == "balance_10",
            Echeance.year == 1)).one()
    assert yearly in _eligible(world, factory, datetime(2027, 6, 2, 9))
