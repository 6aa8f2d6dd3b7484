"""Status changes of a pro forma: the one way a command moves a pro forma along its lifecycle."""

from __future__ import annotations

from sqlalchemy.orm import Session

from db.models import ProForma
from domain.errors import StaleVersion, TransitionRefused
from domain.lifecycle import allowed_next
from domain.vocabulary import Status, label
from workflow.common import events
from workflow.common.access import Actor, get_owned

ACTION_WORDS = {
    Status.UNDER_REVIEW: "déposer une facture",
    Status.CANCELLED: "l'annuler",
    Status.VALIDATED: "la valider",
    Status.REFUSED: "la refuser",
    Status.PAID: "la payer",
}


def transition(session: Session, actor: Actor, pf: ProForma, to: Status, action: str, *,
               expected_version: int | None = None, reason: str | None = None,
               comment: str | None = None) -> None:
    """Move ``pf`` to ``to`` if the status table allows it; bump its version; log the event.

    Raises StaleVersion when ``expected_version`` is given and differs from the current one,
    TransitionRefused when the table forbids the move.
    """
    if expected_version is not None and pf.version != expected_version:
        raise StaleVersion(pf.number, expected_version, pf.version,
                           label(pf.status, pf.kind))
    if to not in allowed_next(pf.status):
        raise TransitionRefused(pf.number, label(pf.status, pf.kind), ACTION_WORDS[to])
    before = pf.status
    pf.status = to.value
    pf.version += 1
    events.record(session, actor, action, pro_forma_id=pf.id, from_status=before,
                  to_status=to.value, reason=reason, comment=comment, version=pf.version)


def load_for_update(session: Session, actor: Actor, pro_forma_id: object) -> ProForma:
    """The pro forma, row-locked (PostgreSQL), if the actor may reach it."""
    return get_owned(session, ProForma, pro_forma_id, actor, "cette pro forma",
                     for_update=True)
