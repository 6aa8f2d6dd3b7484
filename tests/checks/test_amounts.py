"""Amount parsing: every way an amount is printed on French, English and German invoices."""

from __future__ import annotations

from decimal import Decimal

import pytest

from checks.amounts.money import find_amounts, format_eur, parse_amount
from checks.text import normalize

D = Decimal


@pytest.mark.parametrize(("text", "value"), [
    ("96 540,00 €", D("96540.00")),  # French, plain space
    ("96\u00a0540,00 €", D("96540.00")),  # no-break space
    ("96\u202f540,00 €", D("96540.00")),  # narrow no-break space (babel's own output)
    ("96 540 €", D("96540.00")),  # no cents, currency sign
    ("96.540,00 EUR", D("96540.00")),  # German / Belgian grouping
    ("96540,00 euros", D("96540.00")),  # written currency
    ("€96,540.00", D("96540.00")),  # English style
    ("EUR 1,234,567.89", D("1234567.89")),  # English, several groups
    ("-4 135,00 €", D("-4135.00")),  # credit note
    ("−4 135,00 €", D("-4135.00")),  # U+2212 minus sign
    ("- 4 135,00 €", D("-4135.00")),  # spaced minus
    ("4 135,00-", D("-4135.00")),  # trailing minus (accounting programs)
    ("0,01 €", D("0.01")),
    ("96540.00", D("96540.00")),  # decimal point, no currency
])
def test_parse_amount(text: str, value: Decimal) -> None:
    assert parse_amount(text) == value


@pytest.mark.parametrize("text", [
    "12/03/2024",  # a date
    "12.03.2024",  # a German date
    "73282932000074",  # a SIRET
    "Qté 12",  # a quantity
    "TVA 20 %",  # a rate
    "20,00 %",  # a rate with decimals
    "96,5 €",  # one decimal: not an amount
    "PRO-00603901",  # a pro forma number
    "FR76 3000 6000 0112 3456 7890 189",  # an IBAN
])
def test_not_an_amount(text: str) -> None:
    assert find_amounts(normalize(text)) == []


def test_amounts_in_a_line_keep_their_spans() -> None:
    text = normalize("Total HT 80 000,00 € TVA 16 000,00 € TTC 96 000,00 €")
    found = find_amounts(text)
    assert [a.value for a in found] == [D("80000.00"), D("16000.00"), D("96000.00")]
    assert all(text[a.start:a.end].strip() == a.text for a in found)


def test_format_eur_uses_french_separators() -> None:
    assert format_eur(D("96450.00")) == "96\u202f450,00\u00a0€"
    assert format_eur(D("-4135")) == "-4\u202f135,00\u00a0€"
