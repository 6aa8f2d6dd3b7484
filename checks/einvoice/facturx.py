"""Facts read from the structured invoice embedded in a PDF, by meaning, in every version.

Syntaxes read (by the root element, whatever the namespace prefix or version):

- CII ``CrossIndustryInvoice``: Factur-X 1.0 (every profile), ZUGFeRD 2.x, XRechnung CII;
- CII ``CrossIndustryDocument``: ZUGFeRD 1.0 (``HeaderExchangedDocument``,
  ``SpecifiedTradeSettlementMonetarySummation`` under ``ApplicableSupplyChainTradeSettlement``);
- UBL 2.1 ``Invoice`` and ``CreditNote`` (XRechnung UBL, Peppol BIS) when embedded.

The attachment is found with pypdf among the PDF's embedded files (names tree, then the
catalog's ``/AF``), whatever its name: ``factur-x.xml``, ``zugferd-invoice.xml``,
``ZUGFeRD-invoice.xml``, ``xrechnung.xml``, then any other ``.xml`` whose root is one of the
above. The XML is parsed without entities, network or huge trees.
"""

from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from lxml import etree

# Libraries log a warning for every PDF without XML; that is the common case here.
logging.getLogger("factur-x").setLevel(logging.CRITICAL)
logging.getLogger("facturx").setLevel(logging.CRITICAL)
logging.getLogger("pypdf").setLevel(logging.CRITICAL)

_SAFE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                               load_dtd=False)
CREDIT_NOTE_CODES = frozenset({"381", "261", "262", "396", "532"})
MAX_XML_BYTES = 5 * 1024 * 1024  # an invoice's XML is a few kB to a few hundred kB
MAX_ATTACHMENTS = 20
_PREFERRED = ("factur-x.xml", "zugferd-invoice.xml", "xrechnung.xml", "order-x.xml")
CII, ZUGFERD1, UBL = "cii", "zugferd1", "ubl"


@dataclass(frozen=True)
class XmlLine:
    """One invoice line of the XML: its id, name and net amount."""

    line_id: str | None
    name: str | None
    amount: Decimal | None


@dataclass(frozen=True)
class XmlFacts:
    """What the embedded XML says; None (or empty) where the XML is silent."""

    invoice_number: str | None
    type_code: str | None
    references: tuple[str, ...]
    grand_total: Decimal | None
    due_payable: Decimal | None
    sirets: tuple[str, ...]
    ibans: tuple[str, ...]
    syntax: str = CII
    attachment: str = ""
    currency: str | None = None
    net_total: Decimal | None = None  # TaxBasisTotalAmount / TaxExclusiveAmount
    line_total: Decimal | None = None  # LineTotalAmount / LineExtensionAmount
    vat_total: Decimal | None = None  # TaxTotalAmount / TaxTotal/TaxAmount
    prepaid: Decimal | None = None  # TotalPrepaidAmount / PrepaidAmount
    vat_ids: tuple[str, ...] = ()
    lines: tuple[XmlLine, ...] = ()
    credit_root: bool = False  # the UBL root is CreditNote

    @property
    def credit_note(self) -> bool:
        """Return True when the document is a credit note (type 381 and kin, UBL CreditNote)."""
        return self.credit_root or self.type_code in CREDIT_NOTE_CODES


def has_attachments(data: bytes) -> bool:
    """Cheap pre-test: only PDFs with embedded files can carry an XML invoice."""
    return b"/EmbeddedFile" in data or b"/AF" in data


def read_facturx(data: bytes) -> XmlFacts | None:
    """Return the facts of the embedded XML invoice, or None when there is none or it is bad."""
    if not has_attachments(data):
        return None
    for name, xml_bytes in _xml_attachments(data):
        facts = parse_invoice_xml(xml_bytes, name)
        if facts is not None:
            return facts
    return None


def _xml_attachments(data: bytes) -> list[tuple[str, bytes]]:
    """Return the embedded ``.xml`` files, the conventional invoice names first."""
    from pypdf import PdfReader  # imported lazily: most deposits carry no attachment

    found: list[tuple[str, bytes]] = []
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        for name, contents in list(reader.attachments.items())[:MAX_ATTACHMENTS]:
            for content in contents[:2]:
                found.append((name, content))
        if not found:
            found = _af_files(reader)
    except Exception:  # a broken attachment must not block the visible text
        return []
    xml = [(n, c) for n, c in found if len(c) <= MAX_XML_BYTES
           and (n.lower().endswith(".xml") or c.lstrip()[:5] == b"<?xml")]
    return sorted(xml, key=lambda item: _rank(item[0]))


