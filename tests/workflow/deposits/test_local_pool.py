"""The local worker pool runs in its own process, with its own sandbox (issue 16): a CFA's
pre-check, read in the console's sandbox, never waits behind a burst of queued check jobs.

The pool is started as the console's server starts it (``workflow.deposits.worker.spawn_local``:
on SQLite the local pool, on PostgreSQL — in the PostgreSQL pass — a procrastinate worker).
The burst is of costly files (a progressive JPEG whose last scan is repeated, stopped by the
sandbox at ``CHECK_TIMEOUT_S``), so the pool's two sandbox processes are surely busy. Had the
pool shared the console's sandbox, the pre-check would queue until one of those files was
stopped, and that job would have landed first. Marked ``queued``.
"""

from __future__ import annotations

import os
import time

import pytest
from sqlalchemy import func, select

from checks import sandbox
from db.models import CheckJob, CheckRun, Document, ProForma
from tests.workflow.deposits.test_hostile_jobs import store_costly
from tests.workflow.reviewkit import generate, invoice_bytes
from workflow.deposits import deposits, queue, worker

pytestmark = pytest.mark.queued
START_S = 90.0  # the pool's process starting on a loaded 2-core machine


def _running(factory, ids: list[int]) -> int:
    with factory() as s:
        return s.scalar(select(func.count()).select_from(CheckJob).where(
            CheckJob.id.in_(ids), CheckJob.state == queue.RUNNING)) or 0


def test_a_precheck_never_waits_behind_a_burst_of_check_jobs(world, factory, db_url):
    burst = [generate(world, factory, [c])[0] for c in world.contracts1[2:4]]
    burst += [generate(world, factory, [c], actor=world.cfa2)[0] for c in world.contracts2[:2]]
    for pf_id in burst[:2]:
        store_costly(world, factory, pf_id)
    for pf_id in burst[2:]:
        store_costly(world, factory, pf_id, actor=world.cfa2)
    checked = generate(world, factory, [world.contracts1[0]])[0]
    with factory() as s:
        job_ids = list(s.scalars(select(CheckJob.id).where(CheckJob.pro_forma_id.in_(burst))))
        pf = s.get_one(ProForma, checked)
        data = invoice_bytes(s, pf)
    assert sandbox.run(os.getpid, timeout=60) != os.getpid()  # the console's sandbox is up

    pool = worker.spawn_local(db_url, concurrency=2)
    try:
        deadline = time.monotonic() + START_S
        while _running(factory, job_ids) < 2:  # both of the pool's jobs are reading a file
            assert pool.poll() is None, "the pool's process stopped"
            assert time.monotonic() < deadline, "the pool never took two jobs"
            time.sleep(0.1)
        time.sleep(1.0)
        start = time.monotonic()
        result = deposits.precheck(factory, world.cfa1, pf.id, data, "facture.pdf")
        took = time.monotonic() - start
        with factory() as s:
            landed = s.scalar(select(func.count()).select_from(CheckRun).join(
                Document, Document.id == CheckRun.document_id).where(
                Document.pro_forma_id.in_(burst)))
        running = _running(factory, job_ids)
    finally:
        worker.stop_local(pool)
    print(f"pre-check answered in {took:.1f} s with {running} check jobs running")
    assert result.report.outcome("total") == "pass" and result.report.outcome("file") == "pass"
    assert landed == 0 and running == 2, "the pre-check waited for a check job"
    assert took < sandbox.PRECHECK_TIMEOUT_S
