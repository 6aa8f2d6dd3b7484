"""Issue 18: import of contracts, avenants and ruptures (workflow.contracts.importing).

Worked examples on the test world (tests/factories.py): contract A3 (NPEC 9 000 €, level 6,
signed 2025-12-01, start 2026-01-05) has its advance (3 600 − 750 = 2 850 €) validated
before an avenant or a rupture arrives by file.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from bench.contract_import import (
    avenant_rows,
    contract_rows,
    rupture_rows,
    to_csv,
    to_xlsx,
)
from db.models import Cfa, Contract, ContractChange, ContractImport, Echeance, Event
from domain.errors import AccessDenied
from tests.factories import TODAY
from tests.workflow.reviewkit import deposit, version
from workflow.billing import proformas
from workflow.contracts.contracts import list_contracts
from workflow.contracts.importing import COLUMNS, run
from workflow.review import decisions

D = Decimal


def _cfas(factory) -> list[tuple[str, str]]:
    with factory() as s:
        return [(u, t) for u, t in s.execute(select(Cfa.uai, Cfa.siret).order_by(Cfa.id))]


def _import(factory, actor, data: bytes, name: str = "contrats.csv", dry_run: bool = False):
    with factory.begin() as s:
        return run(s, actor, data, name, dry_run=dry_run)


def _footprint(factory) -> tuple:
    with factory() as s:
        return (s.scalar(select(func.count(Contract.id))),
                tuple(s.execute(select(Echeance.id, Echeance.amount, Echeance.due_on,
                                       Echeance.detail).order_by(Echeance.id))),
                s.scalar(select(func.count(Event.id))),
                s.scalar(select(func.count(ContractImport.id))))


def _validated_advance(world, factory) -> int:
    """A3's advance (2 850 €) in a pro forma Validé; the pro forma's id."""
    with factory.begin() as s:
        ids = list(s.scalars(select(Echeance.id).where(
            Echeance.contract_id == world.contracts1[3], Echeance.kind == "advance_40",
            Echeance.year == 1)))
        (pf,) = proformas.generate(s, world.cfa1, "pedagogie", ids)
        pf_id = pf.id
    deposit(world, factory, pf_id)
    with factory.begin() as s:
        decisions.validate(s, world.instructeur, pf_id, version(factory, pf_id))
    return pf_id


def _pedagogy(factory, contract_id: int) -> list[tuple[str, D, bool]]:
    with factory() as s:
        return [(k, a, pf is not None) for k, a, pf in s.execute(
            select(Echeance.kind, Echeance.amount, Echeance.pro_forma_id).where(
                Echeance.contract_id == contract_id, Echeance.nature == "pedagogie")
            .order_by(Echeance.due_on, Echeance.id))]


def test_new_contracts_land_in_mes_contrats_and_the_eligible_list(world, factory):
    rows = contract_rows(_cfas(factory)[:1], 30, TODAY.date())
    report = _import(factory, world.manager, to_csv(rows))
    assert report.ok and not report.dry_run
    assert (len(report.created), len(report.changed), report.unchanged) == (30, 0, 0)
    assert report.summary().startswith("30 ligne(s) lue(s) : 30 contrat(s) ont été créé(s)")
    with factory() as s:
        page = list_contracts(s, world.cfa1, search="IMP", page_size=50)
        event = s.scalars(select(Event).where(Event.action == "contracts_imported")).one()
        changes = s.scalar(select(func.count(ContractChange.id)))
    assert page.total == 30
    assert event.actor_id == world.manager.user_id
    assert (event.data["created"], event.data["lines"]) == (30, 30)
    assert changes == 30
    with factory() as s:
        numbers = set(s.scalars(select(Contract.number).join(Echeance).where(
            Echeance.id.in_(world.eligible(world.cfa1_id)))))
    assert any(n.startswith("IMP") for n in numbers)


def test_the_same_file_twice_changes_nothing(world, factory):
    data = to_csv(contract_rows(_cfas(factory), 40, TODAY.date()))
    _import(factory, world.manager, data)
    before = _footprint(factory)
    again = _import(factory, world.manager, data)
    assert (len(again.created), len(again.changed), again.unchanged) == (0, 0, 40)
    after = _footprint(factory)
    # only the second file's own record and event are new
    assert after[:2] == before[:2] and after[2] == before[2] + 1 and after[3] == before[3] + 1


def test_xlsx_reads_like_csv(world, factory):
    rows = contract_rows(_cfas(factory), 5, TODAY.date())
    report = _import(factory, world.admin, to_xlsx(rows), "contrats.xlsx", dry_run=True)
    assert report.ok and len(report.created) == 5


def test_a_dry_run_reports_and_writes_nothing(world, factory):
    before = _footprint(factory)
    rows = contract_rows(_cfas(factory), 10, TODAY.date())
    rows += rupture_rows(rows, TODAY.date(), every=2)
    report = _import(factory, world.manager, to_csv(rows), dry_run=True)
    assert report.ok and len(report.created) == 10 and report.changed == []
    assert report.summary().startswith("15 ligne(s) lue(s) : 10 contrat(s) seraient créé(s)")
    assert _footprint(factory) == before


def test_a_bad_file_lists_every_error_and_changes_nothing(world, factory):
    (uai, _siret), *_ = _cfas(factory)
    good = contract_rows([(uai, "")], 3, TODAY.date())
    bad = [
        {**good[0], "employer_siret": "12345678901234"},        # Luhn
        {**good[1], "npec": "douze", "start": "31/02/2025"},    # two bad cells
        {**good[2], "end": good[2]["start"]},                   # one day: L6222-7-1
        {"kind": "rupture", "number": "INCONNU1", "rupture_on": "01/01/2026"},
        {"kind": "facture", "number": "X1"},
        {**good[0], "number": "IMPX", "cfa_uai": "9999999Z"},  # unknown CFA
        {**good[0], "number": "IMPY", "equipment_amount": "800,00"},
    ]
    before = _footprint(factory)
    report = _import(factory, world.manager, to_csv(bad))
    got = [(e.line, e.column, e.value) for e in report.errors]
    assert got == [
        (2, COLUMNS["employer_siret"], "12345678901234"),
        (3, COLUMNS["start"], "31/02/2025"),
        (3, COLUMNS["npec"], "douze"),
        (4, COLUMNS["end"], good[2]["start"].replace("/", "/")),
        (5, COLUMNS["number"], "INCONNU1"),
        (6, COLUMNS["kind"], "facture"),
        (7, COLUMNS["cfa_uai"], "9999999Z"),
        (8, COLUMNS["equipment_amount"], "800,00"),
    ]
    reasons = {e.line: e.reason for e in report.errors}
    assert "clé de contrôle" in reasons[2] and "L6222-7-1" in reasons[4]
    assert "Contrat inconnu" in reasons[5] and "CFA inconnu" in reasons[7]
    assert "au plus 500,00" in reasons[8].replace("\u202f", " ").replace("\xa0", " ")
    assert report.summary() == ("8 erreur(s) dans le fichier contrats.csv : rien n'a été "
                                "importé.")
    assert _footprint(factory) == before


def test_unknown_columns_and_unreadable_files_are_refused(world, factory):
    report = _import(factory, world.manager, b"Numero de depot;Couleur\nX;bleu\n")
    assert [(e.line, e.column, e.reason) for e in report.errors] == [
        (1, "Couleur", "Colonne inconnue (voir docs/import-format.md)."),
        (1, "Type de ligne", "Colonne obligatoire absente.")]
    report = _import(factory, world.manager, b"\x00\x01PK garbage", "contrats.xlsx")
    assert report.errors and report.errors[0].reason.startswith("Fichier illisible")
    report = _import(factory, world.manager, b"x", "contrats.pdf")
    assert "non pris en charge" in report.errors[0].reason


def test_only_managers_and_admins_import(world, factory):
    for who in (world.cfa1, world.instructeur):
        with pytest.raises(AccessDenied), factory.begin() as s:
            run(s, who, b"", "x.csv")


def _line(number: str, **cells: str) -> bytes:
    return to_csv([{"number": number, **cells}])


def test_avenant_lowering_the_npec_regularises_the_validated_advance(world, factory):
    """A3: NPEC 9 000 → 8 000 €. The validated advance (2 850 €) is kept; the new advance
    would be 3 200 − 750 = 2 450 €: a regularisation of −400 €; the unclaimed échéances
    take the new amounts (month 7: 2 400 €)."""
    _validated_advance(world, factory)
    report = _import(factory, world.manager, _line(
        "A000003", kind="avenant", npec="8000,00", effective_on="15/11/2026"))
    assert report.ok and [c.kind for c in report.changed] == ["avenant"]
    assert "NPEC : 9\u202f000,00\xa0€ → 8\u202f000,00\xa0€" in report.changed[0].what
    (reg,) = report.regularisations
    assert (reg.number, reg.nature, reg.amount) == ("A000003", "pedagogie", D("-400.00"))
    rows = _pedagogy(factory, world.contracts1[3])
    assert rows[0] == ("advance_40", D("2850.00"), True)
    assert ("regularisation", D("-400.00"), False) in rows
    assert ("month7_30", D("2400.00"), False) in rows
    assert "déjà versé (validé ou payé) 2\u202f850,00\xa0€" in reg.detail
    # the same avenant again: nothing changes
    again = _import(factory, world.manager, _line(
        "A000003", kind="avenant", npec="8000,00", effective_on="15/11/2026"))
    assert (again.changed, again.regularisations, again.unchanged) == ([], [], 1)


def test_rupture_by_file_after_a_validated_advance(world, factory):
    """A3 broken on 2026-03-05 (60 days): 9 000 × 60/365 = 1 479,45 € − 750 € = 729,45 €
    due; 2 850 € validated: trop-perçu 2 120,55 € (R6332-25; R6332-25-1)."""
    _validated_advance(world, factory)
    report = _import(factory, world.manager, _line("A000003", kind="rupture",
                                                   rupture_on="05/03/2026"))
    (reg,) = report.regularisations
    assert reg.amount == D("-2120.55")
    assert _pedagogy(factory, world.contracts1[3]) == [
        ("advance_40", D("2850.00"), True), ("regularisation", D("-2120.55"), False)]
    with factory() as s:
        c = s.get_one(Contract, world.contracts1[3])
        assert (c.status, c.rupture_on) == ("rupture", date(2026, 3, 5))


def test_rupture_keeps_an_echeance_of_a_live_pro_forma(world, factory):
    """A2's advance (2 400 €) awaits its invoice when A2 is broken on 2025-11-30 (61 days):
    6 000 × 61/365 = 1 002,74 € due; the awaiting advance is kept (not paid, not replaced):
    a regularisation of −1 397,26 €."""
    with factory.begin() as s:
        ids = list(s.scalars(select(Echeance.id).where(
            Echeance.contract_id == world.contracts1[2], Echeance.kind == "advance_40",
            Echeance.year == 1)))
        (pf,) = proformas.generate(s, world.cfa1, "pedagogie", ids)
    report = _import(factory, world.manager, _line("A000002", kind="rupture",
                                                   rupture_on="30/11/2025"))
    pedagogy = [r for r in report.regularisations if r.nature == "pedagogie"]
    assert [r.amount for r in pedagogy] == [D("-1397.26")]
    assert "en cours dans une pro forma 2\u202f400,00\xa0€" in pedagogy[0].detail
    assert _pedagogy(factory, world.contracts1[2])[0] == ("advance_40", D("2400.00"), True)


def test_generated_file_then_avenants_then_ruptures(world, factory):
    rows = contract_rows(_cfas(factory), 200, TODAY.date())
    assert _import(factory, world.manager, to_csv(rows)).ok
    avenants = _import(factory, world.manager, to_csv(avenant_rows(rows)))
    assert len(avenants.changed) == 20 and avenants.regularisations == []  # nothing claimed
    ruptures = _import(factory, world.manager, to_csv(rupture_rows(rows, TODAY.date())))
    assert len(ruptures.changed) == 40
    with factory() as s:
        broken = s.scalar(select(func.count(Contract.id)).where(
            Contract.number.like("IMP%"), Contract.status == "rupture"))
        negative = s.scalar(select(func.count(Echeance.id)).join(Contract).where(
            Contract.number.like("IMP%"), Echeance.amount < 0))
    assert broken == 40 and negative == 0  # nothing was paid: no trop-perçu


def test_the_cli_prints_a_french_summary_and_fails_on_errors(world, db_url, capsys, tmp_path):
    from opco.__main__ import main

    path = tmp_path / "bad.csv"
    path.write_bytes(_line("INCONNU", kind="rupture", rupture_on="01/01/2026"))
    assert main(["--database-url", db_url, "import", str(path)]) == 1
    err = capsys.readouterr().err
    assert "ligne 2, colonne « Numéro de dépôt », valeur « INCONNU » : Contrat inconnu" in err
    path.write_bytes(_line("A000003", kind="avenant", npec="8500,00"))
    assert main(["--database-url", db_url, "import", str(path), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Simulation (rien n'est écrit) : 1 ligne(s) lue(s) : 0 contrat(s) "
                          "seraient créé(s), 1 seraient modifié(s)")


def test_the_sample_file_imports_then_changes_nothing(world, factory):
    """docs/import-exemple.csv, its CFAs replaced by the world's: created, then unchanged."""
    from pathlib import Path

    text = (Path(__file__).resolve().parents[3] / "docs" / "import-exemple.csv").read_text(
        "utf-8-sig")
    (uai1, _s1), (_u2, siret2) = _cfas(factory)
    data = text.replace("5408156A", uai1).replace("52171205918556", siret2).encode()
    first = _import(factory, world.manager, data, "import-exemple.csv")
    assert first.ok, first.errors
    assert len(first.created) == 4
    again = _import(factory, world.manager, data, "import-exemple.csv")
    assert (again.created, again.changed, again.unchanged) == ([], [], 4)
    with factory() as s:
        follower = s.scalars(select(Contract).where(Contract.number == "069202511000103")).one()
        advance = s.scalars(select(Echeance.amount).where(
            Echeance.contract_id == follower.id, Echeance.kind == "advance_40",
            Echeance.year == 1)).one()
    assert advance == D("3400.00")  # 40 % × 9 000 − 200 € (new employer, R6332-25-1)


