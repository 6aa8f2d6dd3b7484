"""Speed of the manager dashboard's queries on an existing database.

``python -m bench.dashboard [--database-url URL] [--json]`` or ``bench.dashboard.run(url)``.
Each figure (queue, flow, instructeurs, refusals, money, checks, and a drill-down page) is
run once to warm up, then five times; the result is the median in milliseconds, without and
with typical filters (the last 90 days; one CFA). Target at national scale: under 1,000 ms.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from bench.workload import median_ms
from db.config import Settings
from db.models import ProForma, User
from db.session import make_engine, make_sessionmaker
from domain.clock import today
from workflow.common.access import actor_of
from workflow.reporting import dashboard, dashboard_drill, dashboard_money
from workflow.reporting.dashboard_sql import Drill, Filters

RUNS = 5
TARGET_MS = 1000.0


def run(database_url: str) -> dict[str, float]:
    """Median milliseconds of each dashboard query on the database at ``database_url``.

    Needs a manager (or admin) account in the database (``python -m opco demo`` makes one).
    """
    engine = make_engine(database_url)
    factory = make_sessionmaker(engine)
    with factory() as s:
        user = s.scalars(select(User).where(User.role.in_(("manager", "admin")))
                         .order_by(User.role.desc(), User.id).limit(1)).first()
        if user is None:
            raise SystemExit("Aucun compte manager dans cette base : lancez python -m opco demo.")
        actor = actor_of(user)
        busiest = s.execute(select(ProForma.cfa_id).group_by(ProForma.cfa_id)
                            .order_by(func.count().desc()).limit(1)).scalar()
    everything = Filters()
    recent = Filters(period_from=today() - timedelta(days=90), period_to=today())
    one_cfa = Filters(cfa_id=busiest)
    figures: dict[str, Callable[..., Any]] = {
        "queue": dashboard.queue, "flow": dashboard.flow,
        "instructeurs": dashboard.instructeurs, "refusals": dashboard.refusals,
        "money": dashboard_money.money, "checks": dashboard_money.checks,
    }
    cases: dict[str, Callable[[Any], Any]] = {}
    for name, fn in figures.items():
        cases[name] = lambda s, fn=fn: fn(s, actor, everything)
        cases[f"{name}_90_days"] = lambda s, fn=fn: fn(s, actor, recent)
        if busiest is not None:
            cases[f"{name}_one_cfa"] = lambda s, fn=fn: fn(s, actor, one_cfa)
    cases["drill_under_review"] = lambda s: dashboard_drill.pro_formas(
        s, actor, everything, Drill("status", "under_review"))
    cases["drill_past_sla"] = lambda s: dashboard_drill.pro_formas(
        s, actor, everything, Drill("past_sla"))
    cases["drill_rework"] = lambda s: dashboard_drill.pro_formas(
        s, actor, recent, Drill("rework"))
    results: dict[str, float] = {}
    with factory() as s:
        for name, case in cases.items():
            results[name] = median_ms(lambda case=case: case(s), RUNS, digits=1)
            s.rollback()
    engine.dispose()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.dashboard",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="default: $DATABASE_URL or the embedded SQLite")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    results = run(args.database_url or Settings.from_env().database_url)
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        for name, ms in results.items():
            flag = "" if ms < TARGET_MS else "   > 1 s !"
            print(f"{name:28s} {ms:9.1f} ms{flag}")
    return 0 if all(ms < TARGET_MS for ms in results.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
