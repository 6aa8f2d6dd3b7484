"""Setting up review scenarios through the real workflow: generate, deposit a real PDF.

The deposited invoices are drawn by ``specimens`` (reportlab) with the CFA's SIRET and
IBAN on file, the pro forma number and its total; a total or an IBAN can be overridden to make
the ``total`` or ``iban`` check fail.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from db.models import Cfa, Echeance, ProForma, Setting
from domain.clock import freeze
from specimens import InvoiceSpec, make_invoice
from tests.factories import TODAY, World
from workflow.billing import proformas
from workflow.common.access import Actor
from workflow.common.confirm import Seen
from workflow.deposits import deposits
from workflow.payments import credit_notes, payments

OTHER_IBAN = "FR7630001007941234567890185"


Line = tuple[str, str, Decimal]  # contract number, apprentice, amount: one invoice row


def invoice_lines(s: Session, pf: ProForma, *, per_echeance: bool = False) -> list[Line]:
    """The rows a conforming invoice bills for ``pf``: one per dossier (its échéances summed),
    or one per échéance as the pro forma PDF prints them; credit notes in absolute value."""
    rows: list[Line] = []
    for line in deposits.expected_lines(s, pf.id):
        for amount in (line.parts or (line.amount,)) if per_echeance else (line.amount,):
            rows.append((line.contract, line.apprentice or "", abs(amount)))
    return rows


def invoice_bytes(s: Session, pf: ProForma, *, total: Decimal | None = None,
                  iban: str | None = None, own: str | None = None,
                  lines: list[Line] | None = None, per_echeance: bool = False) -> bytes:
    """A real PDF answering ``pf``, one row per dossier (contract number, apprentice, amount)
    — conforming unless total, iban or the rows are overridden; ``total`` None prints the
    sum of the rows."""
    cfa = s.get_one(Cfa, pf.cfa_id)
    credit = pf.kind == "credit_note"
    rows = invoice_lines(s, pf, per_echeance=per_echeance) if lines is None else lines
    return make_invoice(InvoiceSpec(
        layout="credit_note" if credit else "simple", credit_note=credit, cfa_name=cfa.name,
        siret=cfa.siret, iban=iban or cfa.iban, bic=cfa.bic,
        invoice_number=own or f"FA-{pf.number[-5:]}", pro_forma_text=pf.number,
        lines=tuple((f"Contrat {c} – {who}", amount) for c, who, amount in rows)
        or (("Pédagogie", abs(pf.total)),), total=total,
    ))


def facturx_bytes(s: Session, pf: ProForma, own: str) -> bytes:
    """A real Factur-X PDF answering ``pf`` whose invoice number ``own`` is in its XML only
    (the visible page carries none), as a CFA's software may produce it."""
    from dataclasses import replace

    from facturx import generate_from_binary

    from specimens.media import cii_xml

    cfa = s.get_one(Cfa, pf.cfa_id)
    spec = InvoiceSpec(layout="simple", cfa_name=cfa.name, siret=cfa.siret, iban=cfa.iban,
                       bic=cfa.bic, invoice_number=own, pro_forma_text=pf.number,
                       lines=(("Pédagogie", pf.total),))
    return generate_from_binary(make_invoice(replace(spec, invoice_number=None)), cii_xml(spec),
                                flavor="factur-x", level="basicwl", check_xsd=True)


# An invoice and a credit note in one generation (issue 18: split per dossier): A0's year-1
# advance and month 7 (5 600 €, a dossier of positive total) and A1's trop-perçu (−295,89 €:
# its advance and month 7 were paid by the world's PRO-00600001).
MIXED = "mixed"


def mixed_ids(world: World, factory: sessionmaker[Session]) -> list[int]:
    """The échéance ids of ``MIXED``."""
    with factory() as s:
        a0 = list(s.scalars(select(Echeance.id).where(
            Echeance.contract_id == world.contracts1[0], Echeance.year == 1,
            Echeance.kind.in_(["advance_40", "month7_30"]))))
        a1 = list(s.scalars(select(Echeance.id).where(
            Echeance.contract_id == world.contracts1[1], Echeance.kind == "regularisation")))
    return sorted(a0 + a1)


