"""A small fixed history for the dashboard tests, played through the real workflow.

The clock is moved to known dates so that every figure can be computed by hand (see the
expected values in test_dashboard.py). Pro formas, all generated on 2026-09-01:

| pf | CFA  | nature      | total    | life                                                      |
|----|------|-------------|----------|-----------------------------------------------------------|
| A  | cfa1 | pedagogie   | 5600.00  | deposited 10-05, validated 10-07 (instr), paid 10-12      |
| K  | cfa1 | pedagogie   | -295.89  | credit note (déduction), bad total 10-13, validated 10-14 |
|    |      |             |          | (instr2, against the checks), left outstanding            |
| B  | cfa1 | pedagogie   | 2400.00  | bad total 10-06, refused 10-08 (instr2), deposited again  |
|    |      |             |          | 10-10, validated 10-16 (instr)                             |
| C  | cfa2 | pedagogie   | 2800.00  | deposited 11-02, refused 11-03 (instr, against checks)    |
| D  | cfa2 | pedagogie   | 2200.00  | deposited 11-20: under review, 7 days old                 |
| E  | cfa1 | pedagogie   | 2400.00  | deposited 11-05: under review, 22 days old               |
| F  | cfa1 | equipement  | 500.00   | deposited 10-20: under review, 38 days old               |
| G  | cfa1 | pedagogie   | 3200.00  | awaiting its invoice                                      |
| H  | cfa1 | frais_ann.  | 300.00   | cancelled 09-02                                           |
The test world also holds PRO-00600001 (cfa1, A1's advance and month 7, 5600.00), paid 2026-03-20.
Today is 2026-11-27 10:00 (the world's clock). Every event happens at 09:00.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from io import BytesIO

from reportlab.pdfgen.canvas import Canvas
from sqlalchemy.orm import Session, sessionmaker

from db.models import Cfa, ProForma
from domain.clock import freeze
from tests.factories import TODAY
from tests.workflow.reviewkit import seen
from workflow.billing import proformas
from workflow.deposits import deposits
from workflow.payments import payments
from workflow.review import decisions

# pro forma letter -> (cfa 1 or 2, nature, échéance ids of the test world)
PLAN = {
    "A": (1, "pedagogie", [1, 2]), "K": (1, "pedagogie", [9]), "B": (1, "pedagogie", [3]),
    "C": (2, "pedagogie", [29]), "D": (2, "pedagogie", [37]), "E": (1, "pedagogie", [6]),
    "F": (1, "equipement", [12]), "G": (1, "pedagogie", [4]), "H": (1, "frais_annexes", [11]),
}


def invoice_pdf(cfa: Cfa, pf: ProForma, own_number: str, total: Decimal | None = None,
                dossiers: tuple[tuple[str, Decimal], ...] = ()) -> bytes:
    """The CFA's own invoice answering ``pf``, a row per dossier (contract number, amount);
    a wrong ``total`` stages a refusal."""
    buf = BytesIO()
    c = Canvas(buf, invariant=1)
    lines = [cfa.name, f"SIRET : {cfa.siret}",
             ("FACTURE D'AVOIR" if pf.kind == "credit_note" else "FACTURE") + f" N° {own_number}",
             f"Référence pro forma : {pf.number}",
             *(f"Contrat {number} : {amount} EUR" for number, amount in dossiers),
             f"Total TTC : {pf.total if total is None else total} EUR",
             "TVA non applicable, article 261-4-4° du CGI.", f"IBAN : {cfa.iban}"]
    for n, line in enumerate(lines):
        c.drawString(60, 780 - 20 * n, line)
    c.showPage()
    c.save()
    return buf.getvalue()


def at(month: int, day: int) -> None:
    """Move the clock to 2026-month-day 09:00."""
    freeze(datetime(2026, month, day, 9, 0))


class Story:
    """Plays the history; ``ids`` maps each letter to its pro forma id."""

    def __init__(self, world, factory: sessionmaker[Session]) -> None:  # noqa: ANN001
        self.w, self.f = world, factory
        self.ids: dict[str, int] = {}

    def cfa(self, letter: str):  # noqa: ANN201
        return self.w.cfa1 if PLAN[letter][0] == 1 else self.w.cfa2

    def deposit(self, letter: str, bad: bool = False) -> None:
        with self.f.begin() as s:
            pf = s.get_one(ProForma, self.ids[letter])
            cfa = s.get_one(Cfa, pf.cfa_id)
            own = f"FA-{letter}{pf.version}"
            rows = tuple((line.contract, line.amount)
                         for line in deposits.expected_lines(s, pf.id))
            data = invoice_pdf(cfa, pf, own, pf.total + Decimal("90") if bad else None, rows)
            deposits.deposit(s, self.cfa(letter), pf.id, data, f"{own}.pdf")

    def version(self, letter: str) -> int:
        with self.f() as s:
            return s.get_one(ProForma, self.ids[letter]).version

    def validate(self, letter: str, who, note: str | None = None) -> None:  # noqa: ANN001
        with self.f.begin() as s:
            decisions.validate(s, who, self.ids[letter], self.version(letter), note)

    def refuse(self, letter: str, who, code: str) -> None:  # noqa: ANN001
        with self.f.begin() as s:
            decisions.refuse(s, who, self.ids[letter], self.version(letter), code)

    def play(self) -> Story:
        w = self.w
        at(9, 1)
        for letter, (cfa, nature, ech) in PLAN.items():
            with self.f.begin() as s:
                made = proformas.generate(s, w.cfa1 if cfa == 1 else w.cfa2, nature, ech)
                self.ids[letter] = made[0].id
        at(9, 2)
        with self.f.begin() as s:
            proformas.cancel(s, w.cfa1, self.ids["H"])
        at(10, 5)
        self.deposit("A")
        at(10, 6)
        self.deposit("B", bad=True)
        at(10, 7)
        self.validate("A", w.instructeur)
        at(10, 8)
        self.refuse("B", w.instructeur2, "MONTANTTOTAL_ERR")
        at(10, 10)
        self.deposit("B")
        at(10, 12)
        with self.f.begin() as s:
            payments.pay(s, w.instructeur, seen(s, self.ids["A"]), "VIR-A")
        at(10, 13)
        self.deposit("K", bad=True)
        at(10, 14)
        self.validate("K", w.instructeur2, "Avoir contrôlé à la main.")
        at(10, 16)
        self.validate("B", w.instructeur)
        at(10, 20)
        self.deposit("F")
        at(11, 2)
        self.deposit("C")
        at(11, 3)
        self.refuse("C", w.instructeur, "CMD_ERR")
        at(11, 5)
        self.deposit("E")
        at(11, 20)
        self.deposit("D")
        freeze(TODAY)
        return self
