"""The checks off the request path (issue 16): a deposit queues a job and returns; the job lands
the verdicts only on the current version, once; a failing job is retried, then recorded
``unknown``; the local pool (SQLite) and a real procrastinate worker (PostgreSQL) run them; the
quotas on versions and deposits.

Marked ``queued``: jobs stay on the queue (tests/conftest.py does not run them at commit).
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from checks import sandbox
from db.models import CheckJob, CheckRun, Document, Event, ProForma
from domain.errors import InvalidInput, WorkflowError
from tests.conftest import ON_POSTGRES
from tests.workflow.reviewkit import deposit, generate, set_setting
from workflow.deposits import deposits, jobs, queue
from workflow.review import decisions, review, review_screen

pytestmark = pytest.mark.queued
ROOT = Path(__file__).resolve().parents[3]


def _count(factory, model, *where) -> int:
    with factory() as s:
        return s.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _jobs(factory) -> list[CheckJob]:
    with factory() as s:
        return list(s.scalars(select(CheckJob).order_by(CheckJob.id)))


def test_a_deposit_returns_without_running_the_checks(world, factory, monkeypatch):
    def never(*_a, **_k):
        raise AssertionError("the checks ran on the request path")

    monkeypatch.setattr(sandbox, "check_document", never)
    pf_id = generate(world, factory, [world.contracts1[0]])[0]
    deposit(world, factory, pf_id)
    assert _count(factory, Document) == 1 and _count(factory, CheckRun) == 0
    (job,) = _jobs(factory)
    assert (job.state, job.kind, job.attempts) == (queue.PENDING, "deposit", 0)
    with factory() as s:
        pf = s.get_one(ProForma, pf_id)
        assert pf.status == "under_review" and pf.check_summary is None
        row = review.queue(s, world.instructeur).rows[0]
        assert row.pending == "contrôles en cours"
        data = review_screen.review_data(s, world.instructeur, pf_id)
        assert data.pending == "contrôles en cours" and data.current_run is None


def test_the_job_lands_the_verdicts_once(world, factory):
    pf_id = generate(world, factory, [world.contracts1[0]])[0]
    deposit(world, factory, pf_id)
    (job,) = _jobs(factory)
    assert jobs.run_job(factory, job.id) == queue.DONE
    assert jobs.run_job(factory, job.id) == "skipped"  # a re-run writes nothing twice
    assert _count(factory, CheckRun) == 1
    with factory() as s:
        pf = s.get_one(ProForma, pf_id)
        assert pf.check_summary == "pass" and pf.own_invoice_number
        data = review_screen.review_data(s, world.instructeur, pf_id)
        assert data.pending is None and data.current_run.summary == "pass"
        assert review.queue(s, world.instructeur).rows[0].pending is None
    (job,) = _jobs(factory)
    assert job.state == queue.DONE and job.run_id == pf.latest_run_id and job.attempts == 1


def test_no_transaction_is_open_while_the_file_is_read(world, factory, monkeypatch):
    engine = factory.kw["bind"]
    real, seen = sandbox.check_document, []

    def watched(*args, **kwargs):
        seen.append(engine.pool.checkedout())
        return real(*args, **kwargs)

    monkeypatch.setattr(sandbox, "check_document", watched)
    pf_id = generate(world, factory, [world.contracts1[0]])[0]
    deposit(world, factory, pf_id)
    assert jobs.run_pending(factory) == 1
    assert seen == [0]


def test_a_stale_job_writes_nothing(world, factory):
    pf_id = generate(world, factory, [world.contracts1[0]])[0]
    deposit(world, factory, pf_id)
    deposit(world, factory, pf_id)  # a new version before any worker ran
    first, second = _jobs(factory)
    assert jobs.run_job(factory, first.id) == queue.STALE
    assert _count(factory, CheckRun) == 0
    assert jobs.run_job(factory, second.id) == queue.DONE
    with factory() as s:
        run = s.scalars(select(CheckRun)).one()
        assert s.get_one(Document, run.document_id).version == 2


def test_a_failing_job_is_retried_then_recorded_unknown(world, factory, monkeypatch):
    monkeypatch.setattr(jobs, "RETRY_WAIT_S", 0.0)
    calls = []

    def broken(claim):
        calls.append(claim.attempt)
        raise RuntimeError("connexion perdue")

    monkeypatch.setattr(jobs, "read_file", broken)
    pf_id = generate(world, factory, [world.contracts1[0]])[0]
    deposit(world, factory, pf_id)
    (job,) = _jobs(factory)
    for _ in range(jobs.MAX_ATTEMPTS - 1):
        with pytest.raises(jobs.RetryLater):
            jobs.run_job(factory, job.id)
        assert _jobs(factory)[0].state == queue.PENDING
    assert jobs.run_job(factory, job.id) == queue.FAILED
    assert calls == list(range(1, jobs.MAX_ATTEMPTS + 1))
    (job,) = _jobs(factory)
    assert job.state == queue.FAILED and job.attempts == jobs.MAX_ATTEMPTS
    with factory() as s:
        data = review_screen.review_data(s, world.instructeur, pf_id)
    verdicts = {v.name: v for v in data.current_run.verdicts}
    assert {v.outcome for n, v in verdicts.items() if n != "duplicate"} == {"unknown"}
    assert verdicts["total"].message == (
        f"Contrôles impossibles après {jobs.MAX_ATTEMPTS} tentatives : connexion perdue")
    assert data.pending is None


def test_a_job_that_fails_once_lands_at_its_retry(world, factory, monkeypatch):
    monkeypatch.setattr(jobs, "RETRY_WAIT_S", 0.0)
    real = jobs.read_file

    def flaky(claim):
        if claim.attempt == 1:
            raise RuntimeError("serveur occupé")
        return real(claim)

    monkeypatch.setattr(jobs, "read_file", flaky)
    pf_id = generate(world, factory, [world.contracts1[0]])[0]
    deposit(world, factory, pf_id)
    (job,) = _jobs(factory)
    assert jobs.run_now(factory.kw["bind"], job.id) == queue.DONE
    (job,) = _jobs(factory)
    assert job.attempts == 2 and job.error == "serveur occupé"
    with factory() as s:
        assert s.get_one(ProForma, pf_id).check_summary == "pass"


def test_a_recheck_is_a_job(world, factory):
    pf_id = generate(world, factory, [world.contracts1[0]])[0]
    deposit(world, factory, pf_id)
    assert jobs.run_pending(factory) == 1
    with factory.begin() as s:
        job_id = review.rerun_checks(s, world.instructeur, pf_id)
    assert _count(factory, CheckRun) == 1
    with factory() as s:
        assert review_screen.review_data(s, world.instructeur, pf_id).pending
    assert jobs.run_job(factory, job_id) == queue.DONE
    assert _count(factory, CheckRun) == 2
    with factory() as s:
        ev = s.scalars(select(Event).where(Event.action == "checks_rerun")).one()
        assert ev.data["job_id"] == job_id and ev.actor_id == world.instructeur.user_id


def test_the_console_says_when_no_worker_answers():
    since = datetime(2026, 11, 28, 10, 0)
    assert queue.Pending(since, False).label(since + timedelta(seconds=30)) == \
        "contrôles en cours"
    assert queue.Pending(since, False).label(since + timedelta(minutes=7, seconds=5)) == \
        "contrôles en cours — en attente d'un worker depuis 7 min"
    assert queue.Pending(since, True).label(since + timedelta(minutes=7)) == \
        "contrôles en cours"


def test_the_local_pool_runs_the_jobs(world, factory):
    pf_ids = [generate(world, factory, [c])[0] for c in world.contracts1[:2]]
    pool = jobs.LocalWorkers(factory, threads=2, poll_s=0.2).start()
    try:
        for pf_id in pf_ids:
            deposit(world, factory, pf_id)
        assert jobs.drain(factory, timeout=120)
    finally:
        pool.stop()
    assert _count(factory, CheckRun) == len(pf_ids)
    assert {j.state for j in _jobs(factory)} == {queue.DONE}


def test_versions_per_pro_forma_are_bounded(world, factory):
    set_setting(factory, deposits.MAX_VERSIONS_KEY, "2")
    pf_id = generate(world, factory, [world.contracts1[0]])[0]
    deposit(world, factory, pf_id)
    deposit(world, factory, pf_id)
    with pytest.raises(InvalidInput, match="a déjà reçu 2 versions de facture, le maximum"):
        deposit(world, factory, pf_id)
    assert _count(factory, Document) == 2


def test_deposits_per_cfa_and_hour_are_bounded(world, factory):
    set_setting(factory, deposits.MAX_DEPOSITS_KEY, "2")
    pf_ids = [generate(world, factory, [c])[0] for c in world.contracts1[:3]]
    deposit(world, factory, pf_ids[0])
    deposit(world, factory, pf_ids[1])
    with pytest.raises(InvalidInput, match="déjà déposé 2 fichiers dans la dernière heure"):
        deposit(world, factory, pf_ids[2])
    other = generate(world, factory, [world.contracts2[0]], actor=world.cfa2)[0]
    deposit(world, factory, other, actor=world.cfa2)  # another CFA is not held back
    assert _count(factory, Document) == 3


@pytest.mark.skipif(not ON_POSTGRES, reason="procrastinate needs PostgreSQL")
def test_a_procrastinate_worker_lands_the_verdicts(world, factory, db_url):
    pf_ids = [generate(world, factory, [c])[0] for c in world.contracts1[:2]]
    for pf_id in pf_ids:
        deposit(world, factory, pf_id)
    with factory() as s:
        queued = s.scalar(select(func.count()).select_from(CheckJob))
        deferred = s.scalar(text("SELECT count(*) FROM procrastinate_jobs "
                                 "WHERE task_name = 'check_document'"))
    assert queued == deferred == 2
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DATABASE_URL": db_url}
    worker = subprocess.Popen([sys.executable, "-m", "workflow.deposits.worker",
                               "--concurrency", "2"], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        assert jobs.drain(factory, timeout=120), "the worker landed nothing in 120 s"
    finally:
        worker.terminate()
        out = worker.communicate(timeout=30)[0].decode(errors="replace")
    assert _count(factory, CheckRun) == 2, out
    with factory() as s:
        assert {p.check_summary for p in s.scalars(select(ProForma).where(
            ProForma.id.in_(pf_ids)))} == {"pass"}



def test_the_review_screen_reads_only_the_displayed_versions_bytes(world, factory):
    pf_id = generate(world, factory, [world.contracts1[0]])[0]
    deposit(world, factory, pf_id)
    deposit(world, factory, pf_id)
    with factory() as s:
        data = review_screen.review_data(s, world.instructeur, pf_id)
        assert data.documents[0].content.startswith(b"%PDF")
        assert data.documents[1].content is None  # read when downloaded
        old = review_screen.document_file(s, world.instructeur, data.documents[1].id)
        stored = s.get_one(Document, data.documents[1].id)
        assert old.data == stored.content and old.filename == stored.filename


def test_no_validation_on_pending_checks(world, factory):
    pf_id = generate(world, factory, [world.contracts1[0]])[0]
    deposit(world, factory, pf_id)
    with factory() as s:
        ver = s.get_one(ProForma, pf_id).version
    with pytest.raises(WorkflowError, match="contrôles en cours ; attendez leurs résultats"), \
            factory.begin() as s:
        decisions.validate(s, world.instructeur, pf_id, ver)
    jobs.run_pending(factory)
    with factory.begin() as s:
        decisions.validate(s, world.instructeur, pf_id, ver)
