"""Issue 18: the L6222-11 prolongation of a contract after a failed exam.

Code du travail L6222-7-1: "La durée du contrat d'apprentissage (...) varie entre six mois et
trois ans, sous réserve des cas de prolongation prévus à l'article L. 6222-11." L6222-11: "En
cas d'échec à l'obtention du diplôme ou du titre professionnel visé, l'apprentissage peut être
prolongé pour une durée d'un an au plus (...) par prorogation du contrat initial". The import
reads a line "prolongation" (its new "Date de fin"): the end moves by up to one year beyond
the planned end, the schedule is recomputed (docs/domain-notes.md).
Worked example: NPEC 8 000 €, new regime, level 5, 2025-09-01 → 2028-08-31 (three years),
prolonged to 2029-08-31: a fourth complete year, 32 000 € in all instead of 24 000 €.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from bench.contract_import import to_csv
from db.models import Cfa, Contract, ContractChange, Echeance
from domain.schedule import ContractTerms, ScheduleError, entitlement, validate
from workflow.contracts.importing import run

D = Decimal
THREE_YEARS = ContractTerms(date(2025, 9, 1), date(2028, 8, 31), date(2025, 8, 20), D("8000"), 5)
ROW = {"kind": "contrat", "number": "PROL1", "employer_siret": "73282932000074",
       "employer_name": "EMPLOYEUR PROLONGE", "last_name": "PETIT", "first_name": "Noé",
       "title": "BAC PRO MRC", "level": "4", "start": "01/09/2025", "end": "31/08/2028",
       "signed_on": "20/08/2025", "npec": "8000,00"}


def test_a_prolongation_of_one_year_at_most_is_valid():
    prolonged = replace(THREE_YEARS, end=date(2029, 8, 31), prolonged_from=date(2028, 8, 31))
    validate(prolonged)
    assert entitlement(prolonged) == D("32000.00")
    with pytest.raises(ScheduleError, match="L6222-7-1"):  # not marked as a prolongation
        validate(replace(prolonged, prolonged_from=None))
    with pytest.raises(ScheduleError, match="L6222-11"):
        validate(replace(prolonged, end=date(2029, 9, 1)))
    with pytest.raises(ScheduleError, match="au-delà du 31/08/2028"):
        validate(replace(prolonged, end=date(2028, 8, 31)))
    with pytest.raises(ScheduleError, match="plus de trois ans"):  # the planned end still counts
        validate(replace(prolonged, prolonged_from=date(2028, 9, 1), end=date(2029, 8, 31)))


def _uai(factory) -> str:
    with factory() as s:
        return s.scalars(select(Cfa.uai).order_by(Cfa.id)).first()


def _total(factory) -> tuple[date, Decimal, int]:
    with factory() as s:
        c = s.scalars(select(Contract).where(Contract.number == "PROL1")).one()
        total = s.scalar(select(func.sum(Echeance.amount)).where(
            Echeance.contract_id == c.id, Echeance.nature == "pedagogie"))
        years = s.scalar(select(func.max(Echeance.year)).where(Echeance.contract_id == c.id))
        return c.end, total, years


def test_the_import_accepts_a_prolongation_and_recomputes(world, factory):
    uai = _uai(factory)
    registration = to_csv([{**ROW, "cfa_uai": uai}])
    with factory.begin() as s:
        assert run(s, world.manager, registration, "contrats.csv", dry_run=False).ok
    assert _total(factory) == (date(2028, 8, 31), D("24000.00"), 3)
    prolong = to_csv([{"kind": "prolongation", "number": "PROL1", "end": "31/08/2029"}])
    with factory.begin() as s:
        report = run(s, world.manager, prolong, "prolongation.csv", dry_run=False)
    assert report.ok, report.errors  # was: "Type de ligne inconnu"
    assert [(c.number, c.kind) for c in report.changed] == [("PROL1", "prolongation")]
    assert "Fin avant prolongation : — → 31/08/2028" in report.changed[0].what
    assert _total(factory) == (date(2029, 8, 31), D("32000.00"), 4)
    for again in (prolong, registration):  # idempotent; the registration keeps the prolongation
        with factory.begin() as s:
            report = run(s, world.manager, again, "encore.csv", dry_run=False)
        assert report.ok and not report.changed and report.unchanged == 1, report.errors
    assert _total(factory) == (date(2029, 8, 31), D("32000.00"), 4)
    with factory() as s:
        kinds = s.scalars(select(ContractChange.kind).join(Contract).where(
            Contract.number == "PROL1").order_by(ContractChange.id)).all()
    assert kinds == ["contrat", "prolongation"]


def test_a_bad_prolongation_is_refused_with_its_line(world, factory):
    uai = _uai(factory)
    with factory.begin() as s:
        assert run(s, world.manager, to_csv([{**ROW, "cfa_uai": uai}]), "c.csv",
                   dry_run=False).ok
    cases = [
        ({"kind": "prolongation", "number": "PROL1", "end": "01/09/2029"},
         "Date de fin", "L6222-11"),
        ({"kind": "prolongation", "number": "PROL1", "end": "31/08/2029", "npec": "9000,00"},
         "NPEC", "ne donne que la nouvelle date de fin"),
        ({"kind": "prolongation", "number": "PROL1"}, "Date de fin", "obligatoire"),
        ({"kind": "prolongation", "number": "INCONNU", "end": "31/08/2029"},
         "Numéro de dépôt", "Contrat inconnu"),
    ]
    for row, column, words in cases:
        with factory.begin() as s:
            report = run(s, world.manager, to_csv([row]), "p.csv", dry_run=False)
        assert [(e.line, e.column) for e in report.errors] == [(2, column)], report.errors
        assert words in report.errors[0].reason
    broken = to_csv([{"kind": "rupture", "number": "PROL1", "rupture_on": "30/06/2026"},
                     {"kind": "prolongation", "number": "PROL1", "end": "31/08/2029"}])
    with factory.begin() as s:
        report = run(s, world.manager, broken, "r.csv", dry_run=False)
    assert [(e.line, e.reason) for e in report.errors] == [
        (3, "Un contrat rompu ne peut pas être prolongé.")]
    assert _total(factory) == (date(2028, 8, 31), D("24000.00"), 3)
