"""Issue 14: no English word of Streamlit's on any page of any role, in a real Chromium.

Visible text, placeholders, titles and aria-labels are read on every page of every role's
menu (and the login form, an unknown address, the upload dialog, a grid's toolbar). Streamlit
1.67 has no setting for its own strings: ``console/french.py`` rewrites them in the page.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from console.french import UPLOAD_ZONE
from console.navigation import PAGES
from domain.vocabulary import Role
from tests.browser.conftest import Console
from tests.browser.helpers import TIMEOUT_MS, choose, login, settle

pytestmark = pytest.mark.browser

ENGLISH = re.compile(r"\b(Upload|Drag and drop|Running|Search|Download|Fullscreen|Show/hide|"
                     r"Choose an option|No results|dd/mm/yyyy|DD/MM/YYYY|Page not found|"
                     r"Browse files|per file|Skip to main content|Help for|App pages|"
                     r"file upload|Open|Clear value|Clear all|Clear selection|Clear date|"
                     r"Choose a date|Choose date|Previous month|Next month|Increment|"
                     r"Decrement|Select all|Link to heading|(?:day|month|year)(?=, ))\b")
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
    for grid in page.get_by_test_id("stDataFrame").all()[:3]:
        if grid.is_visible():
            grid.hover()
            page.wait_for_timeout(200)


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
