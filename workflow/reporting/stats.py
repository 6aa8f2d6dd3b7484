"""Headline counts of the OPCO home pages, computed by SQL aggregates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import Cfa, Contract, ProForma
from domain.clock import now
from domain.vocabulary import Status
from workflow.common.access import Actor, require_manager, require_opco


@dataclass(frozen=True)
class Overview:
    """Counts and amounts by status, plus the review queue's shape."""

    by_status: dict[Status, tuple[int, Decimal]]
    queue: int
    unassigned: int
    mine: int
    oldest_deposit: datetime | None
    cfas: int
    contracts: int

    def count(self, status: Status) -> int:
        return self.by_status.get(status, (0, Decimal("0")))[0]

    def amount(self, status: Status) -> Decimal:
        return self.by_status.get(status, (0, Decimal("0")))[1]

    @property
    def oldest_age_days(self) -> int | None:
        return (now() - self.oldest_deposit).days if self.oldest_deposit else None


def overview(session: Session, actor: Actor) -> Overview:
    """Pro formas by status (count and total) and the review queue, for OPCO staff."""
    require_opco(actor)
    by_status = {
        status: (count, Decimal(total or 0))
        for status, count, total in session.execute(
            select(ProForma.status, func.count(), func.sum(ProForma.total))
            .group_by(ProForma.status)
        )
    }
    review = ProForma.status == Status.UNDER_REVIEW
    queue, unassigned, mine, oldest = session.execute(
        select(
            func.count(),
            func.count().filter(ProForma.assigned_to_id.is_(None)),
            func.count().filter(ProForma.assigned_to_id == actor.user_id),
            func.min(ProForma.deposited_at),
        ).where(review)
    ).one()
    cfas = session.execute(select(func.count()).select_from(Cfa)).scalar_one()
    contracts = session.execute(select(func.count()).select_from(Contract)).scalar_one()
    return Overview(by_status, queue, unassigned, mine, oldest, cfas, contracts)


def portfolio(session: Session, actor: Actor) -> Overview:
    """The same overview for the managers' home page; AccessDenied for anyone but a manager."""
    require_manager(actor)
    return overview(session, actor)
