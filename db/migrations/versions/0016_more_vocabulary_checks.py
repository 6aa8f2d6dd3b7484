"""CHECK constraints on the vocabulary columns that 0012 left as free strings.

Contract statuses, contract changes, échéance kinds, the check summaries, the check runs' text
sources, the check jobs' kinds and states, and the statuses an event records now refuse any
code outside their enum (``domain.vocabulary``), the way revision 0012 did for the others:
PostgreSQL gets real CHECK constraints (``ck_<table>_<column>``, as ``db.models`` declares
them); SQLite, which cannot add a CHECK without rebuilding the table (and no migration may
rebuild a referenced table), gets two triggers per column (BEFORE INSERT, BEFORE UPDATE OF the
column) raising ``CHECK constraint failed: ck_…``. NULL passes: nullability is the column's own
business. The codes are frozen here, as they were when this revision was written.

On PostgreSQL it also gives revision 0012's constraints the names the models declare: Alembic
had run 0012's names through the naming convention of ``db.models`` once more
(``ck_pro_forma_ck_pro_forma_status``); they become ``ck_pro_forma_status`` (and get their
0012 names back on the way down, which 0012's downgrade drops). This revision's names are
marked final (``op.f``).

Revision ID: 0016
Revises: 0015
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

STATUSES = ("awaiting_invoice", "under_review", "refused", "validated", "paid", "cancelled")
OUTCOMES = ("pass", "fail", "unknown")
ECHEANCE_KINDS = ("advance_40", "month7_30", "month10_30", "month10_20", "balance_10",
                  "balance_end", "regularisation", "annexes", "equipment", "mobility")

# (table, column, allowed codes)
CHECKS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("contract", "status", ("engage", "rupture")),
    ("contract_change", "kind", ("contrat", "avenant", "rupture")),
    ("echeance", "kind", ECHEANCE_KINDS),
    ("pro_forma", "check_summary", OUTCOMES),
    ("check_run", "text_source", ("factur-x", "text", "ocr", "none")),
    ("check_run", "summary", OUTCOMES),
    ("check_job", "kind", ("deposit", "recheck")),
    ("check_job", "state", ("pending", "running", "done", "stale", "failed")),
    ("event", "from_status", STATUSES),
    ("event", "to_status", STATUSES),
)


# revision 0012's (table, column), whose PostgreSQL constraints this revision renames
CHECKS_0012: tuple[tuple[str, str], ...] = (
    ("cfa", "default_settlement"),
    ("echeance", "nature"),
    ("app_user", "role"),
    ("pro_forma", "nature"),
    ("pro_forma", "kind"),
    ("pro_forma", "status"),
    ("pro_forma", "settlement_mode"),
    ("check_result", "outcome"),
    ("decision", "outcome"),
    ("credit_application", "kind"),
)


def _listed(codes: tuple[str, ...]) -> str:
    return ", ".join(f"'{c}'" for c in codes)


def _rename_0012(*, up: bool) -> None:
    """PostgreSQL: 0012's constraints from their doubled names to the models' (or back)."""
    bind = op.get_bind()
    for table, column in CHECKS_0012:
        name = f"ck_{table}_{column}"
        doubled = f"ck_{table}_{name}"
        old, new = (doubled, name) if up else (name, doubled)
        exists = bind.execute(sa.text(
            "SELECT 1 FROM pg_constraint WHERE conname = :n AND conrelid = CAST(:t AS regclass)"),
            {"n": old, "t": table}).first()
        if exists:
            op.execute(f'ALTER TABLE {table} RENAME CONSTRAINT "{old}" TO "{new}"')


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    if not sqlite:
        _rename_0012(up=True)
    for table, column, codes in CHECKS:
        name = f"ck_{table}_{column}"
        if not sqlite:
            op.create_check_constraint(op.f(name), table, f"{column} IN ({_listed(codes)})")
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
            op.drop_constraint(op.f(name), table, type_="check")
            continue
        for verb in ("insert", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}_{verb}")
    if not sqlite:
        _rename_0012(up=False)
