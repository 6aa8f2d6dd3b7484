"""Issue 14: a grid's dates sort by date when their header is clicked, and read in the
manual's style — "18 sept. 2023", a moment "18 sept. 2023 10:05" in Paris time — in a browser
set to English, in Los Angeles (console/screens/grid_dates.py, console/french.py).

What the grid draws on its canvas is read (``helpers.RECORD_DRAWING``); its accessible table
gives each cell's value (ISO), which must be the date drawn in the same row.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.browser.conftest import Console
from tests.browser.helpers import (
    MOMENT,
    MONTHS,
    ROW_HEIGHT,
    click_header,
    column_texts,
    drawn,
    english_browser,
    grid,
    read_day,
    until,
)

pytestmark = pytest.mark.browser


def read_moment(text: str) -> datetime:
    found = MOMENT.match(text)
    assert found, text
    return datetime(int(found[3]), MONTHS[found[2]], int(found[1]), int(found[4]),
                    int(found[5]))


def values(table: Locator, title: str) -> list[str]:
    """The column's cell values (ISO) in the accessible table, top to bottom."""
    col = table.locator("th", has_text=re.compile(rf"^([↑↓] )?{re.escape(title)}$"))
    index = col.get_attribute("aria-colindex")
    return table.locator(f"td[aria-colindex='{index}']").all_inner_texts()


def header_drawn(page: Page, table: Locator, text: str) -> bool:
    box = table.bounding_box()
    assert box is not None
    return any(t == text and y < box["y"] + ROW_HEIGHT
               for (_, y), t in drawn(page, table).items())


def check_header_sorts(page: Page, table: Locator, title: str, read: Callable[[str], Any],
                       value_of: Callable[[str], Any],
                       texts_of: Callable[[Page, Locator, str], list[str]] = column_texts
                       ) -> None:
    """Click ``title``'s header twice: the rows go up, then down, by the values ``read`` gives
    of the drawn texts (``texts_of``), each drawn text its row's value in the accessible table
    (``value_of`` reads that value as ``read`` reads the text), and the data make a text sort
    wrong."""
    expect(table).to_be_visible()
    until(lambda: len(texts_of(page, table, title)) > 3, f"{title} not drawn")
    shown = texts_of(page, table, title)
    keys = [read(t) for t in shown]  # every cell in the manual's style, whatever the browser
    # the data make a text sort wrong ("1 déc." < "18 sept.", "9 000" > "10 000")
    assert sorted(shown) != [t for _, t in sorted(zip(keys, shown, strict=True))], shown

    def ordered(reverse: bool) -> bool:
        now = [read(t) for t in texts_of(page, table, title)]
        return len(now) == len(shown) and now == sorted(now, reverse=reverse)

    # each row's drawn text is its value's (the accessible table may follow the canvas a
    # moment later, on a loaded machine)
    def drawn_as_valued() -> bool:
        texts = texts_of(page, table, title)
        raw = values(table, title)[:len(texts)]
        return len(raw) == len(texts) and all(
            read(text) == value_of(value) for text, value in zip(texts, raw, strict=True))

    click_header(page, table, title)
    until(lambda: header_drawn(page, table, f"↑ {title}") and ordered(False),
          f"{title} not sorted up: {texts_of(page, table, title)}")
    until(drawn_as_valued, f"{title}: drawn {texts_of(page, table, title)} "
                           f"valued {values(table, title)}")
    up = texts_of(page, table, title)
    click_header(page, table, title)
    until(lambda: header_drawn(page, table, f"↓ {title}") and ordered(True),
          f"{title} not sorted down: {texts_of(page, table, title)}")
    down = texts_of(page, table, title)
    assert read(down[0]) >= max(read(t) for t in up) and down != up, (up, down)


def check_header_sorts_by_date(page: Page, table: Locator, title: str,
                               read: Callable[[str], date]) -> None:
    check_header_sorts(page, table, title, read, lambda value: read_iso(value, read))


def read_iso(value: str, read: Callable[[str], date]) -> date:
    """An ISO cell value as the kind ``read`` gives (a day, or a moment's wall time)."""
    if read is read_day:
        return date.fromisoformat(value[:10])
    moment = datetime.fromisoformat(value.strip())
    assert moment.utcoffset() is not None and moment.utcoffset().total_seconds() in (
        3600, 7200), value  # Paris time (CET / CEST), not the browser's Los Angeles
    return moment.replace(tzinfo=None)


def test_the_instructeur_queue_sorts_its_deposits_by_date(browser: Browser,
                                                          console: Console) -> None:
    page = english_browser(browser, console, "instructeur@demo.fr", "instr_queue")
    expect(page.get_by_role("heading", name="File d'instruction")).to_be_visible()
    check_header_sorts_by_date(page, grid(page), "Déposée le", read_moment)
    page.context.close()


def test_the_cfa_pro_forma_list_sorts_by_date(browser: Browser, console: Console) -> None:
    page = english_browser(browser, console, "cfa@demo.fr", "cfa_proformas")
    expect(page.get_by_role("heading", name=re.compile("^Mes factures"))).to_be_visible()
    check_header_sorts_by_date(page, grid(page), "Création", read_day)
    page.context.close()
