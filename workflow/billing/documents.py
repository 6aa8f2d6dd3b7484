"""PDF documents the portal hands out: the pro forma (seed §1.1) and the refusal letter (§1.2.2).

The pro forma is the model the CFA copies onto its own letterhead: number, date, the CFA's and
the OPCO's identities, the nature of cost, one line per contract and échéance, the totals, the
settlement mode of a credit note, and the manual's four conformity instructions.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, LongTable, Paragraph, SimpleDocTemplate, Spacer, TableStyle
from sqlalchemy import literal, select
from sqlalchemy.orm import Session

from db.models import Apprentice, Cfa, Contract, Echeance, ProForma, ProFormaLine
from domain.formatting import format_eur, format_moment_day, format_period
from domain.vocabulary import NATURE_LABELS, SETTLEMENT_LABELS, Kind, Nature
from workflow.billing.portal import FileDownload, refusal_letter
from workflow.common.access import Actor, get_owned

OPCO_NAME = "Opco EP"
OPCO_LINES = ("Opérateur de compétences des entreprises de proximité",
              "Service apprentissage", "14 rue Riquet, 75019 Paris")
PDF_MEDIA = "application/pdf"
VAT_MENTION = "TVA non applicable, article 261-4-4° du CGI."
INSTRUCTIONS = (
    "Editer votre propre facture/facture d'avoir sur le modèle de la proposition de "
    "facturation pro forma, sur votre papier en-tête.",
    "Veiller à indiquer votre propre numéro de facture/facture d'avoir, en complément du "
    "rappel du numéro de la facture/facture d'avoir pro forma.",
    "Vérifier que le montant total mentionné sur votre facture/facture d'avoir est identique "
    "au montant de la facture/facture d'avoir pro forma générée.",
    "Indiquer, le cas échéant, votre SIRET et vos coordonnées bancaires sur votre "
    "facture/facture d'avoir, si ces informations ne figurent pas sur votre papier en-tête.",
)
SETTLEMENT_SENTENCES = {
    "deduction": "Le règlement de cette facture d'avoir est paramétré en mode « déduction ». "
                 "Le montant sera donc imputé automatiquement sur vos prochaines factures.",
    "remboursement": "Le règlement de cette facture d'avoir est paramétré en mode "
                     "« remboursement » : le CFA rembourse ce montant à l'Opco EP.",
}

_STYLES = getSampleStyleSheet()
BODY = ParagraphStyle("body", parent=_STYLES["Normal"], fontName="Helvetica", fontSize=9,
                      leading=12)
SMALL = ParagraphStyle("small", parent=BODY, fontSize=8, leading=10)
TITLE = ParagraphStyle("title", parent=BODY, fontName="Helvetica-Bold", fontSize=15,
                       leading=19, spaceAfter=4)
HEADING = ParagraphStyle("heading", parent=BODY, fontName="Helvetica-Bold", fontSize=10,
                         leading=13, spaceBefore=6, spaceAfter=2)


def plain(text: str) -> str:
    """Babel's narrow/no-break spaces as plain spaces (the base-14 fonts lack U+202F)."""
    return text.replace("\u202f", " ").replace("\xa0", " ")


def _p(text: str, style: ParagraphStyle = BODY) -> Paragraph:
    return Paragraph(escape(plain(text)).replace("\n", "<br/>"), style)


def _render(flowables: Sequence[Flowable], title: str) -> bytes:
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm,
                            topMargin=16 * mm, bottomMargin=16 * mm, title=title,
                            author=OPCO_NAME, invariant=1)
    doc.build(list(flowables))
    return buf.getvalue()


def _lines(session: Session, pf: ProForma) -> list[tuple[str, str, str, str]]:
    """(contract number, apprentice, period, amount) of each line, in contract order."""
    stmt = (
        select(Contract.number, Apprentice.last_name + literal(" ") + Apprentice.first_name,
               Echeance.period_start, Echeance.period_end, ProFormaLine.amount)
        .select_from(ProFormaLine)
        .join(Echeance, Echeance.id == ProFormaLine.echeance_id)
        .join(Contract, Contract.id == ProFormaLine.contract_id)
        .join(Apprentice, Apprentice.id == Contract.apprentice_id)
        .where(ProFormaLine.pro_forma_id == pf.id)
        .order_by(Contract.number, Echeance.due_on, ProFormaLine.id)
    )
    return [(n, a, plain(format_period(s, e)), plain(format_eur(m)))
            for n, a, s, e, m in session.execute(stmt)]


