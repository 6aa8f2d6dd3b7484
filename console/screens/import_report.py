"""What a contract import's dry run found (*Importer des contrats*): every error line by line,
or the contracts it would create and change and the regularisations it would record."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from console import ui
from console.screens import grid_dates
from domain.vocabulary import NATURE_LABELS, Nature
from workflow.contracts import importing as contract_import


def show_errors(report: contract_import.Report) -> None:
    """A refused file: its summary and every error (line, column, value, reason)."""
    st.error(ui.text(report.summary()))
    st.dataframe(pd.DataFrame([{"Ligne": e.line, "Colonne": e.column, "Valeur": e.value,
                                "Motif": e.reason} for e in report.errors]),
                 hide_index=True, width="stretch")


def _table(rows: list[dict[str, object]], empty: str) -> None:
    if rows:
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch",
                     placeholder=grid_dates.EMPTY, column_config=grid_dates.typed(rows))
    else:
        st.caption(empty)


def show_simulation(report: contract_import.Report) -> None:
    """A valid file's dry run: one tab each for created, changed and regularisations."""
    st.info(ui.text("Simulation : " + report.summary()))
    created, changed, regs = st.tabs([f"Créés ({len(report.created)})",
                                      f"Modifiés ({len(report.changed)})",
                                      f"Régularisations ({len(report.regularisations)})"])
    with created:
        _table([{"Ligne": c.line, "Numéro de dépôt": c.number, "Apprenti": c.apprentice,
                 "CFA": c.cfa, "Début": c.start, "Fin": c.end, "NPEC": ui.money(c.npec)}
                for c in report.created], "Aucun contrat créé.")
    with changed:
        _table([{"Ligne": c.line, "Numéro de dépôt": c.number, "Type": c.kind,
                 "Modifications": c.what} for c in report.changed], "Aucun contrat modifié.")
    with regs:
        _table([{"Numéro de dépôt": r.number, "Nature": NATURE_LABELS[Nature(r.nature)],
                 "Montant": ui.money(r.amount), "Calcul": r.detail}
                for r in report.regularisations], "Aucune régularisation.")
