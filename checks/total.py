"""The ``total`` check: find the document's grand total from labels and layout, not any amount.

Each amount on the page gets the nearest label to its left on its row (or, failing that, the
label just above it), and the label says what kind of amount it is: a grand total, an amount
due, a deduction (prepayment), a subtotal / pre-tax total, VAT, or a plain "Total". Line items
carry no such label and are ignored, so an item that happens to equal the expected total never
makes the check pass.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from checks.amounts import Amount, find_amounts
from checks.model import Evidence
from checks.text import Row, Segment, fold

SUB, DUE, DEDUCTION, GRAND, VAT, PLAIN = "sub", "due", "deduction", "grand", "vat", "plain"
# Checked in this order: the first kind whose pattern matches the folded label wins.
_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (SUB, re.compile(r"\b(h\.?t\.?|hors tax\w*|sous[- ]?total|sub[- ]?total|total page|"
                     r"report\w*|a reporter|zwischensumme|nettobetrag|net amount|"
                     r"total (excl|before)\w*|excl\w* (vat|tax))\b")),
    (DUE, re.compile(r"\b(net a (payer|regler)|(total|montant|reste|solde) a (payer|regler)|"
                     r"(amount|total|balance) (due|payable)|zu zahlen|zahlbetrag|"
                     r"restbetrag|solde du)\b")),
    (DEDUCTION, re.compile(r"\b(acomptes?|deja (regle|paye|verse|percu)e?s?|avances?|"
                           r"prepaid|prepayments?|deposits?( paid)?|paid|anzahlung\w*|"
                           r"bereits bezahlt|versements?)\b")),
    (GRAND, re.compile(r"\b(total t\.?t\.?c\.?|montant t\.?t\.?c\.?|montant total|"
                       r"total (de la |general de la )?facture|total general|grand total|"
                       r"total (de l'|d')?avoir|montant (de l'|d')avoir|invoice total|"
                       r"total (invoice )?amount|total invoice|gesamtbetrag|gesamtsumme|"
                       r"rechnungsbetrag|endbetrag|gutschriftsbetrag|credit note total)\b")),
    (VAT, re.compile(r"\b(t\.?v\.?a\.?|vat|mwst|ust|tax)\b")),
    (PLAIN, re.compile(r"\b(total|summe)\b")),
)
_EXEMPT = re.compile(r"exon|non applicable|261[- ]?4|293 ?b|franchise en base|steuerfrei|"
                     r"exempt")
_LABEL_CHARS = re.compile(r"[^\W\d_]{2,}")  # a label has at least one word of letters


@dataclass(frozen=True)
class Candidate:
    """An amount with the kind its label gives it."""

    kind: str
    value: Decimal
    label: str
    evidence: Evidence


@dataclass(frozen=True)
class TotalFacts:
    """What the document says about its total, before comparing with the pro forma."""

    candidates: tuple[Candidate, ...]
    exempt: bool

    def of(self, *kinds: str) -> list[Candidate]:
        """Return the candidates of the given kinds."""
        return [c for c in self.candidates if c.kind in kinds]


def collect(rows: list[Row]) -> TotalFacts:
    """Return every labelled amount of the document and whether a VAT exemption is mentioned."""
    candidates: list[Candidate] = []
    exempt = False
    for index, row in enumerate(rows):
        exempt = exempt or bool(_EXEMPT.search(row.folded))
        for segment, amount, label in _labelled_amounts(row, rows[index - 1] if index else None):
            kind = classify(label)
            if kind is not None:
                evidence = segment.evidence(amount.start, amount.end)
                candidates.append(Candidate(kind, amount.value, label.strip(), evidence))
    return TotalFacts(tuple(candidates), exempt)


def classify(label: str) -> str | None:
    """Return the kind of amount a label announces, or None for a line item."""
    folded = fold(label)
    for kind, pattern in _KINDS:
        if pattern.search(folded):
            return kind
    return None


def _labelled_amounts(row: Row, above: Row | None) -> list[tuple[Segment, Amount, str]]:
    out: list[tuple[Segment, Amount, str]] = []
    label = ""
    for segment in row.segments:
        pos = 0
        for amount in find_amounts(segment.text):
            fragment = segment.text[pos:amount.start]
            if _LABEL_CHARS.search(fragment):
                label = fragment
            out.append((segment, amount, label or _label_above(segment, above)))
            pos = amount.end
        tail = segment.text[pos:]
        if _LABEL_CHARS.search(tail):
            label = tail
    return out


def _label_above(segment: Segment, above: Row | None) -> str:
    """Return the text of an amount-free segment right above ``segment`` (stacked boxes)."""
    if above is None or above.page != segment.page:
        return ""
    height = segment.words[0].height
    if segment.words[0].top - above.bottom > 1.5 * height:
        return ""
    for other in above.segments:
        overlaps = other.x0 < segment.x1 and segment.x0 < other.x1
        if overlaps and not find_amounts(other.text):
            return other.text
    return ""


@dataclass(frozen=True)
class TotalFinding:
    """The grand total the document states, or why none can be named."""

    value: Decimal | None
    main: tuple[Candidate, ...]  # the candidates that make up the grand total
    rivals: tuple[Decimal, ...]  # distinct competing values when ambiguous
    due: tuple[Candidate, ...]  # amounts due after a deduction (prepayment)
    problem: str | None  # French reason when value is None


def find_total(facts: TotalFacts, credit_note: bool = False) -> TotalFinding:
    """Return the document's grand total from its labelled amounts."""
    deductions = [c for c in facts.of(DEDUCTION) if c.value != 0]
    if deductions:
        main, due = facts.of(GRAND) or facts.of(PLAIN), facts.of(DUE)
    else:
        main, due = facts.of(GRAND, DUE) or facts.of(PLAIN), []
    if not main:
        main = _pre_tax_fallback(facts)
    if not main:
        return TotalFinding(None, (), (), tuple(due), _missing_reason(facts))
    values = _distinct(main, credit_note)
    if len(values) > 1:
        return TotalFinding(None, tuple(main), tuple(values), tuple(due),
                            "plusieurs totaux différents")
    return TotalFinding(values[0], tuple(main), (), tuple(due), None)


def _pre_tax_fallback(facts: TotalFacts) -> list[Candidate]:
    """A VAT-exempt invoice may only print "Total HT": accept it when no VAT is charged."""
    vat = facts.of(VAT)
    if any(c.value != 0 for c in vat):
        return []
    if not facts.exempt and not vat:
        return []
    return [c for c in facts.of(SUB) if re.search(r"\bh\.?t\b|hors tax", fold(c.label))]


def _missing_reason(facts: TotalFacts) -> str:
    if facts.of(SUB):
        return "seul un total hors taxes ou un sous-total figure, sans total TTC"
    return "aucun montant total identifiable"


def _distinct(cands: list[Candidate], credit_note: bool) -> list[Decimal]:
    values: list[Decimal] = []
    for cand in cands:
        value = abs(cand.value) if credit_note else cand.value
        if value not in values:
            values.append(value)
    return values
