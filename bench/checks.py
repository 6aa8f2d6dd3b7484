"""Accuracy and speed of the document checks over the generated specimen corpus.

``python -m bench.checks [--json] [--no-scans]`` or ``bench.checks.run()``. Prints the number of
documents, false passes (truth fail, verdict pass: must be 0), correct passes and fails,
unknowns, the median milliseconds per text PDF, per 2-page text PDF and per OCR document, and
the ratio of the check run to a bare pdfplumber ``extract_words`` pass over the same files.

Text PDFs are timed in CPU time of this process ("on one core"), so that other work on the
machine does not blur the figures; OCR documents in wall time (Tesseract runs as a subprocess).
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import time
from collections import Counter
from typing import Any

import pdfplumber

from checks import FileRejected, check_document
from specimens import Specimen, corpus

TARGETED = ("total", "pro_forma_number")  # the checks with accuracy targets in issue 3


def _bare_ms(data: bytes) -> float:
    """Return the CPU milliseconds of a bare pdfplumber open + extract_words over every page."""
    start = time.process_time()
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            page.extract_words()
    return (time.process_time() - start) * 1000


def _score(specimens: list[Specimen], outcomes: list[dict[str, str]]) -> dict[str, Any]:
    tally: Counter[str] = Counter()
    false_docs = 0
    for spec, got in zip(specimens, outcomes, strict=True):
        false_here = False
        for name, truth in spec.truth.items():
            outcome = got.get(name, "unknown")
            group = "targeted" if name in TARGETED else "other"
            tally[f"{group}_{truth}_total"] += 1
            tally[f"{group}_{truth}_{outcome}"] += 1
            if outcome == "unknown":
                tally["unknowns"] += 1
            if truth == "fail" and outcome == "pass":
                tally["false_passes"] += 1
                false_here = True
        false_docs += false_here
    return {"tally": tally, "false_pass_documents": false_docs}


def _rates(tally: Counter[str], group: str) -> dict[str, Any]:
    passes, fails = tally[f"{group}_pass_total"], tally[f"{group}_fail_total"]
    return {
        "conforming": passes, "correct_passes": tally[f"{group}_pass_pass"],
        "pass_rate": round(tally[f"{group}_pass_pass"] / passes, 4) if passes else None,
        "non_conforming": fails, "correct_fails": tally[f"{group}_fail_fail"],
        "fail_rate": round(tally[f"{group}_fail_fail"] / fails, 4) if fails else None,
        "unknown_on_non_conforming": tally[f"{group}_fail_unknown"],
    }


def _run_kind(specimens: list[Specimen], cpu: bool) -> tuple[list[dict[str, str]], list[float]]:
    """Check every specimen; time in CPU ms of this process (text) or wall ms (OCR, whose
    work happens in the tesseract subprocess)."""
    clock = time.process_time if cpu else time.perf_counter
    outcomes, times = [], []
    for spec in specimens:
        start = clock()
        try:
            report = check_document(spec.data, spec.filename, spec.expected)
            outcomes.append({c.name: c.outcome for c in report.checks})
        except FileRejected:
            outcomes.append({})
        times.append((clock() - start) * 1000)
    return outcomes, times


def _pages(data: bytes) -> int:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return len(pdf.pages)


def measure(scans: bool = True) -> dict[str, Any]:
    """Run the checks over the corpus and return the figures (no printing)."""
    specimens = list(corpus(seed=0, scans=scans))
    groups = {"text": [s for s in specimens if s.kind in ("text", "factur-x")],
              "ocr": [s for s in specimens if s.kind == "ocr"]}
    result: dict[str, Any] = {"documents": len(specimens)}
    all_specs, all_outcomes = [], []
    for kind, specs in groups.items():
        outcomes, times = _run_kind(specs, cpu=kind == "text")
        all_specs += specs
        all_outcomes += outcomes
        score = _score(specs, outcomes)
        result[kind] = {"documents": len(specs), "false_passes": score["tally"]["false_passes"],
                        "unknowns": score["tally"]["unknowns"],
                        "total_and_pro_forma": _rates(score["tally"], "targeted"),
                        "other_checks": _rates(score["tally"], "other"),
                        "median_ms": round(statistics.median(times), 1) if times else None}
        if kind == "text":
            result[kind].update(_speed(specs, times))
    overall = _score(all_specs, all_outcomes)
    result["false_passes"] = overall["tally"]["false_passes"]
    result["false_pass_documents"] = overall["false_pass_documents"]
    return result


def _speed(specs: list[Specimen], times: list[float]) -> dict[str, Any]:
    plain = [(s, t) for s, t in zip(specs, times, strict=True) if s.kind == "text"]
    bare = [_bare_ms(s.data) for s, _ in plain]
    pairs = [(t, b) for (s, t), b in zip(plain, bare, strict=True) if _pages(s.data) == 2]
    two_pages, two_bare = [t for t, _ in pairs], [b for _, b in pairs]
    return {"median_ms_2_page": round(statistics.median(two_pages), 1) if two_pages else None,
            "bare_median_ms_2_page": round(statistics.median(two_bare), 1) if two_bare else None,
            "two_page_documents": len(two_pages),
            "bare_extract_words_median_ms": round(statistics.median(bare), 1),
            "ratio_to_bare_extract_words": round(sum(t for _, t in plain) / sum(bare), 2)}


def _print(result: dict[str, Any]) -> None:
    print(f"Documents : {result['documents']}   faux « pass » : {result['false_passes']}")
    for kind in ("text", "ocr"):
        part = result.get(kind)
        if not part or not part["documents"]:
            continue
        rates = part["total_and_pro_forma"]
        print(f"[{kind}] {part['documents']} documents ; total + pro forma : "
              f"{rates['correct_passes']}/{rates['conforming']} pass corrects "
              f"({_pct(rates['pass_rate'])}), {rates['correct_fails']}/"
              f"{rates['non_conforming']} fail corrects ({_pct(rates['fail_rate'])}), "
              f"inconnus {part['unknowns']} ; médiane {part['median_ms']} ms")
        other = part["other_checks"]
        print(f"[{kind}] autres contrôles : {other['correct_passes']}/{other['conforming']} pass, "
              f"{other['correct_fails']}/{other['non_conforming']} fail")
        if kind == "text":
            print(f"[text] médiane 2 pages : {part['median_ms_2_page']} ms "
                  f"({part['two_page_documents']} docs, extract_words seul "
                  f"{part['bare_median_ms_2_page']} ms) ; extract_words seul, tous : "
                  f"{part['bare_extract_words_median_ms']} ms ; ratio "
                  f"{part['ratio_to_bare_extract_words']}×")


def _pct(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f} %"


def run(json_out: bool = False, scans: bool = True) -> dict[str, Any]:
    """Measure, print the figures (text or JSON) and return them."""
    result = measure(scans=scans)
    if json_out:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        _print(result)
    return result


def main(argv: list[str] | None = None) -> int:
    """Command line entry point: ``python -m bench.checks [--json] [--no-scans]``."""
    parser = argparse.ArgumentParser(prog="python -m bench.checks")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--no-scans", action="store_true", help="skip the OCR documents")
    args = parser.parse_args(argv)
    result = run(json_out=args.json, scans=not args.no_scans)
    return 1 if result["false_passes"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
