"""Invoices as third parties write them, made here for the tests: a visible page (reportlab)
with an XML invoice attached by pypdf under the names other tools use (ZUGFeRD 1.0
``ZUGFeRD-invoice.xml``, Factur-X ``factur-x.xml``, XRechnung ``xrechnung.xml``, UBL)."""

from __future__ import annotations

import io
from decimal import Decimal

from pypdf import PdfReader, PdfWriter
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

D = Decimal


def page_pdf(lines: list[str | tuple[str, str]], title: str = "Rechnung") -> bytes:
    """A one-page PDF: a title, then each line (a string, or a label and a right-aligned
    amount)."""
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, pagesize=A4)
    pdf.setFont("Helvetica-Bold", 14)
    pdf.drawString(50, 790, title)
    pdf.setFont("Helvetica", 10)
    y = 750.0
    for line in lines:
        if isinstance(line, tuple):
            pdf.drawString(300, y, line[0])
            pdf.drawRightString(545, y, line[1])
        else:
            pdf.drawString(50, y, line)
        y -= 16
    pdf.showPage()
    pdf.save()
    return buf.getvalue()


def attach(pdf: bytes, name: str, xml: bytes) -> bytes:
    """Return ``pdf`` with ``xml`` embedded as the file ``name`` (names tree)."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.add_attachment(name, xml)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


ZUGFERD1 = """<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryDocument xmlns:rsm="urn:ferd:CrossIndustryDocument:invoice:1p0"
 xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:12"
 xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:15">
 <rsm:SpecifiedExchangedDocumentContext>
  <ram:GuidelineSpecifiedDocumentContextParameter>
   <ram:ID>urn:ferd:CrossIndustryDocument:invoice:1p0:comfort</ram:ID>
  </ram:GuidelineSpecifiedDocumentContextParameter>
 </rsm:SpecifiedExchangedDocumentContext>
 <rsm:HeaderExchangedDocument>
  <ram:ID>{number}</ram:ID>
  <ram:Name>RECHNUNG</ram:Name>
  <ram:TypeCode>{type_code}</ram:TypeCode>
 </rsm:HeaderExchangedDocument>
 <rsm:SpecifiedSupplyChainTradeTransaction>
  <ram:ApplicableSupplyChainTradeAgreement>
   <ram:BuyerReference>{ref}</ram:BuyerReference>
   <ram:SellerTradeParty>
    <ram:Name>Lieferant GmbH</ram:Name>
    <ram:SpecifiedTaxRegistration><ram:ID schemeID="VA">DE123456789</ram:ID>
    </ram:SpecifiedTaxRegistration>
   </ram:SellerTradeParty>
  </ram:ApplicableSupplyChainTradeAgreement>
  <ram:ApplicableSupplyChainTradeSettlement>
   <ram:InvoiceCurrencyCode>EUR</ram:InvoiceCurrencyCode>
   <ram:SpecifiedTradeSettlementPaymentMeans>
    <ram:PayeePartyCreditorFinancialAccount><ram:IBANID>DE02120300000000202051</ram:IBANID>
    </ram:PayeePartyCreditorFinancialAccount>
   </ram:SpecifiedTradeSettlementPaymentMeans>
   <ram:SpecifiedTradeSettlementMonetarySummation>
    <ram:LineTotalAmount currencyID="EUR">{net}</ram:LineTotalAmount>
    <ram:ChargeTotalAmount currencyID="EUR">0.00</ram:ChargeTotalAmount>
    <ram:AllowanceTotalAmount currencyID="EUR">0.00</ram:AllowanceTotalAmount>
    <ram:TaxBasisTotalAmount currencyID="EUR">{net}</ram:TaxBasisTotalAmount>
    <ram:TaxTotalAmount currencyID="EUR">{vat}</ram:TaxTotalAmount>
    <ram:GrandTotalAmount currencyID="EUR">{gross}</ram:GrandTotalAmount>
    <ram:TotalPrepaidAmount currencyID="EUR">0.00</ram:TotalPrepaidAmount>
    <ram:DuePayableAmount currencyID="EUR">{gross}</ram:DuePayableAmount>
   </ram:SpecifiedTradeSettlementMonetarySummation>
  </ram:ApplicableSupplyChainTradeSettlement>
  <ram:IncludedSupplyChainTradeLineItem>
   <ram:AssociatedDocumentLineDocument><ram:LineID>1</ram:LineID>
   </ram:AssociatedDocumentLineDocument>
   <ram:SpecifiedSupplyChainTradeSettlement>
    <ram:SpecifiedTradeSettlementMonetarySummation>
     <ram:LineTotalAmount currencyID="EUR">{net}</ram:LineTotalAmount>
    </ram:SpecifiedTradeSettlementMonetarySummation>
   </ram:SpecifiedSupplyChainTradeSettlement>
   <ram:SpecifiedTradeProduct><ram:Name>Beratung</ram:Name></ram:SpecifiedTradeProduct>
  </ram:IncludedSupplyChainTradeLineItem>
 </rsm:SpecifiedSupplyChainTradeTransaction>
