"""Portable SQL pieces of the manager dashboard: filters, ISO weeks, durations, percentiles.

Everything the dashboard shows is aggregated by the database; the few things SQLite and
PostgreSQL spell differently live here:

- moments are stored in UTC, but days and weeks are French civil ones: :func:`paris_time`
  turns a timestamp column into Paris wall-clock time before it is cut into days or weeks
  (``x AT TIME ZONE 'Europe/Paris'`` on PostgreSQL; on SQLite, which has no time zones, the
  EU rule spelled in SQL: +2 hours from the last Sunday of March 01:00 UTC to the last Sunday
  of October 01:00 UTC, else +1 hour); a period's bounds are Paris midnights converted to UTC
  (:func:`in_period`);
- the week of a timestamp is its Monday: ``date_trunc('week', x)`` on PostgreSQL,
  ``date(x, 'weekday 0', '-6 days')`` on SQLite (next Sunday, or the same day, minus six days);
- a duration in days is ``extract(epoch from b - a) / 86400`` on PostgreSQL and
  ``julianday(b) - julianday(a)`` on SQLite;
- percentiles: PostgreSQL computes ``percentile_cont`` itself; SQLite has no such aggregate,
  so the database returns only the column of durations (one float per decision, already
  computed by SQL) and :func:`percentile_cont` interpolates them exactly as PostgreSQL does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVarTuple

from sqlalchemy import (
    ColumnElement,
    Date,
    Select,
    Subquery,
    case,
    cast,
    extract,
    func,
    literal_column,
    or_,
    select,
)
from sqlalchemy.orm import Session, aliased

from db.models import CheckRun, ProForma
from domain.clock import start_of_day
from domain.errors import InvalidInput
from domain.money import cents
from domain.vocabulary import Nature
from workflow.common import bounds

Ts = TypeVarTuple("Ts")


@dataclass(frozen=True)
class Filters:
    """What the manager narrowed the dashboard to; ``None`` means "all".

    The period (both days included) applies to what happened in it: deposits, decisions,
    payments, pro formas created. Snapshot figures (the queue now, credit notes outstanding)
    ignore it. The instructeur is the one who decided (decision figures) or who holds or
    decided the pro forma (pro forma figures).
    """

    period_from: date | None = None
    period_to: date | None = None
    nature: str | None = None
    cfa_id: int | None = None
    instructeur_id: int | None = None

    def check(self) -> None:
        """Raise InvalidInput for a reversed period, a day outside 2000..2100 or an unknown
        nature."""
        for day in (self.period_from, self.period_to):
            if day is not None:
                bounds.day(day, "period", "Une date de la période")
        if self.period_from and self.period_to and self.period_from > self.period_to:
            raise InvalidInput("period", "La date de début de la période doit précéder sa "
                                         "date de fin.")
        if self.nature is not None and self.nature not in {n.value for n in Nature}:
            raise InvalidInput("nature", "Nature de coût inconnue.")


@dataclass(frozen=True)
class Drill:
    """Which pro formas stand behind one row of a figure (see ``dashboard_drill``).

    ``kind`` is one of: status, age, past_sla, reason, refused_cfa, rework, first_time,
    not_first_time, instructeur, against, stage, credit; ``key`` narrows it (a status code,
    a bucket index, a reason id, a CFA id, a user id, "nature:stage", a settlement mode).
    """

    kind: str
    key: str = ""


@dataclass(frozen=True)
class Durations:
    """Days between two moments: how many, median and 90th percentile (None when empty)."""

    count: int
    median: float | None
    p90: float | None


def is_pg(session: Session) -> bool:
    """True when the session talks to PostgreSQL."""
    return session.get_bind().dialect.name == "postgresql"


def in_period(col: Any, f: Filters) -> list[ColumnElement[bool]]:
    """Conditions placing a (UTC) timestamp column inside the period: whole French days, from
    Paris midnight of the first day to Paris midnight after the last (as UTC bounds)."""
    out: list[ColumnElement[bool]] = []
    if f.period_from:
        out.append(col >= start_of_day(f.period_from))
    if f.period_to:
        out.append(col < start_of_day(f.period_to + timedelta(days=1)))
    return out


def in_days(col: Any, f: Filters) -> list[ColumnElement[bool]]:
    """Conditions placing a Date column inside the period."""
    out: list[ColumnElement[bool]] = []
    if f.period_from:
        out.append(col >= f.period_from)
    if f.period_to:
        out.append(col <= f.period_to)
    return out


def scope(f: Filters, *, instructeur: bool = True) -> list[ColumnElement[bool]]:
    """Nature, CFA and (unless told otherwise) instructeur conditions on ProForma."""
    out: list[ColumnElement[bool]] = []
    if f.nature:
        out.append(ProForma.nature == f.nature)
    if f.cfa_id is not None:
        out.append(ProForma.cfa_id == f.cfa_id)
    if instructeur and f.instructeur_id is not None:
        out.append(or_(ProForma.assigned_to_id == f.instructeur_id,
                       ProForma.decided_by_id == f.instructeur_id))
    return out


def _lit(sql: str) -> Any:
    """An SQL literal written into the statement (not a bound parameter)."""
    return literal_column(sql)


def paris_time(session: Session, col: Any) -> Any:
    """SQL: a UTC timestamp column as Paris wall-clock time (naive), for days and weeks.

    PostgreSQL: ``col AT TIME ZONE 'Europe/Paris'`` (timestamptz → local timestamp).
    SQLite (no time zones): the stored UTC text shifted by +2 hours inside the EU summer time
    — April to September, and in March from the last Sunday (the first Sunday on or after the
    25th) 01:00 UTC, in October until the last Sunday 01:00 UTC — else +1 hour. The month is
    read first (a substring) so that only March and October rows compute the changes' dates.
    Literals only, so GROUP BY repeats the very same expression.
    """
    if is_pg(session):
        return func.timezone(_lit("'Europe/Paris'"), col)
    month = func.substr(col, _lit("6"), _lit("2"))
    year = func.substr(col, _lit("1"), _lit("4"))

    def change(month_day: str) -> Any:  # the last Sunday of the month, 01:00 UTC
        return func.datetime(year.concat(_lit(f"'-{month_day}'")), _lit("'weekday 0'"),
                             _lit("'+1 hours'"))

    summer, winter = _lit("'+2 hours'"), _lit("'+1 hours'")
    shift = case(
        (month.between(_lit("'04'"), _lit("'09'")), summer),
        (month == _lit("'03'"), case((col >= change("03-25"), summer), else_=winter)),
        (month == _lit("'10'"), case((col < change("10-25"), summer), else_=winter)),
        else_=winter)
    return func.datetime(col, shift)


def week_of(session: Session, col: Any) -> Any:
    """The Monday of the week of a date or timestamp column, as an SQL expression.

    A timestamp column must come through :func:`paris_time` (French weeks, not UTC ones).
    """
    if is_pg(session):
        return cast(func.date_trunc(literal_column("'week'"), col), Date)
    # literals, not bound parameters, so that GROUP BY repeats the very same expression
    return func.date(col, literal_column("'weekday 0'"), literal_column("'-6 days'"))


def as_date(value: Any) -> date:
    """A date from what the driver returns for :func:`week_of` (SQLite gives text)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def week_label(monday: date) -> str:
    """ISO week label such as "2026-S48" (S for semaine)."""
    year, week, _ = monday.isocalendar()
    return f"{year}-S{week:02d}"


