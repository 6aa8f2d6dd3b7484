"""The generation dialog of *Générer une pro forma* (seed §1.1.1, §1.1.2): the recap, the
settlement mode of the credit notes, then "Génération terminée !" with its "détails" button.

The dialog's step is kept in ``st.session_state["g_dialog"]`` (it reopens alike after a rerun).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from console import ui
from domain.formatting import format_eur_short
from domain.vocabulary import SETTLEMENT_LABELS
from workflow.billing import documents, proformas

GUIDANCE = """La facture pro forma est un modèle que vous pouvez utiliser pour l'établissement d'une facture sur votre propre papier en-tête.

Le portail vous propose :
- une fonction permettant de générer des pro forma(s) sur la base des échéances réglementaires en fonction de la durée du contrat
- une fonction permettant de déposer vos factures sur le modèle de la pro forma qui vous sera proposée sur tout ou partie de vos contrats

Vous pouvez exclure les contrats que vous ne souhaitez pas faire apparaître dans votre facture.

Pour assurer un traitement rapide de votre facture :
- reporter le n° de la facture pro forma sur votre facture
- inclure sur votre facture votre numéro de siret ainsi que vos coordonnées bancaires

Si vous avez sélectionné des échéances négatives (trop perçu dans le cadre d'une rupture ou d'un avenant) avec des échéances positives, le système générera automatiquement deux pro formas :
- une relative aux dossiers présentant des échéances positives
- une autre relative aux dossiers présentant des échéances négatives

Attention : vérifiez pour chaque facture que vous n'avez pas déjà déposé une facture concernant ces mêmes dossiers, sur notre portail Mes Services en Ligne Organisme de Formation, ce qui aurait pour conséquence de retarder la mise en paiement de votre facture."""  # noqa: E501
MODE_SENTENCES = {
    **documents.SETTLEMENT_SENTENCES,
    "remboursement": "Le règlement de cette facture d'avoir est paramétré en mode "
                     "« remboursement ». Vous rembourserez donc ce montant à l'Opco EP.",
}
KIND_WORDS = {"invoice": "facture", "credit_note": "facture d'avoir"}


def close_dialog() -> None:
    st.session_state.pop("g_dialog", None)


def of_nature(word: str) -> str:
    """"de la pédagogie", "des frais annexes", "des 1ers équipements", "des mobilités"."""
    return f"des {word}" if word.endswith("s") else f"de la {word}"


def recap_figures(pre: proformas.GenerationPreview) -> None:
    a, b = st.columns(2)
    a.metric("CONTRATS INCLUS", pre.included)
    b.metric("CONTRATS EXCLUS", pre.excluded)
    a, b, c = st.columns(3)
    a.metric("MONTANT FACTURE", ui.money(pre.invoice_amount))
    b.metric("MONTANT FACTURE D'AVOIR", ui.money(pre.credit_amount))
    c.metric("MONTANT TOTAL", ui.money(pre.total))
    if pre.credit_dossiers:  # each dossier lands in exactly one of the two (issue 18)
        st.caption(f"Pro forma : {pre.invoice_dossiers} dossier(s) ; facture d'avoir : "
                   f"{pre.credit_dossiers} dossier(s).")


def generate(d: dict, seen, mode: str | None) -> None:  # noqa: ANN001 - proformas' Seen
    """Generate exactly what the dialog showed (``seen``: the échéances and their total)."""
    if seen is None:  # nothing shown yet: show it first
        ui.rerun_dialog()
    made = ui.call(proformas.generate_summary, d["nature"], seen, mode)
    if made:
        st.session_state["g_excluded"].pop(d["nature"], None)  # next list: all selected again
        d["made"] = [(m.id, m.number, m.kind, m.total, m.dossiers) for m in made]
        d["step"] = "done"
        ui.rerun_dialog()


def details_table(made: list) -> None:
    """What "détails" shows: each generated pro forma, its kind, total and dossiers."""
    st.dataframe(pd.DataFrame([{
        "Pro forma": number, "Type": KIND_WORDS.get(kind, kind).capitalize(),
        "Montant total": format_eur_short(total),
        "Dossiers": dossiers} for _, number, kind, total, dossiers in made]),
        hide_index=True, width="stretch")


