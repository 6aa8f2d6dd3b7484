"""Générer une pro forma (seed §1.1): eligible lines, selection, recap, generation dialog."""

import pandas as pd
import streamlit as st

from console import ui
from domain.formatting import format_eur_short, format_period
from domain.vocabulary import NATURE_LABELS, SETTLEMENT_LABELS, Nature
from workflow.accounts import cfa_profile
from workflow.billing import documents, eligibility, filters, proformas
from workflow.billing.eligibility import RUPTURE_LABELS, SORT_LABELS, EligibleFilters
from workflow.contracts.contracts import CONTRACT_STATUS_LABELS

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


# widths that fit the nine columns in the page at 1366 px (sidebar open) without a horizontal
# scroll: "Montant acompte" and "Statut" stay in sight; long texts show whole on hover
ELIGIBLE_WIDTHS = {
    name: st.column_config.Column(width=width) for name, width in (
        ("Numéro enregistrement", 96), ("Libellé", 120), ("Apprenti", 105),
        ("Employeur", 120), ("Durée contrat", 118), ("Période acompte", 118),
        ("Montant acompte", 104), ("Statut", 72))}


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


def close_dialog() -> None:
    st.session_state.pop("g_dialog", None)


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


def generate(d: dict, seen, mode: str | None) -> None:
    """Generate exactly what the dialog showed (``seen``: the échéances and their total)."""
    if seen is None:  # nothing shown yet: show it first
        ui.rerun_dialog()
    made = ui.call(proformas.generate_summary, d["nature"], seen, mode)
    if made:
        st.session_state["g_excluded"].pop(d["nature"], None)  # next list: all selected again
        d["made"] = [(m.id, m.number, m.kind, m.total, m.dossiers) for m in made]
        d["step"] = "done"
        ui.rerun_dialog()


def of_nature(word: str) -> str:
    """"de la pédagogie", "des frais annexes", "des 1ers équipements", "des mobilités"."""
    return f"des {word}" if word.endswith("s") else f"de la {word}"


KIND_WORDS = {"invoice": "facture", "credit_note": "facture d'avoir"}


def done_step(d: dict) -> None:
    """"Génération terminée !" (§1.1.1 for one pro forma, §1.1.2 for two), saying which pro
    forma is the invoice and which the credit note; "détails" shows their figures."""
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
    if many:
        st.markdown("Vous pouvez également les télécharger en vous rendant dans le menu Mes "
                    "contrats - Mes factures/factures d'avoir pro formas.\n\nVous pourrez "
                    "ensuite joindre une facture/facture d'avoir à chacune de ces pro formas.")
    else:
        st.markdown("Vous pouvez également la télécharger en vous rendant dans le menu Mes "
                    "contrats - Mes factures/factures d'avoir pro formas.\n\nVous pourrez "
                    "ensuite joindre une facture/facture d'avoir à cette pro forma.")
    st.markdown("Afin d'éviter tout rejet de votre facture/facture d'avoir, vous devez "
                "respecter le mode opératoire suivant :\n"
                + "\n".join(f"- {t}" for t in documents.INSTRUCTIONS))
    if many and st.toggle("détails", key="g_details"):
        st.dataframe(pd.DataFrame([{
            "Pro forma": number, "Type": KIND_WORDS.get(kind, kind).capitalize(),
            "Montant total": format_eur_short(total),
            "Dossiers": dossiers} for _, number, kind, total, dossiers in d["made"]]),
            hide_index=True, width="stretch")


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
        if d["step"] == "recap":
            st.markdown("Récapitulatif de votre sélection de contrats éligibles pour "
                        f"facturation {of_nature(d['label'])}")
            recap_figures(pre)
            st.markdown(GUIDANCE)
            a, b = st.columns(2)
            if pre.needs_settlement_mode and a.button("suivant", type="primary"):
                d["step"] = "mode"
                ui.rerun_dialog()
            if not pre.needs_settlement_mode and a.button("Générer", type="primary"):
                generate(d, shown, None)
        else:
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
    if st.button("Fermer", key="g_close"):
        close_dialog()
        st.rerun()


st.title("Générer une pro forma")
ui.require_actor()  # a logged-out session sees nothing but the warning
nature = st.radio("Nature de coûts", list(Nature), format_func=lambda n: NATURE_LABELS[n],
                  horizontal=True, key="g_nature")
