"""The dialogs of *Mes factures/factures d'avoir pro formas* (seed §1.2.1.3, §1.2.2):
"Joindre une facture" (the upload zone, its file table, the checks' verdicts, "Envoyer"), the
attestation de réalisation, "Annuler la pro forma" and the refusal letter with "Modifier ma
facture". The dialog's state is ``st.session_state["p_dialog"]``."""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from console import ui
from domain.vocabulary import NATURE_LABELS, Nature, Outcome
from workflow.billing import documents, portal, proformas
from workflow.deposits import attestations, deposits

# the upload rules, from their one declaration (checks): the widget takes any file, the
# project's own validation refuses type, size and name in French
FILE_RULES = portal.upload_rules().sentence
DIALOG_TITLES = {"attach": "Joindre une facture", "replace": "Modifier la facture de la pro forma",
                 "cancel": "Annuler la pro forma", "refusal": "Motif de refus"}


def close_dialog() -> None:
    st.session_state.pop("p_dialog", None)


def open_dialog(mode: str, pf_id: int) -> None:
    st.session_state["p_dialog"] = {"mode": mode, "id": pf_id}


def attestation_form(pf: portal.ProFormaRow) -> None:
    """A pro forma holding a final balance: the attestation de réalisation beside the invoice
    (R6332-25, décret 2025-585; issue 18), same file rules, kept as its own document."""
    d = st.session_state["p_dialog"]
    st.markdown("**Cette pro forma porte le solde final d'un contrat** : joignez, avec votre "
                "facture, l'**attestation de réalisation des actions de formation**.")
    if d.get("att_done"):
        st.success(ui.text(d["att_done"]))
        return
    up = st.file_uploader("ATTESTATION DE RÉALISATION", key=f"p_att_{pf.id}",
                          help=FILE_RULES)
    if up is not None and st.button("Joindre l'attestation"):
        row = ui.call(attestations.deposit, pf.id, up.getvalue(), up.name)
        if row is not None:
            d["att_done"] = f"Attestation jointe : {row.filename} (version {row.version})."
            d.pop("tag", None)  # the invoice's checks are run again with it
            ui.rerun_dialog()


def deposit_form(pf: portal.ProFormaRow) -> None:
    """§1.2.1.3: one file, the automatic checks' verdicts, then "Envoyer"."""
    d = st.session_state["p_dialog"]
    st.markdown(f"**NUMÉRO DE PRO FORMA :** {pf.number}  \n"
                f"**TYPE DE PRO FORMA :** {NATURE_LABELS[Nature(pf.nature)]}")
    st.markdown("Afin d'éviter tout rejet de votre facture, vous devez respecter le mode "
                "opératoire suivant.\n" + "\n".join(f"- {t}" for t in documents.INSTRUCTIONS))
    if ui.call(attestations.needed, pf.id):
        attestation_form(pf)
    # the widget takes any file: the project's own rules (checks/) refuse type, size and name,
    # in French, and a new file's verdict replaces the previous one's (``tag``)
    version = d.setdefault("up_v", 0)
    up = st.file_uploader("VOTRE FACTURE", key=f"p_up_{pf.id}_{version}", help=FILE_RULES)
    st.caption(FILE_RULES)
    if file_table(up.name if up is not None else None, f"p_rm_{pf.id}_{version}"):
        d["up_v"] = version + 1
        d.pop("tag", None)
        ui.rerun_dialog()
    if up is None:
        d.pop("tag", None)
        st.info("Vous devez joindre un fichier.")
        return
    data = up.getvalue()
    tag = (pf.id, pf.version, up.name, hashlib.sha256(data).hexdigest())
    if d.get("tag") != tag:
        with st.spinner("Vérification de votre fichier en cours…"):  # in the sandbox, 20 s at most
            # its own short transactions: none open while the sandbox reads the file
            d["verdicts"], d["error"] = ui.attempt_with_factory(portal.precheck, pf.id, data,
                                                                up.name)
        d["tag"] = tag
    verdicts = d["verdicts"]
    if verdicts is None:
        st.error(ui.text(d["error"]))
        return
    verdicts_view(verdicts)
    if st.button("Envoyer", type="primary"):
        receipt = ui.call(deposits.deposit, pf.id, data, up.name, expected_version=pf.version)
        if receipt:
            d["sent"] = receipt.message
            ui.rerun_dialog()


