"""Accuracy and speed of the document checks over the generated specimen corpus and over the
real corpus of third-party invoices (``tests/corpus/real``).

``python -m bench.checks [--json] [--no-scans] [--real-only]`` or ``bench.checks.run()``. Prints
the number of documents, false passes (truth fail, verdict pass: must be 0), correct passes and
fails, unknowns, the median milliseconds per text PDF, per 2-page text PDF and per OCR document,
and the ratio of the check run to a bare pdfplumber ``extract_words`` pass over the same files.

The real corpus is reported on its own lines: the grand total found right (``found.total``
equal to the ground truth read on the page), false passes with decoys (for each document, every
other amount printed on it offered as the expected total: none may pass), per language, per
source and per kind (embedded XML, text layer, scan; ``conflict``: the XML and the page
disagree on the grand total, also on a line of its own, where `unknown` naming both totals is
right), and the time per document against a bare ``extract_words`` pass.

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
from pathlib import Path
from typing import Any

import pdfplumber

from bench.realcorpus import CORPUS, FILES, GENERATED, DocumentResult, evaluate_corpus, report
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


def measure(scans: bool = True, generated: bool = True) -> dict[str, Any]:
    """Run the checks over the corpora and return the figures (no printing)."""
    result: dict[str, Any] = {"documents": 0, "false_passes": 0, "false_pass_documents": 0}
    if generated:
        result.update(_measure_generated(scans))
    # the real PDFs are data kept outside the repository (bench.realcorpus.FILES)
    result["real"] = measure_real(CORPUS) if FILES.is_dir() else report([])
    result["third_party_generators"] = measure_real(GENERATED)
    for key in ("real", "third_party_generators"):
        result["false_passes"] += result[key]["all"]["false_passes"] + \
            result[key]["all"]["page_false_passes"]
    return result


def measure_real(root: Path = CORPUS) -> dict[str, Any]:
    """Evaluate a corpus of third-party invoices (``tests/corpus/real`` by default): figures
    overall, per language, source and kind, and the documents missed."""
    results: list[DocumentResult] = evaluate_corpus(root)
    return report(results)


def _measure_generated(scans: bool) -> dict[str, Any]:
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
    _print_generated(result)
    print("[réel] corpus de factures tierces (tests/corpus/real) ; total = total TTC trouvé "
          "juste ; leurres = chaque autre montant imprimé proposé comme total attendu")
    _print_real(result["real"], "réel")
    print("[générateurs] factures de type CFA rendues par des générateurs tiers "
          "(tests/corpus/generated)")
    _print_real(result["third_party_generators"], "générateurs")


def _print_real(real: dict[str, Any], tag: str) -> None:
    """A corpus on its own lines: one for all, then per language, source and kind."""
    rows = [("tous", real["all"])] + [(f"{key} {name}", part) for key in
                                      ("language", "source", "kind")
                                      for name, part in real[key].items()]
    for name, part in rows:
        print(f"[{tag}] {name:<22} {part['documents']:>3} docs ; total {part['total_right']}/"
              f"{part['documents']} ({_pct(part['total_accuracy'])}), faux {part['total_wrong']}"
              f" ; page seule {part['page_total_right']}/{part['documents']} "
              f"({_pct(part['page_total_accuracy'])}) ; leurres {part['decoys']}, faux « pass » "
              f"{part['false_passes']} (page seule {part['page_false_passes']}) ; médiane "
              f"{part['median_ms']} ms CPU ({part['median_wall_ms']} ms écoulées, Tesseract "
              f"compris), extract_words seul {part['bare_median_ms']} ms "
              f"(×{part['median_ratio_to_bare']})")
    conflict = real.get("conflict") or {}
    if conflict.get("documents"):  # the XML and the page disagree: `unknown` is the answer
        print(f"[{tag}] désaccord XML/page   {conflict['documents']:>3} docs ; « unknown » "
              f"nommant les deux totaux {conflict['unknown_naming_both']}/"
              f"{conflict['documents']} ; faux « pass » {conflict['false_passes']}")
    for miss in real["misses"]:
        print(f"[{tag}] manqué : {miss['file']} vrai {miss['truth']} trouvé {miss['found']} "
              f"page seule {miss['page']} faux pass {miss['false_passes']}")


def _print_generated(result: dict[str, Any]) -> None:
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


def run(json_out: bool = False, scans: bool = True, generated: bool = True) -> dict[str, Any]:
    """Measure, print the figures (text or JSON) and return them."""
    result = measure(scans=scans, generated=generated)
    if json_out:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        _print(result)
    return result


def main(argv: list[str] | None = None) -> int:
    """Command line entry point: ``python -m bench.checks [--json] [--no-scans]
    [--real-only]``."""
    parser = argparse.ArgumentParser(prog="python -m bench.checks")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--no-scans", action="store_true", help="skip the OCR documents")
    parser.add_argument("--real-only", action="store_true",
                        help="only the real corpus (tests/corpus/real)")
    args = parser.parse_args(argv)
    result = run(json_out=args.json, scans=not args.no_scans, generated=not args.real_only)
    return 1 if result["false_passes"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
