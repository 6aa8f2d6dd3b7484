"""Paramètres shows a proposed four-eyes threshold and lets another manager approve it; its
proposer cannot (workflow/duties.py, issue 17 item 2)."""

from __future__ import annotations

from decimal import Decimal

from tests.console.conftest import page_text
from workflow.accounts import admin
from workflow.review.decisions import four_eyes_threshold


def test_a_proposed_threshold_waits_for_another_manager(world, page, factory):
    with factory.begin() as s:
        admin.set_four_eyes_threshold(s, world.admin, "1000")
    at = page("mgr_settings.py", world.admin)  # the proposer: it may withdraw, not approve
    assert not at.exception
    assert "Changement de seuil du double contrôle en attente" in page_text(at)
    assert next(b for b in at.button if b.label == "Approuver le nouveau seuil").disabled
    assert "Retirer la proposition" in [b.label for b in at.button]
    at = page("mgr_settings.py", world.manager)
    assert "proposé par Admin" in page_text(at)
    next(b for b in at.button if b.label == "Approuver le nouveau seuil").click()
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert "en vigueur" in page_text(at)
    assert "en attente" not in page_text(at)
    with factory() as s:
        assert four_eyes_threshold(s) == Decimal("1000.00")
