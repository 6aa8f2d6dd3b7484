"""File validation on hostile and broken files, all made in the test."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from reportlab.pdfgen import canvas

from checks import MAX_BYTES, FileRejected, check_document, validate_file
from checks.model import Expected
from tests.checks.helpers import build_pdf


def pdf_bytes(pages: int = 1, encrypt: str | None = None) -> bytes:
    buffer = io.BytesIO()
    sheet = canvas.Canvas(buffer, encrypt=encrypt)
    for i in range(pages):
        sheet.drawString(72, 720, f"Facture n° FA-{i} Total TTC 100,00 €")
        sheet.showPage()
    sheet.save()
    return buffer.getvalue()


def image_bytes(fmt: str, size: tuple[int, int] = (200, 100), mode: str = "L") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, 255).save(buffer, format=fmt)
    return buffer.getvalue()


def hand_pdf(extra: str) -> bytes:
    """Return a minimal, well-formed one-page PDF whose catalog holds ``extra``."""
    objects = [f"<< /Type /Catalog /Pages 2 0 R {extra} >>",
               "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"]
    return build_pdf(objects)


def rejected(data: bytes, name: str) -> FileRejected:
    with pytest.raises(FileRejected) as info:
        validate_file(data, name)
    message = info.value.message
    assert "\n" not in message and message[0].isupper()  # one French line
    return info.value


@pytest.mark.parametrize(("name", "fmt", "media"), [
    ("facture.pdf", "PDF", "application/pdf"), ("scan.jpg", "JPEG", "image/jpeg"),
    ("scan.JPEG", "JPEG", "image/jpeg"), ("scan.png", "PNG", "image/png"),
    ("scan.gif", "GIF", "image/gif"),
])
def test_accepted_types(name: str, fmt: str, media: str) -> None:
    data = pdf_bytes() if fmt == "PDF" else image_bytes(fmt)
    assert validate_file(data, name) == media


@pytest.mark.parametrize(("data", "name", "code"), [
    (b"", "facture.pdf", "empty"),  # zero bytes
    (b"Bonjour, ceci n'est pas un PDF", "facture.pdf", "bad_type"),  # wrong magic under .pdf
    (b"MZ\x90\x00\x03" + b"\x00" * 200, "facture.pdf", "bad_type"),  # an .exe renamed
    (b"PK\x03\x04" + b"\x00" * 200, "facture.pdf", "bad_type"),  # a zip / docx renamed
])
def test_refused_content(data: bytes, name: str, code: str) -> None:
    assert rejected(data, name).code == code


def test_extension_must_agree_with_content() -> None:
    assert rejected(image_bytes("PNG"), "facture.jpg").code == "bad_type"
    assert rejected(pdf_bytes(), "facture.docx").code == "bad_type"
    assert rejected(pdf_bytes(), "facture").code == "bad_type"


def test_size_limit_is_five_mebibytes() -> None:
    data = pdf_bytes()
    padded = data + b"\n" * (MAX_BYTES - len(data))
    padded = padded[:-6] + b"%%EOF\n"
    assert len(padded) == MAX_BYTES and validate_file(padded, "a.pdf") == "application/pdf"
    error = rejected(padded + b"\n", "a.pdf")
    assert error.code == "too_large" and "5 Mo" in error.message


def test_name_limit_is_fifty_characters() -> None:
    assert validate_file(pdf_bytes(), "f" * 46 + ".pdf") == "application/pdf"
    assert rejected(pdf_bytes(), "f" * 47 + ".pdf").code == "name_too_long"


def test_truncated_pdf() -> None:
    data = pdf_bytes()
    assert rejected(data[: len(data) // 2], "a.pdf").code == "corrupt"


def test_garbage_after_pdf_header() -> None:
    assert rejected(b"%PDF-1.4\n" + b"\x00garbage" * 50 + b"\n%%EOF\n", "a.pdf").code == "corrupt"


def test_encrypted_pdf() -> None:
    error = rejected(pdf_bytes(encrypt="secret"), "a.pdf")
    assert error.code == "encrypted" and "mot de passe" in error.message


def test_page_limit() -> None:
    assert validate_file(pdf_bytes(50), "a.pdf") == "application/pdf"
    assert rejected(pdf_bytes(51), "a.pdf").code == "too_many_pages"


def test_decompression_bomb_png() -> None:
    bomb = image_bytes("PNG", (10_000, 5_000), mode="1")  # 50 megapixels in a few kilobytes
    assert len(bomb) < 100_000
    error = rejected(bomb, "bomb.png")
    assert error.code == "too_many_pixels"


def test_huge_declared_png_beyond_pillow_limit() -> None:
    header = image_bytes("PNG", (10, 10))
    # rewrite the IHDR size to 100000 × 100000 (CRC left wrong: must still be refused cleanly)
    forged = header[:16] + (100_000).to_bytes(4, "big") * 2 + header[24:]
    assert rejected(forged, "x.png").code in ("too_many_pixels", "corrupt")


def test_truncated_png() -> None:
    data = image_bytes("PNG", (400, 400), mode="RGB")
    noisy = Image.effect_noise((400, 400), 50)
    buffer = io.BytesIO()
    noisy.save(buffer, format="PNG")
    data = buffer.getvalue()
    assert rejected(data[: len(data) // 2], "x.png").code == "corrupt"


def test_javascript_pdf() -> None:
    data = hand_pdf("/OpenAction << /S /JavaScript /JS (app.alert\\(1\\)) >>")
    assert rejected(data, "a.pdf").code == "active_content"


def test_plain_hand_made_pdf_is_accepted() -> None:
    assert validate_file(hand_pdf(""), "a.pdf") == "application/pdf"


def test_polyglot_gif_pdf() -> None:
    polyglot = image_bytes("GIF") + pdf_bytes()
    assert rejected(polyglot, "facture.pdf").code == "bad_type"  # content says GIF
    assert validate_file(polyglot, "facture.gif") == "image/gif"  # read as the image it is


def test_check_document_refuses_before_reading() -> None:
    with pytest.raises(FileRejected):
        check_document(b"", "a.pdf", Expected())


def test_path_in_name_is_ignored() -> None:
    assert validate_file(pdf_bytes(), "/tmp/" + "d" * 60 + "/facture.pdf") == "application/pdf"


# Issue 17 item 8: each character the adversarial review slipped through, and its relatives
@pytest.mark.parametrize("char", [
    "\u0085",  # NEXT LINE (C1 control)
    "\u009b",  # CONTROL SEQUENCE INTRODUCER (C1 control)
    "\u061c",  # ARABIC LETTER MARK (bidi format)
    "\u2028",  # LINE SEPARATOR (Zl)
    "\u2029",  # PARAGRAPH SEPARATOR (Zp)
    "\u200b",  # ZERO WIDTH SPACE (format)
    "\ufeff",  # ZERO WIDTH NO-BREAK SPACE (format)
    "\u202e",  # RIGHT-TO-LEFT OVERRIDE
    "\u2066",  # LEFT-TO-RIGHT ISOLATE
    "\x00", "\x1b", "\x7f",  # C0 controls and DEL
    "\uff0f",  # FULLWIDTH SOLIDUS
    "\uff3c",  # FULLWIDTH REVERSE SOLIDUS
    "\u2215",  # DIVISION SLASH
    "\u2044",  # FRACTION SLASH
    "\u29f8",  # BIG SOLIDUS
    "\ufe68",  # SMALL REVERSE SOLIDUS
    "\u2216",  # SET MINUS
    "\u0338",  # COMBINING LONG SOLIDUS OVERLAY
    "\u3164",  # HANGUL FILLER (invisible letter)
    "\ue000",  # private use
])
def test_unsafe_characters_in_names_are_refused(char: str) -> None:
    error = rejected(pdf_bytes(), f"facture{char}2026.pdf")
    assert error.code == "bad_name"
    assert f"U+{ord(char):04X}" in error.message and "Renommez le fichier" in error.message


@pytest.mark.parametrize("name", [
    "Facture n°12 (mars) – été.pdf", "фактура 2026.pdf", "請求書_2026.pdf", "facture\u00a0A.pdf",
    "Cafe\u0301 & Cie #3 [v2] +€.pdf", "[Voir](javascript:alert(1)).pdf",
])
def test_names_in_the_safe_set_are_accepted(name: str) -> None:
    assert validate_file(pdf_bytes(), name) == "application/pdf"
