"""Indexes for the manager dashboard at national scale.

Each one serves a dashboard figure or drill-down (``workflow/dashboard*.py``):

- event(action, at): refusal events of a period (rework loops);
- event(pro_forma_id, action, id): "a deposit follows this refusal" probes, index only;
- decision(outcome, at): refusals / decisions of a period;
- decision(pro_forma_id, outcome, id): "refused before this validation" probes, index only;
- payment(paid_on): payments of a period;
- check_run(document_id, id, ran_at, summary): the first run of each document, index only;
- echeance(contract_id, nature, due_on, amount): amounts engaged, summed per contract
  without reading the échéance rows;
- echeance(due_on, contract_id, nature, amount): the same, for the échéances due in a period;
- pro_forma(status, kind, paid_at, decided_at): the validation → payment delays, index only;
- contract(status, id): the contracts in status Engagé.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_event_action_at", "event", ("action", "at")),
    ("ix_event_pro_forma_action", "event", ("pro_forma_id", "action", "id")),
    ("ix_decision_outcome_at", "decision", ("outcome", "at")),
    ("ix_decision_pro_forma_outcome", "decision", ("pro_forma_id", "outcome", "id")),
    ("ix_payment_paid_on", "payment", ("paid_on",)),
    ("ix_check_run_document_first", "check_run", ("document_id", "id", "ran_at", "summary")),
    ("ix_echeance_engaged", "echeance", ("contract_id", "nature", "due_on", "amount")),
    ("ix_echeance_due", "echeance", ("due_on", "contract_id", "nature", "amount")),
    ("ix_pro_forma_paid", "pro_forma", ("status", "kind", "paid_at", "decided_at")),
    ("ix_contract_status", "contract", ("status", "id")),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, list(columns))


def downgrade() -> None:
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
