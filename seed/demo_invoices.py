"""The CFA's own invoice PDF for demo deposits, drawn by ``specimens``.

Each CFA "uses its own accounting program": the layout is picked from the CFA's SIRET. The
invoice follows the pro forma as the manual asks (own number, pro forma number recalled, same
total, SIRET and IBAN, one row per échéance with its contract number, as the pro forma
prints them); a total or an IBAN can be overridden to stage a refusal.
"""

from __future__ import annotations

import zlib
from decimal import Decimal

from db.models import Cfa, ProForma
from domain.formatting import format_moment_day
from domain.vocabulary import Kind, Nature
from specimens import InvoiceSpec, make_invoice

INVOICE_LAYOUTS = ("simple", "table", "two_column", "vat_block", "stacked")
NATURE_WORDS = {Nature.PEDAGOGIE: "Pédagogie", Nature.FRAIS_ANNEXES: "Frais annexes",
                Nature.EQUIPEMENT: "1ers équipements", Nature.MOBILITE: "Mobilité"}


def invoice_pdf(cfa: Cfa, pf: ProForma, own_number: str, total: Decimal | None = None,
                iban: str | None = None) -> bytes:
    """A PDF invoice (or credit note) answering ``pf`` on the CFA's letterhead."""
    credit = pf.kind == Kind.CREDIT_NOTE
    word = NATURE_WORDS.get(pf.nature, pf.nature)
    lines = tuple(
        (f"{word} – contrat {line.echeance.contract.number}, échéance du "
         f"{line.echeance.due_on:%d/%m/%Y}", abs(line.amount))
        for line in pf.lines
    ) or ((f"{word} – {pf.dossiers or 1} dossier(s)", abs(pf.total)),)
    printed = abs(total) if total is not None else None
    layout = "credit_note" if credit else INVOICE_LAYOUTS[zlib.crc32(cfa.siret.encode()) % 5]
    spec = InvoiceSpec(
        layout=layout, cfa_name=cfa.name, address=cfa.address, siret=cfa.siret,
        iban=iban or cfa.iban, bic=cfa.bic, invoice_number=own_number,
        pro_forma_text=pf.number, lines=lines, total=printed, credit_note=credit,
        date=format_moment_day(pf.created_at),
    )
    return make_invoice(spec)
