"""*Paiements*' campaign and reimbursement tabs: the payment run's plan by CFA, its recent
campaigns with their SEPA files, and the credit notes a CFA must pay back."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import streamlit as st

from console import selection, ui
from console.screens import grid_amounts, grid_dates
from console.screens.grid_amounts import amount as euros
from domain.formatting import format_moment
from workflow.payments import payments


def campaign_tab() -> None:
    plan = ui.call(payments.plan_payment_run)
    if plan and plan.cfas:
        st.dataframe(pd.DataFrame([{
            "CFA": c.cfa, "IBAN": c.iban, "Factures": len(c.invoices),
            "Montant brut": euros(c.gross), "Avoirs déduits": euros(c.deducted),
            "Net à virer": euros(c.net), "Avoir restant reporté": euros(c.carry_over),
            "Remarque": "Aucun virement : entièrement couvert par les avoirs déduits"
            if not c.net else "",
        } for c in plan.cfas]), hide_index=True, width="stretch",
            column_config=grid_amounts.columns("Montant brut", "Avoirs déduits", "Net à virer",
                                               "Avoir restant reporté"))
        with st.expander("Détail des déductions"):
            st.dataframe(pd.DataFrame([{
                "CFA": c.cfa, "Facture": i.number, "Avoir": d.number,
                "Déduit": euros(d.amount), "Reste de l'avoir": euros(d.left_after),
            } for c in plan.cfas for i in c.invoices for d in i.deductions]), hide_index=True,
                column_config=grid_amounts.columns("Déduit", "Reste de l'avoir"))
        st.metric("Total net de la campagne", ui.money(plan.net))
        if st.button("Exécuter la campagne de paiement", type="primary", shortcut="Alt+E",
                     help="Raccourci : Alt+E"):
            selection.ask("pay", plan=plan)
    elif plan is not None:
        st.info("Aucune facture prête à payer.")
    st.markdown("#### Campagnes récentes")
    done = ui.call(payments.batches, page_size=10)
    if done is not None and not done.rows:
        st.caption("Aucune campagne de paiement pour le moment.")
    for b in done.rows if done else []:
        line = (f"{b.reference} — {format_moment(b.created_at)} — {b.payments} paiement(s), "
                f"{ui.money(b.total)} — {ui.text(b.created_by or '—')}")
        if b.has_file and (f := ui.call(payments.batch_file, b.id)):
            st.download_button(f"Télécharger le virement SEPA (pain.001) · {line}", f[1], f[0],
                               mime="application/xml", key=f"sepa_{b.id}")
        else:
            st.caption(line + " — aucun virement (entièrement compensé par des avoirs)")


def refund_tab() -> None:
    due = ui.call(payments.reimbursements_due, page_size=50)
    if due and due.rows:
        st.dataframe(pd.DataFrame([{
            "Avoir": d.number, "CFA": d.cfa, "Montant": euros(d.total),
            "Validé le": grid_dates.day(d.decided_at), "Reste dû par le CFA": euros(d.left),
        } for d in due.rows]), hide_index=True, width="stretch", placeholder=grid_dates.EMPTY,
            column_config=grid_dates.columns(days=("Validé le",))
            | grid_amounts.columns("Montant", "Reste dû par le CFA"))
        with st.form("refund"):
            note = st.selectbox("Avoir", due.rows, format_func=lambda d: f"{d.number} — {d.cfa}")
            amount = st.text_input("Montant reçu (€, vide = tout le reste dû)", max_chars=20)
            ref = st.text_input("Référence du remboursement", max_chars=35)
            if st.form_submit_button("Enregistrer le remboursement"):
                value = ui.parse_amount(amount)
                if value is not None and not Decimal("0") < value <= note.left:
                    st.error("Le montant remboursé doit être positif et au plus égal au reste "
                             f"dû ({ui.money(note.left)}).")
                elif not ref.strip():
                    st.error("Indiquez la référence du remboursement reçu.")
                else:
                    selection.ask("refund", note=note, reference=ref.strip(),
                                  amount=note.left if value is None else value)
    elif due is not None:
        st.info("Aucun avoir en remboursement en attente.")
