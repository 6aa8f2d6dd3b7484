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


def _imported_history_contract(world, factory) -> int:
    """HIST01 in cfa1: imported, its advance invoiced (a pro forma awaiting the invoice),
    an avenant (NPEC 8 000 → 7 000 € from 2025-11-01), then a rupture on 2025-12-15, each
    from its own file as the OPCO would send them."""
    from sqlalchemy import select

    from bench.contract_import import to_csv
    from db.models import Cfa, Contract, Echeance
    from workflow.billing import proformas
    from workflow.contracts.importing import run

    with factory() as s:
        uai = s.scalars(select(Cfa.uai).where(Cfa.id == world.cfa1_id)).one()
    files = [
        [{"kind": "contrat", "number": "HIST01", "employer_siret": "73282932000074",
          "employer_name": "EMPLOYEUR HISTOIRE", "cfa_uai": uai, "last_name": "ROUX",
          "first_name": "Inès", "title": "BTS MCO", "level": "5", "start": "01/09/2025",
          "end": "31/08/2027", "signed_on": "20/08/2025", "npec": "8000,00"}],
        [{"kind": "avenant", "number": "HIST01", "npec": "7000,00",
          "effective_on": "01/11/2025"}],
        [{"kind": "rupture", "number": "HIST01", "rupture_on": "15/12/2025"}],
    ]
    for k, rows in enumerate(files):
        with factory.begin() as s:
            assert run(s, world.manager, to_csv(rows), f"f{k}.csv", dry_run=False).ok
        if k == 0:
            with factory.begin() as s:
                advance = s.scalars(select(Echeance.id).join(Contract).where(
                    Contract.number == "HIST01", Echeance.kind == "advance_40")).first()
                proformas.generate(s, world.cfa1, "pedagogie", [advance])
    with factory() as s:
        return s.scalars(select(Contract.id).where(Contract.number == "HIST01")).one()


def test_history_shows_creation_avenants_rupture_and_regularisations(world, factory):
    from datetime import date
    from decimal import Decimal

    from domain.formatting import format_eur
    from workflow.contracts.history import contract_history

    cid = _imported_history_contract(world, factory)
    with factory() as s:
        seen = contract_history(s, world.cfa1, cid)
    assert seen.number == "HIST01"
    assert [(h.on, h.label) for h in seen.entries] == [
        (date(2025, 8, 20), "Création"), (date(2025, 11, 1), "Avenant"),
        (date(2025, 12, 15), "Rupture")]
    assert seen.entries[0].what == (f"Contrat du 01/09/2025 au 31/08/2027, NPEC "
                                    f"{format_eur(Decimal('8000'))}")
    assert seen.entries[1].what == (f"NPEC : {format_eur(Decimal('8000'))} → "
                                    f"{format_eur(Decimal('7000'))}")
    assert seen.entries[2].what == "Date de rupture : — → 15/12/2025"
    assert seen.regularisations and all(r.kind == "regularisation"
                                        for r in seen.regularisations)
    # 7 000 × 106/365 = 2 032,88 € due at the rupture; the advance in a live pro forma is
    # 3 200 €: a trop-perçu of 1 167,12 €
    assert [(r.amount, r.detail.split(" :")[0]) for r in seen.regularisations] == [
        (Decimal("-1167.12"), "Rupture du 15/12/2025")]


def test_history_of_a_contract_from_the_demo_rows_and_isolation(world, factory):
    from decimal import Decimal

    from workflow.contracts.history import contract_history

    cid = _imported_history_contract(world, factory)
    with factory() as s:
        a1 = contract_history(s, world.cfa1, world.contracts1[1])  # ruptured, paid, no import
        assert [h.label for h in a1.entries] == ["Création", "Rupture"]
        assert [r.amount for r in a1.regularisations] == [Decimal("-295.89")]
        for bad in (world.contracts2[0], 999999, "abc", None):
            with pytest.raises(AccessDenied):
                contract_history(s, world.cfa1, bad)
        with pytest.raises(AccessDenied):  # cfa2 never reads cfa1's history
            contract_history(s, world.cfa2, cid)
        assert contract_history(s, world.instructeur, cid).number == "HIST01"
