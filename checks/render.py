"""Page images with highlighted boxes, for the review screen ("where was this value found").

PDF pages are rendered with pypdfium2; images are drawn on directly. Boxes are in the
coordinates of ``Evidence.bbox``: PDF points from the top-left corner, or image pixels.
"""

from __future__ import annotations

import io

import pypdfium2 as pdfium
from PIL import Image, ImageDraw

from checks.model import MAX_PIXELS, BBox
from checks.validate import PDF, PDFIUM_LOCK, open_image

FILL = (255, 90, 0, 70)  # semi-transparent orange
OUTLINE = (220, 0, 0, 255)  # red border


def render_pages(data: bytes, media_type: str, *,
                 highlights: dict[int, list[BBox]] | None = None, resolution: int = 110,
                 max_pages: int = 50) -> list[bytes]:
    """Return one PNG per page (at most ``max_pages``) with ``highlights`` drawn.

    ``highlights`` maps a 1-based page number to boxes (x0, top, x1, bottom). Raises
    ``FileRejected`` for an image that cannot be opened; the file is assumed validated.
    """
    highlights = highlights or {}
    if media_type != PDF:
        image = open_image(data)
        image.seek(0)
        return [_png(_highlight(image.convert("RGB"), highlights.get(1, []), 1.0))]
    return _render_pdf(data, highlights, resolution, max_pages)


def _render_pdf(data: bytes, highlights: dict[int, list[BBox]], resolution: int,
                max_pages: int) -> list[bytes]:
    images: list[tuple[Image.Image, float]] = []
    with PDFIUM_LOCK:
        doc = pdfium.PdfDocument(data)
        try:
            for index in range(min(len(doc), max_pages)):
                page = doc[index]
                width, height = page.get_size()
                scale = min(resolution / 72, (MAX_PIXELS / max(width * height, 1.0)) ** 0.5)
                images.append((page.render(scale=scale).to_pil().convert("RGB"), scale))
                page.close()
        finally:
            doc.close()
    return [_png(_highlight(image, highlights.get(number, []), scale))
            for number, (image, scale) in enumerate(images, start=1)]


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
