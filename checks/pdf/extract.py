"""Extract a document once into plain data: Factur-X facts, then words with boxes per page.

Order: embedded Factur-X XML (facts), the PDF text layer (pdfplumber), OCR (Tesseract) for
images and for PDF pages without text. Time is bounded by a deadline checked between pages and
passed to Tesseract; page and word counts are capped.
"""

from __future__ import annotations

import functools
import io
import logging
import re
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pdfplumber
import pypdfium2 as pdfium
from pdfminer.layout import LTChar, LTContainer, LTImage
from pdfplumber.utils.text import WordExtractor

from checks.einvoice.facturx import XmlFacts, read_facturx
from checks.model import MAX_PIXELS, FileRejected
from checks.pdf.ocr import ocr_available, ocr_page
from checks.pdf.validate import PDF, PDFIUM_LOCK, Inspection, open_image
from checks.text import Page, Word

logging.getLogger("pdfminer").setLevel(logging.ERROR)

MAX_CHARS_PER_PAGE = 100_000  # an invoice page holds a few thousand; more is not an invoice
MAX_OCR_PAGES = 6  # OCR costs ~1 s a page; the first and last pages carry what is checked
OCR_DPI = 200  # enough for 9-point text, twice as fast as 300 dpi
# A document with few pages to read gets them at the resolution Tesseract is trained for: light
# grey or small print on a low-resolution scan ("Total:", "INVOICE TOTAL") is lost at 200 dpi.
# The cost of two pages at 300 dpi stays below that of MAX_OCR_PAGES pages at 200 dpi.
FEW_PAGES_DPI = 300
FEW_PAGES = 2
# A page whose text layer is only a wrapper round a picture of the invoice (a browser's print
# header and footer round a receipt photo, a scanner's stamp): few words, and images covering
# at least half of the page. Such a page is read by OCR, like a page without text.
WRAPPER_WORDS = 20
WRAPPER_IMAGE_SHARE = 0.5


@dataclass
class Extraction:
    """The document as plain data; ``complete`` is False when some pages could not be read."""

    source: str
    pages: list[Page]
    page_count: int
    xml: XmlFacts | None = None
    complete: bool = True
    ocr_missing: bool = False
    notes: list[str] = field(default_factory=list)


class Deadline:
    """A point in time after which extraction gives up with ``FileRejected("timeout")``."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds

    def remaining(self) -> float:
        """Return the seconds left (may be negative)."""
        return self.end - time.monotonic()

    def check(self) -> None:
        """Raise ``FileRejected`` when the deadline has passed."""
        if self.remaining() <= 0:
            raise FileRejected("timeout", f"Lecture du fichier trop longue (plus de "
                               f"{self.seconds:g} s) : déposez un PDF plus simple ou plus léger.")


def extract(data: bytes, inspection: Inspection, deadline: Deadline) -> Extraction:
    """Return the document's text and facts. Raises ``FileRejected`` (corrupt, timeout)."""
    if inspection.media_type != PDF:
        return _extract_image(data, deadline)
    page_count = inspection.page_count
    xml = read_facturx(data)
    if inspection.chars and not any(inspection.chars):  # image-only PDF: no text layer at all
        pages = [Page(n, 0.0, 0.0, ()) for n in range(1, page_count + 1)]
        wrappers: set[int] = set()
    else:
        pages, wrappers = _pdf_words(data, deadline)
    result = Extraction("text", pages, page_count, xml)
    empty = [p.number for p in pages if not p.words or p.number in wrappers]
    if empty:
        _ocr_pdf_pages(data, empty, result, deadline)
    result.source = _source(result)
    return result


def _source(result: Extraction) -> str:
    if result.xml is not None:
        return "factur-x"
    if any(n.startswith("ocr") for n in result.notes):
        return "ocr"
    return "text" if any(p.words for p in result.pages) else "none"


def _pdf_words(data: bytes, deadline: Deadline) -> tuple[list[Page], set[int]]:
    """Return the words of every page, and the numbers of the pages whose text layer only
    wraps a picture of the invoice (to be read by OCR)."""
    pages: list[Page] = []
    wrappers: set[int] = set()
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            for number, page in enumerate(pdf.pages, start=1):
                deadline.check()
                words = _page_words(page, number)
                pages.append(words)
                if len(words.words) <= WRAPPER_WORDS and _image_share(page) >= \
                        WRAPPER_IMAGE_SHARE:
                    wrappers.add(number)
                page.close()  # frees the parsed layout of the page
    except FileRejected:
        raise
    except Exception:
        raise FileRejected("corrupt", "PDF illisible : son contenu n'a pas pu être lu ; "
                           "enregistrez-le à nouveau depuis votre logiciel.") from None
    return pages, wrappers


