"""The real corpus: third-party invoices gathered from public repositories
(``tests/corpus/real``: ``SOURCES.csv`` for provenance, ``truth.csv`` for the ground truth read
on each page), the CFA-like invoices rendered by third-party generators
(``tests/corpus/generated``), and the evaluation of the checks over them.

For each document: the grand total found (``found.total``) against the truth, then every other
amount printed on the document offered as the expected total ("decoys"): a decoy that passes is
a false pass, the one unforgivable error. Times are CPU milliseconds of this process for the
whole check (inspection, extraction, rules; the Tesseract subprocess of a scan is not counted,
hence also the elapsed time, which counts it and the machine's other work) and for a bare
pdfplumber ``extract_words`` pass (none for an image). The corpus holds PDFs and, as the
console accepts them, JPEG and PNG images (scans and photos).

A document whose embedded XML and page disagree on the grand total has the kind ``conflict``:
its ``total`` is the page's, its ``xml_total`` the XML's. The right answer there is no total
found and the verdict ``unknown`` naming both values, whichever of the two is expected (issue
15, item 1); the XML's value is one more decoy, and any pass a false pass.
"""

from __future__ import annotations

import csv
import io
import os
import statistics
import time
from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pdfplumber

from checks.amounts.money import find_amounts, format_eur
from checks.core import run_checks
from checks.einvoice.facturx import CREDIT_NOTE_CODES
from checks.model import Expected, FileRejected
from checks.pdf.extract import Deadline, Extraction, extract
from checks.pdf.validate import inspect_file
from checks.text import all_rows

_ROOT = Path(__file__).resolve().parents[1]
_HERE = _ROOT / "tests" / "corpus"
# the real corpus's provenance (SOURCES.csv) and ground truth (truth.csv), kept in the repository
CORPUS = _HERE / "real"
# its PDFs came through the `fetch` tool: such data files are kept out of the repository, in the
# steering repository's shared/ directory beside this checkout; CHECKS_REAL_CORPUS names another
FILES = Path(os.environ.get("CHECKS_REAL_CORPUS") or _ROOT.parent / "shared" / "corpus" / "real")
# CFA-like invoices rendered through third-party invoice generators (make_generated.py there)
GENERATED = _HERE / "generated"


@dataclass(frozen=True)
class Truth:
    """What a person read on the document."""

    file: str
    total: Decimal
    due: Decimal
    invoice_number: str
    currency: str
    language: str
    kind: str  # "xml" (embedded XML invoice), "text" (text layer), "scan", "conflict"
    source: str
    type_code: str = ""  # the XML's document type code (381: credit note), when known
    xml_total: Decimal | None = None  # a "conflict": the XML's grand total, not the page's

    @property
    def conflict(self) -> bool:
        """Return True when the embedded XML and the page disagree on the grand total."""
        return self.kind == "conflict"

    @property
    def credit_note(self) -> bool:
        """Return True for a credit note: its total compares in absolute value, as the
        checks do with ``Expected.credit_note`` (a type 381 is positive in its XML and may be
        printed negative on its page)."""
        return self.type_code in CREDIT_NOTE_CODES

    def matches(self, value: Decimal | None) -> bool:
        """Return True when ``value`` is the true grand total (in absolute value for a credit
        note)."""
        if value is None:
            return False
        return abs(value) == abs(self.total) if self.credit_note else value == self.total

    @property
    def expected(self) -> Expected:
        """Return what the pro forma would expect: the total, and whether a credit note."""
        return Expected(total=self.total, credit_note=self.credit_note)


@dataclass(frozen=True)
class DocumentResult:
    """The checks' answer on one document of the real corpus."""

    truth: Truth
    found_total: Decimal | None
    text_source: str
    decoys: int
    false_passes: tuple[Decimal, ...]
    cpu_ms: float
    bare_ms: float
    rejected: str | None = None
    page_total: Decimal | None = None  # found from the page alone, the XML set aside
    page_false_passes: tuple[Decimal, ...] = ()
    wall_ms: float = 0.0  # elapsed milliseconds of the check, Tesseract's subprocess included
    # a "conflict": how many of the two totals offered (the page's, the XML's) gave `unknown`
    # with a message naming both values
    conflict_unknown: int = 0

    @property
    def page_right(self) -> bool:
        """Return True when the page alone gives the true grand total."""
        return self.truth.matches(self.page_total)

    @property
    def right(self) -> bool:
        """Return True when the grand total found is the truth; for a "conflict", when no
        total is found and both totals offered give `unknown` naming both values."""
        if self.truth.conflict:
            return self.found_total is None and self.conflict_unknown == 2
        return self.truth.matches(self.found_total)


def load_truth(root: Path = CORPUS) -> list[Truth]:
    """Return the ground truth of every document of the corpus, in file order."""
    with (root / "truth.csv").open(newline="", encoding="utf-8") as handle:
        return [Truth(row["file"], Decimal(row["total"]), Decimal(row["due"] or row["total"]),
                      row["invoice_number"], row["currency"], row["language"], row["kind"],
                      row["source"], row.get("type_code") or "",
                      Decimal(row["xml_total"]) if row.get("xml_total") else None)
                for row in csv.DictReader(handle)]


def pdf_dir(root: Path) -> Path:
    """Return where the PDFs of the corpus described in ``root`` are."""
    return FILES if root == CORPUS else root


def printed_amounts(extraction: Extraction) -> set[Decimal]:
    """Return every distinct amount printed on the document's pages."""
    values: set[Decimal] = set()
    for row in all_rows(extraction.pages):
        for segment in row.segments:
            values.update(a.value for a in find_amounts(segment.text))
    return values


