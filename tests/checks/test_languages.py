"""The template-free grand total over randomly drawn invoices in six languages (issue 15,
item 2): line items, a net sum (or none), VAT (or none), the gross, sometimes a prepayment and
the amount due, sometimes no label at all; amounts in each language's format. Every other
amount printed is offered as the expected total: none may pass, and a total found is the
true one."""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import pytest

from checks.model import Expected
from checks.rules import Context, check_total
from tests.checks.helpers import rows_of

D = Decimal
LABELS: dict[str, dict[str, list[str]]] = {
    "fr": {"net": ["Total HT", "Montant HT", "Sous-total"], "vat": ["TVA 20 %", "TVA"],
           "gross": ["Total TTC", "Montant TTC", "Montant total"],
           "paid": ["Acompte versé", "Déjà réglé"],
           "due": ["Net à payer", "Reste à payer", "Montant dû"],
           "line": ["Formation contrat {c}", "Pédagogie {c}"]},
    "en": {"net": ["Subtotal", "Net amount"], "vat": ["VAT 20%", "Tax"],
           "gross": ["Total", "Grand total", "Invoice total"], "paid": ["Paid", "Deposit"],
           "due": ["Amount due", "Balance due"], "line": ["Training {c}", "Item {c}"]},
    "de": {"net": ["Summe netto", "Nettobetrag", "Zwischensumme"],
           "vat": ["USt 19 %", "zzgl. MwSt. 19%"],
           "gross": ["Summe inkl. USt", "Gesamtbetrag", "Rechnungsbetrag", "Bruttosumme"],
           "paid": ["Anzahlung", "Bereits bezahlt"], "due": ["Zahlbetrag", "Zu zahlen"],
           "line": ["Position {c}", "Leistung {c}"]},
    "nl": {"net": ["Subtotaal", "Totaal excl. btw"], "vat": ["Btw 21%"],
           "gross": ["Totaal incl. btw", "Totaalbedrag"], "paid": ["Aanbetaling"],
           "due": ["Te betalen"], "line": ["Opleiding {c}"]},
    "es": {"net": ["Base imponible", "Subtotal"], "vat": ["IVA 21%"],
           "gross": ["Importe total", "Total factura"], "paid": ["Anticipo"],
           "due": ["Total a pagar"], "line": ["Curso {c}"]},
    "it": {"net": ["Imponibile"], "vat": ["IVA 22%"],
           "gross": ["Totale documento", "Importo totale"], "paid": ["Acconto"],
           "due": ["Netto a pagare"], "line": ["Corso {c}"]},
}
RATES = {"fr": D("0.20"), "en": D("0.20"), "de": D("0.19"), "nl": D("0.21"), "es": D("0.21"),
         "it": D("0.22")}


@dataclass
class Drawn:
    """One drawn invoice: its rows (label, amount), its grand total, every amount printed."""

    language: str
    rows: list[str | tuple[str, str]]
    gross: Decimal
    printed: set[Decimal]


def _format(value: Decimal, language: str, rng: random.Random) -> str:
    text = f"{value:,.2f}"
    if language == "fr":
        return text.replace(",", " ").replace(".", ",") + " €"
    if language == "en":
        return rng.choice(["€", ""]) + text
    return text.replace(",", "X").replace(".", ",").replace("X", ".") + \
        rng.choice([" €", " EUR", ""])


def draw(rng: random.Random) -> Drawn:
    """Return a random invoice in one of the six languages."""
    language = rng.choice(sorted(LABELS))
    labels = LABELS[language]
    lines = [D(rng.randrange(1000, 500000)) / 100 for _ in range(rng.randint(1, 8))]
    net = sum(lines, D(0))
    vat = (net * RATES[language]).quantize(D("0.01"), ROUND_HALF_UP) \
        if rng.random() < 0.7 else D(0)
    gross = net + vat
    paid = (gross * rng.choice([10, 25, 50]) / 100).quantize(D("0.01")) \
        if rng.random() < 0.25 else D(0)
    rows: list[str | tuple[str, str]] = [
        (rng.choice(labels["line"]).format(c=f"2024{rng.randrange(10**7, 10**8)}"),
         _format(amount, language, rng)) for amount in lines]
    if rng.random() < 0.8:
        rows.append((rng.choice(labels["net"]), _format(net, language, rng)))
    if vat:
        rows.append((rng.choice(labels["vat"]), _format(vat, language, rng)))
    elif language == "fr" and rng.random() < 0.5:
        rows.append("TVA non applicable, article 261-4-4° du CGI")
    rows.append((rng.choice(labels["gross"]), _format(gross, language, rng)))
    if paid:
        sign = "-" if rng.random() < 0.5 else ""
        rows.append((rng.choice(labels["paid"]), sign + _format(paid, language, rng)))
        rows.append((rng.choice(labels["due"]), _format(gross - paid, language, rng)))
    if rng.random() < 0.15:  # no label at all: only the arithmetic can speak
        rows = [(" ", row[1]) if isinstance(row, tuple) else row for row in rows]
    printed = set(lines) | {net, vat, gross, paid, gross - paid}
    return Drawn(language, rows, gross, printed - {D(0)})


@pytest.mark.parametrize("seed", range(4))
def test_random_invoices_in_six_languages(seed: int) -> None:
    rng = random.Random(f"languages-{seed}")
    right, wrong, false_passes = 0, [], []
    count = 500
    for _ in range(count):
        drawn = draw(rng)
        rows = rows_of(*drawn.rows)
        _, found = check_total(Context(rows, None, Expected(total=drawn.gross)))
        if found is not None and D(found) == drawn.gross:
            right += 1
        elif found is not None:
            wrong.append((drawn.language, drawn.rows, found))
        for decoy in drawn.printed - {drawn.gross}:
            result, _ = check_total(Context(rows, None, Expected(total=decoy)))
            if result.outcome == "pass":
                false_passes.append((drawn.language, drawn.rows, str(decoy)))
    assert false_passes == []
    assert wrong == []
    assert right >= 0.9 * count