def _image_share(page: pdfplumber.page.Page) -> float:
    """Return the share of the page's area that its images cover (overlaps counted twice,
    capped at 1): read from the parsed layout, as the words are."""
    area = max(float(page.width) * float(page.height), 1.0)
    covered = sum(max(0.0, min(obj.x1, float(page.width)) - max(obj.x0, 0.0))
                  * max(0.0, min(obj.y1, float(page.height)) - max(obj.y0, 0.0))
                  for obj in _images(page.layout))
    return min(covered / area, 1.0)


def _images(objects: Iterable[Any]) -> Iterator[LTImage]:
    for obj in objects:
        if isinstance(obj, LTImage):
            yield obj
        elif isinstance(obj, LTContainer):
            yield from _images(obj)


def _page_words(page: pdfplumber.page.Page, number: int) -> Page:
    """Return the words of ``page`` exactly as ``page.extract_words()`` would, at a third of
    the cost: pdfplumber turns every character into a dict of ~20 resolved attributes
    (colours, graphic state) that words do not need; here the characters of the parsed layout
    get only the keys pdfplumber's own ``WordExtractor`` reads, computed with its formulas."""
    chars = list(_chars(page.layout, page))
    if len(chars) > MAX_CHARS_PER_PAGE:
        raise FileRejected("too_complex", f"La page {number} contient trop de texte pour une "
                           "facture : déposez seulement la facture.")
    raw = WordExtractor().extract_words(chars)
    words = tuple(Word(w["text"], float(w["x0"]), float(w["top"]), float(w["x1"]),
                       float(w["bottom"])) for w in raw)
    return Page(number, float(page.width), float(page.height), words)


def _chars(objects: Iterable[Any], page: pdfplumber.page.Page) -> Iterator[dict[str, Any]]:
    """Yield character dicts in page coordinates (pdfplumber's ``process_object`` geometry)."""
    mb_x0, mb_top = page.mediabox[:2]
    for obj in objects:
        if isinstance(obj, LTContainer):  # figures (form XObjects) hold characters too
            yield from _chars(obj, page)
        elif isinstance(obj, LTChar):
            top = page.height - obj.y1 + mb_top
            text = obj.get_text()
            if text == "e" and _euro_font(obj.fontname):
                text = "€"
            yield {"text": text, "x0": obj.x0 + mb_x0, "x1": obj.x1 + mb_x0,
                   "top": top, "bottom": page.height - obj.y0 + mb_top,
                   "doctop": page.initial_doctop + top, "upright": obj.upright}


# LaTeX's eurosym package draws the euro sign as the letter "e" of its own fonts (feymr10,
# feybr10, feymo10, feybo10, feyml10, feybl10: "7600 €" is extracted as "7600 e").
_EUROSYM = re.compile(r"(?:^|[+-])fey[mb][rol]\d+$")


@functools.lru_cache(maxsize=64)
def _euro_font(fontname: str) -> bool:
    """Return True when ``fontname`` is a font of eurosym, whose "e" is the euro sign."""
    return bool(_EUROSYM.search(fontname))


def _ocr_pdf_pages(data: bytes, numbers: list[int], result: Extraction,
                   deadline: Deadline) -> None:
    if not ocr_available():
        result.ocr_missing = True
        result.complete = False
        return
    chosen = _ocr_choice(numbers)
    result.complete = len(chosen) == len(numbers)
    dpi = FEW_PAGES_DPI if len(chosen) <= FEW_PAGES else OCR_DPI
    for number in chosen:
        deadline.check()
        image, scale = _render(data, number, dpi)
        page = _ocr_or_timeout(image, number, scale, deadline)
        result.pages[number - 1] = page
    result.notes.append(f"ocr:{len(chosen)}")


def _ocr_choice(numbers: list[int]) -> list[int]:
    if len(numbers) <= MAX_OCR_PAGES:
        return numbers
    return numbers[: MAX_OCR_PAGES - 2] + numbers[-2:]


def _render(data: bytes, number: int, dpi: int) -> tuple[object, float]:
    with PDFIUM_LOCK:
        doc = pdfium.PdfDocument(data)
        try:
            page = doc[number - 1]
            width, height = page.get_size()
            scale = min(dpi / 72, (MAX_PIXELS / max(width * height, 1.0)) ** 0.5)
            image = page.render(scale=scale, grayscale=True).to_pil()
            page.close()
        finally:
            doc.close()
    return image, scale


def _ocr_or_timeout(image: object, number: int, scale: float, deadline: Deadline) -> Page:
    try:
        return ocr_page(image, number, scale, deadline.remaining())  # type: ignore[arg-type]
    except TimeoutError:
        deadline.end = time.monotonic()
        deadline.check()
        raise


def _extract_image(data: bytes, deadline: Deadline) -> Extraction:
    if not ocr_available():
        return Extraction("none", [Page(1, 0.0, 0.0, ())], 1, complete=False, ocr_missing=True)
    image = open_image(data)
    image.seek(0)  # first frame of a GIF
    page = _ocr_or_timeout(image, 1, 1.0, deadline)
    return Extraction("ocr", [page], 1, notes=["ocr:1"])
