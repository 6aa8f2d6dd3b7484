"""The manager dashboard: queue, flow, instructeurs, refusals, money and automatic checks.

Every figure is computed by SQL aggregates (GROUP BY, COUNT … FILTER, SUM) and returns plain
dataclasses with ``Decimal`` amounts; nothing loads a table into memory. Each row carries a
:class:`Drill` that :func:`workflow.reporting.dashboard_drill.pro_formas` turns into the page of pro
formas behind it. Portable SQL (weeks, durations, percentiles) is in ``dashboard_sql``; the
money and automatic-check figures are in ``dashboard_money``; who each figure counts (the
populations shared with the drill-downs) is in ``dashboard_scope``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, aliased

from db.models import (
    Cfa,
    CheckRun,
    Decision,
    Event,
    Payment,
    ProForma,
    RefusalReason,
    User,
)
from domain.clock import paris_day, today
from domain.vocabulary import STATUS_CHOICES, DecisionOutcome, Kind, Status
from workflow.common.access import Actor, require_manager
from workflow.reporting.dashboard_scope import (
    BUCKETS,
    decision_scope,
    decisions,
    deposited_before_age,
    deposits,
    earlier_refusal,
    first_run_of_decision,
    refusals_only,
    rework_followed,
    sla_days,
)
from workflow.reporting.dashboard_sql import (
    Drill,
    Durations,
    Filters,
    as_date,
    as_money,
    days_between,
    durations,
    in_days,
    in_period,
    only,
    paris_time,
    scope,
    scoped,
    share,
    week_label,
    week_of,
)

ZERO = Decimal("0.00")
LATE_LIST = 50


# --- queue now -----------------------------------------------------------------------------

@dataclass(frozen=True)
class StatusRow:
    """Pro formas in one status now."""

    status: str
    label: str
    count: int
    amount: Decimal
    drill: Drill


@dataclass(frozen=True)
class AgeBucket:
    """Pro formas En cours de validation whose latest deposit is ``low``–``high`` days old."""

    label: str
    low: int
    high: int | None
    count: int
    amount: Decimal
    beyond_sla: bool
    drill: Drill


@dataclass(frozen=True)
class LateRow:
    """A pro forma waiting for a decision longer than the service-level target."""

    pro_forma_id: int
    number: str
    cfa: str
    deposited_at: datetime
    age_days: int
    total: Decimal
    assigned_to: str | None


@dataclass(frozen=True)
class Queue:
    """The queue now: by status, by age against the target, and the late ones (oldest first)."""

    by_status: list[StatusRow]
    buckets: list[AgeBucket]
    sla_days: int
    late_count: int
    late: list[LateRow]
    late_drill: Drill


def queue(session: Session, actor: Actor, f: Filters) -> Queue:
    """Pro formas by status and the review queue by age (the period does not apply: now)."""
    require_manager(actor)
    f.check()
    counts = dict(((s, (c, t)) for s, c, t in session.execute(only(
        select(ProForma.status, func.count(), func.sum(ProForma.total))
        .group_by(ProForma.status), scope(f)))))
    by_status = [StatusRow(str(code), label, counts.get(Status(code), (0, 0))[0],
                           as_money(counts.get(Status(code), (0, 0))[1]),
                           Drill("status", str(code)))
                 for code, label in STATUS_CHOICES.items()]
    sla = sla_days(session)
    review = [ProForma.status == Status.UNDER_REVIEW.value, *scope(f)]
    index = case(*[(ProForma.deposited_at >= deposited_before_age(high), n)
                   for n, (_, high, _) in enumerate(BUCKETS) if high is not None],
                 else_=len(BUCKETS) - 1)
    per_bucket = {int(i): (c, t) for i, c, t in session.execute(
        select(index, func.count(), func.sum(ProForma.total)).where(*review).group_by(index))}
    buckets = [AgeBucket(label, low, high, per_bucket.get(n, (0, 0))[0],
                         as_money(per_bucket.get(n, (0, 0))[1]), low > sla,
                         Drill("age", str(n)))
               for n, (low, high, label) in enumerate(BUCKETS)]
    late_cond = [*review, ProForma.deposited_at < deposited_before_age(sla)]
    late_count = session.execute(
        select(func.count()).select_from(ProForma).where(*late_cond)).scalar_one()
    assignee = aliased(User)
    rows = session.execute(
        select(ProForma.id, ProForma.number, Cfa.name, ProForma.deposited_at, ProForma.total,
               assignee.name)
        .join(Cfa, Cfa.id == ProForma.cfa_id)
        .outerjoin(assignee, assignee.id == ProForma.assigned_to_id)
        .where(*late_cond).order_by(ProForma.deposited_at, ProForma.id).limit(LATE_LIST)
    ).all()
    late = [LateRow(i, n, c, d, (today() - paris_day(d)).days, t, a)
            for i, n, c, d, t, a in rows
            if d is not None]  # never None: late_cond compares deposited_at
    return Queue(by_status, buckets, sla, int(late_count), late, Drill("past_sla"))


# --- flow ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class WeekRow:
    """What happened in one ISO week (``week`` is its Monday)."""

    week: date
    label: str
    deposits: int
    decisions: int
    payments: int


@dataclass(frozen=True)
class Flow:
    """Weekly deposits, decisions, payments, and the delays between them (days)."""

    weeks: list[WeekRow]
    to_decision: Durations
    to_payment: Durations


def flow(session: Session, actor: Actor, f: Filters) -> Flow:
    """Deposits, decisions and payments per week; median and p90 of the two delays.

    Deposit → decision runs from the upload of the decided document to the decision;
    decision → payment from the validation to the payment of an invoice.
    """
    require_manager(actor)
    f.check()
    weeks: dict[date, list[int]] = defaultdict(lambda: [0, 0, 0])
    dep_week = week_of(session, paris_time(session, CheckRun.ran_at))
    dec_week = week_of(session, paris_time(session, Decision.at))
    pay_week = week_of(session, Payment.paid_on)
    queries = (
        deposits(select(dep_week, func.count()).select_from(CheckRun), f).group_by(dep_week),
        decisions(select(dec_week, func.count()).select_from(Decision), f).group_by(dec_week),
        scoped(select(pay_week, func.count()).select_from(Payment)
               .where(*in_days(Payment.paid_on, f)), Payment.pro_forma_id, f)
        .group_by(pay_week),
    )
    for slot, stmt in enumerate(queries):
        for week, count in session.execute(stmt):
            weeks[as_date(week)][slot] += count
    rows = [WeekRow(w, week_label(w), *weeks[w]) for w in sorted(weeks)]
    to_decision = durations(
        session,
        decisions(first_run_of_decision(select(Decision.id).select_from(Decision)), f),
        days_between(session, CheckRun.ran_at, Decision.at),
    )
    to_payment = durations(
        session,
        select(ProForma.id).where(
            ProForma.kind == Kind.INVOICE, ProForma.status == Status.PAID.value,
            ProForma.paid_at.is_not(None), ProForma.decided_at.is_not(None),
            *scope(f), *in_period(ProForma.paid_at, f)),
        days_between(session, ProForma.decided_at, ProForma.paid_at),
    )
    return Flow(rows, to_decision, to_payment)


# --- instructeurs --------------------------------------------------------------------------

@dataclass(frozen=True)
class InstructeurWeek:
    """Decisions of one instructeur in one ISO week."""

    week: date
    label: str
    instructeur_id: int
    name: str
    decisions: int


@dataclass(frozen=True)
class InstructeurRow:
    """One instructeur's decisions over the period."""

    instructeur_id: int
    name: str
    decisions: int
    refusals: int
    refusal_share: float
    against_checks: int
    against_share: float
    drill: Drill


