"""A provisional password must be changed: app_user.must_change_password.

Set when a manager creates an account or resets its password; cleared when its owner chooses a
new one. While it is set, the workflow refuses every action but the password change.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # a plain ADD COLUMN (SQLite accepts it with a default): a batch copy of app_user would
    # have to drop a table that every event and decision points to
    op.add_column("app_user", sa.Column("must_change_password", sa.Boolean(), nullable=False,
                                        server_default=sa.text("false")))


def downgrade() -> None:
    with op.batch_alter_table("app_user") as batch:
        batch.drop_column("must_change_password")