word = NATURE_LABELS[nature].lower()
crit = st.session_state.setdefault("g_filters", {})
flt = EligibleFilters.from_dict(crit)

st.header("Mes contrats éligibles pour facturation")
with st.form("g_search"):
    number = st.text_input("Recherche par numéro de contrat — N° DE CONTRAT",
                           value=flt.contract_number)
    with st.expander("Recherche avancée", expanded=len(flt.applied()) > bool(number)):
        a, b = st.columns(2)
        start_from = a.date_input("LE CONTRAT DÉBUTE ENTRE", value=flt.start_from,
                                  format="DD/MM/YYYY", min_value="2000-01-01",
                                  max_value="2100-12-31")
        start_to = b.date_input("ET LE", value=flt.start_to, format="DD/MM/YYYY",
                                min_value="2000-01-01", max_value="2100-12-31")
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
        crit.clear()
        crit.update(contract_number=number, start_from=start_from, start_to=start_to,
                    contract_status=status, rupture=rupture, last_name=last, first_name=first,
                    employer_siret=employer, cfa_siret=cfa_siret)
        st.session_state["g_page"] = 0
        bump_editor()
        st.rerun()
a, b = st.columns([1, 3])
if a.button("Réinitialiser les filtres"):
    crit.clear()
    bump_editor()
    st.rerun()
with b.popover("☆ Mes filtres"):
    name = st.text_input("Nom du filtre")
    if st.button("☆ Ajouter à mes filtres") and ui.call(filters.save_filter, name, flt):
        st.success("Filtre ajouté à vos filtres.")
    for saved in ui.call(filters.list_filters) or []:
        x, y = st.columns([3, 1])
        if x.button(ui.text(saved.name), key=f"g_f_{saved.id}"):
            crit.clear()
            crit.update(saved.filters.to_dict())
            bump_editor()
            st.rerun()
        if y.button("Supprimer", key=f"g_fd_{saved.id}"):
            ui.call(filters.delete_filter, saved.id)
            st.rerun()

a, b = st.columns(2)
sort = a.selectbox("Trier par :", list(SORT_LABELS), format_func=lambda k: SORT_LABELS[k])
size = b.selectbox("lignes par page", [12, 20, 50, 100], index=1)
page = ui.call(eligibility.list_eligible, nature, flt, sort=sort,
               page=st.session_state.get("g_page", 0), page_size=size)
excluded: set[int] = st.session_state.setdefault("g_excluded", {}).setdefault(nature, set())
if page is None:
    st.stop()
if not page.rows:
    st.info("Aucun contrat éligible pour facturation ne correspond à votre recherche.")
else:
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

rec = ui.call(eligibility.recap, nature, flt, excluded)
if rec is not None:
    st.subheader(f"Acompte {word}")
    st.caption("Récapitulatif des contrats éligibles pour facturation")
    a, b, c = st.columns(3)
    a.metric("Inclus", rec.included)
    b.metric("Exclus", rec.excluded)
    c.metric("Montant", ui.money(rec.amount))
    if st.button(f"Générer pro forma {word}", type="primary", disabled=rec.included == 0):
        profile = ui.call(cfa_profile.get_profile)
        st.session_state["g_dialog"] = {
            "nature": nature.value, "label": word, "step": "recap", "made": [],
            "ids": ui.call(eligibility.eligible_ids, nature, flt, excluded) or [],
            "eligible": rec.eligible_contracts,
            "mode": profile.default_settlement if profile else "deduction",
        }
    st.caption("Le récapitulatif des contrats vous permet de visualiser le nombre de contrats "
               "inclus et exclus de la proposition de facturation pro forma.")
    # the manual counts contracts (§1.1: "Filtres appliqués (53)" for 53 contracts)
    st.markdown(f"**Filtres appliqués ({rec.eligible_contracts})**  \n"
                + ("  \n".join(map(ui.text, flt.applied())) or "AUCUN FILTRE APPLIQUÉ"))

if "g_dialog" in st.session_state:
    d = st.session_state["g_dialog"]
    st.dialog(f"Générer pro forma {d['label']}", width="large",
              on_dismiss=close_dialog)(dialog_body)()
