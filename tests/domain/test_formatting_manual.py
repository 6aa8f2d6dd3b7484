"""Issue 14: the manual's list style for dates and amounts (Babel fr_FR)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from domain.formatting import format_day_medium, format_eur_short


def plain(text: str) -> str:
    return text.replace("\u202f", " ").replace("\xa0", " ")


def test_days_as_the_manual_shows_them():
    assert format_day_medium(date(2023, 9, 18)) == "18 sept. 2023"
    assert format_day_medium(date(2022, 1, 28)) == "28 janv. 2022"
    assert format_day_medium(date(2021, 10, 1)) == "1 oct. 2021"


def test_amounts_as_the_manual_shows_them():
    assert plain(format_eur_short(Decimal("96540.00"))) == "96 540 €"
    assert plain(format_eur_short(Decimal("-4135"))) == "-4 135 €"
    assert plain(format_eur_short(Decimal("1368.58"))) == "1 368,58 €"
    assert plain(format_eur_short(Decimal("500.00"))) == "500 €"
    assert plain(format_eur_short(Decimal("1368.50"))) == "1 368,50 €"
