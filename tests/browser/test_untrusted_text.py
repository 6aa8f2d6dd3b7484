"""Issue 17 item 3 in a real browser: a Factur-X invoice number carrying a markdown image and
link, and a file named like a ``javascript:`` link, open on *Instruire une facture* as text:
Chromium fetches nothing from the attacker's address and the page holds no such link."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from db.models import ProForma, User
from tests.browser.conftest import Console
from tests.browser.helpers import login, settle
from tests.console.test_untrusted_text import HOSTILE_NAME, HOSTILE_NUMBER
from tests.workflow.reviewkit import facturx_bytes
from workflow.common.access import load_actor
from workflow.deposits import deposits

pytestmark = pytest.mark.browser


def test_the_review_page_fetches_nothing_and_links_nowhere(
        browser: Browser, console: Console) -> None:
    with Session(create_engine(console.database_url)) as s, s.begin():
        pf = s.scalars(select(ProForma).where(ProForma.status == "under_review",
                                              ProForma.kind == "invoice")
                       .order_by(ProForma.id)).first()
        assert pf is not None
        cfa = load_actor(s, s.scalars(select(User.id).where(User.cfa_id == pf.cfa_id)).first())
        deposits.deposit(s, cfa, pf.id, facturx_bytes(s, pf, HOSTILE_NUMBER), HOSTILE_NAME)
        pf_id = pf.id
    page = login(browser, console.url, "instructeur@demo.fr")
    hostile: list[str] = []
    page.on("request", lambda r: hostile.append(r.url) if "9999" in r.url
            or "e.vil" in r.url else None)
    page.goto(f"{console.url}/instr_review?pf={pf_id}")
    expect(page.get_by_role("heading", name="Instruire une facture")).to_be_visible()
    settle(page)
    expect(page.get_by_text("N° de facture du CFA", exact=False)).to_be_visible()
    # shown as typed (an invisible word joiner follows "http:", so no autolink forms)
    expect(page.get_by_text("FA1 ![p](http:", exact=False).first).to_be_visible()
    expect(page.get_by_text("//127.0.0.1:9999/p.png)[Valider](http:", exact=False)
           .first).to_be_visible()
    expect(page.get_by_text(HOSTILE_NAME, exact=False).first).to_be_visible()
    assert page.locator("a[href^='javascript']").count() == 0
    assert page.locator("a[href*='e.vil'], a[href*='9999'], img[src*='9999']").count() == 0
    assert hostile == []
    page.context.close()
