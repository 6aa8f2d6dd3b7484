"""The review of the ``lines`` check (issue 15, item 3): the review screen's data puts each
dossier of the pro forma beside the invoice's line, differing first, with its evidence; the
refusal letter can name the dossiers in error. Real invoices, SQLite and PostgreSQL."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from db.models import Notice, ProForma
from domain.errors import AccessDenied
from domain.formatting import format_eur
from tests.workflow.reviewkit import generate, invoice_bytes, invoice_lines, version
from workflow.deposits import deposits
from workflow.review import decisions, review_screen

INTRUDER = "202499999999"


def _wrong_invoice(world, factory) -> tuple[int, list[tuple[str, str, Decimal]]]:
    """A three-dossier pro forma whose invoice bills the first dossier 80 € more, leaves the
    second out and bills a dossier of no pro forma; its total is the pro forma's."""
    (pf_id,) = generate(world, factory, [c for i, c in enumerate(world.contracts1) if i != 1])
    with factory.begin() as s:
        pf = s.get_one(ProForma, pf_id)
        rows = invoice_lines(s, pf)
        changed, _missing, kept = rows
        billed = [kept, (changed[0], changed[1], changed[2] + Decimal("80.00")),
                  (INTRUDER, "INTRUS Jean", Decimal("500.00"))]
        deposits.deposit(s, world.cfa1, pf_id, invoice_bytes(s, pf, lines=billed,
                                                             total=pf.total), "facture.pdf")
    return pf_id, rows


def test_review_data_shows_each_dossier_beside_the_invoice_differing_first(world, factory):
    pf_id, (changed, missing, kept) = _wrong_invoice(world, factory)
    with factory() as s:
        data = review_screen.review_data(s, world.instructeur, pf_id)
    views = data.line_checks
    assert [(v.contract, v.status) for v in views] == [
        (changed[0], "amount_differs"), (missing[0], "missing"), (INTRUDER, "extra"),
        (kept[0], "matched")]
    assert [v.status_label for v in views] == [
        "Montant différent", "Absent de la facture", "Absent de la pro forma", "Conforme"]
    first = views[0]
    assert (first.apprentice, first.expected, first.found) == (
        changed[1], changed[2], changed[2] + Decimal("80.00"))
    assert views[1].found is None and views[1].highlights() == {}
    assert views[2].apprentice == "" and views[2].expected is None
    for view in (views[0], views[2], views[3]):
        (page, boxes), = view.highlights().items()
        assert page == 1 and len(boxes[0]) == 4
    assert [v.differs for v in views] == [True, True, True, False]
    verdict = next(v for v in data.current_run.verdicts if v.name == "lines")
    assert verdict.outcome == "fail" and verdict.label == "Lignes de la pro forma"


def in_error(s, actor, pf_id) -> list[str]:
    """The sentences the review page pre-fills the refusal comment with."""
    return review_screen.dossier_sentences(review_screen.review_data(s, actor, pf_id).line_checks)


def test_refusal_letter_names_the_dossiers_in_error(world, factory):
    pf_id, (changed, missing, _kept) = _wrong_invoice(world, factory)
    said = [f"dossier {changed[0]} : {format_eur(changed[2] + Decimal('80.00'))} facturés, "
            f"{format_eur(changed[2])} attendus",
            f"dossier {missing[0]} absent de la facture ({format_eur(missing[2])} attendus)",
            f"dossier {INTRUDER} facturé ({format_eur(Decimal('500.00'))}) mais absent de la "
            "pro forma"]
    with factory() as s:
        assert in_error(s, world.instructeur, pf_id) == said
        with pytest.raises(AccessDenied):
            in_error(s, world.cfa1, pf_id)
    draft = decisions.refusal_draft(said)
    assert draft == ("Dossiers en erreur :\n"
                     f"- {said[0]} ;\n- {said[1]} ;\n- {said[2]}.")
    with factory() as s:
        preview = decisions.letter_preview(s, world.instructeur, "MONTANTTOTAL_ERR", draft)
    assert f"Précision de nos services : Dossiers en erreur :\n- {said[0]} ;" in preview
    with factory.begin() as s:
        decisions.refuse(s, world.instructeur, pf_id, version(factory, pf_id),
                         "MONTANTTOTAL_ERR", draft)
    with factory() as s:
        body = s.scalars(select(Notice.body).where(Notice.pro_forma_id == pf_id)).one()
    assert all(sentence in body for sentence in said)


def test_no_dossier_named_when_the_lines_match(world, factory):
    (pf_id,) = generate(world, factory, [world.contracts1[0]])
    with factory.begin() as s:
        pf = s.get_one(ProForma, pf_id)
        deposits.deposit(s, world.cfa1, pf_id, invoice_bytes(s, pf), "facture.pdf")
    with factory() as s:
        assert in_error(s, world.instructeur, pf_id) == []
        data = review_screen.review_data(s, world.instructeur, pf_id)
    assert [v.status for v in data.line_checks] == ["matched"]
    assert decisions.refusal_draft([]) == ""


def test_lines_not_checked_are_said_so(world, factory):
    """Before the checks land, each dossier of the pro forma is listed "Non contrôlée"."""
    (pf_id,) = generate(world, factory, [world.contracts1[0]])
    with factory() as s:
        data = review_screen.review_data(s, world.instructeur, pf_id)
        (line,) = deposits.expected_lines(s, pf_id)
    (view,) = data.line_checks
    assert (view.contract, view.status, view.status_label, view.expected) == (
        line.contract, None, "Non contrôlée", line.amount)


def test_refusal_draft_names_fifty_dossiers_then_counts_the_others():
    said = [f"dossier 2024{n:08d} absent de la facture" for n in range(1, 61)]
    draft = decisions.refusal_draft(said)
    lines = draft.splitlines()
    assert lines[0] == "Dossiers en erreur :" and len(lines) == 1 + decisions.DRAFT_MAX + 1
    assert lines[1] == f"- {said[0]} ;" and lines[50] == f"- {said[49]} ;"
    assert lines[-1] == "- et 10 autre(s) dossier(s) en erreur."
    assert decisions.refusal_draft(said[:1]) == f"Dossiers en erreur :\n- {said[0]}."
