"""Putting the automatic checks of a document on the job queue, and saying where they stand.

``enqueue`` writes a ``check_job`` row in the caller's transaction (the deposit or the
re-check request): the job exists exactly when the document does. On PostgreSQL the same
transaction defers a procrastinate job (task ``check_document``, queue ``checks``) through
procrastinate's own SQL function, so a worker started by ``python -m workflow.deposits.worker``
on any machine picks it up at once (LISTEN/NOTIFY). On SQLite the console's local worker pool
(``workflow.deposits.jobs.LocalWorkers``, started by the console's server) polls the table and is
woken after the commit when it runs in the same process.

``pending`` tells the queue and the review screen which pro formas still wait for results, and
since when: "contrôles en cours", or "en attente d'un worker depuis N min" when nobody has
claimed the job for a while (no worker running).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, case, event, func, select, text
from sqlalchemy.orm import Session

from db.models import CheckJob, Document, ProForma
from domain.clock import now
from domain.vocabulary import JobKind, JobState

TASK_NAME = "check_document"
QUEUE_NAME = "checks"
PENDING, RUNNING, DONE, STALE, FAILED = (JobState.PENDING, JobState.RUNNING, JobState.DONE,
                                         JobState.STALE, JobState.FAILED)
OPEN_STATES = (PENDING, RUNNING)
NO_WORKER_AFTER = timedelta(minutes=1)  # unclaimed this long: say that no worker answers
_INFO_KEY = "check_jobs_enqueued"
_DEFER = text(
    "SELECT procrastinate_defer_jobs_v1(ARRAY[ROW(:queue, :task, 0, NULL, NULL, "
    "CAST(:args AS jsonb), NULL)]::procrastinate_job_to_defer_v1[])")

# woken after a commit that enqueued jobs (the local pool of this process waits on it)
wake = threading.Event()
# tests and the demo builder: run each job right after the commit, in the committing thread
_runner: Callable[[Engine, int], None] | None = None


def enqueue(session: Session, doc: Document, kind: JobKind,
            requested_by_id: int | None) -> CheckJob:
    """A check job for ``doc`` in the caller's transaction (``kind``: deposit | recheck)."""
    moment = now()
    job = CheckJob(document_id=doc.id, pro_forma_id=doc.pro_forma_id, kind=kind, state=PENDING,
                   attempts=0, requested_by_id=requested_by_id, created_at=moment,
                   run_after=moment)
    session.add(job)
    session.flush()
    if session.get_bind().dialect.name == "postgresql":
        session.execute(_DEFER, {"queue": QUEUE_NAME, "task": TASK_NAME,
                                 "args": json.dumps({"job_id": job.id})})
    session.info.setdefault(_INFO_KEY, []).append(job.id)
    return job


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    ids = session.info.pop(_INFO_KEY, None)
    if not ids:
        return
    runner = _runner
    if runner is None:
        wake.set()
        return
    engine = session.get_bind()
    for job_id in ids:
        runner(engine, job_id)  # type: ignore[arg-type]


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, _previous: object) -> None:
    if not session.in_transaction():
        session.info.pop(_INFO_KEY, None)


def set_runner(runner: Callable[[Engine, int], None] | None) -> None:
    """Run jobs right after their commit (tests, the demo builder), or not (``None``)."""
    global _runner
    _runner = runner


@dataclass(frozen=True)
class Pending:
    """Checks not landed yet for one pro forma."""

    since: datetime  # the oldest open job's creation
    claimed: bool  # a worker is on it

    def label(self, moment: datetime | None = None) -> str:
        """"contrôles en cours", or the honest wait when no worker has claimed it."""
        waited = (moment or now()) - self.since
        if not self.claimed and waited >= NO_WORKER_AFTER:
            return (f"contrôles en cours — en attente d'un worker depuis "
                    f"{int(waited.total_seconds() // 60)} min")
        return "contrôles en cours"


def pending(session: Session, pro_forma_ids: Iterable[int]) -> dict[int, Pending]:
    """The pro formas among ``pro_forma_ids`` whose checks have not landed, with since when."""
    ids = list(pro_forma_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(CheckJob.pro_forma_id, func.min(CheckJob.created_at),
               func.max(case((CheckJob.state == RUNNING, 1), else_=0)))
        .where(CheckJob.pro_forma_id.in_(ids), CheckJob.state.in_(OPEN_STATES))
        .group_by(CheckJob.pro_forma_id))
    return {r[0]: Pending(r[1], bool(r[2])) for r in rows}


def current_version(session: Session, pf: ProForma) -> int | None:
    """The version number of the pro forma's current (latest) document."""
    return session.scalar(select(func.max(Document.version))
                          .where(Document.pro_forma_id == pf.id))
