"""Realistic CFA invoices, made with reportlab, for tests, demo data and benchmarks.

``make_invoice(spec)`` draws one invoice in one of several layouts (``LAYOUTS``);
``make_scan`` turns a PDF into a noisy scan (PNG, JPEG or image-only PDF); ``make_facturx``
embeds a CII XML (library ``factur-x``); ``corpus(seed)`` yields every layout in conforming and
near-miss variants with the verdict each check should give (``Specimen.truth``).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from stdnum import luhn
from stdnum.iban import calc_check_digits

from checks.model import Expected
from specimens import layouts as draw

CENT = Decimal("0.01")
VAT_RATE = Decimal("0.20")
CHECKS = ("file", "pro_forma_number", "total", "invoice_number", "siret", "iban")


@dataclass(frozen=True)
class InvoiceSpec:
    """The facts one specimen invoice prints, and how it prints them."""

    layout: str = "simple"
    cfa_name: str = "CFA des Métiers du Sud"
    address: str = "12 avenue de la Gare, 31000 Toulouse"
    siret: str = "73282932000074"
    iban: str = "FR7630006000011234567890189"
    bic: str = "AGRIFRPP882"
    invoice_number: str | None = "FA-2024-0153"
    pro_forma_text: str | None = "PRO-00603901"
    lines: tuple[tuple[str, Decimal], ...] = (("Pédagogie – contrat 2024-001", Decimal("9654")),)
    total: Decimal | None = None  # printed grand total; None = sum of lines (+ VAT)
    add_vat: bool = False
    credit_note: bool = False
    negative_credit: bool = True  # a credit note prints its amounts negative
    prepayment: Decimal = Decimal("0")
    amount_style: str = "fr"  # fr, fr_int, de, en, words
    sep: str = " "  # thousands separator for French amounts
    language: str = "fr"
    date: str = "15/03/2024"
    siret_spaced: bool = False

    @property
    def siret_text(self) -> str:
        """Return the SIRET as printed (optionally spaced 3-3-3-5)."""
        s = self.siret
        return f"{s[:3]} {s[3:6]} {s[6:9]} {s[9:]}" if self.siret_spaced else s

    @property
    def iban_text(self) -> str:
        """Return the IBAN printed in groups of four."""
        return " ".join(self.iban[i:i + 4] for i in range(0, len(self.iban), 4))


@dataclass(frozen=True)
class Specimen:
    """One generated document with what the checks should say about it."""

    name: str
    filename: str
    data: bytes
    expected: Expected
    truth: dict[str, str]
    kind: str = "text"  # text, ocr, factur-x
    # Checks for which "unknown" is an acceptable answer although the truth is "fail": the
    # document contradicts itself (XML and visible total differ), a person must look.
    accept_unknown: frozenset[str] = frozenset()


def amounts(spec: InvoiceSpec) -> tuple[Decimal, Decimal, Decimal]:
    """Return (sum of lines, VAT, printed grand total) of ``spec``."""
    base = sum((amount for _, amount in spec.lines), Decimal("0")).quantize(CENT)
    vat = (base * VAT_RATE).quantize(CENT) if spec.add_vat else Decimal("0.00")
    grand = spec.total if spec.total is not None else base + vat
    return base, vat, grand


def _vat_rows(spec: InvoiceSpec, ht: str, tva: str, ttc: str) -> list[tuple[str, Decimal]]:
    base, vat, grand = amounts(spec)
    return [(ht, base), (tva, vat), (ttc, grand)]


def _simple(sheet: draw.Sheet) -> None:
    spec = sheet.spec
    draw.header(sheet, "FACTURE")
    draw.items(sheet)
    rows = _vat_rows(spec, "Montant HT", "TVA 20 %", "Montant TTC") if spec.add_vat \
        else [("Montant total", amounts(spec)[2])]
    draw.totals(sheet, rows)
    draw.footer(sheet)


def _table(sheet: draw.Sheet) -> None:
    spec = sheet.spec
    draw.header(sheet, "FACTURE")
    grand = amounts(spec)[2]
    rows = _vat_rows(spec, "Total HT", "TVA 20 %", "Total TTC") if spec.add_vat \
        else [("TOTAL", grand)]
    draw.table(sheet, rows + [("Net à payer", grand)])
    draw.footer(sheet)


def _two_column(sheet: draw.Sheet) -> None:
    spec = sheet.spec
    draw.header(sheet, "FACTURE", two_columns=True)
    draw.items(sheet)
    rows = _vat_rows(spec, "Total HT", "TVA 20 %", "Total facture TTC") if spec.add_vat \
        else [("Total facture", amounts(spec)[2])]
    draw.totals(sheet, rows)
    draw.footer(sheet)


def _continued(sheet: draw.Sheet) -> None:
    sheet.text(draw.LEFT, f"{sheet.spec.cfa_name} – facture {sheet.spec.invoice_number or ''} "
               f"(suite, page {sheet.page})", size=9)
    sheet.down(25)


def _multipage(sheet: draw.Sheet) -> None:
    spec = sheet.spec
    sheet.on_new_page = _continued
    draw.header(sheet, "FACTURE")
    draw.items(sheet)
    rows = _vat_rows(spec, "Total HT", "TVA 20 %", "Total TTC") if spec.add_vat else []
    draw.totals(sheet, rows + [("Total à payer", amounts(spec)[2])])
    draw.footer(sheet)


def _subtotals(sheet: draw.Sheet) -> None:
    spec = sheet.spec
    draw.header(sheet, "FACTURE")
    running, page_sum = Decimal("0"), Decimal("0")
    for label, amount in spec.lines:
        if sheet.y - 15 < draw.BOTTOM + 30:
            sheet.row(f"Sous-total page {sheet.page}", page_sum, bold=True)
            sheet.notes.append(page_sum)
            sheet.row("À reporter", running)
            sheet.new_page()
            sheet.row("Report", running)
            page_sum = Decimal("0")
        sheet.row(label, amount)
        running, page_sum = running + amount, page_sum + amount
    sheet.row(f"Sous-total page {sheet.page}", page_sum, bold=True)
    rows = _vat_rows(spec, "Total HT", "TVA 20 %", "Total général TTC") if spec.add_vat \
        else [("Total général", amounts(spec)[2])]
    draw.totals(sheet, rows)
    draw.footer(sheet)


def _vat_block(sheet: draw.Sheet) -> None:
    spec = sheet.spec
    draw.header(sheet, "FACTURE")
    draw.items(sheet)
    tva = "TVA 20 %" if spec.add_vat else "TVA 0 % (exonérée)"
    draw.totals(sheet, _vat_rows(spec, "Total HT", tva, "Total TTC"))
    draw.footer(sheet)


def _credit_note(sheet: draw.Sheet) -> None:
    spec = sheet.spec
    sign = Decimal("-1") if spec.negative_credit else Decimal("1")
    draw.header(sheet, "FACTURE D'AVOIR")
    for label, amount in spec.lines:
        sheet.row(label, sign * amount)
    sheet.down(8)
    base, vat, grand = amounts(spec)
    rows = [("Total HT", sign * base), ("TVA 20 %", sign * vat)] if spec.add_vat else []
    draw.totals(sheet, rows + [("Total de l'avoir", sign * grand)])
    draw.footer(sheet)


def _english(sheet: draw.Sheet) -> None:
    spec = sheet.spec
    draw.header(sheet, "INVOICE")
    draw.items(sheet)
    base, vat, grand = amounts(spec)
    draw.totals(sheet, [("Subtotal", base), ("VAT 20%" if spec.add_vat else "VAT 0%", vat),
                        ("Grand total", grand), ("Amount due", grand)])
    draw.footer(sheet)


def _german(sheet: draw.Sheet) -> None:
    spec = sheet.spec
    draw.header(sheet, "RECHNUNG", two_columns=True)
    draw.items(sheet)
    base, vat, grand = amounts(spec)
    draw.totals(sheet, [("Zwischensumme", base), ("MwSt. 20 %" if spec.add_vat else
                                                   "MwSt. 0 %", vat), ("Gesamtbetrag", grand)])
    draw.footer(sheet)


def _prepayment(sheet: draw.Sheet) -> None:
    spec = sheet.spec
    draw.header(sheet, "FACTURE")
    draw.items(sheet)
    grand = amounts(spec)[2]
    rows = _vat_rows(spec, "Total HT", "TVA 20 %", "Total TTC") if spec.add_vat \
        else [("Total TTC", grand)]
    rows += [("Acompte versé le 12/01/2024", -spec.prepayment),
             ("Net à payer", grand - spec.prepayment)]
    draw.totals(sheet, rows, x_label=300)
    draw.footer(sheet)


def _stacked(sheet: draw.Sheet) -> None:
    spec = sheet.spec
    draw.header(sheet, "FACTURE", two_columns=True)
    draw.items(sheet)
    base, vat, grand = amounts(spec)
    draw.stacked(sheet, [("Total HT", base), ("TVA", vat), ("Montant total", grand)])
    draw.footer(sheet)


LAYOUTS: dict[str, Callable[[draw.Sheet], None]] = {
    "simple": _simple, "table": _table, "two_column": _two_column, "multipage": _multipage,
    "subtotals": _subtotals, "vat_block": _vat_block, "credit_note": _credit_note,
    "english": _english, "german": _german, "prepayment": _prepayment, "stacked": _stacked,
}


def make_invoice(spec: InvoiceSpec) -> bytes:
    """Return the PDF bytes of ``spec`` drawn in its layout."""
    sheet = draw.Sheet(spec)
    LAYOUTS[spec.layout](sheet)
    return sheet.finish()


def random_siret(rng: random.Random) -> str:
    """Return a random valid SIRET (Luhn on the SIREN and on the 14 digits)."""
    siren = str(rng.randint(10_000_000, 99_999_999))
    siren += luhn.calc_check_digit(siren)
    body = siren + f"{rng.randint(1, 9999):04d}"
    return body + luhn.calc_check_digit(body)


def random_iban(rng: random.Random) -> str:
    """Return a random valid French IBAN (RIB key and ISO 7064 check digits)."""
    bank, branch = rng.randint(10000, 39999), rng.randint(10000, 99999)
    account = rng.randint(10**9, 10**11 - 1)
    key = 97 - (89 * bank + 15 * branch + 3 * account) % 97
    bban = f"{bank:05d}{branch:05d}{account:011d}{key:02d}"
    return "FR" + calc_check_digits("FR00" + bban) + bban
