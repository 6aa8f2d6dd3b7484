"""Finding identifiers in rows of text: pro forma numbers, the CFA's invoice number, SIRET, IBAN.

Finders only report what is written (with evidence); ``rules`` decides the verdicts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from stdnum import iban as stdnum_iban
from stdnum.fr import siret as stdnum_siret

from checks.amounts.money import find_amounts
from checks.model import Evidence
from checks.text import Row, Segment

# "PRO-00603901", "PRO 00603901", "PRO00603901", "pro-00603901"; OCR may read 0 as O.
_PRO = re.compile(r"(?<![A-Za-z0-9])P\s?R\s?[O0]\s?[-‐_.–—]?\s?(?P<digits>[0-9O]{4,12})(?![0-9])",
                  re.IGNORECASE)
_INVOICE_LABEL = re.compile(
    r"(?:\b(?:facture|avoir|invoice|credit note|rechnung|gutschrift)\s*"
    r"(?:number|numero|num\.?|n\s?°|n\s?o\.?|nº|nr\.?|#)"
    r"|\bn\s?(?:°|o\.?|º)\s*(?:de\s+)?(?:la\s+)?(?:facture|d'avoir|l'avoir|avoir)"
    r"|\bnumero\s+(?:de\s+)?(?:la\s+)?(?:facture|d'avoir|l'avoir)"
    r"|\b(?:rechnungsnummer|rechnungsnr\.?|invoice no\.?|gutschriftsnummer)"
    r"|\b(?:facture|avoir|invoice)\s*:)\s*:?\s*")
_PRO_FORMA_WORD = re.compile(r"^\s*(?:pro\s*-?\s*forma|proforma)")
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9/_.-]*")
_DATE = re.compile(r"^\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}$")
_SIRET = re.compile(r"(?<![\dA-Za-z])(\d{3}\s?\d{3}\s?\d{3}\s?\d{5})(?!\d)")
_IBAN_START = re.compile(r"(?<![A-Z0-9])[A-Z]{2}\d{2}(?:\s?[A-Z0-9]){10,40}")


@dataclass(frozen=True)
class Found:
    """An identifier as written and compacted, with its evidence."""

    value: str
    raw: str
    evidence: Evidence
    valid: bool = True
    labelled: bool = False


def normalize_pro_forma(text: str) -> str | None:
    """Return ``PRO-`` + digits for any tolerated spelling of a pro forma number, else None."""
    match = _PRO.search(text.strip())
    if match is None:
        return None
    return "PRO-" + match.group("digits").upper().replace("O", "0")


def find_pro_forma(rows: list[Row]) -> list[Found]:
    """Return every pro forma number written in the rows (normalized ``PRO-digits``)."""
    found = []
    for segment in _segments(rows):
        for match in _PRO.finditer(segment.text):
            value = "PRO-" + match.group("digits").upper().replace("O", "0")
            found.append(Found(value, match.group(0), segment.evidence(*match.span())))
    return found


def find_invoice_numbers(rows: list[Row]) -> list[Found]:
    """Return the tokens written right after an invoice-number label (same row or below)."""
    found = []
    for index, row in enumerate(rows):
        for seg_index, segment in enumerate(row.segments):
            for match in _INVOICE_LABEL.finditer(segment.folded):
                if _PRO_FORMA_WORD.match(segment.folded[match.end():]):
                    continue
                hit = _token_after(segment, match.end(), row, seg_index,
                                   rows[index + 1] if index + 1 < len(rows) else None)
                if hit is not None:
                    found.append(hit)
    return found


def _token_after(segment: Segment, pos: int, row: Row, seg_index: int,
                 below: Row | None) -> Found | None:
    hit = _first_token(segment, pos)
    if hit is None and seg_index + 1 < len(row.segments):
        hit = _first_token(row.segments[seg_index + 1], 0)
    if hit is None and below is not None and pos >= len(segment.text.rstrip(" :")):
        for other in below.segments:
            if other.x0 < segment.x1 and segment.x0 < other.x1:
                return _first_token(other, 0)
    return hit


def _first_token(segment: Segment, pos: int) -> Found | None:
    match = _TOKEN.search(segment.text, pos)
    if match is None or match.start() - pos > 3:
        return None
    token = match.group(0).rstrip(".-/")
    if not re.search(r"\d", token) or _DATE.match(token):
        return None
    if any(a.start <= match.start() < a.end for a in find_amounts(segment.text)):
        return None  # "Montant de l'avoir : 4 135,00" is an amount, not a number
    return Found(token, token, segment.evidence(match.start(), match.end()), labelled=True)


def find_sirets(rows: list[Row]) -> list[Found]:
    """Return the 14-digit numbers of the rows, valid or not, marking those labelled SIRET."""
    found = []
    for segment in _segments(rows):
        folded = segment.folded
        for match in _SIRET.finditer(segment.text):
            value = re.sub(r"\s", "", match.group(1))
            labelled = "siret" in folded[max(0, match.start() - 40):match.start()]
            valid = stdnum_siret.is_valid(value)
            if valid or labelled:
                found.append(Found(value, match.group(1), segment.evidence(*match.span(1)),
                                   valid, labelled))
    return found


def find_ibans(rows: list[Row]) -> list[Found]:
    """Return the IBANs of the rows: valid ones, and invalid ones written after "IBAN"."""
    found = []
    for segment in _segments(rows):
        upper = segment.text.upper()
        for match in _IBAN_START.finditer(upper):
            labelled = "IBAN" in upper[max(0, match.start() - 20):match.start()]
            hit = _best_iban(match.group(0))
            if hit is None and not labelled:
                continue
            value = hit or compact_iban(match.group(0))[:27]
            end = _span_end(match.group(0), len(value)) + match.start()
            found.append(Found(value, upper[match.start():end],
                               segment.evidence(match.start(), end), hit is not None, labelled))
    return found


def compact_iban(text: str) -> str:
    """Return ``text`` without spaces, upper-case."""
    return re.sub(r"\s", "", text).upper()


def _best_iban(text: str) -> str | None:
    """Return the longest valid IBAN that starts ``text`` (text may run into the BIC)."""
    compact = compact_iban(text)
    for length in range(min(len(compact), 34), 14, -1):
        if stdnum_iban.is_valid(compact[:length]):
            return compact[:length]
    return None


def _span_end(text: str, n_chars: int) -> int:
    count = 0
    for i, char in enumerate(text):
        if not char.isspace():
            count += 1
            if count == n_chars:
                return i + 1
    return len(text)


def _segments(rows: list[Row]) -> list[Segment]:
    return [segment for row in rows for segment in row.segments]
