"""Migration 0014 (issue 17, item 11): stored Paris local times become UTC, on SQLite and
PostgreSQL, the event log stays append-only, and the downgrade gives the local times back."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from db.migrate import alembic_config, upgrade
from db.models import Event, User
from db.session import make_engine, make_sessionmaker
from tests.conftest import ADMIN_URL, ON_POSTGRES

pytestmark = pytest.mark.db



def _before() -> str:
    """The revision 0014 follows (read from the script: it moves when branches merge)."""
    from alembic.script import ScriptDirectory

    from db.migrate import MIGRATIONS

    down = ScriptDirectory(str(MIGRATIONS)).get_revision("0014").down_revision
    assert isinstance(down, str)
    return down


BEFORE = _before()
# stored by the old code as naive Paris local time → the instant it meant
LOCAL = {
    "2026-07-01 10:00:00": datetime(2026, 7, 1, 8, 0, tzinfo=UTC),       # CEST
    "2026-12-01 10:00:00": datetime(2026, 12, 1, 9, 0, tzinfo=UTC),      # CET
    "2026-10-25 02:10:00": datetime(2026, 10, 25, 1, 10, tzinfo=UTC),    # repeated hour: CET
    "2026-03-29 02:30:00": datetime(2026, 3, 29, 1, 30, tzinfo=UTC),     # skipped hour
}


@pytest.fixture
def fresh(tmp_path) -> Iterator[Engine]:
    """An empty database of the engine under test (its own PostgreSQL database)."""
    if not ON_POSTGRES:
        engine = make_engine(f"sqlite:///{tmp_path / 'utc.db'}")
        yield engine
        engine.dispose()
        return
    name = f"test_utc_{uuid.uuid4().hex[:10]}"
    admin = make_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine = make_engine(make_url(ADMIN_URL).set(database=name)
                         .render_as_string(hide_password=False))
    yield engine
    engine.dispose()
    with admin.connect() as c:
        c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


def _refused(engine: Engine, sql: str) -> bool:
    try:
        with engine.begin() as conn:
            conn.execute(text(sql))
    except DBAPIError:
        return True
    return False


def _local_values(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT at FROM event ORDER BY id")).scalars().all()
    return [str(v)[:19] for v in rows]


def test_0014_converts_local_times_to_utc_and_back_keeping_the_log_append_only(fresh):
    from alembic import command

    upgrade(fresh, BEFORE)
    with fresh.begin() as conn:
        for n, local in enumerate(LOCAL):
            conn.execute(text(
                "INSERT INTO app_user (id, email, name, role, password_hash, active,"
                " failed_logins, created_at, locked_until) VALUES (:i, :e, 'X', 'manager', 'x',"
                " true, 0, :t, NULL)"), {"i": n + 1, "e": f"u{n}@test.fr", "t": local})
            conn.execute(text("INSERT INTO event (at, actor_id, entity, action, data) VALUES"
                              " (:t, :i, 'user', 'user_created', '{}')"),
                         {"t": local, "i": n + 1})
    upgrade(fresh)
    factory = make_sessionmaker(fresh)
    with factory() as s:
        events = s.scalars(select(Event.at).order_by(Event.id)).all()
        users = s.scalars(select(User.created_at).order_by(User.id)).all()
    assert events == users == list(LOCAL.values())
    assert all(v.tzinfo is not None for v in events)
    # the log is still append-only after the rewrite
    assert _refused(fresh, "UPDATE event SET action = 'tampered'")
    assert _refused(fresh, "DELETE FROM event")
    with factory.begin() as s:  # and still takes new rows
        s.add(Event(at=datetime(2027, 1, 1, 12, tzinfo=UTC), entity="t", action="x", data={}))
    # downgrade: back to the local times, the log still append-only
    command.downgrade(alembic_config(fresh), BEFORE)
    assert _local_values(fresh) == [*LOCAL.keys()][:2] + [
        # the repeated hour reads back as the same wall time; the skipped one as 03:30 CEST
        "2026-10-25 02:10:00", "2026-03-29 03:30:00", "2027-01-01 13:00:00"]
    assert _refused(fresh, "UPDATE event SET action = 'tampered'")
    assert _refused(fresh, "DELETE FROM event")
    upgrade(fresh)
    assert _refused(fresh, "DELETE FROM event")
