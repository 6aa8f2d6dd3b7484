"""Moments in UTC: every timestamp column becomes time-zone aware (issue 17, item 11).

Until now the console stored naive Paris local time, so around the autumn change of time a
deposit made later (02:10 CET) was stored earlier than one made before it (02:30 CEST).

- PostgreSQL: each column becomes ``timestamptz``, its stored value read as Paris local time
  (``USING col AT TIME ZONE 'Europe/Paris'``). ``ALTER … TYPE`` rewrites the table without
  firing row triggers, so the event log stays append-only (its trigger is untouched).
- SQLite has no time zones: the column type stays ``DATETIME`` (no table is rebuilt) and the
  stored text is rewritten from Paris local time to UTC in Python (zoneinfo), by an SQL
  function registered on the connection, the way PostgreSQL's ``AT TIME ZONE`` reads them: a
  local time of the repeated autumn hour is taken in standard time (CET, the later one), a
  local time that never existed (the skipped spring hour) with the offset before the change. The event log's
  append-only triggers (created by 0002) are dropped for the rewrite and created again, exactly
  as 0002 wrote them.

Downgrade converts back to naive Paris local time.

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

PARIS = ZoneInfo("Europe/Paris")

# Frozen when this revision was written: every DateTime column of the schema.
COLUMNS: dict[str, tuple[str, ...]] = {
    "app_user": ("locked_until", "last_login_at", "created_at"),
    "pro_forma": ("created_at", "deposited_at", "first_deposited_at", "decided_at", "paid_at",
                  "cancelled_at"),
    "document": ("uploaded_at",),
    "check_run": ("ran_at",),
    "decision": ("at",),
    "notice": ("created_at", "read_at"),
    "payment_batch": ("created_at",),
    "credit_application": ("at",),
    "event": ("at",),
    "web_session": ("ticket_expires_at", "created_at", "last_seen_at", "revoked_at"),
    "login_source": ("last_failure_at", "blocked_until"),
}
# 0002's triggers, word for word
_SQLITE_TRIGGERS = [
    f"CREATE TRIGGER event_no_{verb.lower()} BEFORE {verb} ON event "
    "BEGIN SELECT RAISE(ABORT, 'event log is append-only'); END"
    for verb in ("UPDATE", "DELETE")
]


def _text(moment: datetime) -> str:
    """SQLAlchemy's storage format of a DATETIME on SQLite."""
    return moment.isoformat(" ", "microseconds")


def local_to_utc(value: str | None) -> str | None:
    """Stored Paris local text → UTC text."""
    if value is None:
        return None
    naive = datetime.fromisoformat(str(value))
    moment = naive.replace(tzinfo=PARIS, fold=1).astimezone(UTC)
    if moment.astimezone(PARIS).replace(tzinfo=None) != naive:  # the skipped spring hour
        moment = naive.replace(tzinfo=PARIS, fold=0).astimezone(UTC)
    return _text(moment.replace(tzinfo=None))


def utc_to_local(value: str | None) -> str | None:
    """Stored UTC text → Paris local text."""
    if value is None:
        return None
    moment = datetime.fromisoformat(str(value)).replace(tzinfo=UTC)
    return _text(moment.astimezone(PARIS).replace(tzinfo=None))


def _sqlite_rewrite(convert: Callable[[str | None], str | None]) -> None:
    bind = op.get_bind()
    raw = bind.connection.driver_connection
    assert raw is not None  # an open sqlite3 connection
    raw.create_function("console_convert_moment", 1, convert, deterministic=True)
    op.execute("DROP TRIGGER IF EXISTS event_no_update")
    op.execute("DROP TRIGGER IF EXISTS event_no_delete")
    for table, columns in COLUMNS.items():
        sets = ", ".join(f'"{c}" = console_convert_moment("{c}")' for c in columns)
        op.execute(f"UPDATE {table} SET {sets}")
    for trigger in _SQLITE_TRIGGERS:
        op.execute(trigger)


def _pg_alter(type_: str) -> None:
    for table, columns in COLUMNS.items():
        alters = ", ".join(
            f'ALTER COLUMN "{c}" TYPE {type_} USING "{c}" AT TIME ZONE \'Europe/Paris\''
            for c in columns)
        op.execute(f"ALTER TABLE {table} {alters}")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _pg_alter("timestamptz")
    else:
        _sqlite_rewrite(local_to_utc)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _pg_alter("timestamp")
    else:
        _sqlite_rewrite(utc_to_local)

