"""``check_document``: validate, extract once, run every check on the extracted data."""

from __future__ import annotations

import time
from typing import Any

from checks.amounts.lines import check_lines
from checks.model import CheckResult, Expected, Report
from checks.pdf.extract import Deadline, Extraction, extract
from checks.pdf.validate import base_name, inspect_file
from checks.rules import (
    NO_TEXT,
    OCR_MISSING,
    Context,
    check_iban,
    check_invoice_number,
    check_pro_forma,
    check_siret,
    check_total,
)
from checks.text import all_rows
from domain.vocabulary import CheckName, Outcome, TextSource

_RULES = ((CheckName.PRO_FORMA_NUMBER, check_pro_forma), (CheckName.TOTAL, check_total),
          (CheckName.INVOICE_NUMBER, check_invoice_number), (CheckName.SIRET, check_siret),
          (CheckName.IBAN, check_iban))
_FOUND_KEYS = {CheckName.PRO_FORMA_NUMBER: "pro_forma_numbers", CheckName.TOTAL: "total",
               CheckName.INVOICE_NUMBER: "invoice_number", CheckName.SIRET: "siret",
               CheckName.IBAN: "iban"}


def check_document(data: bytes, filename: str, expected: Expected, *,
                   deadline_s: float = 20.0) -> Report:
    """Return the verdicts of every check on one deposited file.

    Raises ``FileRejected`` (French message, ``code``) when the file is unusable: refused type,
    too large, badly named, encrypted, corrupt, too many pages or pixels, or unreadable within
    ``deadline_s`` seconds. A readable file always gives a ``Report``, whatever the verdicts.
    """
    started = time.perf_counter()
    inspection = inspect_file(data, filename)
    extraction = extract(data, inspection, Deadline(deadline_s))
    file_check = CheckResult(CheckName.FILE, Outcome.PASS, "Fichier accepté.")
    results, found = run_checks(extraction, expected)
    return Report(
        file=base_name(filename),
        media_type=inspection.media_type,
        text_source=extraction.source,
        found=found,
        checks=(file_check, *results),
        elapsed_ms=(time.perf_counter() - started) * 1000,
        page_count=inspection.page_count,
        notes=tuple(extraction.notes),
    )


def run_checks(extraction: Extraction, expected: Expected
               ) -> tuple[list[CheckResult], dict[str, Any]]:
    """Return the results of the content checks and the values found, from extracted data."""
    rows = all_rows(extraction.pages)
    found: dict[str, Any] = {"pro_forma_numbers": [], "total": None, "invoice_number": None,
                             "siret": None, "iban": None}
    if expected.lines:
        found["lines"] = []
    if not rows and extraction.xml is None:
        message = OCR_MISSING if extraction.ocr_missing else NO_TEXT
        names = [name for name, _ in _RULES] + ([CheckName.LINES] if expected.lines else [])
        return [CheckResult(name, Outcome.UNKNOWN, message) for name in names], found
    ctx = Context(rows, extraction.xml, expected, complete=extraction.complete,
                  ocr=extraction.source == TextSource.OCR or extraction.ocr_missing)
    results = []
    for name, rule in _RULES:
        result, value = rule(ctx)
        results.append(result)
        found[_FOUND_KEYS[name]] = value
    if expected.lines:
        lines_result, matches = check_lines(rows, expected.lines,
                                            complete=extraction.complete and not ctx.ocr,
                                            credit_note=expected.credit_note,
                                            others=expected.other_contracts)
        results.append(lines_result)
        found["lines"] = [m.to_json() for m in matches]
    return results, found
