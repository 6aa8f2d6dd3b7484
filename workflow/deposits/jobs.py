"""The check job: read a deposited file in the sandbox with no transaction open, land the verdicts.

``run_job(factory, job_id)`` is the one job function, whoever runs it (a procrastinate worker on
PostgreSQL, the local pool on SQLite, tests through ``run_now``):

1. claim, in a short transaction: the job is pending (or running but abandoned: see below),
   it becomes running with one more attempt; the file's bytes and what the checks expect are
   read; the transaction ends;
2. the checks run in ``checks.sandbox`` with no database transaction open; meanwhile a
   heartbeat thread renews the claim (``started_at``) every ``HEARTBEAT_S`` in its own
   one-statement transaction;
3. land, in a new short transaction with the pro forma locked: only when this job still holds
   its claim (a re-run writes nothing twice) and its document is still the pro forma's current
   version (else the job is ``stale`` and writes nothing); the duplicate check, the run and its
   verdicts, the pro forma's summary, and for a re-check the ``checks_rerun`` event.

A file that the sandbox stops gets every check ``unknown`` with the reason (a result, not a
failure). Anything else that fails (a busy sandbox, a lost database connection, a bug) leaves
the job pending for another attempt after ``RETRY_WAIT_S`` × attempts and raises ``RetryLater``;
the ``MAX_ATTEMPTS``-th failure lands a run with every check ``unknown`` and its reason
(state ``failed``).

A worker that dies mid-job (killed, its machine lost) stops renewing its claim. With
PostgreSQL, procrastinate's own mechanism notices it: every worker sends heartbeats to
``procrastinate_workers``, and the periodic task ``retry_stalled_checks``
(``workflow.deposits.worker``) retries the jobs of workers silent for ``STALLED_AFTER_S``
(``JobManager.get_stalled_jobs`` / ``retry_job``); the worker that gets the job again takes
the claim over (``take_over``: procrastinate runs a job in one worker at a time). With the
local pool (SQLite), a running job whose claim was not renewed for ``LEASE`` is claimable
again by any pool on that database. Either way the takeover counts as an attempt (a file that
keeps killing its workers ends ``failed``, every check ``unknown``), and the dead runner, were
it only slow, lands nothing: landing needs the latest claim.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import timedelta
from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy import Engine, and_, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

import checks
from checks import sandbox
from checks.model import CHECK_NAMES
from db.models import CheckJob, Document, ProForma
from db.session import make_sessionmaker
from domain.clock import now
from domain.errors import InvalidInput
from domain.vocabulary import CheckName, JobKind, JobState, Outcome
from workflow.common import events
from workflow.common.access import Actor
from workflow.common.bounds import fits
from workflow.deposits import attestations, queue
from workflow.deposits.deposits import Precheck, duplicate_check, expected_for, store_check_run

log = logging.getLogger("workflow.deposits.jobs")
MAX_ATTEMPTS = 3
RETRY_WAIT_S = 2.0
HEARTBEAT_S = 5.0  # a runner renews its claim this often while the file is read
# a claim not renewed this long: its runner died (local pool). Longer than a renewal may wait
# for SQLite's write lock (its 30 s busy timeout; no file is read inside a transaction, the
# pre-check's included), so that a live runner is never taken over
LEASE = timedelta(seconds=60)
STALLED_AFTER_S = 20.0  # procrastinate: a worker silent this long is stalled (PostgreSQL)
FAILED_PREFIX = "Contrôles impossibles après {n} tentatives : "
WORKER_DIED = "le worker qui lisait le fichier s'est arrêté."


class RetryLater(Exception):  # noqa: N818 - what the job asks of its runner
    """The attempt failed; the job is pending again (procrastinate retries it, the local pool
    polls it)."""


@dataclass(frozen=True)
class Claim:
    """What one attempt needs, read in the claim's short transaction."""

    job_id: int
    attempt: int
    kind: JobKind
    pro_forma_id: int
    document_id: int
    version: int
    filename: str
    media_type: str
    data: bytes
    expected: checks.Expected
    taken_over: bool = False  # from a runner that died


