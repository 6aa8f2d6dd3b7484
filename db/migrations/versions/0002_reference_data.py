"""Reference data and the append-only event log.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from db.reference import PRO_FORMA_FIRST, REFUSAL_REASONS, SETTINGS

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

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
