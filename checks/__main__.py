"""Command line: ``python -m checks FILE [--pro-forma …] [--total …] [--credit-note]
[--siret …] [--iban …] [--lines LINES.csv] [--json]``.

``--lines`` reads the pro forma's lines from a CSV file (comma or semicolon separated, an
optional header): contract number, amount, optionally the apprentice; the ``lines`` check then
says for each whether the invoice bills it with that amount, and the JSON lists them under
``found.lines``.

Exit 0 when the file was read (whatever the verdicts), 2 with one French line on stderr when it
cannot be (refused file, bad option); never a traceback.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import NoReturn

from checks import sandbox
from checks.amounts.money import parse_amount
from checks.model import Expected, ExpectedLine, FileRejected, Report
from domain.vocabulary import Outcome

_LABELS = {Outcome.PASS: "conforme", Outcome.FAIL: "NON CONFORME", Outcome.UNKNOWN: "à vérifier"}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, French, exit 2
        _die(f"Option invalide ({message}) : voir python -m checks --help.")


def _die(message: str) -> NoReturn:
    print(f"Erreur : {message}", file=sys.stderr)
    raise SystemExit(2)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m checks",
                     description="Contrôle automatique d'une facture déposée.")
    parser.add_argument("file", help="fichier à contrôler (PDF, JPEG, PNG, GIF)")
    parser.add_argument("--pro-forma", help="numéro de pro forma attendu, ex. PRO-00603901")
    parser.add_argument("--total", help="total attendu, ex. 96540.00")
    parser.add_argument("--credit-note", action="store_true", help="le document est un avoir")
    parser.add_argument("--siret", help="SIRET du CFA enregistré")
    parser.add_argument("--iban", help="IBAN du CFA enregistré")
    parser.add_argument("--lines", help="lignes de la pro forma (CSV : contrat, montant[, "
                        "apprenti])")
    parser.add_argument("--json", action="store_true", help="sortie JSON")
    parser.add_argument("--deadline", type=float, default=20.0, help=argparse.SUPPRESS)
    return parser


def _total(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        return Decimal(text.strip()).quantize(Decimal("0.01"))
    except InvalidOperation:
        value = parse_amount(text if "," in text or "." in text else text + " €")
        if value is None:
            _die(f"total attendu illisible : « {text} » (exemple : 96540.00).")
        return value


def _lines(path: str | None) -> tuple[ExpectedLine, ...]:
    """Read the pro forma's lines: contract, amount[, apprentice] per row; a header is
    recognised by its amount column not being an amount."""
    if path is None:
        return ()
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        _die(f"fichier de lignes introuvable ou illisible : {path}.")
    delimiter = ";" if text.count(";") > text.count(",") else ","
    lines = []
    for number, row in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1):
        cells = [c.strip() for c in row]
        if not any(cells):
            continue
        amount = _total(cells[1]) if len(cells) > 1 and _is_amount(cells[1]) else None
        if amount is None:
            if number == 1:
                continue  # the header
            _die(f"ligne {number} du fichier de lignes illisible : « {';'.join(cells)} » "
                 "(attendu : contrat;montant).")
        apprentice = cells[2] if len(cells) > 2 and cells[2] else None
        lines.append(ExpectedLine(cells[0], amount, apprentice))
    if not lines:
        _die(f"aucune ligne dans le fichier de lignes : {path}.")
    return tuple(lines)


def _is_amount(text: str) -> bool:
    try:
        Decimal(text.strip())
        return True
    except InvalidOperation:
        return parse_amount(text if "," in text or "." in text else text + " €") is not None


def _human(report: Report) -> str:
    lines = [f"Fichier : {report.file} ({report.media_type}, {report.page_count} page(s))",
             f"Source du texte : {report.text_source}"]
    for check in report.checks:
        where = ""
        if check.evidence and check.evidence[0].bbox != (0.0, 0.0, 0.0, 0.0):
            where = f" [page {check.evidence[0].page}]"
        lines.append(f"{check.name:<17} {check.outcome:<8} {_LABELS[check.outcome]} : "
                     f"{check.message}{where}")
    found = report.found
    lines.append("Trouvé : pro forma " + (", ".join(found["pro_forma_numbers"]) or "—")
                 + f" ; total {found['total'] or '—'} ; facture {found['invoice_number'] or '—'}"
                 + f" ; SIRET {found['siret'] or '—'} ; IBAN {found['iban'] or '—'}")
    for line in report.found.get("lines", []):
        if line["status"] != "matched":
            lines.append(f"  ligne {line['contract']:<14} {line['status']:<15} attendu "
                         f"{line['expected'] or '—'} ; trouvé {line['found'] or '—'}")
    lines.append(f"Durée : {report.elapsed_ms:.0f} ms")
    return "\n".join(lines)


def _settle() -> None:
    """Let every sandbox worker finish starting before this short-lived process exits: a
    worker stopped while it starts (its parent gone) prints a traceback of its own."""
    with ThreadPoolExecutor(sandbox.WORKERS) as executor:
        waits = [executor.submit(sandbox.run, time.sleep, 0.2, timeout=30)
                 for _ in range(sandbox.WORKERS)]
        for wait in waits:
            try:
                wait.result()
            except Exception:  # noqa: BLE001 - only a courtesy to the workers
                pass


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code (0 read, 2 unreadable)."""
    args = _parser().parse_args(argv)
    path = Path(args.file)
    try:
        data = path.read_bytes()
    except OSError:
        _die(f"fichier introuvable ou illisible : {args.file}.")
    expected = Expected(args.pro_forma, _total(args.total), args.credit_note, args.siret,
                        args.iban, _lines(args.lines))
    try:
        # in the sandbox (checks.sandbox): its own deadline stays ``--deadline`` seconds
        report = sandbox.check_document(data, path.name, expected,
                                        timeout=max(args.deadline, 0.1) * 1.5)
    except FileRejected as exc:
        _settle()
        _die(exc.message)
    except Exception as exc:  # a bug must still not print a traceback to the user
        _settle()
        _die(f"lecture impossible ({type(exc).__name__}) : vérification manuelle nécessaire.")
    _settle()
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    else:
        print(_human(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
