"""The check worker: ``python -m workflow.deposits.worker [--concurrency N]``.

With PostgreSQL (``DATABASE_URL=postgresql+psycopg://…``) it is a procrastinate worker on the
queue ``checks``: start it on as many machines as wanted, all pointing at the same database;
each job is taken by one worker (procrastinate locks it), and a job whose attempt failed is
retried up to ``jobs.MAX_ATTEMPTS`` times. Each worker sends procrastinate's heartbeat every
``HEARTBEAT_S``; the periodic task ``retry_stalled_checks`` (every ``SWEEP_CRON``, at most one
queued) hands the jobs of a worker silent for ``jobs.STALLED_AFTER_S`` to another worker
(procrastinate's ``get_stalled_jobs`` and ``retry_job``). With SQLite it runs the local worker
pool (``jobs.LocalWorkers``) in the foreground: the console's server starts one as its child
process (``spawn_local``), or start it yourself for a console started otherwise.

Each job's file is read in ``checks.sandbox``'s process pool of this process
(``sandbox.WORKERS`` processes under the operating system's limits), never with a database
transaction open; a worker process has its own sandbox pool, so a burst of check jobs never
queues in front of a console's pre-check or page rendering.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from db.config import Settings
from db.migrate import upgrade
from db.session import make_engine, make_sessionmaker
from workflow.deposits import jobs, queue

log = logging.getLogger("workflow.deposits.worker")
HEARTBEAT_S = 5.0  # procrastinate's worker heartbeat (a quarter of jobs.STALLED_AFTER_S)
ROOT = Path(__file__).resolve().parents[2]
LOCAL_CONCURRENCY = 2  # jobs at once in the console's local pool (SQLite)
LOCAL_NICE = 10  # its CPU priority below the console's: a CFA's pre-check comes first


def conninfo(database_url: str) -> str:
    """The libpq connection string of a SQLAlchemy PostgreSQL URL."""
    url = make_url(database_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


SWEEP_CRON = "* * * * * */5"  # every 5 seconds (croniter: the sixth field is the second)
SWEEP_TASK = "retry_stalled_checks"


def make_app(database_url: str) -> Any:
    """The procrastinate app: task ``check_document`` runs ``jobs.run_job``; the periodic
    task ``retry_stalled_checks`` gives the check jobs of stalled workers to the others."""
    from procrastinate import App, PsycopgConnector, RetryStrategy

    factory = make_sessionmaker(make_engine(database_url))
    app = App(connector=PsycopgConnector(conninfo=conninfo(database_url)))

    @app.task(name=queue.TASK_NAME, queue=queue.QUEUE_NAME,
              retry=RetryStrategy(max_attempts=jobs.MAX_ATTEMPTS, wait=int(jobs.RETRY_WAIT_S),
                                  retry_exceptions={jobs.RetryLater}))
    def check_document(job_id: int) -> str:
        # procrastinate runs a job in one worker at a time and hands it again only when its
        # worker stalled: a claim still held on the check job is that dead worker's
        return jobs.run_job(factory, job_id, take_over=True)

    @app.periodic(cron=SWEEP_CRON, periodic_id="stalled")
    @app.task(name=SWEEP_TASK, queue=queue.QUEUE_NAME, queueing_lock=SWEEP_TASK, priority=10)
    async def retry_stalled_checks(timestamp: int) -> int:
        stalled = await app.job_manager.get_stalled_jobs(
            queue=queue.QUEUE_NAME, task_name=queue.TASK_NAME,
            seconds_since_heartbeat=jobs.STALLED_AFTER_S)
        retried = 0
        for job in stalled:
            try:
                await app.job_manager.retry_job(job)
                retried += 1
            except Exception as exc:  # noqa: BLE001 - taken meanwhile by another sweep
                log.info("stalled check job %s not retried: %r", job.id, exc)
        if retried:
            log.warning("%s check job(s) of stalled workers given to the others", retried)
        return retried

    return app


def spawn_local(database_url: str, *, concurrency: int = LOCAL_CONCURRENCY,
                nice: int = LOCAL_NICE, quiet: bool = False) -> subprocess.Popen[bytes]:
    """Start the local pool (SQLite) as a child process of this one: ``python -m
    workflow.deposits.worker --parent <this pid>``. The console's server does, so that the
    check jobs read their files in the child's own sandbox pool, never in the console's (which
    serves the CFA's pre-check and the review screen's pages), at a lower CPU priority; the
    child stops when this process stops or dies. ``quiet``: its output discarded (benchmarks)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)}
    return subprocess.Popen(
        [sys.executable, "-m", "workflow.deposits.worker", "--database-url", database_url,
         "--concurrency", str(concurrency), "--nice", str(nice), "--parent", str(os.getpid())],
        env=env,  # this process's working directory: a relative SQLite path means the same file
        stdout=subprocess.DEVNULL if quiet else None, stderr=subprocess.DEVNULL if quiet else None)


def stop_local(child: subprocess.Popen[bytes], timeout: float = 10.0) -> None:
    """Ask the local pool's process to stop (SIGTERM: it ends its current jobs' claims
    cleanly), kill it after ``timeout``."""
    if child.poll() is None:
        child.terminate()
        try:
            child.wait(timeout)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait(timeout)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m workflow.deposits.worker",
                                     description="Run the automatic checks' jobs.")
    parser.add_argument("--database-url", help="default: $DATABASE_URL or sqlite:///data/console.db")
    parser.add_argument("--concurrency", type=int, default=1,
                        help="jobs run at once by this worker (default 1)")
    parser.add_argument("--name", help="worker name shown by procrastinate")
    parser.add_argument("--nice", type=int, default=0,
                        help="lower this worker's CPU priority by this much (0 to 19)")
    parser.add_argument("--parent", type=int,
                        help="stop when the process of this id is no longer the parent")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    if args.nice:
        os.nice(max(0, min(19, args.nice)))  # inherited by its sandbox processes
    url = args.database_url or Settings.from_env().database_url
    engine = make_engine(url)
    upgrade(engine)
    if engine.dialect.name == "postgresql":
        engine.dispose()
        make_app(url).run_worker(queues=[queue.QUEUE_NAME], concurrency=args.concurrency,
                                 name=args.name, delete_jobs="successful",
                                 update_heartbeat_interval=HEARTBEAT_S,
                                 stalled_worker_timeout=jobs.STALLED_AFTER_S)
        return 0
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    workers = jobs.LocalWorkers(make_sessionmaker(engine), threads=args.concurrency,
                                poll_s=0.5).start()
    print(f"Worker local (SQLite) : {args.concurrency} tâche(s) à la fois ; Ctrl+C pour arrêter.",
          flush=True)
    try:
        while not stop.wait(1.0):
            if args.parent and os.getppid() != args.parent:
                break  # the console that started this pool is gone
    except KeyboardInterrupt:
        pass
    workers.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
