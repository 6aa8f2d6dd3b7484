"""Issue 14: a grid's amounts sort by amount when their header is clicked, and read in the
manual's style — "96 540,00 €" — in a browser set to English (console/screens/grid_amounts.py,
console/french.py).

What the grid draws on its canvas is read (``helpers.RECORD_DRAWING``); its accessible table
gives each cell's value (a plain number), which must be the amount drawn in the same row.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from domain.formatting import format_eur
from tests.browser.conftest import Console
from tests.browser.helpers import ROW_HEIGHT, drawn, english_browser, grid, header_x, until
from tests.browser.test_grid_dates import check_header_sorts

pytestmark = pytest.mark.browser

# "96 540,00 €": narrow no-break spaces between thousands, a comma, a no-break space before €
AMOUNT = re.compile(r"^-?\d{1,3}(\u202f\d{3})*,\d\d\u00a0€$")


def read_amount(text: str) -> Decimal:
    assert AMOUNT.match(text), repr(text)
    return Decimal(text[:-2].replace("\u202f", "").replace(",", "."))


def column_texts(page: Page, table: Locator, title: str) -> list[str]:
    """The texts drawn in the amount column ``title``, top to bottom (the header excluded).
    An amount is drawn right-aligned: its anchor lies between the column's header and the
    next header (or the grid's right edge)."""
    box = table.bounding_box()
    assert box is not None
    top = box["y"] + ROW_HEIGHT
    left = header_x(page, table, title)
    texts = drawn(page, table)
    right = min([x for (x, y), t in texts.items() if y < top and t and x > left],
                default=box["x"] + box["width"])
    cells = sorted((y, text) for (x, y), text in texts.items()
                   if left <= x < right and y > top)
    return [text for _, text in cells]


def check_header_sorts_by_amount(page: Page, table: Locator, title: str) -> None:
    expect(table).to_be_visible()
    until(lambda: len(column_texts(page, table, title)) > 3, f"{title} not drawn")
    for text in column_texts(page, table, title):  # ui.money's characters, whatever the browser
        assert text == format_eur(read_amount(text)), (text, format_eur(read_amount(text)))
    check_header_sorts(page, table, title, read_amount,
                       lambda value: Decimal(value.strip()).quantize(Decimal("0.01")),
                       column_texts)


def test_the_instructeur_queue_sorts_its_amounts(browser: Browser, console: Console) -> None:
    page = english_browser(browser, console, "instructeur@demo.fr", "instr_queue")
    expect(page.get_by_role("heading", name="File d'instruction")).to_be_visible()
    check_header_sorts_by_amount(page, grid(page), "Montant")
    page.context.close()
