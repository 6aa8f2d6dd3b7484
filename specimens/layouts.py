"""Drawing of specimen invoices with reportlab, one function per layout.

Used by ``specimens`` (the corpus for tests, demo data and benchmarks). Each layout draws
the same facts (``InvoiceSpec``) the way a different accounting program would.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

if TYPE_CHECKING:
    from specimens.invoices import InvoiceSpec

_DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
UNICODE_FONT = "Helvetica"
if os.path.exists(_DEJAVU):  # a TTF font can print U+202F, the French narrow no-break space
    pdfmetrics.registerFont(TTFont("DejaVu", _DEJAVU))
    UNICODE_FONT = "DejaVu"

WIDTH, HEIGHT = A4
LEFT, RIGHT, BOTTOM = 50.0, WIDTH - 50.0, 70.0
CENT = Decimal("0.01")


def money(value: Decimal, style: str, sep: str = " ") -> str:
    """Return ``value`` printed in a house style: fr, fr_int, de, en, words."""
    sign = "-" if value < 0 else ""
    whole, cents = f"{abs(value):.2f}".split(".")
    groups = f"{int(whole):,}"
    if style == "en":
        return f"{sign}€{groups}.{cents}"
    if style == "de":
        return f"{sign}{groups.replace(',', '.')},{cents} EUR"
    if style == "words":
        return f"{sign}{whole},{cents} euros"
    if style == "fr_int" and cents == "00":
        return f"{sign}{groups.replace(',', sep)} €"
    return f"{sign}{groups.replace(',', sep)},{cents} €"


class Sheet:
    """A reportlab canvas with a cursor, automatic page breaks and a page-break hook."""

    def __init__(self, spec: InvoiceSpec) -> None:
        self.buffer = io.BytesIO()
        self.canvas = canvas.Canvas(self.buffer, pagesize=A4, invariant=1)
        self.font = UNICODE_FONT if spec.sep == "\u202f" else "Helvetica"
        self.spec = spec
        self.y = HEIGHT - 60
        self.page = 1
        self.on_break: Callable[[Sheet], None] | None = None
        self.on_new_page: Callable[[Sheet], None] | None = None
        self.notes: list[Decimal] = []  # amounts a layout wants to remember (page subtotals)

    def text(self, x: float, text: str, size: float = 10, right: bool = False,
             bold: bool = False) -> None:
        """Draw ``text`` on the current line at ``x`` (right-aligned when asked)."""
        font = "Helvetica-Bold" if bold and self.font == "Helvetica" else self.font
        self.canvas.setFont(font, size)
        draw = self.canvas.drawRightString if right else self.canvas.drawString
        draw(x, self.y, text)

    def down(self, dy: float = 15) -> None:
        """Move the cursor down, breaking the page when the bottom margin is reached."""
        self.y -= dy
        if self.y < BOTTOM:
            if self.on_break:
                self.on_break(self)
            self.new_page()

    def new_page(self) -> None:
        """Start a new page and run the new-page hook."""
        self.canvas.showPage()
        self.page += 1
        self.y = HEIGHT - 60
        if self.on_new_page:
            self.on_new_page(self)

    def row(self, label: str, amount: Decimal, x_label: float = LEFT, bold: bool = False) -> None:
        """Draw a label and a right-aligned amount, then move down."""
        self.text(x_label, label, bold=bold)
        self.text(RIGHT, self.money(amount), right=True, bold=bold)
        self.down()

    def money(self, value: Decimal) -> str:
        """Return ``value`` in the specimen's amount style."""
        return money(value, self.spec.amount_style, self.spec.sep)

    def finish(self) -> bytes:
        """Save and return the PDF bytes."""
        self.canvas.save()
        return self.buffer.getvalue()


def header(sheet: Sheet, title: str, two_columns: bool = False) -> None:
    """Draw the CFA block, the title, the invoice number, the date and the references."""
    spec = sheet.spec
    left = [spec.cfa_name, spec.address, f"SIRET : {spec.siret_text}"]
    right = [title] + _meta(spec)
    if two_columns:
        for i in range(max(len(left), len(right))):
            if i < len(left):
                sheet.text(LEFT, left[i], bold=i == 0)
            if i < len(right):
                sheet.text(320, right[i], bold=i == 0)
            sheet.down()
    else:
        for i, line in enumerate(left):
            sheet.text(LEFT, line, bold=i == 0)
            sheet.down()
        sheet.down(10)
        for i, line in enumerate(right):
            sheet.text(LEFT, line, size=14 if i == 0 else 10, bold=i == 0)
            sheet.down(20 if i == 0 else 15)
    sheet.down(5)
    sheet.text(LEFT, _client(spec))
    sheet.down(25)


