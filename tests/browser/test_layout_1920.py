"""Issue 14: the same journeys at 1920×1080, the instructeurs' office screen.

- the eligible list shows "Montant acompte" and "Statut" without a horizontal scroll;
- the review shows the pro forma's lines beside the invoice, no amount truncated.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from db.models import ProForma
from tests.browser.conftest import Console
from tests.browser.helpers import cell, go, login, settle

pytestmark = pytest.mark.browser

SIZE = {"width": 1920, "height": 1080}


def large_screen(browser: Browser, console: Console, email: str) -> Page:
    page = login(browser, console.url, email)
    page.set_viewport_size(SIZE)
    settle(page)
    return page


def test_the_eligible_list_fits_at_1920(browser: Browser, console: Console) -> None:
    page = large_screen(browser, console, "cfa@demo.fr")
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
    # the grid's accessible table holds the cells drawn in view: "Montant acompte" (column 7,
    # after the tick) and "Statut" (column 8) are among them, the amount whole
    expect(cell(grid, 7, 0)).to_have_text(re.compile(r"^-?[\d\u202f\u00a0 ]+,\d\d\u00a0€$"))
    expect(cell(grid, 8, 0)).not_to_have_text("")
    page.context.close()


def test_the_review_shows_the_lines_beside_the_invoice_at_1920(browser: Browser,
                                                               console: Console) -> None:
    with Session(create_engine(console.database_url)) as s:
        pf_id = s.scalars(select(ProForma.id).where(ProForma.status == "under_review")
                          .order_by(ProForma.id)).first()
    assert pf_id is not None
    page = large_screen(browser, console, "instructeur@demo.fr")
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
    metrics = page.get_by_test_id("stMetricValue").all_inner_texts()
    assert not any(t.rstrip().endswith(("…", "...")) for t in metrics), metrics
    page.context.close()
