"""Issue 14: journeys at 1366×768, the laptop screen of most CFA clerks and instructeurs, and
at 1920×1080, the instructeurs' office screen.

- the eligible list shows "Montant acompte" and "Statut" without a horizontal scroll, the
  amount whole;
- the review shows the pro forma's lines beside the invoice, no amount truncated;
- a refused pro forma is on the CFA's Accueil with its letter one click away;
- a paid one shows its payment details (date, amount transferred, campaign);
- a duplicate across CFAs names nothing of the other CFA (at 1366×768 only).

The README's screenshots of these journeys are taken at 1366×768.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from db.models import Cfa, Document, ProForma, User
from tests.browser.conftest import Console
from tests.browser.helpers import cell, go, login, settle, shot

pytestmark = pytest.mark.browser

SMALL = {"width": 1366, "height": 768}
LARGE = {"width": 1920, "height": 1080}
SIZES = pytest.mark.parametrize("size", [SMALL, LARGE], ids=["1366x768", "1920x1080"])


def screen(browser: Browser, console: Console, email: str, size: dict[str, int]) -> Page:
    page = login(browser, console.url, email)
    page.set_viewport_size(size)
    settle(page)
    return page


def keep_shot(page: Page, size: dict[str, int], name: str) -> None:
    """The README's screenshot, from the 1366×768 run only."""
    if size == SMALL:
        shot(page, name)


@SIZES
def test_the_eligible_list_fits(browser: Browser, console: Console,
                                size: dict[str, int]) -> None:
    page = screen(browser, console, "cfa@demo.fr", size)
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
    assert box is not None and box["x"] + box["width"] <= size["width"]
    # the grid's accessible table holds the cells drawn in view: "Montant acompte" (column 7,
    # after the tick) and "Statut" (column 8) are among them, the amount whole
    expect(cell(grid, 7, 0)).to_have_text(re.compile(r"^-?[\d\u202f\u00a0 ]+,\d\d\u00a0€$"))
    expect(cell(grid, 8, 0)).not_to_have_text("")
    keep_shot(page, size, "eligible_1366.png")
    page.context.close()


@SIZES
def test_the_review_shows_the_lines_beside_the_invoice(browser: Browser, console: Console,
                                                       size: dict[str, int]) -> None:
    with Session(create_engine(console.database_url)) as s:
        pf_id = s.scalars(select(ProForma.id).where(ProForma.status == "under_review")
                          .order_by(ProForma.id)).first()
    assert pf_id is not None
    page = screen(browser, console, "instructeur@demo.fr", size)
    page.goto(f"{console.url}/instr_review?pf={pf_id}")
    expect(page.get_by_role("heading", name="Instruire une facture")).to_be_visible()
    settle(page)
    image = page.get_by_test_id("stImage").first
    lines = page.get_by_text("Lignes : pro forma et facture", exact=True).first
    expect(image).to_be_visible()
    ibox, lbox = image.bounding_box(), lines.bounding_box()
    assert ibox and lbox and lbox["x"] >= ibox["x"] + ibox["width"] - 1  # beside, not below
    total = page.get_by_text(re.compile(r"^Montant total : ")).first
    expect(total).to_contain_text("€")  # whole, never "3 600,…"
    metrics = page.get_by_test_id("stMetricValue").all_inner_texts()
    assert not any(t.rstrip().endswith(("…", "...")) for t in metrics), metrics
    keep_shot(page, size, "review_1366.png")
    page.context.close()


@SIZES
def test_refusal_and_payment_on_the_cfa_accueil(browser: Browser, console: Console,
                                                size: dict[str, int]) -> None:
    page = screen(browser, console, "cfa@demo.fr", size)
    go(page, "Accueil", "Accueil")
    expect(page.get_by_role("heading", name=re.compile(r"^Factures refusées"))).to_be_visible()
    expect(page.get_by_text(re.compile(r"courriers? de refus non lus?"))).to_be_visible()
    expect(page.get_by_text(re.compile(r"payée le .* versés"))).not_to_have_count(0)
    expect(page.get_by_text(re.compile(r"campagne de paiement"))).not_to_have_count(0)
    keep_shot(page, size, "cfa_home_news_1366.png")
    page.get_by_role("button", name="Voir le motif de refus").first.click()
    dialog = page.get_by_role("dialog", name="Motif de refus")
    expect(dialog).to_be_visible()  # one click: the letter itself, its PDF, what to do next
    expect(dialog.get_by_text(re.compile(r"^Motif de refus :"))).to_be_visible()
    expect(dialog.get_by_role("button", name="Télécharger le courrier (PDF)")).to_be_visible()
    expect(dialog.get_by_role("button", name="Modifier ma facture")).to_be_visible()
    page.context.close()


def test_a_duplicate_across_cfas_names_nothing_of_the_other_cfa(browser: Browser,
                                                                console: Console) -> None:
    """cfa2 attaches the very file cfa@demo.fr deposited: told it was deposited already,
    never for which pro forma nor by which CFA."""
    with Session(create_engine(console.database_url)) as s:
        theirs = s.scalars(select(ProForma).join(Cfa).join(User, User.cfa_id == Cfa.id)
                           .join(Document, Document.pro_forma_id == ProForma.id)
                           .where(User.email == "cfa@demo.fr").order_by(ProForma.id)).first()
        assert theirs is not None
        their_number, their_cfa = theirs.number, theirs.cfa.name
        data = s.scalars(select(Document.content).where(Document.pro_forma_id == theirs.id)
                         .order_by(Document.id)).first()
        mine = s.scalars(select(ProForma.number).join(Cfa).join(User, User.cfa_id == Cfa.id)
                         .where(User.email == "cfa2@demo.fr", ProForma.kind == "invoice",
                                ProForma.status == "awaiting_invoice")
                         .order_by(ProForma.id)).first()
    assert data and mine is not None
    page = screen(browser, console, "cfa2@demo.fr", SMALL)
    go(page, "Mes factures/factures d'avoir pro formas",
       "Mes factures/factures d'avoir pro formas - contrat d'apprentissage")
    page.get_by_label("NUMÉRO DE PRO FORMA").fill(mine)
    page.get_by_role("button", name="Rechercher").click()
    expect(page.get_by_text("Filtres appliqués (1)")).to_be_visible()
    settle(page)
    page.get_by_role("button", name="Actions complémentaires").click()
    page.get_by_role("button", name="Joindre une facture/facture d'avoir").click()
    dialog = page.get_by_role("dialog", name="Joindre une facture")
    expect(dialog.get_by_text(f"NUMÉRO DE PRO FORMA : {mine}")).to_be_visible()
    dialog.locator("input[type=file]").set_input_files(
        files=[{"name": "facture.pdf", "mimeType": "application/pdf", "buffer": data}])
    # the duplicate says no more than that; the other lines of the pre-check quote what the
    # file itself says (its pro forma number, SIRET, IBAN: the uploader holds the file), never
    # what only the portal knows of the other CFA's pro forma
    said = dialog.get_by_text(re.compile("déjà été déposé"))  # the message, the checks grid
    expect(said).not_to_have_count(0)
    for duplicate in said.all():
        expect(duplicate).to_have_text("Ce fichier a déjà été déposé sur le portail.")
    settle(page)
    assert not any(their_number in t or their_cfa in t for t in said.all_inner_texts())
    assert f"pour la pro forma {their_number}" not in page.content()
    page.context.close()
