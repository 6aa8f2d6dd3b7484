"""The checks off the request path, in a burst: ``python -m bench.jobs``.

``python -m bench.jobs [--deposits 1000] [--workers 1 2 4] [--database postgresql|sqlite|both]
[--json]`` (also a section of ``python -m bench``). For each number of workers, on a fresh
database (one CFA, ``--deposits`` pro formas awaiting their invoice, a distinct real PDF for
each, drawn beforehand): the workers are started (PostgreSQL: that many
``python -m workflow.deposits.worker --concurrency 1`` processes; SQLite: the console's local
pool, started as the console's server starts it — one child process running that many jobs at
once, with its own sandbox pool, at nice 10), then the deposits are made as fast as 4 client
threads can (``deposits.deposit``, each in its own transaction, the file validated in the
sandbox), and the clock runs until every check job has landed. Before the clock starts, one
more deposit warms the workers up (their sandbox processes started) and has landed. Reported:
deposit latency p50/p95 (ms), time until every result is in (s), checks per second per
worker.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from db.migrate import upgrade
from db.models import CheckJob, ProForma, Setting, User
from db.session import make_engine, make_sessionmaker
from domain.clock import now
from specimens import InvoiceSpec, make_invoice
from workflow.common.access import actor_of
from workflow.deposits import deposits, queue, worker

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
CLIENTS = 4  # threads depositing at once


def _populate(factory: sessionmaker[Session], n: int) -> tuple[Any, list[tuple[int, bytes]]]:
    """One CFA and its user, ``n`` pro formas awaiting an invoice, and a PDF for each."""
    from seed.demo import make_cfa

    rng = random.Random(16)
    with factory.begin() as s:
        cfa = make_cfa(rng, "CFA DU BANC D'ESSAI", 0)
        s.add(cfa)
        s.flush()
        user = User(email="bench@jobs.fr", name="Banc", role="cfa", cfa_id=cfa.id,
                    password_hash="-", active=True, failed_logins=0, created_at=now())
        s.add(user)
        for key in (deposits.MAX_DEPOSITS_KEY, deposits.MAX_VERSIONS_KEY):
            s.merge(Setting(key=key, value="1000000"))
        s.flush()
        pfs = [ProForma(number=f"PRO-9{i:07d}", cfa_id=cfa.id, nature="pedagogie",
                        kind="invoice", status="awaiting_invoice",
                        total=Decimal(1000 + i) + Decimal("0.50"), dossiers=1, version=1,
                        created_at=now() - timedelta(days=1), created_by_id=user.id)
               for i in range(n)]
        s.add_all(pfs)
        s.flush()
        actor = actor_of(user)
        files = [(pf.id, make_invoice(InvoiceSpec(
            layout="simple", cfa_name=cfa.name, siret=cfa.siret, iban=cfa.iban, bic=cfa.bic,
            invoice_number=f"FA-B{i:06d}", pro_forma_text=pf.number,
            lines=(("Pédagogie", pf.total),)))) for i, pf in enumerate(pfs)]
    return actor, files


def _deposit(factory: sessionmaker[Session], actor: Any, pf_id: int, data: bytes) -> float:
    start = time.perf_counter()
    with factory.begin() as s:
        deposits.deposit(s, actor, pf_id, data, "facture.pdf")
    return (time.perf_counter() - start) * 1000


def _open_jobs(factory: sessionmaker[Session]) -> int:
    with factory() as s:
        return s.scalar(select(func.count()).select_from(CheckJob).where(
            CheckJob.state.in_(queue.OPEN_STATES))) or 0


def _fresh(kind: str, admin: str) -> tuple[str, Any]:
    """A fresh database URL and its clean-up."""
    if kind == "postgresql":
        name = f"bench_jobs_{uuid.uuid4().hex[:8]}"
        eng = make_engine(admin, isolation_level="AUTOCOMMIT")
        with eng.connect() as c:
            c.exec_driver_sql(f'CREATE DATABASE "{name}"')
        url = make_url(admin).set(database=name).render_as_string(hide_password=False)

        def drop() -> None:
            with eng.connect() as c:
                c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            eng.dispose()
        return url, drop
    folder = tempfile.mkdtemp(prefix="bench-jobs-")
    return f"sqlite:///{folder}/bench.db", lambda: None


def run_one(kind: str, workers: int, n: int, admin: str = DEFAULT_PG,
            timeout_s: float = 3600) -> dict[str, Any]:
    """One burst of ``n`` deposits with ``workers`` workers; the figures."""
    url, drop = _fresh(kind, admin)
    engine = make_engine(url)
    upgrade(engine)
    factory = make_sessionmaker(engine)
    procs: list[subprocess.Popen[bytes]] = []
    local = None
    started = time.perf_counter()
    try:
        actor, files = _populate(factory, n + 1)
        warm, files = files[0], files[1:]
        deposits.validate(files[0][1], "facture.pdf")  # warm the sandbox pool of this process
        if kind == "postgresql":
            env = {**os.environ, "PYTHONPATH": str(ROOT), "DATABASE_URL": url}
            procs = [subprocess.Popen(
                [sys.executable, "-m", "workflow.deposits.worker", "--concurrency", "1",
                 "--name", f"bench-{i}"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL) for i in range(workers)]
            time.sleep(3)  # workers listening
        else:
            local = worker.spawn_local(url, concurrency=workers, quiet=True)
            time.sleep(3)  # the pool's process started
        _deposit(factory, actor, *warm)  # the workers warm up (sandbox started) on one job
        while _open_jobs(factory) and time.perf_counter() - started < timeout_s:
            time.sleep(0.2)
        start = time.perf_counter()
        with ThreadPoolExecutor(CLIENTS) as pool:
            latencies = list(pool.map(lambda f: _deposit(factory, actor, *f), files))
        burst_s = time.perf_counter() - start
        while _open_jobs(factory) and time.perf_counter() - start < timeout_s:
            time.sleep(0.5)
        all_in_s = time.perf_counter() - start
        with factory() as s:
            states = dict(s.execute(select(CheckJob.state, func.count())
                                    .group_by(CheckJob.state)).all())
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(timeout=30)
        if local is not None:
            worker.stop_local(local)
        engine.dispose()
        drop()
    q = statistics.quantiles(latencies, n=20)
    return {"database": kind, "workers": workers, "deposits": n,
            "deposit_p50_ms": round(statistics.median(latencies), 1),
            "deposit_p95_ms": round(q[18], 1), "burst_s": round(burst_s, 1),
            "all_results_s": round(all_in_s, 1),
            "checks_per_s_per_worker": round(n / all_in_s / workers, 2), "jobs": states}


def measure(n: int = 1000, workers: tuple[int, ...] = (1, 2, 4),
            kinds: tuple[str, ...] = ("postgresql",), admin: str = DEFAULT_PG
            ) -> list[dict[str, Any]]:
    """Every (database, workers) burst, printed as it ends (on stderr)."""
    rows = []
    for kind in kinds:
        for w in workers:
            print(f"… jobs / {kind} / {w} worker(s) / {n} dépôts", file=sys.stderr, flush=True)
            rows.append(run_one(kind, w, n, admin))
            print(f"  {rows[-1]}", file=sys.stderr, flush=True)
    return rows


def print_table(rows: list[dict[str, Any]]) -> None:
    """The figures as a Markdown table."""
    print("| base | workers | dépôts | dépôt p50 (ms) | dépôt p95 (ms) | rafale (s) | "
          "tous les résultats (s) | contrôles/s par worker |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['database']} | {r['workers']} | {r['deposits']} | {r['deposit_p50_ms']} | "
              f"{r['deposit_p95_ms']} | {r['burst_s']} | {r['all_results_s']} | "
              f"{r['checks_per_s_per_worker']} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.jobs",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--deposits", type=int, default=1000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--database", choices=["postgresql", "sqlite", "both"],
                        default="postgresql")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    admin = os.environ.get("BENCH_POSTGRES_URL", DEFAULT_PG)
    kinds = ("postgresql", "sqlite") if args.database == "both" else (args.database,)
    rows = measure(args.deposits, tuple(args.workers), kinds, admin)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        print_table(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
