"""The one place that reads the clock, so that tests and demo data can pin "today".

Moments are aware datetimes in UTC (what the database stores, ``db.types.UtcDateTime``);
calendar dates — échéances, deadlines, "today", the days of a period — are French civil dates,
i.e. dates in Europe/Paris. Display goes through ``domain.formatting`` (Paris time).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")

_frozen: datetime | None = None


def now() -> datetime:
    """The current moment, an aware datetime in UTC (to the second)."""
    if _frozen is not None:
        return _frozen
    return datetime.now(UTC).replace(microsecond=0)


def today() -> date:
    """Today's date in France (Europe/Paris), whatever the server's time zone."""
    return paris_day(now())


def utc(moment: datetime) -> datetime:
    """``moment`` as an aware UTC datetime; a naive one is read as Paris local time.

    As PostgreSQL's ``AT TIME ZONE`` reads it: a wall time of the repeated autumn hour is
    taken in standard time (the later one, CET), a wall time of the skipped spring hour with
    the offset before the change (02:30 on the spring day is 01:30 UTC).
    """
    if moment.tzinfo is not None:
        return moment.astimezone(UTC)
    later = moment.replace(tzinfo=PARIS, fold=1).astimezone(UTC)
    if later.astimezone(PARIS).replace(tzinfo=None) == moment:
        return later
    return moment.replace(tzinfo=PARIS, fold=0).astimezone(UTC)


def paris(moment: datetime) -> datetime:
    """``moment`` (aware) as Paris local time (aware, Europe/Paris)."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: a moment must carry its time zone")
    return moment.astimezone(PARIS)


def paris_day(moment: datetime) -> date:
    """The French civil date of an aware moment."""
    return paris(moment).date()


def start_of_day(day: date) -> datetime:
    """The moment (aware UTC) at which ``day`` starts in France (midnight, Paris time)."""
    return datetime.combine(day, time.min, tzinfo=PARIS).astimezone(UTC)


def freeze(at: datetime | None) -> None:
    """Pin the clock (tests, demo data); ``None`` releases it.

    An aware datetime is taken as it is; a naive one is read as Paris local time (what a
    test or the demo means by "27/11/2026 10:00"). Either way ``now()`` returns it in UTC.
    """
    global _frozen
    _frozen = None if at is None else utc(at)
