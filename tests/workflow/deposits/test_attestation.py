"""Issue 18: the attestation de réalisation des actions de formation asked, at deposit, for a
pro forma holding a final balance (R6332-25 as amended by décret 2025-585: the last year's
10 % balance is paid on the CFA's invoice and that attestation, sent within 4 months of the
contract's end). Worked example: a contract imported into CFA UN, new regime, 2025-09-01 →
2026-08-31, NPEC 8 000 €: its final balance is 800 €, due 2026-08-31, eligible until
2026-12-31."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO

import pytest
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import delete, select

from bench.contract_import import to_csv
from db.models import (
    Attestation,
    Cfa,
    CheckResultRow,
    CheckRun,
    Contract,
    Document,
    Echeance,
    Event,
    ProForma,
)
from domain.errors import AccessDenied, InvalidInput
from tests.workflow.reviewkit import deposit, version
from workflow.billing import portal, proformas
from workflow.contracts import importing as contract_import
from workflow.deposits import attestations
from workflow.review import decisions


def _pdf(text: str) -> bytes:
    buf = BytesIO()
    c = Canvas(buf, invariant=1)
    c.drawString(60, 780, text)
    c.showPage()
    c.save()
    return buf.getvalue()


def _final_balance_pro_forma(world, factory) -> int:
    with factory() as s:
        uai = s.scalars(select(Cfa.uai).where(Cfa.id == world.cfa1_id)).one()
    row = {"kind": "contrat", "number": "FIN0001", "employer_siret": "73282932000074",
           "employer_name": "EMPLOYEUR FINAL", "cfa_uai": uai, "last_name": "MARTIN",
           "first_name": "Jade", "title": "BTS MCO", "level": "5", "start": "01/09/2025",
           "end": "31/08/2026", "signed_on": "20/08/2025", "npec": "8000,00"}
    with factory.begin() as s:
        assert contract_import.run(s, world.manager, to_csv([row]), "fin.csv",
                                   dry_run=False).ok
    with factory.begin() as s:
        (balance,) = s.scalars(select(Echeance.id).join(Contract).where(
            Contract.number == "FIN0001", Echeance.kind == "balance_10"))
        assert s.get_one(Echeance, balance).amount == Decimal("800.00")
        (pf,) = proformas.generate(s, world.cfa1, "pedagogie", [balance])
        return pf.id


def _checks(factory, pf_id: int) -> dict[str, str]:
    with factory() as s:
        run_id = s.scalars(select(CheckRun.id).order_by(CheckRun.id.desc()).limit(1)).one()
        return dict(s.execute(select(CheckResultRow.name, CheckResultRow.outcome)
                              .where(CheckResultRow.run_id == run_id)).all())


def test_a_final_balance_asks_for_the_attestation_and_checks_it(world, factory):
    pf_id = _final_balance_pro_forma(world, factory)
    with factory() as s:
        assert attestations.needed(s, world.cfa1, pf_id)
    verdicts = portal.precheck(factory, world.cfa1, pf_id, _pdf("facture"), "facture.pdf")
    missing = next(v for v in verdicts if v.name == "attestation")
    assert missing.outcome == "fail" and "Attestation de réalisation" in missing.message
    with factory.begin() as s:
        row = attestations.deposit(s, world.cfa1, pf_id, _pdf("Attestation de réalisation"),
                                   "attestation.pdf")
        assert (row.version, row.media_type) == (1, "application/pdf")
    deposit(world, factory, pf_id)
    assert _checks(factory, pf_id)["attestation"] == "pass"
    with factory() as s:
        seen = attestations.for_review(s, world.instructeur, pf_id)
        assert seen is not None and seen.filename == "attestation.pdf"
        assert seen.content.startswith(b"%PDF")
        assert s.scalars(select(Event.action).where(
            Event.pro_forma_id == pf_id, Event.action == "attestation_deposited")).one()
        with pytest.raises(AccessDenied):
            attestations.for_review(s, world.cfa2, pf_id)


def test_an_invoice_without_it_is_refused_at_deposit_and_changes_nothing(world, factory):
    """The reading that protects the money (docs/domain-notes.md): the final balance is not
    due without the attestation, so its invoice is not accepted before the attestation."""
    pf_id = _final_balance_pro_forma(world, factory)
    with factory() as s:
        before = (s.get_one(ProForma, pf_id).status, s.get_one(ProForma, pf_id).version)
    with pytest.raises(InvalidInput, match="Joignez d'abord l'attestation de réalisation"):
        deposit(world, factory, pf_id)
    with factory() as s:
        pf = s.get_one(ProForma, pf_id)
        assert (pf.status, pf.version) == before
        assert s.scalars(select(Document).where(Document.pro_forma_id == pf_id)).all() == []
    with factory.begin() as s:
        attestations.deposit(s, world.cfa1, pf_id, _pdf("Attestation"), "attestation.pdf")
    deposit(world, factory, pf_id)
    assert _checks(factory, pf_id)["attestation"] == "pass"


def test_an_instructeur_cannot_validate_it_without_the_attestation(world, factory):
    """An invoice that reached review without its attestation (deposited before the rule):
    no justification lets it through; refusing stays possible."""
    pf_id = _final_balance_pro_forma(world, factory)
    with factory.begin() as s:
        attestations.deposit(s, world.cfa1, pf_id, _pdf("Attestation"), "attestation.pdf")
    deposit(world, factory, pf_id)
    with factory.begin() as s:  # the state an invoice deposited before the rule is in
        s.execute(delete(Attestation).where(Attestation.pro_forma_id == pf_id))
    current = version(factory, pf_id)
    with pytest.raises(InvalidInput, match="attestation de réalisation .* est absente"), \
            factory.begin() as s:
        decisions.validate(s, world.instructeur, pf_id, current,
                           justification="Vu avec le CFA par téléphone")
    with factory() as s:
        assert s.get_one(ProForma, pf_id).status == "under_review"
    with factory.begin() as s:
        attestations.deposit(s, world.cfa1, pf_id, _pdf("Attestation"), "attestation.pdf")
    with factory.begin() as s:
        decisions.validate(s, world.instructeur, pf_id, current)
    with factory() as s:
        assert s.get_one(ProForma, pf_id).status == "validated"


def test_same_file_rules_and_only_for_a_final_balance(world, factory):
    pf_id = _final_balance_pro_forma(world, factory)
    for data, name, words in ((b"MZ\x90\x00", "attestation.exe", "Type de fichier"),
                              (_pdf("x"), "a" * 60 + ".pdf", "trop long")):
        with pytest.raises(InvalidInput, match=words), factory.begin() as s:
            attestations.deposit(s, world.cfa1, pf_id, data, name)
    with factory.begin() as s:
        other = proformas.generate(s, world.cfa1, "pedagogie", world.eligible(
            world.cfa1_id)[:1])[0].id
    with pytest.raises(InvalidInput, match="aucun solde final"), factory.begin() as s:
        attestations.deposit(s, world.cfa1, other, _pdf("x"), "attestation.pdf")
    deposit(world, factory, other)
    assert "attestation" not in _checks(factory, other)
    with factory() as s:
        assert s.scalars(select(Attestation)).all() == []
