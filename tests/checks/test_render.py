"""Rendered pages with the evidence boxes highlighted."""

from __future__ import annotations

import io
from decimal import Decimal

from PIL import Image

from checks import Expected, check_document
from checks.pdf.render import render_pages
from specimens import InvoiceSpec, make_invoice, make_scan

SPEC = InvoiceSpec(layout="multipage", lines=tuple(
    (f"Contrat 2024-{i:06d} – Pédagogie", Decimal("100.00")) for i in range(60)))


def _open(png: bytes) -> Image.Image:
    assert png.startswith(b"\x89PNG")
    return Image.open(io.BytesIO(png)).convert("RGB")


def test_one_png_per_page_at_resolution() -> None:
    pdf = make_invoice(SPEC)
    pages = render_pages(pdf, "application/pdf", resolution=72)
    assert len(pages) == 2
    width, height = _open(pages[0]).size
    assert abs(width - 595) <= 1 and abs(height - 842) <= 1  # A4 at 72 dpi
    assert len(render_pages(pdf, "application/pdf", max_pages=1)) == 1


def test_highlight_paints_the_evidence_box() -> None:
    pdf = make_invoice(SPEC)
    report = check_document(pdf, "a.pdf", Expected(total=Decimal("6000.00")))
    evidence = report.result("total").evidence[0]
    assert evidence.page == 2
    plain = render_pages(pdf, "application/pdf", resolution=72)[1]
    marked = render_pages(pdf, "application/pdf", resolution=72,
                          highlights={2: [evidence.bbox]})[1]
    x0, top, x1, bottom = evidence.bbox
    centre = (int((x0 + x1) / 2), int((top + bottom) / 2) - 3)
    before, after = _open(plain).getpixel(centre), _open(marked).getpixel(centre)
    assert before != after and after[0] > after[2]  # orange-red over white


def test_image_is_drawn_on_directly() -> None:
    png = make_scan(make_invoice(InvoiceSpec()), "png")
    [out] = render_pages(png, "image/png", highlights={1: [(10, 10, 200, 60)]})
    image = _open(out)
    assert image.size == Image.open(io.BytesIO(png)).size
    assert image.getpixel((100, 35))[0] > image.getpixel((100, 35))[2]


def test_xml_evidence_without_position_is_skipped() -> None:
    pdf = make_invoice(InvoiceSpec())
    assert render_pages(pdf, "application/pdf", highlights={1: [(0, 0, 0, 0)]})
