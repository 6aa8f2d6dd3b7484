"""Money amounts as printed on French, English and German invoices, to exact ``Decimal``.

Finds amounts in a line of text ("96 540,00 €", "96.540,00 EUR", "€96,540.00", "-4 135 €") with
their character spans, so that the caller can map them back to word boxes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from babel.numbers import NumberFormatError, format_currency, format_decimal, parse_decimal

from checks.text import normalize

_CURRENCY = r"(?:€|EUR|euros?|Euros?|EUROS?|CHF|USD|GBP|\$|£)"
_NUMBER = (r"(?P<num>\d{1,3}(?P<group>[ .,'])\d{3}(?:(?P=group)\d{3})*(?:(?P<dec1>[.,])\d{2})?"
           r"|\d+(?:(?P<dec2>[.,])\d{2})?)")
_AMOUNT = re.compile(
    r"(?<![\w.,/-])(?P<sign>-\s?)?(?P<cur1>" + _CURRENCY + r"\s?)?(?P<sign2>-\s?)?" + _NUMBER
    + r"(?P<cur2>\s?" + _CURRENCY + r")?(?P<tsign>-(?![\w-]))?(?![\w%]|[.,]\d|\s?%)"
)


@dataclass(frozen=True)
class Amount:
    """An amount found in a text: its value, its character span and how it was written."""

    value: Decimal
    start: int
    end: int
    text: str
    has_currency: bool


def find_amounts(text: str) -> list[Amount]:
    """Return the amounts in ``text`` (already normalized), left to right.

    A bare integer without currency is not an amount (quantities, dates, SIRETs); an amount
    needs two decimals or a currency sign.
    """
    found = []
    for match in _AMOUNT.finditer(text):
        amount = _to_amount(match)
        if amount is not None:
            found.append(amount)
    return found


def parse_amount(text: str) -> Decimal | None:
    """Return the value of the single amount written in ``text``, or None if there is none."""
    amounts = find_amounts(normalize(text.strip()))
    if len(amounts) != 1:
        return None
    return amounts[0].value


def _to_amount(match: re.Match[str]) -> Amount | None:
    decimal_sep = match.group("dec1") or match.group("dec2")
    group_sep = match.group("group")
    has_currency = bool(match.group("cur1") or match.group("cur2"))
    if not decimal_sep and not has_currency:
        return None
    if group_sep and decimal_sep == group_sep:
        return None
    value = _to_decimal(match.group("num"), group_sep, decimal_sep)
    if value is None:
        return None
    if match.group("sign") or match.group("sign2") or match.group("tsign"):
        value = -value
    start, end = match.span()
    return Amount(value, start, end, match.group(0).strip(), has_currency)


def _to_decimal(number: str, group_sep: str | None, decimal_sep: str | None) -> Decimal | None:
    digits = number.replace(group_sep, "") if group_sep else number
    if decimal_sep:
        whole, _, cents = digits.rpartition(decimal_sep)
        digits = f"{whole},{cents}"
    try:  # canonical French form, read by babel
        return Decimal(parse_decimal(digits, locale="fr_FR", strict=True)).quantize(Decimal("0.01"))
    except (NumberFormatError, ValueError):
        return None


def format_eur(value: Decimal) -> str:
    """Return ``value`` as French currency, e.g. ``96 540,00 €`` (babel, fr_FR separators)."""
    return format_currency(value, "EUR", locale="fr_FR")


def format_number(value: Decimal) -> str:
    """Return ``value`` as a French decimal with two places, without currency."""
    return format_decimal(value, format="#,##0.00", locale="fr_FR")
