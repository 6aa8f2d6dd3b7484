"""A contract change may be a prolongation.

The contract import records a "prolongation" line (article L6222-11) as a contract change of kind
``prolongation`` (``ContractChangeKind.PROLONGATION``), which revision 0016's rule on
``contract_change.kind`` refused. This revision widens that rule, the way 0016 wrote it:
PostgreSQL gets the CHECK constraint ``ck_contract_change_kind`` again with the new code; SQLite
gets its two triggers (BEFORE INSERT, BEFORE UPDATE OF kind) again. The codes are frozen here.

The downgrade puts 0016's rule back; it fails if a prolongation has been recorded since.

Revision ID: 0017
Revises: 0016
"""

from __future__ import annotations

from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

TABLE, COLUMN = "contract_change", "kind"
NAME = f"ck_{TABLE}_{COLUMN}"
BEFORE = ("contrat", "avenant", "rupture")
AFTER = (*BEFORE, "prolongation")


def _listed(codes: tuple[str, ...]) -> str:
    return ", ".join(f"'{c}'" for c in codes)


def _rule(codes: tuple[str, ...]) -> None:
    """Replace the rule on contract_change.kind by one allowing exactly ``codes``."""
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(op.f(NAME), TABLE, type_="check")
        op.create_check_constraint(op.f(NAME), TABLE, f"{COLUMN} IN ({_listed(codes)})")
        return
    for verb, when in (("insert", "INSERT"), ("update", f"UPDATE OF {COLUMN}")):
        op.execute(f"DROP TRIGGER IF EXISTS {NAME}_{verb}")
        op.execute(
            f"CREATE TRIGGER {NAME}_{verb} BEFORE {when} ON {TABLE} "
            f"WHEN NEW.{COLUMN} IS NOT NULL AND NEW.{COLUMN} NOT IN ({_listed(codes)}) "
            f"BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: {NAME}'); END"
        )


def upgrade() -> None:
    _rule(AFTER)


def downgrade() -> None:
    _rule(BEFORE)
