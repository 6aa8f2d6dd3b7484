"""Optical character recognition with Tesseract (French), into the same words-with-boxes data.

When Tesseract or its French data is missing, ``ocr_available`` is False and the caller reports
the checks of image-only documents as ``unknown``.
"""

from __future__ import annotations

import functools
import os
import shutil
from typing import Any

from PIL import Image, ImageOps

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
    gray = gray.convert("L")  # as many pixels as the checked image: at most MAX_PIXELS
    width, height = gray.size
    factor = min(MIN_WIDTH / width, (MAX_PIXELS / max(width * height, 1)) ** 0.5)
    if factor <= 1.0:
        return gray, 1.0
    size = (round(width * factor), round(height * factor))
    return gray.resize(size, Image.Resampling.LANCZOS), factor


def _word(data: dict[str, list[Any]], i: int, ratio: float) -> Word:
    left, top = data["left"][i], data["top"][i]
    return Word(str(data["text"][i]), left / ratio, top / ratio,
                (left + data["width"][i]) / ratio, (top + data["height"][i]) / ratio)
