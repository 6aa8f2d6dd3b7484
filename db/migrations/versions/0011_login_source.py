"""Login throttling per source: login_source.

One row per source of failed logins (the sha256 of the address the login page saw): how many
failures it made, when the last one was, and until when it is held back
(``workflow.accounts.auth``). Nothing but the hash of the address is stored.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_source",
        sa.Column("source_hash", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", sa.DateTime(), nullable=False),
        sa.Column("blocked_until", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("source_hash", name=op.f("pk_login_source")),
    )


def downgrade() -> None:
    op.drop_table("login_source")
