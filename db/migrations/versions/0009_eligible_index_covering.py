"""The eligibility index covers the contract and the amount.

echeance(cfa_id, nature, pro_forma_id, due_on) becomes (…, contract_id, amount): the count of a
searched page (``contract_id IN (…)``) and the recap (contracts and amounts of the selection)
are answered from the index alone, without visiting one échéance row per eligible line.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

KEY = ["cfa_id", "nature", "pro_forma_id", "due_on"]


def upgrade() -> None:
    op.drop_index("ix_echeance_eligible", table_name="echeance")
    op.create_index("ix_echeance_eligible", "echeance", [*KEY, "contract_id", "amount"])


def downgrade() -> None:
    op.drop_index("ix_echeance_eligible", table_name="echeance")
    op.create_index("ix_echeance_eligible", "echeance", KEY)