@dataclass(frozen=True)
class Instructeurs:
    """Decisions per instructeur per week, and each one's refusal and against-checks shares."""

    weekly: list[InstructeurWeek]
    totals: list[InstructeurRow]


def instructeurs(session: Session, actor: Actor, f: Filters) -> Instructeurs:
    """Validations and refusals per instructeur (four-eyes approvals are not decisions).

    One pass over the decisions, grouped by instructeur and week; the totals per instructeur
    are the sums of their weeks (rows come ordered by name, so the totals keep that order).
    """
    require_manager(actor)
    f.check()
    wk = week_of(session, paris_time(session, Decision.at))
    weekly: list[InstructeurWeek] = []
    sums: dict[tuple[int, str], list[int]] = {}
    for uid, name, w, n, refused, against in session.execute(decisions(
        select(Decision.decided_by_id, User.name, wk, func.count(),
               func.count().filter(Decision.outcome == DecisionOutcome.REFUSED),
               func.count().filter(Decision.against_checks.is_(True)))
        .select_from(Decision).join(User, User.id == Decision.decided_by_id), f)
        .group_by(Decision.decided_by_id, User.name, wk).order_by(User.name)
    ):
        weekly.append(InstructeurWeek(as_date(w), week_label(as_date(w)), uid, name, n))
        total = sums.setdefault((uid, name), [0, 0, 0])
        for slot, value in enumerate((n, refused, against)):
            total[slot] += value
    weekly.sort(key=lambda r: (r.week, r.name))
    totals = [InstructeurRow(uid, name, n, refused, share(refused, n), against,
                             share(against, n), Drill("instructeur", str(uid)))
              for (uid, name), (n, refused, against) in sums.items()]
    return Instructeurs(weekly, totals)


