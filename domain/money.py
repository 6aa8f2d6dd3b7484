"""Decimal helpers for money: amounts are exact, rounded to the cent, never float."""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def cents(x: Decimal) -> Decimal:
    """Return `x` rounded to the cent, half up (0.005 -> 0.01), as a 2-decimal Decimal."""
    return x.quantize(CENT, rounding=ROUND_HALF_UP)
