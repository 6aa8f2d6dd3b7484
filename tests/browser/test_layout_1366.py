"""Issue 14: journeys at 1366×768, the laptop screen of most CFA clerks and instructeurs.

- the eligible list shows "Montant acompte" and "Statut" without a horizontal scroll;
- the review shows the pro forma's lines beside the invoice, its total untruncated;
- a refused pro forma is on the CFA's Accueil with its letter one click away;
- a paid one shows its payment details (date, amount transferred, campaign).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from db.models import ProForma
from tests.browser.conftest import Console
from tests.browser.helpers import go, login, settle, shot

pytestmark = pytest.mark.browser

SIZE = {"width": 1366, "height": 768}


def small_screen(browser: Browser, console: Console, email: str) -> Page:
    page = login(browser, console.url, email)
    page.set_viewport_size(SIZE)
    settle(page)
    return page


def test_the_eligible_list_fits_at_1366(browser: Browser, console: Console) -> None:
    page = small_screen(browser, console, "cfa@demo.fr")
    go(page, "Générer une pro forma", "Générer une pro forma")
    grid = page.get_by_test_id("stDataFrame").first
    expect(grid).to_be_visible()
    settle(page)
    fits = grid.evaluate("""(g) => {
      const s = g.querySelector('.dvn-scroller') || g;
      return [s.scrollWidth, s.clientWidth];
    }""")
    assert fits[0] <= fits[1] + 1, fits  # no horizontal scroll
    box = grid.bounding_box()
    assert box is not None and box["x"] + box["width"] <= SIZE["width"]
    shot(page, "eligible_1366.png")
    page.context.close()


def test_the_review_shows_the_lines_beside_the_invoice(browser: Browser,
                                                       console: Console) -> None:
    with Session(create_engine(console.database_url)) as s:
        pf_id = s.scalars(select(ProForma.id).where(ProForma.status == "under_review")
                          .order_by(ProForma.id)).first()
    assert pf_id is not None
    page = small_screen(browser, console, "instructeur@demo.fr")
    page.goto(f"{console.url}/instr_review?pf={pf_id}")
    expect(page.get_by_role("heading", name="Instruire une facture")).to_be_visible()
    settle(page)
    image = page.get_by_test_id("stImage").first
    lines = page.get_by_text("Lignes de la pro forma", exact=True).first
    expect(image).to_be_visible()
    ibox, lbox = image.bounding_box(), lines.bounding_box()
    assert ibox and lbox and lbox["x"] >= ibox["x"] + ibox["width"] - 1  # beside, not below
    total = page.get_by_text(re.compile(r"^Montant total : ")).first
    expect(total).to_contain_text("€")  # whole, never "3 600,…"
    shot(page, "review_1366.png")
    page.context.close()


def test_refusal_and_payment_on_the_cfa_accueil(browser: Browser, console: Console) -> None:
    page = small_screen(browser, console, "cfa@demo.fr")
    go(page, "Accueil", "Accueil")
    expect(page.get_by_role("heading", name=re.compile(r"^Factures refusées"))).to_be_visible()
    expect(page.get_by_text(re.compile(r"courriers? de refus non lus?"))).to_be_visible()
    expect(page.get_by_text(re.compile(r"payée le .* versés"))).not_to_have_count(0)
    expect(page.get_by_text(re.compile(r"campagne de paiement"))).not_to_have_count(0)
    shot(page, "cfa_home_news_1366.png")
    page.get_by_role("button", name="Voir le motif de refus").first.click()
    dialog = page.get_by_role("dialog", name="Motif de refus")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("button", name="Modifier ma facture")).to_be_visible()
    page.context.close()
