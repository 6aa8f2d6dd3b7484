"""Checks off the request path: check_job, and procrastinate's schema on PostgreSQL.

``check_job`` holds one run of the automatic checks to do (``workflow.deposits.jobs``): written
with the deposit or the re-check request, claimed by a worker, landed or marked stale. On
PostgreSQL the workers are procrastinate's (``python -m workflow.deposits.worker``): its
tables, types, functions and triggers (procrastinate 3.10.0, the pinned version) are created
here, so that ``python -m db upgrade`` is the one schema step. ``document.uploaded_at`` gets an
index: the deposit rate limit per CFA counts the last hour's deposits.

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "check_job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("pro_forma_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("run_after", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["document_id"], ["document.id"],
                                name=op.f("fk_check_job_document_id_document")),
        sa.ForeignKeyConstraint(["pro_forma_id"], ["pro_forma.id"],
                                name=op.f("fk_check_job_pro_forma_id_pro_forma")),
        sa.ForeignKeyConstraint(["requested_by_id"], ["app_user.id"],
                                name=op.f("fk_check_job_requested_by_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_check_job")),
    )
    op.create_index("ix_check_job_state", "check_job", ["state", "run_after", "id"])
    op.create_index("ix_check_job_pro_forma", "check_job", ["pro_forma_id", "state"])
    op.create_index("ix_document_uploaded_at", "document", ["uploaded_at"])  # deposits per hour
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        from procrastinate.schema import SchemaManager

        exists = bind.exec_driver_sql(
            "SELECT to_regclass('procrastinate_jobs') IS NOT NULL").scalar()
        if not exists:  # several statements, dollar-quoted bodies: the driver's cursor
            raw = bind.connection.driver_connection
            assert raw is not None  # an open psycopg connection
            raw.execute(SchemaManager.get_schema())


_DROP_PROCRASTINATE = """
DO $$
DECLARE r record;
BEGIN
  FOR r IN SELECT tablename FROM pg_tables WHERE schemaname = current_schema()
           AND tablename LIKE 'procrastinate%' LOOP
    EXECUTE format('DROP TABLE IF EXISTS %I CASCADE', r.tablename);
  END LOOP;
  FOR r IN SELECT p.oid::regprocedure AS sig FROM pg_proc p
           JOIN pg_namespace n ON n.oid = p.pronamespace
           WHERE n.nspname = current_schema() AND p.proname LIKE 'procrastinate%' LOOP
    EXECUTE format('DROP FUNCTION IF EXISTS %s CASCADE', r.sig);
  END LOOP;
  FOR r IN SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
           WHERE n.nspname = current_schema() AND t.typname LIKE 'procrastinate%'
           AND t.typtype IN ('e', 'c') LOOP
    EXECUTE format('DROP TYPE IF EXISTS %I CASCADE', r.typname);
  END LOOP;
END $$;
"""


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        raw = bind.connection.driver_connection
        assert raw is not None  # an open psycopg connection
        raw.execute(_DROP_PROCRASTINATE)
    op.drop_index("ix_document_uploaded_at", table_name="document")
    op.drop_index("ix_check_job_pro_forma", table_name="check_job")
    op.drop_index("ix_check_job_state", table_name="check_job")
    op.drop_table("check_job")
