"""Reference data every deployment needs: refusal reasons, settings, sequences.

The refusal reason codes follow the French e-invoicing reason codes (AFNOR XP Z12-012 status
reasons: MONTANTTOTAL_ERR, CMD_ERR, SIRET_ERR, COORD_BANC_ERR, DOUBLON, NON_CONFORME, AUTRE).
"""

from __future__ import annotations

SIGNATURE = "La direction des opérations."
_OPENING = (
    "Madame, monsieur,\n\nNos services ont procédé au contrôle de votre facture.\n\n"
    "Cette dernière présente une non-conformité.\n\n"
)
_CLOSING = (
    "\n\nNous vous remercions de nous adresser une nouvelle facture sur votre portail "
    "Action Apprentissage.\n\n" + SIGNATURE
)


def _letter(finding: str) -> str:
    return _OPENING + finding + _CLOSING


# (code, label, letter, requires_comment)
REFUSAL_REASONS: list[tuple[str, str, str, bool]] = [
    ("MONTANTTOTAL_ERR", "Montant non conforme à la facture pro forma",
     _letter("Le montant indiqué n'est pas égal au montant de la facture pro forma générée "
             "par le portail."), False),
    ("CMD_ERR", "Numéro de pro forma absent ou erroné",
     _letter("Le numéro de la facture pro forma générée par le portail n'est pas rappelé sur "
             "votre facture, ou il est erroné."), False),
    ("NUM_FACT_ERR", "Numéro de facture absent",
     _letter("Votre propre numéro de facture ne figure pas sur le document déposé."), False),
    ("SIRET_ERR", "SIRET absent ou erroné",
     _letter("Le numéro SIRET de votre établissement est absent de votre facture, invalide, "
             "ou ne correspond pas à celui enregistré pour votre CFA."), False),
    ("COORD_BANC_ERR", "Coordonnées bancaires absentes ou différentes de celles enregistrées",
     _letter("Les coordonnées bancaires (IBAN) sont absentes de votre facture ou diffèrent "
             "de celles enregistrées pour votre CFA. Si vos coordonnées bancaires ont changé, "
             "contactez l'Opco EP avant de déposer une nouvelle facture."), False),
    ("NON_CONFORME", "Facture illisible",
     _letter("Le document déposé est illisible ou ne peut pas être exploité."), False),
    ("DOUBLON", "Facture déjà déposée (doublon)",
     _letter("Cette facture a déjà été déposée pour une autre facture pro forma."), False),
    ("AUTRE", "Autre",
     _letter("Le motif est précisé ci-dessous."), True),
]

# key -> (default value, French label)
SETTINGS: dict[str, tuple[str, str]] = {
    "sla_days": ("15", "Délai cible d'instruction (jours)"),
    "four_eyes_threshold": ("50000.00", "Seuil du double contrôle (€)"),
}

# The first pro forma number handed out by a new database (PRO-00610001).
PRO_FORMA_FIRST = 610000
