"""Money actions act on exactly what the user saw (issue: selection by identity, confirmed
money actions, stale screens): Playwright in Debian's Chromium against the served console.

Each journey reproduces what a user reported: a tick that moved to another row after a
payment, a second click paying an invoice nobody ticked, the last row raising IndexError, a
queue selection broken by a filter, "Valider" doing nothing on a pro forma the CFA cancelled.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Locator, Page, expect
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from db.models import Decision, Payment, ProForma, User
from tests.browser.conftest import Console
from tests.browser.helpers import (
    cell,
    choose,
    click_row_marker,
    click_until,
    go,
    grid,
    login,
    open_tab,
    settle,
)
from workflow.billing import proformas
from workflow.common.access import load_actor
from workflow.common.confirm import Seen
from workflow.review import decisions

pytestmark = pytest.mark.browser


def db(console: Console) -> Session:
    return Session(create_engine(console.database_url))


def actor(s: Session, email: str):
    return load_actor(s, s.scalars(select(User.id).where(User.email == email)).one())


@pytest.fixture(scope="module")
def ready_invoices(console: Console) -> None:
    """Enough validated invoices ready to pay for the journeys (the demo has three): every
    invoice under review but two is validated, and approved when four eyes are needed."""
    with db(console) as s, s.begin():
        first, second = actor(s, "instructeur2@demo.fr"), actor(s, "manager@demo.fr")
        under_review = s.scalars(select(ProForma).where(
            ProForma.status == "under_review", ProForma.kind == "invoice")
            .order_by(ProForma.id)).all()
        for pf in under_review[:-2]:
            decisions.validate(s, first, pf.id, pf.version, "Contrôlée à la main (test).")
            if pf.needs_second_approval:
                decisions.approve(s, second, Seen.one(pf.id, pf.version, pf.total))


def paid_ids(console: Console) -> set[int]:
    with db(console) as s:
        return set(s.scalars(select(Payment.pro_forma_id)))


def no_exception(page: Page) -> None:
    expect(page.get_by_test_id("stException")).to_have_count(0)
    expect(page.get_by_text("Une erreur inattendue est survenue")).to_have_count(0)


def ticked(table: Locator) -> Locator:
    """The grid's selected data rows (the accessibility table marks them)."""
    return table.locator("tbody tr[aria-selected=true]")


def tick(page: Page, table: Locator, row: int, count: int) -> str:
    """Tick data row ``row`` until the grid shows ``count`` selected rows; its pro forma."""
    number = cell(table, 1, row).inner_text()
    for attempt in range(3):  # a click landing during a rerun is lost: repeat once settled
        click_row_marker(page, table, row)
        settle(page)
        try:
            expect(ticked(grid(page, 0, table.page))).to_have_count(count, timeout=10_000)
            break
        except AssertionError:
            if attempt == 2:
                raise
    return number


def row_count(table: Locator) -> int:
    """The grid's number of data rows, once it shows its first one."""
    expect(cell(table, 1, 0)).to_have_text(re.compile(r"^PRO-"))
    return table.locator("tbody tr").count()


def pay_panel(page: Page) -> Locator:
    go(page, "Paiements", "Paiements")
    return open_tab(page, "Factures validées")


def confirm_payment(page: Page, panel: Locator, number: str, *, double: bool = False) -> None:
    """"Payer la sélection (1)", read the confirmation, confirm it (twice when ``double``)."""
    dialog = page.get_by_role("dialog", name="Confirmer le paiement")
    click_until(page, panel.get_by_role("button", name=re.compile(
        r"^Payer la sélection \(1\)")), dialog)
    expect(dialog.get_by_text(re.compile(rf"^Payer 1 facture : {number}, "))).to_be_visible()
    ok = dialog.get_by_role("button", name="Payer", exact=True)
    if double:
        ok.dblclick()
    else:
        ok.click()
    expect(page.get_by_text(re.compile(r"^1 facture\(s\) payée\(s\) — lot LOT-"))) \
        .to_be_visible()
    expect(dialog).to_have_count(0)
    settle(page)


def number_id(console: Console, number: str) -> int:
    with db(console) as s:
        return s.scalars(select(ProForma.id).where(ProForma.number == number)).one()


def test_tick_row_4_pay_then_a_second_click_pays_nothing_more(
        browser: Browser, console: Console, ready_invoices: None) -> None:
    page = login(browser, console.url, "instructeur@demo.fr")
    panel = pay_panel(page)
    table = grid(page, 0, panel)
    expect(cell(table, 1, 4)).to_have_text(re.compile(r"^PRO-"))  # at least five rows
    before = paid_ids(console)
    number = tick(page, table, 3, 1)
    confirm_payment(page, panel, number)
    assert paid_ids(console) - before == {number_id(console, number)}
    # after the rerun: the tick is on no other row, and the button has nothing to pay
    expect(ticked(grid(page, 0, panel))).to_have_count(0)
    button = panel.get_by_role("button", name=re.compile(r"^Payer la sélection \(0\)"))
    expect(button).to_be_disabled()
    button.click(force=True)  # the second click
    settle(page)
    no_exception(page)
    expect(page.get_by_role("dialog")).to_have_count(0)
    assert paid_ids(console) - before == {number_id(console, number)}
    page.context.close()


