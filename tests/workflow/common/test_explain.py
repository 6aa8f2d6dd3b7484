"""Query plans of the hot paths on PostgreSQL: no sequential scan of échéances or pro formas.

The statements are captured while the real workflow functions run, then EXPLAINed with
sequential scans discouraged (``enable_seqscan = off``): on a small test database the planner
would rightly prefer a scan, so what is checked is that an index can serve every hot query.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import event

from tests.conftest import ON_POSTGRES
from tests.workflow.reviewkit import deposit
from workflow.billing import proformas
from workflow.billing.eligibility import EligibleFilters, list_eligible, recap
from workflow.review import review, review_screen

pytestmark = pytest.mark.skipif(not ON_POSTGRES, reason="query plans are PostgreSQL's")
SEQ_SCAN = re.compile(r"Seq Scan on (echeance|pro_forma)\b(?!_)")


def _statements(engine: Any, factory: Any, call: Callable[[Any], Any]) -> list[tuple[str, Any]]:
    seen: list[tuple[str, Any]] = []

    def grab(_conn: Any, _cursor: Any, statement: str, parameters: Any, _ctx: Any,
             _many: bool) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", grab)
    try:
        with factory() as s:
            call(s)
            s.rollback()
    finally:
        event.remove(engine, "before_cursor_execute", grab)
    return seen


def _seq_scans(engine: Any, statements: list[tuple[str, Any]]) -> list[str]:
    bad = []
    with engine.connect() as conn:
        conn.exec_driver_sql("SET enable_seqscan = off")
        for sql, params in statements:
            plan = "\n".join(r[0] for r in conn.exec_driver_sql("EXPLAIN " + sql, params))
            if SEQ_SCAN.search(plan):
                bad.append(f"{sql}\n{plan}")
    return bad


@pytest.fixture
def busy(world, factory):
    """Pro formas under review, so that the queue has rows."""
    ids = world.eligible(world.cfa1_id)
    with factory.begin() as s:
        made = proformas.generate(s, world.cfa1, "pedagogie", ids[:3])
    deposit(world, factory, made[0].id)
    return world, made[0].id


@pytest.mark.parametrize("name", ["eligible_page", "eligible_search", "recap", "queue_page",
                                  "queue_filtered", "take_next", "review_data"])
def test_hot_query_uses_indexes(engine, factory, busy, name):
    world, pf_id = busy
    calls = {
        "eligible_page": lambda s: list_eligible(s, world.cfa1, "pedagogie"),
        "eligible_search": lambda s: list_eligible(s, world.cfa1, "pedagogie",
                                                   EligibleFilters(last_name="NOM")),
        "recap": lambda s: recap(s, world.cfa1, "pedagogie"),
        "queue_page": lambda s: review.queue(s, world.instructeur),
        "queue_filtered": lambda s: review.queue(s, world.instructeur,
                                                 review.QueueFilters(checks="fail")),
        "take_next": lambda s: review.take_next(s, world.instructeur),
        "review_data": lambda s: review_screen.review_data(s, world.instructeur, pf_id),
    }
    statements = _statements(engine, factory, calls[name])
    assert statements
    assert _seq_scans(engine, statements) == []
