"""Mes contrats (issue 18): each contract's history and regularisations on the CFA's page,
read from ``workflow.contracts.history`` (real database, real Streamlit AppTest)."""

from __future__ import annotations

import json
from decimal import Decimal

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
    grid = next(d for d in at.dataframe
                if "Détail du calcul" in d.value.columns and "Année" not in d.value.columns)
    # an amount (sorted as one), drawn "-295,89 €" (tests/browser/test_grid_amounts.py)
    assert list(grid.value["Montant"]) == [Decimal("-295.89")], list(grid.value["Montant"])
    config = json.loads(grid.proto.columns)["Montant"]
    assert config["type_config"] == {"type": "number", "format": "euro"}, config
