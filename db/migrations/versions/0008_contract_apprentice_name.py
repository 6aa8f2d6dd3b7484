"""The apprentice's name on the contract, for the CFA's name search.

contract.apprentice_last_name / apprentice_first_name (copied from the apprentice, as the
contract states them) with contract(cfa_id, apprentice_last_name, apprentice_first_name): a
"contains" search over one CFA's apprentices reads that CFA's index entries only, instead of
one apprentice row per contract. Existing contracts are filled from their apprentice.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

COLUMNS = ("last_name", "first_name")


def upgrade() -> None:
    for col in COLUMNS:  # plain ADD COLUMN: no copy of a table others point to
        op.add_column("contract", sa.Column(f"apprentice_{col}", sa.String(100),
                                            nullable=False, server_default=""))
    op.execute(
        "UPDATE contract SET "
        + ", ".join(f"apprentice_{col} = (SELECT a.{col} FROM apprentice a "
                    "WHERE a.id = contract.apprentice_id)" for col in COLUMNS))
    op.create_index("ix_contract_cfa_apprentice", "contract",
                    ["cfa_id", "apprentice_last_name", "apprentice_first_name"])


def downgrade() -> None:
    op.drop_index("ix_contract_cfa_apprentice", table_name="contract")
    for col in reversed(COLUMNS):
        op.drop_column("contract", f"apprentice_{col}")
