"""The one place that reads the clock, so that tests and demo data can pin "today"."""

from __future__ import annotations

from datetime import date, datetime

_frozen: datetime | None = None


def now() -> datetime:
    """Current local time, without time zone (what the database stores)."""
    return _frozen if _frozen is not None else datetime.now().replace(microsecond=0)


def today() -> date:
    """Current date."""
    return now().date()


def freeze(at: datetime | None) -> None:
    """Pin the clock (tests, demo data); ``None`` releases it."""
    global _frozen
    _frozen = at
