"""The small demo: a few CFAs, ~120 contracts, the demo accounts, and their past activity
replayed through the workflow (``python -m opco demo``)."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from db.models import Cfa
from domain.vocabulary import Role
from seed.demo import (
    DEMO_PASSWORD,
    SMALL_CFAS,
    DemoCfa,
    add_contracts,
    make_cfa,
    make_employers,
    make_user,
)
from seed.demo_activity import DEMO_CFA_STORY, OTHER_CFA_STORY, Cast, replay
from seed.demo_invoices import invoice_pdf


def build_small(factory: sessionmaker[Session], today: date, seed: int = 7,
                progress: Callable[[str], None] = print) -> None:
    """Fill an empty database with the small demo (a few CFAs, ~120 contracts, accounts).

    The deposits' check jobs run as each deposit commits (``jobs.run_now``, the real job
    code), so the replayed decisions see their verdicts as an instructeur would have."""
    from workflow.deposits import jobs, queue

    def run_now(engine: Engine, job_id: int) -> None:
        jobs.run_now(engine, job_id)  # its outcome is the job's row: the replay reads that

    queue.set_runner(run_now)
    try:
        _build_small(factory, today, seed, progress)
    finally:
        queue.set_runner(None)


def _build_small(factory: sessionmaker[Session], today: date, seed: int,
                 progress: Callable[[str], None]) -> None:
    from workflow.accounts.auth import hash_password
    from workflow.common.access import actor_of

    rng = random.Random(seed)
    pw = hash_password(DEMO_PASSWORD)
    with factory.begin() as s:
        employers = list(make_employers(rng, 30))
        s.add_all(employers)
        cfas: list[tuple[Cfa, DemoCfa]] = []
        number = 1
        for i, spec in enumerate(SMALL_CFAS):
            cfa = make_cfa(rng, spec.name, i)
            s.add(cfa)
            s.flush()
            number = add_contracts(s, rng, cfa, spec.contracts, today, employers, number)
            cfas.append((cfa, spec))
            progress(f"  {spec.name} : {spec.contracts} contrats")
        users = {
            "instructeur": make_user("instructeur@demo.fr", "Inès Instructrice",
                                     Role.INSTRUCTEUR, pw),
            "instructeur2": make_user("instructeur2@demo.fr", "Paul Second", Role.INSTRUCTEUR,
                                      pw),
            "manager": make_user("manager@demo.fr", "Marc Manager", Role.MANAGER, pw),
            "admin": make_user("admin@demo.fr", "Alice Admin", Role.ADMIN, pw),
        }
        for cfa, spec in cfas:
            users[cfa.name] = make_user(spec.email or f"contact{cfa.id}@cfa.example",
                                        f"Gestionnaire {cfa.name[:40]}", Role.CFA, pw, cfa.id)
        s.add_all(users.values())
        s.flush()
        actors = {k: actor_of(u) for k, u in users.items()}
        cfa_ids = [(c.id, c.name, spec) for c, spec in cfas]
    for cfa_id, name, spec in cfa_ids:
        cast = Cast(actors[name], actors["instructeur"], actors["instructeur2"])
        story = DEMO_CFA_STORY if spec.email == "cfa@demo.fr" else OTHER_CFA_STORY
        replay(factory, cast, cfa_id, today, story, invoice_pdf)
        progress(f"  {name} : historique rejoué")