def _meta(spec: InvoiceSpec) -> list[str]:
    words = _WORDS[spec.language]
    lines = []
    if spec.invoice_number:
        lines.append(f"{words['number']} {spec.invoice_number}")
    lines.append(f"{words['date']} {spec.date}")
    if spec.pro_forma_text:
        lines.append(f"{words['ref']} {spec.pro_forma_text}")
    return lines


def _client(spec: InvoiceSpec) -> str:
    return {"fr": "Client : Opco EP, 14 rue Riquet, 75019 Paris",
            "en": "Bill to: Opco EP, 14 rue Riquet, 75019 Paris",
            "de": "Kunde: Opco EP, 14 rue Riquet, 75019 Paris"}[spec.language]


def footer(sheet: Sheet) -> None:
    """Draw the payment details (IBAN, BIC) and the VAT exemption mention."""
    spec = sheet.spec
    sheet.down(20)
    if not spec.add_vat:
        sheet.text(LEFT, _WORDS[spec.language]["exempt"], size=8)
        sheet.down()
    sheet.text(LEFT, f"IBAN : {spec.iban_text}   BIC : {spec.bic}")
    sheet.down()


_WORDS = {
    "fr": {"number": "Facture n°", "credit": "Avoir n°", "date": "Date :",
           "ref": "Référence pro forma :", "item": "Désignation", "amount": "Montant",
           "exempt": "Exonération de TVA, article 261-4-4° du CGI."},
    "en": {"number": "Invoice number:", "credit": "Credit note number:", "date": "Date:",
           "ref": "Your reference:", "item": "Description", "amount": "Amount",
           "exempt": "VAT exempt (article 261-4-4° CGI)."},
    "de": {"number": "Rechnungsnummer:", "credit": "Gutschriftsnummer:", "date": "Datum:",
           "ref": "Ihre Referenz:", "item": "Bezeichnung", "amount": "Betrag",
           "exempt": "Steuerfrei nach Artikel 261-4-4° CGI."},
}


def items(sheet: Sheet, with_header: bool = True) -> None:
    """Draw the invoice lines, one per échéance."""
    words = _WORDS[sheet.spec.language]
    if with_header:
        sheet.text(LEFT, words["item"], bold=True)
        sheet.text(RIGHT, words["amount"], right=True, bold=True)
        sheet.down(18)
    for label, amount in sheet.spec.lines:
        sheet.row(label, amount)
    sheet.down(8)


def totals(sheet: Sheet, rows: list[tuple[str, Decimal]], x_label: float = 330) -> None:
    """Draw the totals block at the right."""
    for label, amount in rows:
        sheet.row(label, amount, x_label=x_label, bold=True)


def table(sheet: Sheet, total_rows: list[tuple[str, Decimal]]) -> None:
    """Draw the lines in a ruled table, then a boxed totals table."""
    c, words = sheet.canvas, _WORDS[sheet.spec.language]
    top = sheet.y + 12
    sheet.text(LEFT + 5, words["item"], bold=True)
    sheet.text(400, "Qté", bold=True)
    sheet.text(RIGHT - 5, words["amount"], right=True, bold=True)
    sheet.down(18)
    for label, amount in sheet.spec.lines:
        sheet.text(LEFT + 5, label)
        sheet.text(400, "1")
        sheet.text(RIGHT - 5, sheet.money(amount), right=True)
        c.line(LEFT, sheet.y - 4, RIGHT, sheet.y - 4)
        sheet.down()
    c.rect(LEFT, sheet.y + 11, RIGHT - LEFT, top - sheet.y - 11)
    sheet.down(10)
    box_top = sheet.y + 12
    for label, amount in total_rows:
        sheet.text(345, label, bold=True)
        sheet.text(RIGHT - 5, sheet.money(amount), right=True, bold=True)
        sheet.down()
    c.rect(340, sheet.y + 11, RIGHT - 340, box_top - sheet.y - 11)


def stacked(sheet: Sheet, total_rows: list[tuple[str, Decimal]]) -> None:
    """Draw totals as boxes side by side: the label above, the amount below."""
    width = (RIGHT - LEFT) / len(total_rows)
    for i, (label, _amount) in enumerate(total_rows):
        sheet.text(LEFT + i * width + 5, label.upper(), size=9, bold=True)
    sheet.down(16)
    for i, (_label, amount) in enumerate(total_rows):
        sheet.text(LEFT + i * width + 5, sheet.money(amount), bold=True)
        sheet.canvas.rect(LEFT + i * width, sheet.y - 6, width - 6, 34)
    sheet.down(20)
