""""Mon CFA": identity, bank details read only, default settlement mode of credit notes."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from db.models import Event
from domain.errors import AccessDenied, InvalidInput
from tests.workflow.reviewkit import seen_echeances as lines
from workflow.accounts import cfa_profile
from workflow.billing import proformas


def test_profile_shows_the_actors_cfa(world, factory):
    with factory() as s:
        mine = cfa_profile.get_profile(s, world.cfa1)
        other = cfa_profile.get_profile(s, world.cfa2)
        with pytest.raises(AccessDenied):
            cfa_profile.get_profile(s, world.instructeur)
    assert mine.id == world.cfa1_id and other.id == world.cfa2_id
    assert mine.iban_display.replace(" ", "") == mine.iban
    assert mine.default_settlement == "deduction"


def test_default_settlement_mode_is_editable_and_used(world, factory):
    with factory.begin() as s:
        cfa_profile.set_default_settlement(s, world.cfa1, "remboursement")
        cfa_profile.set_default_settlement(s, world.cfa1, "remboursement")  # no change
    with pytest.raises(InvalidInput), factory.begin() as s:
        cfa_profile.set_default_settlement(s, world.cfa1, "troc")
    with factory() as s:
        events = s.scalars(select(Event)).all()
        assert [(e.action, e.entity_id) for e in events] == [
            ("default_settlement_changed", world.cfa1_id)]
        assert cfa_profile.get_profile(s, world.cfa2).default_settlement == "deduction"
    with factory.begin() as s:
        made = proformas.generate_summary(s, world.cfa1, "pedagogie",
                                          lines(s, world.eligible(world.cfa1_id)))
    assert made[-1].settlement_mode == "remboursement"
