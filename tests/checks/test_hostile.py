"""Hostile deposits beyond test_validate / test_fuzz: forged names, thousands of pages, deep
nesting, hidden JavaScript, PDF/ZIP polyglots — each refused (or safely handled) with one
French sentence within a time bound, and through the workflow deposit nothing is stored.

JavaScript behind PDF name escapes or inside a compressed object stream was a hole of
``checks`` (pinned with strict xfails until fixed); both are now refused.
"""

from __future__ import annotations

import io
import time
import zipfile
import zlib

import pytest
from sqlalchemy import func, select

from checks import Expected, FileRejected, check_document
from db.models import Document, Event, ProForma
from domain.errors import InvalidInput
from tests.checks.helpers import build_pdf
from tests.checks.test_validate import hand_pdf, pdf_bytes
from tests.workflow.reviewkit import generate
from workflow.billing import portal
from workflow.deposits import deposits

LIMIT_S = 10.0  # a refusal or a verdict, whatever the file, within this many seconds


def many_pages(count: int) -> bytes:
    """A valid PDF of ``count`` empty pages, made in milliseconds."""
    kids = " ".join(f"{i + 3} 0 R" for i in range(count))
    page = "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"
    return build_pdf(["<< /Type /Catalog /Pages 2 0 R >>",
                      f"<< /Type /Pages /Kids [{kids}] /Count {count} >>", *[page] * count])


