"""Page images with highlighted boxes, for the review screen ("where was this value found").

PDF pages are rendered with pypdfium2; images are drawn on directly. Boxes are in the
coordinates of ``Evidence.bbox``: PDF points from the top-left corner, or image pixels.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pypdfium2 as pdfium
from PIL import Image, ImageDraw

from checks.model import BBox
from checks.pdf.validate import PDF, PDFIUM_LOCK, open_image

FILL = (255, 90, 0, 70)  # semi-transparent orange
OUTLINE = (220, 0, 0, 255)  # red border
RENDER_MAX_PIXELS = 4_000_000  # one rendered page of the review screen (A4 at 110 dpi: 2.3 MP)


@dataclass(frozen=True)
class PageImage:
    """One rendered page: the PNG, the pixels per unit of ``Evidence.bbox``, the page count."""

    png: bytes
    scale: float
    page_count: int


def render_page(data: bytes, media_type: str, number: int, *, resolution: int = 110,
                max_pixels: int = RENDER_MAX_PIXELS) -> PageImage:
    """Render page ``number`` (1-based) alone, at most ``max_pixels`` pixels, no highlight.

    The scale is computed from the page size before anything is drawn; an image larger than
    ``max_pixels`` is reduced (``draft`` lets JPEG decode at a fraction of its size). Raises
    ``FileRejected`` for an image that cannot be opened, ``IndexError`` for a missing page.
    """
    if media_type != PDF:
        image = open_image(data)
        image.seek(0)
        factor = min(1.0, (max_pixels / max(image.width * image.height, 1)) ** 0.5)
        size = (max(1, int(image.width * factor)), max(1, int(image.height * factor)))
        if factor < 1.0:
            image.draft("RGB", size)  # JPEG only: decode at a reduced size
            image = image.convert("RGB").resize(size)
        return PageImage(_png(image.convert("RGB")), factor, 1)
    with PDFIUM_LOCK:  # uncontended in a sandbox worker (one thread); kept for direct callers
        doc = pdfium.PdfDocument(data)
        try:
            count = len(doc)
            if not 1 <= number <= count:
                raise IndexError(f"page {number} of {count}")
            page = doc[number - 1]
            width, height = page.get_size()
            scale = min(resolution / 72, (max_pixels / max(width * height, 1.0)) ** 0.5)
            image = page.render(scale=scale).to_pil().convert("RGB")
            page.close()
        finally:
            doc.close()
    return PageImage(_png(image), scale, count)


def draw_highlights(page: PageImage, boxes: list[BBox]) -> bytes:
    """Return ``page``'s PNG with ``boxes`` drawn (the page was rendered without them)."""
    if not boxes:
        return page.png
    with Image.open(io.BytesIO(page.png)) as image:  # our own PNG, at most RENDER_MAX_PIXELS
        return _png(_highlight(image.convert("RGB"), boxes, page.scale))


def render_pages(data: bytes, media_type: str, *,
                 highlights: dict[int, list[BBox]] | None = None, resolution: int = 110,
                 max_pages: int = 50) -> list[bytes]:
    """Return one PNG per page (at most ``max_pages``) with ``highlights`` drawn, each page
    rendered alone by ``render_page`` (bounded pixels).

    ``highlights`` maps a 1-based page number to boxes (x0, top, x1, bottom). Raises
    ``FileRejected`` for an image that cannot be opened; the file is assumed validated.
    """
    highlights = highlights or {}
    first = render_page(data, media_type, 1, resolution=resolution)
    out = [draw_highlights(first, highlights.get(1, []))]
    for number in range(2, min(first.page_count, max_pages) + 1):
        page = render_page(data, media_type, number, resolution=resolution)
        out.append(draw_highlights(page, highlights.get(number, [])))
    return out


def _highlight(image: Image.Image, boxes: list[BBox], scale: float) -> Image.Image:
    if not boxes:
        return image
    overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    for x0, top, x1, bottom in boxes:
        if x1 <= x0 or bottom <= top:
            continue  # evidence from the embedded XML has no position
        rect = (x0 * scale - 2, top * scale - 2, x1 * scale + 2, bottom * scale + 2)
        draw.rectangle(rect, fill=FILL, outline=OUTLINE, width=2)
    return Image.alpha_composite(image.convert("RGBA"), overlay).convert("RGB")


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def report_highlights(evidence: list[tuple[int, BBox]]) -> dict[int, list[BBox]]:
    """Group (page, bbox) pairs by page, ready for ``render_pages``."""
    grouped: dict[int, list[BBox]] = {}
    for page, bbox in evidence:
        grouped.setdefault(page, []).append(bbox)
    return grouped
