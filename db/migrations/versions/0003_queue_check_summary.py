"""The latest check run and its summary on the pro forma, for the review queue.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("pro_forma") as batch:
        batch.add_column(sa.Column("latest_run_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("check_summary", sa.String(length=10), nullable=True))
    op.execute(
        "UPDATE pro_forma SET latest_run_id = (SELECT max(r.id) FROM check_run r "
        "JOIN document d ON d.id = r.document_id WHERE d.pro_forma_id = pro_forma.id)"
    )
    op.execute(
        "UPDATE pro_forma SET check_summary = (SELECT r.summary FROM check_run r "
        "WHERE r.id = pro_forma.latest_run_id) WHERE latest_run_id IS NOT NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table("pro_forma") as batch:
        batch.drop_column("check_summary")
        batch.drop_column("latest_run_id")
