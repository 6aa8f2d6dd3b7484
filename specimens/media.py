"""Specimen media: noisy scans of a PDF (PNG, JPEG, image-only PDF) and Factur-X PDFs."""

from __future__ import annotations

import io
import random
from decimal import Decimal
from xml.sax.saxutils import escape

import pypdfium2 as pdfium
from PIL import Image, ImageFilter
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from checks.pdf.validate import PDFIUM_LOCK
from specimens.invoices import InvoiceSpec, amounts, make_invoice

SCAN_DPI = 170  # an office scanner's "text" setting; keeps a noisy A4 PNG under 5 MB


def render_gray(pdf: bytes, dpi: int = SCAN_DPI, max_pages: int = 5) -> list[Image.Image]:
    """Return the pages of ``pdf`` as grayscale images."""
    with PDFIUM_LOCK:
        doc = pdfium.PdfDocument(pdf)
        try:
            return [doc[i].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
                    for i in range(min(len(doc), max_pages))]
        finally:
            doc.close()


def degrade(image: Image.Image, rng: random.Random) -> Image.Image:
    """Return ``image`` slightly rotated, blurred and noisy, like a scan."""
    angle = rng.uniform(-0.8, 0.8)
    out = image.rotate(angle, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=255)
    out = out.filter(ImageFilter.GaussianBlur(0.6))
    noise = Image.effect_noise(out.size, 60).convert("L")
    return Image.blend(out, noise, 0.10)


def make_scan(pdf: bytes, fmt: str = "png", seed: int = 0, dpi: int = SCAN_DPI) -> bytes:
    """Return a scan of ``pdf``: "png" or "jpeg" (first page) or "pdf" (image-only, all pages)."""
    rng = random.Random(seed)
    pages = [degrade(page, rng) for page in render_gray(pdf, dpi)]
    buffer = io.BytesIO()
    if fmt == "png":
        pages[0].save(buffer, format="PNG", optimize=False)
    elif fmt == "jpeg":
        pages[0].save(buffer, format="JPEG", quality=80)
    elif fmt == "pdf":
        _image_pdf(pages, buffer)
    else:
        raise ValueError(f"unknown scan format {fmt!r}")
    return buffer.getvalue()


def _image_pdf(pages: list[Image.Image], buffer: io.BytesIO) -> None:
    sheet = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    for page in pages:
        jpeg = io.BytesIO()
        page.save(jpeg, format="JPEG", quality=80)
        jpeg.seek(0)
        sheet.drawImage(ImageReader(jpeg), 0, 0, width=A4[0], height=A4[1])
        sheet.showPage()
    sheet.save()


def cii_xml(spec: InvoiceSpec, grand_total: Decimal | None = None,
            pro_forma: str | None = None) -> bytes:
    """Return a Factur-X BASIC WL CII XML for ``spec`` (the total may be overridden)."""
    base, vat, grand = amounts(spec)
    grand = grand if grand_total is None else grand_total
    type_code = "381" if spec.credit_note else "380"
    ref = pro_forma if pro_forma is not None else (spec.pro_forma_text or "")
    number = escape(spec.invoice_number or "")
    return _CII.format(number=number, type_code=type_code, ref=escape(ref),
                       name=escape(spec.cfa_name), siret=spec.siret, iban=spec.iban,
                       base=f"{abs(base):.2f}", vat=f"{abs(vat):.2f}",
                       grand=f"{abs(grand):.2f}").encode("utf-8")


def make_facturx(spec: InvoiceSpec, grand_total: Decimal | None = None) -> bytes:
    """Return a Factur-X PDF: the visible invoice of ``spec`` with its CII XML embedded."""
    from facturx import generate_from_binary

    xml = cii_xml(spec, grand_total)
    return generate_from_binary(make_invoice(spec), xml, flavor="factur-x", level="basicwl",
                                check_xsd=True)


_CII = """<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
 xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
 xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
 xmlns:qdt="urn:un:unece:uncefact:data:standard:QualifiedDataType:100">
 <rsm:ExchangedDocumentContext>
  <ram:GuidelineSpecifiedDocumentContextParameter>
   <ram:ID>urn:factur-x.eu:1p0:basicwl</ram:ID>
  </ram:GuidelineSpecifiedDocumentContextParameter>
 </rsm:ExchangedDocumentContext>
 <rsm:ExchangedDocument>
  <ram:ID>{number}</ram:ID>
  <ram:TypeCode>{type_code}</ram:TypeCode>
  <ram:IssueDateTime>
   <udt:DateTimeString format="102">20240315</udt:DateTimeString>
  </ram:IssueDateTime>
 </rsm:ExchangedDocument>
 <rsm:SupplyChainTradeTransaction>
  <ram:ApplicableHeaderTradeAgreement>
   <ram:BuyerReference>{ref}</ram:BuyerReference>
   <ram:SellerTradeParty>
    <ram:Name>{name}</ram:Name>
    <ram:SpecifiedLegalOrganization>
     <ram:ID schemeID="0009">{siret}</ram:ID>
    </ram:SpecifiedLegalOrganization>
    <ram:PostalTradeAddress><ram:CountryID>FR</ram:CountryID></ram:PostalTradeAddress>
   </ram:SellerTradeParty>
   <ram:BuyerTradeParty><ram:Name>Opco EP</ram:Name></ram:BuyerTradeParty>
   <ram:BuyerOrderReferencedDocument>
    <ram:IssuerAssignedID>{ref}</ram:IssuerAssignedID>
   </ram:BuyerOrderReferencedDocument>
  </ram:ApplicableHeaderTradeAgreement>
  <ram:ApplicableHeaderTradeDelivery/>
  <ram:ApplicableHeaderTradeSettlement>
   <ram:InvoiceCurrencyCode>EUR</ram:InvoiceCurrencyCode>
   <ram:SpecifiedTradeSettlementPaymentMeans>
    <ram:TypeCode>58</ram:TypeCode>
    <ram:PayeePartyCreditorFinancialAccount>
     <ram:IBANID>{iban}</ram:IBANID>
    </ram:PayeePartyCreditorFinancialAccount>
   </ram:SpecifiedTradeSettlementPaymentMeans>
   <ram:ApplicableTradeTax>
    <ram:CalculatedAmount>{vat}</ram:CalculatedAmount>
    <ram:TypeCode>VAT</ram:TypeCode>
    <ram:ExemptionReason>Exonération article 261-4-4° du CGI</ram:ExemptionReason>
    <ram:BasisAmount>{base}</ram:BasisAmount>
    <ram:CategoryCode>E</ram:CategoryCode>
    <ram:RateApplicablePercent>0</ram:RateApplicablePercent>
   </ram:ApplicableTradeTax>
   <ram:SpecifiedTradeSettlementHeaderMonetarySummation>
    <ram:LineTotalAmount>{base}</ram:LineTotalAmount>
    <ram:TaxBasisTotalAmount>{base}</ram:TaxBasisTotalAmount>
    <ram:TaxTotalAmount currencyID="EUR">{vat}</ram:TaxTotalAmount>
    <ram:GrandTotalAmount>{grand}</ram:GrandTotalAmount>
    <ram:DuePayableAmount>{grand}</ram:DuePayableAmount>
   </ram:SpecifiedTradeSettlementHeaderMonetarySummation>
  </ram:ApplicableHeaderTradeSettlement>
 </rsm:SupplyChainTradeTransaction>
</rsm:CrossIndustryInvoice>
"""
