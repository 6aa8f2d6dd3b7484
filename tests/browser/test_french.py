"""Issue 14: no English word of Streamlit's on any page of any role, in a real Chromium.

Visible text, placeholders, titles and aria-labels are read on every page of every role's
menu (and the login form, an unknown address, the upload dialog, a grid's toolbar). Streamlit
1.67 has no setting for its own strings: ``console/french.py`` rewrites them in the page.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from console.french import UPLOAD_ZONE
from console.navigation import PAGES
from domain.vocabulary import Role
from tests.browser.conftest import Console
from tests.browser.helpers import (
    RECORD_DRAWING,
    TIMEOUT_MS,
    choose,
    column_texts,
    english_browser,
    grid,
    login,
    open_column_menu,
    read_day,
    settle,
    until,
)

pytestmark = pytest.mark.browser

ENGLISH = re.compile(r"\b(Upload|Drag and drop|Running|Search|Download|Fullscreen|Show/hide|"
                     r"Choose an option|No results|dd/mm/yyyy|DD/MM/YYYY|Page not found|"
                     r"Browse files|per file|Skip to main content|Help for|App pages|"
                     r"file upload|Open|Clear value|Clear all|Clear selection|Clear date|"
                     r"Choose a date|Choose date|Previous month|Next month|Increment|"
                     r"Decrement|Select all|Link to heading|(?:day|month|year)(?=, )|"
                     # a grid column's menu, its "Format" and "Statistics" panels
                     r"Sort ascending|Sort descending|Automatic|Localized|Pin column|"
                     r"Unpin column|Hide column|Autosize|Copy column name|Statistics|"
                     r"Dataframe column menu|Plain|Percent|Scientific|Accounting|Duration|"
                     r"Calendar|Values|Empty|Count|Sum|Average|Median|Standard deviation|"
                     r"percentile|Range|Based on sample|No data|histogram|frequency chart|"
                     r"\d+ (?:second|minute|hour|day|week|month|year)s?|"
                     # an English date (a browser's default language)
                     r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{1,2}, \d{4})\b")
ACCOUNTS = {Role.CFA: "cfa@demo.fr", Role.INSTRUCTEUR: "instructeur@demo.fr",
            Role.MANAGER: "manager@demo.fr", Role.ADMIN: "admin@demo.fr"}

_READ = """() => {
  const out = [document.body.innerText];
  for (const a of ["placeholder", "title", "aria-label"])
    document.querySelectorAll("[" + a + "]").forEach((el) => out.push(el.getAttribute(a)));
  return out.join("\\n");
}"""


def english(page: Page, attempts: int = 10) -> list[str]:
    """Streamlit's English words found in the page (text, placeholders, titles, aria-labels)
    once the override has rewritten what was just drawn. On a loaded machine a rerun or a
    hover can draw while the page is read: the page is read again, after the rerun, up to
    ``attempts`` times; what is still English then is what a user keeps seeing."""
    found: list[str] = []
    for _ in range(attempts):
        page.wait_for_timeout(500)
        found = sorted(set(ENGLISH.findall(page.evaluate(_READ))))
        if not found:
            return found
        settle(page)
    return found


def hover_grids(page: Page) -> None:
    """Show the toolbar of each grid (drawn on hover)."""
    for table in page.get_by_test_id("stDataFrame").all()[:3]:
        if table.is_visible():
            table.hover()
            page.wait_for_timeout(200)


def column_menu(page: Page) -> list[str]:
    """Open the column menu of the first visible grid's first column; the English in the
    page then (the menu, its "Format" submenu when the column has one). None when the page
    shows no grid."""
    tables = [t for t in page.get_by_test_id("stDataFrame").all() if t.is_visible()]
    if not tables:
        return []
    table = tables[0]
    table.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    titles = [t.strip().lstrip("↑↓ ") for t in table.locator("th").all_inner_texts()]
    # the first column with a name (not a selection grid's ticks, nor a "✓" column: too
    # narrow for its menu button)
    first = next(t for t in titles if len(t) > 2)
    menu = open_column_menu(page, table, first)
    words = english(page)
    shape = menu.get_by_role("menuitem", name="Format d'affichage")
    if shape.count():
        shape.hover()
        expect(page.get_by_role("menuitem", name="Automatique")).to_be_visible()
        words = sorted({*words, *english(page)})
    close_menu(page, menu)
    return words


def close_menu(page: Page, menu: Locator) -> None:
    """Close a grid column's menu (Escape closes an open submenu first)."""
    for _ in range(3):
        page.keyboard.press("Escape")
        page.wait_for_timeout(200)
        if not menu.count():
            return
    page.mouse.click(2, 2)  # outside the menu: the page's empty top-left corner
    expect(menu).to_have_count(0)


def open_a_calendar(page: Page) -> bool:
    """Open the first visible date input's calendar (its month navigation is drawn only
    then); True when one was opened."""
    for picker in page.get_by_test_id("stDateInput").locator(
            "[data-testid=stDateInputCalendarButton]").all():
        if picker.is_visible():
            picker.click()
            expect(page.locator("[data-testid=stDateInputCalendar]")).to_be_visible()
            return True
    return False


