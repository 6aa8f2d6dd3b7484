"""What a user does in the console, in Playwright terms: log in, wait for Streamlit, click in
a data grid, pick an option, download a file, take a screenshot."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from playwright.sync_api import Browser, Download, Locator, Page, expect
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

if TYPE_CHECKING:
    from tests.browser.conftest import Console

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
SHOT_SIZE = {"width": 1366, "height": 768}  # the README's screenshots
TIMEOUT_MS = 30_000
ROW_HEIGHT = 35  # Streamlit's data grid: header and rows are 35 px high
MARKER_X = 20  # the selection / first column's checkbox, from the grid's left edge

expect.set_options(timeout=TIMEOUT_MS)


def login(browser: Browser, url: str, email: str, password: str = "demo") -> Page:
    """A new browser context (its own cookies and Streamlit session), logged in as ``email``,
    its session cookie set (a reload or a typed address finds the user again)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="fr-FR",
                                  accept_downloads=True)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(url)
    submit_login(page, email, password)
    return page


def submit_login(page: Page, email: str, password: str = "demo") -> None:
    """Fill and send the login form; wait until the page is logged in and the browser holds
    its session cookie (the POST /auth/session that the logged-in page makes has answered)."""
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    with page.expect_response(lambda r: r.url.endswith("/auth/session")
                              and r.request.method == "POST") as cookie:
        page.get_by_role("button", name="Se connecter").click()
    assert cookie.value.status == 204, cookie.value.status
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()
    settle(page)


def settle(page: Page) -> None:
    """Wait until Streamlit's "Running…" status widget is gone (the rerun is over)."""
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0)
    expect(page.get_by_test_id("stSpinner")).to_have_count(0)


def go(page: Page, link: str, title: str) -> None:
    """Open a page from the sidebar navigation and wait for its title."""
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=link).click()
    expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible()
    settle(page)


def choose(page: Page, label: str, option: str, scope: Page | Locator | None = None,
           attempts: int = 3) -> None:
    """Pick ``option`` in the select box labelled ``label``.

    The exact option is clicked, never the list's focused one (typing "Facture" leaves
    "Facture d'avoir" in the list too). Under load the filtered list can re-render under the
    click: the list is then closed and the choice made again. The value is checked once the
    list is closed and the rerun is over, so the text typed to filter it cannot pass for it.
    """
    box = (scope or page).get_by_role("combobox", name=label)
    expect(box).to_be_visible()
    if box.input_value() == option:
        return
    for attempt in range(attempts):
        box.click()
        box.fill(option)  # filters a long list down to the option
        try:
            page.get_by_role("option", name=option, exact=True).click(timeout=5000)
        except PlaywrightTimeoutError:
            if attempt == attempts - 1:
                raise
            box.press("Escape")  # close the list, its value unchanged; choose again
            settle(page)
            continue
        settle(page)
        expect(page.get_by_role("option")).to_have_count(0)  # the list is closed
        if box.input_value() == option or attempt == attempts - 1:
            break
    expect(box).to_have_value(option)
    settle(page)


def click_until(page: Page, button: Locator, shown: Locator, attempts: int = 3) -> None:
    """Click ``button`` until ``shown`` appears: a click landing while a rerun (e.g. the one a
    text area's commit starts) swaps the button is dropped by Streamlit, so it is clicked
    again, only while the button is still there (an action done once removes it)."""
    for attempt in range(attempts):
        settle(page)
        if attempt and (shown.count() or not button.count()):
            break
        button.click()
        try:
            expect(shown).to_be_visible(timeout=10_000)
            return
        except AssertionError:
            continue
    expect(shown).to_be_visible()


def open_tab(page: Page, name: str) -> Locator:
    """Select the tab ``name`` (again if a rerun swallowed the click); its panel."""
    tab = page.get_by_role("tab", name=name, exact=True)
    click_until(page, tab, page.get_by_role("tab", name=name, exact=True, selected=True))
    return page.get_by_role("tabpanel", name=name, exact=True)


def grid(page: Page, index: int = 0, scope: Page | Locator | None = None) -> Locator:
    """The ``index``-th data grid (st.dataframe / st.data_editor) of the page or scope."""
    return (scope or page).locator("[data-testid=stDataFrame]").nth(index)


def cell(table: Locator, col: int, row: int) -> Locator:
    """One cell of the grid's accessibility table (its text is the cell's value)."""
    return table.get_by_test_id(f"glide-cell-{col}-{row}")


