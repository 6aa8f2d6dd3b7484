"""*Instruire une facture*'s decisions: re-run the checks, (un)assign, validate with a
justification when a check failed, refuse with a reason and the letter's preview.

Every decision carries the version the instructeur saw (``seen``); ``acted`` is called once
the user's own action changed the pro forma."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from console import ui
from domain.vocabulary import Outcome
from workflow.review import decisions, review, review_screen


def panel(data: review_screen.ReviewData, seen: int, verdicts: list,
          acted: Callable[[], None]) -> None:
    pf_id = data.pro_forma_id
    st.divider()
    acts = st.columns(3)
    if acts[0].button("Relancer les contrôles", icon=":material/refresh:", shortcut="Alt+K",
                      help="Raccourci : Alt+K") and ui.call(review.rerun_checks, pf_id):
        acted()
    if acts[1].button("M'attribuer") and ui.call(review.assign, pf_id):
        acted()
    if acts[2].button("Remettre dans la file") and ui.call(review.unassign, pf_id):
        acted()
    failed = [v.label for v in verdicts if v.outcome == Outcome.FAIL]
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
        # the dossiers the lines check found in error, named in the letter unless edited out
        in_error = review_screen.dossier_sentences(data.line_checks)
        if in_error:
            st.caption(f"{len(in_error)} dossier(s) en erreur : le commentaire les cite dans "
                       "le courrier (modifiable).")
        run = data.current_run
        comment = st.text_area("Commentaire" + (" (obligatoire)" if reason and
                                                reason.requires_comment else ""),
                               value=decisions.refusal_draft(in_error),
                               key=f"refusal_comment_{pf_id}_{run.id if run else 0}")
        if reason is not None:
            letter = ui.call(decisions.letter_preview, reason.code, comment)
            with st.expander("Aperçu du courrier envoyé au CFA", expanded=True):
                st.text(letter or "")
        if st.button("Refuser et envoyer le courrier", shortcut="Alt+X",
                     help="Raccourci : Alt+X") and reason is not None \
                and ui.call(decisions.refuse, pf_id, seen, reason.code, comment):
            ui.flash(f"Pro forma {data.number} refusée.")
            acted()
