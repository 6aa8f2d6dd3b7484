"""Amounts in the grids: real number columns that sort by amount, read "96 540,00 €".

A grid's amount was ``ui.money``'s text ("96 540,00 €"), which a click on the column's header
sorted as text ("9 000,00 €" after "10 000,00 €"). The cells are now the amounts themselves
(Decimal), shown by Streamlit's NumberColumn with its "euro" format: Streamlit sorts such a
column by value, and formats it with ``Intl.NumberFormat(navigator.languages, {currency:
"EUR"…})``. ``console/french.py`` makes the browser's own languages mean French for
``Intl.NumberFormat``, so the cell reads "96 540,00 €" (narrow no-break space between
thousands, comma, no-break space before €: ``domain.formatting.format_eur``'s characters)
whatever the browser's language.

Pages build a grid's rows with ``amount`` and pass ``columns(...)`` (merged with
``grid_dates.columns``) as the ``column_config`` of ``st.dataframe``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import streamlit as st

FORMAT = "euro"  # Streamlit's preset: Intl.NumberFormat, currency EUR, 2 decimals


def amount(value: Decimal | None) -> Decimal | None:
    """A grid cell's amount, in euros (None when there is none)."""
    return None if value is None else Decimal(value)


def amount_column(label: str | None = None, **options: Any) -> Any:
    """An amount column: "96 540,00 €", sorted by amount."""
    return st.column_config.NumberColumn(label, format=FORMAT, **options)


def columns(*names: str) -> dict[str, Any]:
    """The ``column_config`` of a grid whose columns ``names`` hold amounts (``amount``)."""
    return {name: amount_column() for name in names}