</rsm:CrossIndustryDocument>
"""


def zugferd1_invoice(net: str = "496.00", vat: str = "63.84", gross: str = "559.84",
                     *, page: bool = True, type_code: str = "380") -> bytes:
    """The ZUGFeRD 1.0 invoice of issue 15: "Summe netto", "Zuzügl. USt", "Summe inkl. USt"."""
    def de(value: str) -> str:
        return f"{D(value):,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".") + " €"

    lines: list[str | tuple[str, str]] = ["Lieferant GmbH, Hauptstr. 1, 10115 Berlin",
                                          "Rechnungsnummer: 471102", "Pos. 1 Beratung"]
    if page:
        lines += [("Summe netto:", de(net)), ("Zuzügl. USt:", de(vat)),
                  ("Summe inkl. USt:", de(gross))]
    xml = ZUGFERD1.format(number="471102", type_code=type_code, ref="PRO-00603901", net=net,
                          vat=vat, gross=gross)
    return attach(page_pdf(lines), "ZUGFeRD-invoice.xml", xml.encode())


CII = """<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
 xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
 xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100">
 <rsm:ExchangedDocumentContext>
  <ram:GuidelineSpecifiedDocumentContextParameter>
   <ram:ID>urn:cen.eu:en16931:2017</ram:ID>
  </ram:GuidelineSpecifiedDocumentContextParameter>
 </rsm:ExchangedDocumentContext>
 <rsm:ExchangedDocument><ram:ID>{number}</ram:ID><ram:TypeCode>{type_code}</ram:TypeCode>
 </rsm:ExchangedDocument>
 <rsm:SupplyChainTradeTransaction>
  <ram:IncludedSupplyChainTradeLineItem>
   <ram:AssociatedDocumentLineDocument><ram:LineID>1</ram:LineID>
   </ram:AssociatedDocumentLineDocument>
   <ram:SpecifiedTradeProduct><ram:Name>Formation</ram:Name></ram:SpecifiedTradeProduct>
   <ram:SpecifiedLineTradeSettlement><ram:SpecifiedTradeSettlementLineMonetarySummation>
    <ram:LineTotalAmount>{net}</ram:LineTotalAmount>
   </ram:SpecifiedTradeSettlementLineMonetarySummation></ram:SpecifiedLineTradeSettlement>
  </ram:IncludedSupplyChainTradeLineItem>
  <ram:ApplicableHeaderTradeAgreement>
   <ram:BuyerReference>{ref}</ram:BuyerReference>
   <ram:SellerTradeParty><ram:Name>CFA Exemple</ram:Name>
    <ram:SpecifiedLegalOrganization><ram:ID schemeID="0002">{siret}</ram:ID>
    </ram:SpecifiedLegalOrganization>
    <ram:SpecifiedTaxRegistration><ram:ID schemeID="VA">FR32732829320</ram:ID>
    </ram:SpecifiedTaxRegistration>
   </ram:SellerTradeParty>
  </ram:ApplicableHeaderTradeAgreement>
  <ram:ApplicableHeaderTradeSettlement>
   <ram:InvoiceCurrencyCode>EUR</ram:InvoiceCurrencyCode>
   <ram:SpecifiedTradeSettlementHeaderMonetarySummation>
    <ram:LineTotalAmount>{net}</ram:LineTotalAmount>
    <ram:TaxBasisTotalAmount>{net}</ram:TaxBasisTotalAmount>
    <ram:TaxTotalAmount currencyID="EUR">{vat}</ram:TaxTotalAmount>
    <ram:GrandTotalAmount>{gross}</ram:GrandTotalAmount>
    <ram:TotalPrepaidAmount>{prepaid}</ram:TotalPrepaidAmount>
    <ram:DuePayableAmount>{due}</ram:DuePayableAmount>
   </ram:SpecifiedTradeSettlementHeaderMonetarySummation>
  </ram:ApplicableHeaderTradeSettlement>
 </rsm:SupplyChainTradeTransaction>
