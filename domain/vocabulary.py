"""The words of the console, on the ground floor: statuses, natures, kinds, roles, check names
and outcomes, settlement modes, contract statuses and changes, échéance kinds, decisions, credit
applications, check jobs and text sources, each with its French label.

Codes are what the database stores (``StrEnum``: a member equals its string value).
"""

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


class CfaAction(StrEnum):
    """The CFA's additional actions of the manual's menu (§1.2.1.2)."""

    EXPORT = "export"
    ATTACH = "attach"
    REPLACE = "replace"
    CANCEL = "cancel"
    SEE_REFUSAL = "see_refusal"


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


class Kind(StrEnum):
    """A pro forma is an invoice or a credit note."""

    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"


KIND_LABELS: dict[str, str] = {Kind.INVOICE: "Facture", Kind.CREDIT_NOTE: "Facture d'avoir"}


class SettlementMode(StrEnum):
    """How a credit note is settled."""

    DEDUCTION = "deduction"
    REMBOURSEMENT = "remboursement"


SETTLEMENT_MODES = tuple(m.value for m in SettlementMode)
SETTLEMENT_LABELS: dict[str, str] = {
    SettlementMode.DEDUCTION: "Déduction",
    SettlementMode.REMBOURSEMENT: "Remboursement",
}


class Nature(StrEnum):
    """Nature of cost; one pro forma is made per nature."""

    PEDAGOGIE = "pedagogie"
    FRAIS_ANNEXES = "frais_annexes"
    EQUIPEMENT = "equipement"
    MOBILITE = "mobilite"


NATURE_LABELS: dict[Nature, str] = {
    Nature.PEDAGOGIE: "Pédagogie",
    Nature.FRAIS_ANNEXES: "Frais annexes",
    Nature.EQUIPEMENT: "1ers équipements",
    Nature.MOBILITE: "Mobilités",
}


class Role(StrEnum):
    """User roles."""

    CFA = "cfa"
    INSTRUCTEUR = "instructeur"
    MANAGER = "manager"
    ADMIN = "admin"


ROLE_LABELS = {
    Role.CFA: "CFA",
    Role.INSTRUCTEUR: "Instructeur",
    Role.MANAGER: "Manager",
    Role.ADMIN: "Administrateur",
}


class Outcome(StrEnum):
    """The verdict of one automatic check."""

    PASS = "pass"
    FAIL = "fail"
    UNKNOWN = "unknown"


OUTCOME_LABELS: dict[str, str] = {
    Outcome.PASS: "Conforme", Outcome.FAIL: "Non conforme", Outcome.UNKNOWN: "À vérifier",
}


class CheckName(StrEnum):
    """The automatic checks of a deposited file."""

    FILE = "file"
    PRO_FORMA_NUMBER = "pro_forma_number"
    TOTAL = "total"
    INVOICE_NUMBER = "invoice_number"
    SIRET = "siret"
    IBAN = "iban"
    DUPLICATE = "duplicate"
    ATTESTATION = "attestation"
    LINES = "lines"


CHECK_LABELS: dict[str, str] = {
    CheckName.FILE: "Fichier",
    CheckName.PRO_FORMA_NUMBER: "Numéro de pro forma",
    CheckName.TOTAL: "Montant total",
    CheckName.INVOICE_NUMBER: "Numéro de facture",
    CheckName.SIRET: "SIRET",
    CheckName.IBAN: "Coordonnées bancaires (IBAN)",
    CheckName.DUPLICATE: "Doublon",
    CheckName.ATTESTATION: "Attestation de réalisation",
    CheckName.LINES: "Lignes de la pro forma",
}


class ContractStatus(StrEnum):
    """An apprenticeship contract runs (engagé) or was broken off (rupture)."""

    ENGAGE = "engage"
    RUPTURE = "rupture"


CONTRACT_STATUS_LABELS: dict[str, str] = {
    ContractStatus.ENGAGE: "Engagé", ContractStatus.RUPTURE: "Rupture",
}