def objstm_javascript() -> bytes:
    """An /OpenAction whose JavaScript action sits in a compressed object stream (PDF 1.5)."""
    packed = zlib.compress(b"4 0 << /S /JavaScript /JS (app.alert\\(1\\)) >>")
    plain = [
        (1, b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>"),
        (2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"),
        (3, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"),
        (5, b"<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length %d >>\nstream\n"
            % len(packed) + packed + b"\nendstream"),
    ]
    out, offsets = bytearray(b"%PDF-1.7\n"), {}
    for number, body in plain:
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    offsets[6] = len(out)
    rows = b"\x00" + bytes(4) + b"\xff\xff"
    for number in range(1, 7):
        kind, field = (2, 5) if number == 4 else (1, offsets[number])
        rows += bytes([kind]) + field.to_bytes(4, "big") + (0).to_bytes(2, "big")
    out += (b"6 0 obj\n<< /Type /XRef /Size 7 /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n"
            % len(rows) + rows + b"\nendstream\nendobj\n")
    out += b"startxref\n%d\n%%%%EOF\n" % offsets[6]
    return bytes(out)


def zip_bytes(payload: int = 100) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("evil.exe", b"MZ" + bytes(payload))
    return buffer.getvalue()


def outcome(data: bytes, name: str) -> FileRejected | None:
    """Run the checks' entry point within the time bound; the refusal, or None if read."""
    start = time.monotonic()
    try:
        check_document(data, name, Expected(total=None), deadline_s=LIMIT_S)
        refused = None
    except FileRejected as exc:
        assert exc.message[0].isupper() and "\n" not in exc.message  # one French sentence
        refused = exc
    assert time.monotonic() - start < LIMIT_S
    return refused


LINK_JS = ("<< /Type /Annot /Subtype /Link /Rect [0 0 99 99] /A << /S /JavaScript "
           "/JS (app.alert\\(1\\)) >> >>")
# Files refused by ``checks`` (name, bytes, expected code), each also deposited below.
REFUSED = [
    ("facture.pdf", many_pages(3000), "too_many_pages"),  # thousands of pages
    ("facture.pdf", build_pdf([  # JavaScript in a link annotation, not the catalog
        "<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Annots [4 0 R] >>", LINK_JS,
    ]), "active_content"),
    ("facture.pdf", hand_pdf("/Names << /JavaScript << /Names [(a) << /S /JavaScript /JS (1) "
                             ">>] >> >>"), "active_content"),  # document-level named script
    ("facture.pdf", hand_pdf("/OpenAction << /S /Launch /F (cmd.exe) >>"), "active_content"),
    ("facture.pdf", zip_bytes() + pdf_bytes(), "bad_type"),  # ZIP first: not a PDF
    ("facture.pdf", pdf_bytes() + zip_bytes(4096), "corrupt"),  # big ZIP tail: no %%EOF
    ("facture.pdf\x00.exe", pdf_bytes(), "bad_name"),  # NUL-truncation trick
    ("facture\u202efdp.exe", pdf_bytes(), "bad_name"),  # right-to-left override spoof
]


@pytest.mark.parametrize(("name", "data", "code"), REFUSED)
def test_refused_by_the_checks_within_the_time_bound(name, data, code):
    refused = outcome(data, name)
    assert refused is not None and refused.code == code


@pytest.mark.parametrize("depth", [3_000])  # three times Python's recursion limit
@pytest.mark.parametrize("shape", ["array", "dict"])
def test_deeply_nested_objects_are_handled_within_the_time_bound(shape, depth):
    deep = "[" * depth + "]" * depth if shape == "array" else \
        "<< /A " * depth + "1" + " >>" * depth
    outcome(hand_pdf(f"/Deep {deep}"), "facture.pdf")  # refused or read; never a crash


def test_pdf_with_a_small_zip_appended_is_read_as_the_pdf_it_is():
    polyglot = pdf_bytes() + zip_bytes()
    assert outcome(polyglot, "facture.pdf") is None  # safely handled: stored as a PDF only
    assert outcome(polyglot, "facture.zip").code == "bad_type"


def test_javascript_behind_name_escapes_is_refused():
    data = hand_pdf("/OpenAction << /S /J#61vaScript /J#53 (app.alert\\(1\\)) >>")
    refused = outcome(data, "facture.pdf")
    assert refused is not None and refused.code == "active_content"


def test_javascript_inside_an_object_stream_is_refused():
    refused = outcome(objstm_javascript(), "facture.pdf")
    assert refused is not None and refused.code == "active_content"


# Names the workflow refuses before the checks run (control and bidi characters).
BAD_NAMES = ["fac\x00ture.pdf", "fac\x1b[31mture.pdf", "facture\n.pdf", "facture\r.pdf",
             "fac\tture.pdf", "fac\x7fture.pdf", "facture\u202egpj.pdf",
             # issue 17 item 8: C1 controls, Arabic letter mark, line separator, zero width
             # space, fullwidth slashes
             "fac\u0085ture.pdf", "fac\u009bture.pdf", "fac\u061cture.pdf",
             "fac\u2028ture.pdf", "fac\u200bture.pdf", "..\uff0f..\uff0fture.pdf",
             "..\uff3cfacture.pdf"]


def _stored(factory, pf_id: int) -> tuple:
    with factory() as s:
        pf = s.get_one(ProForma, pf_id)
        return (pf.status, pf.version, pf.deposited_at,
                s.scalar(select(func.count(Document.id))),
                s.scalar(select(func.count(Event.id))))


def test_hostile_deposits_store_nothing(world, factory):
    pf_id = generate(world, factory, [world.contracts1[0]])[0]
    before = _stored(factory, pf_id)
    corpus = [(name, data) for name, data, _ in REFUSED]
    corpus += [(name, pdf_bytes()) for name in BAD_NAMES]
    corpus += [("facture.pdf", b""), ("f" * 47 + ".pdf", pdf_bytes()),
               ("facture.pdf", pdf_bytes(encrypt="secret")),
               ("facture.pdf", pdf_bytes()[:300])]
    for name, data in corpus:
        start = time.monotonic()
        with pytest.raises(InvalidInput) as pre:  # the pre-check opens its own transactions
            portal.precheck(factory, world.cfa1, pf_id, data, name)
        with pytest.raises(InvalidInput) as dep, factory.begin() as s:
            deposits.deposit(s, world.cfa1, pf_id, data, name)
        for info in (pre, dep):
            assert info.value.message[0].isupper() and "\n" not in info.value.message
        assert time.monotonic() - start < 2 * LIMIT_S, repr(name)
        assert _stored(factory, pf_id) == before, repr(name)


@pytest.mark.parametrize("name", ["../../../etc/facture.pdf", "..\\..\\Windows\\facture.pdf",
                                  "/" + "d" * 60 + "/facture.pdf"])
def test_a_path_in_the_name_is_dropped_before_storing(world, factory, name):
    pf_id = generate(world, factory, [world.contracts1[0]])[0]
    with factory.begin() as s:
        deposits.deposit(s, world.cfa1, pf_id, pdf_bytes(), name)
    with factory() as s:
        assert s.scalars(select(Document.filename)).one() == "facture.pdf"