def click_row_marker(page: Page, table: Locator, row: int) -> None:
    """Click the checkbox at the left of a grid row (an editable boolean or the row selector).

    The grid is drawn on a canvas: the click goes to the row's coordinates.
    """
    for attempt in range(5):  # a rerun may swap the grid for a new one under the pointer
        settle(page)
        try:
            table.scroll_into_view_if_needed(timeout=5_000)
            box = table.bounding_box(timeout=5_000)
        except PlaywrightError:
            if attempt == 4:
                raise
            continue
        assert box is not None
        page.mouse.click(box["x"] + MARKER_X,
                         box["y"] + ROW_HEIGHT * (row + 1) + ROW_HEIGHT / 2)
        return


def tick_row(page: Page, row: int, value: str = "true", attempts: int = 3) -> None:
    """Click the editable checkbox of a grid row until its cell reads ``value``.

    On a busy machine a click can land while a rerun swaps the grid, and is then lost; it is
    repeated only once the page has settled with the cell still unchanged, so a slow click is
    never doubled.
    """
    for attempt in range(attempts):
        click_row_marker(page, grid(page), row)
        settle(page)
        try:
            expect(cell(grid(page), 0, row)).to_have_text(value, timeout=10_000)
            return
        except AssertionError:
            settle(page)
            if cell(grid(page), 0, row).inner_text() == value:
                return
            if attempt == attempts - 1:
                raise


def find_row(table: Locator, col: int, text: str) -> int:
    """The index of the (visible) grid row whose column ``col`` reads ``text``."""
    found = table.locator(f"td[aria-colindex='{col + 1}']", has_text=re.compile(
        rf"^{re.escape(text)}$"))
    expect(found).to_have_count(1)
    cell_id = found.get_attribute("data-testid") or ""
    return int(cell_id.rsplit("-", 1)[1])


def download(page: Page, button: Locator) -> tuple[str, bytes]:
    """Click a download button; the file's suggested name and bytes."""
    with page.expect_download() as info:
        button.click()
    dl: Download = info.value
    path = dl.path()
    assert path is not None, dl.failure()
    return dl.suggested_filename, Path(path).read_bytes()