def done_step(d: dict) -> None:
    """"Génération terminée !" (§1.1.1 for one pro forma, §1.1.2 for two), saying which pro
    forma is the invoice and which the credit note; the manual's "Fermer" and, for two pro
    formas, "détails" buttons end it, "détails" showing (or hiding again) their figures."""
    many = len(d["made"]) > 1
    st.markdown("Vos pro formas sont générées, vous pouvez les télécharger." if many else
                "Votre pro forma est générée, vous pouvez la télécharger.")
    st.success("Génération terminée ! Vous pouvez télécharger "
               + ("les pro formas générées." if many else "la pro forma générée."))
    for pf_id, number, kind, total, _dossiers in d["made"]:
        left, right = st.columns([3, 1])
        left.markdown(f"- Pro forma **{number}** — {KIND_WORDS.get(kind, kind)} de "
                      f"{format_eur_short(total)}")
        right.download_button("Télécharger", ui.deferred(documents.pro_forma_pdf, pf_id),
                              f"Pro_forma_{number}.pdf", "application/pdf",
                              key=f"g_dl_{pf_id}", on_click="ignore")
    them, these = ("les", "à chacune de ces pro formas") if many else ("la", "à cette pro forma")
    st.markdown(f"Vous pouvez également {them} télécharger en vous rendant dans le menu Mes "
                "contrats - Mes factures/factures d'avoir pro formas.\n\nVous pourrez "
                f"ensuite joindre une facture/facture d'avoir {these}.")
    st.markdown("Afin d'éviter tout rejet de votre facture/facture d'avoir, vous devez "
                "respecter le mode opératoire suivant :\n"
                + "\n".join(f"- {t}" for t in documents.INSTRUCTIONS))
    if d.get("details"):
        details_table(d["made"])


def recap_step(d: dict, pre: proformas.GenerationPreview, shown) -> None:  # noqa: ANN001
    st.markdown("Récapitulatif de votre sélection de contrats éligibles pour "
                f"facturation {of_nature(d['label'])}")
    recap_figures(pre)
    st.markdown(GUIDANCE)
    a, _ = st.columns(2)
    if pre.needs_settlement_mode and a.button("suivant", type="primary"):
        d["step"] = "mode"
        ui.rerun_dialog()
    if not pre.needs_settlement_mode and a.button("Générer", type="primary"):
        generate(d, shown, None)


def mode_step(d: dict, shown) -> None:  # noqa: ANN001 - proformas' Seen
    st.info("Vous devez confirmer ou modifier le mode de règlement de vos avoirs pour "
            "cette facture.")
    modes = list(SETTLEMENT_LABELS)
    mode = st.radio("MODE DE RÈGLEMENT DES FACTURES D'AVOIR POUR CETTE FACTURE",
                    modes, index=modes.index(d["mode"]), horizontal=True,
                    format_func=lambda m: SETTLEMENT_LABELS[m].upper())
    d["mode"] = mode
    st.markdown(f"{MODE_SENTENCES[mode]}\n\nLa modification du mode de règlement ne "
                "s'applique qu'à cette pro forma.\n\nPour modifier le paramétrage par "
                "défaut de ce mode de règlement, reportez-vous dans le menu « Mon CFA ».")
    a, b, _ = st.columns(3)
    if a.button("précédent"):
        d["step"] = "recap"
        ui.rerun_dialog()
    if b.button("Générer", type="primary"):
        generate(d, shown, mode)


def dialog_body() -> None:
    """The three steps of §1.1.1/§1.1.2: recap, settlement mode, "Génération terminée !"."""
    d = st.session_state["g_dialog"]
    if d["step"] == "done":
        done_step(d)
    else:
        shown = d.get("seen")  # what the previous run of the dialog displayed
        pre = ui.call(proformas.preview, d["nature"], d["ids"], d["eligible"])
        if pre is None:
            return
        d["seen"] = pre.seen
        (recap_step(d, pre, shown) if d["step"] == "recap" else mode_step(d, shown))
    close, details, _ = st.columns([1, 1, 4])
    if close.button("Fermer", key="g_close"):
        close_dialog()
        st.rerun()
    if d["step"] == "done" and len(d["made"]) > 1 and details.button("détails",
                                                                      key="g_details"):
        d["details"] = not d.get("details")
        ui.rerun_dialog()


def show() -> None:
    """Open the dialog when the page holds one."""
    if "g_dialog" in st.session_state:
        d = st.session_state["g_dialog"]
        st.dialog(f"Générer pro forma {d['label']}", width="large",
                  on_dismiss=close_dialog)(dialog_body)()
