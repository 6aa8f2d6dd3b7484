"""The CFA's own invoice PDF for demo deposits, drawn on the CFA's "letterhead".

It follows the pro forma as the manual asks: own invoice number, pro forma number recalled,
the same total, SIRET and IBAN. A total or an IBAN can be overridden to stage a refusal.
"""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from db.models import Cfa, ProForma
from workflow.formatting import format_eur
from workflow.schedule import NATURE_LABELS, Nature


def invoice_pdf(cfa: Cfa, pf: ProForma, own_number: str, total: Decimal | None = None,
                iban: str | None = None) -> bytes:
    """A one-page invoice (or credit note) answering ``pf``."""
    buf = BytesIO()
    c = Canvas(buf, pagesize=A4, invariant=1)
    width, height = A4
    credit = pf.kind == "credit_note"
    c.setFont("Helvetica-Bold", 14)
    c.drawString(50, height - 60, cfa.name)
    c.setFont("Helvetica", 9)
    c.drawString(50, height - 76, cfa.address)
    c.drawString(50, height - 88, f"SIRET : {cfa.siret}   UAI : {cfa.uai}   NDA : {cfa.nda}")
    c.drawString(350, height - 130, "Opco EP - Service apprentissage")
    c.setFont("Helvetica-Bold", 12)
    title = "FACTURE D'AVOIR" if credit else "FACTURE"
    c.drawString(50, height - 170, f"{title} N° {own_number}")
    c.setFont("Helvetica", 10)
    c.drawString(50, height - 188, f"Référence pro forma : {pf.number}")
    c.drawString(50, height - 202, f"Date : {pf.created_at:%d/%m/%Y}")
    c.drawString(50, height - 216, f"Nature : {NATURE_LABELS[Nature(pf.nature)]}")
    y = height - 250
    c.drawString(50, y, "Désignation")
    c.drawRightString(540, y, "Montant")
    for line in pf.lines[:25]:
        y -= 16
        c.drawString(50, y, f"Contrat {line.contract_id} - échéance {line.echeance_id}")
        c.drawRightString(540, y, format_eur(line.amount))
    if len(pf.lines) > 25:
        y -= 16
        c.drawString(50, y, f"… et {len(pf.lines) - 25} autres échéances (détail en annexe)")
    y -= 30
    c.setFont("Helvetica-Bold", 11)
    c.drawString(300, y, "Total net à payer" if not credit else "Total de l'avoir")
    c.drawRightString(540, y, format_eur(pf.total if total is None else total))
    c.setFont("Helvetica", 8)
    c.drawString(50, y - 30, "TVA non applicable, article 261-4-4° du CGI.")
    c.drawString(50, 60, f"IBAN : {iban or cfa.iban}   BIC : {cfa.bic}")
    c.showPage()
    c.save()
    return buf.getvalue()
