"""Paiements: validated invoices, four-eyes approvals, payment runs (pain.001), reimbursements."""

from decimal import Decimal

import streamlit as st

from console import selection, ui
from console.screens import grid_amounts, grid_dates, payment_confirm, payment_runs
from console.screens.grid_dates import day
from domain.vocabulary import NATURE_LABELS
from workflow.payments import payments

PAGE_SIZE = 20


st.title("Paiements")
ui.show_flash()
me = ui.require_actor()
ready_tab, approve_tab, run_tab, refund_tab = st.tabs(
    ["Factures validées", "Double contrôle", "Campagne de paiement", "Avoirs à rembourser"])

with ready_tab:
    page = ui.call(payments.validated, page=st.session_state.get("pay_page", 0),
                   page_size=PAGE_SIZE)
    if page and page.rows:
        ready = {r.pro_forma_id: r for r in page.rows if r.ready}
        st.caption("Cochez les factures à payer ; celles qui attendent le double contrôle ne "
                   "peuvent pas l'être.")
        chosen = selection.pick("ready", [{
            "Pro forma": r.number, "CFA": r.cfa, "Nature": NATURE_LABELS.get(r.nature, r.nature),
            "Montant": grid_amounts.amount(r.total), "Validée le": day(r.decided_at),
            "Par": r.decided_by or "—",
            "Paiement": "Prête" if r.ready else "Attend le double contrôle",
        } for r in page.rows], [r.pro_forma_id for r in page.rows],
            labels=[r.number for r in page.rows], placeholder=grid_dates.EMPTY,
            column_config=grid_dates.columns(days=("Validée le",))
            | grid_amounts.columns("Montant"))
        ui.pager("pay_page", page.total, PAGE_SIZE)
        payable = [i for i in chosen if i in ready]
        waiting = [ready_id for ready_id in chosen if ready_id not in ready]
        if waiting:
            st.caption("Non payables (double contrôle en attente) : "
                       + ", ".join(selection.label_of("ready", i) for i in waiting))
        total = sum((ready[i].total for i in payable), Decimal("0"))
        if st.button(f"Payer la sélection ({len(payable)})", type="primary", shortcut="Alt+P",
                     disabled=not payable,
                     help=f"Raccourci : Alt+P — {ui.money(total)}, virement SEPA généré"):
            plan = ui.call(payments.plan_payment_run, payable)
            if plan is not None and sorted(plan.pro_forma_ids) == sorted(payable):
                selection.ask("pay", plan=plan)
            elif plan is not None:
                st.error("La sélection a changé : certaines factures ne sont plus à payer. "
                         "Vérifiez la liste.")
    elif page is not None:
        selection.empty("ready")
        st.info("Aucune facture validée en attente de paiement.")

with approve_tab:
    waiting_page = ui.call(payments.validated, awaiting_approval=True, page_size=50)
    if waiting_page and waiting_page.rows:
        rows = {r.pro_forma_id: r for r in waiting_page.rows}
        chosen = selection.pick("approve", [{
            "Pro forma": r.number, "CFA": r.cfa, "Montant": grid_amounts.amount(r.total),
            "Validée par": r.decided_by or "—", "Le": day(r.decided_at)}
            for r in waiting_page.rows], list(rows), labels=[r.number for r in rows.values()],
            placeholder=grid_dates.EMPTY, column_config=grid_dates.columns(days=("Le",))
            | grid_amounts.columns("Montant"))
        mine = [rows[i] for i in chosen if rows[i].decided_by_id == me.user_id]
        if mine:
            st.warning("Vous ne pouvez pas approuver votre propre décision : "
                       + ", ".join(r.number for r in mine))
        others = [rows[i] for i in chosen if rows[i].decided_by_id != me.user_id]
        if st.button(f"Approuver la sélection ({len(others)})", type="primary",
                     disabled=not others):
            selection.ask("approve", rows=others)
    elif waiting_page is not None:
        selection.empty("approve")
        st.info("Aucune validation n'attend de second contrôle.")

with run_tab:
    payment_runs.campaign_tab()

with refund_tab:
    payment_runs.refund_tab()

payment_confirm.show()