def generate(world: World, factory: sessionmaker[Session], contracts: list[int] | str,
             actor: Actor | None = None, mode: str | None = None,
             nature: str = "pedagogie") -> list[int]:
    """Generate the pro forma(s) of the eligible échéances of ``contracts`` (or ``MIXED``);
    their ids."""
    actor = actor or world.cfa1
    assert actor.cfa_id is not None
    if contracts == MIXED:
        picked = mixed_ids(world, factory)
        with factory.begin() as s:
            return [p.id for p in proformas.generate(s, actor, nature, picked, mode)]
    eligible = world.eligible(actor.cfa_id, nature)
    with factory.begin() as s:
        ids = list(s.scalars(select(Echeance.id).where(
            Echeance.id.in_(eligible), Echeance.contract_id.in_(contracts))))
        return [p.id for p in proformas.generate(s, actor, nature, ids, mode)]


def deposit(world: World, factory: sessionmaker[Session], pf_id: int, *,
            days_ago: int = 0, total: Decimal | None = None, iban: str | None = None,
            own: str | None = None, actor: Actor | None = None) -> None:
    """Deposit a real invoice for ``pf_id``, ``days_ago`` days before TODAY."""
    freeze(TODAY - timedelta(days=days_ago))
    try:
        with factory.begin() as s:
            pf = s.get_one(ProForma, pf_id)
            data = invoice_bytes(s, pf, total=total, iban=iban, own=own)
            deposits.deposit(s, actor or world.cfa1, pf_id, data, f"facture-{pf.number}.pdf")
    finally:
        freeze(TODAY)


def queue_of(world: World, factory: sessionmaker[Session], n: int) -> list[int]:
    """``n`` (≤ 3) one-contract invoices of cfa1 (A0, A2, A3: A1 holds only its trop-perçu)
    deposited n-1 … 0 days ago, oldest first."""
    ids = []
    invoicing = [c for i, c in enumerate(world.contracts1) if i != 1]
    for k, contract in enumerate(invoicing[:n]):
        pf_id = generate(world, factory, [contract])[0]
        deposit(world, factory, pf_id, days_ago=10 * (n - k))
        ids.append(pf_id)
    return ids


def version(factory: sessionmaker[Session], pf_id: int) -> int:
    """The current version of a pro forma."""
    with factory() as s:
        return s.get_one(ProForma, pf_id).version


def set_setting(factory: sessionmaker[Session], key: str, value: str) -> None:
    """Change a manager setting."""
    with factory.begin() as s:
        row = s.get(Setting, key)
        if row is None:
            s.add(Setting(key=key, value=value))
        else:
            row.value = value


def seen(s: Session, *pf_ids: int) -> Seen:
    """What a confirmation of these pro formas shows now: ids, versions and their total."""
    rows = [s.get_one(ProForma, i) for i in pf_ids]
    return Seen.of(((p.id, p.version) for p in rows), sum((p.total for p in rows), Decimal(0)))


def seen_run(s: Session, actor: Actor, pf_ids: list[int]) -> Seen:
    """What the payment run's confirmation shows now for these invoices (net included)."""
    plan = payments.plan_payment_run(s, actor, pf_ids)
    found = set(plan.pro_forma_ids)
    # invoices the plan left out (not ready) are confirmed as seen, so the run refuses them
    rest = [p for p in pf_ids if p not in found]
    return Seen.of([*plan.seen.items, *((i, s.get_one(ProForma, i).version) for i in rest)],
                   plan.net)


def seen_note(s: Session, credit_note_id: int) -> Seen:
    """A reimbursement's confirmation: the credit note's version and what is still due."""
    note = s.get_one(ProForma, credit_note_id)
    return Seen.one(note.id, note.version, -note.total - credit_notes.settled(s, note.id))


def seen_echeances(s: Session, ids: list[int]) -> Seen:
    """A generation's confirmation: the échéances and their total, as the recap shows."""
    rows = s.execute(select(Echeance.id, Echeance.amount).where(Echeance.id.in_(ids))).all()
    return Seen.of(((i, None) for i in ids), sum((r[1] for r in rows), Decimal(0)))