def evaluate(truth: Truth, root: Path = CORPUS) -> DocumentResult:
    """Check one document with its true total, then with every decoy."""
    data = (pdf_dir(root) / truth.file).read_bytes()
    start, wall = time.process_time(), time.perf_counter()
    try:
        inspection = inspect_file(data, truth.file)
        extraction = extract(data, inspection, Deadline(60.0))
        _, found = run_checks(extraction, truth.expected)
    except FileRejected as exc:
        return DocumentResult(truth, None, "rejected", 0, (), 0.0, 0.0, exc.code)
    cpu_ms = (time.process_time() - start) * 1000
    wall_ms = (time.perf_counter() - wall) * 1000
    amounts = printed_amounts(extraction) | ({truth.xml_total} if truth.xml_total else set())
    decoys = sorted(v for v in amounts if abs(v) != abs(truth.total))
    page = replace(extraction, xml=None)  # the same document, its XML set aside
    _, page_found = run_checks(page, truth.expected)
    return DocumentResult(truth, _decimal(found.get("total")), extraction.source, len(decoys),
                          _passing(extraction, decoys, truth), cpu_ms, bare_ms(data),
                          page_total=_decimal(page_found.get("total")),
                          page_false_passes=_passing(page, decoys, truth), wall_ms=wall_ms,
                          conflict_unknown=_conflict_unknown(extraction, truth))


def _conflict_unknown(extraction: Extraction, truth: Truth) -> int:
    """Return, for a "conflict", how many of its two totals offered as the expected one give
    `unknown` with a message naming both values (0 for any other document)."""
    if truth.xml_total is None:
        return 0
    named = 0
    for offered in (truth.total, truth.xml_total):
        results, _ = run_checks(extraction, replace(truth.expected, total=offered))
        verdict = next(r for r in results if r.name == "total")
        named += (verdict.outcome == "unknown" and format_eur(truth.total) in verdict.message
                  and format_eur(truth.xml_total) in verdict.message)
    return named


def _passing(extraction: Extraction, decoys: list[Decimal], truth: Truth
             ) -> tuple[Decimal, ...]:
    false = []
    for decoy in decoys:
        results, _ = run_checks(extraction, replace(truth.expected, total=decoy))
        if any(r.name == "total" and r.outcome == "pass" for r in results):
            false.append(decoy)
    return tuple(false)


def _decimal(value: str | None) -> Decimal | None:
    return Decimal(value) if value is not None else None


def bare_ms(data: bytes) -> float:
    """Return the CPU milliseconds of a bare pdfplumber open + extract_words of every page, or
    0.0 for an image (JPEG, PNG: there is no text layer to compare with)."""
    if not data.startswith(b"%PDF"):
        return 0.0
    start = time.process_time()
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            page.extract_words()
    return (time.process_time() - start) * 1000


def evaluate_corpus(root: Path = CORPUS) -> list[DocumentResult]:
    """Evaluate every document of the corpus."""
    return [evaluate(truth, root) for truth in load_truth(root)]


def summary(results: Iterable[DocumentResult]) -> dict[str, Any]:
    """Return the figures of a group of results: documents, grand total found right, false
    passes with decoys, median CPU times and their ratio."""
    items = list(results)
    timed = [r for r in items if r.rejected is None]
    compared = [r for r in timed if r.bare_ms > 0]  # images have no bare pdfplumber pass
    ratios = [r.cpu_ms / r.bare_ms for r in compared]
    right = sum(r.right for r in items)
    page_right = sum(r.page_right for r in items)
    return {
        "documents": len(items),
        "total_right": right,
        "total_accuracy": round(right / len(items), 4) if items else None,
        "total_unknown": sum(r.found_total is None for r in items),
        "total_wrong": sum(r.found_total is not None and not r.right for r in items),
        "decoys": sum(r.decoys for r in items),
        "false_passes": sum(len(r.false_passes) for r in items),
        "false_pass_documents": sum(bool(r.false_passes) for r in items),
        "page_total_right": page_right,
        "page_total_accuracy": round(page_right / len(items), 4) if items else None,
        "page_total_wrong": sum(r.page_total is not None and not r.page_right for r in items),
        "page_false_passes": sum(len(r.page_false_passes) for r in items),
        "median_ms": round(statistics.median(r.cpu_ms for r in timed), 1) if timed else None,
        "median_wall_ms": round(statistics.median(r.wall_ms for r in timed), 1) if timed
        else None,
        "bare_median_ms": round(statistics.median(r.bare_ms for r in compared), 1) if compared
        else None,
        "median_ratio_to_bare": round(statistics.median(ratios), 2) if ratios else None,
    }


def report(results: list[DocumentResult]) -> dict[str, Any]:
    """Return the summary overall and per language, source and kind."""
    out: dict[str, Any] = {"all": summary(results)}
    for key in ("language", "source", "kind"):
        groups: dict[str, list[DocumentResult]] = {}
        for result in results:
            groups.setdefault(getattr(result.truth, key), []).append(result)
        out[key] = {name: summary(group) for name, group in sorted(groups.items())}
    conflicts = [r for r in results if r.truth.conflict]
    out["conflict"] = {"documents": len(conflicts),
                       "unknown_naming_both": sum(r.conflict_unknown == 2 for r in conflicts),
                       "false_passes": sum(len(r.false_passes) + len(r.page_false_passes)
                                           for r in conflicts)}
    out["misses"] = [{"file": r.truth.file, "truth": str(r.truth.total),
                      "found": None if r.found_total is None else str(r.found_total),
                      "page": None if r.page_total is None else str(r.page_total),
                      "false_passes": [str(v) for v in r.false_passes + r.page_false_passes]}
                     for r in results if not r.right or not r.page_right or r.false_passes
                     or r.page_false_passes]
    return out
