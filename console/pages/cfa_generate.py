"""Générer une pro forma (seed §1.1): eligible lines, selection, recap, generation dialog."""

import streamlit as st

from console import ui
from console.screens import eligible, generation
from domain.vocabulary import NATURE_LABELS, Nature
from workflow.accounts import cfa_profile
from workflow.billing import eligibility
from workflow.billing.eligibility import SORT_LABELS, EligibleFilters

st.title("Générer une pro forma")
ui.require_actor()  # a logged-out session sees nothing but the warning
nature = st.radio("Nature de coûts", list(Nature), format_func=lambda n: NATURE_LABELS[n],
                  horizontal=True, key="g_nature")
word = NATURE_LABELS[nature].lower()
crit = st.session_state.setdefault("g_filters", {})
flt = EligibleFilters.from_dict(crit)

st.header("Mes contrats éligibles pour facturation")
eligible.search_form(crit, flt)
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
    eligible.selection_table(nature, flt, page, excluded)

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

generation.show()
