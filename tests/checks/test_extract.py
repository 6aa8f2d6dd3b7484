"""Extraction: same words as pdfplumber, OCR fallback and its absence, the deadline."""

from __future__ import annotations

import io
import random
from decimal import Decimal

import pdfplumber
import pytest

from checks import Expected, FileRejected, check_document
from checks.pdf import extract as extract_module
from checks.pdf.extract import _page_words
from specimens import InvoiceSpec, make_facturx, make_invoice, make_scan
from specimens.corpus import random_spec


@pytest.mark.parametrize("layout", ["table", "multipage", "english", "stacked"])
def test_words_are_exactly_pdfplumbers(layout: str) -> None:
    data = make_invoice(random_spec(random.Random(7), layout))
    with pdfplumber.open(io.BytesIO(data)) as ref, pdfplumber.open(io.BytesIO(data)) as mine:
        for number, (a, b) in enumerate(zip(ref.pages, mine.pages, strict=True), start=1):
            expected = [(w["text"], w["x0"], w["top"], w["x1"], w["bottom"])
                        for w in a.extract_words()]
            got = [(w.text, w.x0, w.top, w.x1, w.bottom) for w in _page_words(b, number).words]
            assert got == expected


def test_ocr_unavailable_gives_unknown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(extract_module, "ocr_available", lambda: False)
    scan = make_scan(make_invoice(InvoiceSpec()), "pdf")
    report = check_document(scan, "scan.pdf", Expected(total=Decimal("9654.00")))
    assert report.outcome("file") == "pass"
    for check in report.checks[1:]:
        assert check.outcome == "unknown"
        assert "OCR" in check.message and "indisponible" in check.message


def test_image_without_ocr_is_unknown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(extract_module, "ocr_available", lambda: False)
    png = make_scan(make_invoice(InvoiceSpec()), "png")
    report = check_document(png, "scan.png", Expected(total=Decimal("9654.00")))
    assert report.text_source == "none"
    assert {c.outcome for c in report.checks[1:]} == {"unknown"}


def test_deadline_refuses_with_timeout() -> None:
    with pytest.raises(FileRejected) as info:
        check_document(make_invoice(InvoiceSpec()), "a.pdf", Expected(), deadline_s=0)
    assert info.value.code == "timeout"


def test_facturx_credit_note_type_381() -> None:
    spec = InvoiceSpec(layout="credit_note", credit_note=True, invoice_number="AV-2024-7")
    report = check_document(make_facturx(spec), "avoir.pdf",
                            Expected("PRO-00603901", Decimal("-9654.00"), True, spec.siret,
                                     spec.iban))
    assert report.text_source == "factur-x"
    assert {c.name: c.outcome for c in report.checks} == dict.fromkeys(
        ["file", "pro_forma_number", "total", "invoice_number", "siret", "iban"], "pass")


def test_facturx_xml_total_disagreeing_is_never_a_pass() -> None:
    spec = InvoiceSpec()
    data = make_facturx(spec, grand_total=Decimal("9999.00"))
    report = check_document(data, "fx.pdf", Expected(total=Decimal("9654.00")))
    assert report.outcome("total") == "unknown"
    assert "XML Factur-X" in report.result("total").message
    report = check_document(data, "fx.pdf", Expected(total=Decimal("9999.00")))
    assert report.outcome("total") == "unknown"


def test_report_json_amounts_are_decimal_strings() -> None:
    report = check_document(make_invoice(InvoiceSpec()), "a.pdf", Expected())
    out = report.to_json()
    assert out["found"]["total"] == "9654.00"
    assert report.page_count == 1 and report.media_type == "application/pdf"
