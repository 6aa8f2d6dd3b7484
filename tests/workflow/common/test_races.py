"""Races with real concurrent sessions: threads, each with its own connection and transaction,
lined up by a barrier so that both read before either writes.

On PostgreSQL the row locks (``FOR UPDATE``), the conditional UPDATE of the claim and the
version check decide; on SQLite, ``BEGIN IMMEDIATE`` serialises writers, which the same tests
prove does not break the rules either.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select

from db.models import Decision, Echeance, Payment, ProForma, ProFormaLine
from domain.clock import freeze
from domain.errors import AlreadyClaimed, WorkflowError
from domain.vocabulary import Status
from tests.workflow.reviewkit import deposit, generate, version
from workflow.billing import proformas
from workflow.payments import payments
from workflow.review import decisions, review


def race(factory, *calls: Callable[[Any], Any], timeout: float = 30) -> list[Any]:
    """Run each call in its own thread and transaction after a common barrier.

    Returns, per call, its result or the exception it raised (the transaction is rolled back).
    """
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)
    frozen = proformas.now()

    def run(i: int, call: Callable[[Any], Any]) -> None:
        freeze(frozen)
        try:
            with factory() as s, s.begin():
                barrier.wait(timeout)
                results[i] = call(s)
        except Exception as exc:  # noqa: BLE001 - the outcome under test
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    assert not any(t.is_alive() for t in threads), "deadlock"
    return results


def _winners(results: list[Any]) -> list[Any]:
    return [r for r in results if not isinstance(r, Exception)]


def _losers(results: list[Any]) -> list[Exception]:
    return [r for r in results if isinstance(r, Exception)]


def test_two_generations_over_the_same_echeances(world, factory):
    ids = world.eligible(world.cfa1_id)
    results = race(factory, *[
        (lambda s: [p.id for p in proformas.generate(s, world.cfa1, "pedagogie", ids)])
    ] * 2)
    (won,) = _winners(results)
    (lost,) = _losers(results)
    assert isinstance(lost, AlreadyClaimed), lost
    with factory() as s:
        claimed = dict(s.execute(select(Echeance.id, Echeance.pro_forma_id)
                                 .where(Echeance.id.in_(ids))).all())
        lines = s.scalars(select(ProFormaLine.echeance_id).where(
            ProFormaLine.pro_forma_id != world.paid_pro_forma_id)).all()
        assert s.scalar(select(func.count(ProForma.id)).where(
            ProForma.id != world.paid_pro_forma_id)) == len(won)
    assert set(claimed.values()) <= set(won) and None not in claimed.values()
    assert sorted(lines) == sorted(ids)  # each échéance exactly once


def test_two_instructeurs_deciding_the_same_pro_forma(world, factory):
    pf_id = generate(world, factory, [world.contracts1[0]])[0]
    deposit(world, factory, pf_id)
    seen = version(factory, pf_id)
    results = race(
        factory,
        lambda s: decisions.validate(s, world.instructeur, pf_id, seen).id,
        lambda s: decisions.refuse(s, world.instructeur2, pf_id, seen, "MONTANTTOTAL_ERR").id,
    )
    assert len(_winners(results)) == 1
    (lost,) = _losers(results)
    assert isinstance(lost, WorkflowError) and "modifiée entre-temps" in str(lost)
    with factory() as s:
        assert s.scalar(select(func.count(Decision.id))) == 1
        assert s.get_one(ProForma, pf_id).version == seen + 1


def test_a_cfa_cancelling_while_an_instructeur_validates(world, factory):
    pf_id = generate(world, factory, [world.contracts1[0]])[0]
    deposit(world, factory, pf_id)
    seen = version(factory, pf_id)
    results = race(
        factory,
        lambda s: proformas.cancel(s, world.cfa1, pf_id, expected_version=seen).status,
        lambda s: decisions.validate(s, world.instructeur, pf_id, seen).outcome,
    )
    (won,) = _winners(results)
    (lost,) = _losers(results)
    assert isinstance(lost, WorkflowError) and str(lost)  # a clear French message
    with factory() as s:
        pf = s.get_one(ProForma, pf_id)
        released = s.scalar(select(func.count(Echeance.id)).where(
            Echeance.pro_forma_id == pf_id))
        decided = s.scalar(select(func.count(Decision.id)))
    if won == Status.CANCELLED:
        assert pf.status == Status.CANCELLED and decided == 0 and released == 0
    else:
        assert pf.status == Status.VALIDATED and decided == 1 and released > 0


def test_a_payment_run_started_twice_pays_once(world, factory):
    ids = []
    for contract in (world.contracts1[0], world.contracts1[2]):
        pf_id = generate(world, factory, [contract])[0]
        deposit(world, factory, pf_id)
        with factory.begin() as s:
            decisions.validate(s, world.instructeur, pf_id, version(factory, pf_id))
        ids.append(pf_id)
    with factory() as s:  # both instructeurs confirmed the same screen
        confirmed = payments.plan_payment_run(s, world.instructeur, ids).seen
    results = race(factory, *[
        (lambda s, who=who: payments.execute_payment_run(s, who, confirmed).id)
        for who in (world.instructeur, world.instructeur2)
    ])
    assert len(_winners(results)) == 1
    (lost,) = _losers(results)
    assert isinstance(lost, WorkflowError) and "Rien n'a été payé" in str(lost)
    with factory() as s:
        per_invoice = dict(s.execute(select(Payment.pro_forma_id, func.count())
                                     .where(Payment.pro_forma_id != world.paid_pro_forma_id)
                                     .group_by(Payment.pro_forma_id)).all())
        statuses = set(s.scalars(select(ProForma.status).where(ProForma.id.in_(ids))))
    assert per_invoice == {i: 1 for i in ids} and statuses == {Status.PAID}


def test_two_instructeurs_taking_the_next_get_different_pro_formas(world, factory):
    ids = []
    for contract in (world.contracts1[0], world.contracts1[2]):
        pf_id = generate(world, factory, [contract])[0]
        deposit(world, factory, pf_id)
        ids.append(pf_id)
    results = race(factory, *[
        (lambda s, who=who: review.take_next(s, who).pro_forma_id)
        for who in (world.instructeur, world.instructeur2)
    ])
    assert sorted(results) == sorted(ids)  # SKIP LOCKED / the write lock: never the same one
    with factory() as s:
        holders = set(s.scalars(select(ProForma.assigned_to_id).where(ProForma.id.in_(ids))))
    assert holders == {world.instructeur.user_id, world.instructeur2.user_id}