def test_a_raison_sociale_renames_the_employer_and_changes_no_contract(world, factory):
    rows = contract_rows(_cfas(factory), 2, TODAY.date())
    rows[1]["employer_siret"] = rows[0]["employer_siret"]
    rows[1]["employer_name"] = "AUTRE NOM DU MÊME SIRET"
    data = to_csv(rows)
    assert len(_import(factory, world.manager, data).created) == 2
    again = _import(factory, world.manager, data)
    assert (again.changed, again.unchanged) == ([], 2)
    renamed = _import(factory, world.manager, _line(
        rows[0]["number"], kind="avenant", employer_name="NOUVELLE RAISON SOCIALE"))
    assert (renamed.changed, renamed.unchanged) == ([], 1)
    with factory() as s:
        from db.models import Employer

        assert s.scalars(select(Employer.name).where(
            Employer.siret == rows[0]["employer_siret"])).one() == "NOUVELLE RAISON SOCIALE"


def test_the_contracts_file_again_after_a_rupture_file_keeps_the_ruptures(world, factory):
    rows = contract_rows(_cfas(factory), 10, TODAY.date())
    _import(factory, world.manager, to_csv(rows))
    assert len(_import(factory, world.manager,
                       to_csv(rupture_rows(rows, TODAY.date()))).changed) == 2
    again = _import(factory, world.manager, to_csv(rows))
    assert (again.changed, again.unchanged) == ([], 10)


def test_a_siret_is_checked_once_per_file_and_a_bad_one_on_every_line():
    """The SIRET key check (python-stdnum) is memoised: a file names few employers over many
    lines; a bad SIRET still gets its error on each line that gives it."""
    from workflow.contracts.importer.reading import _siret, parse_line

    rows = contract_rows([("0755555A", "")], 2, TODAY.date())
    rows[1]["employer_siret"] = rows[0]["employer_siret"]
    _siret.cache_clear()
    errors: list = []
    assert all(parse_line(n, row, errors) for n, row in enumerate(rows, start=2))
    assert errors == [] and (_siret.cache_info().hits, _siret.cache_info().misses) == (1, 1)
    bad = "12345678901234"
    for row in rows:
        row["employer_siret"] = bad
    assert [parse_line(n, row, errors) for n, row in enumerate(rows, start=2)] == [None, None]
    assert [(e.line, e.value) for e in errors] == [(2, bad), (3, bad)]
    assert all("clé de contrôle" in e.reason for e in errors)
