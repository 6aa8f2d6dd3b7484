"""Optical character recognition with Tesseract (French), into the same words-with-boxes data.

When Tesseract or its French data is missing, ``ocr_available`` is False and the caller reports
the checks of image-only documents as ``unknown``.
"""

from __future__ import annotations

import functools
import os
import shutil
from typing import Any

from PIL import Image, ImageChops, ImageFilter, ImageOps

from checks.model import MAX_PIXELS
from checks.text import Page, Word

MIN_WIDTH = 1600  # smaller scans are upscaled: Tesseract reads ~10 px high letters poorly


@functools.lru_cache(maxsize=1)
def ocr_available() -> bool:
    """Return True when the tesseract binary and its French data are installed."""
    if shutil.which("tesseract") is None:
        return False
    try:
        import pytesseract  # type: ignore[import-untyped]  # no stubs nor py.typed

        return "fra" in pytesseract.get_languages(config="")
    except Exception:
        return False


def ocr_page(image: Image.Image, number: int, scale: float, timeout_s: float) -> Page:
    """Return the words Tesseract reads on ``image``, boxes divided by ``scale``.

    ``scale`` maps the image to the page's coordinates (1.0 for an uploaded image; pixels per
    point for a rendered PDF page). Raises ``TimeoutError`` when Tesseract overruns.
    """
    import pytesseract

    # One OpenMP thread per Tesseract: measured 1.4 s instead of 2.4 s a page on 2 cores, and
    # parallel sessions do not fight. pytesseract reads this module-level mapping for Popen.
    pytesseract.pytesseract.environ = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    prepared, factor = _prepare(image)
    try:
        data = pytesseract.image_to_data(prepared, lang="fra", config="--psm 3",
                                         output_type=pytesseract.Output.DICT,
                                         timeout=max(timeout_s, 1.0))
    except RuntimeError as exc:  # pytesseract signals its timeout as RuntimeError
        raise TimeoutError(str(exc)) from None
    ratio = factor * scale
    words = [_word(data, i, ratio) for i in range(len(data["text"])) if data["text"][i].strip()]
    return Page(number, image.width / scale, image.height / scale, tuple(words))


def _prepare(image: Image.Image) -> tuple[Image.Image, float]:
    """Return the grayscale image given to Tesseract and its scale factor.

    The target size is computed first: a narrow image is upscaled towards ``MIN_WIDTH`` but
    never beyond ``MAX_PIXELS`` pixels (a 200 × 200,000 strip stays as it is).
    """
    gray = ImageOps.exif_transpose(image) if image.format == "JPEG" else image
    gray = _to_gray(_on_white(gray))  # as many pixels as the image: at most MAX_PIXELS
    paper = _background(gray)
    if _unevenly_lit(paper):
        gray = _flatten(gray, paper)
    width, height = gray.size
    factor = min(MIN_WIDTH / width, (MAX_PIXELS / max(width * height, 1)) ** 0.5)
    if factor <= 1.0:
        return gray, 1.0
    size = (round(width * factor), round(height * factor))
    return gray.resize(size, Image.Resampling.LANCZOS), factor


BACKGROUND_CELL = 24  # pixels of the image averaged into one cell of the estimated background
GREY_PAPER = 200  # a background darker than this is no white paper: a shadow, a table, a desk
GREY_SHARE = 0.25  # the share of grey background above which an image is levelled


def _on_white(image: Image.Image) -> Image.Image:
    """Return ``image`` laid on white paper: the transparent parts of a PNG (a screenshot's
    margins) would otherwise turn black in grayscale and hide the words beside them."""
    if image.mode == "P" and "transparency" in image.info:
        image = image.convert("RGBA")
    if image.mode not in ("RGBA", "LA", "PA"):
        return image
    paper = Image.new("RGBA", image.size, (255, 255, 255, 255))
    return Image.alpha_composite(paper, image.convert("RGBA")).convert("RGB")


_WIDE_GRAYS = ("I", "I;16", "I;16B", "I;16L", "I;16N")


def _to_gray(image: Image.Image) -> Image.Image:
    """Return ``image`` in 8-bit grayscale. A 16-bit grayscale PNG (a PDF page exported by
    Typst or Ghostscript) holds values up to 65535: Pillow's plain conversion clips them at
    255, which turns every pixel but the blackest white and leaves Tesseract thin broken
    letters; its values are scaled down instead."""
    if image.mode in _WIDE_GRAYS:
        return image.convert("I").point(lambda v: v * (255 / 65535)).convert("L")
    return image.convert("L")


def _background(gray: Image.Image) -> Image.Image:
    """Return the paper under the ink, one pixel per ``BACKGROUND_CELL`` square: the lightest
    pixels of each neighbourhood (a max filter removes the letters), averaged. Computed on the
    image halved (a letter's stroke stays wider than the filter's reach): a quarter of the
    pixels, at a tenth of the cost of the full image."""
    width, height = gray.size
    cells = (max(1, width // BACKGROUND_CELL), max(1, height // BACKGROUND_CELL))
    half = gray.reduce(2) if min(width, height) >= 4 * BACKGROUND_CELL else gray
    return half.filter(ImageFilter.MaxFilter(3)).resize(cells, Image.Resampling.BOX)


def _unevenly_lit(paper: Image.Image) -> bool:
    """Return True for a photo rather than a scan: more than ``GREY_SHARE`` of its background
    ``paper`` is grey (a shadow across the paper, the table around a receipt)."""
    counts = paper.histogram()  # 256 counts of a grayscale image
    return sum(counts[:GREY_PAPER]) > GREY_SHARE * sum(counts)


def _flatten(gray: Image.Image, paper: Image.Image | None = None) -> Image.Image:
    """Return ``gray`` with its background levelled: a photo's shadow or uneven light
    (a receipt photographed on a table) leaves dark ink on a grey ground that Tesseract
    reads as noise. The background is the paper (``_background``) blurred at a scale far
    above a letter's; each pixel keeps only how much darker than its background it is, then
    the contrast is stretched. Only for photos (``_unevenly_lit``): on a clean scan it would
    grey the white letters of dark table headers."""
    paper = _background(gray) if paper is None else paper
    background = paper.filter(ImageFilter.GaussianBlur(2)).resize(
        gray.size, Image.Resampling.BILINEAR)
    ink = ImageChops.subtract(background, gray)  # 0 on paper, the ink's depth elsewhere
    return ImageOps.autocontrast(ImageOps.invert(ink), cutoff=0.5)


def _word(data: dict[str, list[Any]], i: int, ratio: float) -> Word:
    left, top = data["left"][i], data["top"][i]
    return Word(str(data["text"][i]), left / ratio, top / ratio,
                (left + data["width"][i]) / ratio, (top + data["height"][i]) / ratio)