def _af_files(reader: object) -> list[tuple[str, bytes]]:
    """Embedded files listed only in the catalog's associated files (``/AF``)."""
    root = reader.trailer["/Root"]  # type: ignore[attr-defined]
    out: list[tuple[str, bytes]] = []
    for spec in list(root.get("/AF", []) or [])[:MAX_ATTACHMENTS]:
        spec = spec.get_object()
        name = str(spec.get("/UF") or spec.get("/F") or "")
        stream = spec.get("/EF", {}).get("/F")
        if stream is not None:
            out.append((name, stream.get_object().get_data()))
    return out


def _rank(name: str) -> int:
    lowered = name.lower()
    return _PREFERRED.index(lowered) if lowered in _PREFERRED else len(_PREFERRED)


def parse_invoice_xml(xml_bytes: bytes, attachment: str = "") -> XmlFacts | None:
    """Return the facts of a CII (any version) or UBL invoice, or None for anything else."""
    try:
        root = etree.fromstring(xml_bytes, parser=_SAFE_PARSER)
    except (etree.XMLSyntaxError, ValueError):
        return None
    if not isinstance(root.tag, str):
        return None
    kind = etree.QName(root).localname
    if kind == "CrossIndustryInvoice":
        return _cii(root, attachment, CII)
    if kind == "CrossIndustryDocument":
        return _cii(root, attachment, ZUGFERD1)
    if kind in ("Invoice", "CreditNote"):
        return _ubl(root, attachment, kind == "CreditNote")
    return None


def parse_cii(xml_bytes: bytes) -> XmlFacts | None:
    """Return the facts of a CII XML document (kept for callers of the first version)."""
    return parse_invoice_xml(xml_bytes)


def _cii(root: etree._Element, attachment: str, syntax: str) -> XmlFacts:
    if syntax == ZUGFERD1:
        header, summation = "HeaderExchangedDocument", (
            "ApplicableSupplyChainTradeSettlement", "SpecifiedTradeSettlementMonetarySummation")
    else:
        header, summation = "ExchangedDocument", (
            "ApplicableHeaderTradeSettlement", "SpecifiedTradeSettlementHeaderMonetarySummation")
    currency = _first(root, "//*[local-name()='InvoiceCurrencyCode']")
    money = _summation(root, summation, currency)
    seller = "//*[local-name()='SellerTradeParty']"
    return XmlFacts(
        invoice_number=_first(root, f"//*[local-name()='{header}']/*[local-name()='ID']"),
        type_code=_first(root, f"//*[local-name()='{header}']/*[local-name()='TypeCode']"),
        references=tuple(dict.fromkeys(
            _all(root, "//*[local-name()='BuyerOrderReferencedDocument']/*[local-name()="
                       "'IssuerAssignedID' or local-name()='ID']")
            + _all(root, "//*[local-name()='BuyerReference']"))),
        grand_total=money.get("GrandTotalAmount"),
        due_payable=money.get("DuePayableAmount"),
        sirets=tuple(_sirets(_all(root, f"{seller}//*[local-name()='ID' or "
                                        "local-name()='GlobalID']"))),
        ibans=tuple(_compact(_all(root, "//*[local-name()='PayeePartyCreditorFinancialAccount']"
                                        "/*[local-name()='IBANID']"))),
        syntax=syntax,
        attachment=attachment,
        currency=currency,
        net_total=money.get("TaxBasisTotalAmount"),
        line_total=money.get("LineTotalAmount"),
        vat_total=money.get("TaxTotalAmount"),
        prepaid=money.get("TotalPrepaidAmount"),
        vat_ids=tuple(_compact(_all(root, f"{seller}/*[local-name()='SpecifiedTaxRegistration']"
                                          "/*[local-name()='ID']"))),
        lines=tuple(_cii_lines(root)),
    )


def _summation(root: etree._Element, path: tuple[str, str],
               currency: str | None) -> dict[str, Decimal]:
    """Return the header monetary summation's amounts; of repeated ones (TaxTotalAmount in
    the invoice and the accounting currency) the one in the invoice's currency."""
    nodes = _nodes(root, f"//*[local-name()='{path[0]}']/*[local-name()='{path[1]}']/*")
    out: dict[str, Decimal] = {}
    for node in nodes:
        name = etree.QName(node).localname
        value = _money(node.text)
        if value is None:
            continue
        cur = node.get("currencyID")
        if name not in out or (currency is not None and cur == currency):
            out[name] = value
    return out


