"""The four-eyes threshold: what a threshold is (a positive amount in euros, to the cent) and
the proposed threshold waiting for a second manager's approval (``duties``), stored as the
setting ``duties.PENDING_THRESHOLD``. Managers propose, approve and reject it in ``admin``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from db.models import Setting, User
from domain.clock import utc
from domain.errors import InvalidInput
from workflow.accounts import duties
from workflow.common import bounds


@dataclass(frozen=True)
class PendingThreshold:
    """A proposed four-eyes threshold, waiting for a second manager (``duties``)."""

    value: Decimal
    proposed_by_id: int
    proposed_by: str
    proposed_at: datetime


def parse_threshold(amount: object) -> Decimal:
    """A four-eyes threshold from a number or its French text; InvalidInput otherwise."""
    what = "Le seuil du double contrôle"
    if isinstance(amount, (Decimal, int, float)) and not isinstance(amount, bool):
        return bounds.amount(amount, "four_eyes_threshold", what)
    parsed = bounds.parse_amount(amount, "four_eyes_threshold", what)
    if parsed is None:
        raise InvalidInput("four_eyes_threshold", "Le seuil est un montant positif en "
                                                  "euros, au centime près (par exemple "
                                                  "50000,00).")
    return parsed


def pending_threshold(session: Session) -> PendingThreshold | None:
    """The proposed four-eyes threshold waiting for a second manager, if any."""
    row = session.get(Setting, duties.PENDING_THRESHOLD)
    if row is None:
        return None
    data = json.loads(row.value)
    who = session.get(User, data["by"])
    return PendingThreshold(Decimal(data["value"]), data["by"], who.name if who else "?",
                            utc(datetime.fromisoformat(data["at"])))  # naive: Paris (before 0014)
