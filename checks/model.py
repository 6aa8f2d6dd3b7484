"""Plain data shared by every part of the checks: what is expected, what was found, verdicts.

Kept free of any PDF or OCR library so that the console and the workflow can import it cheaply.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from domain.vocabulary import CheckName, Outcome

MAX_BYTES = 5 * 1024 * 1024  # seed manual: at most 5 MB per deposited file
MAX_NAME = 50  # seed manual: file name at most 50 characters, extension included
MAX_PAGES = 50  # beyond this a deposit is not an invoice; refused before heavy parsing
MAX_PIXELS = 40_000_000  # decompression-bomb guard for images (40 megapixels)

OUTCOMES: tuple[Outcome, ...] = tuple(Outcome)  # pass, fail, unknown: domain's order
# the checks this package runs on a file, in the order of a report (the workflow adds
# ``duplicate`` and ``attestation``)
CHECK_NAMES: tuple[CheckName, ...] = (
    CheckName.FILE, CheckName.PRO_FORMA_NUMBER, CheckName.TOTAL, CheckName.INVOICE_NUMBER,
    CheckName.SIRET, CheckName.IBAN, CheckName.LINES,
)
LINE_STATUSES = ("matched", "amount_differs", "missing", "extra", "unreadable")

BBox = tuple[float, float, float, float]


@dataclass(frozen=True)
class ExpectedLine:
    """One line of the pro forma: the contract (dossier) number and its amount."""

    contract: str
    amount: Decimal
    apprentice: str | None = None
    # the amounts of its échéances, when the pro forma bills several for this contract: an
    # invoice may print one row per échéance (as the pro forma does) instead of their sum
    parts: tuple[Decimal, ...] = ()


@dataclass(frozen=True)
class Expected:
    """What the pro forma (and the CFA's record) says the document must carry."""

    pro_forma_number: str | None = None
    total: Decimal | None = None
    credit_note: bool = False
    siret: str | None = None
    iban: str | None = None
    lines: tuple[ExpectedLine, ...] = ()  # the ``lines`` check runs only when given
    # the CFA's other contract numbers: billed on the invoice, each is a line the pro forma
    # does not hold (numbers of the console's form are found as such without this list)
    other_contracts: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Evidence:
    """Where a value was read: 1-based page, box (x0, top, x1, bottom) in PDF points or pixels."""

    page: int
    bbox: BBox
    text: str

    def to_json(self) -> dict[str, Any]:
        """Return the JSON form used by the command line and the review screen."""
        return {"page": self.page, "bbox": [round(v, 2) for v in self.bbox], "text": self.text}


@dataclass(frozen=True)
class CheckResult:
    """The verdict of one check (``Outcome``: pass, fail or unknown); message is French.

    ``name`` and ``outcome`` are ``StrEnum`` members: each equals (and serialises as) its code.
    """

    name: CheckName
    outcome: Outcome
    message: str
    evidence: tuple[Evidence, ...] = ()

    def __post_init__(self) -> None:
        if self.outcome not in OUTCOMES:
            raise ValueError(f"outcome {self.outcome!r} not in {tuple(map(str, OUTCOMES))}")

    def to_json(self) -> dict[str, Any]:
        """Return the JSON form: evidence is the first (main) evidence, or null."""
        first = self.evidence[0].to_json() if self.evidence else None
        return {"name": str(self.name), "outcome": str(self.outcome), "message": self.message,
                "evidence": first}


@dataclass(frozen=True)
class Report:
    """Everything the checks learnt from one file."""

    file: str
    media_type: str
    text_source: str
    found: dict[str, Any]
    checks: tuple[CheckResult, ...]
    elapsed_ms: float
    page_count: int
    notes: tuple[str, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        """Return exactly the ``--json`` schema of design.md."""
        return {
            "file": self.file,
            "text_source": self.text_source,
            "found": dict(self.found),
            "checks": [c.to_json() for c in self.checks],
            "elapsed_ms": round(self.elapsed_ms, 1),
        }

    def outcome(self, name: CheckName) -> Outcome | None:
        """Return the outcome of the check called ``name``, or None if it did not run."""
        for check in self.checks:
            if check.name == name:
                return check.outcome
        return None

    def result(self, name: CheckName) -> CheckResult | None:
        """Return the full result of the check called ``name``, or None."""
        return next((c for c in self.checks if c.name == name), None)


class FileRejected(Exception):
    """An unusable file: ``message`` is one French line saying what is wrong and what to do."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return self.message
