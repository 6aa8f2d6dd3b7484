"""The check worker: ``python -m workflow.deposits.worker [--concurrency N]``.

With PostgreSQL (``DATABASE_URL=postgresql+psycopg://…``) it is a procrastinate worker on the
queue ``checks``: start it on as many machines as wanted, all pointing at the same database;
each job is taken by one worker (procrastinate locks it), and a job whose attempt failed is
retried up to ``jobs.MAX_ATTEMPTS`` times. Each worker sends procrastinate's heartbeat every
``HEARTBEAT_S``; the periodic task ``retry_stalled_checks`` (every ``SWEEP_CRON``, at most one
queued) hands the jobs of a worker silent for ``jobs.STALLED_AFTER_S`` to another worker
(procrastinate's ``get_stalled_jobs`` and ``retry_job``). With SQLite it runs the local worker
pool in the foreground (the console's server already runs one; this is for a console started
otherwise).

Each job's file is read in ``checks.sandbox``'s process pool of this process
(``sandbox.WORKERS`` processes under the operating system's limits), never with a database
transaction open.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from typing import Any

from sqlalchemy.engine import make_url

from db.config import Settings
from db.migrate import upgrade
from db.session import make_engine, make_sessionmaker
from workflow.deposits import jobs, queue

log = logging.getLogger("workflow.deposits.worker")
HEARTBEAT_S = 5.0  # procrastinate's worker heartbeat (a quarter of jobs.STALLED_AFTER_S)


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m workflow.deposits.worker",
                                     description="Run the automatic checks' jobs.")
    parser.add_argument("--database-url", help="default: $DATABASE_URL or sqlite:///data/console.db")
    parser.add_argument("--concurrency", type=int, default=1,
                        help="jobs run at once by this worker (default 1)")
    parser.add_argument("--name", help="worker name shown by procrastinate")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
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
    workers = jobs.LocalWorkers(make_sessionmaker(engine), threads=args.concurrency).start()
    print(f"Worker local (SQLite) : {args.concurrency} tâche(s) à la fois ; Ctrl+C pour arrêter.")
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    workers.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
