"""Issue 14: the CFA's news (refusals, payments), the manual's deposit message for a credit
note, and a duplicate across CFAs that names nothing of the other CFA."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from db.models import Document, ProForma
from tests.workflow.reviewkit import MIXED, deposit, generate, invoice_bytes, seen, version
from workflow.billing import portal
from workflow.deposits import deposits
from workflow.payments import payments
from workflow.reporting import cfa_news
from workflow.review import decisions


def test_a_duplicate_across_cfas_names_nothing_of_the_other_cfa(world, factory):
    (theirs,) = generate(world, factory, [world.contracts1[0]])
    deposit(world, factory, theirs)
    (mine,) = generate(world, factory, [world.contracts2[0]], actor=world.cfa2)
    with factory() as s:
        their_number = s.get_one(ProForma, theirs).number
        data = s.scalars(select(Document.content).where(Document.pro_forma_id == theirs)).one()
    pre = deposits.precheck(factory, world.cfa2, mine, data, "facture.pdf")
    dup = next(r for r in pre.results if r.name == "duplicate")
    assert dup.outcome == "fail"
    assert dup.message == "Ce fichier a déjà été déposé sur le portail."
    assert their_number not in dup.message
    # the CFA's own earlier deposit is still named to it
    again = generate(world, factory, [world.contracts1[2]])[0]
    pre = deposits.precheck(factory, world.cfa1, again, data, "facture.pdf")
    dup = next(r for r in pre.results if r.name == "duplicate")
    assert dup.message == f"Ce fichier a déjà été déposé pour la pro forma {their_number}."


def test_a_credit_note_deposit_says_the_manuals_words(world, factory):
    ids = generate(world, factory, [world.contracts1[1]])
    with factory() as s:
        credit = next(i for i in ids if s.get_one(ProForma, i).kind == "credit_note")
        pf = s.get_one(ProForma, credit)
        data = invoice_bytes(s, pf)
    with factory.begin() as s:
        receipt = deposits.deposit(s, world.cfa1, credit, data, "avoir.pdf")
    assert receipt.message == "Votre facture d'avoir a bien été ajoutée."


def test_refusals_and_payments_for_the_accueil(world, factory):
    made = generate(world, factory, MIXED)  # an invoice and a credit note
    with factory() as s:
        kinds = {s.get_one(ProForma, i).kind: i for i in made}
    refused_id = generate(world, factory, [world.contracts1[2]])[0]
    paid_id, credit = kinds["invoice"], kinds["credit_note"]
    for pf_id in (refused_id, credit, paid_id):
        deposit(world, factory, pf_id)
    with factory.begin() as s:
        decisions.refuse(s, world.instructeur, refused_id, version(factory, refused_id),
                         "MONTANTTOTAL_ERR")
    for pf_id in (credit, paid_id):
        with factory.begin() as s:
            decisions.validate(s, world.instructeur, pf_id, version(factory, pf_id))
    with factory.begin() as s:
        payments.pay(s, world.instructeur, seen(s, paid_id), reference="VIR-2026-01")
    with factory() as s:
        (r,) = cfa_news.refused(s, world.cfa1)
        assert (r.pro_forma_id, r.read) == (refused_id, False)
        assert portal.unread_letters(s, world.cfa1) == 1
        paid = cfa_news.paid(s, world.cfa1)  # this one, then the test world's of March
        p = paid[0]
    assert [x.number for x in paid[1:]] == ["PRO-00600001"]
    assert p.pro_forma_id == paid_id and p.reference == "VIR-2026-01"
    assert p.deducted == Decimal("295.89") and p.net == p.gross - p.deducted
    assert len(p.credit_notes) == 1
    with factory.begin() as s:
        portal.refusal_letter(s, world.cfa1, refused_id)
    with factory() as s:
        assert [x.read for x in cfa_news.refused(s, world.cfa1)] == [True]
        assert portal.unread_letters(s, world.cfa1) == 0
        assert cfa_news.refused(s, world.cfa2) == [] and cfa_news.paid(s, world.cfa2) == []


def test_the_instructeur_finds_a_pro_forma_by_its_number_or_the_cfas(world, factory):
    from workflow.review import find

    pf_id = generate(world, factory, [world.contracts1[0]])[0]
    deposit(world, factory, pf_id, own="FA-2026-0042")
    with factory() as s:
        number = s.get_one(ProForma, pf_id).number
        by_number = find.find_pro_formas(s, world.instructeur, number.lower())
        by_own = find.find_pro_formas(s, world.instructeur, "fa-2026-0042")
        assert find.find_pro_formas(s, world.instructeur, "%") == []  # a literal percent
    assert [f.pro_forma_id for f in by_number][:1] == [pf_id]
    assert [(f.pro_forma_id, f.own_invoice_number) for f in by_own] == [(pf_id, "FA-2026-0042")]


def test_mes_factures_sorts_by_each_order(world, factory):
    generate(world, factory, [world.contracts1[0]])
    generate(world, factory, [world.contracts1[1]])
    with factory() as s:
        for key in portal.PRO_FORMA_SORTS:
            rows = portal.list_pro_formas(s, world.cfa1, sort=key).rows
            assert len(rows) == 3, key
        up = [r.total for r in portal.list_pro_formas(s, world.cfa1, sort="total_asc").rows]
        down = [r.total for r in portal.list_pro_formas(s, world.cfa1, sort="total_desc").rows]
    assert up == sorted(up) and down == sorted(down, reverse=True)
