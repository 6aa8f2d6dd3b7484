"""An anonymous visitor sees no page link and reaches no page, in a real Chromium (issue 19).

The entry point (``console/entry/server.py`` around ``console/entry/app.py``) sits in a folder
with no ``pages/`` sibling, so Streamlit's folder mode never discovers ``console/pages/``: the
screens exist only as ``st.navigation`` pages, registered after the login.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from console.navigation import CONSOLE_DIR, PAGES, URL_PATHS, script
from tests.browser.conftest import Console
from tests.browser.helpers import TIMEOUT_MS, settle

pytestmark = pytest.mark.browser

TITLES = sorted({title for menu in PAGES.values() for pages in menu.values()
                 for _, title, _ in pages})


def test_no_pages_folder_beside_the_entry_point() -> None:
    entry = CONSOLE_DIR / "entry"
    assert (entry / "server.py").is_file() and (entry / "app.py").is_file()
    assert not (entry / "pages").exists()
    assert Path(script("pages/cfa_home.py")).is_file()


def test_an_anonymous_visitor_sees_no_page_link_and_reaches_no_page(
        browser: Browser, console: Console) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="fr-FR")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    for path in ["", *sorted(URL_PATHS)]:
        page.goto(f"{console.url}/{path}")
        expect(page.get_by_role("button", name="Se connecter")).to_be_visible()
        settle(page)
        expect(page.locator('[data-testid^="stSidebarNav"]')).to_have_count(0)
        here = page.url.split("#")[0]
        hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
        links = [h for h in hrefs if h.split("#")[0] != here]  # skip links to this address
        assert [h for h in links if any(f"/{p}" in h for p in URL_PATHS)] == [], path
        for title in TITLES:
            expect(page.get_by_role("heading", name=title, exact=True)).to_have_count(0)
        expect(page.get_by_role("button", name="Se déconnecter")).to_have_count(0)
    context.close()
