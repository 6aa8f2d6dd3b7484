"""The plain data every check runs on: pages of words with boxes, grouped into rows and segments.

Extraction (PDF text layer, OCR) produces ``Word`` objects once; rows and segments are derived
here, so every check is testable on hand-made words without any PDF.
"""

from __future__ import annotations

import functools
import statistics
import unicodedata
from dataclasses import dataclass, field

from checks.model import BBox, Evidence

# Every space-like character printed as a thousands separator becomes a plain space.
_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2007": " ",
                         "\u2212": "-", "\u2013": "-", "\u2014": "-", "\u2019": "'"})


def normalize(text: str) -> str:
    """Return ``text`` with no-break/thin spaces as spaces and dashes/minus signs as '-'."""
    return text.translate(_SPACES)


# A gap wider than this many word heights splits a row into segments (table cells, columns);
# a plain space is about 0.3 of the font size, a column gap is several times larger.
SEGMENT_GAP = 1.1
# Words whose vertical centres are closer than this fraction of their height share a row.
ROW_TOLERANCE = 0.5


@dataclass(frozen=True)
class Word:
    """One word as extracted, with its box in page coordinates (points, or pixels for images)."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float

    @property
    def height(self) -> float:
        """Return the height of the box (never zero)."""
        return max(self.bottom - self.top, 1.0)


@dataclass(frozen=True)
class Page:
    """One page: its 1-based number, size and words in reading order."""

    number: int
    width: float
    height: float
    words: tuple[Word, ...]


@dataclass
class Segment:
    """Consecutive words of a row with small gaps: a phrase, a table cell, a column's line."""

    page: int
    words: list[Word]
    text: str = ""
    offsets: list[int] = field(default_factory=list)
    folded: str = ""  # fold(text): lower case, no accents, same length

    @property
    def x0(self) -> float:
        """Return the left edge."""
        return self.words[0].x0

    @property
    def x1(self) -> float:
        """Return the right edge."""
        return self.words[-1].x1

    def evidence(self, start: int = 0, end: int | None = None) -> Evidence:
        """Return the evidence for characters ``start:end`` of ``text`` (default: all)."""
        end = len(self.text) if end is None else end
        chosen = [w for w, off in zip(self.words, self.offsets, strict=True)
                  if off < end and off + len(normalize(w.text)) > start] or self.words
        return Evidence(self.page, union(chosen), self.text[start:end].strip() or self.text)


@dataclass
class Row:
    """Words sharing a baseline on one page, split into segments left to right."""

    page: int
    top: float
    bottom: float
    segments: list[Segment]

    @property
    def text(self) -> str:
        """Return the row's text, segments separated by a wide gap marker."""
        return "   ".join(s.text for s in self.segments)

    @property
    def folded(self) -> str:
        """Return ``fold(text)``."""
        return "   ".join(s.folded for s in self.segments)


def union(words: list[Word]) -> BBox:
    """Return the box enclosing ``words``."""
    return (min(w.x0 for w in words), min(w.top for w in words),
            max(w.x1 for w in words), max(w.bottom for w in words))


def build_rows(page: Page) -> list[Row]:
    """Return the rows of ``page``, top to bottom, each split into segments."""
    rows: list[list[Word]] = []
    anchor = (0.0, 0.0)  # centre and height of the current row's first word
    for word in sorted(page.words, key=lambda w: ((w.top + w.bottom) / 2, w.x0)):
        centre = (word.top + word.bottom) / 2
        if rows and abs(centre - anchor[0]) <= ROW_TOLERANCE * min(anchor[1], word.height):
            rows[-1].append(word)
        else:
            rows.append([word])
            anchor = (centre, word.height)
    return [_make_row(page.number, words) for words in rows]


def _make_row(page: int, words: list[Word]) -> Row:
    words.sort(key=lambda w: w.x0)
    height = statistics.median(w.height for w in words)
    groups: list[list[Word]] = [[words[0]]]
    for prev, word in zip(words, words[1:], strict=False):
        if word.x0 - prev.x1 > SEGMENT_GAP * height:
            groups.append([word])
        else:
            groups[-1].append(word)
    segments = [_make_segment(page, g) for g in groups]
    return Row(page, min(w.top for w in words), max(w.bottom for w in words), segments)


def _make_segment(page: int, words: list[Word]) -> Segment:
    parts: list[str] = []
    offsets: list[int] = []
    pos = 0
    for word in words:
        text = normalize(word.text)
        offsets.append(pos)
        parts.append(text)
        pos += len(text) + 1
    text = " ".join(parts)
    return Segment(page, words, text, offsets, fold(text))


def all_rows(pages: list[Page] | tuple[Page, ...]) -> list[Row]:
    """Return the rows of every page in document order."""
    return [row for page in pages for row in build_rows(page)]


def fold(text: str) -> str:
    """Return ``text`` lower-cased without accents, same length (for label matching)."""
    if text.isascii():
        return text.lower()
    return "".join(_fold_char(c) for c in text.lower())


@functools.lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    return unicodedata.normalize("NFD", char)[0]
