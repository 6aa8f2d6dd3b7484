"""The pro formas behind a dashboard figure: one page of them, paged in SQL.

Each figure row carries a :class:`~workflow.dashboard_sql.Drill`; :func:`pro_formas` applies
the same conditions as the figure (and the same filters) to list the pro formas it counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ColumnElement, exists, select
from sqlalchemy.orm import Session, aliased

from db.models import Cfa, Decision, Event, ProForma, User
from domain.errors import InvalidInput
from domain.vocabulary import (
    NATURE_LABELS,
    SETTLEMENT_MODES,
    STATUS_CHOICES,
    DecisionOutcome,
    Nature,
    Status,
    label,
)
from workflow.common.access import Actor, require_manager
from workflow.common.paging import Page, paginate
from workflow.reporting.dashboard_money import credit_conditions, stage_conditions
from workflow.reporting.dashboard_scope import (
    BUCKETS,
    decision_scope,
    deposited_before_age,
    earlier_refusal,
    refusal_events,
    rework_followed,
    sla_days,
)
from workflow.reporting.dashboard_sql import Drill, Filters, scope


@dataclass(frozen=True)
class DrillRow:
    """One pro forma of a drill-down list."""

    pro_forma_id: int
    number: str
    cfa: str
    nature: str
    kind: str
    status: str
    status_label: str
    total: Decimal
    deposited_at: datetime | None
    assigned_to: str | None


def _decisions_where(*extra: ColumnElement[bool]) -> ColumnElement[bool]:
    """EXISTS a decision on the current pro forma matching ``extra``."""
    return exists().where(Decision.pro_forma_id == ProForma.id, *extra)


def _conditions(session: Session, f: Filters, drill: Drill) -> list[ColumnElement[bool]]:
    kind, key = drill.kind, drill.key
    review = [ProForma.status == Status.UNDER_REVIEW.value, *scope(f)]
    decided = decision_scope(f)
    if kind == "status" and key in STATUS_CHOICES:
        return [ProForma.status == key, *scope(f)]
    if kind == "age" and key.isdigit() and int(key) < len(BUCKETS):
        low, high, _ = BUCKETS[int(key)]
        conds = [*review, ProForma.deposited_at < deposited_before_age(low - 1)]
        if high is not None:
            conds.append(ProForma.deposited_at >= deposited_before_age(high))
        return conds
    if kind == "past_sla":
        return [*review, ProForma.deposited_at < deposited_before_age(sla_days(session))]
    if kind == "reason" and key.isdigit():
        return [_decisions_where(*decided, Decision.outcome == DecisionOutcome.REFUSED,
                                 Decision.reason_id == int(key))]
    if kind == "refused_cfa" and key.isdigit():
        return [ProForma.cfa_id == int(key),
                _decisions_where(*decided, Decision.outcome == DecisionOutcome.REFUSED)]
    if kind in ("first_time", "not_first_time"):
        first = ~earlier_refusal() if kind == "first_time" else earlier_refusal()
        return [_decisions_where(*decided, Decision.outcome == DecisionOutcome.VALIDATED, first)]
    if kind == "rework":
        return [exists().where(Event.pro_forma_id == ProForma.id, *refusal_events(f),
                               rework_followed())]
    if kind == "instructeur" and key.isdigit():
        return [_decisions_where(*decided, Decision.decided_by_id == int(key))]
    if kind == "against":
        return [_decisions_where(*decided, Decision.against_checks.is_(True))]
    if kind == "stage" and ":" in key:
        nature, stage = key.split(":", 1)
        if stage in ("invoiced", "validated", "paid"):
            conds = [*stage_conditions(stage, f), *scope(f)]
            return conds + ([ProForma.nature == nature] if nature else [])
    if kind == "credit" and key in SETTLEMENT_MODES:
        return [ProForma.settlement_mode == key, *credit_conditions(f)]
    raise InvalidInput("drill", "Ce chiffre ne renvoie à aucune liste de pro formas.")


def pro_formas(session: Session, actor: Actor, f: Filters, drill: Drill, page: int = 0,
               page_size: int = 50) -> Page[DrillRow]:
    """One page of the pro formas behind a figure row, oldest first.

    Raises InvalidInput for an unknown drill, AccessDenied for anyone but a manager or admin.
    """
    require_manager(actor)
    f.check()
    conds = _conditions(session, f, drill)
    assignee = aliased(User)
    stmt = (
        select(ProForma.id, ProForma.number, Cfa.name, ProForma.nature, ProForma.kind,
               ProForma.status, ProForma.total, ProForma.deposited_at, assignee.name)
        .join(Cfa, Cfa.id == ProForma.cfa_id)
        .outerjoin(assignee, assignee.id == ProForma.assigned_to_id)
        .order_by(ProForma.id)
    )
    result = paginate(session, stmt.where(*conds), page, page_size)
    rows = [DrillRow(i, n, c, NATURE_LABELS.get(Nature(nat), nat), k, s, label(s, k), t, d, a)
            for i, n, c, nat, k, s, t, d, a in result.rows]
    return Page(rows, result.total, result.page, result.page_size)
