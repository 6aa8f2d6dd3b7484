"""The instructeurs' review queue: listing, "Prendre le suivant", assignment, re-checks.

The queue lists pro formas En cours de validation, oldest deposit first, paged in SQL.
"Prendre le suivant" hands out the oldest unassigned one under a row lock: ``SELECT … FOR
UPDATE SKIP LOCKED`` on PostgreSQL, the database write lock taken by ``BEGIN IMMEDIATE`` on
SQLite, and a conditional UPDATE behind both, so two instructeurs never get the same one.
The review screen's data (``review_data``, ``render_pages``) lives in ``review_screen`` and
is re-exported here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, func, or_, select, update
from sqlalchemy.orm import Session

from db.models import Cfa, CheckResultRow, Document, ProForma, User
from db.session import is_postgres
from domain.clock import now
from domain.errors import InvalidInput, TransitionRefused, WorkflowError
from domain.permissions import REVIEWERS
from domain.vocabulary import JobKind, Kind, Outcome, Role, Status, label
from workflow.common import bounds, events
from workflow.common.access import Actor, get_owned, require_opco, require_role
from workflow.common.paging import Page, paginate
from workflow.common.typed import rowcount, table_of
from workflow.deposits import queue as check_queue
from workflow.review.review_screen import (
    OUTCOME_ICONS,
)

CHECK_FILTERS = {Outcome.PASS: "Tous conformes", Outcome.FAIL: "Au moins un non conforme",
                 Outcome.UNKNOWN: "Au moins un à vérifier (aucun non conforme)"}
ASSIGNED_FILTERS = {"me": "Attribuées à moi", "unassigned": "Non attribuées"}


@dataclass(frozen=True)
class QueueFilters:
    """The queue's filters; every field left at its default filters nothing."""

    cfa: str = ""  # part of the CFA's name, or its SIRET
    nature: str | None = None
    kind: str | None = None  # invoice | credit_note
    min_total: Decimal | None = None
    max_total: Decimal | None = None
    min_age_days: int | None = None
    max_age_days: int | None = None
    checks: str | None = None  # pass | fail | unknown (the latest run's summary)
    assigned: str | None = None  # me | unassigned


@dataclass(frozen=True)
class QueueRow:
    """One pro forma of the queue."""

    pro_forma_id: int
    number: str
    cfa: str
    siret: str
    nature: str
    kind: str
    total: Decimal
    dossiers: int
    deposited_at: datetime
    age_days: int
    assigned_to: str | None
    summary: str | None
    checks: str  # compact: "✅ 5 ❌ 1 ❔ 1"
    pending: str | None = None  # "contrôles en cours" (…"en attente d'un worker depuis N min")


@dataclass(frozen=True)
class Assignment:
    """The pro forma handed to an instructeur."""

    pro_forma_id: int
    number: str


# the queue is reloaded after every decision: it is built on the tables' columns (Core)
_P, _C, _U, _R = (m.__table__.c for m in (ProForma, Cfa, User, CheckResultRow))


def queue(session: Session, actor: Actor, filters: QueueFilters | None = None,
          page: int = 0, page_size: int = 25) -> Page[QueueRow]:
    """One page of the queue (En cours de validation), oldest deposit first.

    Raises AccessDenied for anyone but OPCO staff, InvalidInput for an unknown filter value.
    """
    require_opco(actor)
    f = filters or QueueFilters()
    stmt = (
        select(_P.id, _P.number, _C.name, _C.siret, _P.nature,
               _P.kind, _P.total, _P.dossiers, _P.deposited_at,
               _U.name, _P.check_summary, _P.latest_run_id)
        .join(Cfa.__table__, _C.id == _P.cfa_id)
        .outerjoin(User.__table__, _U.id == _P.assigned_to_id)
        .where(_P.status == Status.UNDER_REVIEW)
        .order_by(_P.deposited_at, _P.id)
    )
    conds = _conditions(actor, f)
    # the count reads pro_forma alone (its queue index) unless the CFA filter needs the CFA
    count = select(func.count()).select_from(ProForma.__table__)
    if f.cfa.strip():
        count = count.join(Cfa.__table__, _C.id == _P.cfa_id)
    count = count.where(_P.status == Status.UNDER_REVIEW, *conds)
    result = paginate(session, stmt.where(*conds), page, page_size, count=count)
    counts = _outcome_counts(session, [r[11] for r in result.rows if r[11] is not None])
    moment = now()
    waiting = check_queue.pending(session, [r[0] for r in result.rows])
    rows = [
        QueueRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8],
                 (moment - r[8]).days if r[8] else 0, r[9], r[10],
                 compact(counts.get(r[11], {})),
                 waiting[r[0]].label(moment) if r[0] in waiting else None)
        for r in result.rows
    ]
    return Page(rows, result.total, result.page, result.page_size)


