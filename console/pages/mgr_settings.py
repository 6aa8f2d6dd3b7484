"""Paramètres: service-level target, four-eyes threshold, refusal reasons, user accounts."""

import pandas as pd
import streamlit as st

from console import ui
from console.screens import refusal_reasons
from domain.formatting import format_moment
from domain.vocabulary import ROLE_LABELS
from workflow.accounts import admin

AT = "dd/MM/yyyy 'à' HH:mm"  # Babel pattern: 27/11/2026 à 10:00 (Paris time)

st.title("Paramètres")
if msg := st.session_state.pop("settings_flash", None):
    st.success(msg)
me = ui.require_actor()
current = ui.call(admin.get_settings)
if current is None:
    st.stop()


def done(message: str) -> None:
    st.session_state["settings_flash"] = message
    st.rerun()


st.subheader("Délais et contrôles")
with st.form("thresholds"):
    a, b = st.columns(2)
    sla = a.number_input("Délai cible d'instruction (jours)", min_value=1, max_value=365,
                         value=current.sla_days, step=1)
    seuil = b.text_input("Seuil du double contrôle (€)",
                         value=ui.money(current.four_eyes_threshold), max_chars=20)
    if st.form_submit_button("Enregistrer", type="primary"):
        saved = ui.call(admin.set_thresholds, int(sla), seuil)
        if saved is not None:
            done("Paramètres enregistrés." if saved.pending is None or
                 saved.pending.proposed_by_id != me.user_id else
                 "Paramètres enregistrés ; le nouveau seuil du double contrôle "
                 f"({ui.money(saved.pending.value)}) attend l'approbation d'un autre "
                 "gestionnaire.")
pending = current.pending
if pending is not None:
    st.info(f"Changement de seuil du double contrôle en attente : "
            f"{ui.money(current.four_eyes_threshold)} → {ui.money(pending.value)}, proposé par "
            f"{ui.text(pending.proposed_by)} le {format_moment(pending.proposed_at, AT)}. "
            "Il ne s'applique qu'après l'approbation d'un autre gestionnaire.")
    a, b = st.columns(2)
    mine = pending.proposed_by_id == me.user_id
    if a.button("Approuver le nouveau seuil", disabled=mine,
                help="Vous avez proposé ce changement." if mine else None) and \
            ui.call(admin.approve_threshold, pending.value) is not None:
        done(f"Seuil du double contrôle : {ui.money(pending.value)}, en vigueur.")
    if b.button("Retirer la proposition" if mine else "Rejeter la proposition") and \
            ui.call(admin.reject_threshold, pending.value) is not None:
        done("Proposition de seuil retirée." if mine else "Proposition de seuil rejetée.")

refusal_reasons.section(done)

st.subheader("Comptes utilisateurs")
query = st.text_input("Rechercher (e-mail ou nom)", key="user_query")
users = ui.call(admin.list_users, st.session_state.get("users_page", 0), 25, query)
if users is not None:
    st.dataframe(pd.DataFrame([{"E-mail": u.email, "Nom": u.name, "Rôle": u.role_label,
                                "CFA": u.cfa or "—", "Actif": u.active} for u in users.rows]),
                 hide_index=True, width="stretch")
    ui.pager("users_page", users.total, 25)
    accounts = {u.user_id: u for u in users.rows}
    who = st.selectbox("Compte", [None, *accounts], key="user_pick",
                       format_func=lambda i: "—" if i is None else accounts[i].email)
    if who is not None:
        a, b = st.columns(2)
        u = accounts[who]
        if a.button("Réactiver" if not u.active else "Désactiver") and ui.call(
                admin.set_user_active, who, not u.active) is not None:
            done(f"Compte {u.email} {'réactivé' if not u.active else 'désactivé'}.")
        if b.button("Réinitialiser le mot de passe"):
            temporary = ui.call(admin.reset_password, who)
            if temporary:
                st.warning(f"Mot de passe provisoire de {u.email} : **{temporary}** — "
                           "communiquez-le à l'intéressé ; il ne sera plus affiché, et il devra "
                           "le remplacer à sa prochaine connexion.")
with st.expander("Créer un compte"):
    cfas = dict(ui.call(admin.cfa_choices) or [])
    with st.form("user_new", clear_on_submit=True):
        email = st.text_input("Adresse e-mail")
        name = st.text_input("Nom")
        role = st.selectbox("Rôle", list(admin.CAN_CREATE[me.role]),
                            format_func=lambda r: ROLE_LABELS[r])
        cfa = st.selectbox("CFA (comptes CFA)", [None, *cfas],
                           format_func=lambda c: "—" if c is None else cfas[c])
        password = st.text_input("Mot de passe initial (8 caractères au moins)",
                                 type="password")
        if st.form_submit_button("Créer le compte") and ui.call(
                admin.create_user, email, name, role.value, password, cfa) is not None:
            done(f"Compte {email.strip().lower()} créé.")
