"""The confirmations of *Paiements*: what is about to be paid, approved or recorded, and the
action once confirmed (``selection.confirm``'s lines and act callables)."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import streamlit as st

from console import selection, ui
from workflow.payments import payments
from workflow.review import decisions


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
    done, error = ui.attempt(decisions.approve, payments.seen_of(rows))
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


def show() -> None:
    """The confirmation dialog asked for, if any."""
    selection.confirm("pay", "Confirmer le paiement", pay_lines, pay, button="Payer")
    selection.confirm("approve", "Confirmer l'approbation", approve_lines, approve,
                      button="Approuver")
    selection.confirm("refund", "Confirmer le remboursement", refund_lines, refund,
                      button="Enregistrer")
