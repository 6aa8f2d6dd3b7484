"""The eligible lines of *Générer une pro forma* (seed §1.1): the search form, the saved
filters, and the selection table whose ticks are kept as excluded échéance ids."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from console import ui
from domain.formatting import format_period
from workflow.billing import eligibility, filters
from workflow.billing.eligibility import RUPTURE_LABELS, EligibleFilters
from workflow.common.paging import Page
from workflow.contracts.contracts import CONTRACT_STATUS_LABELS

# widths that fit the nine columns in the page at 1366 px (sidebar open) without a horizontal
# scroll: "Montant acompte" and "Statut" stay in sight; long texts show whole on hover
ELIGIBLE_WIDTHS = {
    name: st.column_config.Column(width=width) for name, width in (
        ("Numéro enregistrement", 96), ("Libellé", 120), ("Apprenti", 105),
        ("Employeur", 120), ("Durée contrat", 118), ("Période acompte", 118),
        ("Montant acompte", 104), ("Statut", 72))}
DATE_BOUNDS = {"format": "DD/MM/YYYY", "min_value": "2000-01-01", "max_value": "2100-12-31"}


def bump_editor() -> None:
    """Start the selection table afresh (its ticks are re-read from the excluded ids)."""
    st.session_state["g_editor_v"] = st.session_state.get("g_editor_v", 0) + 1


def apply_ticks(key: str, excluded: set[int]) -> None:
    """Editor callback: a ticked line leaves the excluded ids, an unticked one joins them."""
    ids = st.session_state.get("g_page_ids", [])
    for index, change in st.session_state[key]["edited_rows"].items():
        if "Inclure" in change and int(index) < len(ids):
            (excluded.discard if change["Inclure"] else excluded.add)(ids[int(index)])
    bump_editor()


def apply(crit: dict, values: dict) -> None:
    """Replace the criteria and show the list afresh."""
    crit.clear()
    crit.update(values)
    bump_editor()
    st.rerun()


def search_form(crit: dict, flt: EligibleFilters) -> None:
    """"Recherche par numéro de contrat" and its "Recherche avancée" (§1.1)."""
    with st.form("g_search"):
        number = st.text_input("Recherche par numéro de contrat — N° DE CONTRAT",
                               value=flt.contract_number)
        with st.expander("Recherche avancée", expanded=len(flt.applied()) > bool(number)):
            a, b = st.columns(2)
            start_from = a.date_input("LE CONTRAT DÉBUTE ENTRE", value=flt.start_from,
                                      **DATE_BOUNDS)
            start_to = b.date_input("ET LE", value=flt.start_to, **DATE_BOUNDS)
            status = a.selectbox("STATUT", ["", *CONTRACT_STATUS_LABELS],
                                 format_func=lambda k: CONTRACT_STATUS_LABELS.get(k, "Tous"),
                                 index=["", *CONTRACT_STATUS_LABELS].index(flt.contract_status))
            rupture = b.selectbox("STATUT DE LA RUPTURE", ["", *RUPTURE_LABELS],
                                  format_func=lambda k: RUPTURE_LABELS.get(k, "Tous"),
                                  index=["", *RUPTURE_LABELS].index(flt.rupture))
            last = a.text_input("NOM DU STAGIAIRE", value=flt.last_name)
            first = b.text_input("PRÉNOM DU STAGIAIRE", value=flt.first_name)
            employer = a.text_input("SIRET ADHÉRENT", value=flt.employer_siret)
            cfa_siret = b.text_input("SIRET CFA PÉDAGOGIQUE", value=flt.cfa_siret)
        if st.form_submit_button("Rechercher", type="primary"):
            st.session_state["g_page"] = 0
            apply(crit, dict(contract_number=number, start_from=start_from, start_to=start_to,
                             contract_status=status, rupture=rupture, last_name=last,
                             first_name=first, employer_siret=employer, cfa_siret=cfa_siret))
    a, b = st.columns([1, 3])
    if a.button("Réinitialiser les filtres"):
        apply(crit, {})
    with b.popover("☆ Mes filtres"):
        saved_filters(crit, flt)


def saved_filters(crit: dict, flt: EligibleFilters) -> None:
    name = st.text_input("Nom du filtre")
    if st.button("☆ Ajouter à mes filtres") and ui.call(filters.save_filter, name, flt):
        st.success("Filtre ajouté à vos filtres.")
    for saved in ui.call(filters.list_filters) or []:
        x, y = st.columns([3, 1])
        if x.button(ui.text(saved.name), key=f"g_f_{saved.id}"):
            apply(crit, saved.filters.to_dict())
        if y.button("Supprimer", key=f"g_fd_{saved.id}"):
            ui.call(filters.delete_filter, saved.id)
            st.rerun()


def selection_table(nature: str, flt: EligibleFilters, page: Page[eligibility.EligibleRow],
                    excluded: set[int]) -> None:
    """The page of eligible lines with their "Inclure" ticks, "Tout (dé)sélectionner",
    "Voir les détails" and the pager."""
    a, b, _ = st.columns([1, 1, 2])
    for col, label, include in ((a, "Tout sélectionner", True), (b, "Tout désélectionner", False)):
        if col.button(label):
            ids = ui.call(eligibility.eligible_ids, nature, flt) or []
            (excluded.difference_update if include else excluded.update)(ids)
            bump_editor()
            st.rerun()
    st.session_state["g_page_ids"] = [r.echeance_id for r in page.rows]
    key = f"g_editor_{nature}_{st.session_state.get('g_editor_v', 0)}"
    table = pd.DataFrame([{
        "Inclure": r.echeance_id not in excluded, "Numéro enregistrement": r.number,
        "Libellé": r.title, "Apprenti": r.apprentice,
        "Employeur": f"{r.employer} {r.employer_siret}",
        "Durée contrat": format_period(r.contract_start, r.contract_end),
        "Période acompte": format_period(r.period_start, r.period_end),
        "Montant acompte": ui.money(r.amount), "Statut": r.status_label,
    } for r in page.rows])
    st.data_editor(table, key=key, hide_index=True, width="stretch",
                   disabled=[c for c in table.columns if c != "Inclure"],
                   column_config={"Inclure": st.column_config.CheckboxColumn(
                       "✓", help="Inclure cette échéance dans la pro forma", width=40),
                       **ELIGIBLE_WIDTHS},
                   on_change=apply_ticks, args=(key, excluded))
    with st.expander("Voir les détails"):
        for r in page.rows:
            st.markdown(f"**{r.number}** — {format_period(r.period_start, r.period_end)} — "
                        f"{ui.money(r.amount)} : {ui.text(r.detail)}")
    before = st.session_state.get("g_page", 0)
    if ui.pager("g_page", page.total, page.page_size) != before:
        bump_editor()
        st.rerun()
