"""CHECK constraints keeping the vocabulary columns within their codes.

Statuses, natures, kinds, roles, settlement modes and outcomes are stored as code strings; this
revision refuses any other value. PostgreSQL gets real CHECK constraints (``ck_<table>_<column>``,
as ``db.models`` declares them). SQLite cannot add a CHECK without rebuilding the table, and
no migration may rebuild a referenced table, so there the same rule is two triggers per column
(BEFORE INSERT, BEFORE UPDATE OF the column) raising ``CHECK constraint failed: ck_…``.
The codes are frozen here, as they were when this revision was written.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

STATUSES = ("awaiting_invoice", "under_review", "refused", "validated", "paid", "cancelled")
NATURES = ("pedagogie", "frais_annexes", "equipement", "mobilite")
SETTLEMENTS = ("deduction", "remboursement")

# (table, column, allowed codes)
CHECKS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("cfa", "default_settlement", SETTLEMENTS),
    ("echeance", "nature", NATURES),
    ("app_user", "role", ("cfa", "instructeur", "manager", "admin")),
    ("pro_forma", "nature", NATURES),
    ("pro_forma", "kind", ("invoice", "credit_note")),
    ("pro_forma", "status", STATUSES),
    ("pro_forma", "settlement_mode", SETTLEMENTS),
    ("check_result", "outcome", ("pass", "fail", "unknown")),
    ("decision", "outcome", ("validated", "refused", "approved")),
    ("credit_application", "kind", ("deduction", "reimbursement")),
)


def _listed(codes: tuple[str, ...]) -> str:
    return ", ".join(f"'{c}'" for c in codes)


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table, column, codes in CHECKS:
        name = f"ck_{table}_{column}"
        if not sqlite:
            op.create_check_constraint(name, table, f"{column} IN ({_listed(codes)})")
            continue
        for verb, when in (("insert", "INSERT"), ("update", f"UPDATE OF {column}")):
            op.execute(
                f"CREATE TRIGGER {name}_{verb} BEFORE {when} ON {table} "
                f"WHEN NEW.{column} IS NOT NULL AND NEW.{column} NOT IN ({_listed(codes)}) "
                f"BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: {name}'); END"
            )


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table, column, _codes in reversed(CHECKS):
        name = f"ck_{table}_{column}"
        if not sqlite:
            op.drop_constraint(name, table, type_="check")
            continue
        for verb in ("insert", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}_{verb}")