def run_job(factory: sessionmaker[Session], job_id: int, *, take_over: bool = False) -> str:
    """Run one check job; returns its outcome: done, stale, failed, skipped (not claimable:
    already landed, or another runner holds it). Raises RetryLater after a failed attempt
    that may be retried. ``take_over``: a running job is claimed even if its claim is fresh
    (procrastinate hands a job again only when its worker stalled)."""
    claim = _claim(factory, job_id, take_over)
    if claim is None:
        return "skipped"
    if claim.taken_over and claim.attempt > MAX_ATTEMPTS:
        message = FAILED_PREFIX.format(n=claim.attempt - 1) + WORKER_DIED
        return _land(factory, claim, _unknown(claim, message), queue.FAILED, message)
    try:
        with _heartbeat(factory, claim):
            report = read_file(claim)  # no transaction open
    except Exception as exc:  # noqa: BLE001 - every failure is retried, then recorded
        log.warning("check job %s, attempt %s failed: %r", job_id, claim.attempt, exc)
        reason = _reason(exc)
        if claim.attempt < MAX_ATTEMPTS:
            _release(factory, claim, reason)
            raise RetryLater(reason) from exc
        message = FAILED_PREFIX.format(n=claim.attempt) + reason
        return _land(factory, claim, _unknown(claim, message), queue.FAILED, message)
    return _land(factory, claim, report, queue.DONE, None)


def read_file(claim: Claim) -> checks.Report:
    """The checks of the claimed file in the sandbox; a file it stops: every check unknown."""
    try:
        return sandbox.check_document(claim.data, claim.filename, claim.expected,
                                      timeout=sandbox.CHECK_TIMEOUT_S)
    except sandbox.TooCostly as exc:
        return _unknown(claim, exc.message)
    except checks.FileRejected as exc:
        if exc.code == "busy":  # every sandbox worker busy: not the file's fault, retry
            raise
        return _unknown(claim, exc.message)


def _reason(exc: BaseException) -> str:
    text = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return text.splitlines()[0][:300]


def _unknown(claim: Claim, message: str) -> checks.Report:
    return checks.Report(file=claim.filename, media_type=claim.media_type, text_source="none",
                         found={"pro_forma_numbers": [], "total": None, "invoice_number": None,
                                "siret": None, "iban": None},
                         checks=tuple(checks.CheckResult(n, Outcome.UNKNOWN, message)
                                      for n in CHECK_NAMES),
                         elapsed_ms=0.0, page_count=0, notes=("job_failed",))


def _locked_job(s: Session, job_id: int) -> CheckJob | None:
    return s.scalars(select(CheckJob).where(CheckJob.id == job_id).with_for_update()).first()


def _claim(factory: sessionmaker[Session], job_id: int, take_over: bool = False
           ) -> Claim | None:
    with factory.begin() as s:
        job = _locked_job(s, job_id)
        if job is None:
            return None
        moment = now()
        abandoned = job.state == queue.RUNNING and (
            take_over or job.started_at is None or job.started_at < moment - LEASE)
        if job.state != queue.PENDING and not abandoned:
            return None
        if abandoned:
            log.warning("check job %s: taken over from a runner that stopped (attempt %s)",
                        job.id, job.attempts)
        job.state, job.attempts, job.started_at = queue.RUNNING, job.attempts + 1, moment
        doc = s.get_one(Document, job.document_id)
        pf = s.get_one(ProForma, job.pro_forma_id)
        return Claim(job.id, job.attempts, job.kind, pf.id, doc.id, doc.version, doc.filename,
                     doc.media_type, doc.content, expected_for(s, pf), abandoned)