def test_the_login_form_and_an_unknown_address_are_french(browser: Browser,
                                                          console: Console) -> None:
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="fr-FR")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(console.url)
    expect(page.get_by_role("button", name="Se connecter")).to_be_visible()
    settle(page)
    assert english(page) == []
    page.goto(f"{console.url}/nulle_part")
    expect(page.get_by_role("button", name="Se connecter")).to_be_visible()
    settle(page)
    assert english(page) == []
    context.close()


@pytest.mark.parametrize("role", list(ACCOUNTS), ids=lambda r: r.value)
def test_no_english_on_any_page_of_a_role(browser: Browser, console: Console,
                                          role: Role) -> None:
    page = login(browser, console.url, ACCOUNTS[role])
    page.context.add_init_script(RECORD_DRAWING)  # where a grid's headers are drawn
    page.reload()  # the same session (its cookie), the recorder installed
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()
    page.set_viewport_size({"width": 1366, "height": 768})
    found: dict[str, list[str]] = {}
    for pages in PAGES[role].values():
        for _, title, _ in pages:
            page.get_by_test_id("stSidebarNav").get_by_role("link", name=title).click()
            expect(page.get_by_role("heading", name=title).first).to_be_visible()
            settle(page)
            for box in page.get_by_test_id("stExpander").all()[:2]:  # date inputs within
                if box.is_visible():
                    box.locator("summary").click()
            hover_grids(page)
            words = english(page)
            words = sorted({*words, *column_menu(page)})  # a grid column's menu
            if open_a_calendar(page):  # "Previous month", "Next month" are read there
                words = sorted({*words, *english(page)})
                page.keyboard.press("Escape")
            if words:
                found[title] = words
    assert found == {}
    page.context.close()


def test_the_upload_zone_says_the_manuals_words(browser: Browser, console: Console) -> None:
    page = login(browser, console.url, ACCOUNTS[Role.CFA])
    page.get_by_test_id("stSidebarNav").get_by_role(
        "link", name="Mes factures/factures d'avoir pro formas").click()
    settle(page)
    choose(page, "STATUT", "En attente de facture/d'avoir")
    page.get_by_role("button", name="Rechercher").click()
    settle(page)
    page.get_by_role("button", name="Actions complémentaires").click()
    page.get_by_role("button", name="Joindre une facture/facture d'avoir").click()
    dialog = page.get_by_role("dialog", name="Joindre une facture")
    expect(dialog.get_by_text(UPLOAD_ZONE)).to_be_visible()
    expect(dialog.get_by_text("Aucun fichier", exact=True)).to_be_visible()
    expect(dialog.get_by_text("Nom du fichier", exact=True)).to_be_visible()
    settle(page)
    assert english(page) == []
    # a file of the wrong type is refused in French by the console, not by the widget
    dialog.locator("input[type=file]").set_input_files(
        {"name": "notes.txt", "mimeType": "text/plain", "buffer": b"bonjour"})
    expect(dialog.get_by_text("notes.txt", exact=True)).to_be_visible()
    settle(page)
    error = dialog.get_by_test_id("stAlertContentError")
    expect(error).to_have_count(1)
    assert english(page) == []
    page.context.close()


def test_a_grid_column_menu_is_french_in_an_english_browser(browser: Browser,
                                                           console: Console) -> None:
    """A date column's menu, its "Format" choices and its statistics (whose dates Streamlit
    writes in the browser's default language) say nothing in English, in a browser set to
    English; "Sort ascending" reads "Trier par ordre croissant"."""
    page = english_browser(browser, console, ACCOUNTS[Role.CFA], "cfa_proformas")
    table = grid(page)
    expect(table).to_be_visible()
    settle(page)
    page.wait_for_timeout(500)
    menu = open_column_menu(page, table, "Création")
    for item in ("Trier par ordre croissant", "Trier par ordre décroissant", "Statistiques",
                 "Format d'affichage", "Épingler la colonne", "Masquer la colonne"):
        expect(menu.get_by_role("menuitem", name=item)).to_be_visible()
    assert english(page) == []
    menu.get_by_role("menuitem", name="Format d'affichage").hover()
    expect(page.get_by_role("menuitem", name="Automatique")).to_be_visible()
    expect(page.get_by_role("menuitem", name="Temps écoulé")).to_be_visible()
    assert english(page) == []
    menu.get_by_role("menuitem", name="Statistiques").hover()
    stats = page.get_by_test_id("stDataFrameStatisticsContent")
    expect(stats.get_by_text("Médiane", exact=True)).to_be_visible()
    expect(stats.get_by_text(re.compile(r"^\d+ (mois|jours?|semaines?|ans?)$"))).to_be_visible()
    expect(stats.get_by_text(re.compile(r"^\d{1,2} [a-zéû]+\.? \d{4}$")).first).to_be_visible()
    assert english(page) == []
    close_menu(page, menu)
    # sorting from the menu: the column's dates in order
    menu = open_column_menu(page, table, "Création")
    menu.get_by_role("menuitem", name="Trier par ordre décroissant").click()
    expect(menu).to_have_count(0)
    until(lambda: (days := [read_day(t) for t in column_texts(page, table, "Création")])
          == sorted(days, reverse=True), "not sorted from the menu")
    page.context.close()