# --- refusals ------------------------------------------------------------------------------

@dataclass(frozen=True)
class ReasonRow:
    """Refusals for one reason, in Pareto order with the cumulative share."""

    reason_id: int
    code: str
    label: str
    count: int
    share: float
    cumulative: float
    drill: Drill


@dataclass(frozen=True)
class CfaRefusalRow:
    """One CFA's decisions and refusals over the period."""

    cfa_id: int
    name: str
    decisions: int
    refusals: int
    refusal_share: float
    drill: Drill


@dataclass(frozen=True)
class Refusals:
    """Why and whose invoices are refused, how many are right first time, rework loops."""

    by_reason: list[ReasonRow]
    by_cfa: list[CfaRefusalRow]
    validated: int
    first_time: int
    first_time_share: float
    first_time_drill: Drill
    rework_loops: int
    rework_pro_formas: int
    rework_drill: Drill


def refusals(session: Session, actor: Actor, f: Filters) -> Refusals:
    """Refusals by reason (Pareto) and by CFA; right first time; refused then deposited again.

    Right first time: validations with no refusal before them on the same pro forma. A rework
    loop is a "refused" event followed by a "deposited"/"replaced" event on that pro forma.
    """
    require_manager(actor)
    f.check()
    reasons = session.execute(decisions(
        select(RefusalReason.id, RefusalReason.code, RefusalReason.label, func.count())
        .select_from(Decision).join(RefusalReason, RefusalReason.id == Decision.reason_id)
        .where(Decision.outcome == DecisionOutcome.REFUSED), f)
        .group_by(RefusalReason.id, RefusalReason.code, RefusalReason.label)
        .order_by(func.count().desc(), RefusalReason.label)
    ).all()
    total = sum(r[3] for r in reasons)
    by_reason, running = [], 0
    for rid, code, label, n in reasons:
        running += n
        by_reason.append(ReasonRow(rid, code, label, n, share(n, total), share(running, total),
                                   Drill("reason", str(rid))))
    by_cfa = [CfaRefusalRow(cid, name, n, r, share(r, n), Drill("refused_cfa", str(cid)))
              for cid, name, n, r in session.execute(
                  select(Cfa.id, Cfa.name, func.count(),
                         func.count().filter(Decision.outcome == DecisionOutcome.REFUSED))
                  .select_from(Decision).join(ProForma, ProForma.id == Decision.pro_forma_id)
                  .join(Cfa, Cfa.id == ProForma.cfa_id).where(*decision_scope(f))
                  .group_by(Cfa.id, Cfa.name)
                  .order_by(func.count().filter(Decision.outcome == DecisionOutcome.REFUSED).desc(),
                            Cfa.name))]
    validations = decisions(select(func.count()).select_from(Decision)
                            .where(Decision.outcome == DecisionOutcome.VALIDATED), f)
    validated = session.execute(validations).scalar_one()
    # validations after a refusal are few: count them (from the refused pro formas) rather
    # than testing every validation for an earlier refusal
    refusal = aliased(Decision)
    ever_refused = select(refusal.pro_forma_id).where(refusal.outcome == DecisionOutcome.REFUSED)
    reworked = session.execute(validations.where(
        Decision.pro_forma_id.in_(ever_refused), earlier_refusal())
    ).scalar_one()
    first = validated - reworked
    loops, loop_pfs = session.execute(scoped(
        select(func.count(), func.count(Event.pro_forma_id.distinct())).select_from(Event)
        .where(*refusals_only(f), rework_followed()), Event.pro_forma_id, f,
        instructeur=False)
    ).one()
    return Refusals(by_reason, by_cfa, validated, first, share(first, validated),
                    Drill("first_time"), loops, loop_pfs, Drill("rework"))
