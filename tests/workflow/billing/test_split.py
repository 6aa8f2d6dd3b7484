"""Issue 18: the invoice/credit-note split is per dossier, not per échéance.

The manual ("Générer"): when positive and negative échéances are mixed, two pro formas are
made, one for the dossiers with a positive total and one credit note for the others; each
dossier lands in one of them (53 contracts included → 46 dossiers + 7 dossiers). Here contract
A0 has its year-2 advance (3 200 €) validated, then a rupture on 2025-10-15: year 2 is due
8 000 × 2/12 = 1 333,33 € (old regime, months started), so its regularisation is −1 866,67 €
beside its unpaid year 1 (8 000 €): +6 133,33 € in all, an invoice dossier. A1 holds only its
trop-perçu (−295,89 €, the world's PRO-00600001 paid its advance and month 7): a credit note.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from db.models import Echeance, ProFormaLine
from seed.demo import record_rupture
from tests.workflow.reviewkit import deposit, version
from workflow.billing import eligibility, proformas
from workflow.review import decisions


def _break_a0(world, factory, rupture: date = date(2025, 10, 15)) -> None:
    """A0's year-2 advance validated (paid), then its rupture (default 2025-10-15)."""
    a0 = world.contracts1[0]
    with factory.begin() as s:
        advance = s.scalars(select(Echeance.id).where(
            Echeance.contract_id == a0, Echeance.kind == "advance_40",
            Echeance.year == 2)).one()
        (pf,) = proformas.generate(s, world.cfa1, "pedagogie", [advance])
        pf_id = pf.id
    deposit(world, factory, pf_id)
    with factory.begin() as s:
        decisions.validate(s, world.instructeur, pf_id, version(factory, pf_id))
    with factory.begin() as s:
        record_rupture(s, a0, rupture)


def _dossiers(factory, pf_id: int) -> set[int]:
    with factory() as s:
        return set(s.scalars(select(ProFormaLine.contract_id).where(
            ProFormaLine.pro_forma_id == pf_id)))


def test_each_contract_lands_in_exactly_one_pro_forma(world, factory):
    _break_a0(world, factory)
    ids = world.eligible(world.cfa1_id)
    amounts = dict(zip(ids, world.amounts(ids), strict=True))
    with factory() as s:
        a0_lines = dict(s.execute(select(Echeance.id, Echeance.amount).where(
            Echeance.id.in_(ids), Echeance.contract_id == world.contracts1[0])).all())
    assert sorted(a0_lines.values()) == [Decimal("-1866.67"), Decimal("2400.00"),
                                         Decimal("2400.00"), Decimal("3200.00")]
    with factory() as s:
        pre = proformas.preview(s, world.cfa1, "pedagogie", ids, 4)
    # the recap's "Inclus" is the dossiers of the two pro formas added (3 + 1)
    assert (pre.included, pre.invoice_dossiers, pre.credit_dossiers) == (4, 3, 1)
    assert pre.credit_amount == Decimal("-295.89")
    assert pre.invoice_amount == sum(amounts.values()) + Decimal("295.89")
    with factory() as s:  # the page's recap, before the dialog: the same per-dossier split
        rec = eligibility.recap(s, world.cfa1, "pedagogie")
    assert (rec.included, rec.invoice_amount, rec.credit_amount) == (
        4, pre.invoice_amount, Decimal("-295.89"))  # was −2 162,56 € (A0's −1 866,67 € line)
    with factory.begin() as s:
        invoice, credit = proformas.generate(s, world.cfa1, "pedagogie", ids)
        made = [(p.id, p.kind, p.total, p.dossiers) for p in (invoice, credit)]
    (inv_id, inv_kind, inv_total, inv_dossiers), (cr_id, cr_kind, cr_total, cr_dossiers) = made
    assert (inv_kind, cr_kind) == ("invoice", "credit_note")
    # was: A0 in both, its −1 866,67 € in the credit note and its year 1 in the invoice
    assert _dossiers(factory, inv_id) == {world.contracts1[i] for i in (0, 2, 3)}
    assert _dossiers(factory, cr_id) == {world.contracts1[1]}
    assert (inv_dossiers, cr_dossiers) == (3, 1) and inv_dossiers + cr_dossiers == pre.included
    assert cr_total == Decimal("-295.89")
    assert inv_total == pre.invoice_amount and inv_total + cr_total == sum(amounts.values())


def test_a_dossier_of_negative_total_goes_whole_to_the_credit_note(world, factory):
    # a rupture on 2025-09-10: year 2 due 8 000 × 1/12 = 666,67 €, regularisation −2 533,33 €
    _break_a0(world, factory, date(2025, 9, 10))
    with factory() as s:
        picked = list(s.scalars(select(Echeance.id).where(
            Echeance.contract_id == world.contracts1[0], Echeance.pro_forma_id.is_(None),
            Echeance.kind.in_(["regularisation", "month10_30"]))))
    # A0: its −2 533,33 € and its year-1 month 10 (2 400 €): −133,33 €, one credit-note
    # dossier holding both lines (was: an invoice of 2 400 € and a credit note of −2 533,33 €)
    with factory.begin() as s:
        made = proformas.generate(s, world.cfa1, "pedagogie", picked)
        assert [(p.kind, p.total, p.dossiers, len(p.lines)) for p in made] == [
            ("credit_note", Decimal("-133.33"), 1, 2)]


def test_split_by_dossier_on_the_manual_figures():
    """53 contracts included → 46 dossiers of positive total + 7 of negative total."""
    rows = []
    for c in range(53):
        rows.append((2 * c, c, Decimal("100.00")))
        rows.append((2 * c + 1, c, Decimal("-150.00") if c < 7 else Decimal("-10.00")))
    invoice, credit = proformas.split_by_dossier(rows)
    assert len({r[1] for r in invoice}) == 46 and len({r[1] for r in credit}) == 7
    assert not {r[1] for r in invoice} & {r[1] for r in credit}