class ContractChangeKind(StrEnum):
    """What one line of a contract file did to a contract (the file's "Type" column)."""

    CONTRAT = "contrat"
    AVENANT = "avenant"
    RUPTURE = "rupture"
    PROLONGATION = "prolongation"


CONTRACT_CHANGE_LABELS: dict[str, str] = {
    ContractChangeKind.CONTRAT: "Contrat",
    ContractChangeKind.AVENANT: "Avenant",
    ContractChangeKind.RUPTURE: "Rupture",
    ContractChangeKind.PROLONGATION: "Prolongation",
}


class EcheanceKind(StrEnum):
    """Which installment of the échéancier an échéance is (``domain.schedule``)."""

    ADVANCE_40 = "advance_40"
    MONTH7_30 = "month7_30"
    MONTH10_30 = "month10_30"
    MONTH10_20 = "month10_20"
    BALANCE_10 = "balance_10"
    BALANCE_END = "balance_end"
    REGULARISATION = "regularisation"
    ANNEXES = "annexes"
    EQUIPMENT = "equipment"
    MOBILITY = "mobility"


ECHEANCE_KIND_LABELS: dict[str, str] = {
    EcheanceKind.ADVANCE_40: "Avance (40 %)",
    EcheanceKind.MONTH7_30: "7e mois (30 %)",
    EcheanceKind.MONTH10_30: "10e mois (30 %)",
    EcheanceKind.MONTH10_20: "10e mois (20 %)",
    EcheanceKind.BALANCE_10: "Solde (10 %)",
    EcheanceKind.BALANCE_END: "Solde à la fin du contrat",
    EcheanceKind.REGULARISATION: "Régularisation",
    EcheanceKind.ANNEXES: "Frais annexes",
    EcheanceKind.EQUIPMENT: "1ers équipements",
    EcheanceKind.MOBILITY: "Mobilité",
}


class DecisionOutcome(StrEnum):
    """An instructeur's decision on a pro forma (a second approval above the threshold)."""

    VALIDATED = "validated"
    REFUSED = "refused"
    APPROVED = "approved"


DECISION_LABELS: dict[str, str] = {
    DecisionOutcome.VALIDATED: "Validée",
    DecisionOutcome.REFUSED: "Refusée",
    DecisionOutcome.APPROVED: "Approuvée",
}


class CreditUse(StrEnum):
    """How money of a credit note was settled: deducted from a payment, or reimbursed."""

    DEDUCTION = "deduction"
    REIMBURSEMENT = "reimbursement"


CREDIT_USE_LABELS: dict[str, str] = {
    CreditUse.DEDUCTION: "Déduction", CreditUse.REIMBURSEMENT: "Remboursement",
}


class JobKind(StrEnum):
    """Why a check job was queued: a deposit, or an instructeur's "Relancer les contrôles"."""

    DEPOSIT = "deposit"
    RECHECK = "recheck"


JOB_KIND_LABELS: dict[str, str] = {
    JobKind.DEPOSIT: "Dépôt", JobKind.RECHECK: "Relance des contrôles",
}


class JobState(StrEnum):
    """Where a check job stands (``workflow.deposits.jobs``)."""

    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    STALE = "stale"
    FAILED = "failed"


JOB_STATE_LABELS: dict[str, str] = {
    JobState.PENDING: "En attente",
    JobState.RUNNING: "En cours",
    JobState.DONE: "Terminé",
    JobState.STALE: "Sans objet (version remplacée)",
    JobState.FAILED: "Échec",
}


class TextSource(StrEnum):
    """Where the checks read a deposited file's text."""

    FACTUR_X = "factur-x"
    TEXT = "text"
    OCR = "ocr"
    NONE = "none"


TEXT_SOURCE_LABELS: dict[str, str] = {
    TextSource.FACTUR_X: "XML Factur-X",
    TextSource.TEXT: "Texte du PDF",
    TextSource.OCR: "Reconnaissance de caractères (OCR)",
    TextSource.NONE: "Aucun texte",
}
