"""The check worker: ``python -m workflow.deposits.worker [--concurrency N]``.

With PostgreSQL (``DATABASE_URL=postgresql+psycopg://…``) it is a procrastinate worker on the
queue ``checks``: start it on as many machines as wanted, all pointing at the same database;
each job is taken by one worker (procrastinate locks it), and a job whose attempt failed is
retried up to ``jobs.MAX_ATTEMPTS`` times. With SQLite it runs the local worker pool in the
foreground (the console's server already runs one; this is for a console started otherwise).

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


def conninfo(database_url: str) -> str:
    """The libpq connection string of a SQLAlchemy PostgreSQL URL."""
    url = make_url(database_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def make_app(database_url: str) -> Any:
    """The procrastinate app whose task ``check_document`` runs ``jobs.run_job``."""
    from procrastinate import App, PsycopgConnector, RetryStrategy

    factory = make_sessionmaker(make_engine(database_url))
    app = App(connector=PsycopgConnector(conninfo=conninfo(database_url)))

    @app.task(name=queue.TASK_NAME, queue=queue.QUEUE_NAME,
              retry=RetryStrategy(max_attempts=jobs.MAX_ATTEMPTS, wait=int(jobs.RETRY_WAIT_S),
                                  retry_exceptions={jobs.RetryLater}))
    def check_document(job_id: int) -> str:
        return jobs.run_job(factory, job_id)

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
                                 name=args.name, delete_jobs="successful")
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
