"""Time on screen (issue 17, item 11): every moment shown in Paris time, never UTC or ISO.

Two deposits on the night of the autumn change — 02:30 CEST, then 02:10 CET 40 minutes later
— appear on the instructeur's queue in that order and at those Paris times; the review's
Historique and the CFA's pro formas show Paris times and French days.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

from domain.clock import freeze
from tests.factories import TODAY
from tests.workflow.reviewkit import generate, invoice_bytes
from workflow.deposits import deposits

BEFORE_FALL_BACK = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST
AFTER_FALL_BACK = datetime(2026, 10, 25, 1, 10, tzinfo=UTC)   # 02:10 CET


def page_tables(at) -> str:
    """Every table of a page run, whole (as CSV)."""
    return "\n".join(d.value.to_csv(index=False) for d in at.dataframe)


def _deposit(world, factory, pf_id: int, at: datetime) -> None:
    from db.models import ProForma

    freeze(at)
    try:
        with factory.begin() as s:
            pf = s.get_one(ProForma, pf_id)
            deposits.deposit(s, world.cfa1, pf_id, invoice_bytes(s, pf), "facture.pdf")
    finally:
        freeze(TODAY)


def test_the_queue_and_the_history_show_paris_time(world, factory, page):
    earlier = generate(world, factory, [world.contracts1[0]])[0]
    later = generate(world, factory, [world.contracts1[2]])[0]
    _deposit(world, factory, earlier, BEFORE_FALL_BACK)
    _deposit(world, factory, later, AFTER_FALL_BACK)

    # the queue's grid holds the moments themselves, in Paris time (the browser draws them
    # "25 oct. 2026 02:30" through the column's format: tests/browser/test_grid_dates.py),
    # oldest deposit first although its wall-clock hour is the later one
    at = page("instr_queue.py", world.instructeur)
    assert not at.exception, at.exception
    deposited = list(at.dataframe[0].value["Déposée le"])
    assert [(d.strftime("%d/%m/%Y %H:%M"), d.utcoffset()) for d in deposited] == [
        ("25/10/2026 02:30", timedelta(hours=2)), ("25/10/2026 02:10", timedelta(hours=1))]
    config = json.loads(at.dataframe[0].proto.columns)["Déposée le"]["type_config"]
    assert (config["format"], config["timezone"]) == ("D MMM YYYY HH:mm", "Europe/Paris")

    review = page("instr_review.py", world.instructeur, review_pf=earlier)
    assert not review.exception, review.exception
    tables = page_tables(review)
    assert "25 oct. 2026 02:30" in tables  # Historique: the deposit event
    assert "27 nov. 2026 10:00" in tables  # Historique: the generation (TODAY, Paris time)
    assert "2026-10-25" not in tables and "2026-11-27" not in tables

    # the CFA's list holds Paris days (drawn "25 oct. 2026" by the column's format): the
    # deposit at 00:30 UTC is on the 25th in Paris, the generation on TODAY's Paris day
    grid = page("cfa_proformas.py", world.cfa1).dataframe[0].value
    assert date(2026, 10, 25) in set(grid["Dépôt de facture/facture d'avoir"])
    assert date(2026, 11, 27) in set(grid["Création"])
