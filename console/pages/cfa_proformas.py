"""Mes factures/factures d'avoir pro formas (seed §1.2): search, list, menu, deposit, refusal."""

import pandas as pd
import streamlit as st

from console import ui
from console.screens import deposit_dialog, grid_dates
from domain.clock import paris_day
from domain.formatting import format_day_medium, format_eur_short
from domain.vocabulary import ACTION_LABELS, NATURE_LABELS, STATUS_CHOICES, CfaAction, Nature
from workflow.billing import documents, portal
from workflow.billing.portal import ProFormaSearch
from workflow.reporting import exports


def menu(row: portal.ProFormaRow) -> None:
    """The three buttons of §1.2.1.2: the pro forma, the deposited invoice, the actions."""
    a, b, c = st.columns(3)
    a.download_button("Télécharger la pro forma", ui.deferred(documents.pro_forma_pdf, row.id),
                      f"Pro_forma_{row.number}.pdf", "application/pdf", on_click="ignore")
    with b.popover("Consulter la facture déposée", disabled=row.deposited_at is None):
        for v in ui.call(portal.document_versions, row.id) or []:
            st.download_button(
                f"Version {v.version} — {ui.text(v.filename)} "
                f"({format_day_medium(paris_day(v.uploaded_at))})",
                ui.deferred(portal.document_file, v.id), v.filename, v.media_type,
                key=f"p_doc_{v.id}", on_click="ignore")
    with c.popover("Actions complémentaires"):
        if not row.actions:
            st.caption("Aucune action complémentaire n'est disponible à ce statut.")
        for action in row.actions:
            if action is CfaAction.EXPORT:
                st.download_button("Exporter les contrats concernés (CSV)",
                                   ui.deferred(exports.export_csv, row.id),
                                   f"Contrats_{row.number}.csv", exports.CSV_MEDIA,
                                   on_click="ignore")
                st.download_button("Exporter les contrats concernés (Excel)",
                                   ui.deferred(exports.export_excel, row.id),
                                   f"Contrats_{row.number}.xlsx", exports.XLSX_MEDIA,
                                   on_click="ignore")
            elif st.button(ACTION_LABELS[action], key=f"p_act_{action}"):
                deposit_dialog.open_dialog(
                    {CfaAction.SEE_REFUSAL: "refusal"}.get(action, action.value), row.id)
                st.rerun()


st.title("Mes factures/factures d'avoir pro formas - contrat d'apprentissage")
ui.require_actor()  # a logged-out session sees nothing but the warning
crit = st.session_state.setdefault("p_search", {})
with st.form("p_search_form"):
    st.markdown("**Recherche par numéro de pro forma et/ou statut**")
    a, b, c, d = st.columns(4)
    number = a.text_input("NUMÉRO DE PRO FORMA", value=crit.get("number", ""))
    own = b.text_input("NUMÉRO DE FACTURE/FACTURE D'AVOIR", value=crit.get("own_number", ""))
    statuses = ["", *STATUS_CHOICES]
    status = c.selectbox("STATUT", statuses, index=statuses.index(crit.get("status", "")),
                         format_func=lambda k: STATUS_CHOICES.get(k, "Tous"))
    natures = ["", *Nature]
    nature = d.selectbox("TYPE", natures, index=natures.index(crit.get("nature", "")),
                         format_func=lambda k: NATURE_LABELS[Nature(k)] if k else "Tous")
    if st.form_submit_button("Rechercher", type="primary"):
        st.session_state["p_search"] = {"number": number, "own_number": own, "status": status,
                                        "nature": str(nature)}
        st.session_state["p_page"] = 0
        st.rerun()
if st.button("Réinitialiser les filtres"):
    st.session_state["p_search"] = {}
    st.rerun()

deposit_dialog.show()

search = ProFormaSearch(**st.session_state["p_search"])
sorts = list(portal.PRO_FORMA_SORTS)
sort = st.selectbox("Trier par :", sorts, key="p_sort",
                    format_func=lambda k: portal.PRO_FORMA_SORTS[k][0])
page = ui.call(portal.list_pro_formas, search, page=st.session_state.get("p_page", 0),
               page_size=20, sort=sort)
if page is None:
    st.stop()
applied = [f"{k} : {ui.text(v)}" for k, v in (
    ("N° DE PRO FORMA", search.number), ("N° DE FACTURE", search.own_number),
    ("STATUT", STATUS_CHOICES.get(search.status, "")),
    ("TYPE", NATURE_LABELS[Nature(search.nature)] if search.nature else "")) if v]
st.markdown(f"**Filtres appliqués ({page.total})**  \n"
            + ("  \n".join(applied) or "AUCUN FILTRE APPLIQUÉ"))
if not page.rows:
    st.info("Aucune pro forma ne correspond à votre recherche.")
    st.stop()
st.dataframe(pd.DataFrame([{
    "Numéro de pro forma": r.number, "Type": NATURE_LABELS[Nature(r.nature)],
    "Création": grid_dates.day(r.created_at),
    "Dépôt de facture/facture d'avoir": grid_dates.day(r.deposited_at),
    "Montant total": f"{format_eur_short(r.total)} ({r.dossiers} "
                     f"{'dossier' if r.dossiers == 1 else 'dossiers'})",
    "Statut": r.status_label,
} for r in page.rows]), hide_index=True, width="stretch", placeholder=grid_dates.EMPTY,
    column_config=grid_dates.columns(days=("Création", "Dépôt de facture/facture d'avoir")))
before = st.session_state.get("p_page", 0)
if ui.pager("p_page", page.total, page.page_size) != before:
    st.rerun()

rows = {r.number: r for r in page.rows}
st.subheader("Menu")
picked = st.selectbox("Pro forma", list(rows), key="p_pick")
menu(rows[picked])
