"""*Paramètres*' catalogue of refusal reasons: list, edit (label, letter, comment required),
withdraw or restore, delete an unused one, add one."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from console import ui
from workflow.accounts import admin


def section(done: Callable[[str], None]) -> None:
    """The "Motifs de refus" section; ``done`` shows an outcome after the rerun."""
    st.subheader("Motifs de refus")
    reasons = ui.call(admin.list_reasons) or []
    st.dataframe(pd.DataFrame([{"Code": r.code, "Libellé": r.label, "Commentaire exigé":
                                r.requires_comment, "Actif": r.active, "Utilisations": r.uses}
                               for r in reasons]), hide_index=True, width="stretch")
    by_id = {r.reason_id: r for r in reasons}
    chosen = st.selectbox("Modifier un motif", [None, *by_id], key="reason_pick",
                          format_func=lambda i: "—" if i is None else f"{by_id[i].code} — "
                          f"{by_id[i].label}")
    if chosen is not None:
        r = by_id[chosen]
        with st.form(f"reason_{r.reason_id}"):
            label = st.text_input("Libellé", value=r.label)
            letter = st.text_area("Texte du courrier", value=r.letter, height=220)
            comment = st.checkbox("Commentaire de l'instructeur exigé", value=r.requires_comment)
            if st.form_submit_button("Enregistrer le motif", type="primary") and ui.call(
                    admin.edit_reason, r.reason_id, label, letter, comment) is not None:
                done(f"Motif {r.code} enregistré.")
        a, b = st.columns(2)
        if a.button("Remettre au catalogue" if not r.active else "Retirer du catalogue") and \
                ui.call(admin.set_reason_active, r.reason_id, not r.active) is not None:
            done(f"Motif {r.code} {'remis au catalogue' if not r.active else 'retiré'}.")
        if b.button("Supprimer", disabled=r.uses > 0,
                    help="Un motif qui a servi ne se supprime pas : retirez-le.") and \
                ui.call(admin.delete_reason, r.reason_id) is not None:
            done(f"Motif {r.code} supprimé.")
    with st.expander("Ajouter un motif"):
        with st.form("reason_new", clear_on_submit=True):
            code = st.text_input("Code (ex. CERTIF_ABSENT)")
            label = st.text_input("Libellé")
            letter = st.text_area("Texte du courrier", height=180)
            comment = st.checkbox("Commentaire de l'instructeur exigé")
            if st.form_submit_button("Ajouter") and ui.call(admin.add_reason, code, label, letter,
                                                            comment) is not None:
                done("Motif ajouté au catalogue.")