def verdicts_view(verdicts: list[portal.Verdict]) -> None:
    """The pre-check's verdicts before "Envoyer": the table, then each failed one's message
    (the lines': which dossiers differ from the pro forma, are missing or are not in it)."""
    st.dataframe(pd.DataFrame([{
        "Contrôle": v.label, "Résultat": v.outcome_label,
        "Détail": v.message} for v in verdicts]), hide_index=True, width="stretch")
    for v in verdicts:
        if v.outcome == Outcome.FAIL:
            st.warning(ui.text(v.message))
    if any(v.outcome == Outcome.FAIL for v in verdicts):
        st.caption("Vous pouvez corriger votre facture avant de l'envoyer, ou l'envoyer tout de "
                   "même : elle sera examinée par l'Opco EP.")


def file_table(name: str | None, key: str) -> bool:
    """The manual's "Nom du fichier / Action" table under the upload zone; True when the file
    is to be removed (its bin clicked)."""
    with st.container(border=True):
        a, b = st.columns([4, 1])
        a.markdown("**Nom du fichier**")
        b.markdown("**Action**")
        a, b = st.columns([4, 1], vertical_alignment="center")
        a.markdown(ui.text(name) if name else "Aucun fichier")
        return bool(name) and b.button("Retirer", key=key, icon=":material/delete:",
                                       help="Retirer ce fichier pour en joindre un autre")


def cancel_form(pf: portal.ProFormaRow) -> None:
    d = st.session_state["p_dialog"]
    st.markdown(f"Voulez-vous annuler la pro forma **{pf.number}** ({pf.total_label}) ?\n\n"
                "Cette action rendra les contrats de nouveau éligibles à la génération d'une "
                "nouvelle facture pro forma.")
    if st.button("Confirmer", type="primary"):
        if ui.call(proformas.cancel, pf.id, expected_version=pf.version):
            d["sent"] = (f"La pro forma {pf.number} est annulée : ses contrats sont de nouveau "
                         "éligibles.")
            ui.rerun_dialog()


def refusal_view(pf: portal.ProFormaRow) -> None:
    """§1.2.2: the letter, then "Modifier ma facture" or "Annuler la pro forma"."""
    d = st.session_state["p_dialog"]
    if d.get("then") == "replace":
        deposit_form(pf)
        return
    if d.get("then") == "cancel":
        cancel_form(pf)
        return
    letter = ui.call(portal.refusal_letter, pf.id)
    if letter is None:
        return
    st.markdown(f"**N° de la pro forma :** {ui.text(letter.number)}  \n"
                f"**Motif de refus :** {ui.text(letter.reason_label)}")
    st.info(ui.text(letter.body, lines=True))
    st.download_button("Télécharger le courrier (PDF)",
                       ui.deferred(documents.refusal_letter_pdf, pf.id),
                       f"Motif_de_refus_{pf.number}.pdf", "application/pdf", on_click="ignore")
    st.markdown("**Actions possibles :**\n- Pour que votre facturation pro forma soit de "
                "nouveau traitée, vous avez la possibilité de déposer une nouvelle facture.\n"
                "- Vous pouvez également annuler cette pro forma. Cette action rendra les "
                "contrats de nouveau éligibles à la création d'une nouvelle facturation pro "
                "forma.")
    a, b = st.columns(2)
    for col, label, then in ((a, "Modifier ma facture", "replace"),
                             (b, "Annuler la pro forma", "cancel")):
        if col.button(label):
            d["then"] = then
            st.rerun()  # the whole page: the dialog's title follows (DIALOG_TITLES)


def dialog_body() -> None:
    d = st.session_state["p_dialog"]
    if d.get("sent"):  # the action is done: its message replaces the form
        st.success(ui.text(d["sent"]))
    elif (pf := ui.call(portal.get_pro_forma, d["id"])) is not None:
        {"attach": deposit_form, "replace": deposit_form, "cancel": cancel_form,
         "refusal": refusal_view}[d["mode"]](pf)
    if st.button("Fermer", key="p_close"):
        close_dialog()
        st.rerun()


def show() -> None:
    """Open the dialog when the page holds one, titled after what it shows now."""
    if "p_dialog" in st.session_state:
        shown = st.session_state["p_dialog"]
        title = DIALOG_TITLES[shown.get("then") or shown["mode"]]
        st.dialog(title, width="large", on_dismiss=close_dialog)(dialog_body)()
