"""The SEPA credit-transfer file (pain.001.001.03) of a payment run, made with ``sepaxml``.

The debtor is the OPCO: its name, IBAN and BIC are the defaults below unless the settings
rows ``opco_name``, ``opco_iban`` and ``opco_bic`` say otherwise. Each paid pro forma is one
transfer, to its CFA's IBAN on file, for its net after deductions, its number in the
remittance: a run pays a CFA its invoices in as many transfers.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from db.models import Cfa, Payment, ProForma
from domain.errors import WorkflowError
from workflow.common.settings import setting

OPCO_NAME = "Opco EP"
OPCO_IBAN = "FR7630001007941234567890185"
OPCO_BIC = "BDFEFRPPCCT"
ZERO = Decimal("0.00")
REMITTANCE_MAX = 140  # <Ustrd>, one per transfer (EPC SEPA Credit Transfer rulebook)


def remittance(number: str, reference: str) -> str:
    """The unstructured remittance of one transfer: the pro forma it pays, then the run."""
    text = f"{number} {reference}"
    if len(text) > REMITTANCE_MAX:  # never cut: a missing number is an unpaid invoice to the CFA
        raise WorkflowError(f"Libellé de virement trop long pour la pro forma {number}.")
    return text


def sepa_file(session: Session, reference: str, paid: Sequence[Payment],
              day: date) -> bytes | None:
    """The pain.001.001.03 file of a run: one transfer per paid pro forma with a positive net
    (after its credit-note deductions), to its CFA's IBAN on file, its remittance naming that
    pro forma and its end-to-end id being the pro forma number; validated against the schema
    shipped with ``sepaxml``; None when every net is zero (credit notes absorbed everything).

    One transfer per pro forma rather than one per CFA: the EPC rulebook allows a single
    unstructured remittance of 140 characters per transfer, which ``sepaxml`` cuts, so a CFA
    paid for 12 invoices in one transfer lost pro forma numbers from its bank statement.
    """
    from sepaxml import SepaTransfer

    lines = sorted(((p.cfa_id, session.get_one(ProForma, p.pro_forma_id).number, p.net)
                    for p in paid if p.net > 0), key=lambda line: (line[0], line[1]))
    if not lines:
        return None
    sepa = SepaTransfer({
        "name": setting(session, "opco_name", OPCO_NAME),
        "IBAN": setting(session, "opco_iban", OPCO_IBAN),
        "BIC": setting(session, "opco_bic", OPCO_BIC),
        "batch": True, "currency": "EUR",
    }, clean=True)
    for cfa_id, number, net in lines:
        cfa = session.get_one(Cfa, cfa_id)
        sepa.add_payment({
            "name": cfa.name, "IBAN": cfa.iban, "BIC": cfa.bic,
            "amount": int(net * 100), "execution_date": day,
            "description": remittance(number, reference),
            "endtoend_id": number,
        })
    try:
        return bytes(sepa.export(validate=True))
    except Exception as exc:  # sepaxml raises bare Exceptions for a bad IBAN/BIC
        raise WorkflowError(f"Le fichier de virement SEPA est invalide : {exc}") from None
