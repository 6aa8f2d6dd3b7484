"""The SEPA credit-transfer file (pain.001.001.03) of a payment run, made with ``sepaxml``.

The debtor is the OPCO: its name, IBAN and BIC are the defaults below unless the settings
rows ``opco_name``, ``opco_iban`` and ``opco_bic`` say otherwise. Each CFA receives one
transfer per run, to the IBAN on file, for the net of its invoices after deductions.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from db.models import Cfa, Payment, ProForma
from workflow.decisions import setting
from workflow.errors import WorkflowError

OPCO_NAME = "Opco EP"
OPCO_IBAN = "FR7630001007941234567890185"
OPCO_BIC = "BDFEFRPPCCT"
ZERO = Decimal("0.00")


def sepa_file(session: Session, reference: str, paid: Sequence[Payment],
              day: date) -> bytes | None:
    """The pain.001.001.03 file of a run: one transfer per CFA with a positive net, to the
    IBAN on file, validated against the schema shipped with ``sepaxml``; None when every
    net is zero (credit notes absorbed everything)."""
    from sepaxml import SepaTransfer

    nets: dict[int, Decimal] = {}
    numbers: dict[int, list[str]] = {}
    for p in paid:
        nets[p.cfa_id] = nets.get(p.cfa_id, ZERO) + p.net
        numbers.setdefault(p.cfa_id, []).append(session.get_one(ProForma, p.pro_forma_id).number)
    if not any(v > 0 for v in nets.values()):
        return None
    sepa = SepaTransfer({
        "name": setting(session, "opco_name", OPCO_NAME),
        "IBAN": setting(session, "opco_iban", OPCO_IBAN),
        "BIC": setting(session, "opco_bic", OPCO_BIC),
        "batch": True, "currency": "EUR",
    }, clean=True)
    for cfa_id, net in nets.items():
        if net <= 0:
            continue
        cfa = session.get_one(Cfa, cfa_id)
        sepa.add_payment({
            "name": cfa.name, "IBAN": cfa.iban, "BIC": cfa.bic,
            "amount": int(net * 100), "execution_date": day,
            "description": f"{reference} " + " ".join(numbers[cfa_id]),
            "endtoend_id": f"{reference}-{cfa_id}"[:35],
        })
    try:
        return bytes(sepa.export(validate=True))
    except Exception as exc:  # sepaxml raises bare Exceptions for a bad IBAN/BIC
        raise WorkflowError(f"Le fichier de virement SEPA est invalide : {exc}") from None
