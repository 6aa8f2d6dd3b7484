"""Mes contrats (issue 18): each contract's history and regularisations on the CFA's page,
read from ``workflow.contracts.history`` (real database, real Streamlit AppTest)."""

from __future__ import annotations

from sqlalchemy import select

from db.models import Contract
from tests.console.conftest import page_text


def test_the_page_shows_the_history_and_the_regularisation(world, factory, page):
    with factory() as s:
        number = s.scalars(select(Contract.number).where(
            Contract.id == world.contracts1[1])).one()  # ruptured after a paid advance
    at = page("cfa_contracts.py", world.cfa1)
    pick = next(b for b in at.selectbox if b.label == "Consulter l'échéancier du contrat")
    chosen = next(o for o in pick.options if o.startswith(number))
    at = pick.select(chosen).run()
    assert not at.exception
    text = page_text(at)
    assert f"Historique du contrat {number}" in text and "Régularisations" in text
    frames = [d.value for d in at.dataframe]
    history = next(f for f in frames if "Événement" in f.columns)
    assert list(history["Événement"]) == ["Création", "Rupture"]
    assert list(history["Modifications"])[1] == "Date de rupture : 30/04/2026"
    regs = next(f for f in frames if "Détail du calcul" in f.columns and "Année" not in f.columns)
    amounts = [str(v).replace("\u202f", " ").replace("\xa0", " ") for v in regs["Montant"]]
    assert len(amounts) == 1 and "295,89" in amounts[0] and amounts[0].lstrip().startswith(
        ("-", "−"))
