"""Issue 18, "Done when": the page imports a generated 10,000-line file, then an avenant file
and a rupture file, in a real Chromium, the manager's way (upload, simulation, confirmation);
a bad file lists every error and changes nothing; the CFA then reads the history of its
changed contract in "Mes contrats".

The files come from the bench's generators (``bench.contract_import``). The 10,000 contracts
go to the demo CFAs other than cfa@demo.fr's and cfa2@demo.fr's, and three to cfa2's CFA, so
that the other browser tests (cfa@demo.fr's lists) see the demo as built.
"""

from __future__ import annotations

import re
import time
from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from bench.contract_import import avenant_rows, contract_rows, rupture_rows, to_csv
from db.models import Cfa, Contract, ContractChange, ContractImport, Echeance, User
from domain.formatting import format_eur
from domain.schedule import entitlement
from tests.browser.conftest import Console
from tests.browser.helpers import cell, go, grid, login, plain, settle, shot
from workflow.contracts.contracts import terms_of

pytestmark = pytest.mark.browser

LINES = 10_000
IMPORT_TIMEOUT_MS = 240_000  # a 10,000-line simulation or import on a loaded 2-core machine
TITLE = "Importer des contrats"


def _session(console: Console) -> Session:
    return Session(create_engine(console.database_url))


def _files(console: Console) -> tuple[list[dict[str, str]], str]:
    """The 10,000 contract lines (three of them for cfa2's CFA) and cfa2's CFA name."""
    with _session(console) as s:
        cfa2 = s.scalars(select(Cfa).join(User, User.cfa_id == Cfa.id)
                         .where(User.email == "cfa2@demo.fr")).one()
        tested = set(s.scalars(select(User.cfa_id).where(
            User.email.in_(["cfa@demo.fr", "cfa2@demo.fr"]))))
        others = [(c.uai, c.siret) for c in s.scalars(select(Cfa).order_by(Cfa.id))
                  if c.id not in tested]
        assert others
        today = date.today()
        rows = contract_rows(others, LINES - 3, today, prefix="BRW")
        rows += contract_rows([(cfa2.uai, cfa2.siret)], 3, today, seed=19, prefix="BRC")
        return rows, cfa2.name


def _upload(page: Page, name: str, data: bytes) -> None:
    page.locator("input[type=file]").set_input_files(
        files=[{"name": name, "mimeType": "text/csv", "buffer": data}])


def _simulated(page: Page, summary: str) -> None:
    # another information ("Aucun fichier déposé.") may still be on screen during the rerun
    info = page.get_by_test_id("stAlertContentInfo").filter(has_text=f"Simulation : {summary}")
    expect(info.first).to_be_visible(timeout=IMPORT_TIMEOUT_MS)
    settle(page)


def _confirm(page: Page, summary: str) -> float:
    """Importer, then Confirmer l'import; the seconds until "Import terminé" is shown."""
    page.get_by_role("button", name="Importer", exact=True).click()
    expect(page.get_by_test_id("stAlertContentWarning")).to_contain_text("Confirmez l'import")
    started = time.monotonic()
    page.get_by_role("button", name="Confirmer l'import").click()
    expect(page.get_by_test_id("stAlertContentSuccess")).to_contain_text(
        f"Import terminé : {summary}", timeout=IMPORT_TIMEOUT_MS)
    elapsed = time.monotonic() - started
    settle(page)
    return elapsed


def _counts(console: Console) -> tuple[int, int, int, int]:
    """Contracts, échéances, import records and contract changes in the database."""
    with _session(console) as s:
        return (s.scalar(select(func.count(Contract.id))) or 0,
                s.scalar(select(func.count(Echeance.id))) or 0,
                s.scalar(select(func.count(ContractImport.id))) or 0,
                s.scalar(select(func.count(ContractChange.id))) or 0)