@contextmanager
def _heartbeat(factory: sessionmaker[Session], claim: Claim) -> Iterator[None]:
    """Renew the claim every ``HEARTBEAT_S`` while the block runs (one short UPDATE each)."""
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(HEARTBEAT_S):
            try:
                with factory.begin() as s:
                    s.execute(update(CheckJob).where(
                        CheckJob.id == claim.job_id, CheckJob.state == queue.RUNNING,
                        CheckJob.attempts == claim.attempt).values(started_at=now()))
            except Exception as exc:  # noqa: BLE001 - a missed beat is retried at the next
                log.warning("check job %s: heartbeat failed: %r", claim.job_id, exc)

    thread = threading.Thread(target=beat, name=f"check-job-{claim.job_id}-heartbeat",
                              daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(HEARTBEAT_S)


def _release(factory: sessionmaker[Session], claim: Claim, reason: str) -> None:
    with factory.begin() as s:
        job = _locked_job(s, claim.job_id)
        if job is None or job.state != queue.RUNNING or job.attempts != claim.attempt:
            return
        job.state, job.error = queue.PENDING, reason
        job.run_after = now() + timedelta(seconds=RETRY_WAIT_S * claim.attempt)


def _land(factory: sessionmaker[Session], claim: Claim, report: checks.Report, state: JobState,
          error: str | None) -> str:
    with factory.begin() as s:
        pf = s.scalars(select(ProForma).where(ProForma.id == claim.pro_forma_id)
                       .with_for_update()).one()
        job = _locked_job(s, claim.job_id)
        if job is None or job.state != queue.RUNNING or job.attempts != claim.attempt:
            return "skipped"  # another runner took it over: it writes, not us
        job.finished_at = now()
        if queue.current_version(s, pf) != claim.version:
            job.state = queue.STALE
            return queue.STALE
        report, own = _own_number(report)
        doc = s.get_one(Document, claim.document_id)
        dup = duplicate_check(s, pf, hashlib.sha256(claim.data).hexdigest(), own)
        run = store_check_run(s, doc, Precheck(report, dup, attestations.check(s, pf)))
        doc.own_invoice_number = own
        pf.own_invoice_number = own
        job.state, job.run_id, job.error = state, run.id, error or job.error  # last failure kept
        if claim.kind == JobKind.RECHECK:
            who = cast(Actor, SimpleNamespace(user_id=job.requested_by_id))
            events.record(s, who, "checks_rerun", pro_forma_id=pf.id, version=pf.version,
                          data={"run_id": run.id, "document_version": claim.version,
                                "summary": run.summary, "job_id": job.id})
        return state


def _own_number(report: checks.Report) -> tuple[checks.Report, str | None]:
    """The invoice number read from the file, when it fits its column; else the
    ``invoice_number`` check fails with the French reason and no number is kept."""
    own = report.found.get("invoice_number")
    if own is None:
        return report, None
    try:
        fits(own, ProForma.own_invoice_number, "Le numéro de facture lu dans votre fichier",
             "file")
    except InvalidInput as exc:
        results = tuple(checks.CheckResult(CheckName.INVOICE_NUMBER, Outcome.FAIL, str(exc))
                        if r.name == CheckName.INVOICE_NUMBER else r for r in report.checks)
        return replace(report, checks=results, found={**report.found, "invoice_number": None}
                       ), None
    return report, own


def run_now(engine: Engine, job_id: int) -> str:
    """Run a job to its end at once, its retries included (tests, the demo builder)."""
    factory = make_sessionmaker(engine)
    for _ in range(MAX_ATTEMPTS + 1):
        try:
            return run_job(factory, job_id)
        except RetryLater:
            continue
    return "skipped"


def run_pending(factory: sessionmaker[Session]) -> int:
    """Run every pending job now, in this thread (tests, benchmarks); returns how many ran."""
    ran = 0
    with factory() as s:
        ids = list(s.scalars(select(CheckJob.id).where(CheckJob.state == queue.PENDING)
                             .order_by(CheckJob.id)))
    for job_id in ids:
        ran += run_now(factory.kw["bind"], job_id) != "skipped"
    return ran


class LocalWorkers:
    """The local worker pool of the embedded SQLite setup: ``threads`` threads in this process
    poll ``check_job`` (and are woken after a commit that enqueued), each job's file read in
    ``checks.sandbox``'s process pool. Started by the console's server; no extra server."""

    def __init__(self, factory: sessionmaker[Session], threads: int = 2,
                 poll_s: float = 1.0) -> None:
        self.factory, self.threads, self.poll_s = factory, threads, poll_s
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> LocalWorkers:
        """Start the threads (a job whose runner died is claimed again after ``LEASE``)."""
        for i in range(self.threads):
            t = threading.Thread(target=self._loop, name=f"check-jobs-{i}", daemon=True)
            t.start()
            self._threads.append(t)
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Ask the threads to stop after their current job, and wait a little."""
        self._stop.set()
        queue.wake.set()
        for t in self._threads:
            t.join(timeout)

    def _next(self) -> int | None:
        """A pending job due now, or a running one whose runner stopped renewing its claim."""
        moment = now()
        with self.factory() as s:
            return s.scalar(select(CheckJob.id).where(or_(
                and_(CheckJob.state == queue.PENDING, CheckJob.run_after <= moment),
                and_(CheckJob.state == queue.RUNNING, CheckJob.started_at < moment - LEASE)))
                .order_by(CheckJob.id).limit(1))

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                job_id = self._next()
                if job_id is None:
                    queue.wake.wait(self.poll_s)
                    queue.wake.clear()
                    continue
                run_job(self.factory, job_id)
            except RetryLater:
                continue
            except Exception:  # noqa: BLE001 - a worker thread never dies of one job
                log.exception("local check worker")
                self._stop.wait(self.poll_s)


def drain(factory: sessionmaker[Session], timeout: float = 60.0, **kw: Any) -> bool:
    """Wait until no job is open (tests, benchmarks); False on timeout."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with factory() as s:
            if not s.scalar(select(CheckJob.id).where(
                    CheckJob.state.in_(queue.OPEN_STATES)).limit(1)):
                return True
        time.sleep(kw.get("poll_s", 0.2))
    return False
