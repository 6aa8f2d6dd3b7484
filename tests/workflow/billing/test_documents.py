"""The pro forma and refusal letter PDFs, read back with pdfplumber."""

from __future__ import annotations

import io
import re

import pdfplumber
import pytest

from db.models import Cfa, ProForma
from domain.errors import AccessDenied, TransitionRefused
from domain.formatting import format_eur
from seed.demo_invoices import invoice_pdf
from tests.workflow.reviewkit import seen_echeances as lines
from workflow.billing import documents, proformas
from workflow.deposits import deposits
from workflow.review import decisions


def _text(data: bytes) -> str:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


def _flat(data: bytes) -> str:
    """The text with line breaks as spaces (wrapped sentences)."""
    return " ".join(_text(data).split())


def _eur(amount) -> str:
    return documents.plain(format_eur(amount))


@pytest.fixture
def made(world, factory):
    ids = world.eligible(world.cfa1_id)
    with factory.begin() as s:
        return proformas.generate_summary(s, world.cfa1, "pedagogie", lines(s, ids), "deduction")


def test_pro_forma_pdf_carries_number_parties_lines_and_total(world, factory, made):
    invoice = made[0]
    with factory() as s:
        file = documents.pro_forma_pdf(s, world.cfa1, invoice.id)
        cfa = s.get_one(Cfa, world.cfa1_id)
        pf = s.get_one(ProForma, invoice.id)
        lines = [(ln.pro_forma_id, ln.amount) for ln in pf.lines]
        siret, iban, name = cfa.siret, cfa.iban, cfa.name
    assert file.filename == f"Pro_forma_{invoice.number}.pdf"
    text = _text(file.data)
    assert f"FACTURE PRO FORMA N° {invoice.number}" in text
    assert "Date : 27/11/2026" in text
    assert "Nature de coûts : Pédagogie" in text
    assert name in text and siret in text and iban in text and "Opco EP" in text
    assert f"MONTANT TOTAL : {_eur(invoice.total)}" in text
    assert "Nombre de dossiers : 3"  # A1 (−295,89 €) is in the credit note in text
    body = [ln for ln in text.splitlines() if re.match(r"A\d{6} ", ln)]
    assert len(body) == len(lines)
    assert all(" Du " in ln for ln in body)
    shown = sorted(re.search(r"\d{4} (-?\d{1,3}(?: \d{3})*,\d{2} €)$", ln).group(1) for ln in body)
    assert shown == sorted(_eur(a) for _, a in lines)
    for instruction in ("Editer votre propre facture", "Veiller à indiquer",
                        "Vérifier que le montant total", "Indiquer, le cas échéant"):
        assert instruction in text
    assert "MODE DE RÈGLEMENT" not in text


def test_credit_note_pdf_states_its_settlement_mode(world, factory, made):
    credit = made[1]
    with factory() as s:
        text = _flat(documents.pro_forma_pdf(s, world.cfa1, credit.id).data)
    assert f"FACTURE D'AVOIR PRO FORMA N° {credit.number}" in text
    assert f"MONTANT TOTAL : {_eur(credit.total)}" in text
    assert "MODE DE RÈGLEMENT : DÉDUCTION" in text
    assert "imputé automatiquement sur vos prochaines factures" in text


def test_refusal_letter_pdf(world, factory, made):
    invoice = made[0]
    with factory.begin() as s:
        pf = s.get_one(ProForma, invoice.id)
        data = invoice_pdf(s.get_one(Cfa, pf.cfa_id), pf, "FA-1", None, None)
        deposits.deposit(s, world.cfa1, invoice.id, data, "f.pdf")
    with factory() as s:
        with pytest.raises(TransitionRefused):
            documents.refusal_letter_pdf(s, world.cfa1, invoice.id)
    with factory.begin() as s:
        version = s.get_one(ProForma, invoice.id).version
        decisions.refuse(s, world.instructeur, invoice.id, version, "MONTANTTOTAL_ERR")
    with factory.begin() as s:
        file = documents.refusal_letter_pdf(s, world.cfa1, invoice.id)
    text = _flat(file.data)
    assert f"N° de la pro forma : {invoice.number}" in text
    assert "Motif de refus : Montant non conforme à la facture pro forma" in text
    assert "Nos services ont procédé au contrôle de votre facture." in text
    assert "La direction des opérations." in text
    with pytest.raises(AccessDenied), factory.begin() as s:
        documents.refusal_letter_pdf(s, world.cfa2, invoice.id)
