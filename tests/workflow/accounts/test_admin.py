"""Managers' settings: each change and its event, reasons in use, accounts, access."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from db.models import Event, RefusalReason, User
from domain.errors import AccessDenied, InvalidInput, NotFound, WorkflowError
from tests.factories import PASSWORD
from tests.workflow.dashboard_story import Story
from workflow.accounts import admin
from workflow.accounts.auth import authenticate
from workflow.review.decisions import four_eyes_threshold

LETTER = "Madame, monsieur, le certificat de réalisation manque à votre facture."


def events(factory, entity: str) -> list[tuple[str, int | None, dict]]:
    with factory() as s:
        return [(e.action, e.entity_id, e.data) for e in s.scalars(
            select(Event).where(Event.entity == entity).order_by(Event.id))]


def test_sla_and_four_eyes_settings_change_and_are_logged(world, factory):
    m = world.manager
    with factory.begin() as s:
        assert admin.get_settings(s, m) == admin.ManagerSettings(15, Decimal("50000.00"))
        assert admin.set_sla_days(s, m, "20") == 20
        assert admin.set_four_eyes_threshold(s, world.admin, "30 000,50") == Decimal("30000.50")
        admin.set_sla_days(s, m, 20)  # unchanged: no event
    with factory.begin() as s:  # a proposal until a manager approves it (workflow.duties)
        assert four_eyes_threshold(s) == Decimal("50000.00")
        assert admin.approve_threshold(s, m, "30000.50") == Decimal("30000.50")
    with factory() as s:
        assert admin.get_settings(s, world.admin) == admin.ManagerSettings(20, Decimal("30000.50"))
        assert four_eyes_threshold(s) == Decimal("30000.50")
    assert [(a, d) for a, _, d in events(factory, "setting")] == [
        ("setting_changed", {"key": "sla_days", "old": "15", "new": "20"}),
        ("setting_proposed", {"key": "four_eyes_threshold", "old": "50000.00",
                              "new": "30000.50"}),
        ("setting_changed", {"key": "four_eyes_threshold", "old": "50000.00",
                             "new": "30000.50"}),
        ("setting_approved", {"key": "four_eyes_threshold", "new": "30000.50",
                              "proposed_by": world.admin.user_id}),
    ]
    for bad in ("0", "366", "quinze", "2.5"):
        with pytest.raises(InvalidInput), factory.begin() as s:
            admin.set_sla_days(s, m, bad)
    for bad in ("-1", "abc", "10.001", "NaN"):
        with pytest.raises(InvalidInput), factory.begin() as s:
            admin.set_four_eyes_threshold(s, m, bad)
    with pytest.raises(InvalidInput), factory.begin() as s:  # all or nothing
        admin.set_thresholds(s, m, 40, "beaucoup")
    with factory() as s:
        assert admin.get_settings(s, m).sla_days == 20


def test_reason_catalogue_add_edit_retire_restore_delete(world, factory):
    m = world.manager
    with factory.begin() as s:
        rid = admin.add_reason(s, m, "certif_absent", "Certificat de réalisation manquant",
                               LETTER)
        admin.edit_reason(s, m, rid, "Certificat manquant", LETTER + " Merci.", True)
        admin.set_reason_active(s, m, rid, False)
    with factory() as s:
        row = s.get_one(RefusalReason, rid)
        assert (row.code, row.label, row.requires_comment, row.active) == (
            "CERTIF_ABSENT", "Certificat manquant", True, False)
        listed = {r.code: r for r in admin.list_reasons(s, m)}
        assert listed["CERTIF_ABSENT"].uses == 0 and len(listed) == 9
    with factory.begin() as s:
        admin.set_reason_active(s, m, rid, True)
        admin.delete_reason(s, m, rid)
    with factory() as s:
        assert s.get(RefusalReason, rid) is None
    assert [a for a, _, _ in events(factory, "refusal_reason")] == [
        "reason_added", "reason_edited", "reason_retired", "reason_restored", "reason_deleted"]
    with pytest.raises(InvalidInput), factory.begin() as s:
        admin.add_reason(s, m, "AUTRE", "Encore autre", LETTER)  # code taken
    with pytest.raises(InvalidInput), factory.begin() as s:
        admin.add_reason(s, m, "NOUVEAU", "", LETTER)
    with pytest.raises(InvalidInput), factory.begin() as s:
        admin.add_reason(s, m, "x y", "Libellé", LETTER)


def test_a_reason_in_use_is_retired_never_deleted(world, factory):
    Story(world, factory).play()  # refuses with MONTANTTOTAL_ERR and CMD_ERR
    with factory() as s:
        rid = s.scalars(select(RefusalReason.id).where(
            RefusalReason.code == "MONTANTTOTAL_ERR")).one()
        assert {r.code: r.uses for r in admin.list_reasons(s, world.manager)}[
            "MONTANTTOTAL_ERR"] == 1
    with pytest.raises(WorkflowError, match="seulement retiré"), factory.begin() as s:
        admin.delete_reason(s, world.manager, rid)
    with factory.begin() as s:
        admin.set_reason_active(s, world.manager, rid, False)
    with factory() as s:
        assert s.get_one(RefusalReason, rid).active is False


def test_create_deactivate_and_reset_accounts(world, factory):
    m = world.manager
    with factory.begin() as s:
        iid = admin.create_user(s, m, " Nouvel.Instr@Test.fr ", "Nouvel Instructeur",
                                "instructeur", "un mot de passe sûr")
        cid = admin.create_user(s, m, "compta@cfa.fr", "Compta CFA", "cfa",
                                "autre phrase secrète", world.cfa2_id)
    with factory.begin() as s:
        assert authenticate(s, "nouvel.instr@test.fr", "un mot de passe sûr").actor.user_id == iid
        page = admin.list_users(s, m, query="compta")
        assert [(u.email, u.role_label, u.cfa) for u in page.rows] == [
            ("compta@cfa.fr", "CFA", "CFA DEUX")]
    with factory.begin() as s:
        admin.set_user_active(s, m, iid, False)
    with factory.begin() as s:
        result = authenticate(s, "nouvel.instr@test.fr", "un mot de passe sûr")
        assert result.actor is None and "désactivé" in result.message
        temporary = admin.reset_password(s, m, cid)
    assert len(temporary) == 19
    with factory.begin() as s:
        assert authenticate(s, "compta@cfa.fr", temporary).actor.cfa_id == world.cfa2_id
        hashes = s.scalars(select(User.password_hash)).all()
    assert all(temporary not in h for h in hashes)
    assert [(a, i) for a, i, _ in events(factory, "user")] == [
        ("user_created", iid), ("user_created", cid), ("user_deactivated", iid),
        ("password_reset", cid)]
    assert all("password" not in str(d) for _, _, d in events(factory, "user"))


@pytest.mark.parametrize(("email", "role", "password", "cfa"), [
    ("pas-une-adresse", "instructeur", "phrase assez longue", None),  # bad e-mail
    ("instr@test.fr", "instructeur", "phrase assez longue", None),     # e-mail taken
    ("new@test.fr", "admin", "phrase assez longue", None),             # managers can't
    ("new@test.fr", "cfa", "phrase assez longue", None),               # CFA user needs a CFA
    ("new@test.fr", "instructeur", "court", None),                     # too short
    ("new@test.fr", "instructeur", "motdepasse", None),                # too common
])
def test_bad_account_values_are_refused_and_nothing_is_written(world, factory, email, role,
                                                               password, cfa):
    with pytest.raises(InvalidInput), factory.begin() as s:
        admin.create_user(s, world.manager, email, "Quelqu'un", role, password, cfa)
    assert events(factory, "user") == []


def test_who_may_manage(world, factory):
    with factory.begin() as s:
        for fn, args in ((admin.set_sla_days, (10,)), (admin.list_reasons, ()),
                         (admin.reset_password, (world.cfa1.user_id,)),
                         (admin.create_user, ("x@y.fr", "X", "instructeur", "phrase longue"))):
            for who in (world.instructeur, world.cfa1):
                with pytest.raises(AccessDenied):
                    fn(s, who, *args)
        # managers do not touch admin accounts; admins touch only CFA and admin accounts
        # (workflow.duties: an admin never makes or takes over an account that pays)
        with pytest.raises(NotFound):
            admin.reset_password(s, world.manager, world.admin.user_id)
        for staff in (world.manager, world.instructeur):
            with pytest.raises(NotFound):
                admin.reset_password(s, world.admin, staff.user_id)
            with pytest.raises(NotFound):
                admin.set_user_active(s, world.admin, staff.user_id, False)
        for role in ("instructeur", "manager"):
            with pytest.raises(InvalidInput):
                admin.create_user(s, world.admin, f"{role}2@test.fr", "X", role, PASSWORD)
        assert admin.reset_password(s, world.admin, world.cfa1.user_id)
        with pytest.raises(WorkflowError):
            admin.set_user_active(s, world.admin, world.admin.user_id, False)
        assert admin.create_user(s, world.admin, "a2@test.fr", "A2", "admin", PASSWORD)
        assert admin.create_user(s, world.manager, "m2@test.fr", "M2", "manager", PASSWORD)