def _conditions(actor: Actor, f: QueueFilters) -> list[Any]:
    conds: list[Any] = []
    if text := f.cfa.strip():
        digits = text.replace(" ", "")
        conds.append(or_(func.lower(_C.name).contains(text.lower()),
                         _C.siret.startswith(digits)))
    if f.nature:
        conds.append(_P.nature == f.nature)
    if f.kind:
        if f.kind not in (Kind.INVOICE, Kind.CREDIT_NOTE):
            raise InvalidInput("kind", "Type de pièce inconnu.")
        conds.append(_P.kind == f.kind)
    # typed by the user: bounded before they reach SQL or timedelta (credit notes are negative)
    if f.min_total is not None:
        conds.append(_P.total >= bounds.amount(f.min_total, "min_total", "Le montant minimum",
                                               low=-bounds.MAX_AMOUNT))
    if f.max_total is not None:
        conds.append(_P.total <= bounds.amount(f.max_total, "max_total", "Le montant maximum",
                                               low=-bounds.MAX_AMOUNT))
    if f.min_age_days is not None:
        age = bounds.days(f.min_age_days, "min_age_days", "L'ancienneté minimale du dépôt")
        conds.append(_P.deposited_at <= now() - timedelta(days=age))
    if f.max_age_days is not None:
        age = bounds.days(f.max_age_days, "max_age_days", "L'ancienneté maximale du dépôt")
        conds.append(_P.deposited_at > now() - timedelta(days=age + 1))
    if f.checks:
        if f.checks not in CHECK_FILTERS:
            raise InvalidInput("checks", "Filtre de contrôles inconnu.")
        conds.append(_P.check_summary == f.checks)
    if f.assigned == "me":
        conds.append(_P.assigned_to_id == actor.user_id)
    elif f.assigned == "unassigned":
        conds.append(_P.assigned_to_id.is_(None))
    elif f.assigned:
        raise InvalidInput("assigned", "Filtre d'attribution inconnu.")
    return conds


def _outcome_counts(session: Session, run_ids: list[int]) -> dict[int, dict[str, int]]:
    """{run id: {outcome: count}} for the runs of one page."""
    out: dict[int, dict[str, int]] = {}
    if not run_ids:
        return out
    stmt = (select(_R.run_id, _R.outcome, func.count())
            .where(_R.run_id.in_(run_ids))
            .group_by(_R.run_id, _R.outcome))
    for run_id, outcome, count in session.execute(stmt):
        out.setdefault(run_id, {})[outcome] = count
    return out


def compact(counts: dict[str, int]) -> str:
    """A compact check summary such as "✅ 5 ❌ 1 ❔ 1" (empty parts left out)."""
    parts = [f"{OUTCOME_ICONS[o]} {counts[o]}" for o in Outcome if counts.get(o)]
    return " ".join(parts) or "—"


def take_next(session: Session, actor: Actor) -> Assignment | None:
    """Assign the oldest unassigned pro forma of the queue to the actor; None when none is left.

    The candidate row is locked (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so concurrent
    callers skip each other's rows; on SQLite the transaction already holds the write lock)
    and the assignment is a conditional UPDATE, so one pro forma goes to one instructeur.
    """
    require_role(actor, *REVIEWERS)
    pg = is_postgres(session.get_bind().engine)
    row = session.execute(_NEXT_PG if pg else _NEXT).first()
    if row is None:
        return None
    if not _claim(session, row[0], actor.user_id):
        return None
    events.record(session, actor, "assigned", pro_forma_id=row[0],
                  data={"assigned_to": actor.user_id, "how": "take_next"})
    return Assignment(row[0], row[1])


