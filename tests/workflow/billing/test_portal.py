"""The whole "Demander un paiement" chapter through the workflow functions, and isolation."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from db.models import Cfa, CheckRun, Document, Event, Notice, ProForma
from domain.errors import AccessDenied, AlreadyClaimed, InvalidInput, TransitionRefused
from domain.vocabulary import CfaAction, Status
from seed.demo_invoices import invoice_pdf
from tests.workflow.reviewkit import seen_echeances as lines
from workflow.billing import documents, eligibility, portal, proformas
from workflow.billing.portal import ProFormaSearch
from workflow.deposits import deposits
from workflow.reporting import exports
from workflow.review import decisions

SENT = "Votre facture a bien été envoyée à l'Opco EP pour instruction."


def _generate(world, factory, mode="remboursement"):
    ids = world.eligible(world.cfa1_id)
    with factory.begin() as s:
        return proformas.generate_summary(s, world.cfa1, "pedagogie", lines(s, ids), mode)


def _invoice(factory, pf_id, own="FA-2026-001", total=None):
    with factory() as s:
        pf = s.get_one(ProForma, pf_id)
        return invoice_pdf(s.get_one(Cfa, pf.cfa_id), pf, own, total, None)


def _count(factory, model):
    with factory() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_the_whole_chapter(world, factory):
    # 1.1.2: a selection with a negative échéance gives two pro formas
    invoice, credit = _generate(world, factory, "remboursement")
    assert (invoice.kind, credit.kind) == ("invoice", "credit_note")
    assert credit.total == Decimal("-295.89") and credit.settlement_mode == "remboursement"
    # both are downloadable
    with factory() as s:
        pdfs = [documents.pro_forma_pdf(s, world.cfa1, p.id) for p in (invoice, credit)]
    assert all(f.data.startswith(b"%PDF") for f in pdfs)
    # 1.2.1: the list, with the number of dossiers and the actions of the status table
    with factory() as s:
        page = portal.list_pro_formas(s, world.cfa1)
    row = next(r for r in page.rows if r.id == invoice.id)
    assert row.status_label == "En attente de facture"
    assert row.actions == (CfaAction.EXPORT, CfaAction.ATTACH, CfaAction.CANCEL)
    assert row.total_label.endswith("(3 dossiers)")  # A1 is in the credit note only
    assert next(r for r in page.rows if r.id == credit.id).status_label == "En attente d'avoir"
    # 1.2.1.3: pre-check of a wrong total, worded for the CFA, nothing stored
    wrong = invoice.total - Decimal("90.00")
    bad = _invoice(factory, invoice.id, total=wrong)
    verdicts = {v.name: v for v in portal.precheck(factory, world.cfa1, invoice.id, bad, "f.pdf")}
    assert verdicts["total"].outcome == "fail"
    assert verdicts["total"].message == (
        f"Le total de votre facture ({_eur(wrong)}) diffère de celui de la pro forma "
        f"({_eur(invoice.total)}).")
    assert _count(factory, Document) == 0
    # the CFA may still send it
    with factory.begin() as s:
        receipt = deposits.deposit(s, world.cfa1, invoice.id, bad, "Facture.pdf")
    assert receipt.message == SENT and receipt.status_label == "En cours de validation"
    # the instructeur refuses it with the seed's reason
    with factory.begin() as s:
        version = s.get_one(ProForma, invoice.id).version
        decisions.refuse(s, world.instructeur, invoice.id, version, "MONTANTTOTAL_ERR")
    # 1.2.2: filter by Refusé, read the letter (marked read), download it
    with factory() as s:
        refused = portal.list_pro_formas(s, world.cfa1, ProFormaSearch(status="refused"))
    assert [r.number for r in refused.rows] == [invoice.number]
    assert CfaAction.SEE_REFUSAL in refused.rows[0].actions
    with factory.begin() as s:
        letter = portal.refusal_letter(s, world.cfa1, invoice.id)
        assert portal.unread_letters(s, world.cfa1) == 0
    assert letter.reason_label == "Montant non conforme à la facture pro forma"
    assert "n'est pas égal au montant de la facture pro forma" in letter.body
    assert letter.read_at is not None
    with factory.begin() as s:
        pdf = documents.refusal_letter_pdf(s, world.cfa1, invoice.id)
    assert pdf.data.startswith(b"%PDF")
    # "Modifier ma facture": corrected file, back under review, earlier version kept
    good = _invoice(factory, invoice.id, own="FA-2026-002")
    outcomes = {v.name: v.outcome for v in portal.precheck(factory, world.cfa1, invoice.id, good,
                                                           "Facture_corrigee.pdf")}
    assert outcomes["total"] == "pass" and outcomes["duplicate"] != "fail"
    with factory.begin() as s:
        receipt = deposits.deposit(s, world.cfa1, invoice.id, good, "Facture_corrigee.pdf")
    assert receipt.version == 2 and receipt.status_label == "En cours de validation"
    with factory() as s:
        versions = portal.document_versions(s, world.cfa1, invoice.id)
        assert [(d.version, d.filename) for d in versions] == [
            (2, "Facture_corrigee.pdf"), (1, "Facture.pdf")]
        assert portal.document_file(s, world.cfa1, versions[1].id).data == bad
    assert _count(factory, CheckRun) == 2
    # cancel the credit note: its contract is eligible again
    with factory.begin() as s:
        cancelled = proformas.cancel(s, world.cfa1, credit.id)
    assert cancelled.status_label == "Annulé" and cancelled.actions == ()
    with factory() as s:
        again = eligibility.list_eligible(s, world.cfa1, "pedagogie")
    assert [r.amount for r in again.rows] == [Decimal("-295.89")]
    with factory() as s:
        actions = s.scalars(select(Event.action).where(Event.pro_forma_id.is_not(None))
                            .order_by(Event.id)).all()
    assert actions == ["generated", "generated", "deposited", "refused", "notice_read",
                       "replaced", "cancelled"]


def _eur(amount):
    from domain.formatting import format_eur
    return format_eur(amount)


def test_generation_twice_is_refused_clearly(world, factory):
    ids = world.eligible(world.cfa1_id)
    with factory.begin() as s:
        proformas.generate_summary(s, world.cfa1, "pedagogie", lines(s, ids))
    with pytest.raises(AlreadyClaimed, match="déjà été facturées"), factory.begin() as s:
        proformas.generate_summary(s, world.cfa1, "pedagogie", lines(s, ids))


def test_search_by_number_own_number_and_type(world, factory):
    invoice, credit = _generate(world, factory)
    with factory.begin() as s:
        deposits.deposit(s, world.cfa1, invoice.id, _invoice(factory, invoice.id, "FA-77"),
                       "f.pdf")
    with factory() as s:
        def numbers(**kw):
            return [r.number for r in portal.list_pro_formas(s, world.cfa1,
                                                             ProFormaSearch(**kw)).rows]
        assert numbers(number=credit.number[-3:]) == [credit.number]
        assert numbers(own_number="fa-77") == [invoice.number]
        assert numbers(nature="equipement") == []
        assert numbers(status="awaiting_invoice") == [credit.number]
    with pytest.raises(InvalidInput):
        ProFormaSearch(status="perdu")


@pytest.mark.parametrize("name, data, message", [
    ("x" * 47 + ".pdf", None, "Nom de fichier trop long"),  # 51 characters
    ("facture.exe", b"MZ\x90\x00", "Type de fichier refusé"),
    ("facture.pdf", b"%PDF-1.4\n" + b"0" * (5 * 1024 * 1024), "trop volumineux"),
    ("facture.png", None, "ne correspond pas"),  # a PDF named .png
])
def test_bad_files_are_refused_and_nothing_is_stored(world, factory, name, data, message):
    invoice, _ = _generate(world, factory)
    data = data or _invoice(factory, invoice.id)
    with pytest.raises(InvalidInput, match=message):
        portal.precheck(factory, world.cfa1, invoice.id, data, name)
    with pytest.raises(InvalidInput, match=message), factory.begin() as s:
        deposits.deposit(s, world.cfa1, invoice.id, data, name)
    assert _count(factory, Document) == 0
    with factory() as s:
        assert s.get_one(ProForma, invoice.id).status == Status.AWAITING


def test_actions_outside_the_status_table_are_refused(world, factory):
    invoice, credit = _generate(world, factory)
    with factory() as s:
        with pytest.raises(TransitionRefused):
            portal.refusal_letter(s, world.cfa1, invoice.id)  # not refused
    with factory.begin() as s:
        proformas.cancel(s, world.cfa1, invoice.id)
    with factory() as s:
        with pytest.raises(TransitionRefused):
            exports.export_lines(s, world.cfa1, invoice.id)  # Annulé: nothing
    with pytest.raises(TransitionRefused):
        portal.precheck(factory, world.cfa1, invoice.id, b"", "f.pdf")
    with pytest.raises(TransitionRefused), factory.begin() as s:
        proformas.cancel(s, world.cfa1, invoice.id)


def test_another_cfa_reaches_nothing_whatever_id(world, factory):
    invoice, credit = _generate(world, factory)
    data = _invoice(factory, invoice.id)
    with factory.begin() as s:
        deposits.deposit(s, world.cfa1, invoice.id, data, "f.pdf")
        version = s.get_one(ProForma, invoice.id).version
        decisions.refuse(s, world.instructeur, invoice.id, version, "MONTANTTOTAL_ERR")
    with factory() as s:
        doc_id = s.scalar(select(Document.id))
        notice_count = s.scalar(select(func.count(Notice.id)))
    intruder = world.cfa2
    with factory() as s:
        assert portal.list_pro_formas(s, intruder).rows == []
    calls = [
        lambda s: portal.get_pro_forma(s, intruder, invoice.id),
        lambda s: portal.document_versions(s, intruder, invoice.id),
        lambda s: portal.document_file(s, intruder, doc_id),
        lambda s: portal.document_file(s, intruder, "abc"),
        lambda s: portal.refusal_letter(s, intruder, invoice.id),
        lambda s: portal.precheck(factory, intruder, invoice.id, data, "f.pdf"),
        lambda s: deposits.deposit(s, intruder, credit.id, data, "f.pdf"),
        lambda s: proformas.cancel(s, intruder, credit.id),
        lambda s: documents.pro_forma_pdf(s, intruder, invoice.id),
        lambda s: documents.refusal_letter_pdf(s, intruder, invoice.id),
        lambda s: exports.export_csv(s, intruder, invoice.id),
        lambda s: exports.export_excel(s, intruder, credit.id),
        lambda s: portal.get_pro_forma(s, intruder, 10**9),
    ]
    for call in calls:
        with pytest.raises(AccessDenied), factory.begin() as s:
            call(s)
    with factory() as s:
        assert s.get_one(ProForma, credit.id).status == Status.AWAITING
        assert s.scalar(select(func.count(Document.id))) == 1
        assert s.scalar(select(func.count(Notice.id))) == notice_count
        assert s.scalar(select(Notice.read_at)) is None
