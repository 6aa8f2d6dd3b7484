"""Contracts from outside (issue 18): imports, their changes, the link between contracts.

* ``contract_import``: one row per applied file (name, sha256, who, when, counts).
* ``contract_change``: what an import changed on a contract (a new contract, an avenant, a
  rupture): the line of the file, the effective date, the fields before and after (JSON).
* ``contract.previous_contract_id``: the contract this one follows after a rupture (the new
  employer's 200 € participation, R6332-25-1, décret 2025-585).
* ``attestation``: the attestation de réalisation des actions de formation deposited beside
  the invoice of a pro forma holding a final balance, every version kept (R6332-25).

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "contract_import",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("imported_by_id", sa.Integer(), nullable=True),
        sa.Column("lines", sa.Integer(), nullable=False),
        sa.Column("created", sa.Integer(), nullable=False),
        sa.Column("changed", sa.Integer(), nullable=False),
        sa.Column("regularised", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["imported_by_id"], ["app_user.id"],
                                name=op.f("fk_contract_import_imported_by_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contract_import")),
    )
    op.create_index(op.f("ix_contract_import_sha256"), "contract_import", ["sha256"])
    op.create_table(
        "contract_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=True),
        sa.Column("line", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("before", sa.JSON(), nullable=False),
        sa.Column("after", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["contract_id"], ["contract.id"],
                                name=op.f("fk_contract_change_contract_id_contract")),
        sa.ForeignKeyConstraint(["import_id"], ["contract_import.id"],
                                name=op.f("fk_contract_change_import_id_contract_import")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contract_change")),
    )
    op.create_index(op.f("ix_contract_change_contract_id"), "contract_change", ["contract_id"])
    op.create_table(
        "attestation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pro_forma_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=50), nullable=False),
        sa.Column("media_type", sa.String(length=40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["pro_forma_id"], ["pro_forma.id"],
                                name=op.f("fk_attestation_pro_forma_id_pro_forma")),
        sa.ForeignKeyConstraint(["uploaded_by_id"], ["app_user.id"],
                                name=op.f("fk_attestation_uploaded_by_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attestation")),
        sa.UniqueConstraint("pro_forma_id", "version",
                            name=op.f("uq_attestation_pro_forma_id")),
    )
    if op.get_bind().dialect.name == "sqlite":
        # ALTER TABLE ADD COLUMN … REFERENCES: no rebuild of a table that others reference (a
        # rebuild would drop it under their rows). A downgrade keeps the column (see there),
        # so it is added only when absent.
        if "previous_contract_id" not in _contract_columns():
            op.execute("ALTER TABLE contract ADD COLUMN previous_contract_id INTEGER "
                       "CONSTRAINT fk_contract_previous_contract_id_contract "
                       "REFERENCES contract (id)")
    else:
        op.add_column("contract", sa.Column("previous_contract_id", sa.Integer(), nullable=True))
        op.create_foreign_key(op.f("fk_contract_previous_contract_id_contract"), "contract",
                              "contract", ["previous_contract_id"], ["id"])


def _contract_columns() -> set[str]:
    return {c["name"] for c in sa.inspect(op.get_bind()).get_columns("contract")}


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # SQLite drops a column under a foreign key only by rebuilding ``contract``, which the
        # rows of other tables reference: the nullable column stays, unknown to older code.
        op.execute("UPDATE contract SET previous_contract_id = NULL")
    else:
        op.drop_constraint(op.f("fk_contract_previous_contract_id_contract"), "contract",
                           type_="foreignkey")
        op.drop_column("contract", "previous_contract_id")
    op.drop_table("attestation")
    op.drop_index(op.f("ix_contract_change_contract_id"), table_name="contract_change")
    op.drop_table("contract_change")
    op.drop_index(op.f("ix_contract_import_sha256"), table_name="contract_import")
    op.drop_table("contract_import")
