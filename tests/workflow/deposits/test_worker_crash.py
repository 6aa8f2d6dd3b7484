"""A check worker killed mid-job (SIGKILL): another worker does the job within a bounded time,
its results land once. SQLite: the local pool of ``python -m workflow.deposits.worker`` (a claim
not renewed for ``jobs.LEASE`` is taken over); PostgreSQL: procrastinate workers (the periodic
``retry_stalled_checks`` retries the jobs of a worker whose heartbeat stopped).

Real worker processes on the test's database; the file is a progressive JPEG whose last scan
is repeated, so that the job is surely still running when its worker is killed (the sandbox
stops it at ``sandbox.CHECK_TIMEOUT_S``: every check ``unknown``, "Fichier trop coûteux"; on an
idle machine it may be read to its end, and nothing it must show passes).

Marked ``queued``: jobs stay on the queue (tests/conftest.py does not run them at commit).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from checks import sandbox
from db.models import CheckJob, CheckRun, Document, Event
from tests.workflow.deposits.test_hostile_jobs import assert_never_passed, store_costly
from tests.workflow.reviewkit import generate
from workflow.deposits import jobs, queue
from workflow.review import review_screen

pytestmark = pytest.mark.queued
ROOT = Path(__file__).resolve().parents[3]
START_S = 90.0  # a worker process starting on a loaded 2-core machine (imports, migration)
# from the kill to the result: the dead worker noticed, then the file read again to its limit
TAKEOVER_S = (jobs.LEASE.total_seconds() + jobs.STALLED_AFTER_S + sandbox.CHECK_TIMEOUT_S
              + START_S + 60.0)


def _worker(db_url: str, name: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DATABASE_URL": db_url}
    return subprocess.Popen([sys.executable, "-m", "workflow.deposits.worker", "--concurrency",
                             "1", "--name", name], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)


def _stop(worker: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> str:
    if worker.poll() is None:
        try:
            os.killpg(worker.pid, sig)  # the worker and its sandbox processes
        except ProcessLookupError:
            pass
    try:
        return worker.communicate(timeout=30)[0].decode(errors="replace")
    except subprocess.TimeoutExpired:
        os.killpg(worker.pid, signal.SIGKILL)
        return worker.communicate(timeout=30)[0].decode(errors="replace")


def _job(factory, job_id: int) -> CheckJob:
    with factory() as s:
        return s.get_one(CheckJob, job_id)


def test_a_job_whose_worker_was_killed_is_done_by_another_worker_once(world, factory, db_url):
    pf_id = generate(world, factory, [world.contracts1[0]])[0]
    store_costly(world, factory, pf_id)
    with factory() as s:
        job_id = s.scalars(select(CheckJob.id).where(CheckJob.pro_forma_id == pf_id)).one()

    first = _worker(db_url, "premier")
    second = None
    try:
        deadline = time.monotonic() + START_S
        while _job(factory, job_id).state == queue.PENDING:
            assert first.poll() is None, _stop(first)
            assert time.monotonic() < deadline, "the first worker never claimed the job"
            time.sleep(0.1)
        time.sleep(1.0)  # mid-job: the file is being read in its sandbox
        assert _job(factory, job_id).state == queue.RUNNING
        os.killpg(first.pid, signal.SIGKILL)
        killed_at = time.monotonic()
        _stop(first)
        claimed = _job(factory, job_id)
        assert (claimed.state, claimed.attempts) == (queue.RUNNING, 1)

        second = _worker(db_url, "second")
        while _job(factory, job_id).state in queue.OPEN_STATES:
            assert second.poll() is None, _stop(second)
            assert time.monotonic() - killed_at < TAKEOVER_S, \
                f"not done {TAKEOVER_S:.0f} s after its worker was killed"
            time.sleep(0.5)
        took = time.monotonic() - killed_at
        print(f"done by the second worker {took:.1f} s after the first was killed")
    finally:
        _stop(first, signal.SIGKILL)
        out = _stop(second) if second is not None else ""

    done = _job(factory, job_id)
    assert (done.state, done.attempts) == (queue.DONE, 2), out
    assert took < TAKEOVER_S
    with factory() as s:
        doc_id = s.scalars(select(Document.id).where(Document.pro_forma_id == pf_id)).one()
        assert s.scalar(select(func.count()).select_from(CheckRun)
                        .where(CheckRun.document_id == doc_id)) == 1  # landed once
        assert done.run_id is not None
        view = review_screen.review_data(s, world.instructeur, pf_id)
        assert view.pending is None and view.latest_run is not None
        assert s.scalar(select(func.count()).select_from(Event)
                        .where(Event.pro_forma_id == pf_id, Event.action == "checks_rerun")) == 0
    assert_never_passed(view.latest_run)


def test_a_fresh_claim_is_left_alone_and_a_slow_runner_taken_over_lands_nothing(world, factory):
    """Safety of the takeover: a running job whose claim is renewed is not claimed again by the
    local pool; when procrastinate hands it to another worker anyway (its first worker was only
    slow), the first runner's result is not landed: one run, by the latest claim."""
    from tests.workflow.reviewkit import deposit

    pf_id = generate(world, factory, [world.contracts1[0]])[0]
    deposit(world, factory, pf_id)
    with factory() as s:
        job_id = s.scalars(select(CheckJob.id).where(CheckJob.pro_forma_id == pf_id)).one()
    slow = jobs._claim(factory, job_id)  # a runner holds it and reads the file
    assert slow is not None and slow.attempt == 1
    assert jobs.run_job(factory, job_id) == "skipped"  # its claim is fresh: left alone
    assert jobs.run_job(factory, job_id, take_over=True) == queue.DONE  # procrastinate's retry
    report = jobs.read_file(slow)
    assert jobs._land(factory, slow, report, queue.DONE, None) == "skipped"
    with factory() as s:
        assert s.scalar(select(func.count()).select_from(CheckRun)) == 1
    assert _job(factory, job_id).attempts == 2


def test_a_job_that_keeps_losing_its_worker_ends_unknown(world, factory):
    """A takeover counts as an attempt: a job whose workers died ``MAX_ATTEMPTS`` times lands
    every check ``unknown`` with the reason instead of being read once more."""
    from tests.workflow.reviewkit import deposit

    pf_id = generate(world, factory, [world.contracts1[0]])[0]
    deposit(world, factory, pf_id)
    with factory() as s:
        job_id = s.scalars(select(CheckJob.id).where(CheckJob.pro_forma_id == pf_id)).one()
    for attempt in range(1, jobs.MAX_ATTEMPTS + 1):  # each runner dies mid-job
        claim = jobs._claim(factory, job_id, take_over=True)
        assert claim is not None and claim.attempt == attempt
    assert jobs.run_job(factory, job_id, take_over=True) == queue.FAILED
    with factory() as s:
        view = review_screen.review_data(s, world.instructeur, pf_id).latest_run
    expected = (jobs.FAILED_PREFIX.format(n=jobs.MAX_ATTEMPTS) + jobs.WORKER_DIED)
    assert {v.message for v in view.verdicts if v.name != "duplicate"} == {expected}
    assert _job(factory, job_id).state == queue.FAILED
