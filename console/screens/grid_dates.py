"""Dates in the grids: real date columns that sort by date, read in the manual's style.

A grid's date was Babel's text ("18 sept. 2023"), which a click on the column's header sorted
as text ("1 déc." before "18 sept."). The cells are now dates (a day) or Paris moments, shown
by Streamlit's DateColumn / DatetimeColumn with a moment.js format: Streamlit sorts such a
column by the ISO value it keeps beside the display (chronological), and draws the format. Its
moment.js has no French locale of its own: ``console/french.py`` gives it one, built from
Babel's fr_FR names, so "D MMM YYYY" reads "18 sept. 2023" (§1.2.1) and "D MMM YYYY HH:mm"
"18 sept. 2023 10:05" whatever the browser's language, and the moment in Paris time whatever
its time zone (the column's ``timezone``; a day is drawn as the day it is, in UTC).

Pages build a grid's rows with ``day`` / ``moment`` and pass ``columns(...)`` as the
``column_config`` of ``st.dataframe``, and ``EMPTY`` as its ``placeholder`` (a missing date
would otherwise read Streamlit's English "None").
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

import streamlit as st

from domain.clock import PARIS, paris, paris_day

DAY_FORMAT = "D MMM YYYY"  # moment.js: "18 sept. 2023" (Babel's fr_FR "d MMM y")
MOMENT_FORMAT = "D MMM YYYY HH:mm"  # "18 sept. 2023 10:05" (Babel's "d MMM y HH:mm")
TIME_ZONE = PARIS.key
EMPTY = "—"  # a grid's missing cell


def day(value: date | datetime | None) -> date | None:
    """A grid cell's day: a day as is, a moment's Paris day; None when there is none."""
    if value is None:
        return None
    return paris_day(value) if isinstance(value, datetime) else value


def moment(value: datetime | None) -> datetime | None:
    """A grid cell's moment, in Paris time (aware); None when there is none."""
    return None if value is None else paris(value)


def day_column(label: str | None = None, **options: Any) -> Any:
    """A day column: "18 sept. 2023", sorted by date."""
    return st.column_config.DateColumn(label, format=DAY_FORMAT, **options)


def moment_column(label: str | None = None, **options: Any) -> Any:
    """A moment column: "18 sept. 2023 10:05" in Paris time, sorted by moment."""
    return st.column_config.DatetimeColumn(label, format=MOMENT_FORMAT, timezone=TIME_ZONE,
                                           **options)


def columns(days: Iterable[str] = (), moments: Iterable[str] = ()) -> dict[str, Any]:
    """The ``column_config`` of a grid whose columns ``days`` hold days (``day``) and
    ``moments`` hold moments (``moment``)."""
    return {**{name: day_column() for name in days},
            **{name: moment_column() for name in moments}}


def typed(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The ``column_config`` for rows whose date and datetime values are cells of this
    module's kinds (a generic table: the dashboard's)."""
    days: set[str] = set()
    moments: set[str] = set()
    for row in rows:
        for name, value in row.items():
            if isinstance(value, datetime):
                moments.add(name)
            elif isinstance(value, date):
                days.add(name)
    return columns(sorted(days - moments), sorted(moments))
