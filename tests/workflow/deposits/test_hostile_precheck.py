"""Issue 16: no database transaction is open while a CFA's pre-check reads its file. While a
costly file is pre-checked (in a thread, as the deposit dialog would), another session logs
in, reads the review queue and validates another pro forma, each answering while the pre-check
still runs. Runs on SQLite (where every transaction holds the write lock) and, in the
PostgreSQL pass, on PostgreSQL.

Times are generous upper bounds on a loaded 2-core machine, not benchmarks: what is asserted
is that each call answered while the pre-check was still running (structure and file of
``tests/workflow/deposits/test_hostile_jobs.py``'s job test).
"""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import select

from checks import sandbox
from db.models import Document, ProForma
from domain.errors import InvalidInput
from tests.checks.test_sandbox import progressive_jpeg
from tests.workflow.deposits.test_hostile_jobs import assert_others_answer, decidable_others
from tests.workflow.reviewkit import generate
from workflow.deposits import deposits
from workflow.review import review

pytestmark = pytest.mark.queued
COSTLY_S = 15.0  # the pre-check's wall clock for the costly file (it runs that long)
SLACK_S = 30.0  # on top of a limit: a loaded 2-core machine, a sandbox worker replaced
ANSWER_S = 15.0  # the longest a login, a queue or a validation may take meanwhile (generous)
STARTED_S = 2.0  # the pre-check's access checks are done by then; the file is being read


def test_login_queue_and_validation_answer_while_a_costly_file_is_prechecked(world, factory,
                                                                             monkeypatch):
    monkeypatch.setattr(sandbox, "PRECHECK_TIMEOUT_S", COSTLY_S)
    others = decidable_others(world, factory)
    costly_pf = generate(world, factory, [world.contracts1[0]])[0]
    data = progressive_jpeg()  # a minute of decoding, stopped by the pre-check's deadline
    with factory() as s:  # warm: time the calls, not a first query
        review.queue(s, world.instructeur)

    outcome: list[object] = []

    def precheck() -> None:
        try:
            outcome.append(deposits.precheck(factory, world.cfa1, costly_pf, data, "scan.jpg"))
        except InvalidInput as exc:
            outcome.append(exc)

    runner = threading.Thread(target=precheck)
    started = time.monotonic()
    runner.start()
    try:
        time.sleep(STARTED_S)
        assert runner.is_alive(), "the costly pre-check ended at once"

        assert_others_answer(factory, world, others, runner, "pre-check")
    finally:
        runner.join(COSTLY_S + SLACK_S)
    assert not runner.is_alive()
    assert time.monotonic() - started < COSTLY_S + SLACK_S
    # stopped by its deadline, the file is refused in French; read to its end (an idle
    # machine), it gets verdicts: either way nothing is stored
    (result,) = outcome
    if isinstance(result, InvalidInput):
        assert result.message.startswith(sandbox.TOO_COSTLY)
    else:
        assert isinstance(result, deposits.Precheck)
    with factory() as s:
        assert s.scalars(select(Document).where(Document.pro_forma_id == costly_pf)).all() == []
        validated = s.scalars(select(ProForma.status).where(ProForma.id.in_(others))).all()
    assert sum(status != "under_review" for status in validated) >= 1  # decided, for real
