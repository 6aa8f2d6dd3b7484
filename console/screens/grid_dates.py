"""Dates in the grids, in the manual's style ("18 sept. 2023", §1.2.1), through Babel.

Streamlit's DateColumn formats dates in English (moment.js without its French locale), so a
grid's date is Babel's text; the grids' rows come ordered by date from the workflow (each
page's sort), never by this text. A moment (aware, stored in UTC) is shown on its Paris day.
"""

from __future__ import annotations

from datetime import date, datetime

from domain.clock import paris_day
from domain.formatting import format_day_medium, format_moment_medium


def day(value: date | datetime | None, empty: str = "—") -> str:
    """A day or a moment's Paris day, as "18 sept. 2023"; ``empty`` when there is none."""
    if value is None:
        return empty
    return format_day_medium(paris_day(value) if isinstance(value, datetime) else value)


def moment(value: datetime | None, empty: str = "—") -> str:
    """A moment in Paris time, as "18 sept. 2023 10:05"; ``empty`` when there is none."""
    return empty if value is None else format_moment_medium(value)