# "Prendre le suivant" is the instructeur's most frequent click: its statements are built once,
# on the table (Core), so that each call costs little more than the SQL itself.
_PF = table_of(ProForma)
_NEXT = (select(_PF.c.id, _PF.c.number)
         .where(_PF.c.status == Status.UNDER_REVIEW.value, _PF.c.assigned_to_id.is_(None))
         .order_by(_PF.c.deposited_at, _PF.c.id).limit(1))
_NEXT_PG = _NEXT.with_for_update(skip_locked=True)
_CLAIM = (update(_PF)
          .where(_PF.c.id == bindparam("pf"), _PF.c.status == Status.UNDER_REVIEW.value,
                 _PF.c.assigned_to_id.is_(None))
          .values(assigned_to_id=bindparam("user")))


def _claim(session: Session, pf_id: int, user_id: int) -> bool:
    """Conditional UPDATE: assign only if still under review and unassigned."""
    return bool(rowcount(session.execute(_CLAIM, {"pf": pf_id, "user": user_id})))


def assign(session: Session, actor: Actor, pro_forma_id: object) -> Assignment:
    """Assign a pro forma under review to the actor.

    An instructeur may only take an unassigned one (or keep their own); a manager may take
    one from someone else. Raises AccessDenied, TransitionRefused, WorkflowError.
    """
    require_role(actor, *REVIEWERS)
    pf = get_owned(session, ProForma, pro_forma_id, actor, "cette pro forma", for_update=True)
    _under_review(pf, "l'attribuer")
    if pf.assigned_to_id == actor.user_id:
        return Assignment(pf.id, pf.number)
    if pf.assigned_to_id is not None and actor.role is not Role.MANAGER:
        holder = session.get_one(User, pf.assigned_to_id).name
        raise WorkflowError(f"La pro forma {pf.number} est déjà attribuée à {holder}.")
    previous = pf.assigned_to_id
    pf.assigned_to_id = actor.user_id
    events.record(session, actor, "assigned", pro_forma_id=pf.id,
                  data={"assigned_to": actor.user_id, "previous": previous})
    return Assignment(pf.id, pf.number)


def unassign(session: Session, actor: Actor, pro_forma_id: object) -> bool:
    """Put a pro forma back in the pool (its assignee, or a manager); True when done."""
    require_role(actor, *REVIEWERS)
    pf = get_owned(session, ProForma, pro_forma_id, actor, "cette pro forma", for_update=True)
    if pf.assigned_to_id is None:
        return True
    if pf.assigned_to_id != actor.user_id and actor.role is not Role.MANAGER:
        raise WorkflowError(f"La pro forma {pf.number} est attribuée à un autre instructeur.")
    previous = pf.assigned_to_id
    pf.assigned_to_id = None
    events.record(session, actor, "unassigned", pro_forma_id=pf.id,
                  data={"previous": previous})
    return True


def _under_review(pf: ProForma, what: str) -> None:
    if pf.status != Status.UNDER_REVIEW:
        raise TransitionRefused(pf.number, label(pf.status, pf.kind), what)


def rerun_checks(session: Session, actor: Actor, pro_forma_id: object) -> int:
    """Queue the automatic checks again on the latest document; returns the job's id.

    The run lands when a worker has read the file (``workflow.deposits.jobs``), with the
    event ``checks_rerun``; the review screen says "contrôles en cours" meanwhile.
    """
    require_role(actor, *REVIEWERS)
    pf = get_owned(session, ProForma, pro_forma_id, actor, "cette pro forma", for_update=True)
    _under_review(pf, "relancer les contrôles")
    doc = session.scalars(select(Document).where(Document.pro_forma_id == pf.id)
                          .order_by(Document.version.desc()).limit(1)).first()
    if doc is None:
        raise WorkflowError(f"Aucun document déposé pour la pro forma {pf.number}.")
    return check_queue.enqueue(session, doc, JobKind.RECHECK, actor.user_id).id


