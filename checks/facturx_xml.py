"""Facts read from the Factur-X / ZUGFeRD CII XML embedded in a PDF (library ``factur-x``)."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from lxml import etree

# The library logs a warning for every PDF without XML; that is the common case here.
logging.getLogger("factur-x").setLevel(logging.CRITICAL)
logging.getLogger("facturx").setLevel(logging.CRITICAL)

_SAFE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
CREDIT_NOTE_CODES = frozenset({"381", "261", "262", "396", "532"})


@dataclass(frozen=True)
class XmlFacts:
    """What the embedded XML says; None where the XML is silent."""

    invoice_number: str | None
    type_code: str | None
    references: tuple[str, ...]
    grand_total: Decimal | None
    due_payable: Decimal | None
    sirets: tuple[str, ...]
    ibans: tuple[str, ...]

    @property
    def credit_note(self) -> bool:
        """Return True when the document type is a credit note (381 and kin)."""
        return self.type_code in CREDIT_NOTE_CODES


def has_attachments(data: bytes) -> bool:
    """Cheap pre-test: only PDFs with embedded files can carry Factur-X XML."""
    return b"/EmbeddedFile" in data or b"/AF" in data


def read_facturx(data: bytes) -> XmlFacts | None:
    """Return the facts of the embedded Factur-X XML, or None when there is none or it is bad."""
    if not has_attachments(data):
        return None
    from facturx import get_xml_from_pdf  # imported lazily: pulls in pypdf

    try:
        _name, xml_bytes = get_xml_from_pdf(data, check_xsd=False)
    except Exception:  # a broken attachment must not block the visible text
        return None
    if not xml_bytes:
        return None
    return parse_cii(xml_bytes)


def parse_cii(xml_bytes: bytes) -> XmlFacts | None:
    """Return the facts of a CII XML document, or None when it cannot be parsed."""
    try:
        root = etree.fromstring(xml_bytes, parser=_SAFE_PARSER)
    except etree.XMLSyntaxError:
        return None
    return XmlFacts(
        invoice_number=_first(root, "ExchangedDocument", "ID"),
        type_code=_first(root, "ExchangedDocument", "TypeCode"),
        references=tuple(_all(root, "BuyerOrderReferencedDocument", "IssuerAssignedID")
                         + _all(root, "ApplicableHeaderTradeAgreement", "BuyerReference")),
        grand_total=_money(_first(root, "SpecifiedTradeSettlementHeaderMonetarySummation",
                                  "GrandTotalAmount")),
        due_payable=_money(_first(root, "SpecifiedTradeSettlementHeaderMonetarySummation",
                                  "DuePayableAmount")),
        sirets=tuple(_seller_sirets(root)),
        ibans=tuple(_all(root, "PayeePartyCreditorFinancialAccount", "IBANID")),
    )


def _all(root: etree._Element, parent: str, child: str) -> list[str]:
    path = f"//*[local-name()='{parent}']/*[local-name()='{child}']"
    return [(node.text or "").strip() for node in root.xpath(path) if (node.text or "").strip()]


def _first(root: etree._Element, parent: str, child: str) -> str | None:
    values = _all(root, parent, child)
    return values[0] if values else None


def _money(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        return Decimal(text).quantize(Decimal("0.01"))
    except InvalidOperation:
        return None


def _seller_sirets(root: etree._Element) -> list[str]:
    path = ("//*[local-name()='SellerTradeParty']//*[local-name()='ID' or "
            "local-name()='GlobalID']")
    values = [re.sub(r"\s", "", node.text or "") for node in root.xpath(path)]
    return [v for v in values if re.fullmatch(r"\d{14}", v)]