</rsm:CrossIndustryInvoice>
"""


def facturx_prepaid(*, page_lines: list[str | tuple[str, str]] | None = None,
                    name: str = "factur-x.xml") -> bytes:
    """A French Factur-X invoice with a prepayment: 530,75 TTC, 147,00 paid, 383,75 due."""
    xml = CII.format(number="F-2024-0042", type_code="380", ref="PRO-00603901",
                     siret="73282932000074", net="442.29", vat="88.46", gross="530.75",
                     prepaid="147.00", due="383.75")
    lines = page_lines if page_lines is not None else [
        "Facture F-2024-0042", "Formation", ("Total HT", "442,29 €"), ("TVA 20 %", "88,46 €"),
        ("Total TTC", "530,75 €"), ("Acompte versé", "147,00 €"), ("Total TTC", "383,75 €")]
    return attach(page_pdf(lines, "Facture"), name, xml.encode())


UBL = """<?xml version="1.0" encoding="UTF-8"?>
<{root} xmlns="urn:oasis:names:specification:ubl:schema:xsd:{root}-2"
 xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
 xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
 <cbc:CustomizationID>urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0
 </cbc:CustomizationID>
 <cbc:ID>{number}</cbc:ID>
 <cbc:{root}TypeCode>{type_code}</cbc:{root}TypeCode>
 <cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>
 <cbc:BuyerReference>{ref}</cbc:BuyerReference>
 <cac:AccountingSupplierParty><cac:Party>
  <cac:PartyTaxScheme><cbc:CompanyID>DE123456789</cbc:CompanyID>
   <cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>
  <cac:PartyLegalEntity><cbc:RegistrationName>Muster AG</cbc:RegistrationName>
   <cbc:CompanyID>73282932000074</cbc:CompanyID></cac:PartyLegalEntity>
 </cac:Party></cac:AccountingSupplierParty>
 <cac:PaymentMeans><cbc:PaymentMeansCode>58</cbc:PaymentMeansCode>
  <cac:PayeeFinancialAccount><cbc:ID>DE02 1203 0000 0000 2020 51</cbc:ID>
  </cac:PayeeFinancialAccount></cac:PaymentMeans>
 <cac:TaxTotal><cbc:TaxAmount currencyID="EUR">{vat}</cbc:TaxAmount></cac:TaxTotal>
 <cac:LegalMonetaryTotal>
  <cbc:LineExtensionAmount currencyID="EUR">{net}</cbc:LineExtensionAmount>
  <cbc:TaxExclusiveAmount currencyID="EUR">{net}</cbc:TaxExclusiveAmount>
  <cbc:TaxInclusiveAmount currencyID="EUR">{gross}</cbc:TaxInclusiveAmount>
  <cbc:PrepaidAmount currencyID="EUR">0.00</cbc:PrepaidAmount>
  <cbc:PayableAmount currencyID="EUR">{gross}</cbc:PayableAmount>
 </cac:LegalMonetaryTotal>
 <cac:{root}Line><cbc:ID>1</cbc:ID>
  <cbc:LineExtensionAmount currencyID="EUR">{net}</cbc:LineExtensionAmount>
  <cac:Item><cbc:Name>Beratung</cbc:Name></cac:Item></cac:{root}Line>
</{root}>
"""


def ubl_invoice(credit: bool = False, *, net: str = "1000.00", vat: str = "190.00",
                gross: str = "1190.00", page: bool = True) -> bytes:
    """A UBL invoice (or credit note) embedded as ``xrechnung.xml`` in a German page."""
    root = "CreditNote" if credit else "Invoice"
    xml = UBL.format(root=root, number="R-77", type_code="381" if credit else "380",
                     ref="PRO-00603901", net=net, vat=vat, gross=gross)
    title = "Gutschrift" if credit else "Rechnung"
    lines: list[str | tuple[str, str]] = ["Muster AG", f"{title} R-77"]
    if page:
        lines += [("Nettobetrag", net.replace(".", ",") + " EUR"),
                  ("USt 19 %", vat.replace(".", ",") + " EUR"),
                  ("Gesamtbetrag", gross.replace(".", ",") + " EUR")]
    return attach(page_pdf(lines, title), "xrechnung.xml", xml.encode())


def lines_invoice(lines: list[tuple[str, str, Decimal]], *, grouped: bool = False) -> bytes:
    """A CFA-style invoice billing one row per contract (number, apprentice, amount), 40 rows
    a page, then its total; ``grouped`` prints the numbers as ``2024 0000 0013``."""
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, pagesize=A4)
    total = sum((amount for _, _, amount in lines), D("0"))

    def head(page: int) -> float:
        pdf.setFont("Helvetica-Bold", 12)
        pdf.drawString(50, 800, f"FACTURE FA-2024-0153 — page {page}")
        pdf.setFont("Helvetica", 9)
        pdf.drawString(50, 780, "Dossier")
        pdf.drawString(160, 780, "Apprenti")
        pdf.drawString(330, 780, "Quantité")
        pdf.drawRightString(545, 780, "Montant")
        return 762.0

    page = 1
    y = head(page)
    for index, (contract, apprentice, amount) in enumerate(lines):
        if index and index % 40 == 0:
            pdf.showPage()
            page += 1
            y = head(page)
        shown = f"{contract[:4]} {contract[4:8]} {contract[8:]}" if grouped else contract
        pdf.drawString(50, y, shown)
        pdf.drawString(160, y, apprentice)
        pdf.drawString(330, y, "1")
        pdf.drawRightString(545, y, _fr(amount))
        y -= 16
    pdf.setFont("Helvetica-Bold", 10)
    pdf.drawString(330, y - 10, "Total TTC")
    pdf.drawRightString(545, y - 10, _fr(total))
    pdf.showPage()
    pdf.save()
    return buf.getvalue()


def _fr(amount: Decimal) -> str:
    whole, cents = f"{amount:.2f}".split(".")
    return f"{int(whole):,}".replace(",", " ") + f",{cents} €"
