"""Importer des contrats (managers, administrators): a CSV or XLSX file of contracts,
avenants and ruptures (docs/import-format.md), checked by a dry run first — what would be
created, changed and regularised, or every error line by line — then imported after a
confirmation (``workflow.contracts.importing``)."""

import hashlib

import pandas as pd
import streamlit as st

from console import ui
from console.screens import import_report
from domain.permissions import SCREENS
from workflow.contracts import importing as contract_import

st.title("Importer des contrats")
me = ui.require_actor()
if me.role not in SCREENS["mgr_import"]:  # the permissions matrix, as the menu
    st.error("Accès refusé : l'import des contrats est réservé aux managers et aux "
             "administrateurs.")
    st.stop()
ui.show_flash()

st.markdown(
    "Déposez un fichier **CSV** (séparateur point-virgule, UTF-8) ou **XLSX** : une ligne par "
    "contrat, avenant, rupture ou prolongation (colonne « Type de ligne »). Le fichier est d'abord "
    "**simulé** : rien n'est écrit avant votre confirmation, et un fichier qui comporte une "
    "erreur n'importe rien. Importer deux fois le même fichier ne change rien.")
st.download_button("Télécharger le modèle (CSV)", contract_import.template_csv().encode(
    "utf-8-sig"), file_name="modele-import-contrats.csv", mime="text/csv")
with st.expander("Colonnes du fichier"):
    st.dataframe(pd.DataFrame({"Colonne": list(contract_import.COLUMNS.values())}),
                 hide_index=True, width="stretch")

up = st.file_uploader("FICHIER DE CONTRATS (CSV ou XLSX)", type=["csv", "xlsx"],
                      key="imp_up")
if up is not None:
    data = up.getvalue()
    fresh = hashlib.sha256(data).hexdigest() != st.session_state.get("imp_done")
    if fresh and st.session_state.get("imp_file", ("", b""))[1] != data:
        st.session_state["imp_file"] = (up.name, data)
        st.session_state.pop("imp_report", None)
        st.session_state.pop("imp_confirm", None)
file = st.session_state.get("imp_file")
if not file:
    st.info("Aucun fichier déposé.")
    st.stop()
name, data = file
tag = hashlib.sha256(data).hexdigest()


def run(dry_run: bool) -> contract_import.Report | None:
    """The workflow's import, with a progress bar (long files)."""
    bar = st.progress(0.0, text="Lecture du fichier…")

    def progress(fraction: float, label: str) -> None:
        bar.progress(min(max(fraction, 0.0), 1.0), text=label)

    report = ui.call(contract_import.run, data, name, dry_run=dry_run, progress=progress)
    bar.empty()
    return report


stored = st.session_state.get("imp_report")
if stored is None or stored[0] != tag:
    report = run(dry_run=True)
    if report is None:
        st.stop()
    st.session_state["imp_report"] = (tag, report)
else:
    report = stored[1]

st.subheader(f"Fichier : {ui.text(name)}")
if report.errors:
    import_report.show_errors(report)
    st.stop()
import_report.show_simulation(report)

nothing = not (report.created or report.changed)
if nothing:
    st.success("Ce fichier ne change rien : tous ses contrats sont déjà à jour.")
    st.stop()
if not st.session_state.get("imp_confirm"):
    if st.button("Importer", type="primary"):
        st.session_state["imp_confirm"] = True
        st.rerun()
    st.stop()

st.warning(ui.text(
    f"Confirmez l'import de {name} : {len(report.created)} contrat(s) créé(s), "
    f"{len(report.changed)} modifié(s), {len(report.regularisations)} régularisation(s). "
    "Les échéanciers des contrats modifiés seront recalculés."))
a, b = st.columns(2)
if b.button("Annuler"):
    st.session_state.pop("imp_confirm", None)
    st.rerun()
if a.button("Confirmer l'import", type="primary"):
    done = run(dry_run=False)
    st.session_state.pop("imp_confirm", None)
    if done is None:
        st.stop()
    if done.errors:  # the contracts changed since the simulation
        st.session_state["imp_report"] = (tag, done)
        st.rerun()
    for key in ("imp_file", "imp_report"):
        st.session_state.pop(key, None)
    st.session_state["imp_done"] = tag  # the uploader still holds it: not simulated again
    ui.flash(f"Import terminé : {done.summary()}")
    st.rerun()
