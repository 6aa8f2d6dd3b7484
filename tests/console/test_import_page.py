"""Issue 18: the manager/administrator page "Importer des contrats" (console/pages/
mgr_import.py). The file is given as the page keeps it after an upload (``imp_file``):
AppTest cannot drive a file uploader."""

from __future__ import annotations

from sqlalchemy import func, select

from bench.contract_import import contract_rows, to_csv, to_xlsx
from db.models import Cfa, Contract
from tests.console.conftest import page_tables, page_text
from tests.factories import TODAY


def _cfas(factory):
    with factory() as s:
        return [(u, t) for u, t in s.execute(select(Cfa.uai, Cfa.siret))]


def _count(factory) -> int:
    with factory() as s:
        return s.scalar(select(func.count(Contract.id)))


def _click(at, label: str):
    next(b for b in at.button if b.label == label).click()
    return at.run()


def test_dry_run_then_import_with_a_confirmation(world, factory, page):
    rows = contract_rows(_cfas(factory), 12, TODAY.date())
    before = _count(factory)
    at = page("mgr_import.py", world.manager, imp_file=("contrats.csv", to_csv(rows)))
    assert not at.exception and not at.error
    text = page_text(at)
    assert "Simulation : 12 ligne(s) lue(s) : 12 contrat(s) seraient créé(s)" in text
    assert "IMP000000000" in page_tables(at)
    assert _count(factory) == before  # a dry run writes nothing
    at = _click(at, "Importer")
    assert "Confirmez l'import de contrats.csv : 12 contrat(s) créé(s)" in page_text(at)
    assert _count(factory) == before
    at = _click(at, "Confirmer l'import")
    assert not at.exception and not at.error
    assert "Import terminé : 12 ligne(s) lue(s) : 12 contrat(s) ont été créé(s)" in \
        page_text(at)
    assert _count(factory) == before + 12


def test_a_bad_file_lists_its_errors_line_by_line(world, factory, page):
    rows = contract_rows(_cfas(factory), 3, TODAY.date())
    rows[1]["npec"] = "-5"
    rows[2]["start"] = "demain"
    at = page("mgr_import.py", world.admin, imp_file=("contrats.xlsx", to_xlsx(rows)))
    assert not at.exception
    assert "2 erreur(s) dans le fichier contrats.xlsx : rien n'a été importé." in \
        [e.value for e in at.error][0].replace("\\", "")
    errors = at.dataframe[-1].value
    assert list(errors["Ligne"]) == [3, 4]
    assert list(errors["Valeur"]) == ["-5", "demain"]
    assert errors["Motif"][0].startswith("Montant hors bornes")
    assert errors["Motif"][1].startswith("Date invalide")
    assert "Importer" not in [b.label for b in at.button]


def test_an_unreadable_file_shows_no_traceback(world, page):
    at = page("mgr_import.py", world.manager, imp_file=("contrats.xlsx", b"PK\x03\x04 rien"))
    assert not at.exception
    assert "Fichier illisible" in page_tables(at)


def test_cfa_and_instructeur_are_refused(world, page):
    for who in (world.cfa1, world.instructeur):
        at = page("mgr_import.py", who)
        assert not at.exception and "Accès refusé" in page_text(at)


def test_the_deposit_form_asks_for_the_attestation_of_a_final_balance(world, factory, page):
    from tests.workflow.deposits.test_attestation import _final_balance_pro_forma

    pf_id = _final_balance_pro_forma(world, factory)
    at = page("cfa_proformas.py", world.cfa1, p_dialog={"mode": "attach", "id": pf_id})
    assert not at.exception
    labels = [u.proto.label for u in at.get("file_uploader")]
    assert labels == ["ATTESTATION DE RÉALISATION", "VOTRE FACTURE"]
    assert "attestation de réalisation des actions de formation" in page_text(at)
