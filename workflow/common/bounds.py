"""Bounds of what users type: amounts, numbers of days, dates.

Every value a user types reaches ``Decimal``, ``int`` arithmetic or ``date`` only through
these checks, which raise ``InvalidInput`` with a French message instead of letting
``Decimal``, ``timedelta`` or ``date`` raise (``InvalidOperation`` for "1e30",
``OverflowError`` for a million days). The pages bound their widgets alike; the workflow
checks again, since rules are decided here and not in the page.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from domain.clock import paris_day
from domain.errors import InvalidInput
from domain.formatting import format_day, format_eur

# Money is Numeric(12, 2): the application keeps every typed amount well inside it
MAX_AMOUNT = Decimal("99999999.99")
MAX_DAYS = 3650
MIN_DATE = date(2000, 1, 1)
MAX_DATE = date(2100, 12, 31)
MAX_AMOUNT_CHARS = 40
# an amount as typed, once spaces and the euro sign are gone: ASCII digits only (no "1e30",
# "NaN", "Infinity" or full-width digits), at most 12 before the comma and 2 after it
_AMOUNT = re.compile(r"[+-]?[0-9]{1,12}(?:[.,][0-9]{1,2})?", re.ASCII)
_SPACES = str.maketrans("", "", " \u00a0\u202f\u2009\t")
CENT = Decimal("0.01")
EXAMPLE = "Exemple : 1 234,56"


def _range_message(what: str, low: Decimal, high: Decimal) -> str:
    return f"{what} doit être compris entre {format_eur(low)} et {format_eur(high)}."


def parse_amount(text: object, field: str = "amount", what: str = "Le montant", *,
                 low: Decimal = Decimal("0.00"), high: Decimal = MAX_AMOUNT) -> Decimal | None:
    """An amount typed in French ("1 234,56", "1234.56 €") as a Decimal; None when empty.

    Raises InvalidInput for anything else: letters, exponents, NaN or infinities, more than
    12 digits before the comma or 2 after it, or a value outside ``low``..``high``.
    """
    raw = "" if text is None else str(text)
    if len(raw) > MAX_AMOUNT_CHARS:
        raise InvalidInput(field, f"Montant invalide (trop long). {EXAMPLE}")
    cleaned = raw.translate(_SPACES).removesuffix("€").translate(_SPACES)
    if not cleaned:
        return None
    if not _AMOUNT.fullmatch(cleaned):
        raise InvalidInput(field, f"Montant invalide : « {raw.strip()} ». {EXAMPLE} "
                                  "(au centime près, 12 chiffres au plus avant la virgule).")
    return amount(Decimal(cleaned.replace(",", ".")), field, what, low=low, high=high)


def amount(value: object, field: str = "amount", what: str = "Le montant", *,
           low: Decimal = Decimal("0.00"), high: Decimal = MAX_AMOUNT) -> Decimal:
    """``value`` (a Decimal, an int, or a finite float from a number input) as a Decimal to
    the cent, checked to lie in ``low``..``high``; InvalidInput otherwise."""
    if isinstance(value, bool) or not isinstance(value, (Decimal, int, float)):
        raise InvalidInput(field, f"{what} n'est pas un montant. {EXAMPLE}")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidInput(field, _range_message(what, low, high))
        value = Decimal(repr(value))
    number = Decimal(value)
    # compare before quantizing: quantize raises InvalidOperation past 28 digits
    if not number.is_finite() or number < low or number > high:
        raise InvalidInput(field, _range_message(what, low, high))
    if number != number.quantize(CENT):
        raise InvalidInput(field, f"{what} s'exprime au centime près. {EXAMPLE}")
    return number.quantize(CENT) + 0  # + 0 turns -0.00 into 0.00


def days(value: object, field: str = "days", what: str = "Le nombre de jours", *,
         low: int = 0, high: int = MAX_DAYS) -> int:
    """A whole number of days in ``low``..``high`` (an int, an integral finite float, or its
    digits as text); InvalidInput otherwise."""
    message = f"{what} est un nombre entier de jours, de {low} à {high}."
    if isinstance(value, bool):
        raise InvalidInput(field, message)
    if isinstance(value, float):
        if not math.isfinite(value) or not value.is_integer():
            raise InvalidInput(field, message)
        value = int(value)
    elif isinstance(value, str):
        text = value.strip()
        if not re.fullmatch(r"[0-9]{1,6}", text, re.ASCII):
            raise InvalidInput(field, message)
        value = int(text)
    elif isinstance(value, Decimal):
        # adjusted() first: arithmetic on Decimal("1E+999999999") raises Overflow
        if not value.is_finite() or value.adjusted() > 9 or value != value.to_integral_value():
            raise InvalidInput(field, message)
        value = int(value)
    if not isinstance(value, int) or not low <= value <= high:
        raise InvalidInput(field, message)
    return value


def day(value: object, field: str = "date", what: str = "La date") -> date:
    """A date between MIN_DATE and MAX_DATE (a datetime counts as its day); InvalidInput
    otherwise."""
    if isinstance(value, datetime):  # an aware moment counts as its French day
        value = paris_day(value) if value.tzinfo is not None else value.date()
    if not isinstance(value, date) or not MIN_DATE <= value <= MAX_DATE:
        raise InvalidInput(field, f"{what} doit être comprise entre le {format_day(MIN_DATE)} "
                                  f"et le {format_day(MAX_DATE)}.")
    return value


# Stored strings. Each String(n) column's length is declared once, in db/models/; every
# string a user types or a file yields is checked against it here before it is stored, so
# that PostgreSQL never refuses it (StringDataRightTruncation) and SQLite never keeps more
# than the schema says. ``lengths_fit`` (a before_flush hook on every session) is the net
# under the field-by-field checks: whatever reaches an ORM flush too long is refused there.

def max_length(column: Any) -> int:
    """The declared length of a ``String(n)`` model attribute (``ProForma.own_invoice_number``)."""
    length = getattr(_column(column).type, "length", None)
    if not isinstance(length, int):
        raise TypeError(f"{column} is no String(n) column")
    return length


def _column(column: Any) -> Any:
    return column.property.columns[0] if hasattr(column, "property") else column


def fits(value: str, column: Any, what: str, field: str | None = None) -> str:
    """``value`` unchanged when it fits ``column`` (a ``String(n)`` model attribute); else
    InvalidInput: "<what> dépasse <n> caractères (<m> reçus)"."""
    limit = max_length(column)
    if len(value) > limit:
        raise InvalidInput(field or _column(column).key,
                           f"{what} dépasse {limit} caractères ({len(value)} reçus) : "
                           "raccourcissez-le.")
    return value


def too_long(obj: Any) -> tuple[str, int, int] | None:
    """The first ``String(n)`` attribute of a mapped object whose value exceeds n, as
    (attribute, n, length); None when every one fits."""
    from sqlalchemy import String, inspect

    for attr in inspect(obj).mapper.column_attrs:
        kind = attr.columns[0].type
        if isinstance(kind, String) and isinstance(kind.length, int):
            value = getattr(obj, attr.key, None)
            if isinstance(value, str) and len(value) > kind.length:
                return attr.key, kind.length, len(value)
    return None


def lengths_fit(session: Any, _context: Any = None, _instances: Any = None) -> None:
    """before_flush: refuse, in French, a new or changed row whose text exceeds its column."""
    for obj in (*session.new, *session.dirty):
        found = too_long(obj)
        if found is not None:
            key, limit, length = found
            raise InvalidInput(key, f"Texte trop long pour « {key} » : {length} caractères, "
                                    f"{limit} au plus. Rien n'a été enregistré.")