def shot(page: Page, name: str) -> Path:
    """A full-page screenshot kept in docs/screenshots/, taken 1366 px wide (the CFA clerks'
    laptop screen; Streamlit scrolls inside its main container, so the viewport is stretched
    to the content's height for the shot, never below 768 px)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.mouse.move(1, 1)  # no hover toolbar or tooltip on the shot
    settle(page)
    size = page.viewport_size or {"width": 1400, "height": 1000}
    page.set_viewport_size(SHOT_SIZE)
    settle(page)
    height = page.evaluate(
        "() => Math.max(...['[data-testid=stMain]', '[role=dialog]']"
        ".map(s => document.querySelector(s)).filter(Boolean).map(e => e.scrollHeight))")
    page.set_viewport_size({"width": SHOT_SIZE["width"],
                            "height": max(SHOT_SIZE["height"], min(int(height) + 40, 5000))})
    settle(page)
    path = SCREENSHOTS / name
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(size)
    return path


def plain(text: str) -> str:
    """Text with its non-breaking and narrow spaces made ordinary spaces."""
    return re.sub(r"[\u00a0\u202f]", " ", text)


# --- what a grid draws: its canvas' text --------------------------------------------------

# A grid (glide-data-grid) draws its cells on a canvas; its accessible table holds the cells'
# values (a date cell's ISO value), not what is drawn. This init script records every text
# the page draws on a canvas, with its position on the page, so a test reads what a user sees.
RECORD_DRAWING = """(() => {
  if (window.__drawn) return;
  window.__drawn = [];  // [text, x, y, canvas] with x, y on the canvas
  window.__canvases = [];
  const own = CanvasRenderingContext2D.prototype.fillText;
  CanvasRenderingContext2D.prototype.fillText = function (text, x, y, ...rest) {
    const c = this.canvas;
    if (c && c.isConnected) {
      let i = window.__canvases.indexOf(c);
      if (i < 0) i = window.__canvases.push(c) - 1;
      const t = this.getTransform();
      window.__drawn.push([String(text), x * t.a + t.e, y * t.d + t.f, i]);
    }
    return own.call(this, text, x, y, ...rest);
  };
})()"""

# each text at its place on the page now (its canvas may have moved since: a scroll)
_READ_DRAWN = """() => (window.__drawn || []).flatMap(([text, x, y, i]) => {
  const c = window.__canvases[i];
  if (!c.isConnected) return [];
  const r = c.getBoundingClientRect();
  return [[text, r.left + x, r.top + y]];
})"""


def drawn(page: Page, table: Locator) -> dict[tuple[int, int], str]:
    """The texts last drawn inside ``table``'s box, by their (x, y) position on the page
    (rounded to the pixel): what the grid shows now."""
    box = table.bounding_box()
    assert box is not None
    shown: dict[tuple[int, int], str] = {}
    for text, x, y in page.evaluate(_READ_DRAWN):
        if box["x"] <= x <= box["x"] + box["width"] and box["y"] <= y <= box["y"] + box["height"]:
            shown[(round(x), round(y))] = text
    return shown


def header_x(page: Page, table: Locator, title: str) -> int:
    """Where the header ``title`` is drawn (its text's left edge, on the page)."""
    box = table.bounding_box()
    assert box is not None
    top = box["y"] + ROW_HEIGHT
    names = (title, f"↑ {title}", f"↓ {title}")  # sorted: an arrow before the title
    found = [x for (x, y), text in drawn(page, table).items() if text in names and y < top]
    assert found, f"header {title!r} not drawn"
    return found[0]


def column_texts(page: Page, table: Locator, title: str) -> list[str]:
    """The texts drawn in the column ``title``, top to bottom (the header excluded)."""
    x = header_x(page, table, title)
    box = table.bounding_box()
    assert box is not None
    cells = sorted((y, text) for (cx, y), text in drawn(page, table).items()
                   if abs(cx - x) <= 1 and y > box["y"] + ROW_HEIGHT)
    return [text for _, text in cells]


def click_header(page: Page, table: Locator, title: str) -> None:
    """Click the header ``title`` (its text: the grid sorts by that column)."""
    box = table.bounding_box()
    assert box is not None
    page.mouse.click(header_x(page, table, title) + 10, box["y"] + ROW_HEIGHT / 2)


def open_column_menu(page: Page, table: Locator, title: str) -> Locator:
    """Open the menu of the column ``title`` (the ⋮ drawn at the right of its header while
    the pointer is over it); the menu."""
    box = table.bounding_box()
    assert box is not None
    titles = [t.strip() for t in table.locator("th").all_inner_texts()]
    after = titles[titles.index(title) + 1:]
    drawn_titles = {text.lstrip("↑↓ ") for text in drawn(page, table).values()}
    right = (header_x(page, table, after[0]) - 8 if after and after[0] in drawn_titles
             else box["x"] + box["width"] - 2)
    y = box["y"] + ROW_HEIGHT / 2
    page.mouse.move(header_x(page, table, title) + 5, y)
    page.wait_for_timeout(300)  # the ⋮ is drawn on hover
    page.mouse.click(right - 16, y)
    menu = page.get_by_test_id("stDataFrameColumnMenu")
    expect(menu).to_be_visible()
    return menu


# --- dates as the grids draw them ---------------------------------------------------------

MONTHS = {"janv.": 1, "févr.": 2, "mars": 3, "avr.": 4, "mai": 5, "juin": 6, "juil.": 7,
          "août": 8, "sept.": 9, "oct.": 10, "nov.": 11, "déc.": 12}
DAY = re.compile(r"^(\d{1,2}) (" + "|".join(re.escape(m) for m in MONTHS) + r") (\d{4})")
MOMENT = re.compile(DAY.pattern + r" (\d\d):(\d\d)$")


def read_day(text: str) -> date:
    """A day drawn in the manual's style (\"18 sept. 2023\")."""
    found = DAY.match(text)
    assert found and found.end() == len(text), text
    return date(int(found[3]), MONTHS[found[2]], int(found[1]))


def until(check: Callable[[], bool], what: str) -> None:
    """Wait for the grid to redraw (a canvas: no DOM to wait on) until ``check`` holds."""
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while not check():
        assert time.monotonic() < deadline, what
        time.sleep(0.2)


def english_browser(browser: Browser, console: Console, email: str, path: str) -> Page:
    """A browser in English, in Los Angeles, 1366×768, logged in as ``email`` on ``path``
    (a page loaded afresh: the grid is drawn on the tab's first load)."""
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="en-US",
                                  timezone_id="America/Los_Angeles")
    context.set_default_timeout(TIMEOUT_MS)
    context.add_init_script(RECORD_DRAWING)
    page = context.new_page()
    page.goto(console.url)
    submit_login(page, email)
    page.goto(f"{console.url}/{path}")
    settle(page)
    return page
