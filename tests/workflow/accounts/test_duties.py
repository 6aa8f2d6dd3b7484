"""Separation of duties (workflow/duties.py), on the attacks of issue 17 item 2: one manager
defeating four eyes through a colleague's reset password, a threshold changed alone, an
administrator making itself an account that pays."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from db.models import Event, ProForma, User
from domain.errors import InvalidInput, WorkflowError
from seed.demo import make_user
from tests.factories import PASSWORD, password_hash
from tests.workflow.reviewkit import deposit, generate, seen, version
from workflow.accounts import admin
from workflow.accounts.auth import authenticate, change_password
from workflow.common.access import actor_of
from workflow.payments import payments
from workflow.review import decisions

NEW = "une phrase bien à moi"


def _take_over(factory, manager, user_id: int, email: str):
    """The manager resets an account's password, logs in with it and makes it its own."""
    with factory.begin() as s:
        temporary = admin.reset_password(s, manager, user_id)
    with factory.begin() as s:
        provisional = authenticate(s, email, temporary).actor
    with factory.begin() as s:
        change_password(s, provisional, temporary, NEW, NEW)
    with factory.begin() as s:
        return authenticate(s, email, NEW).actor


def _second_manager(factory):
    """A manager account nobody created through the console (seeded)."""
    with factory.begin() as s:
        user = make_user("manager2@test.fr", "Manager Deux", "manager", password_hash())
        s.add(user)
        s.flush()
        return actor_of(user)


def test_one_manager_cannot_defeat_four_eyes(world, factory):
    """Issue 17 item 2, as reported: lower the threshold, validate, reset instructeur2's
    password, log in as instructeur2, change it, approve, pay as the manager: refused."""
    manager = world.manager
    with factory.begin() as s:
        admin.set_four_eyes_threshold(s, manager, "1000")
    with factory() as s:  # a proposal: the threshold in force has not moved
        assert decisions.four_eyes_threshold(s) == Decimal("50000.00")
        assert admin.get_settings(s, manager).pending.value == Decimal("1000.00")
    with pytest.raises(WorkflowError, match="un autre gestionnaire"), factory.begin() as s:
        admin.approve_threshold(s, manager, "1000.00")
    with pytest.raises(WorkflowError, match="Seul un manager"), factory.begin() as s:
        admin.approve_threshold(s, world.admin, "1000.00")
    # nor through a manager account of its own making
    with factory.begin() as s:
        m3 = admin.create_user(s, manager, "m3@test.fr", "M3", "manager", "phrase initiale")
    puppet = _take_over(factory, manager, m3, "m3@test.fr")
    with pytest.raises(WorkflowError, match="un même gestionnaire"), factory.begin() as s:
        admin.approve_threshold(s, puppet, "1000.00")
    with factory() as s:
        assert decisions.four_eyes_threshold(s) == Decimal("50000.00")
    with factory.begin() as s:  # a genuine second manager
        admin.approve_threshold(s, _second_manager(factory), "1000.00")
    with factory() as s:
        assert decisions.four_eyes_threshold(s) == Decimal("1000.00")
        actions = s.scalars(select(Event.action).where(Event.entity == "setting")).all()
    assert actions == ["setting_proposed", "setting_changed", "setting_approved"]

    (pf_id,) = generate(world, factory, [world.contracts1[0]])
    deposit(world, factory, pf_id)
    with factory.begin() as s:
        decisions.validate(s, manager, pf_id, version(factory, pf_id))
    with factory() as s:
        assert s.get_one(ProForma, pf_id).needs_second_approval
    instructeur2 = _take_over(factory, manager, world.instructeur2.user_id, "instr2@test.fr")
    assert instructeur2 is not None and not instructeur2.must_change_password
    with pytest.raises(WorkflowError, match="deux personnes distinctes"), factory.begin() as s:
        decisions.approve(s, instructeur2, seen(s, pf_id))
    with pytest.raises(WorkflowError), factory.begin() as s:
        payments.pay(s, manager, seen(s, pf_id), reference="VIR-1")
    with factory() as s:
        pf = s.get_one(ProForma, pf_id)
        assert pf.status == "validated" and pf.approved_by_id is None
    # a colleague whose account the manager did not touch approves, then it is paid
    with factory.begin() as s:
        decisions.approve(s, world.instructeur, seen(s, pf_id))
    with factory.begin() as s:
        payments.pay(s, manager, seen(s, pf_id), reference="VIR-1")


def test_nobody_approves_a_validation_by_an_account_they_reset(world, factory):
    """The other way round: the approver reset the validator's password."""
    with factory.begin() as s:
        admin.set_four_eyes_threshold(s, world.admin, "1000")
    with factory.begin() as s:
        admin.approve_threshold(s, world.manager, "1000.00")
    (pf_id,) = generate(world, factory, [world.contracts1[0]])
    deposit(world, factory, pf_id)
    puppet = _take_over(factory, world.manager, world.instructeur.user_id, "instr@test.fr")
    with factory.begin() as s:
        decisions.validate(s, puppet, pf_id, version(factory, pf_id))
    with pytest.raises(WorkflowError, match="un même gestionnaire"), factory.begin() as s:
        decisions.approve(s, world.manager, seen(s, pf_id))
    with factory.begin() as s:
        decisions.approve(s, world.instructeur2, seen(s, pf_id))


def test_the_administrator_cannot_make_itself_an_account_that_pays(world, factory):
    for role in ("instructeur", "manager"):
        with pytest.raises(InvalidInput, match="ce rôle"), factory.begin() as s:
            admin.create_user(s, world.admin, f"moi.{role}@test.fr", "Moi", role, PASSWORD)
    for staff in (world.instructeur, world.manager):
        with pytest.raises(WorkflowError), factory.begin() as s:
            admin.reset_password(s, world.admin, staff.user_id)
        with factory.begin() as s:
            s.get_one(User, staff.user_id).active = False
        with pytest.raises(WorkflowError), factory.begin() as s:
            admin.set_user_active(s, world.admin, staff.user_id, True)
    with factory() as s:
        assert s.scalars(select(User.email).where(User.email.like("moi.%"))).all() == []
