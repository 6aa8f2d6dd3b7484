"""Sessions survive a reload, and links work (issue 13), in a real Chromium.

The console is served through ``console/entry/server.py`` (``st.App``): its route answers the
logged-in page's one-time ticket with the session cookie, so that F5 or a typed address finds
the user again on the same page; a copied link to a pro forma opens it after the login; an
address that is no page gets a French message; logging out ends the server-side session.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from db.models import ProForma, User
from tests.browser.conftest import Console
from tests.browser.helpers import TIMEOUT_MS, go, login, settle, submit_login
from workflow.accounts import sessions

pytestmark = pytest.mark.browser

COOKIE = sessions.COOKIE_NAME


def new_page(browser: Browser) -> Page:
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="fr-FR")
    context.set_default_timeout(TIMEOUT_MS)
    return context.new_page()


def session_cookie(context: BrowserContext) -> dict | None:
    found = [c for c in context.cookies() if c["name"] == COOKIE]
    return dict(found[0]) if found else None


def expect_login_form(page: Page) -> None:
    expect(page.get_by_role("button", name="Se connecter")).to_be_visible()
    expect(page.get_by_role("button", name="Se déconnecter")).to_have_count(0)
    settle(page)


def expect_no_english_not_found(page: Page) -> None:
    expect(page.get_by_text("Page not found")).to_have_count(0)
    assert "Running the app's main page" not in page.content()


def test_reload_keeps_the_user_on_the_same_page(browser: Browser, console: Console) -> None:
    """Log in, open a page, F5: still logged in, on that page; the cookie is HttpOnly and
    SameSite=Strict, set by the server for the whole site."""
    page = login(browser, console.url, "cfa@demo.fr")
    cookie = session_cookie(page.context)
    assert cookie is not None
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Strict"
    assert cookie["path"] == "/"
    assert cookie["secure"] is False  # plain http://127.0.0.1: a Secure cookie would be lost
    assert page.evaluate("() => document.cookie").find(COOKIE) == -1  # invisible to scripts
    go(page, "Mes contrats", "Mes contrats")
    for _ in range(2):
        page.reload()
        expect(page.get_by_role("heading", name="Mes contrats", exact=True)).to_be_visible()
        expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()
        settle(page)
        assert page.url == f"{console.url}/cfa_contracts"
        expect(page.get_by_label("Adresse e-mail")).to_have_count(0)
    page.context.close()


def test_a_copied_link_opens_its_pro_forma_after_login(browser: Browser,
                                                        console: Console) -> None:
    """``/instr_review?pf=<id>`` logged out: the French login form (not "Page not found"),
    then that very pro forma once logged in, and again after F5."""
    with Session(create_engine(console.database_url)) as s:
        pf = s.scalars(select(ProForma).where(ProForma.status == "under_review")
                       .order_by(ProForma.id.desc())).first()
        assert pf is not None, "the demo data has pro formas under review"
        pf_id, number = pf.id, pf.number
    page = new_page(browser)
    page.goto(f"{console.url}/instr_review?pf={pf_id}")
    expect_login_form(page)
    expect(page.get_by_role("heading", name="Action Apprentissage")).to_be_visible()
    expect_no_english_not_found(page)
    submit_login(page, "instructeur@demo.fr")
    heading = page.get_by_role("heading", name=f"pro forma {number}")
    expect(page.get_by_role("heading", name="Instruire une facture")).to_be_visible()
    expect(heading).to_be_visible()
    assert page.url == f"{console.url}/instr_review?pf={pf_id}"
    page.reload()
    expect(heading).to_be_visible()
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()
    settle(page)
    expect_no_english_not_found(page)
    page.context.close()


def test_an_unknown_address_says_page_introuvable(browser: Browser, console: Console) -> None:
    """An address that is no page: French "Page introuvable" logged out (with the login form)
    and logged in (with the home page); another role's page: the same, in French."""
    page = new_page(browser)
    page.goto(f"{console.url}/nimporte")
    expect(page.get_by_text("Page introuvable")).to_be_visible()
    expect(page.get_by_text("/nimporte")).to_be_visible()
    expect_login_form(page)
    expect_no_english_not_found(page)
    page.context.close()

    page = login(browser, console.url, "cfa@demo.fr")
    page.goto(f"{console.url}/nimporte/quoi?x=1")
    expect(page.get_by_text("Page introuvable")).to_be_visible()
    expect(page.get_by_role("heading", name="Accueil", exact=True)).to_be_visible()
    settle(page)
    expect_no_english_not_found(page)
    page.goto(f"{console.url}/instr_payments")  # an instructeur's page
    expect(page.get_by_role("heading", name="Page introuvable")).to_be_visible()
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()
    settle(page)
    expect_no_english_not_found(page)
    page.context.close()


def test_logout_ends_the_session_and_clears_the_cookie(browser: Browser,
                                                      console: Console) -> None:
    """Logout: the login form, no cookie left, and F5 stays logged out; the old cookie
    replayed in another browser gets nothing (the server-side session is revoked)."""
    page = login(browser, console.url, "manager@demo.fr")
    old = session_cookie(page.context)
    assert old is not None
    with page.expect_response(lambda r: r.url.endswith("/auth/session")
                              and r.request.method == "DELETE") as cleared:
        page.get_by_role("button", name="Se déconnecter").click()
    assert cleared.value.status == 204
    expect_login_form(page)
    expect(page.get_by_text("Vous êtes déconnecté.")).to_be_visible()
    assert session_cookie(page.context) is None
    page.reload()
    expect_login_form(page)
    page.context.close()

    thief = new_page(browser)
    thief.context.add_cookies([{key: old[key] for key in (
        "name", "value", "domain", "path", "httpOnly", "sameSite", "secure")}])
    thief.goto(f"{console.url}/mgr_dashboard")
    expect_login_form(thief)
    thief.context.close()


def test_a_session_ended_elsewhere_falls_back_to_the_login_form(browser: Browser,
                                                               console: Console) -> None:
    """Every session of the account ended on the server (what a password change elsewhere,
    a reset or a deactivation does): the other browser's next action shows the login form."""
    page = login(browser, console.url, "admin@demo.fr")
    with Session(create_engine(console.database_url)) as s, s.begin():
        admin_id = s.scalar(select(User.id).where(User.email == "admin@demo.fr"))
        assert sessions.revoke_all(s, admin_id) >= 1
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Paramètres").click()
    expect_login_form(page)
    expect(page.get_by_text("Votre session a été fermée")).to_be_visible()
    page.reload()
    expect_login_form(page)
    page.context.close()
