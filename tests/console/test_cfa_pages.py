"""AppTest of the CFA portal pages: they render for cfa1 in French, and cfa2 sees none of it."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from db.models import Cfa, Notice, ProForma
from seed.demo_invoices import invoice_pdf
from tests.console.conftest import page_text
from tests.workflow.reviewkit import seen_echeances as lines
from workflow.billing import proformas
from workflow.deposits import deposits
from workflow.review import decisions


@pytest.fixture
def refused(world, factory):
    """cfa1: an invoice refused with the seed's reason and a credit note awaiting."""
    with factory.begin() as s:
        made = proformas.generate_summary(s, world.cfa1, "pedagogie",
                                          lines(s, world.eligible(world.cfa1_id)))
    invoice = made[0]
    with factory.begin() as s:
        pf = s.get_one(ProForma, invoice.id)
        data = invoice_pdf(s.get_one(Cfa, pf.cfa_id), pf, "FA-9", None, None)
        deposits.deposit(s, world.cfa1, invoice.id, data, "Facture.pdf")
        decisions.refuse(s, world.instructeur, invoice.id, pf.version, "MONTANTTOTAL_ERR")
    return made


def _no_error(at: AppTest) -> None:
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]


def _click(at: AppTest, label: str) -> AppTest:
    next(b for b in at.button if b.label == label).click()
    return at.run()


def test_generate_page_lists_and_recaps_in_french(world, page):
    at = page("cfa_generate.py", world.cfa1)
    _no_error(at)
    text = page_text(at)
    for words in ("Générer une pro forma", "Mes contrats éligibles pour facturation",
                  "Acompte pédagogie", "Inclus 4", "Exclus 0", "Montant 31 454,11 €",
                  "Filtres appliqués (4)", "AUCUN FILTRE APPLIQUÉ", "Générer pro forma pédagogie",
                  "trop-perçu 295,89 €"):
        assert words.replace(" ", "") in text.replace(" ", "").replace("\u202f", "")\
            .replace("\xa0", ""), words
    assert "Voir les détails" in [e.label for e in at.expander]
    table = at.dataframe[0].value
    assert set(table["Numéro enregistrement"]) == {"A000000", "A000001", "A000002", "A000003"}
    assert table["Inclure"].all()


def test_generate_journey_with_a_credit_note(world, page, factory):
    at = page("cfa_generate.py", world.cfa1)
    at = _click(at, "Générer pro forma pédagogie")
    _no_error(at)
    assert "MONTANT FACTURE D'AVOIR -295,89" in page_text(at).replace("\u202f", " ").replace(
        "\xa0", " ")
    at = _click(at, "suivant")
    radio = next(r for r in at.radio if r.label.startswith("MODE DE RÈGLEMENT"))
    assert radio.value == "deduction"
    radio.set_value("remboursement").run()
    assert "La modification du mode de règlement ne s'applique qu'à cette pro forma." \
        in page_text(at)
    at = _click(at, "Générer")
    _no_error(at)
    text = page_text(at)
    assert "Génération terminée ! Vous pouvez télécharger les pro formas générées." in text
    assert "PRO-00610001" in text and "PRO-00610002" in text
    # the manual's "détails" is a button beside "Fermer" (§1.1.2), showing the two pro formas
    assert not at.toggle and not at.dataframe
    at = _click(at, "détails")
    details = at.dataframe[0].value
    assert list(details["Pro forma"]) == ["PRO-00610001", "PRO-00610002"]
    assert list(details["Type"]) == ["Facture", "Facture d'avoir"]
    at = _click(at, "détails")
    assert not at.dataframe
    with factory() as s:
        modes = [(p.kind, p.settlement_mode) for p in s.query(ProForma).where(
            ProForma.id != world.paid_pro_forma_id).order_by(ProForma.id)]
    assert modes == [("invoice", None), ("credit_note", "remboursement")]
    at = _click(at, "Fermer")
    _no_error(at)
    assert "Aucun contrat éligible" in page_text(at)


def test_second_generation_shows_a_clear_message(world, page, factory):
    ids = world.eligible(world.cfa1_id)
    dialog = {"nature": "pedagogie", "label": "pédagogie", "step": "mode", "made": [],
              "ids": ids, "eligible": 4, "mode": "deduction"}
    at = page("cfa_generate.py", world.cfa1, g_dialog=dialog)  # the dialog shows 4 lines
    with factory.begin() as s:  # meanwhile, another tab generates one of them
        proformas.generate_summary(s, world.cfa1, "pedagogie", lines(s, ids[:1]))
    at = _click(at, "Générer")
    assert any("déjà été facturées" in e.value for e in at.error)
    with factory() as s:
        assert s.query(ProForma).where(ProForma.id != world.paid_pro_forma_id).count() == 1


