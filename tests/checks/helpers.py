"""Helpers for the checks tests: words, rows and PDFs made by hand, verdict comparison."""

from __future__ import annotations

from checks.text import Page, Row, Word, all_rows
from specimens import Specimen


def page_of(lines: list[list[tuple[str, float]]], size: float = 10.0) -> Page:
    """Return a page whose line i holds words (text, x0), 15 points apart vertically."""
    words = []
    for i, line in enumerate(lines):
        top = 50.0 + 15 * i
        for text, x0 in line:
            words.append(Word(text, x0, top, x0 + 0.55 * size * len(text), top + size))
    return Page(1, 595.0, 842.0, tuple(words))


def rows_of(*lines: str | tuple[str, str]) -> list[Row]:
    """Return rows from strings; a (label, amount) pair puts the amount in a far column."""
    spec = []
    for line in lines:
        if isinstance(line, tuple):
            spec.append(_words(line[0], 50.0) + _words(line[1], 450.0))
        else:
            spec.append(_words(line, 50.0))
    return all_rows([page_of(spec)])


def _words(text: str, x: float) -> list[tuple[str, float]]:
    out = []
    for token in text.split(" "):
        out.append((token, x))
        x += 0.55 * 10 * len(token) + 2.8  # a plain space at 10 points
    return out


def mismatches(specimen: Specimen, outcomes: dict[str, str]) -> list[str]:
    """Return the checks whose outcome differs from the truth (unknown allowed if declared)."""
    wrong = []
    for name, truth in specimen.truth.items():
        got = outcomes.get(name)
        if got == truth or (got == "unknown" and name in specimen.accept_unknown):
            continue
        wrong.append(f"{specimen.name}: {name} attendu {truth}, obtenu {got}")
    return wrong


def false_passes(specimen: Specimen, outcomes: dict[str, str]) -> list[str]:
    """Return the checks that passed although the truth is fail (the unforgivable error)."""
    return [name for name, truth in specimen.truth.items()
            if truth == "fail" and outcomes.get(name) == "pass"]


def build_pdf(objects: list[str]) -> bytes:
    """A classic-xref PDF of ``objects`` (object 1 is the catalog)."""
    out, offsets = b"%PDF-1.7\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += (f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n"
            "%%EOF\n").encode()
    return out
