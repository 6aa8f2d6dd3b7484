"""Instruire une facture: the deposited file beside its pro forma, the verdicts, the decision."""

import pandas as pd
import streamlit as st

from console import ui
from console.navigation import script
from console.screens import review_decision, review_viewer
from domain.formatting import format_moment
from domain.vocabulary import KIND_LABELS
from workflow.review import review_screen

st.title("Instruire une facture")
ui.require_actor()  # a logged-out session sees nothing but the warning
pf_id = st.query_params.get("pf") or st.session_state.get("review_pf")
if not pf_id:
    st.info("Choisissez une pro forma dans la file d'instruction.")
    if st.button("Aller à la file d'instruction", icon=":material/inbox:"):
        st.switch_page(script("pages/instr_queue.py"))
    st.stop()
data = ui.call(review_screen.review_data, pf_id)
if data is None:
    st.stop()
st.session_state["review_pf"], st.query_params["pf"] = data.pro_forma_id, str(data.pro_forma_id)
anchor_key = f"anchor_{data.pro_forma_id}"  # the state the user's decisions are based on
seen, was_decidable = st.session_state.setdefault(anchor_key, (data.version, data.decidable))
st.subheader(f"{KIND_LABELS[data.kind]} pro forma {ui.text(data.number)} — {data.status_label}")
if seen != data.version:  # changed under the user: say so until they have looked again
    st.warning(f"La pro forma {data.number} a changé depuis que vous l'avez ouverte "
               f"(version {seen} → {data.version}) : elle est maintenant « "
               f"{data.status_label} ». Aucune décision ne sera prise sur l'ancien état.",
               icon=":material/update:")
    if st.button("J'ai pris connaissance de l'état actuel", icon=":material/refresh:"):
        st.session_state.pop(anchor_key, None)
        st.rerun()


def acted() -> None:
    """The user's own action changed the pro forma: the new state is the one they saw."""
    st.session_state.pop(anchor_key, None)
    st.rerun()


st.caption(f"Version {data.version} · attribuée à {ui.text(data.assigned_to or 'personne')}")
ui.show_flash()

run = data.current_run  # none while the current version's checks are pending
verdicts = run.verdicts if run else []
left, right = st.columns([3, 2], gap="large")
with right:
    pick = review_viewer.pro_forma_side(data, verdicts)
with left:
    review_viewer.document_side(data, pick)
if data.decidable or was_decidable:  # a click on a screen that went stale gets its answer
    review_decision.panel(data, seen, verdicts, acted)

tabs = st.tabs(["Lignes de la pro forma", "Versions précédentes", "Contrôles précédents",
                "Historique", "Décisions"])
tabs[0].dataframe(review_viewer.lines_table(data.lines), hide_index=True)
for doc in data.documents[1:]:  # their bytes are read only when downloaded
    tabs[1].download_button(f"Version {doc.version} — {ui.text(doc.filename)} "
                            f"({format_moment(doc.uploaded_at)})",
                            ui.deferred(review_screen.document_file, doc.id),
                            doc.filename, mime=doc.media_type, key=f"doc_{doc.id}")
for old in data.runs[1:]:
    with tabs[2].expander(f"Contrôles du {format_moment(old.ran_at)} "
                          f"(fichier version {old.document_version})"):
        st.dataframe(pd.DataFrame([{"Contrôle": v.label, "Verdict": review_screen.OUTCOME_LABELS[
            v.outcome], "Message": v.message} for v in old.verdicts]), hide_index=True)
tabs[3].dataframe(pd.DataFrame(data.events), hide_index=True, width="stretch")
tabs[4].dataframe(pd.DataFrame(data.decisions), hide_index=True, width="stretch")