def test_search_by_contract_number_and_saved_filter(world, page):
    at = page("cfa_generate.py", world.cfa1)
    next(t for t in at.text_input if "N° DE CONTRAT" in t.label).set_value("A000001")
    at = _click(at, "Rechercher")
    _no_error(at)
    assert set(at.dataframe[0].value["Numéro enregistrement"]) == {"A000001"}
    assert "N° DE CONTRAT : A000001" in page_text(at)
    next(t for t in at.text_input if t.label == "Nom du filtre").set_value("Rupture A1")
    at = _click(at, "☆ Ajouter à mes filtres")
    assert "Filtre ajouté à vos filtres." in page_text(at)
    at = _click(at, "Réinitialiser les filtres")
    assert len(at.dataframe[0].value) == 15
    at = _click(at, "Rupture A1")
    assert set(at.dataframe[0].value["Numéro enregistrement"]) == {"A000001"}


def test_generate_page_of_cfa2_shows_nothing_of_cfa1(world, page):
    at = page("cfa_generate.py", world.cfa2)
    _no_error(at)
    numbers = set(at.dataframe[0].value["Numéro enregistrement"])
    assert numbers and all(n.startswith("B") for n in numbers)
    assert "A00000" not in page_text(at)


def test_proformas_page_lists_filters_and_shows_the_letter(world, page, refused, factory):
    at = page("cfa_proformas.py", world.cfa1)
    _no_error(at)
    text = page_text(at)
    assert "Mes factures/factures d'avoir pro formas - contrat d'apprentissage" in text
    table = at.dataframe[0].value
    # the world's PRO-00600001 (Payé) is listed too; A1 is in the credit note only
    assert list(table["Statut"]) == ["En attente d'avoir", "Refusé", "Payé"]
    assert table["Montant total"].str.endswith("(3 dossiers)").any()
    at = page("cfa_proformas.py", world.cfa1, p_search={"status": "refused"})
    assert list(at.dataframe[0].value["Numéro de pro forma"]) == [refused[0].number]
    assert "STATUT : Refusé" in page_text(at)
    assert "Voir le motif de refus" in [b.label for b in at.button]
    at = _click(at, "Voir le motif de refus")
    _no_error(at)
    text = page_text(at)
    assert "Montant non conforme à la facture pro forma" in text
    assert "n'est pas égal au montant de la facture pro forma générée par le portail" in text
    with factory() as s:
        assert s.query(Notice).one().read_at is not None
    at = _click(at, "Modifier ma facture")
    _no_error(at)
    assert at.get("file_uploader")[0].proto.label == "VOTRE FACTURE"
    assert "Vous devez joindre un fichier." in page_text(at)


def test_cancel_from_the_list(world, page, refused, factory):
    credit = refused[1]
    at = page("cfa_proformas.py", world.cfa1, p_dialog={"mode": "cancel", "id": credit.id})
    assert "Cette action rendra les contrats de nouveau éligibles" in page_text(at)
    at = _click(at, "Confirmer")
    _no_error(at)
    assert f"La pro forma {credit.number} est annulée" in page_text(at)
    with factory() as s:
        assert s.get_one(ProForma, credit.id).status == "cancelled"
    assert len(world.eligible(world.cfa1_id)) == 1


def test_cfa2_gets_nothing_of_cfa1s_pro_formas(world, page, refused, factory):
    at = page("cfa_proformas.py", world.cfa2)
    _no_error(at)
    assert "Aucune pro forma ne correspond à votre recherche." in page_text(at)
    for mode in ("refusal", "cancel", "replace"):
        at = page("cfa_proformas.py", world.cfa2, p_dialog={"mode": mode, "id": refused[0].id})
        assert any("Accès refusé" in e.value for e in at.error)
        assert "Montant non conforme" not in page_text(at)
    with factory() as s:
        assert s.query(Notice).one().read_at is None
        assert s.get_one(ProForma, refused[1].id).status == "awaiting_invoice"


def test_profile_page(world, page, factory):
    at = page("cfa_profile.py", world.cfa1)
    _no_error(at)
    text = page_text(at)
    assert "Mon CFA" in text and "CFA UN" in text and "Coordonnées bancaires" in text
    iban = next(t for t in at.text_input if t.label == "IBAN")
    assert iban.disabled
    at.radio[0].set_value("remboursement")
    at = _click(at, "Enregistrer")
    assert "Mode de règlement par défaut enregistré : remboursement." in page_text(at)
    at = page("cfa_profile.py", world.cfa2)
    assert "CFA DEUX" in page_text(at) and "CFA UN" not in page_text(at)
    assert at.radio[0].value == "deduction"


def test_the_upload_rules_come_from_the_checks_declaration(world, page, refused):
    """Issue 19: the sentence under the upload zone renders checks' limits, never a copy."""
    from checks.model import MAX_BYTES, MAX_NAME
    from workflow.billing.portal import upload_rules

    rules = upload_rules()
    assert (rules.max_mb, rules.max_name) == (MAX_BYTES // 2**20, MAX_NAME)
    assert {"pdf", "jpg", "jpeg", "png", "gif"} == set(rules.kinds)
    at = page("cfa_proformas.py", world.cfa1, p_dialog={"mode": "attach", "id": refused[1].id})
    _no_error(at)
    assert rules.sentence in [c.value for c in at.caption]
    assert f"les {MAX_NAME} caractères" in rules.sentence