def test_tick_the_last_row_pays_exactly_that_row(
        browser: Browser, console: Console, ready_invoices: None) -> None:
    page = login(browser, console.url, "instructeur@demo.fr")
    panel = pay_panel(page)
    table = grid(page, 0, panel)
    last = row_count(table) - 1
    before = paid_ids(console)
    number = tick(page, table, last, 1)
    confirm_payment(page, panel, number, double=True)  # a double click pays once
    no_exception(page)
    assert paid_ids(console) - before == {number_id(console, number)}
    page.context.close()


def test_a_second_tab_confirming_the_same_payment_pays_nothing(
        browser: Browser, console: Console, ready_invoices: None) -> None:
    first = login(browser, console.url, "instructeur@demo.fr")
    second = login(browser, console.url, "instructeur2@demo.fr")
    panels = [pay_panel(p) for p in (first, second)]
    row_count(grid(first, 0, panels[0]))
    row_count(grid(second, 0, panels[1]))
    number = tick(first, grid(first, 0, panels[0]), 0, 1)
    assert tick(second, grid(second, 0, panels[1]), 0, 1) == number
    dialogs = []
    for page, panel in zip((first, second), panels, strict=True):
        dialog = page.get_by_role("dialog", name="Confirmer le paiement")
        click_until(page, panel.get_by_role("button", name=re.compile(
            r"^Payer la sélection \(1\)")), dialog)
        dialogs.append(dialog)
    before = paid_ids(console)
    dialogs[0].get_by_role("button", name="Payer", exact=True).click()
    expect(first.get_by_text(re.compile(r"^1 facture\(s\) payée\(s\)"))).to_be_visible()
    dialogs[1].get_by_role("button", name="Payer", exact=True).click()
    expect(second.get_by_text(re.compile(rf"{number}.*Rien n'a été payé"))).to_be_visible()
    no_exception(second)
    assert paid_ids(console) - before == {number_id(console, number)}
    with db(console) as s:
        assert s.scalar(select(func.count(Payment.id)).where(
            Payment.pro_forma_id == number_id(console, number))) == 1
    first.context.close()
    second.context.close()


def test_queue_selection_survives_a_filter(browser: Browser, console: Console) -> None:
    page = login(browser, console.url, "instructeur@demo.fr")
    go(page, "File d'instruction", "File d'instruction")
    table = grid(page)
    row_count(table)
    # select the first row, then filter on the other type: the row leaves the list
    expect(cell(table, 4, 0)).to_have_text(re.compile(r"^Facture"))
    kind = cell(table, 4, 0).inner_text()
    other = "Facture" if kind == "Facture d'avoir" else "Facture d'avoir"
    number = tick(page, table, 0, 1)
    expect(page.get_by_role("button", name=f"Ouvrir {number}")).to_be_visible()
    page.get_by_text("Filtres", exact=True).click()
    choose(page, "Type", other)
    no_exception(page)
    expect(page.get_by_text(f"Retiré de la sélection, car plus dans la liste : {number}.")) \
        .to_be_visible()
    expect(page.get_by_role("button", name=re.compile("^Ouvrir"))).to_have_count(0)
    # a row of the same type: it stays selected through the filter, "Ouvrir" names it
    choose(page, "Type", "Tous")
    table = grid(page)
    row_count(table)
    expect(ticked(table)).to_have_count(0)  # the row that left is not ticked again
    listed = tick(page, table, 0, 1)
    expect(page.get_by_role("button", name=f"Ouvrir {listed}")).to_be_visible()
    choose(page, "Type", kind)
    no_exception(page)
    expect(ticked(grid(page))).to_have_count(1)
    click_until(page, page.get_by_role("button", name=f"Ouvrir {listed}"),
                page.get_by_role("heading", name="Instruire une facture"))
    expect(page.get_by_text(f"pro forma {listed}", exact=False).first).to_be_visible()
    page.context.close()


def test_a_cancelled_pro_forma_refuses_the_validation_with_a_message(
        browser: Browser, console: Console) -> None:
    with db(console) as s:
        pf = s.scalars(select(ProForma).where(ProForma.status == "under_review",
                                              ProForma.kind == "invoice")
                       .order_by(ProForma.id.desc())).first()
        assert pf is not None
        pf_id, number, cfa_id = pf.id, pf.number, pf.cfa_id
        cfa_email = s.scalars(select(User.email).where(User.cfa_id == cfa_id)).first()
    page = login(browser, console.url, "instructeur@demo.fr")
    go(page, "File d'instruction", "File d'instruction")
    table = grid(page)
    row = next(r for r in range(row_count(table))
               if cell(table, 1, r).inner_text() == number)
    tick(page, table, row, 1)
    click_until(page, page.get_by_role("button", name=f"Ouvrir {number}"),
                page.get_by_role("heading", name="Instruire une facture"))
    expect(page.get_by_text(f"pro forma {number}")).to_be_visible()
    settle(page)
    with db(console) as s, s.begin():  # meanwhile, the CFA cancels it
        proformas.cancel(s, actor(s, cfa_email), pf_id)
    note = page.get_by_role("textbox", name="Justification")
    note.fill("Vu.")
    note.press("Control+Enter")
    settle(page)
    page.get_by_role("button", name=re.compile("^Valider")).click()
    expect(page.get_by_text(re.compile(rf"La pro forma {number} a été modifiée entre-temps"
                                       r".*« Annulé »"))).to_be_visible()
    no_exception(page)
    with db(console) as s:
        assert s.get_one(ProForma, pf_id).status == "cancelled"
        assert not s.scalars(select(Decision).where(Decision.pro_forma_id == pf_id,
                                                    Decision.outcome == "validated")).all()
    page.context.close()
