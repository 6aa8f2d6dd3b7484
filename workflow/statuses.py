"""The pro forma status table as data: labels, allowed transitions, allowed CFA actions."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """Pro forma status codes, as stored in the database."""

    AWAITING = "awaiting_invoice"
    UNDER_REVIEW = "under_review"
    REFUSED = "refused"
    VALIDATED = "validated"
    PAID = "paid"
    CANCELLED = "cancelled"


LIVE = frozenset(Status) - {Status.CANCELLED}

ALLOWED: dict[Status, frozenset[Status]] = {
    Status.AWAITING: frozenset({Status.UNDER_REVIEW, Status.CANCELLED}),
    Status.UNDER_REVIEW: frozenset(
        {Status.UNDER_REVIEW, Status.VALIDATED, Status.REFUSED, Status.CANCELLED}
    ),
    Status.REFUSED: frozenset({Status.UNDER_REVIEW, Status.CANCELLED}),
    Status.VALIDATED: frozenset({Status.PAID}),
    Status.PAID: frozenset(),
    Status.CANCELLED: frozenset(),
}


class CfaAction(StrEnum):
    """The CFA's additional actions of the manual's menu (§1.2.1.2)."""

    EXPORT = "export"
    ATTACH = "attach"
    REPLACE = "replace"
    CANCEL = "cancel"
    SEE_REFUSAL = "see_refusal"


CFA_ACTIONS: dict[Status, tuple[CfaAction, ...]] = {
    Status.AWAITING: (CfaAction.EXPORT, CfaAction.ATTACH, CfaAction.CANCEL),
    Status.UNDER_REVIEW: (CfaAction.EXPORT, CfaAction.REPLACE, CfaAction.CANCEL),
    Status.VALIDATED: (CfaAction.EXPORT,),
    Status.PAID: (CfaAction.EXPORT,),
    Status.REFUSED: (
        CfaAction.EXPORT, CfaAction.SEE_REFUSAL, CfaAction.REPLACE, CfaAction.CANCEL,
    ),
    Status.CANCELLED: (),
}

ACTION_LABELS: dict[CfaAction, str] = {
    CfaAction.EXPORT: "Exporter les contrats concernés",
    CfaAction.ATTACH: "Joindre une facture/facture d'avoir",
    CfaAction.REPLACE: "Modifier une facture/facture d'avoir",
    CfaAction.CANCEL: "Annuler",
    CfaAction.SEE_REFUSAL: "Voir le motif de refus",
}


def label(status: str, kind: str = "invoice") -> str:
    """French label of a status; "En attente d'avoir" for a credit note awaiting its document."""
    s = Status(status)
    if s is Status.AWAITING:
        return "En attente d'avoir" if kind == "credit_note" else "En attente de facture"
    return _LABELS[s]


_LABELS = {
    Status.UNDER_REVIEW: "En cours de validation",
    Status.REFUSED: "Refusé",
    Status.VALIDATED: "Validé",
    Status.PAID: "Payé",
    Status.CANCELLED: "Annulé",
}

STATUS_CHOICES: dict[str, str] = {
    Status.AWAITING: "En attente de facture/d'avoir",
    **{k.value: v for k, v in _LABELS.items()},
}


def allowed_next(status: str) -> frozenset[Status]:
    """The statuses reachable from ``status``."""
    return ALLOWED[Status(status)]


def cfa_actions(status: str) -> tuple[CfaAction, ...]:
    """The additional actions a CFA user may take on a pro forma in ``status``."""
    return CFA_ACTIONS[Status(status)]


KIND_LABELS = {"invoice": "Facture", "credit_note": "Facture d'avoir"}
SETTLEMENT_LABELS = {"deduction": "Déduction", "remboursement": "Remboursement"}
