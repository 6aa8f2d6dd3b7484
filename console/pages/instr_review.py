"""Instruire une facture: the deposited file beside its pro forma, the verdicts, the decision."""

import pandas as pd
import streamlit as st

from console import ui
from console.navigation import script
from domain.clock import paris, paris_day
from domain.errors import WorkflowError
from domain.formatting import format_day_medium, format_moment
from domain.vocabulary import KIND_LABELS, NATURE_LABELS
from workflow.deposits import attestations
from workflow.review import decisions, review, review_screen


@st.cache_data(max_entries=64, show_spinner="Affichage du document…")
def page(doc_id: int, number: int, _content: bytes,
         media_type: str) -> review_screen.PageImage | str:
    """One page rendered in the sandbox, bounded in pixels, cached by document and page (the
    highlights are drawn on top); the French message when it cannot be shown (cached too, so
    that a costly file is not tried again at every rerun)."""
    try:
        return review_screen.render_page(_content, media_type, number)
    except WorkflowError as exc:
        return str(exc)


def marks_of(verdict: review_screen.Verdict | None) -> tuple:
    hl = verdict.highlights() if verdict else {}
    return tuple(sorted((p, tuple(tuple(b) for b in boxes)) for p, boxes in hl.items()))


def lines_table(lines: list[dict]) -> pd.DataFrame | None:
    """The pro forma's lines, amounts in French."""
    return pd.DataFrame(lines).assign(Montant=lambda t: t["Montant"].map(ui.money)) \
        if lines else None


def history_table(rows: list[dict]) -> pd.DataFrame:
    """Events or decisions, their dates already in Paris time ("25/10/2026 02:30")."""
    return pd.DataFrame(rows)


def when(at) -> str:  # noqa: ANN001 - an aware datetime, shown in Paris time
    return f"{format_day_medium(paris_day(at))} à {paris(at):%H:%M}" if at else ""


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
    cfa = data.cfa
    st.markdown(f"**{ui.text(cfa['name'])}**  \nSIRET enregistré : {ui.text(cfa['siret'])}  \n"
                f"IBAN enregistré : {ui.text(cfa['iban'])} (BIC {ui.text(cfa['bic'])})")
    # plain lines, never truncated at 1366 px (metrics cut "3 600,…" in a narrow column)
    st.markdown(f"**Montant total** : {ui.money(data.total)}  \n"
                f"**Dossiers** : {data.dossiers}  \n"
                f"**Nature** : {NATURE_LABELS.get(data.nature, data.nature)}")
    st.caption(f"N° de facture du CFA : {ui.text(data.own_invoice_number or '—')}")
    st.markdown("**Contrôles automatiques** (cliquez pour voir où la valeur a été lue)")
    if data.pending:
        st.info(ui.text(data.pending[:1].upper() + data.pending[1:]) + " : les verdicts "
                "s'afficheront ici dès qu'ils seront prêts (rechargez la page).",
                icon=":material/hourglass_top:")
    pick = st.radio("Contrôle", range(len(verdicts)), key=f"verdict_{run.id if run else 0}",
                    label_visibility="collapsed", index=None,
                    format_func=lambda i: f"{review_screen.OUTCOME_ICONS[verdicts[i].outcome]} "
                    f"{ui.text(verdicts[i].label)} — {ui.text(verdicts[i].message)}")
    # the pro forma's lines beside the invoice, to compare them at a glance
    st.markdown("**Lignes de la pro forma**")
    beside = lines_table(data.lines)  # the columns to compare with the invoice's lines
    st.dataframe(beside[["Contrat", "Montant", "Apprenti"]] if beside is not None else None,
                 hide_index=True, width="stretch", height=260)
with left:
    if not data.documents:
        st.info("Aucun document déposé.")
    else:
        doc = data.documents[0]
        content = doc.content or b""  # the displayed version's bytes (the others': none)
        chosen = verdicts[pick] if pick is not None else None
        st.caption(f"{ui.text(doc.filename)} — version {doc.version} du "
                   f"{when(doc.uploaded_at)}")
        marks = dict(marks_of(chosen))
        first = page(doc.id, 1, content, doc.media_type)
        number = 1
        if isinstance(first, review_screen.PageImage) and first.page_count > 1:
            number = st.selectbox("Page", range(1, first.page_count + 1),
                                  index=min(max(min(marks, default=1), 1), first.page_count) - 1,
                                  key=f"page_{doc.id}_{pick}",
                                  format_func=lambda n: f"Page {n} / {first.page_count}")
        shown = first if number == 1 else page(doc.id, number, content, doc.media_type)
        if isinstance(shown, str):
            st.warning(ui.text(shown))
        else:
            st.image(review_screen.highlight(shown, [list(b) for b in marks.get(number, ())]),
                     caption=f"Page {number}", width="stretch")
        st.download_button("Télécharger le fichier déposé", content, doc.filename,
                           mime=doc.media_type)
    proof = ui.call(attestations.for_review, pf_id)  # a final balance's attestation (issue 18)
    if proof is not None:
        st.download_button(f"Attestation de réalisation — version {proof.version} — "
                           f"{ui.text(proof.filename)}", proof.content, proof.filename,
                           mime=proof.media_type)

if data.decidable or was_decidable:  # a click on a screen that went stale gets its answer
    st.divider()
    acts = st.columns(3)
    if acts[0].button("Relancer les contrôles", icon=":material/refresh:", shortcut="Alt+K",
                      help="Raccourci : Alt+K") and ui.call(review.rerun_checks, pf_id):
        acted()
    if acts[1].button("M'attribuer") and ui.call(review.assign, pf_id):
        acted()
    if acts[2].button("Remettre dans la file") and ui.call(review.unassign, pf_id):
        acted()
    failed = [v.label for v in verdicts if v.outcome == "fail"]
    val, ref = st.columns(2, gap="large")
    with val:
        st.markdown("#### Valider")
        if failed:
            st.warning("Contrôles non conformes : " + ui.text(", ".join(failed))
                       + ". Une justification est obligatoire.")
        note = st.text_area("Justification", key="justification")
        if st.button("Valider", type="primary", shortcut="Alt+V", help="Raccourci : Alt+V") \
                and ui.call(decisions.validate, pf_id, seen, note):
            ui.flash(f"Pro forma {data.number} validée.")
            acted()
    with ref:
        st.markdown("#### Refuser")
        reasons = ui.call(decisions.refusal_reasons) or []
        reason = st.selectbox("Motif de refus", reasons, format_func=lambda r: r.label)
        comment = st.text_area("Commentaire" + (" (obligatoire)" if reason and
                                                reason.requires_comment else ""))
        if reason is not None:
            letter = ui.call(decisions.letter_preview, reason.code, comment)
            with st.expander("Aperçu du courrier envoyé au CFA", expanded=True):
                st.text(letter or "")
        if st.button("Refuser et envoyer le courrier", shortcut="Alt+X",
                     help="Raccourci : Alt+X") and reason is not None \
                and ui.call(decisions.refuse, pf_id, seen, reason.code, comment):
            ui.flash(f"Pro forma {data.number} refusée.")
            acted()

tabs = st.tabs(["Lignes de la pro forma", "Versions précédentes", "Contrôles précédents",
                "Historique", "Décisions"])
tabs[0].dataframe(lines_table(data.lines), hide_index=True)
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
tabs[3].dataframe(history_table(data.events), hide_index=True, width="stretch")
tabs[4].dataframe(history_table(data.decisions), hide_index=True, width="stretch")
