"""Render CFA-like invoices through third-party invoice generators (not this project's code).

Run once with the generators installed (not a dependency of the console):
``pip install invoicegenerator==1.2.0 pyinvoice==0.1.7 dinbrief==0.5.2 arca-factura-pdf==0.1.0
facturex==0.6.4`` then ``python tests/corpus/generated/make_generated.py`` (``--only KEY`` renders
one generator's invoices again and keeps the other rows as they are). Writes the PDFs,
``truth.csv`` (the total
computed from the lines, checked against the generator's own printed total) and
``SOURCES.csv`` (generator, version, licence, sha256) next to this file.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import os
import random
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
CENT = Decimal("0.01")


def _lines(rng: random.Random) -> list[tuple[str, str, Decimal]]:
    names = ["MARTIN Léa", "DUBOIS Chloé", "BERNARD Hugo", "PETIT Inès", "ROBERT Nathan",
             "RICHARD Jade", "DURAND Louis", "MOREAU Emma", "SIMON Lucas", "LAURENT Manon"]
    count = rng.choice([1, 2, 3, 5, 8, 12])
    return [(f"2024{rng.randrange(10**7, 10**8):08d}", rng.choice(names),
             Decimal(rng.randrange(50_000, 900_000)) / 100) for _ in range(count)]


def invoicegenerator(index: int, rng: random.Random) -> tuple[str, Decimal, str]:
    os.environ["INVOICE_LANG"] = "en"
    from InvoiceGenerator.api import Client, Creator, Invoice, Item, Provider
    from InvoiceGenerator.pdf import SimpleInvoice

    tax = rng.choice([Decimal(0), Decimal(20)])
    invoice = Invoice(Client("Opco EP"), Provider("CFA DES METIERS DEMO", bank_account="FR76 "
                      "3000 6000 0112 3456 7890 189", bank_code="BNPAFRPP"), Creator("CFA"))
    invoice.currency = "€"
    invoice.currency_locale = "fr_FR.UTF-8"
    invoice.number = f"FA-2024-{index:04d}"
    invoice.use_tax = bool(tax)
    invoice.date = datetime.date(2024, 3, 15)
    for contract, name, amount in _lines(rng):
        invoice.add_item(Item(1, amount, description=f"Contrat {contract} - {name} - "
                              "prise en charge", tax=tax))
    name = f"invoicegenerator-{index:02d}.pdf"
    SimpleInvoice(invoice).gen(str(HERE / name))
    total = Decimal(invoice.price_tax).quantize(CENT, ROUND_HALF_UP)
    return name, total, invoice.number


def pyinvoice(index: int, rng: random.Random) -> tuple[str, Decimal, str]:
    from pyinvoice.models import ClientInfo, InvoiceInfo, Item, ServiceProviderInfo
    from pyinvoice.templates import SimpleInvoice

    name = f"pyinvoice-{index:02d}.pdf"
    doc = SimpleInvoice(str(HERE / name))
    number = f"FA-2024-{100 + index:04d}"
    doc.invoice_info = InvoiceInfo(number, datetime.datetime(2024, 3, 15),
                                   datetime.datetime(2024, 4, 15))
    doc.service_provider_info = ServiceProviderInfo(name="CFA DES METIERS DEMO",
                                                    street="1 rue de l'Apprentissage",
                                                    city="Lyon", post_code="69001")
    doc.client_info = ClientInfo(name="Opco EP", street="Rue de Paris", city="Paris",
                                 post_code="75001")
    lines = _lines(rng)
    for contract, person, amount in lines:
        doc.add_item(Item(f"Contrat {contract}", person, 1, amount))
    rate = rng.choice([None, 20])
    if rate:
        doc.set_item_tax_rate(rate)
    doc.finish()
    net = sum((a for _, _, a in lines), Decimal(0))
    tax = (net * rate / 100).quantize(CENT, ROUND_HALF_UP) if rate else Decimal(0)
    return name, net + tax, number


def dinbrief_de(index: int, rng: random.Random) -> tuple[str, Decimal, str]:
    import gettext

    import dinbrief
    from dinbrief.document import Document
    from dinbrief.invoice import Invoice, Item, ItemTable, TotalTable
    from dinbrief.styles import styles
    from dinbrief.template import BriefTemplate
    from reportlab.platypus import Paragraph

    locale = Path(dinbrief.__file__).parent / "locale"  # its German labels
    os.environ["LANGUAGE"] = "de"
    gettext.bindtextdomain("django", str(locale))
    gettext.textdomain("django")
    rate = rng.choice([Decimal(0), Decimal("0.19")])
    lines = _lines(rng)
    invoice = Invoice(items=[Item(n, f"Contrat {c} - {p}", price=a, quantity=1, vat_rate=rate)
                             for n, (c, p, a) in enumerate(lines, start=1)])
    number = f"FA-2024-{200 + index:04d}"
    template = BriefTemplate()
    document = Document(sender=["CFA DES METIERS DEMO", "1 rue de l'Apprentissage",
                                "69001 Lyon"],
                        recipient=["Opco EP", "Rue de Paris", "75001 Paris"], date="15.03.2024",
                        content=[Paragraph(f"Rechnung {number}", styles["Subject"]),
                                 ItemTable(template, invoice), TotalTable(template, invoice)])
    name = f"dinbrief-{index:02d}.pdf"
    with (HERE / name).open("wb") as handle:
        template.render(document, handle)
    net = sum((a for _, _, a in lines), Decimal(0))
    return name, net + (net * rate).quantize(CENT, ROUND_HALF_UP), number


def arca_es(index: int, rng: random.Random) -> tuple[str, Decimal, str]:
    from factura_pdf import generate_invoice_pdf

    lines = _lines(rng)
    net = sum((a for _, _, a in lines), Decimal(0))
    vat = (net * Decimal("0.21")).quantize(CENT, ROUND_HALF_UP)
    number = f"0003-{300 + index:08d}"
    detail = {"invoice_number": number, "date": "2024-03-15", "due_date": "2024-04-15",
              "customer_name": "Opco EP", "total": float(net + vat), "tax_total": float(vat),
              "notes": "", "custom_fields": [],
              "line_items": [{"name": f"Contrato {c}", "description": p, "quantity": 1.0,
                              "rate": float(a), "item_total": float(a)} for c, p, a in lines]}
    arca = {"tipo_cbte": 1, "punto_venta": 3, "fecha": "2024-03-15", "fecha_vto": "2024-04-15",
            "cuit_receptor": "30712345676", "importe_neto": float(net),
            "importe_iva": float(vat), "importe_total": float(net + vat), "concepto": 2,
            "alicuotas": [{"id": 5, "base_imp": float(net), "importe": float(vat)}]}
    result = {"cae": 76123456789012, "cae_vto": "20240325", "nro_comprobante": 300 + index}
    name = f"arca-{index:02d}.pdf"
    (HERE / name).write_bytes(generate_invoice_pdf(detail, arca, result,
                                                   cuit_emisor="20111111112"))
    return name, net + vat, number


def facturex_fr(index: int, rng: random.Random) -> tuple[str, Decimal, str]:
    """facturex's own PDF layout (French labels "Total HT", "TVA S 20%", "Net à payer", amounts
    "4121.47 EUR"), without its Factur-X attachment: the page alone is checked."""
    from facturex.models import Address, Invoice, LineItem, Party, VatBreakdown
    from facturex.pdfgen import invoice_pdf_rich

    rate = rng.choice([Decimal(0), Decimal(20)])
    category = "S" if rate else "E"
    lines = _lines(rng)
    items = [LineItem(id=str(n), name=f"Contrat {c} - {p}", description="prise en charge OPCO",
                      quantity=Decimal(1), unit_code="C62", unit_price=a, vat_category=category,
                      vat_rate=rate, net_amount=a) for n, (c, p, a) in enumerate(lines, start=1)]
    net = sum((a for _, _, a in lines), Decimal(0))
    vat = (net * rate / 100).quantize(CENT, ROUND_HALF_UP)
    number = f"FA-2024-{300 + index:04d}"
    invoice = Invoice(
        number=number, issue_date=datetime.date(2024, 3, 15), type_code="380", currency="EUR",
        seller=Party(name="CFA DES METIERS DEMO", siret="12345678900011", vat_id="FR32123456789",
                     address=Address(line1="1 rue de l'Apprentissage", postcode="69001",
                                     city="Lyon", country_code="FR")),
        buyer=Party(name="Opco EP", address=Address(line1="Rue de Paris", postcode="75001",
                                                     city="Paris", country_code="FR")),
        iban="FR7630006000011234567890189", payment_terms="Virement à 30 jours",
        due_date=datetime.date(2024, 4, 15), lines=items,
        vat_breakdown=[VatBreakdown(category=category, rate=rate, taxable_amount=net,
                                    vat_amount=vat, exemption_reason=None if rate else
                                    "Exonération de TVA, article 261-4-4° du CGI")],
        total_line_net=net, total_net=net, total_vat=vat, total_gross=net + vat,
        amount_due=net + vat)
    name = f"facturex-{index:02d}.pdf"
    (HERE / name).write_bytes(invoice_pdf_rich(invoice, theme=rng.choice(["sobre", "moderne"]),
                                               qr=False, attach_xml=False))
    return name, net + vat, number


GENERATORS = {
    "invoicegenerator": (invoicegenerator, "InvoiceGenerator 1.2.0 (PyPI)", "BSD"),
    "pyinvoice": (pyinvoice, "PyInvoice 0.1.7 (PyPI)", "MIT"),
    "dinbrief": (dinbrief_de, "dinbrief 0.5.2 (PyPI), German labels", "MIT"),
    "arca": (arca_es, "arca-factura-pdf 0.1.0 (PyPI), Spanish (Argentina)", "MIT"),
    "facturex": (facturex_fr, "facturex 0.6.4 (PyPI), its own PDF layout, French labels", "MIT"),
}
LANGUAGES = {"dinbrief": "de", "arca": "es", "facturex": "fr"}
CURRENCIES = {"arca": "ARS"}


def _kept(name: str, only: str | None) -> list[list[str]]:
    """Return the rows of ``name`` written for the generators other than ``only``."""
    if only is None or not (HERE / name).exists():
        return []
    with (HERE / name).open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))[1:]
    return [row for row in rows if not row[0].startswith(f"{only}-")]


def main(only: str | None = None) -> None:
    truth, sources = _kept("truth.csv", only), _kept("SOURCES.csv", only)
    for key, (make, generator, licence) in GENERATORS.items():
        if only is not None and key != only:
            continue
        rng = random.Random(f"generated-{key}")
        for index in range(1, 13):
            name, total, number = make(index, rng)
            data = (HERE / name).read_bytes()
            truth.append([name, f"{total:.2f}", f"{total:.2f}", number,
                          CURRENCIES.get(key, "EUR"), LANGUAGES.get(key, "en"), "text", key])
            sources.append([name, generator, licence, hashlib.sha256(data).hexdigest()])
    with (HERE / "truth.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file", "total", "due", "invoice_number", "currency", "language", "kind",
                         "source"])
        writer.writerows(truth)
    with (HERE / "SOURCES.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file", "generator", "licence", "sha256"])
        writer.writerows(sources)


if __name__ == "__main__":
    import sys

    main(sys.argv[2] if sys.argv[1:2] == ["--only"] else None)
