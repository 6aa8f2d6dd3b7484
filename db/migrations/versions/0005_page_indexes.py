"""Indexes that keep the eligible-contracts page independent of the CFA's size.

- contract(cfa_id, number): the page walks the CFA's contracts in number order and stops after
  the page's worth (``workflow.billing.eligibility``), instead of sorting every eligible line; it
  replaces contract(cfa_id), its prefix;
- echeance(pro_forma_id) becomes partial (claimed échéances only): it serves the lines of one
  pro forma, and with NULLs left out no planner can mistake it for a way to reach the
  unclaimed échéances (SQLite estimates ``IS NULL`` like an equality on a rare value);
- echeance(contract_id) goes: echeance(contract_id, nature, due_on, amount) has it as prefix.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

CLAIMED = sa.text("pro_forma_id IS NOT NULL")


def upgrade() -> None:
    op.create_index("ix_contract_cfa_number", "contract", ["cfa_id", "number"])
    op.drop_index("ix_contract_cfa_id", table_name="contract")
    op.drop_index("ix_echeance_pro_forma", table_name="echeance")
    op.create_index("ix_echeance_pro_forma", "echeance", ["pro_forma_id"],
                    sqlite_where=CLAIMED, postgresql_where=CLAIMED)
    op.drop_index("ix_echeance_contract_id", table_name="echeance")


def downgrade() -> None:
    op.create_index("ix_echeance_contract_id", "echeance", ["contract_id"])
    op.drop_index("ix_echeance_pro_forma", table_name="echeance")
    op.create_index("ix_echeance_pro_forma", "echeance", ["pro_forma_id"])
    op.create_index("ix_contract_cfa_id", "contract", ["cfa_id"])
    op.drop_index("ix_contract_cfa_number", table_name="contract")
