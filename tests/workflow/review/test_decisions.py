"""Decisions: validate, refuse with a letter, stale versions, justification, four eyes."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from sqlalchemy import select

from db.models import Decision, Event, Notice, ProForma
from domain.errors import AccessDenied, InvalidInput, StaleVersion, WorkflowError
from domain.vocabulary import Status
from seed.reference import REFUSAL_REASONS
from tests.workflow.reviewkit import (
    OTHER_IBAN,
    deposit,
    generate,
    queue_of,
    seen,
    set_setting,
    version,
)
from workflow.billing import proformas
from workflow.review import decisions

SEED_LETTER = dict((c, t) for c, _, t, _ in REFUSAL_REASONS)["MONTANTTOTAL_ERR"]


def test_validate_records_who_when_version_and_checks_seen(world, factory):
    (pf_id,) = queue_of(world, factory, 1)
    v = version(factory, pf_id)
    with factory.begin() as s:
        decisions.validate(s, world.instructeur, pf_id, v)
    with factory() as s:
        pf = s.get_one(ProForma, pf_id)
        d = s.scalars(select(Decision)).one()
        ev = s.scalars(select(Event).where(Event.action == "validated")).one()
    assert pf.status == Status.VALIDATED and pf.version == v + 1
    assert (d.decided_by_id, d.version, d.outcome) == (world.instructeur.user_id, v, "validated")
    assert d.checks_seen["total"] == "pass" and d.document_id is not None and d.at
    assert not pf.needs_second_approval and ev.from_status == Status.UNDER_REVIEW


def test_two_instructeurs_deciding_the_same_pro_forma_only_one_decision(world, factory):
    (pf_id,) = queue_of(world, factory, 1)
    v = version(factory, pf_id)
    with factory.begin() as s:
        decisions.validate(s, world.instructeur, pf_id, v)
    with pytest.raises(StaleVersion, match="modifiée entre-temps"), factory.begin() as s:
        decisions.refuse(s, world.instructeur2, pf_id, v, "MONTANTTOTAL_ERR")
    with factory() as s:
        assert len(s.scalars(select(Decision)).all()) == 1
        assert s.scalars(select(Notice)).all() == []


def test_concurrent_decisions_on_the_same_version_exactly_one_wins(world, factory):
    (pf_id,) = queue_of(world, factory, 1)
    v = version(factory, pf_id)
    barrier, outcomes = threading.Barrier(2), []

    def decide(fn):
        try:
            with factory.begin() as s:
                barrier.wait(timeout=10)
                fn(s)
            outcomes.append("ok")
        except StaleVersion:
            outcomes.append("stale")

    runs = [lambda s: decisions.validate(s, world.instructeur, pf_id, v),
            lambda s: decisions.refuse(s, world.instructeur2, pf_id, v, "CMD_ERR")]
    threads = [threading.Thread(target=decide, args=(f,)) for f in runs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes) == ["ok", "stale"]
    with factory() as s:
        assert len(s.scalars(select(Decision)).all()) == 1


def test_decision_after_the_cfa_replaced_the_file_is_refused(world, factory):
    (pf_id,) = queue_of(world, factory, 1)
    seen = version(factory, pf_id)
    deposit(world, factory, pf_id, own="FA-2026-0999")
    with pytest.raises(StaleVersion), factory.begin() as s:
        decisions.validate(s, world.instructeur, pf_id, seen)
    with factory.begin() as s:
        decisions.validate(s, world.instructeur, pf_id, version(factory, pf_id))


def test_decision_after_cancellation_is_refused(world, factory):
    (pf_id,) = queue_of(world, factory, 1)
    seen = version(factory, pf_id)
    with factory.begin() as s:
        proformas.cancel(s, world.cfa1, pf_id)
    with pytest.raises(StaleVersion), factory.begin() as s:
        decisions.refuse(s, world.instructeur, pf_id, seen, "DOUBLON")


def test_validating_against_a_failed_check_needs_a_justification(world, factory):
    pf_id = generate(world, factory, [world.contracts1[0]])[0]
    deposit(world, factory, pf_id, total=Decimal("15910.00"))
    v = version(factory, pf_id)
    with pytest.raises(InvalidInput, match="justification est obligatoire"), \
            factory.begin() as s:
        decisions.validate(s, world.instructeur, pf_id, v, justification="  ")
    assert version(factory, pf_id) == v
    with factory.begin() as s:
        decisions.validate(s, world.instructeur, pf_id, v,
                           justification="Écart de 90 € expliqué par téléphone.")
    with factory() as s:
        d = s.scalars(select(Decision)).one()
        assert d.against_checks and d.comment.startswith("Écart")
        assert d.checks_seen["total"] == "fail"


def test_refusal_sends_the_seed_letter_to_the_cfa(world, factory):
    pf_id = generate(world, factory, [world.contracts1[0]])[0]
    deposit(world, factory, pf_id, total=Decimal("15910.00"))
    with factory() as s:
        preview = decisions.letter_preview(s, world.instructeur, "MONTANTTOTAL_ERR")
    with factory.begin() as s:
        decisions.refuse(s, world.instructeur, pf_id, version(factory, pf_id),
                         "MONTANTTOTAL_ERR")
    with factory() as s:
        notice = s.scalars(select(Notice)).one()
        pf = s.get_one(ProForma, pf_id)
        ev = s.scalars(select(Event).where(Event.action == "refused")).one()
    assert notice.body == SEED_LETTER == preview
    assert "Le montant indiqué n'est pas égal au montant de la facture pro forma" in notice.body
    assert notice.reason_label == "Montant non conforme à la facture pro forma"
    assert notice.cfa_id == world.cfa1_id and pf.status == Status.REFUSED
    assert ev.reason == notice.reason_label


def test_autre_requires_a_comment_which_the_letter_carries(world, factory):
    (pf_id,) = queue_of(world, factory, 1)
    v = version(factory, pf_id)
    with pytest.raises(InvalidInput, match="exige un commentaire"), factory.begin() as s:
        decisions.refuse(s, world.instructeur, pf_id, v, "AUTRE", comment=" ")
    with pytest.raises(InvalidInput, match="motif de refus du catalogue"), \
            factory.begin() as s:
        decisions.refuse(s, world.instructeur, pf_id, v, "PAS_UN_MOTIF")
    with factory.begin() as s:
        decisions.refuse(s, world.instructeur, pf_id, v, "AUTRE",
                         comment="Certificat de réalisation manquant.")
    with factory() as s:
        body = s.scalars(select(Notice.body)).one()
    assert "Précision de nos services : Certificat de réalisation manquant." in body
    assert body.endswith("La direction des opérations.")


def test_catalogue_lists_the_active_reasons_with_codes(world, factory):
    with factory() as s:
        reasons = decisions.refusal_reasons(s, world.instructeur)
    codes = [r.code for r in reasons]
    assert codes[0] == "MONTANTTOTAL_ERR" and "AUTRE" in codes and "COORD_BANC_ERR" in codes
    assert next(r for r in reasons if r.code == "AUTRE").requires_comment


def _validated(world, factory, **deposit_kw):
    pf_id = generate(world, factory, [world.contracts1[0]])[0]
    deposit(world, factory, pf_id, **deposit_kw)
    with factory.begin() as s:
        decisions.validate(s, world.instructeur, pf_id, version(factory, pf_id),
                           justification="Vu.")
    return pf_id


def test_four_eyes_above_the_threshold_and_no_self_approval(world, factory):
    set_setting(factory, "four_eyes_threshold", "10000.00")
    pf_id = _validated(world, factory)
    with factory() as s:
        assert s.get_one(ProForma, pf_id).needs_second_approval
    with pytest.raises(WorkflowError, match="propre décision"), factory.begin() as s:
        decisions.approve(s, world.instructeur, seen(s, pf_id))
    with factory.begin() as s:
        decisions.approve(s, world.instructeur2, seen(s, pf_id))
    with pytest.raises((StaleVersion, WorkflowError)), factory.begin() as s:
        decisions.approve(s, world.manager, seen(s, pf_id))
    with factory() as s:
        pf = s.get_one(ProForma, pf_id)
        assert pf.approved_by_id == world.instructeur2.user_id
        assert s.scalars(select(Event.action).where(Event.action == "approved")).one()


def test_below_the_threshold_no_second_approval(world, factory):
    pf_id = _validated(world, factory)
    with factory() as s:
        assert not s.get_one(ProForma, pf_id).needs_second_approval
    with pytest.raises(WorkflowError, match="n'attend pas"), factory.begin() as s:
        decisions.approve(s, world.instructeur2, seen(s, pf_id))


def test_four_eyes_when_validated_against_a_failed_iban(world, factory):
    pf_id = _validated(world, factory, iban=OTHER_IBAN)
    with factory() as s:
        pf = s.get_one(ProForma, pf_id)
        assert pf.needs_second_approval and pf.total < Decimal("50000")


def test_managers_decide_too(world, factory):
    ids = queue_of(world, factory, 2)
    with factory.begin() as s:
        decisions.validate(s, world.manager, ids[0], version(factory, ids[0]))
    with factory.begin() as s:
        decisions.refuse(s, world.manager, ids[1], version(factory, ids[1]), "SIRET_ERR")


@pytest.mark.parametrize("who", ["cfa1", "cfa2", "admin"])
def test_cfa_users_and_admins_cannot_decide(world, factory, who):
    (pf_id,) = queue_of(world, factory, 1)
    actor, v = getattr(world, who), version(factory, pf_id)
    for call in (lambda s: decisions.validate(s, actor, pf_id, v),
                 lambda s: decisions.refuse(s, actor, pf_id, v, "CMD_ERR"),
                 lambda s: decisions.approve(s, actor, seen(s, pf_id)),
                 lambda s: decisions.letter_preview(s, actor, "CMD_ERR")):
        with pytest.raises(AccessDenied), factory.begin() as s:
            call(s)
    if who != "admin":
        with pytest.raises(AccessDenied), factory() as s:
            decisions.refusal_reasons(s, actor)
    assert version(factory, pf_id) == v