def test_the_page_imports_10000_contracts_then_avenants_and_ruptures(
        browser: Browser, console: Console) -> None:
    rows, cfa2_name = _files(console)
    followed = rows[-1]  # cfa2's contract whose history the CFA reads at the end
    avenants = avenant_rows(rows, every=10) + avenant_rows([followed])
    ruptures = rupture_rows(rows, date.today(), every=5) + rupture_rows([followed], date.today())
    before = _counts(console)
    page = login(browser, console.url, "manager@demo.fr")
    go(page, TITLE, TITLE)

    # 1. the registration file: 10,000 new contracts (simulated, then imported)
    _upload(page, "contrats.csv", to_csv(rows))
    _simulated(page, f"{LINES} ligne(s) lue(s) : {LINES} contrat(s) seraient créé(s)")
    assert _counts(console) == before  # a simulation writes nothing
    # the report's grid and its button are drawn after the summary: the shot waits for them
    expect(page.get_by_role("button", name="Importer", exact=True)).to_be_visible()
    expect(page.get_by_role("tabpanel", name=f"Créés ({LINES})").get_by_test_id(
        "stDataFrame")).to_be_visible()
    shot(page, "import_simulation.png")
    seconds = _confirm(page, f"{LINES} ligne(s) lue(s) : {LINES} contrat(s) ont été créé(s)")
    print(f"10,000-line import through the page: {seconds:.1f} s")
    with _session(console) as s:
        numbers = set(s.scalars(select(Contract.number).where(
            Contract.number.like("BR%"))))
        assert numbers == {r["number"] for r in rows}
        one = s.scalars(select(Contract).where(Contract.number == rows[0]["number"])).one()
        assert (one.npec, one.start.strftime("%d/%m/%Y")) == (
            Decimal(rows[0]["npec"].replace(",", ".")), rows[0]["start"])
        assert s.scalar(select(func.count(Echeance.id)).where(
            Echeance.contract_id == one.id)) > 0

    # 2. the avenant file: one NPEC lowered by 500 € in ten
    _upload(page, "avenants.csv", to_csv(avenants))
    _simulated(page, f"{len(avenants)} ligne(s) lue(s) : 0 contrat(s) seraient créé(s), "
                     f"{len(avenants)} seraient modifié(s)")
    _confirm(page, f"{len(avenants)} ligne(s) lue(s) : 0 contrat(s) ont été créé(s), "
                   f"{len(avenants)} ont été modifié(s)")
    with _session(console) as s:
        changed = s.scalars(select(Contract).where(
            Contract.number == avenants[0]["number"])).one()
        assert changed.npec == Decimal(rows[0]["npec"].replace(",", ".")) - 500

    # 3. the rupture file: one contract in five broken, regularised where it must be
    _upload(page, "ruptures.csv", to_csv(ruptures))
    _simulated(page, f"{len(ruptures)} ligne(s) lue(s) : 0 contrat(s) seraient créé(s), "
                     f"{len(ruptures)} seraient modifié(s)")
    _confirm(page, f"{len(ruptures)} ligne(s) lue(s) : 0 contrat(s) ont été créé(s), "
                   f"{len(ruptures)} ont été modifié(s)")
    with _session(console) as s:
        broken = s.scalar(select(func.count(Contract.id)).where(
            Contract.number.like("BR%"), Contract.status == "rupture"))
        assert broken == len(ruptures)
        for r in ruptures[:50]:  # each broken contract's échéances add up to what is due
            c = s.scalars(select(Contract).where(Contract.number == r["number"])).one()
            assert c.rupture_on is not None and c.rupture_on.strftime("%d/%m/%Y") == \
                r["rupture_on"]
            due = entitlement(terms_of(c))  # R6332-25: the funding to the rupture date
            assert s.scalar(select(func.sum(Echeance.amount)).where(
                Echeance.contract_id == c.id, Echeance.nature == "pedagogie")) == due
    after = _counts(console)
    assert after[0] == before[0] + LINES and after[2] == before[2] + 3

    # 4. a bad file: every error listed, nothing changed
    bad = [dict(rows[1], number="BRBAD1", employer_siret="12345678901234"),
           dict(rows[2], number="BRBAD2", start="31/02/2026"),
           {"kind": "résiliation", "number": rows[3]["number"]},
           {"kind": "rupture", "number": "BRINCONNU", "rupture_on": "01/01/2026"}]
    _upload(page, "erreurs.csv", to_csv(bad))
    error = page.get_by_test_id("stAlertContentError")
    expect(error).to_contain_text("4 erreur(s) dans le fichier erreurs.csv : rien n'a été "
                                  "importé.", timeout=IMPORT_TIMEOUT_MS)
    settle(page)
    table = page.locator("[data-testid=stDataFrame]").last
    expected = [("2", "SIRET employeur", "12345678901234"), ("3", "Date de début", "31/02/2026"),
                ("4", "Type de ligne", "résiliation"), ("5", "Numéro de dépôt", "BRINCONNU")]
    for row, (line, column, value) in enumerate(expected):
        expect(cell(table, 0, row)).to_have_text(line)
        expect(cell(table, 1, row)).to_have_text(column)
        expect(cell(table, 2, row)).to_have_text(value)
        assert plain(cell(table, 3, row).inner_text()).strip()  # its reason, in French
    expect(page.get_by_role("button", name="Importer", exact=True)).to_have_count(0)
    shot(page, "import_errors.png")
    assert _counts(console) == after

    # 5. cfa2 reads its changed contract's history in "Mes contrats"
    number = followed["number"]
    cfa_page = login(browser, console.url, "cfa2@demo.fr")
    go(cfa_page, "Mes contrats", "Mes contrats")
    cfa_page.get_by_label("Recherche par numéro de contrat ou nom de l'apprenti").fill(number)
    cfa_page.keyboard.press("Enter")
    settle(cfa_page)
    picked = cfa_page.get_by_role("combobox", name="Consulter l'échéancier du contrat")
    expect(picked).to_have_value(re.compile(rf"^{number} — "))
    expect(cfa_page.get_by_role("heading", name=f"Historique du contrat {number}")
           ).to_be_visible()
    settle(cfa_page)
    history = grid(cfa_page, 2)
    for k, event in enumerate(("Création", "Avenant", "Rupture")):
        expect(cell(history, 1, k)).to_have_text(event)
    npec = Decimal(followed["npec"].replace(",", "."))
    assert plain(cell(history, 2, 1).inner_text()) == (
        f"NPEC : {plain(format_eur(npec))} → {plain(format_eur(npec - 500))}")
    assert plain(cell(history, 2, 2).inner_text()) == (
        f"Date de rupture : — → {ruptures[-1]['rupture_on']}")
    shot(cfa_page, "contract_history.png")
    assert cfa2_name
