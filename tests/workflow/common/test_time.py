"""Time (issue 17, item 11): moments stored in UTC, French days and Paris time on screen.

The attack: timestamps were naive local time, so on the night of the autumn change a deposit
made at 02:10 CET (after the clocks went back) was stored before one made 40 minutes earlier
at 02:30 CEST, and served first in the oldest-first queue. These tests run on SQLite and on
PostgreSQL (``TEST_DATABASE_URL``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, text

from db.models import Event, ProForma
from domain import clock
from domain.clock import PARIS, freeze
from domain.formatting import format_moment, format_moment_day
from tests.conftest import ON_POSTGRES
from tests.factories import TODAY
from tests.workflow.reviewkit import generate, invoice_bytes
from workflow.deposits import deposits
from workflow.reporting import dashboard
from workflow.reporting.dashboard_sql import Filters, paris_time
from workflow.review import review

# 2026-10-25, last Sunday of October: at 03:00 CEST (01:00 UTC) clocks go back to 02:00 CET.
BEFORE_FALL_BACK = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST in Paris
AFTER_FALL_BACK = datetime(2026, 10, 25, 1, 10, tzinfo=UTC)   # 02:10 CET in Paris, 40 min later


def paris_server(instant: datetime) -> type[datetime]:
    """The system clock of a server set to Paris time, reading ``instant`` (aware):
    ``datetime.now()`` gives the local wall time, ``datetime.now(tz)`` the moment in ``tz``."""

    class ServerClock(datetime):
        @classmethod
        def now(cls, tz=None):  # type: ignore[no-untyped-def, override]
            if tz is None:
                return instant.astimezone(PARIS).replace(tzinfo=None)
            return instant.astimezone(tz)

    return ServerClock


def deposit_at(world, factory, pf_id: int, instant: datetime, monkeypatch) -> None:
    """The CFA deposits a conforming invoice for ``pf_id`` when the real clock reads
    ``instant`` (the clock is not frozen: ``domain.clock`` reads the server's clock)."""
    freeze(None)
    monkeypatch.setattr(clock, "datetime", paris_server(instant))
    with factory.begin() as s:
        pf = s.get_one(ProForma, pf_id)
        deposits.deposit(s, world.cfa1, pf_id, invoice_bytes(s, pf), f"facture-{pf.number}.pdf")


def test_a_deposit_made_later_across_the_autumn_change_is_served_after_the_earlier_one(
        world, factory, monkeypatch):
    earlier = generate(world, factory, [world.contracts1[0]])[0]
    later = generate(world, factory, [world.contracts1[2]])[0]
    deposit_at(world, factory, earlier, BEFORE_FALL_BACK, monkeypatch)   # 02:30 CEST
    deposit_at(world, factory, later, AFTER_FALL_BACK, monkeypatch)      # 02:10 CET
    with factory() as s:
        page = review.queue(s, world.instructeur)
        stored = dict(s.execute(select(ProForma.id, ProForma.deposited_at)).all())
    assert [r.pro_forma_id for r in page.rows] == [earlier, later]
    assert stored[earlier] == BEFORE_FALL_BACK and stored[later] == AFTER_FALL_BACK
    assert all(v.tzinfo is not None and v.utcoffset() == timedelta(0) for v in stored.values())
    # shown in Paris time, as the CFA and the instructeur lived it
    assert [format_moment(r.deposited_at) for r in page.rows] == [
        "25/10/2026 02:30", "25/10/2026 02:10"]
    with factory.begin() as s:
        assert review.take_next(s, world.instructeur).pro_forma_id == earlier


def test_the_stored_value_is_utc(world, factory, monkeypatch):
    pf_id = generate(world, factory, [world.contracts1[0]])[0]
    deposit_at(world, factory, pf_id, BEFORE_FALL_BACK, monkeypatch)
    with factory() as s:
        raw = s.execute(text("SELECT deposited_at FROM pro_forma WHERE id = :i"),
                        {"i": pf_id}).scalar_one()
    if ON_POSTGRES:  # timestamptz: an instant
        assert raw == BEFORE_FALL_BACK
    else:  # SQLite: UTC text, no offset
        assert str(raw).startswith("2026-10-25 00:30:00")


def test_the_clock_is_utc_and_today_is_the_french_date(monkeypatch):
    freeze(None)
    # 23:30 UTC on 27 November is already 28 November in France
    monkeypatch.setattr(clock, "datetime", paris_server(datetime(2026, 11, 27, 23, 30,
                                                                 tzinfo=UTC)))
    assert clock.now() == datetime(2026, 11, 27, 23, 30, tzinfo=UTC)
    assert clock.now().utcoffset() == timedelta(0)
    assert clock.today() == date(2026, 11, 28)
    assert clock.start_of_day(date(2026, 11, 28)) == datetime(2026, 11, 27, 23, 0, tzinfo=UTC)
    assert clock.start_of_day(date(2026, 7, 1)) == datetime(2026, 6, 30, 22, 0, tzinfo=UTC)


def test_freeze_reads_a_naive_datetime_as_paris_time():
    try:
        freeze(datetime(2026, 7, 1, 10, 0))
        assert clock.now() == datetime(2026, 7, 1, 8, 0, tzinfo=UTC)
        freeze(datetime(2026, 12, 1, 10, 0))
        assert clock.now() == datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
        freeze(datetime(2026, 10, 25, 2, 30))  # the repeated hour: CET, as PostgreSQL reads it
        assert clock.now() == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
        freeze(TODAY)
        assert clock.today() == date(2026, 11, 27)
    finally:
        freeze(None)


def test_moments_are_shown_in_paris_time():
    assert format_moment(datetime(2026, 7, 1, 8, 0, tzinfo=UTC)) == "01/07/2026 10:00"
    assert format_moment(datetime(2026, 12, 1, 8, 0, tzinfo=UTC)) == "01/12/2026 09:00"
    assert format_moment_day(datetime(2026, 12, 31, 23, 30, tzinfo=UTC)) == "01/01/2027"
    with pytest.raises(ValueError):
        format_moment(datetime(2026, 7, 1, 8, 0))


def test_a_naive_datetime_is_refused_by_the_database_layer(factory):
    from sqlalchemy.exc import StatementError

    with pytest.raises(StatementError, match="naive"), factory.begin() as s:
        s.add(Event(at=datetime(2026, 1, 1, 12, 0), entity="test", action="created", data={}))
        s.flush()


def test_paris_time_in_sql_matches_zoneinfo_around_every_change(factory):
    """``dashboard_sql.paris_time`` (AT TIME ZONE on PostgreSQL, the EU rule in SQL on SQLite)
    agrees with zoneinfo every 30 minutes around the changes of 2026, 2027 and 2030."""
    instants = []
    for year in (2026, 2027, 2030):
        for month in (3, 10):
            last_sunday = max(date(year, month, d) for d in range(25, 32)
                              if date(year, month, d).weekday() == 6)
            start = datetime.combine(last_sunday, datetime.min.time(), tzinfo=UTC)
            instants += [start - timedelta(hours=3) + timedelta(minutes=30 * k)
                         for k in range(14)]
    instants += [datetime(2026, 1, 15, 12, tzinfo=UTC), datetime(2026, 7, 15, 22, 30, tzinfo=UTC)]
    with factory.begin() as s:
        s.add_all([Event(at=i, entity="clock", action=f"t{n}", data={})
                   for n, i in enumerate(instants)])
    with factory() as s:
        rows = s.execute(select(Event.action, paris_time(s, Event.at))
                         .where(Event.entity == "clock")).all()
    got = {a: (v if isinstance(v, str) else v.isoformat(" "))[:19] for a, v in rows}
    want = {f"t{n}": i.astimezone(PARIS).replace(tzinfo=None).isoformat(" ")
            for n, i in enumerate(instants)}
    assert got == want


def test_dashboard_days_and_weeks_are_french(world, factory, monkeypatch):
    """A deposit at 00:30 Paris time on Monday 23 November (Sunday 23:30 UTC) is in that
    Monday's week and day; one at 00:30 on 20 November is 7 days old on the 27th (bucket
    0–7 days), not 8 as its UTC date would make it."""
    monday = generate(world, factory, [world.contracts1[0]])[0]
    friday = generate(world, factory, [world.contracts1[2]])[0]
    deposit_at(world, factory, monday, datetime(2026, 11, 22, 23, 30, tzinfo=UTC), monkeypatch)
    deposit_at(world, factory, friday, datetime(2026, 11, 19, 23, 30, tzinfo=UTC), monkeypatch)
    monkeypatch.undo()
    freeze(TODAY)
    with factory() as s:
        day = dashboard.flow(s, world.manager, Filters(date(2026, 11, 23), date(2026, 11, 23)))
        before = dashboard.flow(s, world.manager,
                                Filters(date(2026, 11, 22), date(2026, 11, 22)))
        weeks = dashboard.flow(s, world.manager, Filters()).weeks
        q = dashboard.queue(s, world.manager, Filters())
    assert [(w.week, w.deposits) for w in day.weeks] == [(date(2026, 11, 23), 1)]
    assert before.weeks == []
    # the weeks with deposits (the test world's paid pro forma of March has none)
    assert [(w.label, w.deposits) for w in weeks if w.deposits] == [("2026-S47", 1),
                                                                      ("2026-S48", 1)]
    assert [b.count for b in q.buckets] == [2, 0, 0, 0]
