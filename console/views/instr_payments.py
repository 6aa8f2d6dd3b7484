"""Paiements: validated invoices, four-eyes approvals, payment runs (pain.001), reimbursements."""

import pandas as pd
import streamlit as st

from console import ui
from workflow import decisions, payments
from workflow.schedule import NATURE_LABELS

PAGE_SIZE = 20


def when(value) -> str:
    return value.strftime("%d/%m/%Y") if value else "—"


def table(rows: list[dict], key: str) -> list[int]:
    """A selectable table; the selected row indexes."""
    picked = st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", key=key,
                          on_select="rerun", selection_mode="multi-row")
    return list(picked.selection.rows) if picked else []


st.title("Paiements")
if flash := st.session_state.pop("pay_flash", None):
    st.success(flash)
me = ui.require_actor()
ready_tab, approve_tab, run_tab, refund_tab = st.tabs(
    ["Factures validées", "Double contrôle", "Campagne de paiement", "Avoirs à rembourser"])

with ready_tab:
    page = ui.call(payments.validated, page=st.session_state.get("pay_page", 0),
                   page_size=PAGE_SIZE)
    if page and page.rows:
        picked = table([{
            "Pro forma": r.number, "CFA": r.cfa, "Nature": NATURE_LABELS.get(r.nature, r.nature),
            "Montant": ui.money(r.total), "Validée le": when(r.decided_at),
            "Par": r.decided_by or "—",
            "Paiement": "Prête" if r.ready else "Attend le double contrôle",
        } for r in page.rows], "ready_table")
        ui.pager("pay_page", page.total, PAGE_SIZE)
        chosen = [page.rows[i] for i in picked if page.rows[i].ready]
        if st.button(f"Payer la sélection ({len(chosen)})", type="primary", shortcut="Alt+P",
                     disabled=not chosen, help="Raccourci : Alt+P — virement SEPA généré"):
            batch = ui.call(payments.execute_payment_run, [r.pro_forma_id for r in chosen])
            if batch:
                st.session_state["pay_flash"] = (f"{batch.payments} facture(s) payée(s) — "
                                                 f"lot {batch.reference}, {ui.money(batch.total)}.")
                st.rerun()
    elif page is not None:
        st.info("Aucune facture validée en attente de paiement.")

with approve_tab:
    waiting = ui.call(payments.validated, awaiting_approval=True, page_size=50)
    if waiting and waiting.rows:
        picked = table([{"Pro forma": r.number, "CFA": r.cfa, "Montant": ui.money(r.total),
                         "Validée par": r.decided_by or "—", "Le": when(r.decided_at)}
                        for r in waiting.rows], "approve_table")
        mine = [waiting.rows[i] for i in picked if waiting.rows[i].decided_by_id == me.user_id]
        if mine:
            st.warning("Vous ne pouvez pas approuver votre propre décision : "
                       + ", ".join(r.number for r in mine))
        for i in picked:
            r = waiting.rows[i]
            if st.button(f"Approuver {r.number}", key=f"approve_{r.pro_forma_id}",
                         disabled=r in mine) and ui.call(decisions.approve, r.pro_forma_id,
                                                         r.version):
                st.session_state["pay_flash"] = f"Validation de {r.number} approuvée."
                st.rerun()
    elif waiting is not None:
        st.info("Aucune validation n'attend de second contrôle.")

with run_tab:
    plan = ui.call(payments.plan_payment_run)
    if plan and plan.cfas:
        st.dataframe(pd.DataFrame([{
            "CFA": c.cfa, "IBAN": c.iban, "Factures": len(c.invoices),
            "Montant brut": ui.money(c.gross), "Avoirs déduits": ui.money(c.deducted),
            "Net à virer": ui.money(c.net), "Avoir restant reporté": ui.money(c.carry_over),
        } for c in plan.cfas]), hide_index=True, width="stretch")
        with st.expander("Détail des déductions"):
            st.dataframe(pd.DataFrame([{
                "CFA": c.cfa, "Facture": i.number, "Avoir": d.number,
                "Déduit": ui.money(d.amount), "Reste de l'avoir": ui.money(d.left_after),
            } for c in plan.cfas for i in c.invoices for d in i.deductions]), hide_index=True)
        st.metric("Total net de la campagne", ui.money(plan.net))
        if st.button("Exécuter la campagne de paiement", type="primary", shortcut="Alt+E",
                     help="Raccourci : Alt+E"):
            batch = ui.call(payments.execute_payment_run, plan.pro_forma_ids)
            if batch:
                st.session_state["pay_flash"] = (f"Campagne {batch.reference} exécutée : "
                                                 f"{batch.payments} paiement(s).")
                st.rerun()
    elif plan is not None:
        st.info("Aucune facture prête à payer.")
    st.markdown("#### Campagnes récentes")
    done = ui.call(payments.batches, page_size=10)
    for b in done.rows if done else []:
        line = (f"{b.reference} — {b.created_at:%d/%m/%Y %H:%M} — {b.payments} paiement(s), "
                f"{ui.money(b.total)} — {b.created_by or '—'}")
        if b.has_file and (f := ui.call(payments.batch_file, b.id)):
            st.download_button(f"Télécharger le virement SEPA (pain.001) · {line}", f[1], f[0],
                               mime="application/xml", key=f"sepa_{b.id}")
        else:
            st.caption(line + " — aucun virement (entièrement compensé par des avoirs)")

with refund_tab:
    due = ui.call(payments.reimbursements_due, page_size=50)
    if due and due.rows:
        st.dataframe(pd.DataFrame([{
            "Avoir": d.number, "CFA": d.cfa, "Montant": ui.money(d.total),
            "Validé le": when(d.decided_at), "Reste dû par le CFA": ui.money(d.left),
        } for d in due.rows]), hide_index=True, width="stretch")
        with st.form("refund"):
            note = st.selectbox("Avoir", due.rows, format_func=lambda d: f"{d.number} — {d.cfa}")
            amount = st.text_input("Montant reçu (€, vide = tout le reste dû)")
            ref = st.text_input("Référence du remboursement")
            if st.form_submit_button("Enregistrer le remboursement"):
                value = ui.parse_amount(amount)
                if ui.call(payments.record_reimbursement, note.credit_note_id, ref,
                           value) is not None:
                    st.session_state["pay_flash"] = f"Remboursement de {note.number} enregistré."
                    st.rerun()
    elif due is not None:
        st.info("Aucun avoir en remboursement en attente.")
