"""Audit: every state change has its event (who, when, from, to, reason, version); the log
cannot be changed or deleted; replaying a pro forma's log arrives at its current status.

Pro formas are taken through every path of the status table: cancelled while awaiting, paid
with a credit note deducted, refused then corrected then replaced then cancelled, validated
above the four-eyes threshold then approved and paid by a payment run, and a credit note in
remboursement mode reimbursed.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import delete, insert, select, text, update
from sqlalchemy.exc import DBAPIError

from db.models import Echeance, Event, ProForma
from domain.lifecycle import ALLOWED
from domain.vocabulary import Status
from tests.factories import TODAY
from tests.workflow.reviewkit import (
    MIXED,
    deposit,
    generate,
    seen,
    seen_note,
    seen_run,
    set_setting,
    version,
)
from workflow.billing import proformas
from workflow.payments import payments
from workflow.review import decisions


def _validate(world, factory, pf_id: int, actor=None) -> None:
    with factory.begin() as s:
        decisions.validate(s, actor or world.instructeur, pf_id, version(factory, pf_id))


@pytest.fixture
def every_path(world, factory) -> dict[str, int]:
    """Pro formas of cfa1 taken through every path; {path: pro forma id}."""
    made: dict[str, int] = {}
    c = world.contracts1
    made["cancelled"] = generate(world, factory, [c[3]])[0]
    with factory.begin() as s:
        proformas.cancel(s, world.cfa1, made["cancelled"])
    # paid, with its credit note deducted (settled)
    made["paid"], made["deducted"] = generate(world, factory, MIXED, mode="deduction")
    for key in ("paid", "deducted"):
        deposit(world, factory, made[key])
        _validate(world, factory, made[key])
    with factory.begin() as s:
        payments.pay(s, world.instructeur, seen(s, made["paid"]), "VIR-1")
    # refused, corrected, replaced, cancelled
    made["reworked"] = generate(world, factory, [c[3]])[0]
    deposit(world, factory, made["reworked"])
    with factory.begin() as s:
        decisions.refuse(s, world.instructeur, made["reworked"], version(factory, made["reworked"]),
                         "MONTANTTOTAL_ERR", "Le total diffère")
    deposit(world, factory, made["reworked"], own="FA-2")
    deposit(world, factory, made["reworked"], own="FA-3")
    with factory.begin() as s:
        proformas.cancel(s, world.cfa1, made["reworked"])
    # four eyes: validated, approved by another instructeur, paid by a run
    set_setting(factory, "four_eyes_threshold", "1.00")
    made["approved"] = generate(world, factory, [c[0]])[0]
    deposit(world, factory, made["approved"])
    _validate(world, factory, made["approved"])
    with factory.begin() as s:
        decisions.approve(s, world.instructeur2, seen(s, made["approved"]))
    with factory.begin() as s:
        payments.execute_payment_run(s, world.manager,
                                     seen_run(s, world.manager, [made["approved"]]))
    # a credit note in remboursement mode, reimbursed; its invoice left under review: a
    # further trop-perçu on A1 (a dossier of its own: the split is per dossier, issue 18)
    with factory.begin() as s:
        s.execute(insert(Echeance), [{
            "contract_id": c[1], "cfa_id": world.cfa1_id, "nature": "pedagogie",
            "kind": "regularisation", "year": 1, "period_start": date(2025, 9, 1),
            "period_end": date(2026, 4, 30), "due_on": TODAY.date(),
            "amount": Decimal("-120.00"), "detail": "Trop-perçu", "pro_forma_id": None}])
    made["under_review"], made["reimbursed"] = generate(world, factory, [c[2], c[1]],
                                                        mode="remboursement")
    for key in ("under_review", "reimbursed"):
        deposit(world, factory, made[key])
    _validate(world, factory, made["reimbursed"])
    with factory.begin() as s:
        payments.record_reimbursement(s, world.instructeur, seen_note(s, made["reimbursed"]),
                                      "REMB-1")
    return made


EXPECTED = {
    "cancelled": Status.CANCELLED, "paid": Status.PAID, "deducted": Status.PAID,
    "reworked": Status.CANCELLED, "approved": Status.PAID, "reimbursed": Status.PAID,
    "under_review": Status.UNDER_REVIEW,
}


def _changes(session, pf_id: int) -> list[Event]:
    """The status-changing events of a pro forma, in order."""
    return list(session.scalars(select(Event).where(
        Event.pro_forma_id == pf_id, Event.to_status.isnot(None)).order_by(Event.id)))


def check_replay(world, factory, every_path):
    """Replaying each pro forma's status changes arrives at its current status."""
    with factory() as s:
        for path, pf_id in every_path.items():
            pf = s.get_one(ProForma, pf_id)
            assert pf.status == EXPECTED[path], path
            status = None
            for ev in _changes(s, pf_id):
                assert ev.from_status == status, (path, ev.action)
                if status is not None and ev.to_status != status:
                    assert Status(ev.to_status) in ALLOWED[Status(status)], (path, ev.action)
                status = ev.to_status
            assert status == pf.status, path


def test_every_state_change_has_its_event_and_the_log_replays(world, factory, every_path):
    check_replay(world, factory, every_path)  # one fixture build for both checks
    with factory() as s:
        for path, pf_id in every_path.items():
            pf = s.get_one(ProForma, pf_id)
            changes = _changes(s, pf_id)
            # one event per version: nothing changed the pro forma without writing one
            assert [e.version for e in changes] == list(range(1, pf.version + 1)), path
            for ev in changes:
                assert ev.actor_id is not None and ev.at is not None, (path, ev.action)
                assert ev.entity == "pro_forma" and ev.entity_id == pf_id
            refusals = [e for e in changes if e.to_status == Status.REFUSED]
            assert all(e.reason for e in refusals)
        reworked = [e.action for e in _changes(s, every_path["reworked"])]
        assert reworked == ["generated", "deposited", "refused", "replaced", "replaced",
                            "cancelled"]
        who = {e.action: e.actor_id for e in _changes(s, every_path["approved"])}
        assert (who["validated"], who["approved"], who["paid"]) == (
            world.instructeur.user_id, world.instructeur2.user_id, world.manager.user_id)


def test_events_cannot_be_changed_or_deleted(world, factory):
    pf_id = generate(world, factory, [world.contracts1[0]])[0]
    with factory.begin() as s:
        proformas.cancel(s, world.cfa1, pf_id)
    with factory() as s:
        first = s.scalars(select(Event).order_by(Event.id).limit(1)).one()
        first_id, first_action = first.id, first.action
    attempts = [
        lambda s: setattr(s.get_one(Event, first_id), "to_status", "paid"),  # ORM update
        lambda s: s.delete(s.get_one(Event, first_id)),  # ORM delete
        lambda s: s.execute(update(Event).values(reason="effacé")),
        lambda s: s.execute(delete(Event).where(Event.id == first_id)),
        lambda s: s.execute(text("UPDATE event SET actor_id = NULL")),
        lambda s: s.execute(text("DELETE FROM event")),
    ]
    for attempt in attempts:
        with pytest.raises(DBAPIError), factory.begin() as s:
            attempt(s)
            s.flush()
    with factory() as s:
        assert s.get_one(Event, first_id).action == first_action
        assert s.scalar(select(Event.id).order_by(Event.id).limit(1)) == first_id
