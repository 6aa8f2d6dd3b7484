"""Mes contrats: paging in SQL and isolation between CFAs."""

from __future__ import annotations

import pytest

from domain.errors import AccessDenied
from workflow.contracts.contracts import contract_schedule, list_contracts


def test_cfa_sees_only_its_contracts_paged(world, factory):
    with factory() as s:
        first = list_contracts(s, world.cfa1, page=0, page_size=3)
        second = list_contracts(s, world.cfa1, page=1, page_size=3)
        other = list_contracts(s, world.cfa2)
    assert first.total == 4 and len(first.rows) == 3 and len(second.rows) == 1
    assert {r.id for r in first.rows + second.rows} == set(world.contracts1)
    assert {r.id for r in other.rows} == set(world.contracts2)


def test_search_by_number_and_name(world, factory):
    with factory() as s:
        assert [r.number for r in list_contracts(s, world.cfa1, search="A000001").rows] == [
            "A000001"]
        assert list_contracts(s, world.cfa1, search="NOMB0").total == 0


def test_schedule_of_another_cfas_contract_is_refused(world, factory):
    with factory() as s:
        rows = contract_schedule(s, world.cfa1, world.contracts1[1])
        assert any(r.kind == "regularisation" and str(r.amount) == "-295.89" for r in rows)
        for bad in (world.contracts2[0], 999999, "abc", None):
            with pytest.raises(AccessDenied):
                contract_schedule(s, world.cfa1, bad)


def test_opco_staff_cannot_use_the_cfa_list(world, factory):
    with factory() as s, pytest.raises(AccessDenied):
        list_contracts(s, world.instructeur)