def days_between(session: Session, start: Any, end: Any) -> Any:
    """SQL expression: days (fractional) from ``start`` to ``end``."""
    if is_pg(session):
        return extract("epoch", end - start) / 86400.0
    return func.julianday(end) - func.julianday(start)


def durations(session: Session, stmt: Select[*Ts], expr: Any) -> Durations:
    """Median and 90th percentile of ``expr`` over the rows of ``stmt`` (a select of rows).

    ``stmt`` is a select whose FROM/WHERE define the population; its columns are replaced.
    PostgreSQL aggregates with ``percentile_cont``; SQLite returns only the durations.
    """
    if is_pg(session):
        q = stmt.with_only_columns(
            func.count(expr),
            func.percentile_cont(0.5).within_group(expr),
            func.percentile_cont(0.9).within_group(expr),
        )
        count, median, p90 = session.execute(q).one()
        return Durations(int(count), _round(median), _round(p90))
    values = sorted(float(v) for v in session.scalars(
        stmt.with_only_columns(expr).where(expr.is_not(None))))
    return Durations(len(values), _round(percentile_cont(values, 0.5)),
                     _round(percentile_cont(values, 0.9)))


def percentile_cont(sorted_values: list[float], p: float) -> float | None:
    """Continuous percentile with linear interpolation, as PostgreSQL's percentile_cont."""
    if not sorted_values:
        return None
    pos = p * (len(sorted_values) - 1)
    low = int(pos)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (pos - low)


