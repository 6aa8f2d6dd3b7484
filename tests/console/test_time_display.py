"""Time on screen (issue 17, item 11): every moment shown in Paris time, never UTC or ISO.

Two deposits on the night of the autumn change — 02:30 CEST, then 02:10 CET 40 minutes later
— appear on the instructeur's queue in that order and at those Paris times; the review's
Historique and the CFA's pro formas show Paris times and French days.
"""

from __future__ import annotations

from datetime import UTC, datetime

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

    queue = page_tables(page("instr_queue.py", world.instructeur))
    # the manual's style ("25 oct. 2026"), Paris time
    assert "25 oct. 2026 02:30" in queue and "25 oct. 2026 02:10" in queue
    assert queue.index("25 oct. 2026 02:30") < queue.index("25 oct. 2026 02:10")
    assert "00:30" not in queue and "2026-10-25" not in queue  # no UTC, no ISO

    review = page("instr_review.py", world.instructeur, review_pf=earlier)
    assert not review.exception, review.exception
    tables = page_tables(review)
    assert "25 oct. 2026 02:30" in tables  # Historique: the deposit event
    assert "27 nov. 2026 10:00" in tables  # Historique: the generation (TODAY, Paris time)
    assert "2026-10-25" not in tables and "2026-11-27" not in tables

    cfa = page_tables(page("cfa_proformas.py", world.cfa1))
    assert "25 oct. 2026" in cfa and "27 nov. 2026" in cfa  # the manual's style, Paris days
