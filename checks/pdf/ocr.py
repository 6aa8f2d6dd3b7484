"""Optical character recognition with Tesseract (French), into the same words-with-boxes data.

When Tesseract or its French data is missing, ``ocr_available`` is False and the caller reports
the checks of image-only documents as ``unknown``.
"""

from __future__ import annotations

import functools
import os
import shutil
import time
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
    started = time.monotonic()
    prepared, factor = _prepare(image)
    data = _tesseract(prepared, "--psm 3", timeout_s)
    ratio = factor * scale
    words = [_word(data, i, ratio) for i in range(len(data["text"])) if data["text"][i].strip()]
    for box in _filled_bands(prepared):
        left = timeout_s - (time.monotonic() - started)
        words += _light_words(prepared, box, words, ratio, left)
    return Page(number, image.width / scale, image.height / scale, tuple(words))


def _tesseract(image: Image.Image, config: str, timeout_s: float) -> dict[str, list[Any]]:
    import pytesseract

    try:
        data: dict[str, list[Any]] = pytesseract.image_to_data(
            image, lang="fra", config=config, output_type=pytesseract.Output.DICT,
            timeout=max(timeout_s, 1.0))
    except RuntimeError as exc:  # pytesseract signals its timeout as RuntimeError
        raise TimeoutError(str(exc)) from None
    return data


FILL_CELL = 4  # the filled bands are sought on the image reduced this many times
FILL_WIDTH = 0.25  # a band narrower than this share of the page is a logo, a stamp, a QR code
LIGHT_CONFIDENCE = 60  # Tesseract's confidence below which a word read on a fill is dropped


def _filled_bands(gray: Image.Image) -> list[tuple[int, int, int, int]]:
    """Return the boxes of the page's filled bands: a table header printed white on a
    coloured or grey fill ("Invoice Number | Invoice Date | Charges" on blue), which Tesseract's
    binarisation turns into a black bar with the letters lost. A band is a run of rows whose
    ground (the median of a neighbourhood far wider than a stroke) is neither paper nor ink,
    at least ``FILL_WIDTH`` of the page wide."""
    small = gray.reduce(FILL_CELL) if min(gray.size) >= 40 * FILL_CELL else gray
    ground = small.filter(ImageFilter.MedianFilter(7))
    fill = ground.point(lambda v: 255 if 40 < v < 170 else 0).filter(ImageFilter.MinFilter(5))
    if fill.getbbox() is None:
        return []
    bands: list[tuple[int, int, int, int]] = []
    rows = [fill.crop((0, y, fill.width, y + 1)).getbbox() is not None
            for y in range(fill.height)]
    y = 0
    while y < len(rows):
        if not rows[y]:
            y += 1
            continue
        end = y
        while end < len(rows) and rows[end]:
            end += 1
        box = fill.crop((0, y, fill.width, end)).getbbox()
        if box is not None and box[2] - box[0] >= FILL_WIDTH * fill.width \
                and end - y <= FILL_HEIGHT * fill.height:
            scale = gray.width / small.width
            pad = 3  # the erosion above and the median's reach
            band = (max(0, round((box[0] - pad) * scale)), max(0, round((y - pad) * scale)),
                    min(gray.width, round((box[2] + pad) * scale)),
                    min(gray.height, round((end + pad) * scale)))
            inner = (box[0], y, box[2], end)
            if _inkless(gray.crop(_scaled(inner, scale)), ground.crop(inner)):
                bands.append(band)
        y = end
    return bands


FILL_HEIGHT = 0.2  # a band taller than this share of the page is a desk, a shadow: no header
INK_BELOW_GROUND = 40  # ink is darker than its ground by more than this


def _scaled(box: tuple[int, int, int, int], scale: float) -> tuple[int, int, int, int]:
    return (round(box[0] * scale), round(box[1] * scale), round(box[2] * scale),
            round(box[3] * scale))


def _median(counts: list[int]) -> int:
    """Return the median level of a grayscale histogram."""
    half, seen = sum(counts) / 2, 0
    for level, count in enumerate(counts):
        seen += count
        if seen >= half:
            return level
    return 255


def _inkless(band: Image.Image, ground: Image.Image) -> bool:
    """Return True when nothing in ``band`` is much darker than its ground: a fill holding
    light letters, not a line of dense dark print (a typewriter's, a receipt's) whose
    neighbourhood median is grey too."""
    ground_level = _median(ground.histogram())
    counts = band.histogram()
    dark = sum(counts[:max(0, ground_level - INK_BELOW_GROUND)])
    return dark <= 0.02 * band.width * band.height


def _light_words(gray: Image.Image, box: tuple[int, int, int, int], words: list[Word],
                 ratio: float, timeout_s: float) -> list[Word]:
    """Return the words read on the filled band ``box`` with its light letters turned dark on
    white (how much lighter than their ground they are), each word where the first reading
    found none, read with some confidence."""
    if timeout_s <= 0:
        return []
    crop = gray.crop(box)
    ground = crop.reduce(FILL_CELL).filter(ImageFilter.MedianFilter(7)).resize(
        crop.size, Image.Resampling.BILINEAR)
    lifted = ImageOps.invert(ImageOps.autocontrast(ImageChops.subtract(crop, ground)))
    data = _tesseract(lifted, "--psm 11", timeout_s)
    found: list[Word] = []
    for i, text in enumerate(data["text"]):
        if not text.strip() or float(data["conf"][i]) < LIGHT_CONFIDENCE:
            continue
        data["left"][i] += box[0]
        data["top"][i] += box[1]
        word = _word(data, i, ratio)
        if not any(w.x0 < word.x1 and word.x0 < w.x1 and w.top < word.bottom
                   and word.top < w.bottom for w in words):
            found.append(word)
    return found


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