def _round(value: Any) -> float | None:
    return None if value is None else round(float(value), 2)


def share(part: int, whole: int) -> float:
    """``part / whole`` (0 when ``whole`` is 0): a ratio for display, never money."""
    return part / whole if whole else 0.0


def only(stmt: Select[*Ts], conditions: list[ColumnElement[bool]]) -> Select[*Ts]:
    """``stmt`` with every condition applied."""
    return stmt.where(*conditions) if conditions else stmt


def count_of(session: Session, stmt: Select[*Ts]) -> int:
    """COUNT(*) of a select, in SQL."""
    return int(session.execute(
        select(func.count()).select_from(stmt.order_by(None).subquery())).scalar_one())


def as_money(value: Any) -> Decimal:
    """A SUM as a 2-decimal Decimal (SQLite may hand back a float or an int for a SUM)."""
    if value is None:
        return Decimal("0.00")
    if isinstance(value, float):
        value = repr(value)
    return cents(Decimal(value))


def first_runs() -> Subquery:
    """(document_id, run_id): the first check run of each deposited document.

    A deposit's moment is its first check run's ``ran_at``: written in the same transaction
    and at the same clock reading as the document, it keeps the document rows (and their
    bytes) out of every scan.
    """
    return (select(CheckRun.document_id, func.min(CheckRun.id).label("run_id"))
            .group_by(CheckRun.document_id).subquery())


def scoped(stmt: Select[*Ts], pro_forma_id: Any, f: Filters, *,
           instructeur: bool = True) -> Select[*Ts]:
    """``stmt`` narrowed to the pro formas of the scope, joining ProForma only when needed.

    ``pro_forma_id`` is the column of ``stmt``'s rows naming their pro forma. Without a nature,
    CFA or instructeur filter the join would only repeat the foreign key, so it is left out
    (at national scale it is a hash join of every pro forma per figure).
    """
    conditions = scope(f, instructeur=instructeur)
    if not conditions:
        return stmt.where(pro_forma_id.is_not(None))
    return stmt.join(ProForma, ProForma.id == pro_forma_id).where(*conditions)


def is_first_run(run: Any = CheckRun) -> ColumnElement[bool]:
    """SQL: ``run`` is the first check run of its document (no run of it has a lower id).

    An anti-join through the index on ``check_run(document_id, id)``: unlike grouping every
    run by document, it lets a period on ``run.ran_at`` narrow the runs first.
    """
    earlier = aliased(CheckRun)
    return ~select(earlier.id).where(earlier.document_id == run.document_id,
                                     earlier.id < run.id).exists()


def first_run_id(document_id: Any) -> Any:
    """Correlated SQL: the id of the first check run of the document ``document_id``.

    Used to join from a decision to its document's first run through the index on
    ``check_run.document_id`` (joining the grouped subquery there would scan it per row).
    """
    run = aliased(CheckRun)
    return select(func.min(run.id)).where(run.document_id == document_id).scalar_subquery()
