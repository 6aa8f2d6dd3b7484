"""Reference data and the append-only event log.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# The reference data as it was when this revision was written (frozen: a migration never
# imports live code, which may change after it ran).
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

_PG_FORBID = """
CREATE OR REPLACE FUNCTION event_is_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'event log is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER event_append_only BEFORE UPDATE OR DELETE ON event
    FOR EACH ROW EXECUTE FUNCTION event_is_append_only();
"""


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute(_PG_FORBID)
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER event_no_{verb.lower()} BEFORE {verb} ON event "
                "BEGIN SELECT RAISE(ABORT, 'event log is append-only'); END"
            )
    reasons = sa.table(
        "refusal_reason",
        sa.column("code"), sa.column("label"), sa.column("letter"),
        sa.column("requires_comment"), sa.column("active"), sa.column("position"),
    )
    op.bulk_insert(reasons, [
        {"code": c, "label": label, "letter": letter, "requires_comment": rc,
         "active": True, "position": i}
        for i, (c, label, letter, rc) in enumerate(REFUSAL_REASONS)
    ])
    settings = sa.table("setting", sa.column("key"), sa.column("value"))
    op.bulk_insert(settings, [{"key": k, "value": v} for k, (v, _) in SETTINGS.items()])
    counter = sa.table("counter", sa.column("name"), sa.column("value"))
    op.bulk_insert(counter, [{"name": "pro_forma", "value": PRO_FORMA_FIRST}])


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS event_append_only ON event")
        op.execute("DROP FUNCTION IF EXISTS event_is_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS event_no_update")
        op.execute("DROP TRIGGER IF EXISTS event_no_delete")
    op.execute("DELETE FROM counter")
    op.execute("DELETE FROM setting")
    op.execute("DELETE FROM refusal_reason")
