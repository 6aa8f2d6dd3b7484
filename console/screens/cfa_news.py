"""The CFA's Accueil news: its refused invoices (with an unread count and each letter one click
away, in "Mes factures/factures d'avoir pro formas") and its paid invoices (date, amount
transferred, credit notes deducted, campaign reference)."""

from __future__ import annotations

import streamlit as st

from console import ui
from console.navigation import script
from domain.clock import paris_day
from domain.formatting import format_day_medium, format_eur_short
from workflow.billing import portal
from workflow.reporting import cfa_news

PROFORMAS_PAGE = "pages/cfa_proformas.py"


def open_letter(pf_id: int) -> None:
    """Open "Mes factures" on this pro forma's refusal letter ("Voir le motif de refus")."""
    st.session_state["p_dialog"] = {"mode": "refusal", "id": int(pf_id)}
    st.switch_page(script(PROFORMAS_PAGE))


def refusals() -> None:
    """The alert and the list of refused invoices."""
    unread = ui.call(portal.unread_letters)
    rows = ui.call(cfa_news.refused) or []
    if not rows:
        return
    if unread:
        st.error(f"Vous avez {unread} courrier{'s' if unread > 1 else ''} de refus non "
                 f"lu{'s' if unread > 1 else ''}. "
                 + ("Une facture est refusée" if len(rows) == 1 else
                    f"{len(rows)} factures sont refusées")
                 + " par l'Opco EP : consultez le motif de refus pour déposer une nouvelle "
                 "facture ou annuler la pro forma.", icon=":material/mail:")
    st.subheader(f"Factures refusées ({len(rows)})")
    for r in rows:
        left, right = st.columns([4, 1], vertical_alignment="center")
        flag = "" if r.read else " — **non lu**"
        left.markdown(f"Pro forma **{r.number}** ({format_eur_short(r.total)}) : refusée le "
                      f"{format_day_medium(paris_day(r.letter_at))} — motif : "
                      f"{ui.text(r.reason_label)}{flag}")
        if right.button("Voir le motif de refus", key=f"home_letter_{r.pro_forma_id}"):
            open_letter(r.pro_forma_id)


def payments() -> None:
    """The latest payments, each with what was transferred and why."""
    rows = ui.call(cfa_news.paid) or []
    if not rows:
        return
    st.subheader("Factures payées")
    for r in rows:
        line = (f"Pro forma **{r.number}** payée le {format_day_medium(r.paid_on)} : "
                f"**{ui.money(r.net)}** versés")
        if r.deducted:
            notes = ", ".join(r.credit_notes)
            line += (f" ({ui.money(r.gross)} facturés, dont {ui.money(r.deducted)} déduits au "
                     f"titre de vos avoirs{' ' + notes if notes else ''})")
        line += f" — campagne de paiement {ui.text(r.reference)}."
        if not r.net:
            line += (" Aucun virement : le montant de la facture est entièrement couvert par "
                     "vos avoirs déduits.")
        st.markdown(line)


def show() -> None:
    refusals()
    payments()
