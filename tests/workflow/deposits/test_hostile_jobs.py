"""Issue 16's hostile files through the job path (deposit, then the check job), and the rest of
the console answering while one of them is being checked: another session's login, review queue
and validation of another pro forma. Runs on SQLite and, in the PostgreSQL pass, on PostgreSQL.

The files are generated small on disk by ``tests/checks/test_sandbox.py``'s generators. Times
are generous upper bounds proving "never a hang, never a wait behind the file" on a loaded
2-core machine, not benchmarks: what is asserted is that each call answered while the costly
job was still running.

Marked ``queued``: jobs stay on the queue (tests/conftest.py does not run them at commit).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from sqlalchemy import select

from checks import sandbox
from db.models import CheckJob, Document, ProForma
from domain.errors import InvalidInput
from tests.checks.test_sandbox import (
    big_pages,
    inflating_pdf,
    nested_forms,
    progressive_jpeg,
    strip_png,
    tall_page,
)
from tests.factories import PASSWORD
from tests.workflow.reviewkit import deposit, generate
from workflow.accounts.auth import authenticate
from workflow.deposits import deposits, jobs, queue
from workflow.review import decisions, review, review_screen

pytestmark = pytest.mark.queued
SHORT_S = 4.0  # the checks' wall clock for the files that would run for minutes
SLACK_S = 30.0  # on top of a limit: a loaded 2-core machine, a killed sandbox worker replaced
ANSWER_S = 15.0  # the longest a login, a queue or a validation may take meanwhile (generous)
COSTLY_S = 15.0  # the costly job's wall clock in the answering test (it runs that long)

HOSTILE: dict[str, tuple[str, Callable[[], bytes]]] = {
    "progressive_jpeg": ("scan.jpg", progressive_jpeg),
    "nested_forms": ("facture.pdf", nested_forms),
    "inflating_pdf": ("facture.pdf", inflating_pdf),
    "tall_page": ("facture.pdf", tall_page),
    "strip_png": ("scan.png", strip_png),
    "big_pages": ("facture.pdf", big_pages),
}


def store_costly(world, factory, pf_id: int, actor=None) -> None:
    """Deposit a real invoice for ``pf_id`` whose stored bytes then turn costly to check: a
    progressive JPEG whose last scan is repeated (a minute of decoding). Its check job, left on
    the queue, reads that file. (Depositing the JPEG itself may already be refused by the
    deposit's validation within its deadline on a loaded machine: then no job would run.)"""
    deposit(world, factory, pf_id, actor=actor)
    with factory.begin() as s:
        doc = s.scalars(select(Document).where(Document.pro_forma_id == pf_id)).one()
        doc.content, doc.media_type, doc.filename = progressive_jpeg(), "image/jpeg", "scan.jpg"


def assert_never_passed(view) -> None:
    """A hostile file's landed run: nothing the file must show passes (its total, pro forma
    number, SIRET, IBAN); when the sandbox stopped it, every check is ``unknown`` and says why.
    (On an idle machine the progressive JPEG may be read to its end within the limits.)"""
    assert view is not None
    outcomes = {v.name: v.outcome for v in view.verdicts}
    assert all(outcomes[n] != "pass" for n in ("total", "pro_forma_number", "siret", "iban"))
    if any(v.message.startswith(sandbox.TOO_COSTLY) for v in view.verdicts):
        assert {v.outcome for v in view.verdicts if v.name != "duplicate"} == {"unknown"}
        assert all(v.message.startswith(sandbox.TOO_COSTLY)
                   for v in view.verdicts if v.name != "duplicate")


def _job_of(factory, pf_id: int) -> CheckJob | None:
    with factory() as s:
        return s.scalars(select(CheckJob).where(CheckJob.pro_forma_id == pf_id)
                         .order_by(CheckJob.id.desc())).first()


@pytest.mark.parametrize("name", list(HOSTILE))
def test_each_hostile_file_is_refused_or_unknown_through_the_job(world, factory, monkeypatch,
                                                                 name):
    """Deposited for real: refused at the deposit (nothing stored), or stored and its check job
    lands no `pass` on what the file must show — within the limits, never a hang."""
    monkeypatch.setattr(sandbox, "CHECK_TIMEOUT_S", SHORT_S)
    monkeypatch.setattr(sandbox, "PRECHECK_TIMEOUT_S", SHORT_S)
    filename, make = HOSTILE[name]
    data = make()
    assert len(data) < 1_000_000  # small on disk
    pf_id = generate(world, factory, [world.contracts1[0]])[0]
    start = time.monotonic()
    try:
        with factory.begin() as s:
            deposits.deposit(s, world.cfa1, pf_id, data, filename)
    except InvalidInput as exc:
        assert time.monotonic() - start < SHORT_S + SLACK_S
        assert "\n" not in exc.message and "Traceback" not in exc.message
        with factory() as s:
            assert s.scalars(select(Document).where(Document.pro_forma_id == pf_id)).all() == []
        return
    job = _job_of(factory, pf_id)
    assert job is not None
    assert jobs.run_now(factory.kw["bind"], job.id) in {queue.DONE, queue.FAILED}
    assert time.monotonic() - start < 2 * SHORT_S + SLACK_S
    with factory() as s:
        view = review_screen.review_data(s, world.instructeur, pf_id).latest_run
    assert_never_passed(view)


def test_login_queue_and_validation_answer_while_a_costly_file_is_checked(world, factory,
                                                                          monkeypatch):
    """A progressive JPEG whose last scan is repeated (a minute of decoding) is deposited and its
    check job runs in a thread (as a worker would); meanwhile another session logs in, reads the
    review queue and validates other pro formas, each answering while the job still runs."""
    monkeypatch.setattr(sandbox, "CHECK_TIMEOUT_S", COSTLY_S)
    others = decidable_others(world, factory)
    costly_pf = generate(world, factory, [world.contracts1[0]])[0]
    store_costly(world, factory, costly_pf)
    job = _job_of(factory, costly_pf)
    assert job is not None and job.state == queue.PENDING
    with factory() as s:  # warm: time the calls, not a first query
        review.queue(s, world.instructeur)

    outcome: list[str] = []
    runner = threading.Thread(target=lambda: outcome.append(jobs.run_job(factory, job.id)))
    runner.start()
    try:
        deadline = time.monotonic() + SLACK_S
        while _job_of(factory, costly_pf).state == queue.PENDING:  # type: ignore[union-attr]
            assert time.monotonic() < deadline, "the job was never claimed"
            time.sleep(0.05)

        assert_others_answer(factory, world, others, runner, "job")
    finally:
        runner.join(COSTLY_S + SLACK_S)
    assert not runner.is_alive() and outcome == [queue.DONE]
    with factory() as s:
        view = review_screen.review_data(s, world.instructeur, costly_pf).latest_run
        validated = s.scalars(select(ProForma.status).where(ProForma.id.in_(others))).all()
    assert_never_passed(view)
    assert sum(status != "under_review" for status in validated) >= 1  # decided, for real


def decidable_others(world, factory) -> list[int]:
    """Five pro formas of both CFAs, deposited, their checks landed: ready to be decided while
    a costly file is read."""
    others = [generate(world, factory, [c])[0] for c in world.contracts1[2:4]]
    others += [generate(world, factory, [c], actor=world.cfa2)[0] for c in world.contracts2[:3]]
    for pf_id in others[:2]:
        deposit(world, factory, pf_id)
    for pf_id in others[2:]:
        deposit(world, factory, pf_id, actor=world.cfa2)
    assert jobs.run_pending(factory) == len(others)  # their verdicts are in: they can be decided
    return others


def assert_others_answer(factory, world, others: list[int], runner: threading.Thread,
                         what: str) -> None:
    """While ``runner`` reads a costly file, another session logs in, reads the queue and
    validates the pro formas ``others``: each kind of call answers within ANSWER_S, and at
    least once while ``runner`` is still alive."""
    def login() -> None:
        with factory.begin() as s:
            assert authenticate(s, "instr2@test.fr", PASSWORD).actor is not None

    def read_queue() -> None:
        with factory() as s:
            assert review.queue(s, world.instructeur).rows

    to_validate = list(others)

    def validate() -> None:
        pf_id = to_validate.pop(0)
        with factory.begin() as s:
            ver = s.get_one(ProForma, pf_id).version
            decisions.validate(s, world.instructeur, pf_id, ver)

    answered: dict[str, list[float]] = {"login": [], "queue": [], "validation": []}
    calls = {"login": login, "queue": read_queue, "validation": validate}
    while runner.is_alive() and to_validate:
        for kind, call in calls.items():
            start = time.monotonic()
            call()
            took = time.monotonic() - start
            assert took < ANSWER_S, f"{kind} took {took:.1f} s while the file was read"
            if runner.is_alive():  # answered while the file was still being read
                answered[kind].append(took)
        if all(answered.values()):
            break
        time.sleep(0.2)
    assert all(answered.values()), f"not every call answered while the {what} ran: {answered}"
