"""Database fixtures: a real SQLite file per test, or a real PostgreSQL database per worker.

Set ``TEST_DATABASE_URL`` to a PostgreSQL admin URL to run the database tests on PostgreSQL:
each pytest worker creates its own database, migrates it, and drops it at the end; tables are
emptied between tests. Without it, each test gets a copy of a migrated SQLite template file.
Tests that use these fixtures are marked ``db`` (the PostgreSQL pass runs ``-m db``).
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from db.migrate import upgrade
from db.session import make_engine, make_sessionmaker
from domain.clock import freeze
from seed.reference import PRO_FORMA_FIRST, REFUSAL_REASONS, SETTINGS

ADMIN_URL = os.environ.get("TEST_DATABASE_URL", "")
ON_POSTGRES = ADMIN_URL.startswith("postgresql")
DB_FIXTURES = {"engine", "factory", "db_url", "world"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that touches the database with ``db``."""
    for item in items:
        if DB_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.db)


@pytest.fixture(autouse=True)
def _check_jobs_at_commit(request: pytest.FixtureRequest) -> Iterator[None]:
    """Check jobs run right after the commit that queued them, through the real job code
    (``workflow.deposits.jobs.run_now``), so that a test reads the verdicts of its deposit;
    tests marked ``queued`` leave them to the queue
    (``tests/workflow/deposits/test_check_jobs.py``)."""
    from workflow.deposits import jobs, queue

    if request.node.get_closest_marker("queued"):
        queue.set_runner(None)
        yield
        return
    queue.set_runner(jobs.run_now)
    yield
    queue.set_runner(None)


@pytest.fixture(scope="session")
def _database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if ON_POSTGRES:
        name = f"test_console_{uuid.uuid4().hex[:10]}"
        admin = make_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.exec_driver_sql(f'CREATE DATABASE "{name}"')
        url = make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        yield url
        with admin.connect() as c:
            c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()
    else:
        template = tmp_path_factory.mktemp("tpl") / "template.db"
        engine = make_engine(f"sqlite:///{template}")
        upgrade(engine)
        engine.dispose()
        yield str(template)


_DATA_TABLES = (
    "attestation, check_result, check_run, credit_application, payment, payment_batch, "
    "notice, decision, check_job, document, pro_forma_line, echeance, event, saved_filter, "
    "pro_forma, contract_change, contract_import, app_user, contract, "
    "apprentice, employer, cfa, refusal_reason, setting, counter, login_source"
)


def _reset_postgres(engine: Engine) -> None:
    with engine.begin() as c:
        c.exec_driver_sql(f"TRUNCATE {_DATA_TABLES} RESTART IDENTITY CASCADE")
        c.exec_driver_sql("TRUNCATE procrastinate_jobs RESTART IDENTITY CASCADE")
        for i, (code, label, letter, rc) in enumerate(REFUSAL_REASONS):
            c.execute(text(
                "INSERT INTO refusal_reason (code, label, letter, requires_comment, active, "
                "position) VALUES (:c, :l, :t, :r, true, :p)"
            ), {"c": code, "l": label, "t": letter, "r": rc, "p": i})
        for key, (value, _) in SETTINGS.items():
            c.execute(text("INSERT INTO setting (key, value) VALUES (:k, :v)"),
                      {"k": key, "v": value})
        c.execute(text("INSERT INTO counter (name, value) VALUES ('pro_forma', :v)"),
                  {"v": PRO_FORMA_FIRST})


@pytest.fixture
def db_url(_database: str, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty, migrated database for this test."""
    freeze(None)
    if ON_POSTGRES:
        engine = make_engine(_database)
        _reset_postgres(engine)
        engine.dispose()
        yield _database
    else:
        path = tmp_path / "test.db"
        shutil.copyfile(_database, path)
        yield f"sqlite:///{path}"
    freeze(None)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """An engine on this test's database."""
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory on this test's database; tests own their transactions."""
    return make_sessionmaker(engine)


@pytest.fixture
def world(factory: sessionmaker[Session]):  # type: ignore[no-untyped-def]
    """Two CFAs with users and contracts, OPCO staff accounts (see tests/factories.py)."""
    from tests.factories import build_world

    return build_world(factory)
