"""Indexes for the review queue filtered on the checks or on the assignee.

- pro_forma(status, check_summary, deposited_at, id): "Contrôles : au moins un échec" (or all
  pass, or unknown) counted and paged, oldest deposit first, from the index alone;
- pro_forma(status, assigned_to_id, deposited_at, id): "Prendre le suivant" (the oldest
  unassigned one) and "Mes dossiers", without stepping over the rows others hold.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_pro_forma_queue_checks", "pro_forma",
                    ["status", "check_summary", "deposited_at", "id"])
    op.create_index("ix_pro_forma_queue_assigned", "pro_forma",
                    ["status", "assigned_to_id", "deposited_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_pro_forma_queue_assigned", table_name="pro_forma")
    op.drop_index("ix_pro_forma_queue_checks", table_name="pro_forma")
