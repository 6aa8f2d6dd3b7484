"""Who each dashboard figure counts: the SQL populations shared by the figures (``dashboard``,
``dashboard_money``) and by the pages of pro formas behind them (``dashboard_drill``).

Decisions are those (not approvals) made in the period; deposits are the first check runs of
the period's documents; refusals are the refusal events of the period; the age of a pro forma
under review counts from its latest deposit against the service-level target.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TypeVarTuple

from sqlalchemy import ColumnElement, Exists, Select, exists
from sqlalchemy.orm import Session, aliased

from db.models import CheckRun, Decision, Document, Event, ProForma
from domain.clock import start_of_day, today
from domain.vocabulary import DecisionOutcome
from workflow.common.settings import setting
from workflow.reporting.dashboard_sql import Filters, in_period, is_first_run, scope, scoped

Ts = TypeVarTuple("Ts")
DECIDED = (DecisionOutcome.VALIDATED, DecisionOutcome.REFUSED)
# (lowest age, highest age or None, label): age in whole days since the latest deposit
BUCKETS = ((0, 7, "0–7 jours"), (8, 15, "8–15 jours"), (16, 30, "16–30 jours"),
           (31, None, "> 30 jours"))


def sla_days(session: Session) -> int:
    """The service-level target in days (Setting "sla_days", default 15)."""
    return int(setting(session, "sla_days", "15"))


def start_of(d: date) -> datetime:
    """The moment (UTC) at which the French day ``d`` starts: Paris midnight."""
    return start_of_day(d)


def deposited_before_age(age: int) -> datetime:
    """Deposits strictly before this moment are more than ``age`` days old today.

    Ages are counted in French civil days: a deposit's day is its date in Paris, so this is
    Paris midnight of ``today - age`` (as a UTC moment, compared with the UTC column).
    """
    return start_of(today() - timedelta(days=age))


def decided(f: Filters) -> list[ColumnElement[bool]]:
    """Conditions on Decision alone: decisions (not approvals) in the period, by whom."""
    conds = [Decision.outcome.in_(DECIDED), *in_period(Decision.at, f)]
    if f.instructeur_id is not None:
        conds.append(Decision.decided_by_id == f.instructeur_id)
    return conds


def decision_scope(f: Filters) -> list[ColumnElement[bool]]:
    """Conditions on Decision (joined to its ProForma) for decision figures."""
    return [*decided(f), *scope(f, instructeur=False)]


def decisions(stmt: Select[*Ts], f: Filters) -> Select[*Ts]:
    """``stmt`` (selecting from Decision) narrowed to the decision figures' population."""
    return scoped(stmt.where(*decided(f)), Decision.pro_forma_id, f, instructeur=False)


def deposits(stmt: Select[*Ts], f: Filters) -> Select[*Ts]:
    """``stmt`` (selecting from CheckRun) narrowed to the first runs of the period's deposits.

    Documents and pro formas are joined only for a nature, CFA or instructeur filter.
    """
    stmt = stmt.where(is_first_run(), *in_period(CheckRun.ran_at, f))
    conditions = scope(f)
    if not conditions:
        return stmt
    return (stmt.join(Document, Document.id == CheckRun.document_id)
            .join(ProForma, ProForma.id == Document.pro_forma_id).where(*conditions))


def first_run_of_decision(stmt: Select[*Ts]) -> Select[*Ts]:
    """``stmt`` (selecting from Decision) joined to the first check run of its document."""
    return stmt.join(CheckRun, CheckRun.document_id == Decision.document_id).where(
        is_first_run())


def earlier_refusal() -> Exists:
    """EXISTS: the pro forma of the current Decision was refused before that decision."""
    earlier = aliased(Decision)
    return exists().where(earlier.pro_forma_id == Decision.pro_forma_id,
                          earlier.outcome == DecisionOutcome.REFUSED, earlier.id < Decision.id)


def rework_followed() -> Exists:
    """EXISTS: a deposit event follows the current (refusal) Event on its pro forma."""
    later = aliased(Event)
    return exists().where(later.pro_forma_id == Event.pro_forma_id, later.id > Event.id,
                          later.action.in_(("deposited", "replaced")))


def refusals_only(f: Filters) -> list[ColumnElement[bool]]:
    """Conditions on Event alone: refusals in the period, by whom."""
    conds = [Event.action == "refused", *in_period(Event.at, f)]
    if f.instructeur_id is not None:
        conds.append(Event.actor_id == f.instructeur_id)
    return conds


def refusal_events(f: Filters) -> list[ColumnElement[bool]]:
    """Conditions on Event (joined to its ProForma): refusals in the period and scope."""
    return [*refusals_only(f), *scope(f, instructeur=False)]
