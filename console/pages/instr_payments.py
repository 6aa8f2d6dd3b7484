"""Paiements: validated invoices, four-eyes approvals, payment runs (pain.001), reimbursements."""

from decimal import Decimal

import pandas as pd
import streamlit as st

from console import selection, ui
from domain.formatting import format_moment, format_moment_day
from domain.vocabulary import NATURE_LABELS
from workflow.common.confirm import Seen
from workflow.payments import payments
from workflow.review import decisions

PAGE_SIZE = 20


def when(value) -> str:
    return format_moment_day(value) if value else "—"


def pay_lines(payload: dict) -> None:
    """The confirmation of a payment: the invoices, gross, deductions, net transferred."""
    plan: payments.RunPlan = payload["plan"]
    count = len(plan.pro_forma_ids)
    st.markdown(f"**Payer {count} facture{'s' if count > 1 else ''} : "
                f"{', '.join(plan.numbers)}, {ui.money(plan.net)} ?**")
    st.dataframe(pd.DataFrame([{
        "Pro forma": i.number, "CFA": c.cfa, "IBAN": c.iban, "Montant": ui.money(i.gross),
        "Avoirs déduits": ui.money(i.deducted), "Net à virer": ui.money(i.net),
    } for c in plan.cfas for i in c.invoices]), hide_index=True, width="stretch")
    if plan.deducted:
        st.caption(f"Montant brut {ui.money(plan.gross)} — avoirs déduits "
                   f"{ui.money(plan.deducted)} — net à virer {ui.money(plan.net)}.")
    st.caption("Un virement SEPA (pain.001) est généré. Rien d'autre que ces factures n'est "
               "payé ; si l'une d'elles a changé entre-temps, rien n'est payé.")


def pay(payload: dict) -> tuple[bool, str]:
    batch, error = ui.attempt(payments.execute_payment_run, payload["plan"].seen)
    if batch is None:
        return False, error or ""
    selection.clear("ready")
    return True, (f"{batch.payments} facture(s) payée(s) — lot {batch.reference}, "
                  f"{ui.money(batch.total)} viré(s).")


def approve_lines(payload: dict) -> None:
    rows: list[payments.PayableRow] = payload["rows"]
    total = sum((r.total for r in rows), Decimal("0"))
    st.markdown(f"**Approuver {len(rows)} validation{'s' if len(rows) > 1 else ''} : "
                f"{', '.join(r.number for r in rows)}, {ui.money(total)} ?**")
    st.dataframe(pd.DataFrame([{"Pro forma": r.number, "CFA": r.cfa,
                                "Montant": ui.money(r.total), "Validée par": r.decided_by}
                               for r in rows]), hide_index=True, width="stretch")
    st.caption("Une fois approuvées, ces factures pourront être payées.")


def approve(payload: dict) -> tuple[bool, str]:
    rows: list[payments.PayableRow] = payload["rows"]
    seen = Seen.of(((r.pro_forma_id, r.version) for r in rows),
                   sum((r.total for r in rows), Decimal("0")))
    done, error = ui.attempt(decisions.approve, seen)
    if done is None:
        return False, error or ""
    selection.clear("approve")
    return True, "Validation approuvée : " + ", ".join(r.number for r in rows) + "."


def refund_lines(payload: dict) -> None:
    note: payments.DueRow = payload["note"]
    st.markdown(f"**Enregistrer un remboursement de {ui.money(payload['amount'])} reçu du "
                f"CFA {ui.text(note.cfa)} sur la facture d'avoir {note.number} ?**")
    st.caption(f"Référence : {ui.text(payload['reference'])} — reste dû avant ce remboursement : "
               f"{ui.money(note.left)}, après : {ui.money(note.left - payload['amount'])}.")


def refund(payload: dict) -> tuple[bool, str]:
    note: payments.DueRow = payload["note"]
    left, error = ui.attempt(payments.record_reimbursement, note.seen, payload["reference"],
                             payload["amount"])
    if left is None:
        return False, error or ""
    return True, (f"Remboursement de {note.number} enregistré ; reste dû : "
                  f"{ui.money(left)}.")


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
            "Montant": ui.money(r.total), "Validée le": when(r.decided_at),
            "Par": r.decided_by or "—",
            "Paiement": "Prête" if r.ready else "Attend le double contrôle",
        } for r in page.rows], [r.pro_forma_id for r in page.rows],
            labels=[r.number for r in page.rows])
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
            "Pro forma": r.number, "CFA": r.cfa, "Montant": ui.money(r.total),
            "Validée par": r.decided_by or "—", "Le": when(r.decided_at)}
            for r in waiting_page.rows], list(rows), labels=[r.number for r in rows.values()])
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
    plan = ui.call(payments.plan_payment_run)
    if plan and plan.cfas:
        st.dataframe(pd.DataFrame([{
            "CFA": c.cfa, "IBAN": c.iban, "Factures": len(c.invoices),
            "Montant brut": ui.money(c.gross), "Avoirs déduits": ui.money(c.deducted),
            "Net à virer": ui.money(c.net), "Avoir restant reporté": ui.money(c.carry_over),
            "Remarque": "Aucun virement : entièrement couvert par les avoirs déduits"
            if not c.net else "",
        } for c in plan.cfas]), hide_index=True, width="stretch")
        with st.expander("Détail des déductions"):
            st.dataframe(pd.DataFrame([{
                "CFA": c.cfa, "Facture": i.number, "Avoir": d.number,
                "Déduit": ui.money(d.amount), "Reste de l'avoir": ui.money(d.left_after),
            } for c in plan.cfas for i in c.invoices for d in i.deductions]), hide_index=True)
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

with refund_tab:
    due = ui.call(payments.reimbursements_due, page_size=50)
    if due and due.rows:
        st.dataframe(pd.DataFrame([{
            "Avoir": d.number, "CFA": d.cfa, "Montant": ui.money(d.total),
            "Validé le": when(d.decided_at), "Reste dû par le CFA": ui.money(d.left),
        } for d in due.rows]), hide_index=True, width="stretch")
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

selection.confirm("pay", "Confirmer le paiement", pay_lines, pay, button="Payer")
selection.confirm("approve", "Confirmer l'approbation", approve_lines, approve,
                  button="Approuver")
selection.confirm("refund", "Confirmer le remboursement", refund_lines, refund,
                  button="Enregistrer")
