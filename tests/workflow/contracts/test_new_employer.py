"""Issue 18: the 200 € participation of a new employer after a rupture (R6332-25-1, décret
2025-585 du 27 juin 2025; docs/domain-notes.md).

Levels 6 and 7, contracts concluded from 1 July 2025: the employer's participation is 750 €;
"lorsqu'un nouveau contrat est conclu avec un autre employeur à la suite de la rupture du
contrat initial", the new employer's participation is 200 € (service-public.fr F39190;
ministère du Travail, publication du 30 juin 2025). The import carries the link between the
two contracts: column "Numéro du contrat précédent".
Worked example: NPEC 8 000 €, level 6, start 2025-11-03: the advance is 40 % × 8 000 =
3 200 € less 200 € = 3 000 € (instead of 2 450 € with the 750 €).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from bench.contract_import import to_csv
from db.models import Cfa, Contract, Echeance
from domain.schedule import ContractTerms, entitlement, same_certification, schedule
from seed.demo import make_siret
from workflow.contracts.importing import run

D = Decimal
SECOND = ContractTerms(date(2025, 11, 3), date(2027, 11, 2), date(2025, 10, 20), D("8000"), 6)


def _advance(t: ContractTerms) -> Decimal:
    return next(i.amount for i in schedule(t) if i.kind == "advance_40")


def test_a_new_employer_after_a_rupture_pays_200_not_750():
    assert _advance(SECOND) == D("2450.00")
    after = replace(SECOND, after_rupture_new_employer=True)
    assert _advance(after) == D("3000.00")
    assert entitlement(after) == entitlement(SECOND) + D("550.00")
    detail = next(i.detail for i in schedule(after) if i.kind == "advance_40")
    assert "participation employeur déduite 200,00" in detail


def test_the_200_rule_needs_level_6_and_the_new_regime():
    for t in (replace(SECOND, level=5), replace(SECOND, signed_on=date(2025, 6, 30))):
        assert _advance(replace(t, after_rupture_new_employer=True)) == _advance(t)


def test_the_new_contracts_probation_rupture_caps_at_200():
    """A rupture of the second contract within its 45 days: 50 % of the prorated funding,
    within 200 €: 8 000 × 20/365 = 438,36 €; 50 % = 219,18 € → 200 €; 238,36 € due."""
    broken = replace(SECOND, after_rupture_new_employer=True, rupture_on=date(2025, 11, 22))
    assert entitlement(broken) == D("238.36")


def _file(uai: str, employer2: str, **second: str) -> bytes:
    first = {"kind": "contrat", "number": "P1", "employer_siret": "73282932000074",
             "employer_name": "PREMIER EMPLOYEUR", "cfa_uai": uai, "last_name": "DURAND",
             "first_name": "Léa", "title": "LICENCE PRO", "level": "6",
             "start": "01/09/2025", "end": "31/08/2027", "signed_on": "20/08/2025",
             "npec": "8000,00"}
    return to_csv([
        first,
        {"kind": "rupture", "number": "P1", "rupture_on": "20/10/2025"},
        {**first, "number": "P2", "previous": "P1", "employer_siret": employer2,
         "employer_name": "SECOND EMPLOYEUR", "start": "03/11/2025", "end": "02/11/2027",
         "signed_on": "20/10/2025", **second},
    ])


def _p2_advance(factory) -> Decimal:
    with factory() as s:
        return s.scalars(select(Echeance.amount).join(Contract).where(
            Contract.number == "P2", Echeance.kind == "advance_40",
            Echeance.year == 1)).one()


def test_imported_contract_following_a_rupture_with_another_employer(world, factory):
    import random

    with factory() as s:
        uai = s.scalars(select(Cfa.uai).order_by(Cfa.id)).first()
    other = make_siret(random.Random(3))
    with factory.begin() as s:
        report = run(s, world.manager, _file(uai, other), "suite.csv", dry_run=False)
    assert report.ok, report.errors
    assert _p2_advance(factory) == D("3000.00")
    with factory() as s:
        p2 = s.scalars(select(Contract).where(Contract.number == "P2")).one()
        assert p2.previous_contract is not None and p2.previous_contract.number == "P1"


def test_same_employer_again_keeps_the_750(world, factory):
    with factory() as s:
        uai = s.scalars(select(Cfa.uai).order_by(Cfa.id)).first()
    with factory.begin() as s:
        report = run(s, world.manager, _file(uai, "73282932000074"), "suite.csv",
                     dry_run=False)
    assert report.ok, report.errors
    assert _p2_advance(factory) == D("2450.00")


def test_a_previous_contract_must_exist_and_be_broken(world, factory):
    with factory() as s:
        uai = s.scalars(select(Cfa.uai).order_by(Cfa.id)).first()
    data = _file(uai, make_siret(__import__("random").Random(4)))
    text = data.decode("utf-8-sig").splitlines()
    without_rupture = "\n".join([text[0], text[1], text[3]]).encode()
    with factory.begin() as s:
        report = run(s, world.manager, without_rupture, "suite.csv", dry_run=False)
    assert [(e.line, e.column, e.reason) for e in report.errors] == [
        (3, "Numéro du contrat précédent", "Le contrat précédent n'est pas rompu.")]


def test_the_200_needs_the_same_certification(world, factory):
    """The ministère du Travail (publication of 30 June 2025 on décret 2025-585, as reported by
    Groupe 2S and Artemis Paie): the 200 € applies "à condition que l'objectif soit de permettre
    à l'apprenti de terminer son cycle de formation"; a change of certification is a new
    contract at the full 750 €. Same employer change, another diploma: 750 €."""
    import random

    with factory() as s:
        uai = s.scalars(select(Cfa.uai).order_by(Cfa.id)).first()
    other = make_siret(random.Random(5))
    with factory.begin() as s:
        report = run(s, world.manager, _file(uai, other, title="MASTER MANAGEMENT",
                                             level="7"), "autre.csv", dry_run=False)
    assert report.ok, report.errors
    assert _p2_advance(factory) == D("2450.00")  # was 3 000 € (the 200 € for any diploma)


def test_same_certification_reading():
    assert same_certification(("RNCP35185", "BTS MCO", 5), ("rncp35185", "Autre intitulé", 5))
    assert not same_certification(("RNCP35185", "BTS MCO", 5), ("RNCP38000", "BTS MCO", 5))
    assert same_certification(("", "Licence  pro Métiers", 6), ("", "LICENCE PRO METIERS", 6))
    assert not same_certification(("", "LICENCE PRO", 6), ("", "LICENCE PRO", 7))
    assert not same_certification(("", "LICENCE PRO", 6), ("RNCP1", "MASTER", 6))
