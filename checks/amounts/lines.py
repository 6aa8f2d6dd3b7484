"""The ``lines`` check: each pro forma line (contract number and amount) found on the invoice.

For each expected contract, its occurrences on the invoice are found (any spelling of the same
digits: ``202400000013``, ``2024 0000 0013``, ``2024-00000013``); the amount of its line is the
rightmost amount of its row (the line-total column), or of the next row when the contract's row
carries none (a description wrapped above its amounts). A line is:

- ``matched`` when every occurrence's line amount is the expected amount, or when the contract
  is printed on one row per échéance (``ExpectedLine.parts``) and those rows' amounts are
  exactly the échéances' amounts;
- ``amount_differs`` when an occurrence's line amount is another amount (an amount elsewhere on
  the row equal to the expected one, a unit price say, never makes it ``matched``);
- ``missing`` when the contract is not on the invoice;
- ``unreadable`` when it is there without an amount, or with occurrences that disagree;

and every contract-like number on the invoice that is not in the pro forma is ``extra``. The
verdict passes only when every line is matched and there is no extra one. A credit note's
lines are compared in absolute value (it may print them negative or not), like its total.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from checks.amounts.money import Amount, find_amounts, format_eur
from checks.model import CheckResult, Evidence, ExpectedLine
from checks.text import Row, Segment
from domain.vocabulary import CheckName, Outcome

# A contract (dossier) number as the console numbers them: the year, then 8 digits; printed
# whole or grouped by spaces, dots or dashes.
# Not part of a longer run of digit groups (an IBAN, a SIRET, a phone number).
_CONTRACT = re.compile(r"(?<![\dA-Za-z])(?<!\d[ .-])(20\d{2})[ .-]?(\d{4})[ .-]?(\d{4})"
                       r"(?![\dA-Za-z])(?![ .-]\d)")
_MAX_SHOWN = 10  # lines named in the message; every line is in the details
_MIN_OTHER = 6  # the shortest of the CFA's other contract numbers looked for as an extra line


@dataclass(frozen=True)
class LineMatch:
    """The verdict on one pro forma line (or one extra contract found on the invoice)."""

    contract: str
    status: str
    expected: Decimal | None
    found: Decimal | None
    evidence: Evidence | None

    def to_json(self) -> dict[str, Any]:
        """Return the JSON form used by the command line."""
        return {"contract": self.contract, "status": self.status,
                "expected": None if self.expected is None else str(self.expected),
                "found": None if self.found is None else str(self.found),
                "evidence": None if self.evidence is None else self.evidence.to_json()}


@dataclass(frozen=True)
class _Occurrence:
    key: str
    row: int
    segment: Segment
    start: int
    end: int


def contract_key(text: str) -> str:
    """Return the digits (and letters) of a contract number, upper case."""
    return "".join(ch for ch in text.upper() if ch.isalnum())


def check_lines(rows: list[Row], expected: Sequence[ExpectedLine], *,
                complete: bool = True, credit_note: bool = False,
                others: Collection[str] = ()) -> tuple[CheckResult, list[LineMatch]]:
    """Return the ``lines`` verdict and the verdict of each line, differing ones first.

    ``others``: contract numbers known to be in no line of this pro forma (the CFA's other
    contracts), found as extra lines whatever their form when at least 6 characters long with
    a digit (a shorter one would be any quantity or reference on the invoice)."""
    keys = {contract_key(line.contract): line for line in expected}
    known = {k for k in map(contract_key, others)
             if len(k) >= _MIN_OTHER and any(ch.isdigit() for ch in k)} - set(keys)
    by_key: dict[str, list[_Occurrence]] = {}
    for occ in _occurrences(rows, set(keys) | known, known):
        by_key.setdefault(occ.key, []).append(occ)
    matches: list[LineMatch] = []
    for key, line in keys.items():
        matches.append(_judge(line, by_key.get(key, []), rows, credit_note))
    for key, mine in by_key.items():
        if key in keys:
            continue
        occ = mine[0]
        amount = _line_amount(rows, occ)
        found = None if amount is None else abs(amount[0]) if credit_note else amount[0]
        matches.append(LineMatch(key, "extra", None, found,
                                 _evidence(occ, amount[1] if amount else None)))
    order = {"amount_differs": 0, "missing": 1, "extra": 2, "unreadable": 3, "matched": 4}
    matches.sort(key=lambda m: order[m.status])
    return _verdict(matches, complete), matches


def _occurrences(rows: list[Row], wanted: set[str], strict: Collection[str] = ()
                 ) -> list[_Occurrence]:
    """Every contract number of ``wanted`` or of the console's form on the invoice; those of
    ``strict`` only when not part of a longer run of digit groups (an IBAN, a phone number)."""
    found: list[_Occurrence] = []
    odd = {k for k in wanted if not re.fullmatch(r"20\d{10}", k)}
    longest = max(map(len, odd), default=0)
    for index, row in enumerate(rows):
        for segment in row.segments:
            for match in _CONTRACT.finditer(segment.text):
                found.append(_Occurrence("".join(match.groups()), index, segment,
                                         match.start(), match.end()))
            if odd:  # contract numbers of another form: found as written
                for key, start, end in _spelled_in(segment.text, odd, longest):
                    if key in strict and _GROUPED.search(segment.text[:start] + "|"
                                                         + segment.text[end:]):
                        continue
                    found.append(_Occurrence(key, index, segment, start, end))
    return found


_RUN = re.compile(r"[A-Za-z0-9]+")
_GROUPED = re.compile(r"\d[ .\-/]\||\|[ .\-/]\d")  # a digit group glued before or after


def _spelled_in(text: str, keys: set[str], longest: int) -> list[tuple[str, int, int]]:
    """The ``keys`` written in ``text`` whole, their characters in runs of letters and digits
    joined by single separators (space, dot, dash, slash): ``A-000 001`` is ``A000001``;
    one set look-up per run and following runs, whatever the number of keys."""
    runs = [(m.start(), m.end(), m.group().upper()) for m in _RUN.finditer(text)]
    hits = []
    for i, (start, _end, first) in enumerate(runs):
        key = first
        for j in range(i, len(runs)):
            if j > i:
                gap = text[runs[j - 1][1]:runs[j][0]]
                if len(gap) != 1 or gap not in " .-/":
                    break
                key += runs[j][2]
            if len(key) > longest:
                break
            if key in keys:
                hits.append((key, start, runs[j][1]))
    return hits


def _judge(line: ExpectedLine, mine: list[_Occurrence], rows: list[Row],
           credit_note: bool) -> LineMatch:
    key = contract_key(line.contract)

    def norm(value: Decimal) -> Decimal:
        return abs(value) if credit_note else value

    want = norm(line.amount)
    if not mine:
        return LineMatch(key, "missing", want, None, None)
    amounts = [(occ, _line_amount(rows, occ)) for occ in mine]
    read = [(occ, a) for occ, a in amounts if a is not None]
    if not read:
        return LineMatch(key, "unreadable", want, None, _evidence(mine[0], None))
    values = [norm(a[0]) for _, a in read]
    if all(v == want for v in values):
        occ, amount = read[0]
        return LineMatch(key, "matched", want, values[0], _evidence(occ, amount[1]))
    parts = sorted(norm(p) for p in line.parts)
    if len(parts) > 1 and len(read) == len(parts) == len({occ.row for occ, _ in read}) \
            and len(amounts) == len(read):
        # one row per échéance, as the pro forma prints them: each row's amount is exactly
        # one échéance's; a row billed differently makes the dossier's sum differ (or, when
        # the sum is still right, the rows are shared otherwise: a person looks)
        evidence = _evidence_rows(read)
        if sorted(values) == parts:
            return LineMatch(key, "matched", want, sum(values, Decimal(0)), evidence)
        total = sum(values, Decimal(0))
        status = "unreadable" if total == want else "amount_differs"
        return LineMatch(key, status, want, total, evidence)
    differing = [(occ, a) for (occ, a), v in zip(read, values, strict=True) if v != want]
    occ, amount = differing[0]
    status = "amount_differs" if len(set(values)) == 1 else "unreadable"
    return LineMatch(key, status, want, norm(amount[0]), _evidence(occ, amount[1]))


def _evidence_rows(read: list[tuple[_Occurrence, tuple[Decimal, Evidence]]]) -> Evidence:
    """One box around a contract's rows when they are on one page, else the first row's."""
    boxes = [_evidence(occ, amount[1]) for occ, amount in read]
    if len({b.page for b in boxes}) > 1:
        return boxes[0]
    return Evidence(boxes[0].page, (min(b.bbox[0] for b in boxes), min(b.bbox[1] for b in boxes),
                                    max(b.bbox[2] for b in boxes), max(b.bbox[3] for b in boxes)),
                    " | ".join(b.text for b in boxes))


def _line_amount(rows: list[Row], occ: _Occurrence) -> tuple[Decimal, Evidence] | None:
    """The rightmost amount right of the contract on its row, else on the next row when that
    row names no contract of its own."""
    row = rows[occ.row]
    found = _amounts_right_of(row, occ)
    if found is None and occ.row + 1 < len(rows):
        below = rows[occ.row + 1]
        if below.page == row.page and not _CONTRACT.search(below.text) and \
                below.top - row.bottom < 2 * (row.bottom - row.top):
            found = _rightmost(below, 0.0)
    return found


def _amounts_right_of(row: Row, occ: _Occurrence) -> tuple[Decimal, Evidence] | None:
    candidates: list[tuple[float, Amount, Segment]] = []
    for segment in row.segments:
        for amount in find_amounts(segment.text):
            if segment is occ.segment and amount.start < occ.end:
                continue
            box = segment.evidence(amount.start, amount.end).bbox
            if box[0] >= occ.segment.x0:
                candidates.append((box[2], amount, segment))
    if not candidates:
        return None
    _, amount, segment = max(candidates, key=lambda c: c[0])
    return amount.value, segment.evidence(amount.start, amount.end)


def _rightmost(row: Row, x0: float) -> tuple[Decimal, Evidence] | None:
    best: tuple[float, Decimal, Evidence] | None = None
    for segment in row.segments:
        for amount in find_amounts(segment.text):
            evidence = segment.evidence(amount.start, amount.end)
            if evidence.bbox[0] >= x0 and (best is None or evidence.bbox[2] > best[0]):
                best = (evidence.bbox[2], amount.value, evidence)
    return None if best is None else (best[1], best[2])


def _evidence(occ: _Occurrence, amount: Evidence | None) -> Evidence:
    contract = occ.segment.evidence(occ.start, occ.end)
    if amount is None or amount.page != contract.page:
        return contract
    box = (min(contract.bbox[0], amount.bbox[0]), min(contract.bbox[1], amount.bbox[1]),
           max(contract.bbox[2], amount.bbox[2]), max(contract.bbox[3], amount.bbox[3]))
    return Evidence(contract.page, box, f"{contract.text} … {amount.text}")


def _verdict(matches: list[LineMatch], complete: bool) -> CheckResult:
    wrong = [m for m in matches if m.status in ("amount_differs", "missing", "extra")]
    unclear = [m for m in matches if m.status == "unreadable"]
    evidence = tuple(m.evidence for m in wrong + unclear if m.evidence is not None)
    if not matches:
        return CheckResult(CheckName.LINES, Outcome.UNKNOWN, "Aucune ligne de pro forma fournie.")
    if wrong:
        outcome = Outcome.FAIL
        if all(m.status == "missing" for m in wrong) and not complete:
            outcome = Outcome.UNKNOWN  # a page was not read: a missing line may be on it
        shown = [_say(m) for m in wrong[:_MAX_SHOWN]]
        more = f" ; et {len(wrong) - _MAX_SHOWN} autre(s)" if len(wrong) > _MAX_SHOWN else ""
        return CheckResult(CheckName.LINES, outcome, "Lignes non conformes : " + " ; ".join(shown)
                           + more + ".", evidence)
    if unclear:
        return CheckResult(CheckName.LINES, Outcome.UNKNOWN, "Lignes à vérifier : " + " ; ".join(
            _say(m) for m in unclear[:_MAX_SHOWN]) + ".", evidence)
    count = len(matches)
    return CheckResult(CheckName.LINES, Outcome.PASS,
                       f"{count} ligne(s) conforme(s) à la pro forma.",
                       tuple(m.evidence for m in matches[:1] if m.evidence is not None))


def _say(match: LineMatch) -> str:
    if match.status == "amount_differs" and match.found is not None \
            and match.expected is not None:
        return (f"dossier {match.contract} : {format_eur(match.found)} facturés, "
                f"{format_eur(match.expected)} attendus")
    if match.status == "missing" and match.expected is not None:
        return f"dossier {match.contract} absent de la facture ({format_eur(match.expected)} " \
               "attendus)"
    if match.status == "extra":
        amount = f" ({format_eur(match.found)})" if match.found is not None else ""
        return f"dossier {match.contract} facturé{amount} mais absent de la pro forma"
    return f"dossier {match.contract} : montant de la ligne illisible ou contradictoire"