def _cii_lines(root: etree._Element) -> list[XmlLine]:
    out = []
    for item in _nodes(root, "//*[local-name()='IncludedSupplyChainTradeLineItem']"):
        line_id = _first(item, "./*[local-name()='AssociatedDocumentLineDocument']"
                               "/*[local-name()='LineID']")
        name = _first(item, "./*[local-name()='SpecifiedTradeProduct']/*[local-name()='Name']")
        amount = _money(_first(item, ".//*[local-name()='LineTotalAmount']"))
        out.append(XmlLine(line_id, name, amount))
    return out


def _ubl(root: etree._Element, attachment: str, credit_root: bool) -> XmlFacts:
    def cbc(path: str) -> str | None:
        return _first(root, path)

    totals = "./*[local-name()='LegalMonetaryTotal']/*[local-name()='{}']"
    supplier = "./*[local-name()='AccountingSupplierParty']/*[local-name()='Party']"
    currency = cbc("./*[local-name()='DocumentCurrencyCode']")
    tax = _nodes(root, "./*[local-name()='TaxTotal']/*[local-name()='TaxAmount']")
    vat = next((n for n in tax if currency is None or n.get("currencyID") == currency),
               tax[0] if tax else None)
    return XmlFacts(
        invoice_number=cbc("./*[local-name()='ID']"),
        type_code=cbc("./*[local-name()='InvoiceTypeCode' or local-name()='CreditNoteTypeCode']"),
        references=tuple(dict.fromkeys(
            _all(root, "./*[local-name()='OrderReference']/*[local-name()='ID']")
            + _all(root, "./*[local-name()='BuyerReference']"))),
        grand_total=_money(cbc(totals.format("TaxInclusiveAmount"))),
        due_payable=_money(cbc(totals.format("PayableAmount"))),
        sirets=tuple(_sirets(_all(root, f"{supplier}//*[local-name()='CompanyID' or "
                                        "local-name()='ID' or local-name()='EndpointID']"))),
        ibans=tuple(_compact(_all(root, "./*[local-name()='PaymentMeans']/*[local-name()="
                                        "'PayeeFinancialAccount']/*[local-name()='ID']"))),
        syntax=UBL,
        attachment=attachment,
        currency=currency,
        net_total=_money(cbc(totals.format("TaxExclusiveAmount"))),
        line_total=_money(cbc(totals.format("LineExtensionAmount"))),
        vat_total=_money(vat.text) if vat is not None else None,
        prepaid=_money(cbc(totals.format("PrepaidAmount"))),
        vat_ids=tuple(_compact(_all(root, f"{supplier}/*[local-name()='PartyTaxScheme']"
                                          "/*[local-name()='CompanyID']"))),
        lines=tuple(_ubl_lines(root)),
        credit_root=credit_root,
    )


def _ubl_lines(root: etree._Element) -> list[XmlLine]:
    out = []
    for item in _nodes(root, "./*[local-name()='InvoiceLine' or local-name()='CreditNoteLine']"):
        out.append(XmlLine(_first(item, "./*[local-name()='ID']"),
                           _first(item, "./*[local-name()='Item']/*[local-name()='Name']"),
                           _money(_first(item, "./*[local-name()='LineExtensionAmount']"))))
    return out


def _nodes(root: etree._Element, path: str) -> list[etree._Element]:
    """Return the elements ``path`` selects (an XPath of elements only)."""
    found = root.xpath(path)
    if not isinstance(found, list):
        return []
    return [n for n in found if isinstance(n, etree._Element)]


def _all(root: etree._Element, path: str) -> list[str]:
    return [(n.text or "").strip() for n in _nodes(root, path) if (n.text or "").strip()]


def _first(root: etree._Element, path: str) -> str | None:
    values = _all(root, path)
    return values[0] if values else None


def _money(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        return Decimal(text.strip()).quantize(Decimal("0.01"))
    except InvalidOperation:
        return None


def _sirets(values: list[str]) -> list[str]:
    """SIRETs (14 digits) among the seller's identifiers; a SIREN alone is not one."""
    compact = [re.sub(r"\s", "", v) for v in values]
    return list(dict.fromkeys(v for v in compact if re.fullmatch(r"\d{14}", v)))


def _compact(values: list[str]) -> list[str]:
    return list(dict.fromkeys(re.sub(r"\s", "", v).upper() for v in values))
