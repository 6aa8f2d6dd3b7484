"""French display of dates, moments, periods and amounts, as the CFA portal shows them.

Moments (aware datetimes, stored in UTC) are always shown in Paris time (Europe/Paris, CET or
CEST as the date requires): ``format_moment`` ("27/11/2026 10:00"), ``format_moment_day``
("27/11/2026", the French civil date). Nothing shows an ISO or a UTC timestamp to a user.

Babel's fr_FR output is kept as is: thousands are separated by a narrow no-break space
(U+202F) and the euro sign follows a no-break space (U+00A0). Every formatter is memoised:
Babel costs ~0.1 ms a call and the same dates and amounts recur through every échéancier.
"""

from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache

from babel.dates import format_date, format_datetime
from babel.numbers import format_currency, format_percent

from domain.clock import PARIS, paris_day

LOCALE = "fr_FR"


@lru_cache(maxsize=8192)
def format_day(d: date) -> str:
    """Return `d` as "08/12/2023"."""
    return format_date(d, "short", locale=LOCALE)


@lru_cache(maxsize=8192)
def format_moment(moment: datetime, pattern: str = "dd/MM/yyyy HH:mm") -> str:
    """Return an aware moment in Paris time, as "27/11/2026 10:00" (Babel pattern).

    A naive datetime is refused (ValueError): its time zone would be a guess.
    """
    if moment.tzinfo is None:
        raise ValueError("naive datetime: a moment must carry its time zone")
    return format_datetime(moment, pattern, tzinfo=PARIS, locale=LOCALE)


def format_moment_day(moment: datetime) -> str:
    """Return the French civil date of an aware moment, as "27/11/2026"."""
    return format_day(paris_day(moment))


def format_period(start: date, end: date) -> str:
    """Return the period as "Du 9 sept. 2023 au 8 déc. 2023" (both days included)."""
    return f"Du {_medium(start)} au {_medium(end)}"


@lru_cache(maxsize=8192)
def _medium(d: date) -> str:
    """Return `d` as "9 sept. 2023"."""
    return format_date(d, "medium", locale=LOCALE)


@lru_cache(maxsize=65536)
def format_eur(amount: Decimal) -> str:
    """Return `amount` as "1 575,00 €" or "-4 135,00 €" (Babel's separators).

    Cached: Babel's currency formatting costs ~0.2 ms and the same amounts recur
    throughout an échéancier (equal Decimals always format alike: 2 currency digits).
    """
    return format_currency(amount, "EUR", locale=LOCALE)


@lru_cache(maxsize=8192)
def format_pct(share: Decimal) -> str:
    """Return a share such as Decimal("0.4") as "40 %"."""
    return format_percent(share, locale=LOCALE)


# --- the manual's list style ("Mes factures/factures d'avoir pro formas", §1.2.1) ------------

@lru_cache(maxsize=8192)
def format_day_medium(d: date) -> str:
    """Return `d` as the manual's lists show it: "18 sept. 2023"."""
    return _medium(d)


@lru_cache(maxsize=65536)
def format_eur_short(amount: Decimal) -> str:
    """Return `amount` as the manual's lists show it: "96 540 €", "-4 135 €", "1 368,58 €"
    (cents only when there are some; Babel's separators)."""
    whole = amount == amount.to_integral_value()
    return format_currency(amount, "EUR", format="#,##0\xa0¤" if whole else "#,##0.00\xa0¤",
                           currency_digits=False, locale=LOCALE)



def format_moment_medium(moment: datetime) -> str:
    """Return an aware moment in Paris time in the manual's list style: "18 sept. 2023 10:05"
    (the grids' moments: queue deposits, a pro forma's history)."""
    return format_moment(moment, "d MMM y HH:mm")
