"""Issue 14: the grids' dates read in the manual's style through Streamlit's moment.js, given
a French locale by console/french.py (the drawing is read in tests/browser/test_grid_dates.py).
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import streamlit as st

from console import french
from console.screens import grid_dates
from domain.formatting import format_day_medium


def test_streamlit_ships_one_moment_module_and_the_script_loads_it() -> None:
    chunk = french.moment_chunk()
    assert chunk is not None and re.fullmatch(r"moment\.[\w-]+\.js", chunk), chunk
    folder = Path(st.__file__).parent / "static" / "static" / "js"
    # the grids import that very module (so the script's import finds the same instance)
    dataframe = next(folder.glob("DataFrame.*.js")).read_text(encoding="utf-8")
    assert f'from"./{chunk}"' in dataframe
    assert json.dumps(chunk) in french.script()


def test_no_moment_module_means_none(tmp_path: Path) -> None:
    assert french.moment_chunk(tmp_path) is None


def test_the_french_locale_writes_babels_days() -> None:
    """moment.js "D MMM YYYY" with this locale is Babel's "d MMM y" (format_day_medium) for
    every month of the year."""
    short = french.MOMENT_LOCALE["monthsShort"]
    for month in range(1, 13):
        day = date(2023, month, 18)
        assert f"18 {short[month - 1]} 2023" == format_day_medium(day)
    assert short[8] == "sept." and french.MOMENT_LOCALE["weekdays"][0] == "dimanche"
    assert grid_dates.DAY_FORMAT == "D MMM YYYY"
    assert grid_dates.MOMENT_FORMAT == "D MMM YYYY HH:mm"
    assert json.dumps(french.MOMENT_LOCALE, ensure_ascii=False) in french.script()


def test_grid_cells_are_dates_and_paris_moments() -> None:
    from datetime import UTC, datetime

    moment = grid_dates.moment(datetime(2023, 9, 18, 8, 5, tzinfo=UTC))
    assert moment is not None and moment.hour == 10 and str(moment.tzinfo) == "Europe/Paris"
    assert grid_dates.day(datetime(2023, 9, 17, 22, 30, tzinfo=UTC)) == date(2023, 9, 18)
    assert grid_dates.day(None) is None and grid_dates.moment(None) is None
    config = grid_dates.typed([{"A": date(2023, 9, 18), "B": moment, "C": "x"}])
    assert set(config) == {"A", "B"}