def pro_forma_pdf(session: Session, actor: Actor, pro_forma_id: object) -> FileDownload:
    """The pro forma (or credit-note pro forma) as a PDF, for its CFA or OPCO staff.

    Raises AccessDenied when the pro forma is not the actor's.
    """
    pf = get_owned(session, ProForma, pro_forma_id, actor, "cette pro forma")
    cfa = session.get_one(Cfa, pf.cfa_id)
    credit = pf.kind == Kind.CREDIT_NOTE
    kind = "FACTURE D'AVOIR PRO FORMA" if credit else "FACTURE PRO FORMA"
    story: list[Flowable] = [
        _p(f"{kind} N° {pf.number}", TITLE),
        _p(f"Date : {format_moment_day(pf.created_at)}"),
        _p(f"Nature de coûts : {NATURE_LABELS[Nature(pf.nature)]}"),
        Spacer(1, 4 * mm),
        _parties(cfa),
        Spacer(1, 4 * mm),
        _p("Détail des contrats et des échéances", HEADING),
        *_tables(_lines(session, pf)),
        Spacer(1, 3 * mm),
        _p(f"Nombre de dossiers : {pf.dossiers}"),
        _p(f"MONTANT TOTAL : {format_eur(pf.total)}", HEADING),
        _p(VAT_MENTION, SMALL),
    ]
    if credit and pf.settlement_mode:
        story += [
            _p("MODE DE RÈGLEMENT : "
               f"{SETTLEMENT_LABELS[pf.settlement_mode].upper()}", HEADING),
            _p(SETTLEMENT_SENTENCES[pf.settlement_mode]),
        ]
    story += [_p("Afin d'éviter tout rejet de votre facture/facture d'avoir, vous devez "
                 "respecter le mode opératoire suivant :", HEADING)]
    story += [_p(f"{n}. {text}") for n, text in enumerate(INSTRUCTIONS, start=1)]
    data = _render(story, f"Pro forma {pf.number}")
    return FileDownload(f"Pro_forma_{pf.number}.pdf", PDF_MEDIA, data)


def _parties(cfa: Cfa) -> Flowable:
    cfa_text = "\n".join([
        "Émetteur (CFA)", cfa.name, cfa.address, f"SIRET : {cfa.siret}", f"UAI : {cfa.uai}",
        f"NDA : {cfa.nda}", f"IBAN : {cfa.iban}", f"BIC : {cfa.bic}",
    ])
    opco_text = "\n".join(["Destinataire", OPCO_NAME, *OPCO_LINES])
    grid = LongTable([[_p(cfa_text), _p(opco_text)]], colWidths=[87 * mm, 87 * mm])
    grid.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                              ("BOX", (0, 0), (0, 0), 0.5, colors.grey),
                              ("BOX", (1, 0), (1, 0), 0.5, colors.grey)]))
    return grid


# Rows per table chunk: reportlab re-measures a whole table each time it splits it across a
# page, which is quadratic in its rows; chunks of about a page keep 5,000 lines linear.
CHUNK_ROWS = 45


def _tables(rows: list[tuple[str, str, str, str]]) -> list[Flowable]:
    """The lines as page-sized tables, each with its header row."""
    return [_table(rows[i:i + CHUNK_ROWS]) for i in range(0, max(len(rows), 1), CHUNK_ROWS)]


def _table(rows: list[tuple[str, str, str, str]]) -> Flowable:
    head = ("N° de contrat", "Apprenti", "Période", "Montant")
    table = LongTable([head, *rows], colWidths=[32 * mm, 56 * mm, 58 * mm, 28 * mm],
                      repeatRows=1)
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8),
        ("FONT", (0, 1), (-1, -1), "Helvetica", 8),
        ("ALIGN", (3, 0), (3, -1), "RIGHT"),
        ("LINEBELOW", (0, 0), (-1, 0), 0.7, colors.black),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f2f2f2")]),
    ]))
    return table


def refusal_letter_pdf(session: Session, actor: Actor, pro_forma_id: object) -> FileDownload:
    """The refusal letter of a refused pro forma as a PDF (marks it read for its CFA).

    Raises AccessDenied, TransitionRefused (not refused) or InvalidInput (no letter).
    """
    letter = refusal_letter(session, actor, pro_forma_id)
    pf = get_owned(session, ProForma, letter.pro_forma_id, actor, "cette pro forma")
    cfa = session.get_one(Cfa, pf.cfa_id)
    story: list[Flowable] = [
        _p("\n".join([OPCO_NAME, *OPCO_LINES])),
        Spacer(1, 8 * mm),
        _p("\n".join([cfa.name, cfa.address, f"SIRET : {cfa.siret}"])),
        Spacer(1, 8 * mm),
        _p(f"Paris, le {_long_day(letter.created_at)}"),
        Spacer(1, 4 * mm),
        _p("Motif de refus", TITLE),
        _p(f"N° de la pro forma : {letter.number}"),
        _p(f"Motif de refus : {letter.reason_label}"),
        Spacer(1, 5 * mm),
        *(_p(par) for par in letter.body.split("\n\n") if par.strip()),
    ]
    data = _render(story, f"Motif de refus {letter.number}")
    return FileDownload(f"Motif_de_refus_{letter.number}.pdf", PDF_MEDIA, data)


def _long_day(at: datetime) -> str:
    return format_moment_day(at)
